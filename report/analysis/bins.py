"""Cutting numeric parameters into a few ordered bins, and the labels of bins and values.

A random or Bayesian sweep launches each configuration once, so a clustermap of its exact values
would hold one run per row. Binning trades exactness for cells that hold runs; this module decides
when that trade is worth it (never for a grid, nor for a parameter with few values) and how to
write the resulting ranges so that they read as numbers: a true minus sign, a spaced separator and
one notation (plain or scientific) for all the labels of a parameter.

A parameter that only some jobs set (a Hydra config group: `momentum` for sgd only) keeps its unset
value as a level of its own, `UNSET`, after its values; it is never counted as a value to bin.
"""

from __future__ import annotations

import math
import re
from typing import Any, Sequence

import numpy as np
import pandas as pd

from report.formatting import format_value

NUMERIC = ("linear", "log")
MAX_BINS = 8
CONFIGS_PER_CELL = 2  # what the bins of a random or Bayesian sweep aim for
NEAR_GRID_SHARE = 0.75  # a sweep that launched this share of its exact cells is a grid with gaps: not binned
UNSET = "unset"  # the level of a parameter that a configuration does not set
MINUS = "\N{MINUS SIGN}"
RANGE = " to "  # between the ends of a bin's range: `−1000 to −800`
VALUE_DIGITS = 4


def bin_count(configurations: int, combinations: int, binned: int) -> int:
    """Bins per binned parameter so that each cell holds about CONFIGS_PER_CELL configurations,
    `combinations` being the number of value combinations of the parameters kept exact."""
    per_parameter = (configurations / (CONFIGS_PER_CELL * combinations)) ** (1 / binned)
    return max(2, min(MAX_BINS, round(per_parameter)))


def grid_cells(ranking: pd.DataFrame, params: list[str]) -> int:
    """How many configurations a grid over the launched values would have: for each set of
    parameters that jobs set together (one per config group), the product of their values."""
    patterns = ranking[params].notna()
    return sum(
        math.prod(max(1, group[name].nunique()) for name in params)
        for _, group in ranking.groupby([patterns[name] for name in params], sort=False)
    )


def choose_bins(ranking: pd.DataFrame, params: list[str], kinds: dict[str, str]) -> dict[str, int]:
    """How many bins each numeric parameter of a sweep that is not a grid is cut into.

    A sweep whose exact cells are nearly all launched (a grid with gaps) is not binned, nor is a
    parameter with no more distinct set values than the bins would have.
    """
    configurations = int((ranking["n"] > 0).sum())
    if len(ranking.drop_duplicates(params)) >= NEAR_GRID_SHARE * grid_cells(ranking, params):
        return {}
    distinct = {name: int(ranking[name].nunique()) for name in params}
    levels = {name: distinct[name] + bool(ranking[name].isna().any()) for name in params}
    exact = [name for name in params if kinds[name] not in NUMERIC]
    numeric = [name for name in params if kinds[name] in NUMERIC]
    while numeric:
        bins = bin_count(configurations, math.prod(levels[name] for name in exact), len(numeric))
        few = [name for name in numeric if distinct[name] <= bins]
        if not few:
            return {name: bins for name in numeric}
        exact += few
        numeric = [name for name in numeric if name not in few]
    return {}


def cut_into_bins(column: pd.Series, kind: str, bins: int) -> tuple[pd.Series, dict[str, float]]:
    """Cut a numeric parameter into ordered bins: log-spaced for log-scale parameters, else quantiles.

    Returns each value's bin label (an ordered categorical, UNSET last where some value is unset)
    and each bin's representative point, where the surrogate is asked: the middle of the printed
    range, geometric for log-scale ones; NaN for UNSET.
    """
    values = column.astype(float)
    low, high = values.min(), values.max()
    log = kind == "log" and low > 0
    if log:
        edges = np.geomspace(low, high, bins + 1)
    else:
        edges = np.unique(np.quantile(values.dropna(), np.linspace(0, 1, bins + 1)))
        if len(edges) < 3:  # ties at the quantiles: even bins rather than a single one
            edges = np.linspace(low, high, bins + 1)
    set_values = values.dropna()
    integer = pd.api.types.is_integer_dtype(column) or bool((set_values == np.round(set_values)).all() and values.isna().any())
    if integer:
        edges = np.unique(np.round(edges))
    index = np.clip(np.searchsorted(edges, values, side="left") - 1, 0, len(edges) - 2)
    lows, highs = edges[:-1].copy(), edges[1:]
    if integer:  # bins (a, b] hold the integers a+1..b; the first one holds its lower edge too
        lows[1:] += 1
    labels = range_labels(lows, highs, integer)
    middles = np.sqrt(lows * highs) if log else (lows + highs) / 2
    points = dict(zip(labels, middles.tolist()))
    if values.isna().any():
        labels, points = [*labels, UNSET], points | {UNSET: math.nan}
    codes = np.where(values.isna(), len(labels) - 1, index)
    cut = pd.Series(pd.Categorical.from_codes(codes, categories=labels, ordered=True), index=column.index)
    return cut, points


def range_labels(lows: np.ndarray, highs: np.ndarray, integer: bool) -> list[str]:
    """`1e−4 to 1e−3`: as few significant digits as keep each range's ends, and the ranges, apart."""
    if integer:
        return [_integer(low) if low == high else f"{_integer(low)}{RANGE}{_integer(high)}" for low, high in zip(lows, highs)]
    scientific = _scientific([*lows, *highs])
    for digits in range(2, 18):
        ends = [(_number(low, digits, scientific), _number(high, digits, scientific)) for low, high in zip(lows, highs)]
        if all(low != high for low, high in ends) and len(set(ends)) == len(ends):
            break
    return [f"{low}{RANGE}{high}" for low, high in ends]


def value_labels(values: Sequence[Any]) -> list[str]:
    """Tick labels of a parameter's exact levels: floats to VALUE_DIGITS significant digits in one
    notation, integers in full, a true minus sign, and UNSET as is."""
    floats = [float(value) for value in values if _is_float(value)]
    scientific = _scientific(floats)
    labels = []
    for value in values:
        if isinstance(value, str):
            labels.append(value)
        elif _is_float(value):
            labels.append(_number(float(value), VALUE_DIGITS, scientific))
        elif isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_)):
            labels.append(_integer(value))
        else:
            labels.append(format_value(value))
    return labels


def _is_float(value: Any) -> bool:
    return isinstance(value, (float, np.floating)) and math.isfinite(value)


def _scientific(values: Sequence[float]) -> bool:
    """One notation for a parameter: scientific when some value would be long written out."""
    sizes = [abs(value) for value in values if value != 0 and math.isfinite(value)]
    return bool(sizes) and (max(sizes) >= 1e6 or min(sizes) < 1e-4)


def _number(value: float, digits: int, scientific: bool) -> str:
    if scientific:
        text = np.format_float_scientific(value, precision=digits - 1, unique=False, trim="-", exp_digits=1)
        text = re.sub(r"\.?e\+?", "e", text)
    else:
        text = np.format_float_positional(value, precision=digits, unique=False, fractional=False, trim="-")
    return text.replace("-", MINUS)


def _integer(value: float) -> str:
    return f"{int(value)}".replace("-", MINUS)
