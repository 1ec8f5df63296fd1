"""The recommendation section: the verdict, the noise check and the evidence for the top configurations."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from report.analysis.recommend import Recommendation
from report.formatting import MISSING, format_number
from report.page.cells import overrides_text, short_overrides
from report.page.verdict import verdict_text

EVIDENCE_ROWS = 8  # configurations, best estimate first, beside the pick and the best observed
MAX_NOISIER = 8  # noisier configurations named


@dataclass(frozen=True)
class EvidenceRow:
    group: int
    params: str
    params_exact: str
    n: int
    mean: str
    estimate: str
    bound: str
    p_best: str
    neighbourhood: str
    drop: str
    isolated: bool  # a spike among poorer neighbours


@dataclass(frozen=True)
class RecommendationView:
    verdict: str
    command: str  # reproduces the pick
    method: str
    noise_sd: str | None
    model_noise_sd: str | None
    noisier: list[str]  # the first MAX_NOISIER of them
    noisier_count: int
    between_sd: str
    icc: str | None
    icc_share: str | None
    rows: list[EvidenceRow]
    grid: bool  # neighbourhoods were computed (a grid)
    objective: str


def recommendation_view(advice: Recommendation, ranking: pd.DataFrame, params: list[str], objective: str, command: str) -> RecommendationView:
    """The plain-language verdict, the noise check and the evidence for the top configurations."""
    by_group = {record["group"]: record for record in ranking.to_dict("records")}  # records keep types
    shown = list(dict.fromkeys([advice.pick, advice.top, *advice.ranked[:EVIDENCE_ROWS]]))
    return RecommendationView(
        verdict=verdict_text(advice, by_group),
        command=command,
        method=advice.method,
        noise_sd=None if advice.noise_sd is None else format_number(advice.noise_sd, 2),
        model_noise_sd=None if advice.model_noise_sd is None else format_number(advice.model_noise_sd, 2),
        noisier=_noisier(advice, by_group, params),
        noisier_count=len(advice.noisier),
        between_sd=format_number(advice.between_sd, 2),
        icc=None if advice.icc is None else f"{advice.icc:.2f}",
        icc_share=None if advice.icc is None else f"{advice.icc:.0%}",
        rows=[_evidence_row(advice, by_group[group], params) for group in shown],
        grid=bool(advice.neighbourhoods),
        objective=objective,
    )


def _evidence_row(advice: Recommendation, record: dict[str, Any], params: list[str]) -> EvidenceRow:
    group = record["group"]
    hood = advice.neighbourhoods.get(group)
    return EvidenceRow(
        group=group,
        params=short_overrides(record, params),
        params_exact=overrides_text(record, params),
        n=int(record["n"]),
        mean=format_number(record["mean"]),
        estimate=format_number(advice.estimate.get(group)),
        bound=format_number(advice.bound.get(group)),
        p_best=f"{advice.p_best.get(group, 0.0):.2f}",
        neighbourhood=MISSING if hood is None else format_number(hood.mean),
        drop=MISSING if hood is None else format_number(hood.drop),
        isolated=bool(hood and hood.isolated),
    )


def _noisier(advice: Recommendation, by_group: dict[int, dict[str, Any]], params: list[str]) -> list[str]:
    """The configurations whose seed noise is several times the quieter ones', as overrides, with
    their σ: measured from their repeats, or as the model learnt it."""
    return [
        f"{group}: {short_overrides(by_group[group], params)} (σ {format_number(advice.model_noise_sds.get(group, by_group[group]['std']), 2)})"
        for group in advice.noisier[:MAX_NOISIER]
    ]
