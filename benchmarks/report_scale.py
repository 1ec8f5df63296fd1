"""Render time and HTML size of the report for synthetic sweeps of 100, 1,000 and 10,000 runs.

Each sweep is a random search over five parameters (two continuous, one log-scale, one integer,
one categorical) with 2% failed and 1% missing runs, written as job directories the way the
recording callback leaves them. Target: under 10 s and 3 MB at 10,000 runs.

    python benchmarks/report_scale.py [SIZES...]
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from handmade import make_job  # noqa: E402

from report.build import build_report  # noqa: E402


def write_random_sweep(directory: Path, runs: int, seed: int = 0) -> None:
    rng = np.random.default_rng(seed)
    for num in range(runs):
        x, width, depth = rng.uniform(0, 1), rng.uniform(16, 512), int(rng.integers(1, 33))
        lr, kind = 10 ** rng.uniform(-5, -1), str(rng.choice(["sgd", "adam", "rmsprop"]))
        overrides = [f"x={x:.5f}", f"width={width:.1f}", f"depth={depth}", f"lr={lr:.4g}", f"optimizer={kind}"]
        loss = (x - 0.3) ** 2 + abs(np.log10(lr) + 3) / 4 + (kind == "sgd") * 0.2 + rng.normal(0, 0.05)
        draw = rng.uniform()
        if draw < 0.02:
            result = {"status": "failed", "error": {"type": "RuntimeError", "message": "diverged", "traceback": "Traceback ...\nRuntimeError: diverged\n"}}
            make_job(directory, str(num), overrides, num, result=result)
        elif draw < 0.03:
            make_job(directory, str(num), overrides, num)
        else:
            make_job(directory, str(num), overrides, num, metrics={"loss": loss, "acc": 1 / (1 + loss)})


TARGET_SECONDS, TARGET_MB = 10.0, 3.0  # at 10,000 runs


def main(sizes: list[int]) -> None:
    print(f"{'runs':>7} {'render s':>9} {'HTML MB':>8} {'s/1k runs':>10} {'s/target':>9} {'MB/target':>10}")
    for size in sizes:
        with tempfile.TemporaryDirectory() as temporary:
            sweep = Path(temporary) / "sweep"
            write_random_sweep(sweep, size)
            started = time.perf_counter()
            written = build_report(sweep)
            seconds = time.perf_counter() - started
            megabytes = written.html.stat().st_size / 1e6
            print(
                f"{size:>7} {seconds:>9.2f} {megabytes:>8.2f} {seconds / size * 1000:>10.2f}"
                f" {seconds / TARGET_SECONDS:>9.2f} {megabytes / TARGET_MB:>10.2f}",
                flush=True,
            )


if __name__ == "__main__":
    main([int(size) for size in sys.argv[1:]] or [100, 1000, 10000])
