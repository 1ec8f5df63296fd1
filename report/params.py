"""What kind of axis each swept parameter needs: categorical, boolean, linear or log scale."""

from __future__ import annotations

import pandas as pd

LOG_RANGE_RATIO = 100  # positive values spanning two decades or more read best on a log axis


def param_kind(column: pd.Series, log_tagged: bool = False) -> str:
    """'boolean', 'categorical', 'log' or 'linear' for one parameter's column of values.

    A parameter is log-scale when its sweep tagged it `log`, or when all its values are positive
    and span at least two decades (0.1, 0.01, 0.001).
    """
    values = column.dropna()
    if pd.api.types.is_bool_dtype(column):
        return "boolean"
    if not pd.api.types.is_numeric_dtype(column):
        return "categorical"
    if log_tagged or (len(values) and values.min() > 0 and values.max() / values.min() >= LOG_RANGE_RATIO):
        return "log"
    return "linear"


def param_kinds(runs: pd.DataFrame, params: list[str], log_tagged: frozenset[str] = frozenset()) -> dict[str, str]:
    return {name: param_kind(runs[name], name in log_tagged) for name in params}


def is_full_grid(ranking: pd.DataFrame, params: list[str]) -> bool:
    """True when every combination of the swept values has at least one scored run."""
    if not params:
        return False
    scored = ranking[ranking["n"] > 0]
    combinations = 1
    for name in params:
        combinations *= ranking[name].nunique(dropna=False)
    return len(scored.drop_duplicates(params)) == combinations
