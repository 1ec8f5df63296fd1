"""The page's header: where the sweep is, how it ran, what it optimised, and its best configuration."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from report.collect.sweep import Sweep
from report.formatting import better_word, format_duration, format_exact, format_number, format_value

STATUSES = ("completed", "failed", "missing", "unknown", "unreadable")


@dataclass(frozen=True)
class HeaderView:
    directory: str
    app_name: str
    sweeper: str
    launcher: str
    command: str
    runs: int
    counts: dict[str, int]  # runs per status
    compute_time: str
    fixed: list[tuple[str, str]]  # overrides every job shares
    stopped: str | None  # why the sweeper ended short of its trials


@dataclass(frozen=True)
class ObjectiveView:
    name: str | None
    better: str
    reason: str
    metrics: list[str]
    change: str  # the command that ranks by another metric or direction
    repeat_key: str | None


@dataclass(frozen=True)
class BestView:
    group: int
    params: list[tuple[str, str]]
    n: int
    mean: str
    interval: tuple[str, str] | None
    metrics: list[tuple[str, str]]
    command: str


def header_view(sweep: Sweep) -> HeaderView:
    counts = sweep.runs["status"].value_counts()
    stopped = sweep.stopped
    return HeaderView(
        directory=str(sweep.directory),
        app_name=sweep.app_name or "unknown",
        sweeper=sweep.sweeper or "unknown",
        launcher=sweep.launcher or "unknown",
        command=sweep.command or "not recorded (the sweep ran without the recording callback)",
        runs=len(sweep.runs),
        counts={status: int(counts.get(status, 0)) for status in STATUSES},
        compute_time=format_duration(float(sweep.runs["duration"].sum(min_count=1))),
        fixed=[(name, format_value(value)) for name, value in sweep.fixed.items()],
        stopped=stopped and f"The sweeper stopped early, after {stopped.at_trial} of {stopped.n_trials} trials: {stopped.reason}",
    )


def objective_view(sweep: Sweep) -> ObjectiveView:
    other = "max" if sweep.direction == "min" else "min"
    return ObjectiveView(
        name=sweep.objective,
        better=better_word(sweep.direction),
        reason=sweep.direction_reason,
        metrics=sweep.metrics,
        change=f"sweep-report {sweep.directory} --metric NAME --mode {other}",
        repeat_key=sweep.repeat_key,
    )


def best_view(ranking: pd.DataFrame, params: list[str], objective: str, other_metrics: list[str], command: str) -> BestView | None:
    """The top configuration with its values at full precision, as the notebook printed them."""
    if ranking.empty or ranking["n"].iloc[0] == 0:
        return None
    best = ranking.to_dict("records")[0]  # a record keeps each column's type; a row Series would not
    return BestView(
        group=int(best["group"]),
        params=[(name, format_value(best[name])) for name in params],
        n=int(best["n"]),
        mean=format_exact(best["mean"]),
        interval=None if pd.isna(best["ci_low"]) else (format_number(best["ci_low"]), format_number(best["ci_high"])),
        metrics=[(objective, format_exact(best["mean"])), *((name, format_exact(best[name])) for name in other_metrics)],
        command=command,
    )
