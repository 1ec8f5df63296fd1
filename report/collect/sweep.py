"""Read a Hydra multirun directory into one results table (a row per job) and its metadata.

Nothing under the sweep directory is written or moved here: this module only reads.
"""

from __future__ import annotations

import gc
import os
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

import pandas as pd
from tqdm.auto import tqdm

from report.collect.intent import SweeperStop, unexplained_stop
from report.collect.no_metrics import no_metrics_error
from report.collect.origin import sweep_origin
from report.collect.share import Named, Share, join_shares, read_share
from report.collect.target import choose_repeat_key, choose_target
from report.columns import RESERVED
from report.forked import can_fork, run_split
from report.jobfiles import LAUNCH_FILE, LISTED, RESULT_FILE, path_exists, top_subdirectories
from report.options import ReportOptions, SweepError

SHARED_FROM = 4000  # top directories from which a sweep is read in two processes (see _read_jobs)
# A parameter's pandas type by the kind of its values (as report.collect.share tells them apart):
# booleans, integers (nullable), floats (None is NaN), else the values as given.
COLUMN_TYPES: dict[str, Any] = {"bool": "boolean", "int": "Int64", "float": "float64", "object": object, "none": object}


@dataclass
class Sweep:
    """A sweep's results table and what we know about how it was run."""

    directory: Path
    runs: pd.DataFrame  # one row per job: job, job_dir, status, parameters, metrics, duration, error
    params: list[str]  # overrides whose value varies between jobs
    fixed: dict[str, Any]  # overrides that every job shares
    metrics: list[str]
    objective: str | None
    direction: str  # "min" or "max"
    direction_reason: str
    repeat_key: str | None
    sweeper: str | None = None
    launcher: str | None = None
    app_name: str | None = None
    program: str | None = None  # how the app was started, e.g. "python -m sweeps.train"
    command: str | None = None  # the launch command: recorded by our callback, or rebuilt from multirun.yaml
    problems: list[str] = field(default_factory=list)  # what was skipped and why
    log_params: frozenset[str] = frozenset()  # parameters whose sweep is tagged `log`
    sampler: str | None = None  # the sweeper's sampler, when it names one (ours: random, gp, rf, et)
    integer_metrics: frozenset[str] = frozenset()  # metrics every run reported as a whole number
    stopped: SweeperStop | None = None  # why the sweeper ended short of its trials, as its results file says


def collect_sweep(directory: Path | str, options: ReportOptions = ReportOptions(), progress: bool = False) -> Sweep:
    """Collect every job of the sweep at `directory` into a `Sweep`; raises SweepError if none."""
    directory = Path(directory)
    metrics_file = options.metrics_file
    jobs = _read_jobs(directory, metrics_file, progress)
    job_dirs, fields = jobs.job_dirs, jobs.fields
    problems = [f"{path}: the directory cannot be read ({reason}); any job in it is left out of the report" for path, reason in jobs.unreadable]
    problems += jobs.problems
    recorded = metrics_file is None and (path_exists(directory / LAUNCH_FILE) or any(status != "missing" for status in fields["status"]))
    if not recorded:
        _status_unknown(fields, metrics_file or RESULT_FILE)
    param_names = _unclash(list(jobs.params.values), RESERVED, "param", problems)
    metric_names = _unclash(list(jobs.metrics.values), RESERVED | set(param_names.values()), "metric", problems)
    runs = _table(fields, jobs.params, param_names, jobs.metrics, metric_names)
    params, fixed = _split_swept(runs, list(param_names.values()), problems)
    integer_metrics = frozenset(shown for name, shown in metric_names.items() if jobs.metrics.kinds[name] == "int")
    origin = sweep_origin(directory, directory / job_dirs[0], problems)
    sweeper_config = origin.pop("sweeper_config", {})
    origin["stopped"] = origin["stopped"] or unexplained_stop(sweeper_config, len(job_dirs))
    target = choose_target(directory, origin.pop("intent", None), runs, list(metric_names.values()), options, problems)
    if target is None and not runs["status"].eq("failed").any():  # a failed run's error is still worth a report
        finished = int(runs["status"].ne("missing").sum())
        raise no_metrics_error(directory, [directory / name for name in job_dirs], metrics_file, recorded, finished)
    return Sweep(
        directory=directory,
        runs=runs,
        params=params,
        fixed=fixed,
        metrics=list(metric_names.values()),
        objective=target and target.name,
        direction=target.direction if target else "min",
        direction_reason=target.reason if target else "the default: the name gives no hint",
        repeat_key=choose_repeat_key(directory, params, fixed, options.repeat_key),
        problems=problems,
        integer_metrics=integer_metrics,
        **origin,
    )


