"""Is the recommended pick better than the top score, and is P(best) calibrated?

Simulates sweeps with known true scores plus seed noise, and runs each through the report's own
analysis (`rank_configurations` and `recommend`). Varies the grid (1 to 3 ordered parameters,
10 to 120 configurations), the noise (2% to 20% of the true scores' range), the repeats (1 to 10),
and plants isolated spikes: lucky ones (one configuration's runs come out far better than its
true score) and real ones (a narrow true optimum away from the smooth one).

Prints the mean true regret of our pick and of the naive argmax per scenario, and the calibration
of P(best) in bins. The last line is `regret_ratio=R calibration_error=C sweeps=N`: R is our mean
true regret over argmax's, C the expected calibration error of P(best) (mean absolute gap between
predicted and observed frequency of being the true best, over bins weighted by their counts).
Targets: R <= 0.5, C <= 0.05.

    python benchmarks/recommendation.py [SWEEPS]
"""

from __future__ import annotations

import itertools
import sys
from collections import defaultdict

import numpy as np
import pandas as pd

from report.params import param_kinds
from report.ranking import rank_configurations
from report.recommend import recommend

SHAPES = [(10,), (20,), (5, 5), (8, 6), (10, 10), (12, 10), (4, 4, 3), (6, 5, 4)]
NOISE = [0.02, 0.05, 0.1, 0.2]
REPEATS = [1, 2, 3, 5, 10]
SPIKES = ["none"] * 5 + ["lucky"] * 2 + ["real"]  # one sweep in four has a spike, mostly lucky


def true_scores(shape: tuple[int, ...], rng: np.random.Generator, spike: str) -> np.ndarray:
    """A smooth bowl with ripples over the grid, scaled to [0, 1]; lower is better."""
    axes = np.meshgrid(*(np.linspace(0, 1, size) for size in shape), indexing="ij")
    centre, weight = rng.uniform(0.1, 0.9, len(shape)), rng.uniform(0.5, 2.0, len(shape))
    surface = sum(w * (axis - c) ** 2 for axis, c, w in zip(axes, centre, weight))
    surface = surface + 0.05 * sum(np.sin(rng.uniform(3, 9) * axis + rng.uniform(0, 6)) for axis in axes)
    surface = (surface - surface.min()) / (surface.max() - surface.min())
    if spike == "real":  # a narrow true optimum somewhere else
        index = tuple(rng.integers(0, size) for size in shape)
        surface[index] = -rng.uniform(0.02, 0.1)
    return surface


def simulate(rng: np.random.Generator) -> tuple[pd.DataFrame, dict[tuple, float], str, int, float]:
    shape = SHAPES[rng.integers(len(SHAPES))]
    noise, repeats, spike = rng.choice(NOISE), int(rng.choice(REPEATS)), SPIKES[rng.integers(len(SPIKES))]
    truth = true_scores(shape, rng, spike)
    lucky = tuple(rng.integers(0, size) for size in shape) if spike == "lucky" else None
    rows, truth_by_config = [], {}
    for index in itertools.product(*(range(size) for size in shape)):
        config = {f"p{axis}": value for axis, value in enumerate(index)}
        truth_by_config[index] = float(truth[index])
        for seed in range(repeats):
            value = truth[index] + rng.normal(0, noise)
            if index == lucky and seed == 0:
                value -= 4 * noise + 0.15  # one run far better than the configuration really is
            rows.append({**config, "seed": seed, "status": "completed", "loss": value})
    return pd.DataFrame(rows), truth_by_config, spike, repeats, float(noise)


def main(sweeps: int) -> None:
    rng = np.random.default_rng(2026)
    regrets: dict[str, list[tuple[float, float]]] = defaultdict(list)
    predictions: list[tuple[float, bool]] = []
    for _ in range(sweeps):
        runs, truth, spike, repeats, noise = simulate(rng)
        params = [name for name in runs.columns if name.startswith("p")]
        ranking = rank_configurations(runs, params, "loss", "min", [])
        advice = recommend(ranking, params, param_kinds(runs, params), "min", full_grid=True)
        true_of = {int(r["group"]): truth[tuple(int(r[name]) for name in params)] for r in ranking.to_dict("records")}
        best_true = min(true_of.values())
        ours, naive = true_of[advice.pick] - best_true, true_of[advice.top] - best_true
        for key in (f"spike={spike}", f"repeats={repeats}", f"noise={noise}", "all"):
            regrets[key].append((ours, naive))
        if advice.p_best is not None:
            true_best = min(true_of, key=true_of.get)
            predictions += [(p, group == true_best) for group, p in advice.p_best.items()]
    print(f"{'scenario':<16} {'sweeps':>6} {'regret ours':>12} {'regret argmax':>14} {'ratio':>6}")
    for key in sorted(regrets, key=lambda k: (k == "all", k)):
        ours, naive = np.array(regrets[key]).T
        ratio = ours.mean() / naive.mean() if naive.mean() > 0 else float("nan")
        print(f"{key:<16} {len(ours):>6} {ours.mean():>12.4f} {naive.mean():>14.4f} {ratio:>6.2f}")
    predicted, observed = np.array(predictions).T
    edges = np.array([0, 0.01, 0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0001])
    bins = np.digitize(predicted, edges) - 1
    print(f"\n{'P(best) bin':<14} {'count':>7} {'predicted':>10} {'observed':>9}")
    error, gaps = 0.0, []
    for b in range(len(edges) - 1):
        inside = bins == b
        if inside.any():
            gap = abs(predicted[inside].mean() - observed[inside].mean())
            error += gap * inside.sum() / len(predicted)
            gaps.append(gap)
            print(f"[{edges[b]:.2f}, {min(edges[b + 1], 1):.2f}) {inside.sum():>7} {predicted[inside].mean():>10.3f} {observed[inside].mean():>9.3f}")
    print(f"unweighted mean gap over bins: {np.mean(gaps):.3f} (bins above 0.1 hold few predictions)")
    ours, naive = np.array(regrets["all"]).T
    print(f"regret_ratio={ours.mean() / naive.mean():.3f} calibration_error={error:.4f} sweeps={sweeps}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 240)
