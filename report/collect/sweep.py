"""Read a Hydra multirun directory into one results table (a row per job) and its metadata.

Nothing under the sweep directory is written or moved here: this module only reads.
"""

from __future__ import annotations

import json
import math
import shlex
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

import pandas as pd
import yaml
from hydra.errors import HydraException
from tqdm.auto import tqdm

from report.collect.intent import SweeperStop
from report.collect.no_metrics import no_metrics_message
from report.collect.origin import sweep_origin
from report.collect.record_check import CheckedRecord, check_metrics, check_params, check_record
from report.collect.target import choose_repeat_key, choose_target
from report.columns import RESERVED
from report.jobfiles import (
    LAUNCH_FILE,
    READ_ERRORS,
    RESULT_FILE,
    YAML_LOADER,
    find_job_dirs,
    job_number,
    load_result,
    one_line,
    path_exists,
    read_text,
    typed_overrides,
)
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
    rows = [
        _read_job(job_dir, directory, metrics_file, problems)
        for job_dir in tqdm(job_dirs, desc="Collecting runs", unit="run", disable=not progress, delay=0.5)
    ]
    recorded = metrics_file is None and (path_exists(directory / LAUNCH_FILE) or any(row["status"] != "missing" for row in rows))
    if not recorded:
        _status_unknown(rows, metrics_file or RESULT_FILE)
    rows.sort(key=lambda row: (row["job"] is None, row["job"] if row["job"] is not None else 0, row["job_dir"]))
    param_names = _unclash(_ordered_union(row.pop("params") for row in rows), RESERVED, "param", problems)
    metric_names = _unclash(_ordered_union(row.pop("metrics") for row in rows), RESERVED | set(param_names), "metric", problems)
    runs = _table(rows, param_names, metric_names)
    params, fixed = _split_swept(runs, param_names, problems)
    integer_metrics = frozenset(name for name, values in metric_names.items() if _all_integers(values))
    origin = sweep_origin(directory, job_dirs[0], problems)
    target = choose_target(directory, origin.pop("intent", None), runs, list(metric_names), options, problems)
    if target is None and not runs["status"].eq("failed").any():  # a failed run's error is still worth a report
        raise SweepError(no_metrics_message(directory, job_dirs, metrics_file, recorded, int(runs["status"].ne("missing").sum())))
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


def _job_dirs(directory: Path, metrics_file: str | None) -> tuple[list[Path], list[str]]:
    """The sweep's job directories, and a problem per directory below it that cannot be read;
    SweepError when there is no job to read."""
    try:
        if not directory.is_dir():
            raise SweepError(f"{directory}: no such directory")
    except OSError as error:
        raise SweepError(f"{directory}: cannot be read: {error.strerror or error}") from None
    unreadable: list[tuple[Path, str]] = []
    job_dirs = find_job_dirs(directory, metrics_file, unreadable)
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


def _read_job(job_dir: Path, sweep_dir: Path, metrics_file: str | None, problems: list[str]) -> dict[str, Any]:
    """One row of the results table; what is wrong with the job's files goes to `problems`."""
    row: dict[str, Any] = {
        "job": None,
        "job_dir": job_dir.relative_to(sweep_dir).as_posix(),
        "status": "missing",
        "params": None,  # None until known: from the record, else from the overrides
        "metrics": {},
        "overrides": None,  # a list until the end: from the record, else from Hydra's overrides.yaml
        "started": None,
        "duration": math.nan,
        "error_type": None,
        "error": None,
        "traceback": None,
    }
    result_path = job_dir / (metrics_file or RESULT_FILE)
    overrides_path = result_path
    if not path_exists(result_path):
        row.update(error_type="NoResult", error=f"no {result_path.name} in the job directory: killed, still running, or never written")
    else:
        try:
            if metrics_file:
                row.update(status="completed", metrics=check_metrics(_load_metrics_file(result_path), result_path, problems))
            else:
                row.update(_row_from_record(check_record(load_result(result_path), result_path, problems)))
        except READ_ERRORS as error:
            reason = one_line(error)
            problems.append(f"{result_path}: unreadable, job skipped from the analysis: {reason}")
            row.update(status="unreadable", error_type="UnreadableResult", error=f"{result_path.name}: {reason}")
    if row["overrides"] is None:  # no record of ours, or its overrides unusable: Hydra's own files give them
        overrides_path = job_dir / ".hydra" / "overrides.yaml"
        row["overrides"] = _read_overrides(overrides_path, problems, "parameters" if row["params"] is None else "overrides")
    if row["job"] is None:
        row["job"] = job_number(job_dir)
    if row["params"] is None:
        row["params"] = _params_from_overrides(row["overrides"], overrides_path, problems)
    row["overrides"] = shlex.join(row["overrides"])
    return row


