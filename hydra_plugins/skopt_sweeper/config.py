"""The sweeper's configuration, registered as `hydra/sweeper=skopt`.

No `from __future__ import annotations` here: Hydra loads plugin modules before they are in
`sys.modules`, where dataclasses cannot resolve string annotations.
"""


from dataclasses import dataclass, field
from enum import Enum
from typing import Any, Dict, Optional

from hydra.core.config_store import ConfigStore


class Direction(Enum):
    """Which way the objective goes, as Optuna's sweeper names it; the value is the word the
    results file holds."""

    minimize = "min"
    maximize = "max"


@dataclass
class SkoptSweeperConf:
    _target_: str = "hydra_plugins.skopt_sweeper.skopt_sweeper.SkoptSweeper"
    # random: seeded draws from the space; gp, rf, et: Bayesian optimisation with that surrogate
    sampler: str = "gp"
    n_trials: int = 50  # configurations to evaluate (each `repeats` times)
    n_initial_points: int = 10  # random configurations before the model takes over
    seed: Optional[int] = 0  # the same seed gives the same sequence of configurations
    acq_func: str = "EI"
    n_candidates: int = 2000  # points sampled to optimise the acquisition function (a small discrete space is searched whole)
    n_jobs: int = 1  # configurations handed to the launcher at once
    repeats: int = 1  # runs per configuration, with `repeat_key` set to 0 .. repeats-1
    repeat_key: str = "seed"
    objective: Optional[str] = None  # the returned metric to optimise; default: the first
    # A Direction: min, max, minimize or maximize, any case; default: guessed from the metric's name.
    # A str, not Optional[Direction]: OmegaConf would refuse `min` and `MAXIMIZE` for an Enum field.
    direction: Optional[str] = None
    max_failure_rate: float = 0.1  # share of failed runs (of n_trials * repeats) that stops the sweep
    params: Optional[Dict[str, Any]] = field(default=None)  # the search space, in Hydra's override grammar


ConfigStore.instance().store(group="hydra/sweeper", name="skopt", node=SkoptSweeperConf, provider="skopt_sweeper")
