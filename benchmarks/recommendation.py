"""Does the recommendation hold up on sweeps it was not tuned on? Families of simulated sweeps
with known true means, each run through the report's own analysis (`rank_configurations`, then
`recommend`), beside two baselines: naive argmax of the observed means, and independent means
(a Student-t posterior per configuration, no sharing between configurations).

Per family it prints the regret ratio against argmax (our mean true regret over argmax's, with a
bootstrap 95% interval over sweeps), the reliability table of P(best) in deciles, the expected
calibration error over predictions >= 0.1 (where the easy near-zero predictions cannot flatter
it), the largest gap in a bin holding at least 30 predictions, and how often the 95% credible set
holds the true best and the pick's one-sided 95% pessimistic bound holds the pick's true mean.
Beside the largest gap it prints the largest gap a perfectly calibrated P(best) would show with
the same predictions (`calibrated_gap`, the 95th percentile): with few predictions per bin, sampling
noise alone exceeds the target.
Where several configurations tie for the true best, each counts as 1/k of a true best.

Targets, in every family: set and bound coverage >= 0.93, largest gap <= 0.05, regret ratio
<= 1.0; overall regret ratio <= 0.6. The last line is
`regret_ratio=R max_gap=G set_coverage=S bound_coverage=B worst_family_ratio=W sweeps=N`, with S
and B the lowest coverage over families and G the largest gap over families.

    python benchmarks/recommendation.py [SWEEPS_PER_FAMILY] [FAMILY ...]
    SEED=7 python benchmarks/recommendation.py ...   # other sweeps than the default seed's (2026): a held-out check

Each family draws its sweeps from its own stream of SEED: a family run alone sees the sweeps it
sees in a full run, so that two versions of the model can be compared on one family.
"""

from __future__ import annotations

import itertools
import os
import sys
from typing import Callable, NamedTuple

import numpy as np
import pandas as pd
from scipy import stats

from report.analysis.params import Space, param_kinds
from report.analysis.ranking import rank_configurations
from report.analysis.recommend import recommend
from report.options import Target

BINS = np.linspace(0, 1, 11)
MIN_BIN = 30
TIE = 1e-12


class Simulated(NamedTuple):
    runs: pd.DataFrame  # params, seed, status, loss (lower is better)
    params: list[str]
    truth: dict[tuple, float]  # true mean per configuration, keyed by its parameter values
    full_grid: bool


class Outcome(NamedTuple):
    regret: float
    naive_regret: float
    predictions: list[tuple[float, float]]  # (P(best), share of the true best) per configuration
    baseline: list[tuple[float, float]]  # the same for independent means
    set_covered: float  # share of the true best inside the 95% credible set
    baseline_set_covered: float
    bound_covered: bool | None  # the pick's pessimistic bound holds its true mean; None without a bound


def _rows(configs: list[dict], truth: list[float], noise: list[float], repeats: list[int], rng: np.random.Generator, fail: float = 0.0) -> pd.DataFrame:
    rows = []
    for config, mean, sd, count in zip(configs, truth, noise, repeats):
        for seed in range(count):
            failed = rng.random() < fail
            rows.append({**config, "seed": seed, "status": "failed" if failed else "completed",
                         "loss": np.nan if failed else mean + rng.normal(0, sd)})
    return pd.DataFrame(rows)


def _grid(values: dict[str, list], truth_of: Callable[[dict], float], noise_of: Callable[[dict], float], repeats_of: Callable[[dict], int],
          rng: np.random.Generator, fail: float = 0.0) -> Simulated:
    configs = [dict(zip(values, combo)) for combo in itertools.product(*values.values())]
    truth = [truth_of(config) for config in configs]
    runs = _rows(configs, truth, [noise_of(c) for c in configs], [repeats_of(c) for c in configs], rng, fail)
    return Simulated(runs, list(values), {tuple(c.values()): t for c, t in zip(configs, truth)}, True)


