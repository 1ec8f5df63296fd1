"""How much of the objective's variation each parameter's main effect explains."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import pandas as pd
from sklearn.ensemble import RandomForestRegressor

from report.analysis.surrogate import Surrogate, bootstrap_refits, one_way_dependence, sample_note

EXACT = "exact: share of the variance of configuration means explained by each parameter's main effect (full grid)"
SURROGATE = "model-based: variance of each parameter's partial dependence over the variance of the surrogate's predictions"
MIN_R2 = 0.3
"""Out-of-bag R² below which the surrogate's importance shares are withheld.

The shares divide the variance of the forest's predictions, so they describe the sweep only as far
as the forest predicts held-out runs. Below 0.3 it explains less than a third of the objective's
variation (its predictions correlate below about 0.55 with the truth): most of what it learnt is
noise, and shares of it read as firm numbers would mislead. Above it they are shown, with their
spread over bootstrap refits.
"""


class Importance(NamedTuple):
    method: str
    params: list[str]  # most important first; as swept when the shares are withheld
    shares: list[float]  # in [0, 1]; what they leave to 1 is interactions (and noise); [] when withheld
    low: list[float] | None  # surrogate: range of each share over the fit and its bootstrap refits
    high: list[float] | None  # (None for the exact shares of a full grid)
    surrogate_r2: float | None  # out-of-bag R² of the surrogate; shares are withheld below MIN_R2


def exact_importance(ranking: pd.DataFrame, params: list[str]) -> Importance:
    """Main-effect variance share on a full grid: what the parameter's main effect explains of the
    variance of the configuration means beyond the other parameters' main effects (least squares
    on one-hot columns, ANOVA's type II). On a complete grid this is the marginal-means share,
    sum over values of K_v (m_v - m)² / sum (m_c - m)²; where cells failed the grid is unbalanced,
    and marginal means would count an effect twice (shares adding up to more than 100%)."""
    means = ranking.loc[ranking["n"] > 0, [*params, "mean"]]
    y = means["mean"].to_numpy(dtype=float)
    total = float(((y - y.mean()) ** 2).sum())
    columns = {name: pd.get_dummies(means[name].astype(str), drop_first=True, dtype=float).to_numpy() for name in params}
    full = _residual(y, list(columns.values()))
    shares = {}
    for name in params:
        without = _residual(y, [block for other, block in columns.items() if other != name])
        shares[name] = max(0.0, (without - full) / total) if total > 0 else 0.0
    names = sorted(shares, key=lambda name: -shares[name])
    return Importance(EXACT, names, [shares[name] for name in names], None, None, None)


def _residual(y: np.ndarray, blocks: list[np.ndarray]) -> float:
    """Residual sum of squares of y on an intercept and the one-hot blocks."""
    design = np.hstack([np.ones((len(y), 1)), *blocks])
    coefficients, *_ = np.linalg.lstsq(design, y, rcond=None)
    return float(((y - design @ coefficients) ** 2).sum())


def importance_refits(surrogate: Surrogate | None, params: list[str]) -> list[RandomForestRegressor]:
    """The bootstrap refits behind the surrogate's importance intervals; none where no surrogate
    shares are shown (a full grid, a single parameter, a surrogate below MIN_R2). A step of its
    own: the refits build trees on every core, what follows them runs on one."""
    if surrogate is None or len(params) < 2 or surrogate.oob_r2 < MIN_R2:
        return []
    return bootstrap_refits(surrogate)


def surrogate_importance(surrogate: Surrogate, params: list[str], refits: list[RandomForestRegressor] | None = None) -> Importance:
    """First-order shares from the surrogate, with their range over bootstrap refits of the
    forest (`importance_refits`, fitted here unless given); withheld (empty) when its out-of-bag
    R² is below MIN_R2. The method says when the forest learnt from a sample of the runs."""
    method = "; ".join(filter(None, (SURROGATE, sample_note(surrogate))))
    if surrogate.oob_r2 < MIN_R2:
        return Importance(method, list(params), [], None, None, surrogate.oob_r2)
    point = _surrogate_shares(surrogate, params)
    models = importance_refits(surrogate, params) if refits is None else refits
    refits_shares = [_surrogate_shares(surrogate._replace(model=model), params) for model in models]
    names = sorted(point, key=lambda name: -point[name])
    every = {name: [point[name], *(refit[name] for refit in refits_shares)] for name in names}
    return Importance(
        method,
        names,
        [point[name] for name in names],
        [min(every[name]) for name in names],
        [max(every[name]) for name in names],
        surrogate.oob_r2,
    )


def _surrogate_shares(surrogate: Surrogate, params: list[str]) -> dict[str, float]:
    """Var over runs of PD_p(x_p) / Var of the forest's predictions, for each parameter p."""
    background = surrogate.background
    total = float(np.var(surrogate.model.predict(background)))  # in the forest's units (see Surrogate.unit)
    grids = {name: np.unique(background[name].to_numpy()) for name in params}
    dependence = one_way_dependence(surrogate, grids)
    shares = {}
    for name in params:
        at_runs = pd.Series(dependence[name] / surrogate.unit, index=grids[name]).loc[background[name]]
        shares[name] = float(np.var(at_runs.to_numpy()) / total) if total > 0 else 0.0
    return shares


def importance_info(
    ranking: pd.DataFrame, params: list[str], full_grid: bool, surrogate: Surrogate | None, refits: list[RandomForestRegressor] | None = None
) -> Importance | None:
    if full_grid:
        return exact_importance(ranking, params)
    if surrogate is None:
        return None
    return surrogate_importance(surrogate, params, refits)


def top_pairs(importance: Importance | None, count: int = 2) -> list[tuple[str, str]]:
    """The most important parameter with the next ones: (1st, 2nd), (1st, 3rd); none when the
    shares were withheld, as nothing then says which parameters matter."""
    if importance is None or len(importance.params) < 2 or not importance.shares:
        return []
    first, *others = importance.params
    return [(first, other) for other in others[:count]]
