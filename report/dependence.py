"""Partial dependence of the objective on each parameter, and on the most important pairs.

On a full grid it is exact: the mean over all other parameters, no model involved. Otherwise it
comes from the surrogate forest and scikit-learn's `partial_dependence`.
"""

from __future__ import annotations

import math
from typing import Any, NamedTuple

import numpy as np
import pandas as pd

from report.formatting import format_value
from report.runfile import plain
from report.surrogate import Surrogate, average_dependence, grid_of, individual_dependence

Z_95 = 1.959963984540054
MAX_OBSERVED = 1000

EXACT = "exact: the mean over all other parameters of a full grid"
SURROGATE = "model-based: a random-forest surrogate and scikit-learn's partial_dependence"


class Curve(NamedTuple):
    param: str
    kind: str  # linear, log, categorical or boolean: how to draw the axis
    x: list[Any]  # categorical and boolean values as their text, in order
    mean: list[float]
    low: list[float] | None  # 95% band, from the repeats (exact) or none (surrogate)
    high: list[float] | None
    individual: list[list[float]] | None  # ICE curves (surrogate only)
    observed_x: list[Any]  # the runs (surrogate) or configurations (exact) drawn behind,
    observed_y: list[float]  # a random sample of MAX_OBSERVED of them in large sweeps


class Surface(NamedTuple):
    params: tuple[str, str]  # (x axis, y axis)
    x: list[Any]
    y: list[Any]
    z: list[list[float]]  # z[i][j] at y[i], x[j]


class Dependence(NamedTuple):
    method: str  # EXACT or SURROGATE
    curves: list[Curve]
    surfaces: list[Surface]
    surrogate_r2: float | None  # out-of-bag R² of the surrogate


def exact_curve(ranking: pd.DataFrame, name: str, kind: str) -> Curve:
    """Marginal mean of the configuration means at each value of `name`, over a full grid.

    The band is mean ± 1.96 standard errors, where the standard error of an average of K
    independent configuration means is sqrt(sum(std_c² / n_c)) / K; it needs two repeats of
    every configuration, and is None otherwise.
    """
    scored = ranking[ranking["n"] > 0]
    by_value = scored.groupby(name, sort=True, dropna=False)  # unset values are a value of their own
    mean = by_value["mean"].mean()
    has_band = bool((scored["n"] >= 2).all())
    if has_band:
        stderr = by_value.apply(lambda g: np.sqrt((g["std"] ** 2 / g["n"]).sum()) / len(g))
    return Curve(
        param=name,
        kind=kind,
        x=_plain_list(mean.index, kind),
        mean=mean.tolist(),
        low=(mean - Z_95 * stderr).tolist() if has_band else None,
        high=(mean + Z_95 * stderr).tolist() if has_band else None,
        individual=None,
        observed_x=_plain_list(scored[name], kind),
        observed_y=scored["mean"].tolist(),
    )


def exact_surface(ranking: pd.DataFrame, x_name: str, y_name: str, kinds: dict[str, str]) -> Surface:
    """Mean of the configuration means at each pair of values, over all other parameters."""
    table = ranking[ranking["n"] > 0].pivot_table(values="mean", index=y_name, columns=x_name, aggfunc="mean", dropna=False)
    return Surface(
        (x_name, y_name),
        _plain_list(table.columns, kinds[x_name]),
        _plain_list(table.index, kinds[y_name]),
        table.to_numpy().tolist(),
    )


def surrogate_curve(surrogate: Surrogate, runs: pd.DataFrame, name: str, kind: str, objective: str) -> Curve:
    grid = grid_of(surrogate, name, kind)
    average = average_dependence(surrogate, [name], [grid])
    individual = individual_dependence(surrogate, name, grid)
    observed = runs.loc[surrogate.X.index]
    if len(observed) > MAX_OBSERVED:
        observed = observed.sample(MAX_OBSERVED, random_state=0)
    return Curve(
        param=name,
        kind=kind,
        x=_decoded(surrogate, name, grid),
        mean=average.tolist(),
        low=None,
        high=None,
        individual=individual.tolist(),
        observed_x=_plain_list(observed[name], kind),
        observed_y=observed[objective].tolist(),
    )


def surrogate_surface(surrogate: Surrogate, x_name: str, y_name: str, kinds: dict[str, str]) -> Surface:
    grids = [grid_of(surrogate, name, kinds[name], points=20) for name in (x_name, y_name)]
    average = average_dependence(surrogate, [x_name, y_name], grids)  # [i_x][i_y]
    return Surface(
        (x_name, y_name), _decoded(surrogate, x_name, grids[0]), _decoded(surrogate, y_name, grids[1]), average.T.tolist()
    )


def dependence_info(
    runs: pd.DataFrame,
    ranking: pd.DataFrame,
    params: list[str],
    kinds: dict[str, str],
    objective: str,
    full_grid: bool,
    surrogate: Surrogate | None,
    pairs: list[tuple[str, str]],
) -> Dependence | None:
    """Curves for every parameter and surfaces for `pairs`; None when neither method applies."""
    if full_grid:
        return Dependence(
            EXACT,
            [exact_curve(ranking, name, kinds[name]) for name in params],
            [exact_surface(ranking, a, b, kinds) for a, b in pairs],
            None,
        )
    if surrogate is None:
        return None
    return Dependence(
        SURROGATE,
        [surrogate_curve(surrogate, runs, name, kinds[name], objective) for name in params],
        [surrogate_surface(surrogate, a, b, kinds) for a, b in pairs],
        surrogate.oob_r2,
    )


def _decoded(surrogate: Surrogate, name: str, grid: np.ndarray) -> list[Any]:
    """Grid points back in the parameter's own values (category names for coded ones)."""
    if name in surrogate.categories:
        return [surrogate.categories[name][int(code)] for code in grid]
    return grid.tolist()


def _plain_list(values: Any, kind: str = "linear") -> list[Any]:
    """Python numbers, or for categorical and boolean parameters the values' text."""
    if kind in ("categorical", "boolean"):
        return [format_value(value) for value in values]
    return [math.nan if pd.isna(value) else plain(value) for value in values]
