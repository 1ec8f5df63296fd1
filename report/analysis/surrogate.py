"""A random forest fitted on parameters -> objective, for sweeps that are not a full grid.

Categorical and boolean parameters are coded as ordinals, so that scikit-learn's fast
`recursion` method of partial dependence applies to the forest directly. Past MAX_FIT_ROWS scored
runs the forest is fitted on a seeded sample of them: its cost grows faster than the runs, and a
forest of 100 trees learns a few parameters' effects from 2,000 runs as well as from 100,000.
"""

from __future__ import annotations

import os
from typing import Any, NamedTuple

import numpy as np
import pandas as pd
from sklearn.ensemble import RandomForestRegressor
from sklearn.inspection import partial_dependence

from report.analysis.forest_dependence import forest_dependence
from report.analysis.ranking import is_scored
from report.formatting import format_value, power_of_two_unit

MIN_RUNS = 8
BACKGROUND_SIZE = 300  # rows whose individual (ICE) curves and importance are computed
GRID_POINTS = 25
REFITS = 5  # bootstrap refits behind the importance intervals
MAX_FIT_ROWS = 2000  # scored runs the forest, and each of its bootstrap refits, is fitted on at most
FIT_THREADS = min(4, os.cpu_count() or 1)  # threads building a forest's trees (scikit-learn's Cython releases the GIL)


class Surrogate(NamedTuple):
    model: RandomForestRegressor
    X: pd.DataFrame  # every scored run's parameters, categorical ones as ordinal codes
    categories: dict[str, list[Any]]  # code -> value of each categorical or boolean parameter, of completed runs only
    background: pd.DataFrame  # a sample of X: the runs of the individual curves and of importance
    oob_r2: float  # out-of-bag R²: how far to trust the curves
    y: np.ndarray  # the objective of each row of X
    fitted: int  # rows of X the forest was fitted on: all of them, or a sample of MAX_FIT_ROWS (see `fit_rows`)
    # The forest learns y / unit: 1, or a power of two where the objective is so large (1e308)
    # that its squares overflow. Use `predict`, which answers in the objective's own units.
    unit: float = 1.0


def fit_surrogate(runs: pd.DataFrame, params: list[str], kinds: dict[str, str], objective: str) -> Surrogate | None:
    """Fit the forest on every scored run, or on a sample of MAX_FIT_ROWS of them (`fit_rows`); None
    with fewer than MIN_RUNS scored runs, or where a parameter's value is beyond what the forest's
    single precision holds (±3.4e38)."""
    scored = runs[is_scored(runs, objective)]
    if len(scored) < MIN_RUNS or not params:
        return None
    columns, categories = {}, {}
    for name in params:
        if kinds[name] in ("categorical", "boolean"):
            categories[name] = category_values(scored[name])
            columns[name] = pd.Categorical(scored[name].map(format_value), categories=categories[name]).codes.astype(float)
        else:
            columns[name] = scored[name].astype(float).to_numpy()
    X = pd.DataFrame(columns, index=scored.index)
    if (np.abs(X.to_numpy()) > np.finfo(np.float32).max).any():
        return None
    y = scored[objective].to_numpy(dtype=float)
    unit = power_of_two_unit(y)
    rows = fit_rows(X, list(categories))
    model = _fitted_forest(X.iloc[rows], y[rows] / unit, oob_score=True)
    background = X.sample(min(len(X), BACKGROUND_SIZE), random_state=0).sort_index()
    return Surrogate(model, X, categories, background, float(model.oob_score_), y, len(rows), unit)


def fit_rows(X: pd.DataFrame, categorical: list[str], cap: int = MAX_FIT_ROWS) -> np.ndarray:
    """Positions of the rows the forest is fitted on, in order: all of them, or past `cap` a seeded
    random sample of `cap` that holds every value of each categorical parameter (a rare value left
    out would be one the forest is asked about without having seen it)."""
    if len(X) <= cap:
        return np.arange(len(X))
    order = np.random.default_rng(0).permutation(len(X))
    chosen = np.zeros(len(X), dtype=bool)
    for name in categorical:
        _, first = np.unique(X[name].to_numpy()[order], return_index=True)
        chosen[order[first]] = True
    chosen[order[~chosen[order]][: max(0, cap - int(chosen.sum()))]] = True
    return np.flatnonzero(chosen)


