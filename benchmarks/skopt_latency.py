"""Suggestion latency of the skopt sweeper's samplers against skopt's default Optimizer.

Measures, for `make_sampler(..., "gp" | "rf" | "et", ...)` with the sweeper's defaults
(acq_func="EI", n_candidates=2000, n_initial_points=10) and for `skopt.Optimizer(dimensions)`
with skopt's own defaults (GP, acq_func="gp_hedge", acq_optimizer="lbfgs") as the baseline,
the time per suggestion at 10, 50, 100 and 200 told points, in a 2-D space
(Real, Integer) and a 5-D mixed space (log-uniform Real, Real, Integer, two Categoricals).

A suggestion costs one `tell` of one point plus one `ask(1)`: each sampler is first warmed to
N points with a single batch `tell` (not timed), then copied for each repeat and timed on
tell-one + ask-one; the median over the repeats is printed in ms. The "batch4@100" column
times `tell` of 4 points + `ask(4)` after warming to 100 points, divided by 4. Ratios are
the sampler's time over the default Optimizer's at the same size (below 1: faster).
The objective is a cheap synthetic function. A last line splits the "gp" time at 100
points into the GP's hyperparameter fit and the rest (acquisition over the candidates, skopt's
bookkeeping). The whole run takes about 1 minute on an idle 2-core machine, up to ~3 under load.

The sweeper's samplers run BLAS on one thread (its thread pool made these small linear-algebra
calls about 2x slower on 2 cores, and erratic under load); skopt's default runs as configured.

Target: 50 ms per suggestion at 100 points (the "gp" sampler).

    python benchmarks/skopt_latency.py
"""

from __future__ import annotations

import contextlib
import copy
import statistics
import time
from typing import Any, Callable, Iterator, Protocol

import numpy as np
from skopt import Optimizer
from skopt.learning import GaussianProcessRegressor
from skopt.space import Categorical, Integer, Real, Space
from threadpoolctl import threadpool_info

from hydra_plugins.skopt_sweeper._suggest import make_sampler

SIZES = (10, 50, 100, 200)
BATCH, BATCH_AT = 4, 100
SAMPLERS = ("gp", "rf", "et")
BASELINE = "default"
REPEATS = 5
BASELINE_REPEATS = {10: 5, 50: 5, 100: 3, 200: 2}  # skopt's default is slow at 200 points
TARGET_MS, TARGET_AT = 50.0, 100
SEED = 0


class Suggester(Protocol):
    def ask(self, count: int) -> list[list[Any]]: ...

    def tell(self, points: list[list[Any]], values: list[float]) -> None: ...


class DefaultOptimizer:
    """`skopt.Optimizer(dimensions)` with its defaults, behind the sampler interface."""

    def __init__(self, space: Space, seed: int) -> None:
        self.optimizer = Optimizer(space.dimensions, random_state=seed)

    def ask(self, count: int) -> list[list[Any]]:
        if count == 1:
            return [self.optimizer.ask()]
        return self.optimizer.ask(n_points=count)

    def tell(self, points: list[list[Any]], values: list[float]) -> None:
        self.optimizer.tell(points, values)


def space_2d() -> Space:
    return Space([Real(0, 1), Integer(1, 20)])


def space_5d() -> Space:
    return Space([
        Real(1e-5, 1e-1, prior="log-uniform"),
        Real(0, 1),
        Integer(1, 100),
        Categorical(["a", "b", "c"]),
        Categorical([True, False]),
    ])


def objective_2d(point: list[Any]) -> float:
    x, k = point
    return (x - 0.3) ** 2 + ((k - 7) / 20) ** 2 + 0.1 * np.sin(12 * x)


def objective_5d(point: list[Any]) -> float:
    lr, x, width, kind, flag = point
    loss = (np.log10(lr) + 3) ** 2 / 4 + (x - 0.6) ** 2 + ((width - 40) / 100) ** 2
    return float(loss + {"a": 0.0, "b": 0.1, "c": 0.3}[kind] + (0.05 if flag else 0.0))


def build(space: Space, name: str) -> Suggester:
    if name == BASELINE:
        return DefaultOptimizer(space, SEED)
    return make_sampler(space, name, SEED, n_initial_points=10, acq_func="EI", n_candidates=2000)


def warmed(space: Space, objective: Callable[[list[Any]], float], name: str, size: int, failed: int = 0) -> Suggester:
    """A sampler told `size` random points in one batch (the model fit is not timed), of which
    the last `failed` are told as failed runs (the feasibility model then joins the acquisition)."""
    points = [list(point) for point in space.rvs(size, random_state=SEED + 1)]
    sampler = build(space, name)
    completed = points[: size - failed]
    sampler.tell(completed, [objective(point) for point in completed])
    if failed:
        sampler.tell_failed(points[size - failed:])
    return sampler


def time_step(sampler: Suggester, points: list[list[Any]], values: list[float], count: int) -> float:
    """Seconds for one tell of `points` plus one ask of `count` points."""
    started = time.perf_counter()
    sampler.tell(points, values)
    sampler.ask(count)
    return time.perf_counter() - started


