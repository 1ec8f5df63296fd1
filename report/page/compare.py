"""The comparison page: each sweep's best and how many evaluations it needed to come close."""

from __future__ import annotations

from dataclasses import dataclass

from report.analysis.compare import TOLERANCES, Comparison, strategy_of
from report.collect.sweep import Sweep
from report.formatting import MISSING, better_word, format_duration, format_exact, format_number, format_value


@dataclass(frozen=True)
class SweepRow:
    directory: str
    strategy: str
    runs: int
    best: str
    best_exact: str
    params: list[tuple[str, str]]
    reached: list[tuple[str, str]]  # per tolerance: evaluations and compute time to come within it


@dataclass(frozen=True)
class ComparisonView:
    objective: str
    better: str
    overall_best: str
    tolerances: list[str]
    figure: str
    sweeps: list[SweepRow]


def comparison_view(comparison: Comparison, sweeps: list[Sweep], figure: str) -> ComparisonView:
    return ComparisonView(
        objective=comparison.objective,
        better=better_word(comparison.direction),
        overall_best=format_exact(comparison.overall_best),
        tolerances=[f"{tolerance:.1%}".replace(".0%", "%") for tolerance in TOLERANCES],
        figure=figure,
        sweeps=[
            SweepRow(
                directory=str(sweep.directory),
                strategy=strategy_of(sweep),
                runs=progress.runs,
                best=format_number(progress.best_value, 6),
                best_exact=format_exact(progress.best_value),
                params=[(name, format_value(value)) for name, value in progress.best_params.items()],
                reached=[
                    (
                        "not reached" if progress.reached[tolerance] is None else str(progress.reached[tolerance]),
                        MISSING if progress.reached_seconds[tolerance] is None else format_duration(progress.reached_seconds[tolerance]),
                    )
                    for tolerance in TOLERANCES
                ],
            )
            for sweep, progress in zip(sweeps, comparison.sweeps)
        ],
    )
