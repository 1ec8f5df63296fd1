"""A trial as the results file lists it: one configuration, the jobs that ran it (its repeats),
and the mean of their objectives. The sweep loop and resume build trials alike."""

from __future__ import annotations

from typing import Any, Sequence

from hydra_plugins.skopt_sweeper.config import Direction

TRIAL_KEYS = ("trial", "jobs", "params", "value", "status")


def new_trial(index: int, jobs: list[int], params: dict[str, Any], values: list[float]) -> dict[str, Any]:
    """`values` holds the objectives of the runs that completed; none of them: a failed trial."""
    return {
        "trial": index,
        "jobs": jobs,
        "params": params,
        "value": sum(values) / len(values) if values else None,
        "status": "completed" if values else "failed",
    }


def is_trial(trial: Any) -> bool:
    """Whether a results file's entry has a trial's shape (the file may be damaged or older)."""
    return (
        isinstance(trial, dict)
        and all(key in trial for key in TRIAL_KEYS)
        and isinstance(trial["jobs"], list)
        and all(isinstance(job, int) for job in trial["jobs"])
        and isinstance(trial["params"], dict)
    )


def minimised(value: float, direction: Direction | None) -> float:
    """The value as the sampler minimises it: negated unless the direction is minimize."""
    return value if direction is Direction.minimize else -value


def best_trial(trials: Sequence[dict[str, Any]], direction: Direction | None) -> dict[str, Any] | None:
    completed = [trial for trial in trials if trial["value"] is not None]
    return min(completed, key=lambda t: minimised(t["value"], direction), default=None)
