"""Optimisation history: the objective in job order and the best so far."""

from __future__ import annotations

import matplotlib.pyplot as plt
from matplotlib.ticker import MaxNLocator

from report.figures.style import MANY_POINTS, Scale, label, objective_label, to_data_uri
from report.analysis.history import History


def draw_history(info: History, objective: str, direction: str) -> str:
    return to_data_uri(history_figure(info, objective, direction), "png" if len(info.jobs) > MANY_POINTS else "svg")


def history_figure(info: History, objective: str, direction: str) -> plt.Figure:
    """The figure before it is encoded, so that its axes can be checked."""
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
