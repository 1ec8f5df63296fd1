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
from report.ranking import is_scored
from report.runfile import plain
from report.surrogate import Surrogate, average_dependence, grid_of, individual_dependence

Z_95 = 1.959963984540054
MAX_OBSERVED = 1000
# A surrogate cell counts as measured when one of the launched runs nearest to it completed. Three
# keeps the test local enough that a crash region holding three failed runs of a 40-run random
# search is hatched (five reached past it to completed runs and hatched nothing), yet a region where
# one run in five fails at random is marked failed in only 0.2**3 = 0.8% of its cells.
NEAREST_RUNS = 3

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
    configurations: list[int] | None  # exact: configurations launched at each x (None for surrogate)
    failed: list[int] | None  # exact: of those, how many have no completed run (mean is NaN when all)


class Surface(NamedTuple):
    params: tuple[str, str]  # (x axis, y axis)
    kinds: tuple[str, str]  # each axis' param_kind: numeric axes are drawn to scale
    x: list[Any]
    y: list[Any]
    z: list[list[float]]  # z[i][j] at y[i], x[j]; NaN where failed
    failed: list[list[bool]]  # failed[i][j]: no completed run there, so no value to show


class Dependence(NamedTuple):
    method: str  # EXACT or SURROGATE
    curves: list[Curve]
    surfaces: list[Surface]
    surrogate_r2: float | None  # out-of-bag R² of the surrogate


def exact_curve(ranking: pd.DataFrame, name: str, kind: str) -> Curve:
    """Marginal mean of the configuration means at each value of `name`, over a full grid.

    The band is mean ± 1.96 standard errors, where the standard error of an average of K
    independent configuration means is sqrt(sum(std_c² / n_c)) / K; it needs two repeats of
    every completed configuration, and is None otherwise. Configurations whose every run failed
    have no mean: each point averages the others and counts them in `failed`.
    """
    scored = ranking[ranking["n"] > 0]
    by_value = ranking.groupby(name, sort=True, dropna=False)  # unset values are a value of their own
    mean = by_value["mean"].mean()  # failed configurations' mean is NaN, so skipped
    has_band = bool((scored["n"] >= 2).all())
    if has_band:
        stderr = by_value.apply(_stderr_of_mean)
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
        configurations=by_value.size().tolist(),
        failed=by_value["n"].agg(lambda n: int((n == 0).sum())).tolist(),
    )


def _stderr_of_mean(group: pd.DataFrame) -> float:
    completed = group[group["n"] > 0]
    if completed.empty:
        return math.nan
    return float(np.sqrt((completed["std"] ** 2 / completed["n"]).sum()) / len(completed))


def exact_surface(ranking: pd.DataFrame, x_name: str, y_name: str, kinds: dict[str, str]) -> Surface:
    """Mean of the configuration means at each pair of values, over all other parameters; failed
    (and NaN) where every configuration of the pair failed."""
    pivot = {"index": y_name, "columns": x_name, "dropna": False}
    table = ranking.pivot_table(values="mean", aggfunc="mean", **pivot)  # NaN means of failed ones are skipped
    completed = ranking.assign(completed=ranking["n"] > 0).pivot_table(values="completed", aggfunc="sum", **pivot)
    failed = completed.reindex_like(table).fillna(0).to_numpy() == 0
    return Surface(
        (x_name, y_name),
        (kinds[x_name], kinds[y_name]),
        _plain_list(table.columns, kinds[x_name]),
        _plain_list(table.index, kinds[y_name]),
        np.where(failed, math.nan, table.to_numpy()).tolist(),
        failed.tolist(),
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
        configurations=None,
        failed=None,
    )


def surrogate_surface(
    surrogate: Surrogate, runs: pd.DataFrame, x_name: str, y_name: str, kinds: dict[str, str], objective: str
) -> Surface:
    """The forest's dependence on a pair, except where the nearest launched runs all failed: the
    forest only saw completed runs, so there it extrapolates and must not be shown as measured."""
    grids = [grid_of(surrogate, name, kinds[name], points=20, launched=runs[name]) for name in (x_name, y_name)]
    average = average_dependence(surrogate, [x_name, y_name], grids)  # [i_x][i_y]
    x, y = _decoded(surrogate, x_name, grids[0]), _decoded(surrogate, y_name, grids[1])
    failed = failed_cells(runs, objective, (x_name, kinds[x_name], x), (y_name, kinds[y_name], y)).T
    return Surface((x_name, y_name), (kinds[x_name], kinds[y_name]), x, y, np.where(failed, math.nan, average.T).tolist(), failed.tolist())


def failed_cells(runs: pd.DataFrame, objective: str, x_axis: tuple[str, str, list[Any]], y_axis: tuple[str, str, list[Any]]) -> np.ndarray:
    """[i_x][i_y]: True where none of the NEAREST_RUNS launched runs nearest to (x_i, y_j) completed.

    Each axis is (name, kind, grid values). Distances are in the plane of the two parameters,
    each scaled to [0, 1] over the launched runs (log10 first for log parameters); a categorical
    or boolean value must match exactly.
    """
    completed = is_scored(runs, objective).to_numpy()
    dx, dy = (_axis_distances(runs[name], kind, values) for name, kind, values in (x_axis, y_axis))
    failed = np.ones((len(dx), len(dy)), dtype=bool)
    for i, row in enumerate(dx):
        distance = row[None, :] ** 2 + dy**2  # [j][run]
        k = min(NEAREST_RUNS, distance.shape[1])
        nearest = np.argpartition(distance, k - 1, axis=1)[:, :k]
        reachable = np.isfinite(np.take_along_axis(distance, nearest, axis=1))
        failed[i] = ~(completed[nearest] & reachable).any(axis=1)
    return failed


def _axis_distances(column: pd.Series, kind: str, values: list[Any]) -> np.ndarray:
    """[grid point][run]: distance along one parameter's axis; inf to other categories and unset values."""
    if kind in ("categorical", "boolean"):
        texts = column.map(format_value).to_numpy()
        return np.array([np.where(texts == value, 0.0, np.inf) for value in values])
    runs, grid = column.astype(float).to_numpy(), np.asarray(values, dtype=float)
    if kind == "log":
        runs, grid = np.log10(np.where(runs > 0, runs, np.nan)), np.log10(grid)
    span = np.nanmax(runs) - np.nanmin(runs) if np.isfinite(runs).any() else 0.0
    distance = np.abs(grid[:, None] - runs[None, :]) / (span or 1.0)
    return np.where(np.isnan(distance), np.inf, distance)


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
        [surrogate_surface(surrogate, runs, a, b, kinds, objective) for a, b in pairs],
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
