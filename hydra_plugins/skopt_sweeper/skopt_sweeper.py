"""The plugin class Hydra discovers; the work is in `_impl`, imported when a sweep starts."""

from __future__ import annotations

from typing import Any, List, Mapping

from hydra.plugins.sweeper import Sweeper
from hydra.types import HydraContext, TaskFunction
from omegaconf import DictConfig

from hydra_plugins.skopt_sweeper.config import SkoptSweeperConf  # noqa: F401 - registers the config


class SkoptSweeper(Sweeper):
    """Hydra builds it from `hydra.sweeper` (`SkoptSweeperConf`): one keyword per setting."""

    def __init__(
        self,
        *,
        sampler: str,
        n_trials: int,
        n_initial_points: int,
        seed: int | None,
        acq_func: str,
        n_candidates: int,
        n_jobs: int,
        repeats: int,
        repeat_key: str,
        objective: str | None,
        direction: str | None,
        max_failure_rate: float,
        params: Mapping[str, Any] | None,
    ) -> None:
        from hydra_plugins.skopt_sweeper._impl import SkoptSweep
        from hydra_plugins.skopt_sweeper._settings import Settings, read_direction

        self.sweep_impl = SkoptSweep(Settings(
            sampler=sampler,
            n_trials=n_trials,
            n_initial_points=n_initial_points,
            seed=seed,
            acq_func=acq_func,
            n_candidates=n_candidates,
            n_jobs=n_jobs,
            repeats=repeats,
            repeat_key=repeat_key,
            objective=objective,
            direction=read_direction(direction),
            max_failure_rate=max_failure_rate,
            params=params,
        ))

    def setup(self, *, hydra_context: HydraContext, task_function: TaskFunction, config: DictConfig) -> None:
        self.sweep_impl.setup(hydra_context=hydra_context, task_function=task_function, config=config)

    def sweep(self, arguments: List[str]) -> None:
        return self.sweep_impl.sweep(arguments)
