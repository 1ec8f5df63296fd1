"""The figures' shared style and helpers: drawn from the analysis' plain data with matplotlib,
nothing here computes a statistic."""

from __future__ import annotations

import functools
import math
from typing import Any, Callable, ParamSpec, Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, LogFormatter

from report.formatting import better_word, format_number, short_text

# Applied around each drawing and each encoding (see `styled` and `embed`), never globally: the
# drawers also run in a user's notebook, whose own settings stay theirs. Names and values come
# from runs, so `$` is a dollar sign, never mathtext: every text of ours is plain too (no
# `$...$`, log ticks by LogFormatter).
STYLE = {"svg.fonttype": "none", "svg.hashsalt": "sweep-report", "figure.dpi": 100, "font.size": 9, "text.parse_math": False}
MAX_LABEL = 40  # characters of a name or value from a run in a figure; the tables keep it whole
SIDE_LABEL = 20  # characters of a name in a vertical axis or colour bar label
MAX_INCHES = 30  # neither side of a figure is longer (at 100 dpi: 3,000 pixels)
MAX_TICKS = 40  # labelled ticks on an axis of values; more are thinned out
HUGE = 1e100  # objective values beyond this are drawn divided by a power of ten, which the axis label states

BEST_CMAP = {"max": "viridis", "min": "viridis_r"}  # better is always the yellow end
MANY_POINTS = 300  # figures scattering more points are PNG: an SVG grows a node per point
FAILED_CELLS = {"hatch": "xx", "facecolor": "#d9d9d9", "edgecolor": "#8c8c8c"}  # no completed run: never coloured


Drawn = ParamSpec("Drawn")


def styled(drawer: Callable[Drawn, Figure]) -> Callable[Drawn, Figure]:
    """Run a drawer under STYLE. Around each drawer, not around its caller: matplotlib reads the
    settings as each artist is created (font size, mathtext off, dpi), so a figure drawn outside
    them - in a notebook, or by a test - would keep the user's style whatever `embed` does later."""

    @functools.wraps(drawer)
    def draw(*args: Drawn.args, **kwargs: Drawn.kwargs) -> Figure:
        with plt.rc_context(STYLE):
            return drawer(*args, **kwargs)

    return draw


def set_param_axis(axis, kind: str) -> None:
    """Log-scale parameters on a log x axis; the others as they are."""
    if kind == "log":
        log_axis(axis, "x")


def log_axis(axes, which: str) -> None:
    """A log scale whose tick labels are plain text (`1e−3`), as mathtext is off (see STYLE)."""
    axes.set_xscale("log") if which == "x" else axes.set_yscale("log")
    axis = axes.xaxis if which == "x" else axes.yaxis
    axis.set_major_formatter(LogFormatter(10))
    axis.set_minor_formatter(LogFormatter(10, labelOnlyBase=False))


def label(text: Any, limit: int = MAX_LABEL) -> str:
    """A name or value from a run as a figure shows it: encodable, at most `limit` characters
    (SIDE_LABEL along the short side of a figure, where a long one would not fit)."""
    return short_text(text, limit)


def figure_size(width: float, height: float) -> tuple[float, float]:
    """Inches, each side capped at MAX_INCHES however many labels or panels ask for more."""
    return min(width, MAX_INCHES), min(height, MAX_INCHES)


def set_value_ticks(axis, labels: Sequence[Any], **text) -> None:
    """One tick per position 0..n-1, labelled with `labels` (to SIDE_LABEL characters: ticks sit
    side by side), every k-th of them when there are more than MAX_TICKS."""
    step = max(1, math.ceil(len(labels) / MAX_TICKS))
    positions = range(0, len(labels), step)
    axis.set_ticks(list(positions), [label(labels[i], SIDE_LABEL) for i in positions], **text)


def objective_label(objective: str, direction: str, scale: Scale | None = None) -> str:
    """`loss (lower is better)` for a vertical axis, on two lines where a long name would
    outgrow the axis."""
    name = label(objective, SIDE_LABEL)
    text = f"{name} ({better_word(direction)} is better)"
    if len(text) > 2 * SIDE_LABEL - 10:
        text = f"{name}\n({better_word(direction)} is better)"
    return scale.text(text) if scale is not None else text


class Scale:
    """How objective values are drawn: as they are, or divided by a power of ten where they are
    so large (1e308) that axis spans overflow; infinite values (sums past 1.8e308) are not drawn."""

    def __init__(self, *values: Any) -> None:
        flat = np.concatenate([np.asarray(v, dtype=float).ravel() for v in values]) if values else np.zeros(0)
        finite = np.abs(flat[np.isfinite(flat)])
        top = float(finite.max()) if finite.size else 0.0
        self.exponent = math.floor(math.log10(top)) if top > HUGE else 0
        self.factor = 10.0**self.exponent
        self.changes = bool(self.exponent) or not np.isfinite(flat[~np.isnan(flat)]).all()

    def __call__(self, values: Any) -> Any:
        """`values` (a number, or nested lists) to draw; the same object where nothing changes."""
        if not self.changes or values is None:
            return values
        array = np.asarray(values, dtype=float)
        return np.where(np.isfinite(array), array / self.factor, np.nan)

    def text(self, text: str) -> str:
        """An axis label with the factor: `loss (×1e308)`."""
        return f"{text} (×1e{self.exponent})" if self.exponent else text


def number_formatter(digits: int = 4) -> FuncFormatter:
    """Tick labels with `digits` significant figures, as the tables print numbers."""
    return FuncFormatter(lambda value, _: format_number(float(value), digits))
