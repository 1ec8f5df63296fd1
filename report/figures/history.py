"""Optimisation history: the objective in job order and the best so far."""

from __future__ import annotations

import matplotlib.pyplot as plt
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from report.analysis.history import History
from report.figures.style import MANY_POINTS, Scale, label, objective_label, styled


@styled
def draw_history(info: History, objective: str, direction: str) -> Figure:
    """Each scored run's value in job order (a PathCollection) and the best so far (the Line2D
    labelled `best so far`, a step drawn after each job)."""
    figure, axis = plt.subplots(figsize=(9, 3.2))
    scale = Scale(info.values)
    axis.scatter(info.jobs, scale(info.values), s=8, color="#8aa4c8", label=label(objective))
    axis.step(info.jobs, scale(info.best_so_far), where="post", color="#1f3b73", lw=2, label="best so far")
    axis.xaxis.set_major_locator(MaxNLocator(integer=True))  # job numbers are whole
    axis.set_xlabel("job number")
    axis.set_ylabel(objective_label(objective, direction, scale))
    axis.legend(loc="best")
    axis.grid(alpha=0.3)
    figure.tight_layout()
    return figure


def history_format(info: History) -> str:
    """PNG past MANY_POINTS runs: an SVG would grow a node per point."""
    return "png" if len(info.jobs) > MANY_POINTS else "svg"
