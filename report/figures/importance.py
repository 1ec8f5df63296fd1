"""Parameter importance as bars, with the numbers on them."""

from __future__ import annotations

import matplotlib.pyplot as plt

from report.figures import to_data_uri
from report.importance import Importance


def draw_importance(info: Importance, objective: str) -> str:
    figure, axis = plt.subplots(figsize=(6.5, 0.4 * len(info.params) + 1.2))
    bars = axis.barh(info.params, info.shares, color="#1f3b73")
    axis.bar_label(bars, labels=[f"{share:.1%}" for share in info.shares], padding=3)
    axis.invert_yaxis()
    axis.set_xlim(0, max(1.0, max(info.shares) * 1.15))
    axis.set_xlabel(f"share of the variance of {objective} explained by the parameter alone")
    axis.grid(axis="x", alpha=0.3)
    figure.tight_layout()
    return to_data_uri(figure)