def _bowl(rng: np.random.Generator, dims: int) -> Callable[[np.ndarray], float]:
    """A smooth random surface on [0, 1]^dims with ripples, roughly spanning [0, 1]."""
    centre, weight = rng.uniform(-0.1, 1.1, dims), rng.uniform(0.3, 2.0, dims)
    freq, phase = rng.uniform(2, 8, dims), rng.uniform(0, 6, dims)
    return lambda u: float(np.sum(weight * (u - centre) ** 2) / weight.sum() + 0.04 * np.sum(np.sin(freq * u + phase)))


def mixed(rng: np.random.Generator) -> Simulated:
    """Categorical x log-scale x boolean grids with interactions."""
    cats = ["sgd", "adam", "rmsprop"][: rng.integers(2, 4)]
    lrs = list(10.0 ** np.arange(-4, 0)) if rng.random() < 0.5 else list(10.0 ** np.arange(-5, 0))
    cat_effect = dict(zip(cats, rng.normal(0, 0.15, len(cats))))
    best_lr = rng.uniform(-4.5, -1)
    flag_effect = rng.normal(0, 0.05)
    noise = rng.choice([0.01, 0.03, 0.06, 0.1])
    repeats = int(rng.choice([2, 3, 5]))
    truth = lambda c: cat_effect[c["opt"]] + 0.08 * (np.log10(c["lr"]) - best_lr - (0.5 if c["opt"] == "sgd" else 0)) ** 2 + flag_effect * c["flag"]
    return _grid({"opt": cats, "lr": lrs, "flag": [False, True]}, truth, lambda c: noise, lambda c: repeats, rng)


def random_design(rng: np.random.Generator) -> Simulated:
    """Uniform and log-uniform draws, 20 to 80 configurations, as a random search leaves them."""
    count = int(rng.integers(20, 81))
    surface = _bowl(rng, 2)
    u = rng.random((count, 2))
    configs = [{"width": float(a), "lr": float(10 ** (-5 + 4 * b))} for a, b in u]
    truth = [surface(point) for point in u]
    noise = rng.choice([0.01, 0.03, 0.06])
    repeats = int(rng.choice([2, 3]))
    runs = _rows(configs, truth, [noise] * count, [repeats] * count, rng)
    return Simulated(runs, ["width", "lr"], {tuple(c.values()): t for c, t in zip(configs, truth)}, False)


def plateau(rng: np.random.Generator) -> Simulated:
    """Many configurations tied within noise: a flat top of several configurations."""
    n_a, n_b = int(rng.integers(3, 7)), int(rng.integers(3, 7))
    top_a = set(range(int(rng.integers(1, n_a + 1))))
    drop = rng.uniform(0.02, 0.1)
    truth = lambda c: 0.0 if c["a"] in top_a else drop * (1 + 0.2 * c["b"])
    noise = rng.choice([0.01, 0.02, 0.04])
    return _grid({"a": list(range(n_a)), "b": list(range(n_b))}, truth, lambda c: noise, lambda c: 3, rng)


def edge(rng: np.random.Generator) -> Simulated:
    """The true best at the end of a numeric range."""
    n = int(rng.integers(5, 13))
    slope = rng.uniform(0.05, 0.3)
    side = rng.random() < 0.5
    curve = rng.uniform(0, 0.1)
    other = dict(zip(["x", "y"], rng.normal(0, 0.03, 2)))
    truth = lambda c: slope * ((n - 1 - c["depth"]) if side else c["depth"]) / (n - 1) + curve * np.sin(c["depth"]) ** 2 + other[c["kind"]]
    noise = rng.choice([0.01, 0.03, 0.05])
    return _grid({"depth": list(range(1, n + 1)), "kind": ["x", "y"]}, lambda c: truth({**c, "depth": c["depth"] - 1}), lambda c: noise, lambda c: 3, rng)


