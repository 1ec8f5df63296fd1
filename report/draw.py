"""Draw every figure of a report from its analysis, with progress on the terminal."""

from __future__ import annotations

from typing import NamedTuple

import matplotlib.pyplot as plt
from tqdm.auto import tqdm

from report.analysis import Analysis
from report.figures import STYLE
from report.figures.clustermap import draw_clustermap
from report.figures.dependence import draw_curves, draw_surfaces
from report.figures.history import draw_history
from report.figures.importance import draw_importance
from report.figures.repeats import draw_repeat_variance


class Figures(NamedTuple):
    """Each figure as a `data:` URI, or None where the analysis had nothing to draw."""

    repeats: str
    clustermap_values: str | None
    clustermap_groups: str | None
    curves: str | None
    surfaces: str | None
    importance: str | None
    history: str | None


def draw_figures(analysis: Analysis, objective: str, direction: str, progress: bool = False) -> Figures:
    heatmap, dependence = analysis.heatmap, analysis.dependence
    jobs = {
        "repeats": lambda: draw_repeat_variance(analysis.repeats, objective, direction),
        "clustermap_values": heatmap and (lambda: draw_clustermap(heatmap, objective, direction, "value")),
        # Without annotations the group map would be the value map again.
        "clustermap_groups": heatmap and heatmap.annotate and (lambda: draw_clustermap(heatmap, objective, direction, "group")),
        "curves": dependence and (lambda: draw_curves(dependence, objective, direction)),
        "surfaces": dependence and dependence.surfaces and (lambda: draw_surfaces(dependence, objective, direction)),
        # Withheld shares (a surrogate that explains little) get no figure, only words.
        "importance": analysis.importance and analysis.importance.shares and (lambda: draw_importance(analysis.importance, objective)),
        "history": analysis.history and (lambda: draw_history(analysis.history, objective, direction)),
    }
    drawn = {}
    with plt.rc_context(STYLE), tqdm(total=sum(1 for job in jobs.values() if job), desc="Drawing figures", unit="figure", disable=not progress, delay=0.5) as bar:
        for name, job in jobs.items():
            drawn[name] = job() if job else None
            bar.update(1 if job else 0)
    return Figures(**drawn)
