"""Time per stage, HTML size and peak memory of the report for synthetic sweeps of 1,000, 10,000
and 100,000 runs, with the floor of reading their result files beside the collector's time.

Each sweep is a random search over five parameters (two continuous, one log-scale, one integer,
one categorical) with 2% failed and 1% missing runs, written as job directories the way Hydra and
the recording callback leave them. Each size is generated once; every size is measured in a child
process of its own, so that peak memory does not carry over from one size to the next. Collecting
and the floor (os.scandir + json.loads of every result file, nothing else) are timed REPEATS times
each, interleaved, after one warm-up pass: the minimum of each is printed. The collector reads a
large sweep on two cores, the floor in one process: the collector held to one core is printed too
("1 core"). RSS is the report's process at its peak; PSS the peak of the report's process and the
forked copies that work beside it (posterior, figures) together, from analysis to writing (see
PeakMemory): the memory the report needed. The 600 MB target is held to the larger of the two.
Targets at 100,000 runs: the whole report within 15 s, 3 MB and 600 MB, collecting within 4 s and
1.5 times the floor; within 4 s at 10,000 runs.

    python benchmarks/report_scale.py [SIZES...]
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any, Callable

import numpy as np

from report.jobfiles import RESULT_FILE, dump_result

REPEATS = 3
HYDRA_YAML = "hydra:\n  job:\n    name: scale\n    num: {num}\n  launcher:\n    _target_: my.Launcher\n  sweeper:\n    _target_: my.Sweeper\n"


def write_random_sweep(directory: Path, runs: int, seed: int = 0) -> None:
    """The sweep's job directories: `.hydra/overrides.yaml` and `hydra.yaml` as Hydra writes them,
    and the callback's result record (none for a missing run). The text is formatted here rather
    than through tests/handmade.make_job, whose override parsing would take minutes at 100,000."""
    rng = np.random.default_rng(seed)
    directory.mkdir(parents=True)
    for num in range(runs):
        x, width, depth = round(rng.uniform(0, 1), 5), round(rng.uniform(16, 512), 1), int(rng.integers(1, 33))
        lr, kind = float(f"{10 ** rng.uniform(-5, -1):.4g}"), str(rng.choice(["sgd", "adam", "rmsprop"]))
        params = {"x": x, "width": width, "depth": depth, "lr": lr, "optimizer": kind}
        overrides = [f"x={x!r}", f"width={width!r}", f"depth={depth}", f"lr={lr!r}", f"optimizer={kind}"]
        loss = (x - 0.3) ** 2 + abs(np.log10(lr) + 3) / 4 + (kind == "sgd") * 0.2 + rng.normal(0, 0.05)
        draw = rng.uniform()
        job = directory / str(num)
        (job / ".hydra").mkdir(parents=True)
        (job / ".hydra" / "overrides.yaml").write_text("".join(f"- {override}\n" for override in overrides))
        (job / ".hydra" / "hydra.yaml").write_text(HYDRA_YAML.format(num=num))
        if draw < 0.01:
            continue  # missing: killed before it wrote its result
        record: dict[str, Any] = {"status": "completed", "job": {"num": num, "name": "scale"}, "overrides": overrides, "params": params,
                                  "metrics": {"loss": float(loss), "acc": float(1 / (1 + loss))}, "duration": 1.5, "error": None}
        if draw < 0.03:
            error = {"type": "RuntimeError", "message": f"diverged at step {num}", "traceback": "Traceback ...\nRuntimeError: diverged\n"}
            record.update(status="failed", metrics={}, error=error)
        (job / RESULT_FILE).write_text(dump_result(record))


def read_floor(directory: Path) -> int:
    """The least any collector must do: list the sweep, open and parse each job's result file."""
    records = 0
    with os.scandir(directory) as entries:
        for entry in entries:
            try:
                with open(os.path.join(entry.path, RESULT_FILE), "rb") as file:
                    json.loads(file.read())
            except (FileNotFoundError, NotADirectoryError):
                continue
            records += 1
    return records


def _seconds(job: Callable[[], Any]) -> tuple[float, Any]:
    started = time.perf_counter()
    value = job()
    return time.perf_counter() - started, value


