"""Read a Hydra multirun directory into one results table (a row per job) and its metadata.

Nothing under the sweep directory is written or moved here: this module only reads.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
from tqdm.auto import tqdm

from report.collect.intent import SweeperStop, unexplained_stop
from report.collect.jobs import Row, read_job
from report.collect.no_metrics import no_metrics_error
from report.collect.origin import sweep_origin
from report.collect.target import choose_repeat_key, choose_target
from report.columns import RESERVED
from report.jobfiles import LAUNCH_FILE, RESULT_FILE, job_directories, path_exists
from report.options import ReportOptions, SweepError


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
    job_dirs, problems = _job_dirs(directory, metrics_file)
    base = "" if str(directory) == "." else os.path.join(directory, "")  # job paths as `directory / job` writes them
    rows = [
        read_job(base, job_dir, metrics_file, problems)
        for job_dir in tqdm(job_dirs, desc="Collecting runs", unit="run", disable=not progress, delay=0.5)
    ]
    recorded = metrics_file is None and (path_exists(directory / LAUNCH_FILE) or any(row.status != "missing" for row in rows))
    if not recorded:
        rows = _status_unknown(rows, metrics_file or RESULT_FILE)
    rows.sort(key=_job_order)
    columns = dict(zip(Row._fields, zip(*rows)))
    param_names = _unclash(_ordered_union(columns.pop("params")), RESERVED, "param", problems)
    metric_names = _unclash(_ordered_union(columns.pop("metrics")), RESERVED | set(param_names), "metric", problems)
    runs = _table(columns, param_names, metric_names)
    params, fixed = _split_swept(runs, param_names, problems)
    integer_metrics = frozenset(name for name, values in metric_names.items() if _all_integers(values))
    origin = sweep_origin(directory, directory / job_dirs[0], problems)
    sweeper_config = origin.pop("sweeper_config", {})
    origin["stopped"] = origin["stopped"] or unexplained_stop(sweeper_config, len(job_dirs))
    target = choose_target(directory, origin.pop("intent", None), runs, list(metric_names), options, problems)
    if target is None and not runs["status"].eq("failed").any():  # a failed run's error is still worth a report
        finished = int(runs["status"].ne("missing").sum())
        raise no_metrics_error(directory, [directory / name for name in job_dirs], metrics_file, recorded, finished)
    return Sweep(
        directory=directory,
        runs=runs,
        params=params,
        fixed=fixed,
        metrics=list(metric_names),
        objective=target and target.name,
        direction=target.direction if target else "min",
        direction_reason=target.reason if target else "the default: the name gives no hint",
        repeat_key=choose_repeat_key(directory, params, fixed, options.repeat_key),
        problems=problems,
        integer_metrics=integer_metrics,
        **origin,
    )


def _job_order(row: Row) -> tuple[bool, int, str]:
    """Rows follow Hydra's job numbers; jobs without one come last, by directory."""
    return (row.job is None, row.job if row.job is not None else 0, row.job_dir)


def _job_dirs(directory: Path, metrics_file: str | None) -> tuple[list[str], list[str]]:
    """The sweep's job directories, and a problem per directory below it that cannot be read;
    SweepError when there is no job to read."""
    try:
        if not directory.is_dir():
            raise SweepError(f"{directory}: no such directory")
    except OSError as error:
        raise SweepError(f"{directory}: cannot be read: {error.strerror or error}") from None
    unreadable: list[tuple[Path, str]] = []
    job_dirs = job_directories(directory, metrics_file, unreadable)
    if unreadable and unreadable[0][0] == directory:
        raise SweepError(f"{directory}: cannot be read: {unreadable[0][1]}")
    if not job_dirs:
        if unreadable:
            raise SweepError(
                f"{directory}: no job directory found, and {len(unreadable)} directories below it cannot be read"
                f" (such as {unreadable[0][0]}: {unreadable[0][1]})"
            )
        if path_exists(directory / "multirun.yaml"):
            raise SweepError(f"{directory}: the sweep has no job directories yet (empty sweep)")
        raise SweepError(f"{directory}: not a Hydra multirun directory (no job directory with .hydra/ below it)")
    return job_dirs, [f"{path}: the directory cannot be read ({reason}); any job in it is left out of the report" for path, reason in unreadable]


def _status_unknown(rows: list[Row], file_name: str) -> list[Row]:
    """Without our result files, a job without metrics may have failed, been killed or be running."""
    unknown = f"no {file_name} in the job directory: without result files the job's status is unknown"
    return [row._replace(status="unknown", error=unknown) if row.status == "missing" else row for row in rows]


def _ordered_union(mappings: tuple[dict[str, Any], ...]) -> dict[str, list[Any]]:
    """Keys in order of first appearance, each with its value per mapping (None where absent).
    The mappings' distinct key sequences give that order: a sweep's jobs share a handful of them."""
    names = dict.fromkeys(name for keys in dict.fromkeys(map(tuple, mappings)) for name in keys)
    return {name: [mapping.get(name) for mapping in mappings] for name in names}


def _unclash(columns: dict[str, list[Any]], taken: frozenset[str], kind: str, problems: list[str]) -> dict[str, list[Any]]:
    """Rename `kind`s whose name is already a column (`duration`, `n`, a parameter's name...)."""
    renamed = {}
    for name, values in columns.items():
        if name in taken:
            problems.append(f"{kind} {name!r} has the name of another column; it is shown as '{kind}:{name}'")
            name = f"{kind}:{name}"
        renamed[name] = values
    return renamed


def _table(columns: dict[str, tuple[Any, ...]], params: dict[str, list[Any]], metrics: dict[str, list[Any]]) -> pd.DataFrame:
    """The results table: job, job_dir, status, the parameters, the metrics, then the rest of `columns`."""
    table = {"job": pd.array(columns.pop("job"), dtype="Int64"), "job_dir": list(columns.pop("job_dir")), "status": list(columns.pop("status"))}
    table.update({name: _typed_column(values) for name, values in params.items()})
    table.update({name: pd.array([math.nan if v is None else v for v in values], dtype="float64") for name, values in metrics.items()})
    table.update({name: list(values) for name, values in columns.items()})
    return pd.DataFrame(table)


def _all_integers(values: list[Any]) -> bool:
    present = [value for value in values if value is not None]
    return bool(present) and all(isinstance(value, int) and not isinstance(value, bool) for value in present)


def _typed_column(values: list[Any]) -> pd.api.extensions.ExtensionArray | list[Any]:
    """Keep a parameter's type: booleans, integers (nullable), floats, else the values as given."""
    present = [value for value in values if value is not None]
    if present and all(isinstance(value, bool) for value in present):
        return pd.array(values, dtype="boolean")
    if _all_integers(values):
        return pd.array(values, dtype="Int64")
    if present and all(isinstance(value, (int, float)) and not isinstance(value, bool) for value in present):
        return pd.array([math.nan if value is None else value for value in values], dtype="float64")
    return pd.array(values, dtype=object)


def _split_swept(runs: pd.DataFrame, names: dict[str, list[Any]], problems: list[str]) -> tuple[list[str], dict[str, Any]]:
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
