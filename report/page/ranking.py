"""The ranking table: one row per configuration, best first, as cells the template prints."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from report.columns import CI_HIGH, CI_LOW, GROUP, MEAN, N_SCORED, RANK, RUNS_FAILED, RUNS_TOTAL
from report.formatting import MISSING, format_exact, format_number, format_param
from report.page.cells import (
    CONFIGURATION,
    MAX_COLUMNS,
    MAX_METRIC_COLUMNS,
    OTHER_METRICS,
    Cell,
    overrides_text,
    short_overrides,
    word_parts,
)

RANKING_ROWS = 50  # the rest are in results.csv, by group id
SPREAD = [("std", "std"), ("ci", "95% CI"), ("min", "min"), ("max", "max")]


@dataclass(frozen=True)
class RankingRow:
    group: int
    cells: list[Cell]
    overrides: str  # the configuration as overrides, to copy


@dataclass(frozen=True)
class RankingView:
    headers: list[list[str]]  # each header cut where it may wrap
    rows: list[RankingRow]
    total: int  # configurations ranked
    hidden: int  # configurations left out of the page (in results.csv)


def ranking_view(ranking: pd.DataFrame, params: list[str], objective: str, other_metrics: list[str], shown: int = RANKING_ROWS) -> RankingView:
    """The ranking's rows as cells. Spread columns (std, interval, min, max) only where some
    configuration was repeated: with one run each they repeat the mean or are empty, and a
    table narrow enough for the page is worth more than columns that say nothing. Past
    MAX_COLUMNS parameters (MAX_METRIC_COLUMNS other metrics) they share one wrapping column,
    so that the table still fits the page and the mean stays in view."""
    repeated = bool((ranking[N_SCORED] >= 2).any())
    param_columns = [(name, name) for name in params] if len(params) <= MAX_COLUMNS else [(CONFIGURATION, "configuration")]
    metric_columns = (
        [(name, f"mean {name}") for name in other_metrics] if len(other_metrics) <= MAX_METRIC_COLUMNS else [(OTHER_METRICS, "other metrics (mean)")]
    )
    columns = [
        (RANK, "rank"), (GROUP, "group"), *param_columns, (RUNS_TOTAL, "runs"), (RUNS_FAILED, "failed"),
        (N_SCORED, "n"), (MEAN, f"mean {objective}"), *(SPREAD if repeated else []), *metric_columns,
    ]
    rows = [
        RankingRow(
            group=int(record[GROUP]),
            cells=[_column_cell(name, record, params, other_metrics) for name, _ in columns],
            overrides=overrides_text(record, params),
        )
        for record in ranking.head(shown).to_dict("records")
    ]
    headers = [word_parts(header) for _, header in [*columns, ("", "overrides")]]
    return RankingView(headers=headers, rows=rows, total=len(ranking), hidden=max(0, len(ranking) - shown))


def _column_cell(name: str, record: dict[str, Any], params: list[str], other_metrics: list[str]) -> Cell:
    if name == "ci":
        return _interval_cell(record)
    if name == CONFIGURATION:
        return Cell(short_overrides(record, params), overrides_text(record, params), wrap=True)
    if name == OTHER_METRICS:
        return Cell(" ".join(f"{metric}={format_number(record[metric])}" for metric in other_metrics), wrap=True)
    value = record[name]
    return Cell(format_param(value) if name in params else format_number(value), format_exact(value) if isinstance(value, float) else None)


def _interval_cell(record: dict[str, Any]) -> Cell:
    if pd.isna(record[CI_LOW]):
        return Cell(MISSING)
    return Cell(
        f"{format_number(record[CI_LOW])} – {format_number(record[CI_HIGH])}",
        f"{format_exact(record[CI_LOW])} to {format_exact(record[CI_HIGH])}",
    )