def measure(directory: Path) -> dict[str, float]:
    """Every stage of report.build for the sweep at `directory`, in this process (run as a child).
    report_context is called as build_report calls it, with its analyse and draw_figures timed."""
    imported, _ = _seconds(_import_report)
    import report.build as build
    from report.analysis.results_table import results_csv
    from report.collect.sweep import collect_sweep
    from report.page.render import render_html

    read_floor(directory)  # warm the file cache
    floor, collect, one_core = [], [], []
    cores = os.sched_getaffinity(0)
    for _ in range(REPEATS):
        floor.append(_seconds(lambda: read_floor(directory))[0])
        seconds, sweep = _seconds(lambda: collect_sweep(directory))
        collect.append(seconds)
        os.sched_setaffinity(0, {min(cores)})
        one_core.append(_seconds(lambda: collect_sweep(directory))[0])
        os.sched_setaffinity(0, cores)
    stages: dict[str, float] = {}
    build.analyse, build.draw_figures = _timed(build.analyse, "analyse", stages), _timed(build.draw_figures, "draw", stages)
    with PeakMemory() as memory:
        context_seconds, context = _seconds(lambda: build.report_context(sweep))
        rendered, html = _seconds(lambda: render_html(context))
        written, _ = _seconds(lambda: ((directory / "report.html").write_text(html), (directory / "results.csv").write_text(results_csv(sweep))))
    return {
        "import": imported, "floor": min(floor), "collect": min(collect), "one_core": min(one_core), **stages, "views": context_seconds - sum(stages.values()),
        "render": rendered, "write": written, "html_mb": len(html.encode("utf-8")) / 1e6,
        "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "pss_mb": memory.peak_mb,
    }


class PeakMemory:
    """The peak, every SAMPLE seconds, of the proportional set size (PSS) of this process and its
    children together: the memory they use between them, each page shared copy-on-write by a forked
    copy counted once. The report's process alone is `ru_maxrss`; with the copies that draw figures
    and fit the posterior alongside it, only a sum over the processes at one instant says how much
    memory the report needed."""

    SAMPLE = 0.05

    def __init__(self) -> None:
        self.peak_mb = 0.0
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def __enter__(self) -> PeakMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._done.set()
        self._thread.join()

    def _sample(self) -> None:
        pid = os.getpid()
        while not self._done.wait(self.SAMPLE):
            try:
                with open(f"/proc/{pid}/task/{pid}/children") as listed:
                    children = listed.read().split()
            except OSError:
                children = []
            self.peak_mb = max(self.peak_mb, sum(_pss_mb(process) for process in [str(pid), *children]))


def _pss_mb(pid: str) -> float:
    try:
        with open(f"/proc/{pid}/smaps_rollup") as rollup:
            return next(int(line.split()[1]) for line in rollup if line.startswith("Pss:")) / 1024
    except (OSError, StopIteration):
        return 0.0  # the child ended between listing and reading


def _import_report() -> None:
    import report.build  # noqa: F401 - pandas, scikit-learn, matplotlib: paid once per process, not per run


def _timed(stage: Callable[..., Any], name: str, seconds: dict[str, float]) -> Callable[..., Any]:
    def timed(*args: Any, **kwargs: Any) -> Any:
        took, value = _seconds(lambda: stage(*args, **kwargs))
        seconds[name] = took
        return value

    return timed


def main(sizes: list[int]) -> None:
    print("seconds per stage (collect and floor: the least of several passes); total = collect to write, imports left out", flush=True)
    print(f"{'runs':>7} {'collect':>8} {'floor':>6} {'ratio':>6} {'1 core':>7} {'analyse':>8} {'draw':>6} {'views':>6} {'render':>7} {'write':>6}"
          f" {'total':>6} {'import':>7} {'HTML MB':>8} {'RSS MB':>7} {'PSS MB':>7}", flush=True)
    with tempfile.TemporaryDirectory() as temporary:
        for size in sizes:
            sweep = Path(temporary) / str(size)
            write_random_sweep(sweep, size)
            child = subprocess.run([sys.executable, __file__, "--measure", str(sweep)], capture_output=True, text=True, check=True)
            m = json.loads(child.stdout.strip().splitlines()[-1])
            total = sum(m[stage] for stage in ("collect", "analyse", "draw", "views", "render", "write"))
            ratio = m["collect"] / m["floor"]
            print(f"{size:>7} {m['collect']:>8.2f} {m['floor']:>6.2f} {ratio:>6.2f} {m['one_core']:>7.2f} {m['analyse']:>8.2f} {m['draw']:>6.2f}"
                  f" {m['views']:>6.2f} {m['render']:>7.2f} {m['write']:>6.2f} {total:>6.2f} {m['import']:>7.2f} {m['html_mb']:>8.2f} {m['rss_mb']:>7.0f}"
                  f" {m['pss_mb']:>7.0f}", flush=True)
    print(f"runs={size} seconds={total:.2f} html_mb={m['html_mb']:.2f} rss_mb={m['rss_mb']:.0f} pss_mb={m['pss_mb']:.0f} collect_ratio={ratio:.2f}")


if __name__ == "__main__":
    if sys.argv[1:2] == ["--measure"]:
        print(json.dumps(measure(Path(sys.argv[2]))))
    else:
        main([int(size) for size in sys.argv[1:]] or [1000, 10000, 100000])
