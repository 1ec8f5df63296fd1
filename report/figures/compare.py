"""Best-so-far objective of several sweeps, against evaluations and against compute time."""

from __future__ import annotations

import matplotlib.pyplot as plt
from matplotlib.figure import Figure

from report.analysis.compare import Comparison
from report.figures.embed import embed
from report.figures.style import label, log_axis, styled
from report.formatting import better_word, encodable

MAX_NAME = 80  # characters of a sweep's label in the legend


def draw_comparison(info: Comparison) -> str:
    """The comparison page's figure as it embeds it: the counterpart of draw_figures for a
    report's figures, which is what report/build.py calls."""
    return embed(draw_best_so_far(info))


@styled
def draw_best_so_far(info: Comparison) -> Figure:
    """Each sweep's best so far as a step line labelled with the sweep, against evaluations (left)
    and compute time (right), both on log axes; the dotted line is the overall best."""
    figure, (by_count, by_time) = plt.subplots(1, 2, figsize=(11, 4), sharey=True)
    for progress in info.sweeps:
        name = encodable(progress.label)  # a path: shortened from the left, where its sweep's own name is
        name = name if len(name) <= MAX_NAME else "…" + name[1 - MAX_NAME:]
        by_count.step(progress.evaluations, progress.best_so_far, where="post", lw=2, label=name)
        by_time.step(progress.compute_seconds, progress.best_so_far, where="post", lw=2, label=name)
    for axis, title in ((by_count, "evaluations (scored runs)"), (by_time, "compute time (s, sum over runs)")):
        axis.axhline(info.overall_best, color="grey", ls=":", lw=1)
        log_axis(axis, "x")
        axis.set_xlabel(title)
        axis.grid(alpha=0.3)
    by_count.set_ylabel(f"best {label(info.objective)} so far ({better_word(info.direction)} is better)")
    by_count.legend(loc="best", fontsize=8)
    figure.tight_layout()
    return figure
