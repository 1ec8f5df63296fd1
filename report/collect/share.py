"""A share of a sweep's job directories walked, read and turned into columns, so that a large sweep
is read on two cores: at 100,000 jobs reading took 2 of the collector's 3 seconds, one system call
and one JSON document per file at a time. A share forked off sends back only its columns (plain
lists, which pickle in milliseconds, where 50,000 rows of mappings took 0.7 s), with what is needed
to join them in the order one pass would give: each name's first job, and each column's kind.
"""

from __future__ import annotations

import itertools
import operator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from report.collect.jobs import Row, read_job
from report.jobfiles import jobs_below

JobOrder = tuple[bool, int, str]  # rows follow Hydra's job numbers; jobs without one come last, by directory
PROGRESS_STEP = 64  # jobs read between two calls of a share's progress callback
FIELDS = tuple(name for name in Row._fields if name not in ("params", "metrics"))


@dataclass
class Named:
    """A mapping per job (parameters or metrics) as columns: each name's value per job, None where
    the job has none, in the order one pass over every job in job order would first meet them."""

    values: dict[str, list[Any]]
    first: dict[str, tuple[JobOrder, int]]  # each name's first job and its place among that job's names
    kinds: dict[str, str]  # see _value_kind


@dataclass
class Share:
    """Some of a sweep's jobs, read and sorted in job order."""

    job_dirs: list[str]  # as walked: top-down, sorted
    unreadable: list[tuple[Path, str]]  # directories that could not be listed, and why
    problems: list[str]  # what is wrong with the jobs' files, in the order they were read
    order: list[JobOrder]  # each row's place in job order, ascending
    fields: dict[str, list[Any]]  # Row's fields other than params and metrics, a list each
    params: Named
    metrics: Named


def read_share(
    directory: Path, base: str, names: list[str], crowded: bool, metrics_file: str | None, read: Callable[[int, int], None] = lambda done, total: None
) -> Share:
    """The jobs at and below `names` (some of the sweep's top subdirectories, see `jobs_below`);
    `base` is the sweep directory as job paths start; `read(done, total)` follows the reading,
    every PROGRESS_STEP jobs."""
    unreadable: list[tuple[Path, str]] = []
    problems: list[str] = []
    job_dirs = jobs_below(directory, names, crowded, metrics_file, unreadable)
    rows = []
    for job_dir in job_dirs:
        rows.append(read_job(base, job_dir, metrics_file, problems))
        if len(rows) % PROGRESS_STEP == 0 or len(rows) == len(job_dirs):
            read(len(rows), len(job_dirs))
    rows.sort(key=_job_order)
    order = [_job_order(row) for row in rows]
    columns = dict(zip(Row._fields, map(list, zip(*rows)))) if rows else {name: [] for name in Row._fields}
    params, metrics = columns.pop("params"), columns.pop("metrics")
    return Share(job_dirs, unreadable, problems, order, columns, _named(params, order), _named(metrics, order))


def _job_order(row: Row) -> JobOrder:
    return (row.job is None, row.job if row.job is not None else 0, row.job_dir)


def _named(mappings: list[dict[str, Any]], order: list[JobOrder]) -> Named:
    # Each distinct sequence of names (a sweep's jobs share a handful) with its first row: built
    # from the last row back, so that the first row's index is the one kept.
    distinct = dict(zip(map(tuple, reversed(mappings)), range(len(mappings) - 1, -1, -1)))
    first: dict[str, tuple[JobOrder, int]] = {}
    for keys, row in sorted(distinct.items(), key=lambda item: item[1]):
        for place, name in enumerate(keys):
            first.setdefault(name, (order[row], place))
    values = {name: [mapping.get(name) for mapping in mappings] for name in first}
    return Named(values, first, {name: _value_kind(column) for name, column in values.items()})


def _value_kind(values: list[Any]) -> str:
    """What a column's values are, None aside: "none" (all absent), "bool", "int" (whole numbers,
    not booleans), "float" (numbers, not booleans) or "object"."""
    types = set(map(type, values)) - {type(None)}
    if not types:
        return "none"
    if all(issubclass(kind, bool) for kind in types):
        return "bool"
    if any(issubclass(kind, bool) for kind in types):
        return "object"
    if all(issubclass(kind, int) for kind in types):
        return "int"
    return "float" if all(issubclass(kind, (int, float)) for kind in types) else "object"


def _joined_kind(kinds: list[str]) -> str:
    """The kind of a column joined from shares of these kinds."""
    present = set(kinds) - {"none"}
    if len(present) <= 1:
        return present.pop() if present else "none"
    return "float" if present <= {"int", "float"} else "object"


def join_shares(shares: list[Share]) -> Share:
    """The shares as one, its rows in job order: as one pass over every job would have read them."""
    if len(shares) == 1:
        return shares[0]
    order = [key for share in shares for key in share.order]
    rows = sorted(range(len(order)), key=order.__getitem__)  # shares are sorted runs: merged in one pass

    def joined(columns: list[list[Any]]) -> list[Any]:
        whole = list(itertools.chain.from_iterable(columns))
        return list(operator.itemgetter(*rows)(whole)) if len(rows) > 1 else whole

    return Share(
        job_dirs=[job_dir for share in shares for job_dir in share.job_dirs],
        unreadable=[entry for share in shares for entry in share.unreadable],
        problems=[problem for share in shares for problem in share.problems],
        order=list(map(order.__getitem__, rows)),
        fields={name: joined([share.fields[name] for share in shares]) for name in FIELDS},
        params=_joined_named([share.params for share in shares], [len(share.order) for share in shares], joined),
        metrics=_joined_named([share.metrics for share in shares], [len(share.order) for share in shares], joined),
    )


def _joined_named(parts: list[Named], lengths: list[int], joined: Callable[[list[list[Any]]], list[Any]]) -> Named:
    first: dict[str, tuple[JobOrder, int]] = {}
    for part in parts:
        for name, seen in part.first.items():
            first[name] = min(seen, first.get(name, seen))
    names = sorted(first, key=first.__getitem__)
    return Named(
        values={name: joined([part.values.get(name) or [None] * length for part, length in zip(parts, lengths)]) for name in names},
        first={name: first[name] for name in names},
        kinds={name: _joined_kind([part.kinds.get(name, "none") for part in parts]) for name in names},
    )