def _status_unknown(rows: list[dict[str, Any]], file_name: str) -> None:
    """Without our result files, a job without metrics may have failed, been killed or be running."""
    for row in rows:
        if row["status"] == "missing":
            row.update(status="unknown", error=f"no {file_name} in the job directory: without result files the job's status is unknown")


def _row_from_record(record: CheckedRecord) -> dict[str, Any]:
    return {
        "job": record.job,
        "status": record.status,
        "params": record.params,
        "metrics": record.metrics,
        "overrides": record.overrides,
        "started": record.started,
        "duration": record.duration,
        "error_type": record.error_type,
        "error": record.error,
        "traceback": record.traceback,
    }


def _load_metrics_file(path: Path) -> dict[str, Any]:
    """A user's own metrics file: JSON or YAML holding a mapping of scalars."""
    text = read_text(path)
    data = json.loads(text) if path.suffix == ".json" else yaml.load(text, Loader=YAML_LOADER)
    if not isinstance(data, dict):
        raise ValueError("expected a mapping of metric names to numbers")
    return data


def _read_overrides(path: Path, problems: list[str], unknown: str) -> list[str]:
    """Hydra's list of the job's overrides; [] with a note saying the job's `unknown` are unknown."""
    try:
        overrides = yaml.load(read_text(path), Loader=YAML_LOADER)
    except READ_ERRORS as error:
        reason = one_line(error)
        problems.append(f"{path}: unreadable, the job's {unknown} are unknown: {reason}")
        return []
    if not isinstance(overrides, list) or not all(isinstance(item, str) for item in overrides):
        problems.append(f"{path}: not a list of overrides; the job's {unknown} are unknown")
        return []
    return overrides


def _params_from_overrides(overrides: list[str], path: Path, problems: list[str]) -> dict[str, Any]:
    """The job's parameters as Hydra types its overrides; none, with a note, if one cannot be parsed."""
    try:
        params = typed_overrides(overrides)
    except HydraException as error:
        reason = one_line(error)
        problems.append(f"{path}: an override cannot be parsed, the job's parameters are unknown: {reason}")
        return {}
    return check_params(params, path, problems, "overrides") or {}


def _ordered_union(mappings: Iterator[dict[str, Any]]) -> dict[str, list[Any]]:
    """Keys in order of first appearance, each with its value per mapping (None where absent)."""
    mappings = list(mappings)
    names = list(dict.fromkeys(name for mapping in mappings for name in mapping))
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


def _table(rows: list[dict[str, Any]], params: dict[str, list[Any]], metrics: dict[str, list[Any]]) -> pd.DataFrame:
    runs = pd.DataFrame(rows)
    columns = {name: _typed_column(values) for name, values in params.items()}
    columns.update({name: pd.array([math.nan if v is None else v for v in values], dtype="float64") for name, values in metrics.items()})
    front = runs[["job", "job_dir", "status"]].astype({"job": "Int64"})
    return pd.concat([front, pd.DataFrame(columns, index=runs.index), runs.drop(columns=front.columns)], axis=1)


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
