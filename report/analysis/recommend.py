"""Which configuration to ship, and how sure we can be: P(best), the noise check, the pick.

Each configuration's seed noise is its own spread shrunk toward the common level of its kind
(`report.noise`), widened as a Student-t where few repeats measured it. The true means are then
estimated together (`report.posterior`): a configuration far better than similar ones is believed
only as much as its repeats support. P(best) is the share of joint posterior draws in which a
configuration is the best. The configurations that cannot be told apart from the best are those not
credibly worse than the best estimate (`not_worse_than_best`); the pick is the best estimate, and
its one-sided 95% pessimistic bound allows for having been picked because it looked good. Every choice here was measured on
`benchmarks/recommendation.py`'s families of simulated sweeps with known truth.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np
import pandas as pd

from report.analysis.noise import NoiseModel, moderated_noise, noisier_than_usual, t_inflation
from report.analysis.params import Space
from report.analysis.posterior import alone, category_columns, features, gp_posterior, probability_best
from report.formatting import power_of_two_unit
from report.options import Target

PESSIMISTIC = 0.95  # the one-sided bound's quantile of the posterior (the upper one: lower is better)
Z_POWER = 2.8015852  # z(0.975) + z(0.80): a two-sided 5% test with 80% power
# A configuration at least as good as the best estimate in this share of the draws is not told
# apart from it: on the benchmark's families (and a held-out seed) the set then holds the true
# best in 96% of sweeps or more, where the fewest adding up to 95% of P(best) held it in 77%.
NOT_WORSE = 0.02
SPIKE_Z = 3.5  # robust z-score of a configuration's advantage over its neighbours that flags a spike
MAX_MODELLED = 500  # the best configurations by observed mean that the posterior models
METHOD = (
    "a Gaussian-process posterior of the configurations' true means, each weighed by its own seed noise measured "
    "from the repeats (shrunk toward the common level where it has few); P(best) from 4,000 joint posterior draws; "
    "the pick's bound allows for the pick having been chosen because it looked good"
)
METHOD_WITHOUT_REPEATS = (
    "a Gaussian-process posterior of the configurations' true means, with a noise level learnt from how much "
    "similar configurations differ, and allowed to differ between the values of categorical parameters where the runs "
    "say so (no configuration was repeated, so seed noise could not be measured, nor told from "
    "an effect of the configuration's own: the posterior allows for either); model-based P(best) from 4,000 joint posterior draws"
)

METHOD_EXCHANGEABLE = (
    "a posterior of the configurations' true means that takes them as exchangeable: no configuration shares a parameter "
    "value with another and none was repeated, so nothing tells seed noise from a real difference but how far the runs "
    "spread; each difference is believed only as far as that spread allows. Model-based P(best) from 4,000 joint posterior draws"
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
    indistinguishable: list[int]  # not credibly worse than the best estimate, most probable first
    gap: float | None  # between the two best posterior means
    repeats_needed: int | None  # repeats that would separate the two best at that gap
    neighbourhoods: dict[int, Neighbourhood]  # for grids: the top configurations' neighbourhoods
    method: str
    model_noise_sd: float | None  # without repeats: how much one run varies beyond the smooth trend, as the model learnt it
    noisier: list[int]  # configurations whose seed noise is several times the quieter ones' (measured, or without repeats learnt)
    model_noise_sds: dict[int, float]  # without repeats: each modelled configuration's noise as the model learnt it; empty with repeats


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
    space: Space,
    target: Target,
    top: int = 5,
    draws: int = 4000,
    seed: int = 0,
) -> Recommendation | None:
    """None when no configuration was scored."""
    params, kinds, direction, full_grid = space.params, space.kinds, target.direction, space.full_grid
    scored = ranking[ranking["n"] > 0].set_index("group")
    if scored.empty:
        return None
    sign = 1.0 if direction == "min" else -1.0  # work on "lower is better" values
    unit, scored = _in_units(scored)  # huge objectives (1e308) scaled so that nothing overflows; else as they are
    means, counts = sign * scored["mean"], scored["n"].astype(float)
    noise_var, noise, mean_var = _seed_noise(scored, counts, space)
    optimistic = means if mean_var is None else means - 3 * np.sqrt(mean_var)
    fitted = optimistic.sort_values(kind="stable").index[:MAX_MODELLED]
    modelled = scored.loc[fitted]
    exchangeable = mean_var is None and alone(modelled, params, kinds)
    posterior = gp_posterior(
        features(modelled, params, kinds), means[fitted], None if mean_var is None else mean_var[fitted], draws, seed,
        category_columns(modelled, params, kinds), exchangeable,
    )
    estimate = pd.Series(posterior.mean, index=fitted)
    # Without repeats, each configuration's run-to-run noise as the model learnt it (it may differ between categories).
    model_sd = pd.Series(dtype=float) if posterior.noise_var is None else unit * np.sqrt(posterior.noise_var * pd.Series(posterior.noise_spread, index=fitted))
    sds = model_sd if noise is None else pd.Series(noise.sd, index=scored.index)
    order = estimate.sort_values(kind="stable").index
    bound = pd.Series(np.quantile(posterior.samples, PESSIMISTIC, axis=0), index=fitted)
    p_best = probability_best(posterior, means.index)
    together = not_worse_than_best(posterior.samples, fitted, estimate, p_best)
    pick = _pick(estimate, bound, together, posterior.pick_errors)
    gap = float(estimate[order[1]] - estimate[order[0]]) if len(order) > 1 else None
    between_var = float(means.var(ddof=1)) if len(means) > 1 else 0.0
    neighbours = neighbour_groups(ranking, params, kinds) if full_grid else {}
    return Recommendation(
        pick=pick,
        top=int(means.idxmin()),
        repeats=int(counts.max()),
        noise_sd=None if noise_var is None else unit * math.sqrt(noise_var),
        between_sd=unit * math.sqrt(between_var),
        icc=None if noise_var is None else _icc(between_var, noise_var, counts),
        ranked=[int(g) for g in order],
        estimate={int(g): float(sign * unit * v) for g, v in estimate.items()},
        bound={int(g): float(sign * unit * v) for g, v in bound.items()},
        p_best=p_best,
        indistinguishable=together,
        gap=None if gap is None else unit * gap,
        repeats_needed=_repeats_needed(noise_var, gap),
        neighbourhoods=_neighbourhoods(means, neighbours, [int(g) for g in dict.fromkeys([pick, means.idxmin(), *order[:top]])], sign, unit)
        if neighbours
        else {},
        method=METHOD if noise_var is not None else METHOD_EXCHANGEABLE if exchangeable else METHOD_WITHOUT_REPEATS,
        model_noise_sd=None if posterior.noise_var is None else unit * math.sqrt(posterior.noise_var),
        noisier=[int(g) for g in sds.index[noisier_than_usual(sds.to_numpy())]] if len(sds) else [],
        model_noise_sds={int(g): float(v) for g, v in model_sd.items()},
    )


def _pick(estimate: pd.Series, bound: pd.Series, together: list[int], pick_errors: np.ndarray) -> int:
    """The best expected of those that cannot be told from the best. It was chosen for looking
    good, so its bound (updated in place) also allows for how optimistic that is: the posterior's
    spread and the replayed sweeps' selection error, as independent errors, add in quadrature.
    (Their larger alone covered 85% on plateaus of benchmarks/recommendation.py; summed so, 94%.)"""
    pick = int(estimate[together].idxmin())
    spread, selection = bound[pick] - estimate[pick], max(0.0, float(np.quantile(pick_errors, PESSIMISTIC)))
    bound[pick] = estimate[pick] + float(np.hypot(spread, selection))
    return pick


def _seed_noise(scored: pd.DataFrame, counts: pd.Series, space: Space) -> tuple[float | None, NoiseModel | None, pd.Series | None]:
    """The pooled within-configuration variance, each configuration's moderated noise, and the
    variance of each mean from it (t-inflated where few repeats measured it); Nones without repeats."""
    dof = (counts - 1).clip(lower=0)
    noise_var = float((dof * scored["std"].fillna(0) ** 2).sum() / dof.sum()) if dof.sum() > 0 else None
    noise = moderated_noise(scored["std"].to_numpy(), counts.to_numpy(), category_columns(scored, space.params, space.kinds))
    mean_var = None if noise is None else pd.Series(noise.sd**2 * t_inflation(noise.dof), index=scored.index) / counts
    return noise_var, noise, mean_var


def _in_units(scored: pd.DataFrame) -> tuple[float, pd.DataFrame]:
    """(unit, the configurations' statistics divided by it): 1 and the table as it is, unless the
    objective is so large (1e308) that spans and squares would overflow; then a power of two
    (exact), and a mean or spread that already overflowed (a sum past 1.8e308) is bounded by the
    configuration's own min and max."""
    columns = ["mean", "std", "min", "max"]
    unit = power_of_two_unit(scored[columns])
    if unit == 1.0 and np.isfinite(scored[columns].fillna(0).to_numpy(dtype=float)).all():
        return unit, scored
    low, high = scored["min"] / unit, scored["max"] / unit
    mean, std = scored["mean"] / unit, scored["std"] / unit
    return unit, scored.assign(
        mean=mean.clip(low, high), std=std.where(np.isfinite(std) | std.isna(), high - low), min=low, max=high,
    )


def not_worse_than_best(samples: np.ndarray, groups: pd.Index, estimate: pd.Series, p_best: dict[int, float]) -> list[int]:
    """The configurations not credibly worse than the best estimate: in at least NOT_WORSE of the
    joint posterior draws they are at least as good as it. Unlike the fewest configurations
    whose P(best) adds up to 95%, a plateau of equals stays whole."""
    best = int(estimate.idxmin())
    column = groups.get_loc(best)
    as_good = (samples <= samples[:, [column]]).mean(axis=0)
    chosen = [int(group) for group, share in zip(groups, as_good) if share >= NOT_WORSE or group == best]
    return sorted(chosen, key=lambda group: (-p_best.get(group, 0.0), group))


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


def _advantage(means: dict[int, float], group: int, axes: list[list[int]]) -> float | None:
    """How much better a configuration is than its neighbours, on the axis where it stands out
    least: a spike stands out along every axis, a ridge (a good row of a grid) does not, even where
    the spike candidate ends the ridge. None unless some axis has a neighbour on both sides: on a
    grid's corner a plain slope would look like a spike."""
    present = [[n for n in axis if n in means] for axis in axes]
    present = [axis for axis in present if axis]
    if group not in means or not any(len(axis) == 2 for axis in present):
        return None
    return float(min(np.mean([means[n] for n in axis]) for axis in present) - means[group])


def _neighbourhoods(
    means: pd.Series, neighbours: dict[int, list[list[int]]], groups: list[int], sign: float, unit: float = 1.0
) -> dict[int, Neighbourhood]:
    """Each top configuration against its neighbours; spikes stand out by a robust z-score of
    their advantage among all interior configurations' advantages."""
    by_group = means.to_dict()  # plain lookups: this runs once per configuration of the grid
    advantages = {group: _advantage(by_group, group, axes) for group, axes in neighbours.items()}
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
            mean=float(sign * unit * means[present].mean()),
            drop=float(unit * (means[present].mean() - means[group])),
            isolated=bool(advantage is not None and scale > 0 and (advantage - centre) / scale > SPIKE_Z),
        )
    return result
