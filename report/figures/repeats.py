"""The repeat-variance figure: each repeat of the best configurations, and the spread overall."""

from __future__ import annotations

import matplotlib.pyplot as plt

from report.figures import to_data_uri
from report.formatting import better_word
from report.repeats import RepeatVariance


def draw_repeat_variance(info: RepeatVariance, objective: str, direction: str) -> str:
    """Left: each repeat of the best configurations beside its mean and 95% interval.
    Right: how far repeats of one configuration spread, across the sweep."""
    figure, (left, right) = plt.subplots(
        1, 2, figsize=(10, 0.35 * max(len(info.top), 4) + 1.2), gridspec_kw={"width_ratios": [3, 2]}
    )
    for position, config in enumerate(info.top):
        left.scatter(config.values, [position] * len(config.values), s=18, color="#8aa4c8", zorder=2)
        if config.ci_low == config.ci_low:  # an interval exists only with two or more repeats
            left.plot([config.ci_low, config.ci_high], [position, position], color="#1f3b73", lw=2, zorder=3)
        left.scatter([config.mean], [position], marker="D", s=36, color="#1f3b73", zorder=4)
    left.set_yticks(range(len(info.top)), [f"#{c.rank}  group {c.group}" for c in info.top])
    left.invert_yaxis()
    left.set_xlabel(f"{objective} ({better_word(direction)} is better)")
    left.set_title("Best configurations: repeats (dots), mean (◆) and 95% interval", fontsize=10)
    left.grid(axis="x", alpha=0.3)
    if info.spreads:
        right.hist(info.spreads, bins=min(30, max(5, len(info.spreads) // 3)), color="#8aa4c8", edgecolor="white")
        right.set_xlabel(f"std of {objective} within a configuration")
        right.set_ylabel("configurations")
        right.set_title(f"Spread over repeats ({len(info.spreads)} configurations)", fontsize=10)
    else:
        right.text(0.5, 0.5, "No configuration has two repeats", ha="center", va="center", transform=right.transAxes)
        right.set_axis_off()
    figure.tight_layout()
    return to_data_uri(figure)
