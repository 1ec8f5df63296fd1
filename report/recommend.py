"""Which configuration to ship, and how sure we can be: P(best), the noise check, a robust pick.

The configurations' true means are estimated together by a Gaussian process over the parameters,
told how noisy each observed mean is (seed noise measured from the repeats, over the number of
repeats): a configuration far better than similar ones is believed only as much as its repeats
support. P(best) is the share of joint posterior draws in which a configuration is the best; the
robust pick has the best pessimistic bound (one-sided 95%) of its posterior.
"""

from __future__ import annotations

import math
import warnings
from typing import NamedTuple

import numpy as np
import pandas as pd
from sklearn.exceptions import ConvergenceWarning
from sklearn.gaussian_process import GaussianProcessRegressor
from sklearn.gaussian_process.kernels import RBF, ConstantKernel, WhiteKernel

Z_ONE_SIDED_95 = 1.6448536269514722
Z_POWER = 2.8015852  # z(0.975) + z(0.80): a two-sided 5% test with 80% power
CREDIBLE = 0.95
SPIKE_Z = 3.5  # robust z-score of a configuration's advantage over its neighbours that flags a spike
MAX_MODELLED = 500  # the best configurations by observed mean that the posterior models
METHOD = (
    "a Gaussian-process posterior of the configurations' true means, with the seed noise measured "
    "from the repeats; P(best) from 4,000 joint posterior draws"
)
METHOD_WITHOUT_REPEATS = (
    "a Gaussian-process posterior of the configurations' true means, with a noise level learnt from how much "
    "similar configurations differ (no configuration was repeated, so seed noise could not be measured)"
)


class Neighbourhood(NamedTuple):
    group: int
    neighbours: list[int]  # groups one step away on an ordered axis, all else equal
    mean: float  # mean of the neighbours' means
    drop: float  # how much worse the neighbourhood is than the configuration (>= 0: it stands out)
    isolated: bool  # a spike: it beats its neighbours far more than configurations usually do


class Recommendation(NamedTuple):
    pick: int  # the robust pick's group
    top: int  # the naive pick: the best observed mean
    repeats: int  # the most repeats any configuration has
    noise_sd: float | None  # pooled within-configuration standard deviation; None without repeats
    between_sd: float  # standard deviation of the configurations' means
    icc: float | None  # intraclass correlation: share of variance between configurations
    ranked: list[int]  # scored groups, best estimate first
    estimate: dict[int, float]  # posterior mean per modelled group
    bound: dict[int, float] | None  # pessimistic one-sided 95% bound per group
    p_best: dict[int, float] | None  # None without repeats: one value gives no interval
    indistinguishable: list[int]  # the best's 95% credible set, most probable first
    gap: float | None  # between the two best posterior means
    repeats_needed: int | None  # repeats that would separate the two best at that gap
    neighbourhoods: dict[int, Neighbourhood]  # for grids: the top configurations' neighbourhoods
    method: str


def neighbour_groups(ranking: pd.DataFrame, params: list[str], kinds: dict[str, str]) -> dict[int, list[list[int]]]:
    """One-step neighbours of each configuration on each ordered (numeric) axis of a grid: per
    axis, the one or two configurations a step below and above, all other parameters equal."""
    ordered = [name for name in params if kinds[name] in ("linear", "log")]
    positions = {name: {value: i for i, value in enumerate(sorted(ranking[name].dropna().unique()))} for name in ordered}
    key_of = {}
    for record in ranking.to_dict("records"):
        key_of[record["group"]] = tuple(positions[name].get(record[name]) if name in ordered else record[name] for name in params)
    group_at = {key: group for group, key in key_of.items()}
    neighbours: dict[int, list[int]] = {}
    for group, key in key_of.items():
        axes = []
        for axis, name in enumerate(params):
            if name not in ordered or key[axis] is None:
                continue
            steps = [group_at.get(key[:axis] + (key[axis] + step,) + key[axis + 1:]) for step in (-1, 1)]
            if any(other is not None for other in steps):
                axes.append([other for other in steps if other is not None])
        neighbours[group] = axes
    return neighbours


