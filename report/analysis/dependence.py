"""Partial dependence of the objective on each parameter, and on the most important pairs.

On a full grid it is exact: the mean over all other parameters, no model involved; where some
configurations failed the grid is unbalanced, and each curve point is the main-effects (additive
least-squares) fit averaged over the other parameters' grid instead. Otherwise it comes from the
surrogate forest and scikit-learn's `partial_dependence`.
"""

from __future__ import annotations

import math
from typing import Any, NamedTuple

import numpy as np
import pandas as pd

from report.analysis.failed_cells import failed_cells
from report.analysis.ranking import is_scored
from report.analysis.surrogate import (
    Surrogate,
    average_dependence,
    category_values,
    grid_of,
    individual_dependence,
    one_way_dependence,
    sample_note,
)
from report.formatting import format_value, value_keys
from report.jobfiles import plain

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
    individual: list[list[float]] | None  # ICE curves (surrogate only; NaN where every run failed)
    observed_x: list[Any]  # the runs (surrogate) or configurations (exact) drawn behind,
    observed_y: list[float]  # a random sample of MAX_OBSERVED of them in large sweeps
    # Launched at each x: configurations (exact) or runs (surrogate, categorical and boolean
    # parameters only; None for numeric ones, whose grid points are not launched values).
    configurations: list[int] | None
    failed: list[int] | None  # of those, how many have no completed run (mean is NaN when all)


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
    sample: str = ""  # how many runs the forest learnt from, where it was a sample


def exact_curve(ranking: pd.DataFrame, name: str, kind: str, params: list[str] | None = None) -> Curve:
    """Marginal mean of the configuration means at each value of `name`, over a full grid.

    The band is mean ± 1.96 standard errors, where the standard error of an average of K
    independent configuration means is sqrt(sum(std_c² / n_c)) / K; it needs two repeats of
    every completed configuration, and is None otherwise.

    Where configurations failed (every run of them), marginal means would average a different
    subset of the others at each value. Then each point is the main-effects estimate instead (see
    `main_effect_weights`), which on a complete grid is the marginal mean; its band propagates the
    same standard errors through the fit. A value where every configuration failed has none (NaN),
    and `failed` counts the failed configurations at each value. `params` are all the swept
    parameters, by default those of the ranking's columns.
    """
    scored = ranking[ranking["n"] > 0]
    by_value = ranking.groupby(value_keys(ranking[name]), sort=True, dropna=False)  # unset values are a value of their own
    has_band = bool((scored["n"] >= 2).all())
    if len(scored) == len(ranking):
        mean = by_value["mean"].mean()
        stderr = by_value.apply(_stderr_of_mean) if has_band else None
    else:
        weights = main_effect_weights(ranking, _ranking_params(ranking) if params is None else params, name)
        index = by_value.size().index
        mean = pd.Series(weights @ scored["mean"].to_numpy(dtype=float), index=index)
        if has_band:
            variance = (scored["std"] ** 2 / scored["n"]).to_numpy(dtype=float)
            stderr = pd.Series(np.sqrt(weights**2 @ variance), index=index)
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


def main_effect_weights(ranking: pd.DataFrame, params: list[str], name: str) -> np.ndarray:
    """[value of `name`][completed configuration]: the linear weights that turn the completed
    configurations' means into the main-effects estimate at each value of `name`.

    The estimate is the least-squares fit of the means on an intercept and one-hot columns of every
    parameter (ANOVA's additive model, as in `importance.exact_importance`), predicted at the value
    and averaged over the other parameters' grid, each of their values weighted alike. Values are in
    the order of `groupby(value_keys(ranking[name]), sort=True, dropna=False)`. A value of `name`
    with no completed configuration has no estimate (a NaN row); a value of another parameter with
    none cannot be predicted at, so that parameter's average is over the values that have one.
    """
    completed = (ranking["n"] > 0).to_numpy()
    codes = {param: ranking.groupby(value_keys(ranking[param]), sort=True, dropna=False).ngroup().to_numpy() for param in params}
    seen = {param: np.unique(codes[param][completed]) for param in params}  # values with a completed configuration
    design = np.hstack([np.ones((int(completed.sum()), 1))] + [
        (codes[param][completed, None] == seen[param][None, 1:]).astype(float) for param in params  # first value: baseline
    ])
    fit = np.linalg.pinv(design)  # [coefficient][completed configuration]
    values = int(codes[name].max()) + 1
    rows = np.full((values, design.shape[1]), math.nan)
    for value in seen[name]:
        row = [np.ones(1)]
        for param in params:
            if param == name:
                row.append((seen[param][1:] == value).astype(float))
            else:
                row.append(np.full(len(seen[param]) - 1, 1 / len(seen[param])))  # the average one-hot row
        rows[value] = np.concatenate(row)
    return rows @ fit


def _ranking_params(ranking: pd.DataFrame) -> list[str]:
    """The parameter columns of a `rank_configurations` table: those between group and runs."""
    columns = list(ranking.columns)
    return columns[columns.index("group") + 1 : columns.index("runs")]


def _stderr_of_mean(group: pd.DataFrame) -> float:
    completed = group[group["n"] > 0]
    if completed.empty:
        return math.nan
    return float(np.sqrt((completed["std"] ** 2 / completed["n"]).sum()) / len(completed))


def exact_surface(ranking: pd.DataFrame, x_name: str, y_name: str, kinds: dict[str, str]) -> Surface:
    """Mean of the configuration means at each pair of values, over all other parameters; failed
    (and NaN) where every configuration of the pair failed."""
    pivot = {"index": y_name, "columns": x_name, "dropna": False}
    ranking = ranking.assign(**{name: value_keys(ranking[name]) for name in (x_name, y_name)})  # mixed types as text
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