def irrelevant(rng: np.random.Generator) -> Simulated:
    """Two parameters matter, two do nothing."""
    surface = _bowl(rng, 2)
    noise = rng.choice([0.01, 0.03, 0.06])
    values = {"a": [0.0, 0.25, 0.5, 0.75, 1.0], "b": [0.0, 0.5, 1.0], "c": [1, 2, 3], "d": [True, False]}
    return _grid(values, lambda c: surface(np.array([c["a"], c["b"]])), lambda c: noise, lambda c: 2, rng)


def unequal_noise(rng: np.random.Generator) -> Simulated:
    """Noise that differs between configurations, partly tied to one categorical value."""
    surface = _bowl(rng, 1)
    base = rng.choice([0.005, 0.01, 0.02])
    noisy_factor = rng.uniform(3, 10)
    shift = rng.uniform(0.05, 0.2)
    values = {"C": [0.01, 0.1, 1.0, 10.0, 100.0], "scale": [True, False]}
    truth = lambda c: surface(np.array([(np.log10(c["C"]) + 2) / 4])) * 0.2 + (0 if c["scale"] else shift)
    sds = {}

    def noise(c: dict) -> float:
        key = tuple(c.values())
        if key not in sds:
            sds[key] = base * np.exp(rng.normal(0, 0.5)) * (1 if c["scale"] else noisy_factor)
        return sds[key]

    return _grid(values, truth, noise, lambda c: 3, rng)


def few(rng: np.random.Generator) -> Simulated:
    """3 to 6 configurations with 10 repeats."""
    n = int(rng.integers(3, 7))
    gaps = np.sort(rng.exponential(rng.choice([0.01, 0.03, 0.1]), n))
    names = [f"m{i}" for i in range(n)]
    order = rng.permutation(n)
    truth = {name: float(gaps[k]) for name, k in zip(names, order)}
    noise = rng.choice([0.02, 0.05])
    return _grid({"model": names}, lambda c: truth[c["model"]], lambda c: noise, lambda c: 10, rng)


def unequal_repeats(rng: np.random.Generator) -> Simulated:
    """Repeats from 1 to 5 per configuration, and a tenth of the runs failed."""
    surface = _bowl(rng, 2)
    noise = rng.choice([0.01, 0.03, 0.06])
    values = {"a": list(np.linspace(0, 1, 6)), "b": list(np.linspace(0, 1, 4))}
    counts = {}
    repeats = lambda c: counts.setdefault(tuple(c.values()), int(rng.integers(1, 6)))
    return _grid(values, lambda c: surface(np.array([c["a"], c["b"]])), lambda c: noise, repeats, rng, fail=0.1)


def no_repeats(rng: np.random.Generator) -> Simulated:
    """One run per configuration, on a grid or a random design."""
    surface = _bowl(rng, 2)
    noise = rng.choice([0.01, 0.03, 0.06])
    if rng.random() < 0.5:
        values = {"a": list(np.linspace(0, 1, int(rng.integers(5, 11)))), "b": list(np.linspace(0, 1, int(rng.integers(3, 8))))}
        return _grid(values, lambda c: surface(np.array([c["a"], c["b"]])), lambda c: noise, lambda c: 1, rng)
    count = int(rng.integers(20, 81))
    u = rng.random((count, 2))
    configs = [{"a": float(a), "b": float(b)} for a, b in u]
    truth = [surface(point) for point in u]
    runs = _rows(configs, truth, [noise] * count, [1] * count, rng)
    return Simulated(runs, ["a", "b"], {tuple(c.values()): t for c, t in zip(configs, truth)}, False)