def recommend(
    ranking: pd.DataFrame,
    params: list[str],
    kinds: dict[str, str],
    direction: str,
    full_grid: bool,
    top: int = 5,
    draws: int = 4000,
    seed: int = 0,
) -> Recommendation | None:
    """None when no configuration was scored."""
    scored = ranking[ranking["n"] > 0].set_index("group")
    if scored.empty:
        return None
    sign = 1.0 if direction == "min" else -1.0  # work on "lower is better" values
    means, counts = sign * scored["mean"], scored["n"].astype(float)
    dof = (counts - 1).clip(lower=0)
    noise_var = float((dof * scored["std"].fillna(0) ** 2).sum() / dof.sum()) if dof.sum() > 0 else None
    fitted = means.sort_values(kind="stable").index[:MAX_MODELLED]
    estimate, cov = _posterior(_features(scored.loc[fitted], params, kinds), means[fitted], counts[fitted], noise_var)
    spread = pd.Series(np.sqrt(np.clip(np.diag(cov), 0, None)), index=fitted)
    order = estimate.sort_values(kind="stable").index
    bound = estimate + Z_ONE_SIDED_95 * spread
    pick = int(order[0] if noise_var is None else bound.idxmin())
    p_best = None if noise_var is None else _probability_best(estimate, cov, draws, seed, means.index)
    gap = float(estimate[order[1]] - estimate[order[0]]) if len(order) > 1 else None
    between_var = float(means.var(ddof=1)) if len(means) > 1 else 0.0
    neighbours = neighbour_groups(ranking, params, kinds) if full_grid else {}
    return Recommendation(
        pick=pick,
        top=int(means.idxmin()),
        repeats=int(counts.max()),
        noise_sd=None if noise_var is None else math.sqrt(noise_var),
        between_sd=math.sqrt(between_var),
        icc=None if noise_var is None else _icc(between_var, noise_var, counts),
        ranked=[int(g) for g in order],
        estimate={int(g): float(sign * v) for g, v in estimate.items()},
        bound=None if noise_var is None else {int(g): float(sign * v) for g, v in bound.items()},
        p_best=p_best,
        indistinguishable=credible_set(p_best) if p_best else [int(order[0])],
        gap=gap,
        repeats_needed=_repeats_needed(noise_var, gap),
        neighbourhoods=_neighbourhoods(means, neighbours, [int(g) for g in dict.fromkeys([pick, means.idxmin(), *order[:top]])], sign)
        if neighbours
        else {},
        method=METHOD if noise_var is not None else METHOD_WITHOUT_REPEATS,
    )


def _features(configs: pd.DataFrame, params: list[str], kinds: dict[str, str]) -> np.ndarray:
    """Parameters scaled to [0, 1] (log-scale ones in log space), categories one-hot, unset values
    flagged in a column of their own."""
    columns = []
    for name in params:
        values = configs[name]
        if kinds[name] in ("linear", "log"):
            numeric = np.log10(values.astype(float)) if kinds[name] == "log" else values.astype(float)
            span = numeric.max() - numeric.min()
            scaled = (numeric - numeric.min()) / span if span > 0 else numeric * 0
            columns.append(scaled.fillna(0).to_numpy()[:, None])
            if numeric.isna().any():  # a parameter unset in some configurations: its own feature
                columns.append(numeric.isna().to_numpy(dtype=float)[:, None])
        else:
            columns.append(pd.get_dummies(values.astype(str)).to_numpy(dtype=float))
    return np.hstack(columns) if columns else np.zeros((len(configs), 1))


def _posterior(features: np.ndarray, means: pd.Series, counts: pd.Series, noise_var: float | None) -> tuple[pd.Series, np.ndarray]:
    """Gaussian-process posterior of the configurations' true means, lower is better.

    With repeats, each mean's noise is the measured seed noise over its count; without, a white
    noise term is learnt from how rough the results are: the grid's neighbours carry the evidence.
    """

    centre, scale = float(means.mean()), float(means.std(ddof=0)) or 1.0
    y = ((means - centre) / scale).to_numpy()
    if len(y) < 3:
        variance = (noise_var / counts).to_numpy() if noise_var is not None else np.zeros(len(y))
        return means.copy(), np.diag(variance)
    kernel = ConstantKernel(1.0, (1e-3, 1e3)) * RBF(np.full(features.shape[1], 0.3), (0.02, 10.0))
    if noise_var is None:
        kernel = kernel + WhiteKernel(0.1, (1e-6, 10.0))
        alpha = 1e-8
    else:
        alpha = np.maximum((noise_var / counts).to_numpy() / scale**2, 1e-8)
    with warnings.catch_warnings():  # a length scale at its bound is an answer here, not a problem
        warnings.simplefilter("ignore", ConvergenceWarning)
        model = GaussianProcessRegressor(kernel, alpha=alpha, random_state=0).fit(features, y)
    if noise_var is None:  # the latent mean, without the learnt noise
        model = GaussianProcessRegressor(model.kernel_.k1, alpha=alpha + model.kernel_.k2.noise_level, optimizer=None).fit(features, y)
    mean, cov = model.predict(features, return_cov=True)
    return pd.Series(centre + scale * mean, index=means.index), cov * scale**2


