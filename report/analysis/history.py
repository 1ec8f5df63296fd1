"""The objective in job order with the best value so far: how the sweep progressed."""

from __future__ import annotations

from typing import NamedTuple

import pandas as pd

from report.analysis.ranking import is_scored


class History(NamedTuple):
    jobs: list[int]  # job numbers of the scored runs, in order
    values: list[float]
    best_so_far: list[float]


def best_so_far(values: pd.Series, direction: str) -> pd.Series:
    return values.cummin() if direction == "min" else values.cummax()


def history_info(runs: pd.DataFrame, objective: str, direction: str) -> History | None:
    """None when fewer than two runs were scored."""
    scored = runs[is_scored(runs, objective) & runs["job"].notna()].sort_values("job")
    if len(scored) < 2:
        return None
    values = scored[objective]
    return History([int(job) for job in scored["job"]], values.tolist(), best_so_far(values, direction).tolist())