def no_repeats_categorical(rng: np.random.Generator) -> Simulated:
    """One run per configuration with a categorical parameter (an optimizer), on a grid or a random
    design with a log-scale parameter; in two sweeps of three one category's runs are several times
    noisier than the others', in the third noise is equal."""
    surface = _bowl(rng, 2)
    kinds = ["adam", "sgd", "rmsprop"][: rng.integers(2, 4)]
    noisy = str(rng.choice(kinds))
    quiet, factor = rng.choice([0.01, 0.02, 0.04]), rng.uniform(3, 8) if rng.random() < 2 / 3 else 1.0
    shift = dict(zip(kinds, rng.normal(0, 0.05, len(kinds))))
    noise = lambda c: quiet * (factor if c["opt"] == noisy else 1.0)
    truth = lambda c: surface(np.array([c["x"], (np.log10(c["lr"]) + 5) / 4])) + shift[c["opt"]]
    if rng.random() < 0.5:
        values = {"opt": kinds, "x": list(np.linspace(0, 1, int(rng.integers(3, 7)))), "lr": list(10.0 ** np.arange(-5, 0))}
        return _grid(values, truth, noise, lambda c: 1, rng)
    count = int(rng.integers(30, 91))
    configs = [{"opt": str(rng.choice(kinds)), "x": float(rng.random()), "lr": float(10 ** (-5 + 4 * rng.random()))} for _ in range(count)]
    runs = _rows(configs, [truth(c) for c in configs], [noise(c) for c in configs], [1] * count, rng)
    return Simulated(runs, ["opt", "x", "lr"], {tuple(c.values()): truth(c) for c in configs}, False)