def _read_jobs(directory: Path, metrics_file: str | None, progress: bool) -> Share:
    """Every job of the sweep, read in job order; SweepError when there is none. From SHARED_FROM
    top directories, half of them are read in a forked copy of this process (see `run_split`),
    and the progress bar counts each job read here for as many as are read at once."""
    unreadable: list[tuple[Path, str]] = []
    try:
        if not directory.is_dir():
            raise SweepError(f"{directory}: no such directory")
    except OSError as error:
        raise SweepError(f"{directory}: cannot be read: {error.strerror or error}") from None
    names = top_subdirectories(directory, metrics_file, unreadable)
    if unreadable:
        raise SweepError(f"{directory}: cannot be read: {unreadable[0][1]}")
    base = "" if str(directory) == "." else os.path.join(directory, "")  # job paths as `directory / job` writes them
    crowded, cut = len(names) > LISTED, len(names) // 2 if len(names) >= SHARED_FROM and can_fork() else len(names)
    with tqdm(desc="Collecting runs", unit="run", disable=not progress, delay=0.5) as bar, _collector_paused():
        at_once = 1 if cut == len(names) else 2

        def read(done: int, total: int) -> None:
            bar.total = total * at_once
            bar.update(done * at_once - bar.n)

        reads = {"here": lambda: read_share(directory, base, names[:cut], crowded, metrics_file, read)}
        if at_once == 2:
            reads["aside"] = lambda: read_share(directory, base, names[cut:], crowded, metrics_file)
        shares = run_split(reads, ["aside"])
        jobs = join_shares(list(shares.values()))
        bar.total = bar.n = len(jobs.job_dirs)  # shown as the bar closes, if it was shown at all
    if not jobs.job_dirs:
        if jobs.unreadable:
            raise SweepError(
                f"{directory}: no job directory found, and {len(jobs.unreadable)} directories below it cannot be read"
                f" (such as {jobs.unreadable[0][0]}: {jobs.unreadable[0][1]})"
            )
        if path_exists(directory / "multirun.yaml"):
            raise SweepError(f"{directory}: the sweep has no job directories yet (empty sweep)")
        raise SweepError(f"{directory}: not a Hydra multirun directory (no job directory with .hydra/ below it)")
    return jobs


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Python's cyclic garbage collector held off while jobs are read and joined (in the forked
    copy too): their rows and columns hold no cycles, yet each job makes several new objects, and
    with pandas and scikit-learn loaded every full pass walks 190,000 more. At 100,000 jobs its
    passes took 0.2 to 0.3 s of the collector's 1.8."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _status_unknown(fields: dict[str, list[Any]], file_name: str) -> None:
    """Without our result files, a job without metrics may have failed, been killed or be running."""
    unknown = f"no {file_name} in the job directory: without result files the job's status is unknown"
    for row, status in enumerate(fields["status"]):
        if status == "missing":
            fields["status"][row], fields["error"][row] = "unknown", unknown


def _unclash(names: list[str], taken: frozenset[str] | set[str], kind: str, problems: list[str]) -> dict[str, str]:
    """Each name as a column shows it: `kind:name` where another column has the name (`duration`,
    `n`, a parameter's name...)."""
    shown = {}
    for name in names:
        shown[name] = name
        if name in taken:
            problems.append(f"{kind} {name!r} has the name of another column; it is shown as '{kind}:{name}'")
            shown[name] = f"{kind}:{name}"
    return shown


def _table(fields: dict[str, list[Any]], params: Named, param_names: dict[str, str], metrics: Named, metric_names: dict[str, str]) -> pd.DataFrame:
    """The results table: job, job_dir, status, the parameters, the metrics, then the other fields."""
    rest = dict(fields)
    table = {"job": pd.array(rest.pop("job"), dtype="Int64"), "job_dir": rest.pop("job_dir"), "status": rest.pop("status")}
    table.update({shown: pd.array(params.values[name], dtype=COLUMN_TYPES[params.kinds[name]]) for name, shown in param_names.items()})
    table.update({shown: pd.array(metrics.values[name], dtype="float64") for name, shown in metric_names.items()})
    table.update(rest)
    return pd.DataFrame(table)


def _split_swept(runs: pd.DataFrame, names: list[str], problems: list[str]) -> tuple[list[str], dict[str, Any]]:
    """Parameters that vary between jobs are swept; the others were fixed for the whole sweep."""
    swept, fixed = [], {}
    for name in names:
        column = runs[name]
        absent = int(column.isna().sum())
        if absent and absent < len(column):
            problems.append(f"jobs have different parameter sets: {absent} of {len(column)} jobs have no {name!r}")
        if column.nunique(dropna=False) > 1:
            swept.append(name)
        else:
            fixed[name] = column.iloc[0]
    return swept, fixed
