"""The sweeper's settings, checked once when Hydra builds the sweeper: a wrong value fails
before any job runs, with one line naming the setting."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

from hydra_plugins.skopt_sweeper.config import Direction
from report.jobfiles import direction_word

ACQUISITION_FUNCTIONS = ("EI", "PI", "LCB")


@dataclass(frozen=True)
class Settings:
    """`hydra.sweeper.*` as `SkoptSweeperConf` declares it, with the direction read as a Direction
    (None: guessed from the objective's name once a run reports it)."""

    sampler: str
    n_trials: int
    n_initial_points: int
    seed: int | None
    acq_func: str
    n_candidates: int
    n_jobs: int
    repeats: int
    repeat_key: str
    objective: str | None
    direction: Direction | None
    max_failure_rate: float
    params: Mapping[str, Any] | None

    def __post_init__(self) -> None:
        if self.acq_func not in ACQUISITION_FUNCTIONS:
            raise ValueError(f"hydra.sweeper.acq_func={self.acq_func!r}: use one of {', '.join(ACQUISITION_FUNCTIONS)}")
        for name in ("n_trials", "n_jobs", "repeats"):
            if getattr(self, name) < 1:
                raise ValueError(f"hydra.sweeper.{name}={getattr(self, name)}: must be at least 1")


def read_direction(direction: str | None) -> Direction | None:
    """The Direction of `min`, `max`, `minimize`, `maximize` in any case (Optuna's `Direction.maximize`
    too); None for None."""
    if direction is None:
        return None
    word = direction_word(direction)
    if word is None:
        raise ValueError(f"hydra.sweeper.direction={direction!r}: use min or max (or minimize/maximize)")
    return Direction(word)