def no_repeats_one_categorical(rng: np.random.Generator) -> Simulated:
    """One run each of 2 to 20 values of one categorical parameter (models, datasets): nothing
    tells noise from a real difference but how far the means spread. True means differ by 0, 1
    or 3 times the noise, or some are tied."""
    n = int(rng.integers(2, 21))
    noise = rng.choice([0.01, 0.05])
    effect = noise * rng.choice([0.0, 1.0, 3.0])
    truth = {f"m{i}": float(round(v, 12)) for i, v in enumerate(effect * rng.standard_normal(n))}
    if rng.random() < 0.3:  # a few tied at the best
        best = min(truth.values())
        for name in list(truth)[: int(rng.integers(2, max(3, n // 2 + 1)))]:
            truth[name] = best
    return _grid({"model": list(truth)}, lambda c: truth[c["model"]], lambda c: noise, lambda c: 1, rng)


FAMILIES: dict[str, Callable[[np.random.Generator], Simulated]] = {
    "mixed": mixed, "random": random_design, "plateau": plateau, "edge": edge, "irrelevant": irrelevant,
    "unequal_noise": unequal_noise, "few": few, "unequal_repeats": unequal_repeats, "no_repeats": no_repeats,
    "no_repeats_categorical": no_repeats_categorical, "no_repeats_one_categorical": no_repeats_one_categorical,
}


def independent_means(ranking: pd.DataFrame, draws: int, rng: np.random.Generator) -> dict[int, float]:
    """Baseline: each configuration's mean alone, a Student-t posterior from its own repeats
    (pooled spread where it has one run); P(best) from independent draws."""
    scored = ranking[ranking["n"] > 0]
    dof = (scored["n"] - 1).clip(lower=0)
    pooled = float(np.sqrt((dof * scored["std"].fillna(0) ** 2).sum() / dof.sum())) if dof.sum() > 0 else float(scored["mean"].std() or 1.0)
    sd = scored["std"].where(scored["n"] >= 2, pooled).fillna(pooled).clip(lower=1e-12)
    scale = (sd / np.sqrt(scored["n"])).to_numpy()
    df = np.maximum(scored["n"].to_numpy() - 1, 1)
    samples = scored["mean"].to_numpy() + scale * stats.t.rvs(df, size=(draws, len(scored)), random_state=rng)
    wins = np.bincount(samples.argmin(axis=1), minlength=len(scored)) / draws
    return {int(g): float(p) for g, p in zip(scored["group"], wins)}


def evaluate(sim: Simulated, rng: np.random.Generator) -> Outcome | None:
    ranking = rank_configurations(sim.runs, sim.params, "loss", "min", [])
    advice = recommend(ranking, Space(sim.params, param_kinds(sim.runs, sim.params), sim.full_grid), Target("loss", "min", "simulated"))
    if advice is None:
        return None
    key_of = {int(r["group"]): tuple(r[name] for name in sim.params) for r in ranking.to_dict("records")}
    true_of = {group: sim.truth[key] for group, key in key_of.items()}
    best_true = min(true_of.values())
    winners = [group for group, value in true_of.items() if value <= best_true + TIE]
    share = {group: (1 / len(winners) if group in winners else 0.0) for group in true_of}
    baseline = independent_means(ranking, 4000, rng)
    bound_covered = None if advice.bound is None else bool(advice.bound[advice.pick] >= true_of[advice.pick])
    ours_set = set(advice.indistinguishable)
    return Outcome(
        regret=true_of[advice.pick] - best_true,
        naive_regret=true_of[advice.top] - best_true,
        predictions=[] if advice.p_best is None else [(p, share[g]) for g, p in advice.p_best.items()],
        baseline=[(p, share[g]) for g, p in baseline.items()],
        set_covered=sum(share[g] for g in ours_set),
        baseline_set_covered=sum(share[g] for g in set(credible_set(baseline))),
        bound_covered=bound_covered,
    )


def credible_set(p_best: dict[int, float]) -> list[int]:
    """The independent-means baseline's set: the fewest configurations whose P(best) adds up to 95%."""
    chosen, total = [], 0.0
    for group, probability in sorted(p_best.items(), key=lambda item: -item[1]):
        chosen.append(group)
        total += probability
        if total >= 0.95:
            break
    return chosen


def reliability(predictions: list[tuple[float, float]]) -> tuple[list[tuple[str, float, float, int]], float, float]:
    """Deciles (label, predicted mean, observed frequency, count), ECE over predictions >= 0.1, and
    the largest gap in a bin with at least MIN_BIN predictions."""
    if not predictions:
        return [], float("nan"), float("nan")
    predicted, observed = np.array(predictions).T
    index = _bins(predicted)
    table = []
    for b in range(len(BINS) - 1):
        inside = index == b
        if inside.any():
            table.append((f"[{BINS[b]:.1f},{BINS[b + 1]:.1f})", predicted[inside].mean(), observed[inside].mean(), int(inside.sum())))
    upper = predicted >= 0.1
    ece = 0.0
    for b in range(1, len(BINS) - 1):
        inside = upper & (index == b)
        if inside.any():
            ece += abs(predicted[inside].mean() - observed[inside].mean()) * inside.sum() / upper.sum()
    return table, ece, _largest_gap(predicted, observed, index)


def _bins(predicted: np.ndarray) -> np.ndarray:
    return np.clip(np.digitize(predicted, BINS) - 1, 0, len(BINS) - 2)


def _largest_gap(predicted: np.ndarray, observed: np.ndarray, index: np.ndarray) -> float:
    """The largest |mean predicted - mean observed| over bins holding at least MIN_BIN predictions."""
    gaps = [abs(predicted[index == b].mean() - observed[index == b].mean()) for b in range(len(BINS) - 1) if (index == b).sum() >= MIN_BIN]
    return max(gaps, default=0.0)


def calibrated_gap(predictions: list[tuple[float, float]], draws: int = 200) -> float:
    """The largest gap that a perfectly calibrated P(best) would show with these predictions: each
    outcome drawn as a coin with the predicted probability (consistency resampling, Bröcker and
    Smith 2007, "Increasing the reliability of reliability diagrams"); the 95th percentile over
    `draws`. A family's gap below it cannot be told from sampling noise at this number of sweeps;
    one above it is the model's. Its own seed: the sweeps drawn stay those of earlier runs."""
    if not predictions:
        return float("nan")
    predicted, rng = np.array(predictions)[:, 0], np.random.default_rng(0)
    index = _bins(predicted)
    gaps = [_largest_gap(predicted, (rng.random(len(predicted)) < predicted).astype(float), index) for _ in range(draws)]
    return float(np.percentile(gaps, 95))


def regret_ratio(ours: float, naive: float) -> float:
    """Our mean regret over argmax's; 1 where both are zero (as good as argmax, which was perfect)."""
    if naive > 0:
        return ours / naive
    return 1.0 if ours == 0 else float("inf")


def ratio_interval(regrets: np.ndarray, naive: np.ndarray, rng: np.random.Generator) -> tuple[float, float, float]:
    ratio = regret_ratio(regrets.mean(), naive.mean())
    boots = []
    for _ in range(1000):
        pick = rng.integers(0, len(regrets), len(regrets))
        boots.append(regret_ratio(regrets[pick].mean(), naive[pick].mean()))
    low, high = np.percentile(boots, [2.5, 97.5]) if boots else (float("nan"), float("nan"))
    return ratio, float(low), float(high)


def main(sweeps: int, families: list[str]) -> None:
    seed = int(os.environ.get("SEED", 2026))
    totals, summary = {"ours": 0.0, "naive": 0.0, "n": 0}, []
    for name in families:
        rng = np.random.default_rng([seed, list(FAMILIES).index(name)])  # a family's sweeps whatever else runs
        outcomes = [o for o in (evaluate(FAMILIES[name](rng), rng) for _ in range(sweeps)) if o is not None]
        regrets = np.array([o.regret for o in outcomes])
        naive = np.array([o.naive_regret for o in outcomes])
        ratio, low, high = ratio_interval(regrets, naive, rng)
        predictions = [p for o in outcomes for p in o.predictions]
        table, ece, gap = reliability(predictions)
        floor = calibrated_gap(predictions)
        _, base_ece, base_gap = reliability([p for o in outcomes for p in o.baseline])
        set_cov = float(np.mean([o.set_covered for o in outcomes]))
        base_set = float(np.mean([o.baseline_set_covered for o in outcomes]))
        bounds = [o.bound_covered for o in outcomes if o.bound_covered is not None]
        bound_cov = float(np.mean(bounds)) if bounds else float("nan")
        print(f"\n== {name}: {len(outcomes)} sweeps")
        print(f"regret ratio vs argmax {ratio:.3f} (95% CI {low:.3f}-{high:.3f}); mean regret ours {regrets.mean():.4f}, argmax {naive.mean():.4f}")
        print(
            f"P(best) ECE(>=0.1) ours {ece:.3f}, independent means {base_ece:.3f}; "
            f"largest gap (bins >= {MIN_BIN}) ours {gap:.3f}, independent {base_gap:.3f}; a calibrated P(best) would show up to {floor:.3f} (95%)"
        )
        print(f"credible-set coverage ours {set_cov:.3f}, independent {base_set:.3f}; pick-bound coverage {bound_cov:.3f} ({len(bounds)} sweeps with a bound)")
        print("  bin        predicted observed  count")
        for label, predicted, observed, count in table:
            print(f"  {label:<10} {predicted:>9.3f} {observed:>8.3f} {count:>6}")
        summary.append((name, ratio, gap, set_cov, bound_cov, floor))
        totals["ours"] += regrets.sum()
        totals["naive"] += naive.sum()
        totals["n"] += len(outcomes)
    print(f"\n{'family':<16} {'ratio':>6} {'max_gap':>8} {'set_cov':>8} {'bound_cov':>9} {'calibrated_gap':>15}")
    for name, ratio, gap, set_cov, bound_cov, floor in summary:
        print(f"{name:<16} {ratio:>6.3f} {gap:>8.3f} {set_cov:>8.3f} {bound_cov:>9.3f} {floor:>15.3f}")
    overall = regret_ratio(totals["ours"], totals["naive"])
    worst = max(row[1] for row in summary)
    print(
        f"regret_ratio={overall:.3f} max_gap={max(row[2] for row in summary):.3f} set_coverage={min(row[3] for row in summary):.3f} "
        f"bound_coverage={np.nanmin([row[4] for row in summary]):.3f} worst_family_ratio={worst:.3f} sweeps={totals['n']}"
    )


if __name__ == "__main__":
    arguments = sys.argv[1:]
    count = int(arguments.pop(0)) if arguments and arguments[0].isdigit() else 150
    main(count, arguments or list(FAMILIES))