def sample_note(surrogate: Surrogate) -> str:
    """How many runs the forest learnt from, where it was a sample: for the captions."""
    if surrogate.fitted == len(surrogate.X):
        return ""
    return (
        f"the surrogate was fitted on a random sample of {surrogate.fitted:,} of the {len(surrogate.X):,} scored runs "
        f"(at most {MAX_FIT_ROWS:,}, holding every value of each categorical parameter)"
    )


def predict(surrogate: Surrogate, X: pd.DataFrame) -> np.ndarray:
    """The forest's prediction of the objective, in the objective's units."""
    return surrogate.model.predict(X) * surrogate.unit


def category_values(column: pd.Series) -> list[str]:
    """A categorical or boolean parameter's distinct values as text, sorted: the order of its codes."""
    return sorted(set(column.map(format_value)))


def bootstrap_refits(surrogate: Surrogate, count: int = REFITS, max_rows: int = MAX_FIT_ROWS) -> list[RandomForestRegressor]:
    """The forest refitted on `count` bootstrap resamples of its runs (at most `max_rows` each, so
    large sweeps stay fast): how much what it says would move with other runs of the same sweep."""
    rng = np.random.default_rng(0)
    refits = []
    for _ in range(count):
        rows = rng.integers(0, len(surrogate.X), min(len(surrogate.X), max_rows))
        refits.append(_fitted_forest(surrogate.X.iloc[rows], surrogate.y[rows] / surrogate.unit, oob_score=False))
    return refits


def _fitted_forest(X: pd.DataFrame, y: np.ndarray, oob_score: bool) -> RandomForestRegressor:
    """The forest with its trees built on FIT_THREADS threads (the same trees as on one), then set
    to predict on one thread, which sums the trees' predictions in the same order every time."""
    forest = RandomForestRegressor(n_estimators=100, min_samples_leaf=2, oob_score=oob_score, random_state=0, n_jobs=FIT_THREADS)
    return forest.fit(X, y).set_params(n_jobs=1)


def grid_of(surrogate: Surrogate, name: str, kind: str, points: int = GRID_POINTS, launched: pd.Series | None = None) -> np.ndarray:
    """Where to evaluate a parameter: its observed values when few, else an even (or log) grid.

    The values are those the forest was fitted on, or for a numeric parameter those of every
    `launched` run, failed ones included: a map must reach where runs crashed to show it."""
    values = np.unique(surrogate.X[name].to_numpy())
    if launched is not None and name not in surrogate.categories:
        values = np.unique(launched.dropna().astype(float).to_numpy())
    if name in surrogate.categories or len(values) <= points:
        return values
    if kind == "log":
        return np.geomspace(values.min(), values.max(), points)
    return np.linspace(values.min(), values.max(), points)


def average_dependence(surrogate: Surrogate, features: list[str], grids: list[np.ndarray]) -> np.ndarray:
    """scikit-learn's partial dependence (recursion method) of the forest on `features` together,
    in the objective's units (`one_way_dependence` does one feature at a time faster)."""
    result = partial_dependence(
        surrogate.model, surrogate.background, features, custom_values={f: g for f, g in zip(features, grids)},
        method="recursion", kind="average",
    )
    return result["average"][0] * surrogate.unit


def one_way_dependence(surrogate: Surrogate, grids: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """The forest's partial dependence on each parameter alone at its grid, in the objective's
    units: the recursion method's numbers, every parameter in one pass over the trees."""
    columns = list(surrogate.X.columns)
    dependence = forest_dependence(surrogate.model, {columns.index(name): grid for name, grid in grids.items()})
    return {name: dependence[columns.index(name)] * surrogate.unit for name in grids}


def individual_dependence(surrogate: Surrogate, name: str, grid: np.ndarray, curves: int = 30) -> np.ndarray:
    """[run][grid point]: individual conditional expectation curves for `curves` background runs,
    as scikit-learn's brute-force `partial_dependence(kind="individual")` computes them, with every
    grid point predicted in one call (one call per point costs a tenth of a second per parameter)."""
    sample = surrogate.background.iloc[:curves]
    grid = np.asarray(grid, dtype=float)
    stacked = pd.concat([sample] * len(grid), ignore_index=True)
    stacked[name] = np.repeat(grid, len(sample))
    return predict(surrogate, stacked).reshape(len(grid), len(sample)).T
