"""Figures drawn from the analysis' plain data with matplotlib; nothing here computes a statistic.

Each drawer takes its part of the analysis (and the objective's name and direction, for labels)
and returns a matplotlib Figure, styled, for a notebook to show or a test to inspect; `embed`
turns one into the page's image. `report.figures.draw.draw_figures` does both for a report.
"""

from report.figures.clustermap import draw_clustermap
from report.figures.compare import draw_best_so_far
from report.figures.cost import draw_cost
from report.figures.dependence import draw_curves, draw_surfaces
from report.figures.embed import embed
from report.figures.history import draw_history
from report.figures.importance import draw_importance
from report.figures.repeats import draw_repeat_variance

__all__ = [
    "draw_best_so_far",
    "draw_clustermap",
    "draw_cost",
    "draw_curves",
    "draw_history",
    "draw_importance",
    "draw_repeat_variance",
    "draw_surfaces",
    "embed",
]
