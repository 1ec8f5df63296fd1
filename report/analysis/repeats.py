"""How much a configuration's score moves between repeats (seeds), as plain data to draw."""

from __future__ import annotations

from typing import Any, NamedTuple

import pandas as pd

from report.analysis.ranking import group_ids, is_scored


class ConfigRepeats(NamedTuple):
    group: int
    rank: int
    params: list[tuple[str, Any]]  # (name, value) of each parameter, as in the ranking
    values: list[float]  # the objective of each repeat, in job order
    mean: float
    ci_low: float
    ci_high: float


class RepeatVariance(NamedTuple):
    top: list[ConfigRepeats]  # the best configurations, best first
    spreads: list[float]  # within-configuration standard deviation, one per configuration with n >= 2
    max_repeats: int


def repeat_variance(
    runs: pd.DataFrame, ranking: pd.DataFrame, params: list[str], objective: str, top: int = 10
) -> RepeatVariance:
    """Every repeat of the `top` best configurations, and the spread of all configurations. Only
    the best configurations' runs are gathered: a list per configuration would take seconds in a
    sweep of 100,000."""
    best = ranking[ranking["n"] > 0].head(top).to_dict("records")  # records keep each column's type
    groups = group_ids(runs, params)
    shown = is_scored(runs, objective) & groups.isin([row["group"] for row in best])
    values_by_group = runs.loc[shown, objective].groupby(groups[shown]).agg(list)
    return RepeatVariance(
        top=[
            ConfigRepeats(
                int(row["group"]), int(row["rank"]), [(name, row[name]) for name in params],
                values_by_group[row["group"]], row["mean"], row["ci_low"], row["ci_high"],
            )
            for row in best
        ],
        spreads=ranking.loc[ranking["n"] >= 2, "std"].tolist(),
        max_repeats=int(ranking["n"].max()) if len(ranking) else 0,
    )