def surrogate_curves(surrogate: Surrogate, runs: pd.DataFrame, params: list[str], kinds: dict[str, str], objective: str) -> list[Curve]:
    """The forest's partial dependence on each parameter, the averages of all in one pass."""
    axes = {name: _model_axis(surrogate, runs, name, kinds[name]) for name in params}
    averages = one_way_dependence(surrogate, {name: grid for name, (_, grid, _) in axes.items()})
    return [_curve(surrogate, runs, name, kinds[name], objective, axes[name], averages[name]) for name in params]


def surrogate_curve(surrogate: Surrogate, runs: pd.DataFrame, name: str, kind: str, objective: str) -> Curve:
    """The forest's partial dependence on `name`. A categorical or boolean parameter shows every
    launched value: one whose every run failed was never seen by the forest, so it has no value
    (NaN) and is counted in `failed`, with the runs launched at each value in `configurations`."""
    return surrogate_curves(surrogate, runs, [name], {name: kind}, objective)[0]


def _curve(
    surrogate: Surrogate, runs: pd.DataFrame, name: str, kind: str, objective: str, axis: tuple[list[Any], np.ndarray, np.ndarray], average: np.ndarray
) -> Curve:
    """`surrogate_curve`, given the parameter's `_model_axis` and the forest's `average` dependence there."""
    values, grid, at = axis
    average = _spread(average, [at], [len(values)])
    individual = individual_dependence(surrogate, name, grid)
    individual = _spread(individual, [np.arange(len(individual)), at], [len(individual), len(values)])
    observed = runs.loc[surrogate.X.index]
    if len(observed) > MAX_OBSERVED:
        observed = observed.sample(MAX_OBSERVED, random_state=0)
    counts = None
    if name in surrogate.categories:
        texts = runs[name].map(format_value)
        launched = texts.value_counts().reindex(values, fill_value=0)
        failed = texts[~is_scored(runs, objective)].value_counts().reindex(values, fill_value=0)
        counts = ([int(count) for count in launched], [int(count) for count in failed])
    return Curve(
        param=name,
        kind=kind,
        x=values,
        mean=average.tolist(),
        low=None,
        high=None,
        individual=individual.tolist(),
        observed_x=_plain_list(observed[name], kind),
        observed_y=observed[objective].tolist(),
        configurations=counts and counts[0],
        failed=counts and counts[1],
    )


def surrogate_surface(
    surrogate: Surrogate, runs: pd.DataFrame, x_name: str, y_name: str, kinds: dict[str, str], objective: str
) -> Surface:
    """The forest's dependence on a pair, except where the nearest launched runs all failed: the
    forest only saw completed runs, so there it extrapolates and must not be shown as measured.
    Categorical axes hold every launched value, those whose every run failed too (all failed)."""
    axes = [_model_axis(surrogate, runs, name, kinds[name], points=20) for name in (x_name, y_name)]
    (x, x_grid, x_at), (y, y_grid, y_at) = axes
    average = average_dependence(surrogate, [x_name, y_name], [x_grid, y_grid])  # [i_x][i_y]
    average = _spread(average, [x_at, y_at], [len(x), len(y)])
    failed = failed_cells(runs, objective, (x_name, kinds[x_name], x), (y_name, kinds[y_name], y)).T
    return Surface((x_name, y_name), (kinds[x_name], kinds[y_name]), x, y, np.where(failed, math.nan, average.T).tolist(), failed.tolist())


def _model_axis(surrogate: Surrogate, runs: pd.DataFrame, name: str, kind: str, points: int | None = None) -> tuple[list[Any], np.ndarray, np.ndarray]:
    """(values to show, grid to evaluate the forest on, position of each grid point among the values).

    Numeric: the grid of `grid_of` (over every launched run for a surface), shown as it is. A
    categorical or boolean parameter: every launched value, evaluated at the codes of those the
    forest was fitted on (a value whose every run failed has none)."""
    if name not in surrogate.categories:
        grid = grid_of(surrogate, name, kind) if points is None else grid_of(surrogate, name, kind, points=points, launched=runs[name])
        return grid.tolist(), grid, np.arange(len(grid))
    known = surrogate.categories[name]
    values = sorted(set(category_values(runs[name])) | set(known))  # the forest's order, failed values among them
    at = np.array([values.index(value) for value in known])
    return values, np.arange(len(known), dtype=float), at


def _spread(values: np.ndarray, at: list[np.ndarray], shape: list[int]) -> np.ndarray:
    """`values` placed at positions `at` (one index array per axis) of a NaN array of `shape`."""
    spread = np.full(shape, math.nan)
    spread[np.ix_(*at)] = values
    return spread


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
            [exact_curve(ranking, name, kinds[name], params) for name in params],
            [exact_surface(ranking, a, b, kinds) for a, b in pairs],
            None,
        )
    if surrogate is None:
        return None
    return Dependence(
        SURROGATE,
        surrogate_curves(surrogate, runs, params, kinds, objective),
        [surrogate_surface(surrogate, runs, a, b, kinds, objective) for a, b in pairs],
        surrogate.oob_r2,
        sample_note(surrogate),
    )


def _plain_list(values: Any, kind: str = "linear") -> list[Any]:
    """Python numbers, or for categorical and boolean parameters the values' text."""
    if kind in ("categorical", "boolean"):
        return [format_value(value) for value in values]
    return [math.nan if pd.isna(value) else plain(value) for value in values]
