"""The plugin class Hydra discovers; the work is in `_impl`, imported when a sweep starts."""

from __future__ import annotations

from typing import Any, List

from hydra.plugins.sweeper import Sweeper
from hydra.types import HydraContext, TaskFunction
from omegaconf import DictConfig

from hydra_plugins.skopt_sweeper.config import SkoptSweeperConf  # noqa: F401 - registers the config


class SkoptSweeper(Sweeper):
    def __init__(self, **settings: Any) -> None:
        from hydra_plugins.skopt_sweeper._impl import SkoptSweep

        self.sweep_impl = SkoptSweep(**settings)

    def setup(self, *, hydra_context: HydraContext, task_function: TaskFunction, config: DictConfig) -> None:
        self.sweep_impl.setup(hydra_context=hydra_context, task_function=task_function, config=config)

    def sweep(self, arguments: List[str]) -> None:
        return self.sweep_impl.sweep(arguments)
