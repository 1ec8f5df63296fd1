"""`sweep-report`: the command-line shell over `report.build.build_report`, which it imports only
once the arguments are parsed: `--help` and a usage error answer at once."""

from __future__ import annotations

import argparse
import sys
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import NoReturn

from report.interrupts import interrupts_deferred
from report.jobfiles import CSV_NAME
from report.options import OptionError, ReportOptions, SweepError

DEFAULT_ROOT = Path("multirun")
FLAGS = {  # each ReportOptions field's flag
    "metric": "--metric", "mode": "--mode", "repeat_key": "--repeat-key", "metrics_file": "--metrics-file",
    "rows": "--rows", "cols": "--cols", "cost": "--cost",
}


def newest_sweep(root: Path = DEFAULT_ROOT) -> Path:
    """The latest sweep in Hydra's default layout, `multirun/<date>/<time>/`, by its names: a
    report written into an older sweep changes that one's modification time."""
    sweeps = [path for path in root.glob("*/*") if path.is_dir()]
    if not sweeps:
        raise SweepError(f"{root}: no sweep found (give SWEEP_DIR, or run from where ./multirun is)")
    return max(sweeps, key=lambda path: path.relative_to(root).parts)


class OneLineParser(argparse.ArgumentParser):
    """argparse, but a usage error is one line naming the problem, not the whole usage block."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def parser() -> argparse.ArgumentParser:
    parse = OneLineParser(
        prog="sweep-report",
        description="Turn a Hydra multirun directory into one self-contained HTML report and a results table. "
        "`sweep-report compare DIR1 DIR2 ...` compares sweeps instead (see `sweep-report compare --help`).",
    )
    parse.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    parse.add_argument(
        "sweep_dir", nargs="?", type=Path, metavar="SWEEP_DIR",
        help="the sweep directory (default: the newest sweep under ./multirun)",
    )
    parse.add_argument(
        "-o", "--output", metavar="OUT",
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
    parse.add_argument(
        "--cost", metavar="NAME",
        help="what a configuration costs, to find the cheapest one as good as the best: a metric, or duration "
        "(default: a metric named for time or size, such as fit_seconds or params, else the run's duration)",
    )
    parse.add_argument("--rows", type=_names, metavar="A,B", help="parameters on the clustermap's rows (default: chosen to keep it near square)")
    parse.add_argument("--cols", type=_names, metavar="C,D", help="parameters on the clustermap's columns (default: the others)")
    return parse


def _version() -> str:
    try:
        return version("hydra-sweep-report")
    except PackageNotFoundError:  # run from a source tree that was never installed
        return "(not installed)"


def _names(text: str) -> list[str]:
    return [name.strip() for name in text.split(",") if name.strip()]


def compare_parser() -> argparse.ArgumentParser:
    parse = OneLineParser(
        prog="sweep-report compare",
        description="One HTML page comparing sweeps of the same app (grid, random, Bayes): best-so-far "
        "against evaluations and compute time, each sweep's best, and how many evaluations each needed "
        "to come within 1% and 0.1% of the overall best.",
    )
    parse.add_argument("sweep_dirs", nargs="+", type=Path, metavar="SWEEP_DIR", help="the sweeps to compare")
    parse.add_argument("-o", "--output", metavar="OUT", help="where to write the page (default: ./compare.html)")
    parse.add_argument("--metric", metavar="NAME", help="the metric to compare on (default: the first sweep's objective)")
    parse.add_argument("--mode", choices=("min", "max"), help="whether lower or higher is better (default: guessed from the metric's name)")
    return parse


def compare(argv: list[str]) -> int:
    options = compare_parser().parse_args(argv)
    with interrupts_deferred():  # see _report_or_compare
        from report.build import build_comparison

    try:
        output = build_comparison(options.sweep_dirs, options.output, ReportOptions(metric=options.metric, mode=options.mode))
    except SweepError as error:
        return _failed(error)
    except OSError as error:
        print(f"sweep-report: {error.filename or ''}: {error.strerror or error}", file=sys.stderr)
        return 1
    print(f"Comparison: {output}")
    return 0


def main(argv: list[str] | None = None) -> int:
    """`sweep-report`'s exit status. Ctrl-C ends it with one line and status 130, as a shell
    reports an interrupted command; files are written whole or not at all (see write_atomically)."""
    try:
        return _report_or_compare(sys.argv[1:] if argv is None else argv)
    except KeyboardInterrupt:
        print("sweep-report: interrupted", file=sys.stderr)
        return 130


def _report_or_compare(argv: list[str]) -> int:
    if argv[:1] == ["compare"]:
        return compare(argv[1:])
    options = parser().parse_args(argv)
    # The pipeline (pandas, scikit-learn, matplotlib: over a second to import) is imported here, once
    # the arguments are known to be good. A Ctrl-C waits for the import to finish: one inside
    # omegaconf's import-time config building surfaced as an AttributeError from its cleanup.
    with interrupts_deferred():
        from report.build import build_report

    try:
        chosen = ReportOptions(**{name: getattr(options, name) for name in FLAGS if getattr(options, name) is not None})
        # Progress bars only for a person watching: piped or logged, stderr keeps to what went wrong.
        written = build_report(options.sweep_dir or newest_sweep(), options.output, chosen, progress=sys.stderr.isatty())
    except SweepError as error:
        return _failed(error)
    except OSError as error:
        print(f"sweep-report: {error.filename or ''}: {error.strerror or error}", file=sys.stderr)
        return 1
    # With the HTML on stdout (-o /dev/stdout), what we say goes to stderr.
    print(f"Report: {written.html}\nResults table: {written.csv}", file=sys.stderr if written.streamed else sys.stdout)
    return 0


def _failed(error: SweepError) -> int:
    """A sweep that cannot be reported: one line, options named by their flags, exit status 2."""
    message = error.spelled(FLAGS) if isinstance(error, OptionError) else str(error)
    print(f"sweep-report: {message}", file=sys.stderr)
    return 2