def _probability_best(estimate: pd.Series, cov: np.ndarray, draws: int, seed: int, groups: pd.Index) -> dict[int, float]:
    """Share of joint posterior draws in which each configuration is lowest; only plausible ones are drawn."""
    spread = np.sqrt(np.clip(np.diag(cov), 0, None))
    plausible = (estimate.to_numpy() - 5 * spread) <= (estimate.to_numpy() + 5 * spread).min()
    candidates = estimate.index[plausible]
    rng = np.random.default_rng(seed)
    samples = rng.multivariate_normal(estimate[candidates].to_numpy(), cov[np.ix_(plausible, plausible)], size=draws, method="eigh")
    wins = np.bincount(samples.argmin(axis=1), minlength=len(candidates)) / draws
    probabilities = dict.fromkeys((int(g) for g in groups), 0.0)
    probabilities.update({int(g): float(p) for g, p in zip(candidates, wins)})
    return probabilities


def credible_set(p_best: dict[int, float]) -> list[int]:
    """The fewest configurations whose P(best) adds up to CREDIBLE: those not told apart from the best."""
    chosen, total = [], 0.0
    for group, probability in sorted(p_best.items(), key=lambda item: -item[1]):
        chosen.append(group)
        total += probability
        if total >= CREDIBLE:
            break
    return chosen


def _icc(between_var: float, noise_var: float, counts: pd.Series) -> float:
    """Intraclass correlation: true between-configuration variance over that plus seed noise."""
    true_between = max(between_var - float((noise_var / counts).mean()), 0.0)
    total = true_between + noise_var
    return true_between / total if total > 0 else 0.0


def _repeats_needed(noise_var: float | None, gap: float | None) -> int | None:
    """Repeats per configuration for a 5% two-sided test to see `gap` with 80% power."""
    if noise_var is None or not gap or noise_var == 0:
        return None
    return max(2, math.ceil(2 * noise_var * Z_POWER**2 / gap**2))


def _advantage(means: pd.Series, group: int, axes: list[list[int]]) -> float | None:
    """How much better a configuration is than the middle of its neighbours, on the axes where it
    has one on both sides; None on the grid's edge, where a plain slope would look like a spike."""
    both_sides = [axis for axis in axes if len(axis) == 2 and all(n in means.index for n in axis)]
    if not both_sides or group not in means.index:
        return None
    return float(np.mean([means[axis].mean() for axis in both_sides]) - means[group])


def _neighbourhoods(means: pd.Series, neighbours: dict[int, list[list[int]]], groups: list[int], sign: float) -> dict[int, Neighbourhood]:
    """Each top configuration against its neighbours; spikes stand out by a robust z-score of
    their advantage among all interior configurations' advantages."""
    advantages = {group: _advantage(means, group, axes) for group, axes in neighbours.items()}
    values = np.array([value for value in advantages.values() if value is not None])
    centre = float(np.median(values)) if len(values) else 0.0
    scale = 1.4826 * float(np.median(np.abs(values - centre))) if len(values) else 0.0
    result = {}
    for group in groups:
        present = [n for axis in neighbours.get(group, []) for n in axis if n in means.index]
        if not present:
            continue
        advantage = advantages.get(group)
        result[group] = Neighbourhood(
            group=group,
            neighbours=present,
            mean=float(sign * means[present].mean()),
            drop=float(means[present].mean() - means[group]),
            isolated=bool(advantage is not None and scale > 0 and (advantage - centre) / scale > SPIKE_Z),
        )
    return result
