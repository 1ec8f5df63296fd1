"""Objective against cost per configuration, with the Pareto front and the credible set marked."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure

from report.analysis.cost import CostInfo
from report.figures.style import MANY_POINTS, label, log_axis, objective_label, styled

LOG_SPAN = 100  # costs spanning this factor or more are drawn on a log axis


@styled
def draw_cost(info: CostInfo) -> Figure:
    """Each configuration's mean objective (with its 95% interval where repeated, an ErrorbarContainer
    labelled `configurations`) against its mean cost; the Pareto front as the Line2D labelled `Pareto
    front`; the credible set ringed (`as good as the best within noise`); the pick and the cheaper
    alternative named."""
    figure, axis = plt.subplots(figsize=(8, 4))
    configurations = info.drawn
    costs = np.array([configuration.cost for configuration in configurations])
    values = np.array([configuration.objective for configuration in configurations])
    low = np.array([np.nan if configuration.low is None else configuration.low for configuration in configurations])
    high = np.array([np.nan if configuration.high is None else configuration.high for configuration in configurations])
    errors = np.vstack([np.nan_to_num(values - low), np.nan_to_num(high - values)])
    axis.errorbar(costs, values, yerr=errors, fmt="o", ms=3, color="#8aa4c8", ecolor="#c5d3e6", lw=1, label="configurations")
    front = [configuration for configuration in configurations if configuration.pareto]
    axis.step([c.cost for c in front], [c.objective for c in front], where="post", color="#1f3b73", lw=1.5, label="Pareto front")
    credible = [configuration for configuration in configurations if configuration.credible]
    axis.scatter([c.cost for c in credible], [c.objective for c in credible], s=60, facecolors="none", edgecolors="#d95f02",
                 lw=1.2, label="as good as the best within noise")
    for group, text in ((info.pick, "pick"), (info.cheaper, "cheaper, as good")):
        chosen = next((c for c in configurations if c.group == group), None)
        if chosen is not None:
            axis.annotate(f"{text} ({group})", (chosen.cost, chosen.objective), xytext=(6, 6), textcoords="offset points", fontsize=8)
    if costs.min() > 0 and costs.max() / costs.min() >= LOG_SPAN:
        log_axis(axis, "x")
    axis.set_xlabel(f"{label(info.cost.name)} (mean per configuration)")
    axis.set_ylabel(objective_label(info.target.name, info.target.direction))
    axis.legend(loc="best", fontsize=8)
    axis.grid(alpha=0.3)
    figure.tight_layout()
    return figure


def cost_format(info: CostInfo) -> str:
    """PNG past MANY_POINTS configurations: an SVG would grow a node per point."""
    return "png" if len(info.drawn) > MANY_POINTS else "svg"
