"""Parameter importance as bars, with the numbers on them and, for the surrogate, their range."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from report.figures import to_data_uri
from report.importance import Importance


def draw_importance(info: Importance, objective: str) -> str:
    return to_data_uri(importance_figure(info, objective))


def importance_figure(info: Importance, objective: str) -> plt.Figure:
    """Bars of the shares; error bars span the surrogate's bootstrap refits where there are some.
    Only for shown shares: withheld ones (info.shares empty) have no figure."""
    figure, axis = plt.subplots(figsize=(6.5, 0.4 * len(info.params) + 1.2))
    shares = np.asarray(info.shares)
    errors = None if info.low is None else np.vstack([shares - info.low, np.asarray(info.high) - shares])
    axis.barh(info.params, shares, color="#1f3b73", xerr=errors, error_kw={"ecolor": "#d08c2a", "capsize": 3})
    for row, (share, end) in enumerate(zip(shares, info.high or shares)):  # beyond the whisker, if any
        axis.annotate(f"{share:.1%}", (end, row), xytext=(5, 0), textcoords="offset points", va="center")
    axis.invert_yaxis()
    axis.set_xlim(0, max(1.0, max(info.high or info.shares) * 1.15))
    axis.set_xlabel(f"share of the variance of {objective} explained by the parameter alone")
    if errors is not None:
        axis.set_title("Bars: the fitted surrogate; whiskers: range over its bootstrap refits", fontsize=9)
    axis.grid(axis="x", alpha=0.3)
    figure.tight_layout()
    return figure
