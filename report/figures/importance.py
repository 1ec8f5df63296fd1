"""Parameter importance as bars, with the numbers on them and, for the surrogate, their range."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure

from report.analysis.importance import Importance
from report.figures.style import figure_size, label, styled

MAX_BARS = 40


@styled
def draw_importance(info: Importance, objective: str) -> Figure:
    """Bars of the shares; error bars span the surrogate's bootstrap refits where there are some.
    Only for shown shares: withheld ones (info.shares empty) have no figure. The MAX_BARS most
    important parameters are drawn; the table lists them all."""
    count = min(len(info.params), MAX_BARS)
    figure, axis = plt.subplots(figsize=figure_size(6.5, 0.4 * count + 1.2))
    shares = np.asarray(info.shares[:count])
    low, high = (None, None) if info.low is None else (np.asarray(info.low[:count]), np.asarray(info.high[:count]))
    errors = None if low is None else np.vstack([shares - low, high - shares])
    axis.barh(range(count), shares, color="#1f3b73", xerr=errors, error_kw={"ecolor": "#d08c2a", "capsize": 3})
    axis.set_yticks(range(count), [label(name) for name in info.params[:count]])
    for row, (share, end) in enumerate(zip(shares, shares if high is None else high)):  # beyond the whisker, if any
        axis.annotate(f"{share:.1%}", (end, row), xytext=(5, 0), textcoords="offset points", va="center")
    axis.invert_yaxis()
    axis.set_xlim(0, max(1.0, np.nanmax(shares if high is None else high, initial=0.0) * 1.15))
    axis.set_xlabel(f"share of the variance of {label(objective)} explained by the parameter alone")
    if count < len(info.params):
        axis.set_ylabel(f"the {count} most important of {len(info.params)} parameters")
    if errors is not None:
        axis.set_title("Bars: the fitted surrogate; whiskers: range over its bootstrap refits", fontsize=9)
    axis.grid(axis="x", alpha=0.3)
    figure.tight_layout()
    return figure
