"""The figures' sections: each figure with the caption and notes that say how to read it."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from report.analysis.analyse import Analysis
from report.analysis.dependence import Dependence
from report.analysis.importance import MIN_R2, Importance
from report.analysis.repeats import RepeatVariance
from report.analysis.surrogate import REFITS
from report.figures.draw import Figures
from report.formatting import format_number

MAX_LISTED = 8  # values named in a note before "and N more"


@dataclass(frozen=True)
class RepeatsView:
    figure: str
    max_repeats: int
    configurations_with_repeats: int
    median_spread: str | None
    max_spread: str | None


@dataclass(frozen=True)
class ClustermapView:
    by_value: str  # figure annotated with values
    by_group: str  # the same, annotated with group ids
    rows: list[str]
    cols: list[str]
    order: str
    notes: list[str]


@dataclass(frozen=True)
class DependenceView:
    curves: str
    surfaces: str | None
    exact: bool  # from the grid itself, not from a surrogate model
    surrogate_r2: str | None
    pairs: list[str]
    failures: list[str]
    sample: str  # how many runs the surrogate learnt from, where it was a sample; else empty


@dataclass(frozen=True)
class ImportanceView:
    figure: str
    method: str
    case: str  # exact (full grid), withheld (the surrogate explains too little) or surrogate (with ranges)
    surrogate_r2: str | None
    min_r2: str
    refits: int
    rows: list[tuple[str, str, str | None]]  # parameter, share, range over refits
    interactions: str
    unbalanced: bool  # some grid cells failed


@dataclass(frozen=True)
class PicturesView:
    clustermap: ClustermapView | None
    single_param: str | None
    dependence: DependenceView | None
    importance: ImportanceView | None
    history: str | None


def repeats_view(info: RepeatVariance, figure: str) -> RepeatsView:
    spreads = pd.Series(info.spreads, dtype=float)
    return RepeatsView(
        figure=figure,
        max_repeats=info.max_repeats,
        configurations_with_repeats=len(info.spreads),
        median_spread=format_number(spreads.median()) if len(spreads) else None,
        max_spread=format_number(spreads.max()) if len(spreads) else None,
    )


def pictures_view(analysis: Analysis, figures: Figures) -> PicturesView:
    """The source documents' pictures with their captions."""
    clustermap, params = analysis.clustermap, analysis.space.params
    return PicturesView(
        clustermap=clustermap and ClustermapView(
            by_value=figures.clustermap_values,
            by_group=figures.clustermap_groups,
            rows=clustermap.rows,
            cols=clustermap.cols,
            order=clustermap.order,
            notes=clustermap.notes + (
                [] if clustermap.annotate else [f"{clustermap.values.size} cells are too many to annotate with values or group ids: read them in the ranking."]
            ),
        ),
        single_param=params[0] if len(params) == 1 else None,
        dependence=analysis.dependence and _dependence_view(analysis.dependence, figures),
        importance=analysis.importance and _importance_view(analysis.importance, figures, bool((analysis.ranking["n"] == 0).any())),
        history=figures.history,
    )


def _dependence_view(dependence: Dependence, figures: Figures) -> DependenceView:
    return DependenceView(
        curves=figures.curves,
        surfaces=figures.surfaces,
        exact=dependence.surrogate_r2 is None,
        surrogate_r2=None if dependence.surrogate_r2 is None else format_number(dependence.surrogate_r2, 2),
        pairs=[" × ".join(surface.params) for surface in dependence.surfaces],
        failures=dependence_failures(dependence),
        sample=dependence.sample,
    )


def _importance_view(importance: Importance, figures: Figures, unbalanced: bool) -> ImportanceView:
    return ImportanceView(
        figure=figures.importance,
        method=importance.method,
        case="exact" if importance.surrogate_r2 is None else "surrogate" if importance.shares else "withheld",
        surrogate_r2=None if importance.surrogate_r2 is None else format_number(importance.surrogate_r2, 2),
        min_r2=format_number(MIN_R2, 2),
        refits=REFITS,
        rows=[
            (name, f"{share:.1%}", None if importance.low is None else f"{importance.low[i]:.1%} – {importance.high[i]:.1%}")
            for i, (name, share) in enumerate(zip(importance.params, importance.shares))
        ],
        interactions=f"{max(0.0, 1 - sum(importance.shares)):.1%}",
        unbalanced=unbalanced,
    )


def dependence_failures(dependence: Dependence) -> list[str]:
    """Where the dependence figures show failed runs instead of values, in words."""
    notes = []
    exact = dependence.surrogate_r2 is None
    for curve in dependence.curves:
        counts = [(value, failed, total) for value, failed, total in zip(curve.x, curve.failed or [], curve.configurations or []) if failed]
        if not exact:  # the forest's value rests on the completed runs; only a value with none is missing
            counts = [(value, failed, total) for value, failed, total in counts if failed == total]
        if counts:
            more = f" and {len(counts) - MAX_LISTED} more values" if len(counts) > MAX_LISTED else ""
            if exact:
                at = ", ".join(
                    f"{format_number(value)} ({'all ' if failed == total else ''}{failed} of {total})" for value, failed, total in counts[:MAX_LISTED]
                )
                notes.append(f"{curve.param}: configurations failed at {at}{more}.")
            else:
                at = ", ".join(f"{format_number(value)} (all {total} runs)" for value, failed, total in counts[:MAX_LISTED])
                notes.append(f"{curve.param}: every run failed at {at}{more}, so the model has no value there; ✕ marks it.")
    if exact and notes:
        notes.append(
            "As configurations failed, the grid is unbalanced: each point of the curves is the main-effects estimate (a least-squares "
            "additive fit of the completed configurations' means, averaged over the full grid of the other parameters) rather than a mean "
            "over a different subset of them at each value. A hollow point marks a value where some failed; ✕ one where none completed."
        )
    for surface in dependence.surfaces:
        cells = sum(map(sum, surface.failed))
        if cells:
            where = "" if exact else " among the launched runs nearest to them"
            pair, total = " × ".join(surface.params), len(surface.x) * len(surface.y)
            notes.append(f"{pair}: {cells} of {total} cells have no completed run{where}, and are hatched as failed.")
    return notes