def ms_per_suggestion(space: Space, objective: Callable[[list[Any]], float], name: str, size: int, count: int, failed: int = 0) -> float:
    """Median over repeats of (tell `count` new points + ask(`count`)) / `count`, in ms."""
    base = warmed(space, objective, name, size, failed)
    repeats = BASELINE_REPEATS.get(size, REPEATS) if name == BASELINE else REPEATS
    rng = np.random.RandomState(SEED + 2)
    times = []
    for _ in range(repeats):
        sampler = copy.deepcopy(base)  # every repeat starts from the same `size` told points
        points = [list(point) for point in space.rvs(count, random_state=rng)]
        times.append(time_step(sampler, points, [objective(point) for point in points], count))
    return statistics.median(times) / count * 1000


@contextlib.contextmanager
def timed_gp_fits(spent: list[float]) -> Iterator[None]:
    """Adds the seconds of every skopt GaussianProcessRegressor.fit inside the block to `spent`."""
    original = GaussianProcessRegressor.fit

    def fit(self: GaussianProcessRegressor, *args: Any, **kwargs: Any) -> GaussianProcessRegressor:
        started = time.perf_counter()
        try:
            return original(self, *args, **kwargs)
        finally:
            spent.append(time.perf_counter() - started)

    GaussianProcessRegressor.fit = fit
    try:
        yield
    finally:
        GaussianProcessRegressor.fit = original


def gp_breakdown(space: Space, objective: Callable[[list[Any]], float], size: int) -> tuple[float, float]:
    """Median ms of a "gp" suggestion at `size` points and the median ms of its GP fit."""
    base = warmed(space, objective, "gp", size)
    rng = np.random.RandomState(SEED + 3)
    totals, fits = [], []
    for _ in range(REPEATS):
        sampler, spent = copy.deepcopy(base), []
        points = [list(point) for point in space.rvs(1, random_state=rng)]
        with timed_gp_fits(spent):
            totals.append(time_step(sampler, points, [objective(point) for point in points], 1))
        fits.append(sum(spent))
    return statistics.median(totals) * 1000, statistics.median(fits) * 1000


def measure_space(space: Space, objective: Callable[[list[Any]], float]) -> dict[tuple[str, str], float]:
    """ms per suggestion keyed by (sampler, column); columns are the sizes and the batch."""
    results: dict[tuple[str, str], float] = {}
    for name in (*SAMPLERS, BASELINE):
        for size in SIZES:
            results[name, str(size)] = ms_per_suggestion(space, objective, name, size, 1)
        results[name, f"batch{BATCH}@{BATCH_AT}"] = ms_per_suggestion(space, objective, name, BATCH_AT, BATCH)
    return results


def print_table(label: str, results: dict[tuple[str, str], float]) -> None:
    columns = [*map(str, SIZES), f"batch{BATCH}@{BATCH_AT}"]
    header = f"{'space':<5} {'told':>11} " + " ".join(f"{name + ' ms':>9} {'x default':>9}" for name in SAMPLERS)
    print(header + f" {'default ms':>10}")
    for column in columns:
        baseline = results[BASELINE, column]
        cells = " ".join(f"{results[name, column]:>9.1f} {results[name, column] / baseline:>9.3f}" for name in SAMPLERS)
        print(f"{label:<5} {column:>11} {cells} {baseline:>10.1f}", flush=True)


FEASIBILITY_TARGET_MS = 10.0


def blas_description() -> str:
    return ", ".join(f"{pool['internal_api']} {pool['num_threads']} threads" for pool in threadpool_info()) or "no BLAS pool found"


def run() -> None:
    started = time.perf_counter()
    print(f"BLAS: {blas_description()}")
    print("ms per suggestion (tell one + ask(1)), median; 'x default' = ratio to skopt.Optimizer(dimensions) defaults")
    verdicts = []
    for label, space, objective in (("2-D", space_2d(), objective_2d), ("5-D", space_5d(), objective_5d)):
        results = measure_space(space, objective)
        print_table(label, results)
        gp_ms = results["gp", str(TARGET_AT)]
        total_ms, fit_ms = gp_breakdown(space, objective, TARGET_AT)
        verdicts.append(
            f"{label}: gp {gp_ms:.1f} ms at {TARGET_AT} points ({gp_ms / TARGET_MS:.2f} of the {TARGET_MS:.0f} ms target);"
            f" re-measured {total_ms:.1f} ms, of which GP fit {fit_ms:.1f} ms, acquisition and rest {total_ms - fit_ms:.1f} ms"
        )
    space, objective = space_5d(), objective_5d
    plain = ms_per_suggestion(space, objective, "gp", TARGET_AT, 1)
    with_failures = ms_per_suggestion(space, objective, "gp", TARGET_AT, 1, failed=TARGET_AT // 10)
    verdicts.append(
        f"5-D: gp at {TARGET_AT} points, {TARGET_AT // 10} of them failed: {with_failures:.1f} ms against {plain:.1f} ms"
        f" with none: the feasibility model adds {with_failures - plain:.1f} ms (target <= {FEASIBILITY_TARGET_MS:.0f})"
    )
    for verdict in verdicts:
        print(verdict)
    print(f"total {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    run()
