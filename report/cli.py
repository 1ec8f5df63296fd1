"""`sweep-report`: the command-line shell over `report.build.build_report`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from report.build import CSV_NAME, SweepError, build_report

DEFAULT_ROOT = Path("multirun")


def newest_sweep(root: Path = DEFAULT_ROOT) -> Path:
    """The most recently modified sweep in Hydra's default layout, `multirun/<date>/<time>/`."""
    sweeps = [path for path in root.glob("*/*") if path.is_dir()]
    if not sweeps:
        raise SweepError(f"{root}: no sweep found (give SWEEP_DIR, or run from where ./multirun is)")
    return max(sweeps, key=lambda path: path.stat().st_mtime)


def parser() -> argparse.ArgumentParser:
    parse = argparse.ArgumentParser(
        prog="sweep-report",
        description="Turn a Hydra multirun directory into one self-contained HTML report and a results table.",
    )
    parse.add_argument(
        "sweep_dir", nargs="?", type=Path, metavar="SWEEP_DIR",
        help="the sweep directory (default: the newest sweep under ./multirun)",
    )
    parse.add_argument(
        "-o", "--output", type=Path, metavar="OUT",
        help=f"where to write the HTML report (default: SWEEP_DIR/report.html); {CSV_NAME} is written beside it",
    )
    parse.add_argument("--metric", metavar="NAME", help="the metric to rank by (default: the first metric the runs report)")
    parse.add_argument(
        "--mode", choices=("min", "max"),
        help="whether lower or higher is better (default: guessed from the metric's name: rmse, loss, error… minimise; r2, acc, f1, auc… maximise)",
    )
    parse.add_argument(
        "--repeat-key", metavar="KEY",
        help="the parameter whose values are repeats of one configuration (default: seed, if swept)",
    )
    parse.add_argument(
        "--metrics-file", metavar="NAME",
        help="for sweeps run without the recording callback: a JSON or YAML file of metrics that the app wrote in each job directory",
    )
    parse.add_argument("--rows", type=_names, metavar="A,B", help="parameters on the clustermap's rows (default: chosen to keep it near square)")
    parse.add_argument("--cols", type=_names, metavar="C,D", help="parameters on the clustermap's columns (default: the others)")
    return parse


def _names(text: str) -> list[str]:
    return [name.strip() for name in text.split(",") if name.strip()]


def main(argv: list[str] | None = None) -> int:
    options = parser().parse_args(argv)
    try:
        written = build_report(
            options.sweep_dir or newest_sweep(),
            options.output,
            metric=options.metric,
            mode=options.mode,
            repeat_key=options.repeat_key,
            metrics_file=options.metrics_file,
            rows=options.rows,
            cols=options.cols,
            progress=True,
        )
    except SweepError as error:
        print(f"sweep-report: {error}", file=sys.stderr)
        return 2
    except OSError as error:
        print(f"sweep-report: {error.filename or ''}: {error.strerror or error}", file=sys.stderr)
        return 1
    print(f"Report: {written.html}\nResults table: {written.csv}")
    return 0
