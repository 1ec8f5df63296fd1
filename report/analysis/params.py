"""What kind of axis each swept parameter needs: categorical, boolean, linear or log scale."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

LOG_RANGE_RATIO = 100  # positive values spanning two decades or more read best on a log axis


@dataclass(frozen=True)
class Space:
    """What a configuration is: the parameters that define it (swept, minus the repeat key), the
    kind of axis each needs, and whether the launched configurations form a full grid."""

    params: list[str]
    kinds: dict[str, str]
    full_grid: bool


def param_kind(column: pd.Series, log_tagged: bool = False) -> str:
    """'boolean', 'categorical', 'log' or 'linear' for one parameter's column of values.

    A parameter is log-scale when its sweep tagged it `log`, or when its values are positive,
    span at least two decades and sit evenly in log space (0.1, 0.01, 0.001): their median is
    nearer the geometric than the arithmetic middle of their range.
    """
    if pd.api.types.is_bool_dtype(column):
        return "boolean"
    if not pd.api.types.is_numeric_dtype(column):
        return "categorical"
    if log_tagged or _spread_in_log_space(np.unique(column.dropna().to_numpy(dtype=float))):
        return "log"
    return "linear"


def _spread_in_log_space(values: np.ndarray) -> bool:
    if len(values) < 3 or values.min() <= 0 or values.max() / values.min() < LOG_RANGE_RATIO:
        return False
    low, high, median = values.min(), values.max(), np.median(values)
    geometric_middle, arithmetic_middle = np.sqrt(low * high), (low + high) / 2
    return abs(np.log(median / geometric_middle)) < abs(np.log(median / arithmetic_middle))


def param_kinds(runs: pd.DataFrame, params: list[str], log_tagged: frozenset[str] = frozenset()) -> dict[str, str]:
    return {name: param_kind(runs[name], name in log_tagged) for name in params}


def is_full_grid(ranking: pd.DataFrame, params: list[str]) -> bool:
    """True when the launched configurations form a grid: every combination of the swept values
    was run, whether it completed or failed. Cells where every run failed stay part of the grid
    (shown as failed), so a grid keeps its exact, model-free treatment."""
    if not params or not (ranking["n"] > 0).any():
        return False
    combinations = 1
    for name in params:
        combinations *= ranking[name].nunique(dropna=False)
    return len(ranking.drop_duplicates(params)) == combinations
