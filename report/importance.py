"""How much of the objective's variation each parameter's main effect explains."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import pandas as pd

from report.surrogate import Surrogate, average_dependence

EXACT = "exact: share of the variance of configuration means explained by each parameter's marginal means (full grid)"
SURROGATE = "model-based: variance of each parameter's partial dependence over the variance of the surrogate's predictions"


class Importance(NamedTuple):
    method: str
    params: list[str]  # most important first
    shares: list[float]  # in [0, 1]; what they leave to 1 is interactions (and noise)


def exact_importance(ranking: pd.DataFrame, params: list[str]) -> Importance:
    """Main-effect variance share on a full grid: sum over values of K_v (m_v - m)² / sum (m_c - m)²."""
    means = ranking.loc[ranking["n"] > 0, [*params, "mean"]]
    total = ((means["mean"] - means["mean"].mean()) ** 2).sum()
    shares = {}
    for name in params:
        marginal = means.groupby(name, dropna=False)["mean"].transform("mean")
        shares[name] = float(((marginal - means["mean"].mean()) ** 2).sum() / total) if total > 0 else 0.0
    return _ordered(EXACT, shares)


def surrogate_importance(surrogate: Surrogate, params: list[str]) -> Importance:
    """First-order share from the surrogate: Var over runs of PD_p(x_p) / Var of predictions."""
    background = surrogate.background
    total = float(np.var(surrogate.model.predict(background)))
    shares = {}
    for name in params:
        grid = np.unique(background[name].to_numpy())
        dependence = pd.Series(average_dependence(surrogate, [name], [grid]), index=grid)
        shares[name] = float(np.var(dependence.loc[background[name]].to_numpy()) / total) if total > 0 else 0.0
    return _ordered(SURROGATE, shares)


def importance_info(ranking: pd.DataFrame, params: list[str], full_grid: bool, surrogate: Surrogate | None) -> Importance | None:
    if full_grid:
        return exact_importance(ranking, params)
    if surrogate is None:
        return None
    return surrogate_importance(surrogate, params)


def top_pairs(importance: Importance | None, count: int = 2) -> list[tuple[str, str]]:
    """The most important parameter with the next ones: (1st, 2nd), (1st, 3rd)."""
    if importance is None or len(importance.params) < 2:
        return []
    first, *others = importance.params
    return [(first, other) for other in others[:count]]


def _ordered(method: str, shares: dict[str, float]) -> Importance:
    names = sorted(shares, key=lambda name: -shares[name])
    return Importance(method, names, [shares[name] for name in names])
