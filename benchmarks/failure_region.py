"""Does the skopt sweeper learn where runs crash? The seed problem with a crash region.

The seed notebook's problem (`sample_efficiency.py`: RMSE of the diabetes random forest over
n_estimators in [50, 1000] x max_depth in [1, 20]), except that every run fails
- with max_depth >= 12 and n_estimators >= 500 (a corner of the space), and
- with max_depth = 4 and n_estimators in [250, 400] (a band beside the optimum at 300 x 3).
The optimum stays feasible, so the target is the same: within 0.1% of 52.63947369649441.

For the "gp" sampler with and without its feasibility model (without: failures are not told to
it, as before), over seeds 0-4, sequentially (ask one, evaluate, tell), 10 random starts and a
budget of 50 evaluations (failed ones count), it prints per seed: evaluations to the target,
failed evaluations after the random starts, and duplicate proposals; then the medians beside
those of the same sampler on the problem without the crash region.

Targets: 0 duplicate proposals; failed evaluations after the random starts <= 15% of them; the
median evaluations to the target within 1.5x of the problem without the crash region.

    python benchmarks/failure_region.py
"""

from __future__ import annotations

import math
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from sample_efficiency import THRESHOLD, preset_space, rmse  # noqa: E402

from hydra_plugins.skopt_sweeper._suggest import make_sampler  # noqa: E402

SEEDS = range(5)
BUDGET = 50
RANDOM_STARTS = 10


def crashes(n_estimators: int, max_depth: int) -> bool:
    return (max_depth >= 12 and n_estimators >= 500) or (max_depth == 4 and 250 <= n_estimators <= 400)


def search(seed: int, crash_region: bool, learn_failures: bool) -> tuple[int | None, int, int]:
    """(evaluations to the target or None, failed evaluations after the random starts, duplicates)."""
    sampler = make_sampler(preset_space(), "gp", seed, n_initial_points=RANDOM_STARTS, acq_func="EI", n_candidates=2000)
    seen, duplicates, late_failures, best = set(), 0, 0, math.inf
    for evaluation in range(1, BUDGET + 1):
        point = sampler.ask(1)[0]
        duplicates += tuple(point) in seen
        seen.add(tuple(point))
        if crash_region and crashes(*point):
            late_failures += evaluation > RANDOM_STARTS
            if learn_failures:
                sampler.tell_failed([point])
            continue
        value = rmse(*point)
        sampler.tell([point], [value])
        best = min(best, value)
        if best <= THRESHOLD:
            return evaluation, late_failures, duplicates
    return None, late_failures, duplicates


def median_text(counts: list[int | None]) -> str:
    median = statistics.median(math.inf if count is None else count for count in counts)
    return f">{BUDGET}" if math.isinf(median) else f"{median:g}"


def main() -> None:
    print(f"target: best-so-far rmse <= {THRESHOLD:.6f}; budget {BUDGET}, {RANDOM_STARTS} random starts")
    variants = {"no crash region": (False, True), "crash region, feasibility model": (True, True), "crash region, failures not told": (True, False)}
    summary = {}
    for label, (crash_region, learn_failures) in variants.items():
        results = [search(seed, crash_region, learn_failures) for seed in SEEDS]
        for seed, (reached, late, duplicates) in zip(SEEDS, results):
            print(f"{label:<32} seed {seed}: evaluations {reached or f'>{BUDGET}'}, failed after random starts {late}, duplicates {duplicates}", flush=True)
        summary[label] = results
    print()
    for label, results in summary.items():
        late = sum(r[1] for r in results)
        after = sum(max(0, (r[0] or BUDGET) - RANDOM_STARTS) for r in results)
        print(f"{label:<32} median evaluations {median_text([r[0] for r in results])}, failed after random starts {late} of {after} "
              f"({late / after:.0%})" if after else f"{label:<32} median evaluations {median_text([r[0] for r in results])}",
              f"duplicates {sum(r[2] for r in results)}")


if __name__ == "__main__":
    main()
