"""The cost section: the cheapest configuration as good as the pick, and the Pareto-optimal table."""

from __future__ import annotations

from dataclasses import dataclass

from report.analysis.cost import CostInfo
from report.formatting import format_number

RATIO_WORDS = {"time": "{ratio}x faster", "size": "{ratio}x smaller", "other": "{ratio}x cheaper"}
VERBS = {"time": "runs", "size": "is", "other": "is"}


@dataclass(frozen=True)
class ParetoRow:
    group: int
    objective: str
    interval: str | None
    cost: str
    p_best: str
    credible: bool
    pick: bool


@dataclass(frozen=True)
class CostView:
    cost: str  # the cost measure's name
    reason: str  # why it was chosen
    alternative: str | None  # the summary's sentence naming a cheaper configuration as good as the pick
    command: str | None  # reproduces that configuration
    figure: str | None
    sampled: str | None  # what the figure leaves out, where it draws a sample
    rows: list[ParetoRow]  # the Pareto-optimal configurations, cheapest first
    objective: str


def cost_view(info: CostInfo, figure: str | None, command: str | None) -> CostView:
    by_group = {configuration.group: configuration for configuration in info.configurations}
    alternative = None
    if info.cheaper is not None and info.ratio is not None:
        cheaper, pick = by_group[info.cheaper], by_group[info.pick]
        ratio = RATIO_WORDS[info.cost.kind].format(ratio=format_number(info.ratio, 2))
        alternative = (
            f"Configuration {cheaper.group} is as good within noise (P(best) {cheaper.p_best:.2f}) and {VERBS[info.cost.kind]} {ratio}: "
            f"{info.cost.name} {format_number(cheaper.cost, 3)} against {format_number(pick.cost, 3)} for the pick, "
            f"{info.target.name} {format_number(cheaper.objective)} against {format_number(pick.objective)}."
        )
    rows = [
        ParetoRow(
            group=configuration.group,
            objective=format_number(configuration.objective),
            interval=None if configuration.low is None else f"{format_number(configuration.low)} – {format_number(configuration.high)}",
            cost=format_number(configuration.cost, 3),
            p_best=f"{configuration.p_best:.2f}",
            credible=configuration.credible,
            pick=configuration.group == info.pick,
        )
        for configuration in info.configurations
        if configuration.pareto
    ]
    total, drawn = len(info.configurations), len(info.drawn)
    sampled = None if drawn == total else f"{drawn:,} of {total:,} configurations are drawn: the Pareto front, the credible set and a random sample."
    return CostView(info.cost.name, info.cost.reason, alternative, command if alternative else None, figure, sampled, rows, info.target.name)
