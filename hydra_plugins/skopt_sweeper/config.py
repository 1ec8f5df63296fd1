"""The sweeper's configuration, registered as `hydra/sweeper=skopt`.

No `from __future__ import annotations` here: Hydra loads plugin modules before they are in
`sys.modules`, where dataclasses cannot resolve string annotations.
"""


from dataclasses import dataclass, field
from typing import Any, Dict, Optional

from hydra.core.config_store import ConfigStore


@dataclass
class SkoptSweeperConf:
    _target_: str = "hydra_plugins.skopt_sweeper.skopt_sweeper.SkoptSweeper"
    # random: seeded draws from the space; gp, rf, et: Bayesian optimisation with that surrogate
    sampler: str = "gp"
    n_trials: int = 50  # configurations to evaluate (each `repeats` times)
    n_initial_points: int = 10  # random configurations before the model takes over
    seed: Optional[int] = 0  # the same seed gives the same sequence of configurations
    acq_func: str = "EI"
    n_candidates: int = 2000  # points sampled to optimise the acquisition function
    n_jobs: int = 1  # configurations handed to the launcher at once
    repeats: int = 1  # runs per configuration, with `repeat_key` set to 0 .. repeats-1
    repeat_key: str = "seed"
    objective: Optional[str] = None  # the returned metric to optimise; default: the first
    direction: Optional[str] = None  # min or max; default: guessed from the metric's name
    max_failure_rate: float = 0.1  # share of failed runs (of n_trials * repeats) that stops the sweep
    params: Optional[Dict[str, Any]] = field(default=None)  # the search space, in Hydra's override grammar


ConfigStore.instance().store(group="hydra/sweeper", name="skopt", node=SkoptSweeperConf, provider="skopt_sweeper")
