"""Draw every figure of a report from its analysis, with progress on the terminal."""

from __future__ import annotations

import functools
from typing import Callable, NamedTuple

import matplotlib.pyplot as plt
from tqdm.auto import tqdm

from report.analysis.analyse import Analysis
from report.figures.clustermap import clustermap_format, draw_clustermap
from report.figures.cost import cost_format, draw_cost
from report.figures.dependence import curves_format, draw_curves, draw_surfaces
from report.figures.embed import embed, placeholder_uri
from report.figures.history import draw_history, history_format
from report.figures.importance import draw_importance
from report.figures.repeats import draw_repeat_variance
from report.forked import run_split


class Figures(NamedTuple):
    """Each figure as a `data:` URI, or None where the analysis had nothing to draw."""

    repeats: str
    clustermap_values: str | None
    clustermap_groups: str | None
    curves: str | None
    surfaces: str | None
    importance: str | None
    history: str | None
    cost: str | None
    notes: tuple[str, ...] = ()  # figures that could not be drawn, and why: for the report's problems


NAMES = {
    "repeats": "repeat-variance", "clustermap_values": "clustermap", "clustermap_groups": "group-id clustermap",
    "curves": "partial-dependence", "surfaces": "two-parameter dependence", "importance": "importance", "history": "history", "cost": "cost",
}
# Drawn in a forked child while this process draws the rest: about half the drawing time.
ASIDE = ("clustermap_values", "clustermap_groups", "surfaces")


def draw_figures(analysis: Analysis, objective: str, direction: str, progress: bool = False) -> Figures:
    """Each figure drawn from its part of the analysis, then embedded. The drawers apply STYLE
    themselves (see `styled`), so nothing here sets it."""
    clustermap, dependence, history = analysis.clustermap, analysis.dependence, analysis.history
    jobs = {
        "repeats": lambda: embed(draw_repeat_variance(analysis.repeats, objective, direction)),
        "clustermap_values": clustermap and (lambda: embed(draw_clustermap(clustermap, objective, direction, "value"), clustermap_format(clustermap))),
        # Without annotations the group map would be the value map again.
        "clustermap_groups": clustermap and clustermap.annotate and (
            lambda: embed(draw_clustermap(clustermap, objective, direction, "group"), clustermap_format(clustermap))
        ),
        "curves": dependence and (lambda: embed(draw_curves(dependence, objective, direction), curves_format(dependence))),
        "surfaces": dependence and dependence.surfaces and (lambda: embed(draw_surfaces(dependence, objective, direction))),
        # Withheld shares (a surrogate that explains little) get no figure, only words.
        "importance": analysis.importance and analysis.importance.shares and (lambda: embed(draw_importance(analysis.importance, objective))),
        "history": history and (lambda: embed(draw_history(history, objective, direction), history_format(history))),
        "cost": analysis.cost and (lambda: embed(draw_cost(analysis.cost), cost_format(analysis.cost))),
    }
    todo = {name: functools.partial(_draw_or_explain, NAMES[name], job) for name, job in jobs.items() if job}
    with tqdm(total=len(todo), desc="Drawing figures", unit="figure", disable=not progress, delay=0.5) as bar:
        drawn = run_split(todo, ASIDE, lambda name: bar.update(1))
    notes = tuple(note for uri, note in drawn.values() if note)
    return Figures(**{name: drawn[name][0] if name in drawn else None for name in jobs}, notes=notes)


def _draw_or_explain(name: str, job: Callable[[], str]) -> tuple[str, str | None]:
    """The figure; or, where data beyond what can be drawn breaks it, a placeholder saying so, and a
    note: the rest of the report stands without it."""
    before = set(plt.get_fignums())
    try:
        return job(), None
    except Exception as error:  # noqa: BLE001 - one figure must never cost the whole report
        for number in set(plt.get_fignums()) - before:  # only the figures this one left open
            plt.close(number)
        reason = (str(error).strip().splitlines() or [""])[0][:200]
        note = f"The {name} figure is left out: it could not be drawn from this sweep's values ({type(error).__name__}: {reason})."
        return placeholder_uri(f"The {name} figure could not be drawn: see the problems listed at the top."), note
