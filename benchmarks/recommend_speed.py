"""How long `recommend` takes on one core for large sweeps: a 50 x 100 grid (5,000 configurations)
with 3 repeats and with 1, and a random search of 5,000 runs over two numbers and an optimizer
without repeats (the model then also learns how noise differs between optimizers). Each is timed
after one warm-up call; the least of REPEATS calls is printed.
Target (issue #11): 5,000 configurations with 3 repeats within 2 s.

    python benchmarks/recommend_speed.py
"""

from __future__ import annotations

import itertools
import time

import numpy as np
import pandas as pd
from threadpoolctl import threadpool_limits

from report.analysis.params import Space, param_kinds
from report.analysis.ranking import rank_configurations
from report.analysis.recommend import recommend
from report.options import Target

REPEATS = 3


def grid(repeats: int, rng: np.random.Generator) -> tuple[pd.DataFrame, list[str], bool]:
    rows = [{"a": a, "b": b, "seed": seed, "status": "completed", "loss": (a / 50 - 0.3) ** 2 + (b / 100 - 0.6) ** 2 + rng.normal(0, 0.05)}
            for a, b in itertools.product(range(50), range(100)) for seed in range(repeats)]
    return pd.DataFrame(rows), ["a", "b"], True


def random_search(rng: np.random.Generator) -> tuple[pd.DataFrame, list[str], bool]:
    kinds = rng.choice(["sgd", "adam", "rmsprop"], 5000)
    x, lr = rng.random(5000), 10 ** rng.uniform(-5, -1, 5000)
    loss = (x - 0.3) ** 2 + np.abs(np.log10(lr) + 3) / 4 + rng.normal(0, np.where(kinds == "sgd", 0.15, 0.05))
    return pd.DataFrame({"x": x, "lr": lr, "opt": kinds, "status": "completed", "loss": loss}), ["x", "lr", "opt"], False


def seconds(runs: pd.DataFrame, params: list[str], full_grid: bool) -> float:
    ranking = rank_configurations(runs, params, "loss", "min", [])
    space = Space(params, param_kinds(runs, params), full_grid)
    target = Target("loss", "min", "benchmark")
    with threadpool_limits(1):
        recommend(ranking, space, target)
        times = []
        for _ in range(REPEATS):
            started = time.perf_counter()
            recommend(ranking, space, target)
            times.append(time.perf_counter() - started)
    return min(times)


def main() -> None:
    rng = np.random.default_rng(0)
    for label, sweep in (("grid of 5,000, 3 repeats", grid(3, rng)), ("grid of 5,000, 1 run each", grid(1, rng)),
                         ("random search of 5,000 runs with an optimizer", random_search(rng))):
        print(f"{label:<48} {seconds(*sweep):6.2f} s", flush=True)


if __name__ == "__main__":
    main()
