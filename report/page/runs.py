"""The runs table: the sweep's jobs with their status, parameters, metrics and error.

A sweep of up to FULL_TABLE runs lists every one. A larger one lists every run that did not
complete (failed, unreadable, missing: what needs looking at) and the BEST_SHOWN best completed
ones, and the page says that results.csv holds them all: 100,000 rows would make the page weigh
tens of megabytes and take seconds to render, for rows nobody reads in a browser.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from report.collect.sweep import Sweep
from report.columns import DURATION, JOB, JOB_DIR, STATUS
from report.formatting import format_duration, format_number, format_param, format_value
from report.page.cells import CONFIGURATION, MAX_COLUMNS, MAX_METRIC_COLUMNS, METRICS, short_overrides, word_parts

FULL_TABLE = 1000  # runs a sweep may have for the table to list every one
BEST_SHOWN = 200  # completed runs listed, best first, past FULL_TABLE


@dataclass(frozen=True)
class RunRow:
    status: str
    cells: list[str]
    titles: list[str | None]  # a parameter's full value on hover, where its cell shortens it
    wrap: list[bool]  # cells of a shared column, whose text may wrap
    duration: str | None  # seconds to sort by, where the cell reads "4 min 05 s"
    error: str | None
    traceback: str | None


@dataclass(frozen=True)
class RunsView:
    headers: list[list[str]]
    rows: list[RunRow]
    total: int  # runs in the sweep: more than the rows where the table lists a selection
    best: int | None  # completed runs listed where the table lists a selection; None where it lists every run


def runs_view(sweep: Sweep) -> RunsView:
    """The jobs of `shown_runs`; the directory column only where it says more than the job number."""
    runs, best = shown_runs(sweep)
    dir_is_number = (runs[JOB_DIR] == runs[JOB].astype("string")).all()
    names = [JOB, STATUS] if dir_is_number else [JOB, JOB_DIR, STATUS]
    params = sweep.params if len(sweep.params) <= MAX_COLUMNS else [CONFIGURATION]
    names += [*params, *(sweep.metrics if len(sweep.metrics) <= MAX_METRIC_COLUMNS else [METRICS]), DURATION]
    rows = []
    for record in runs.to_dict("records"):
        record[CONFIGURATION] = short_overrides(record, sweep.params)
        record[METRICS] = " ".join(f"{metric}={format_number(record[metric])}" for metric in sweep.metrics)
        rows.append(RunRow(
            status=record[STATUS],
            cells=[_run_cell(name, record[name], sweep.params) for name in names],
            titles=[_full_value(record[name]) if name in sweep.params else None for name in names],
            wrap=[name in (CONFIGURATION, METRICS) for name in names],
            duration=f"{record[DURATION]:.3f}" if record[DURATION] >= 60 else None,
            error=None if pd.isna(record["error"]) else f"{record['error_type']}: {record['error']}",
            traceback=None if pd.isna(record["traceback"]) else record["traceback"],
        ))
    return RunsView(headers=[word_parts(name.strip()) for name in [*names, "error"]], rows=rows, total=len(sweep.runs), best=best)


def shown_runs(sweep: Sweep) -> tuple[pd.DataFrame, int | None]:
    """Every run, up to FULL_TABLE of them; past it, in job order, every run that did not complete
    and the BEST_SHOWN best by the objective (the first ones without one), with how many of those."""
    runs = sweep.runs
    if len(runs) <= FULL_TABLE:
        return runs, None
    completed = runs[STATUS].eq("completed")
    if sweep.objective is None:
        best = runs.index[completed][:BEST_SHOWN]
    else:
        scores = runs.loc[completed & runs[sweep.objective].notna(), sweep.objective]
        best = scores.sort_values(ascending=sweep.direction == "min", kind="stable").index[:BEST_SHOWN]
    return runs[~completed | runs.index.isin(best)], len(best)


def _run_cell(name: str, value: Any, params: list[str]) -> str:
    if name == DURATION:
        return format_duration(value)
    if name in (JOB_DIR, STATUS, CONFIGURATION, METRICS):
        return format_value(value)
    return format_param(value) if name in params else format_number(value)


def _full_value(value: Any) -> str | None:
    """A parameter's full value for the hover title, where the cell shows it shortened."""
    full = format_value(value)
    return full if full != format_param(value) else None
