"""Sweeps of one app side by side: how fast each strategy came close to the best anyone found."""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np
import pandas as pd

from report.analysis.history import best_so_far
from report.analysis.ranking import config_params, is_scored
from report.collect.sweep import Sweep
from report.options import SweepError

TOLERANCES = (0.01, 0.001)  # within 1% and 0.1% of the overall best


class Progress(NamedTuple):
    label: str
    evaluations: list[int]  # 1, 2, ... over the scored runs in job order
    compute_seconds: list[float]  # cumulative run time (all runs, failed ones too) at each scored run
    best_so_far: list[float]
    best_value: float
    best_params: dict[str, Any]
    runs: int
    reached: dict[float, int | None]  # tolerance -> evaluations needed, None if never
    reached_seconds: dict[float, float | None]


class Comparison(NamedTuple):
    objective: str
    direction: str
    overall_best: float
    sweeps: list[Progress]


def strategy_of(sweep: Sweep) -> str:
    """`grid` for Hydra's basic sweeper, else the sweeper's name with its sampler (`skopt gp`)."""
    if sweep.sweeper is None:
        return "unknown sweeper"
    if sweep.sweeper.endswith("BasicSweeper"):
        return "grid"
    name = sweep.sweeper.rsplit(".", 1)[-1].removesuffix("Sweeper").lower()
    return " ".join(filter(None, [name, sweep.sampler]))


def close_enough(value: float, best: float, tolerance: float, direction: str) -> bool:
    margin = abs(best) * tolerance
    return value <= best + margin if direction == "min" else value >= best - margin


def compare_sweeps(sweeps: list[Sweep], labels: list[str]) -> Comparison:
    """Best-so-far curves of every sweep on the first sweep's objective and direction."""
    objective, direction = sweeps[0].objective, sweeps[0].direction
    for sweep in sweeps:
        if objective is None or objective not in sweep.metrics:
            raise SweepError(f"{sweep.directory}: has no metric {objective!r} to compare on (metrics: {', '.join(sweep.metrics) or 'none'})")
    curves = [_best_so_far(sweep, objective, direction) for sweep in sweeps]
    bests = [curve["best"].iloc[-1] for curve in curves if len(curve)]
    if not bests:
        raise SweepError("none of the sweeps has a scored run to compare")
    overall = min(bests) if direction == "min" else max(bests)
    progress = [
        _progress(label, sweep, curve, objective, direction, overall)
        for label, sweep, curve in zip(labels, sweeps, curves)
    ]
    return Comparison(objective, direction, float(overall), progress)


def _best_so_far(sweep: Sweep, objective: str, direction: str) -> pd.DataFrame:
    runs = sweep.runs.sort_values("job", kind="stable")
    seconds = runs["duration"].fillna(0).cumsum()
    scored = is_scored(runs, objective)
    values = runs.loc[scored, objective]
    return pd.DataFrame({"value": values, "best": best_so_far(values, direction), "seconds": seconds[scored]})


def _progress(label: str, sweep: Sweep, curve: pd.DataFrame, objective: str, direction: str, overall: float) -> Progress:
    evaluations = np.arange(1, len(curve) + 1)
    reached, reached_seconds = {}, {}
    for tolerance in TOLERANCES:
        hits = np.flatnonzero([close_enough(value, overall, tolerance, direction) for value in curve["best"]])
        reached[tolerance] = int(evaluations[hits[0]]) if len(hits) else None
        reached_seconds[tolerance] = float(curve["seconds"].iloc[hits[0]]) if len(hits) else None
    best_params: dict[str, Any] = {}
    if len(curve):
        best_row = sweep.runs.loc[curve["value"].idxmin() if direction == "min" else curve["value"].idxmax()]
        best_params = {name: best_row[name] for name in config_params(sweep.params, sweep.repeat_key)}
    return Progress(
        label=label,
        evaluations=evaluations.tolist(),
        compute_seconds=curve["seconds"].tolist(),
        best_so_far=curve["best"].tolist(),
        best_value=float(curve["best"].iloc[-1]) if len(curve) else float("nan"),
        best_params=best_params,
        runs=len(sweep.runs),
        reached=reached,
        reached_seconds=reached_seconds,
    )
