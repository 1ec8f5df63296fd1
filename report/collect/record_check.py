"""A job's result record checked once, where it is read.

Each field of the JSON record is turned into a typed value or rejected with a note that names the
file and the field; nothing after this sees a raw JSON value. A record without a usable status is
no record at all (ValueError); any other field that is wrong is dropped, and what it would have
given is taken from Hydra's own files where they hold it (job number, overrides, parameters).
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any, NamedTuple

from report.jobfiles import sane_job_number

STATUSES = ("completed", "failed")
INT64 = 2**63  # parameters are kept as 64-bit integers (pandas' Int64); larger ones are not
SHOWN = 60  # characters of a rejected value quoted in a note
# Types that need no change, for a glance at a whole mapping (isinstance's subclasses: one by one).
PLAIN = frozenset({str, int, float, bool, type(None)})  # parameters (integers: within 64 bits)
TEXT, FLOAT = frozenset({str}), frozenset({float})

Scalar = str | int | float | bool | None


class CheckedRecord(NamedTuple):
    status: str  # "completed" or "failed"
    job: int | None  # Hydra's job number, when the record gives a sane one
    params: dict[str, Scalar] | None  # None: unusable, taken from the overrides instead
    metrics: dict[str, int | float]  # numbers only; NaN where a value was not finite
    overrides: list[str] | None  # None: unusable, read from Hydra's overrides.yaml instead
    started: str | None
    duration: float  # seconds; NaN when unknown
    error_type: str | None
    error: str | None
    traceback: str | None


def check_record(record: dict[str, Any], path: Path | str, problems: list[str]) -> CheckedRecord:
    """The record of the result file at `path`, field by field; notes on what was dropped go to
    `problems`. Raises ValueError when it is no result record."""
    status = record.get("status") if isinstance(record, dict) else None
    if not isinstance(status, str) or status not in STATUSES:
        found = "absent" if status is None else _shown(status)
        raise ValueError(f"not a result record: field 'status' is {found}, not 'completed' or 'failed'")
    error = _mapping(record, "error", path, problems, "the run's error is unknown")
    params = record.get("params")
    return CheckedRecord(  # by position: this runs once per job, 100,000 times in a large sweep
        status,
        _job_number(record, path, problems),
        None if params is None else check_params(params, path, problems),
        check_metrics(record.get("metrics") or {}, path, problems),
        _overrides(record, path, problems),
        _text(record, "started", path, problems),
        _duration(record, path, problems),
        *((_text(error, "type", path, problems, "error."), _text(error, "message", path, problems, "error."),
           _text(error, "traceback", path, problems, "error.")) if error else (None, None, None)),
    )


def check_params(params: Any, path: Path | str, problems: list[str], field: str = "params") -> dict[str, Scalar] | None:
    """Parameter values as one scalar each: lists and mappings as their JSON text, integers beyond
    64 bits as floats (or text beyond floats' range); None when `params` is not a mapping."""
    if not isinstance(params, dict):
        problems.append(f"{path}: field {field!r} is not a mapping of names to values ({_shown(params)}); parameters taken from the overrides")
        return None
    values = params.values()
    if set(map(type, params)) <= TEXT and set(map(type, values)) <= PLAIN and all(-INT64 <= value < INT64 for value in values if type(value) is int):
        return params  # the common case, checked at a glance: nothing to change
    checked: dict[str, Scalar] = {}
    for name, value in params.items():
        name = str(name)
        if isinstance(value, (list, dict)):
            value = _json_text(value)
            problems.append(f"{path}: field '{field}.{name}' is a {'list' if value.startswith('[') else 'mapping'}; kept as its JSON text {_shown(value)}")
        elif isinstance(value, int) and not isinstance(value, bool) and not -INT64 <= value < INT64:
            try:
                value, kept = float(value), "a float"
            except OverflowError:
                value, kept = str(value), "text"
            problems.append(f"{path}: field '{field}.{name}' is an integer beyond 64 bits; kept as {kept}")
        elif value is not None and not isinstance(value, (str, int, float, bool)):
            value = str(value)  # YAML's dates and the like
        checked[name] = value
    return checked


def check_metrics(metrics: Any, path: Path | str, problems: list[str]) -> dict[str, int | float]:
    """The numbers of a mapping of metric names to values; NaN for those that are not finite."""
    if not isinstance(metrics, dict):
        problems.append(f"{path}: field 'metrics' is not a mapping of names to numbers ({_shown(metrics)}); ignored")
        return {}
    values = metrics.values()
    if set(map(type, metrics)) <= TEXT and set(map(type, values)) <= FLOAT and not any(map(math.isinf, values)) and not any(map(math.isnan, values)):
        return metrics  # the common case, checked at a glance: nothing to change
    valid: dict[str, int | float] = {}
    for name, value in metrics.items():
        name = str(name)
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            problems.append(f"{path}: metric {name!r} is not a number ({_shown(value)}); ignored")
            continue
        if isinstance(value, int) and not -INT64 <= value < INT64:  # whole-number metrics are kept as Int64
            try:
                value = float(value)
            except OverflowError:
                problems.append(f"{path}: metric {name!r} is beyond the range of floating-point numbers; ignored")
                continue
            problems.append(f"{path}: metric {name!r} is an integer beyond 64 bits; kept as a float")
        if not math.isfinite(value):
            problems.append(f"{path}: metric {name!r} is not finite ({value}); ignored")
            value = math.nan
        valid[name] = value
    return valid


def _job_number(record: dict[str, Any], path: Path | str, problems: list[str]) -> int | None:
    job = _mapping(record, "job", path, problems, "the job number is taken from Hydra's files")
    num = job.get("num")
    if num is None or sane_job_number(num):
        return num
    problems.append(f"{path}: field 'job.num' is not a job number ({_shown(num)}); the job number is taken from Hydra's files")
    return None


def _overrides(record: dict[str, Any], path: Path | str, problems: list[str]) -> list[str] | None:
    overrides = record.get("overrides")
    if overrides is None:
        return []
    if isinstance(overrides, list) and (set(map(type, overrides)) <= TEXT or all(isinstance(item, str) for item in overrides)):
        return overrides
    problems.append(f"{path}: field 'overrides' is not a list of strings ({_shown(overrides)}); Hydra's overrides.yaml is read instead")
    return None


def _duration(record: dict[str, Any], path: Path | str, problems: list[str]) -> float:
    duration = record.get("duration")
    if duration is None:
        return math.nan
    if isinstance(duration, (int, float)) and not isinstance(duration, bool):
        try:
            seconds = float(duration)
        except OverflowError:
            seconds = math.inf
        if math.isfinite(seconds) and seconds >= 0:
            return seconds
    problems.append(f"{path}: field 'duration' is not a number of seconds ({_shown(duration)}); the duration is unknown")
    return math.nan


def _mapping(record: dict[str, Any], field: str, path: Path | str, problems: list[str], consequence: str) -> dict[str, Any]:
    value = record.get(field)
    if value is None:
        return {}
    if isinstance(value, dict):
        return value
    problems.append(f"{path}: field {field!r} is not a mapping ({_shown(value)}); {consequence}")
    return {}


def _text(record: dict[str, Any], field: str, path: Path | str, problems: list[str], prefix: str = "") -> str | None:
    value = record.get(field)
    if value is None or isinstance(value, str):
        return value
    problems.append(f"{path}: field '{prefix}{field}' is not a string ({_shown(value)}); ignored")
    return None


def _json_text(value: list[Any] | dict[str, Any]) -> str:
    try:
        return json.dumps(value, ensure_ascii=False)
    except (RecursionError, ValueError):
        return "[…]" if isinstance(value, list) else "{…}"


def _shown(value: Any) -> str:
    """A rejected value as a note quotes it: its repr, cut short."""
    try:
        text = repr(value)
    except (RecursionError, ValueError):
        text = f"a {type(value).__name__}"
    return text if len(text) <= SHOWN else text[: SHOWN - 1] + "…"
