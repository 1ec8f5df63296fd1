"""One job directory read into one row of the results table: its result record, else Hydra's files.

A sweep can hold 100,000 jobs, so the common case costs a handful of system calls and no more:
paths are text (a `Path` costs more to build than the file costs to read), the result file is
stat'ed once and read in one go, and Hydra's YAML files are only read for what the record lacks.
"""

from __future__ import annotations

import json
import math
import os
import re
import shlex
from pathlib import Path
from typing import Any, NamedTuple

import yaml
from hydra.errors import HydraException

from report.collect.record_check import check_metrics, check_params, check_record
from report.jobfiles import READ_ERRORS, RESULT_FILE, YAML_LOADER, job_number, load_result, one_line, read_text
from report.overrides import typed_overrides

# What shlex.quote leaves unquoted; '=' joins the overrides when checking them all at once below.
UNSAFE = re.compile(r"[^\w@%+=:,./-]", re.ASCII)


class Row(NamedTuple):
    """A job as the results table holds it, before its parameters and metrics become columns."""

    job: int | None
    job_dir: str  # relative to the sweep directory, with '/'
    status: str  # completed, failed, unreadable or missing (unknown: decided once all are read)
    params: dict[str, Any]
    metrics: dict[str, int | float]
    overrides: str  # as a command line would give them
    started: str | None
    duration: float  # seconds; NaN when unknown
    error_type: str | None
    error: str | None
    traceback: str | None


def read_job(base: str, job_dir: str, metrics_file: str | None, problems: list[str]) -> Row:
    """The job at `base + job_dir` (`base` is the sweep directory ending in a separator); what is
    wrong with its files goes to `problems`, naming each file."""
    path = base + job_dir
    result_path = os.path.join(path, metrics_file) if metrics_file else f"{path}/{RESULT_FILE}"
    try:
        status = os.stat(result_path)
    except OSError:  # absent, or not even to be looked at: no result
        name = os.path.basename(result_path)
        return _from_hydra(path, job_dir, (None, "missing", None, {}, None, None, math.nan, "NoResult",
                           f"no {name} in the job directory: killed, still running, or never written", None), problems)
    try:
        if metrics_file:
            metrics = check_metrics(_load_metrics_file(result_path, status), result_path, problems)
            return _from_hydra(path, job_dir, (None, "completed", None, metrics, None, None, math.nan, None, None, None), problems)
        record = check_record(load_result(result_path, status), result_path, problems)
    except READ_ERRORS as error:
        reason = one_line(error)
        problems.append(f"{result_path}: unreadable, job skipped from the analysis: {reason}")
        name = os.path.basename(result_path)
        return _from_hydra(path, job_dir, (None, "unreadable", None, {}, None, None, math.nan, "UnreadableResult", f"{name}: {reason}", None), problems)
    if record.job is None or record.params is None or record.overrides is None:
        return _from_hydra(path, job_dir, (record.job, record.status, record.params, *record[3:]), problems, result_path)
    return Row(record.job, job_dir, record.status, record.params, record.metrics, command_line(record.overrides), *record[5:])


def _from_hydra(path: str, job_dir: str, known: tuple[Any, ...], problems: list[str], result_path: str | None = None) -> Row:
    """The row with what the result file left unknown taken from Hydra's files: the overrides from
    `.hydra/overrides.yaml`, the job number from `.hydra/hydra.yaml` or the directory's name, and
    the parameters from the overrides. `known` is (job, status, params, metrics, overrides, started,
    duration, error_type, error, traceback), None where unknown; `result_path` names the record."""
    job, status, params, metrics, overrides, *rest = known
    overrides_path = result_path
    if overrides is None:
        overrides_path = os.path.join(path, ".hydra", "overrides.yaml")
        overrides = _read_overrides(overrides_path, problems, "parameters" if params is None else "overrides")
    if job is None:
        job = job_number(Path(path))
    if params is None:
        params = _params_from_overrides(overrides, overrides_path, problems)
    return Row(job, job_dir, status, params, metrics, command_line(overrides), *rest)


def command_line(overrides: list[str]) -> str:
    """`shlex.join(overrides)`, checked for characters to quote in one search where none are (the
    common case: 100,000 jobs' overrides are joined in a blink)."""
    if all(overrides) and not UNSAFE.search("=".join(overrides)):
        return " ".join(overrides)
    return shlex.join(overrides)


def _load_metrics_file(path: str, status: os.stat_result) -> dict[str, Any]:
    """A user's own metrics file: JSON or YAML holding a mapping of scalars."""
    text = read_text(path, status=status)
    data = json.loads(text) if os.path.splitext(path)[1] == ".json" else yaml.load(text, Loader=YAML_LOADER)
    if not isinstance(data, dict):
        raise ValueError("expected a mapping of metric names to numbers")
    return data


def _read_overrides(path: str, problems: list[str], unknown: str) -> list[str]:
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


def _params_from_overrides(overrides: list[str], path: str, problems: list[str]) -> dict[str, Any]:
    """The job's parameters as Hydra types its overrides; none, with a note, if one cannot be parsed."""
    try:
        params = typed_overrides(overrides)
    except HydraException as error:
        reason = one_line(error)
        problems.append(f"{path}: an override cannot be parsed, the job's parameters are unknown: {reason}")
        return {}
    return check_params(params, path, problems, "overrides") or {}
