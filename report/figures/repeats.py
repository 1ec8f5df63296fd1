"""The repeat-variance figure: each repeat of the best configurations, and the spread overall."""

from __future__ import annotations

import re

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator, ScalarFormatter

from report.analysis.repeats import ConfigRepeats, RepeatVariance
from report.figures.style import Scale, label, styled
from report.formatting import better_word, format_number, short_text

MAX_LABEL = 48  # characters of a configuration's label before it is cut
RELATIVE_EQUAL = 1e-9  # spreads this close, relative to their size, are drawn as one value


@styled
def draw_repeat_variance(info: RepeatVariance, objective: str, direction: str) -> Figure:
    """Left: each repeat of the best configurations beside its mean and 95% interval.
    Right: how far repeats of one configuration spread, across the sweep."""
    figure, (left, right) = plt.subplots(
        1, 2, figsize=(10, 0.35 * max(len(info.top), 4) + 1.2), gridspec_kw={"width_ratios": [3, 2]}
    )
    scale = Scale(*(config.values + [config.mean, config.ci_low, config.ci_high] for config in info.top))
    for position, config in enumerate(info.top):
        left.scatter(scale(config.values), [position] * len(config.values), s=18, color="#8aa4c8", zorder=2)
        if config.ci_low == config.ci_low:  # an interval exists only with two or more repeats
            left.plot(scale([config.ci_low, config.ci_high]), [position, position], color="#1f3b73", lw=2, zorder=3)
        left.scatter(scale([config.mean]), [position], marker="D", s=36, color="#1f3b73", zorder=4)
    left.set_yticks(range(len(info.top)), [config_label(config) for config in info.top])
    left.invert_yaxis()
    left.set_xlabel(scale.text(f"{label(objective)} ({better_word(direction)} is better)"))
    left.set_title("Best configurations:\nrepeats (dots), mean (◆) and 95% interval", fontsize=10)
    left.grid(axis="x", alpha=0.3)
    spreads = Scale(info.spreads)
    drawn = [spread for spread in np.ravel(spreads(info.spreads)) if np.isfinite(spread)]  # an overflowed spread is not drawn
    if drawn:
        right.hist(drawn, bins=min(30, max(5, len(drawn) // 3)), range=_equal_spreads_range(drawn), color="#8aa4c8", edgecolor="white")
        right.yaxis.set_major_locator(MaxNLocator(integer=True))  # a count of configurations
        _short_x_ticks(right, spreads.text(f"std of {label(objective)} within a configuration"))
        right.set_ylabel("configurations")
        right.set_title(f"Spread over repeats ({len(drawn)} configurations)", fontsize=10)
    else:
        right.text(0.5, 0.5, "No configuration has two repeats", ha="center", va="center", transform=right.transAxes)
        right.set_axis_off()
    figure.tight_layout()
    return figure


def _equal_spreads_range(spreads: list[float]) -> tuple[float, float] | None:
    """A range of ±10% around spreads that are equal but for rounding (a deterministic app whose
    seeds shift every configuration alike gives the same std to 1e-18): one bar on a readable
    axis, not an axis 1e-18 wide labelled with a 12-digit offset. None (the data's own range)
    otherwise."""
    low, high = min(spreads), max(spreads)
    if high - low > RELATIVE_EQUAL * max(abs(low), abs(high)):
        return None
    centre = (low + high) / 2
    pad = 0.1 * abs(centre) or 1.0
    return centre - pad, centre + pad


def _short_x_ticks(axis, label: str) -> None:
    """Few ticks with short labels whatever the spreads' scale (0.00021 reads as 2.1 with a
    ×10⁻⁴ factor), the factor or offset in the axis label where it cannot run into it. Plain
    text: mathtext is off (see STYLE)."""
    axis.xaxis.set_major_locator(MaxNLocator(nbins=4))
    formatter = ScalarFormatter()
    formatter.set_powerlimits((-2, 3))
    axis.xaxis.set_major_formatter(formatter)
    axis.xaxis.get_offset_text().set_visible(False)
    formatter.set_locs(axis.get_xticks())
    factor = _factor_text(formatter.get_offset())
    axis.set_xlabel(f"{label} ({factor})" if factor else label)


SUPERSCRIPTS = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def _factor_text(offset: str) -> str:
    """ScalarFormatter's plain offset text (`1e−4`, `+1.5`, `1e3+1.5`) as mathtext would have
    written it, in plain text: `×10⁻⁴`."""
    power = re.match(r"1e([\N{MINUS SIGN}-]?\d+)", offset)
    if not power:
        return offset
    exponent = power.group(1).replace("\N{MINUS SIGN}", "-").translate(SUPERSCRIPTS)
    return f"×10{exponent}{offset[power.end():]}"


def config_label(config: ConfigRepeats) -> str:
    """`#1 g11 lr=0.001 optimizer=adam`: rank, group id and the parameters in short form."""
    names = short_names([name for name, _ in config.params])
    values = " ".join(f"{names[name]}={format_number(value, 4)}" for name, value in config.params)
    return short_text(f"#{config.rank} g{config.group} {values}".rstrip(), MAX_LABEL)


def short_names(names: list[str]) -> dict[str, str]:
    """Each dotted name's shortest suffix of whole parts that no other name ends with:
    `model.lr` and `optimizer.lr` stay whole, `model.depth` beside them reads `depth`."""
    parts = {name: name.split(".") for name in names}
    short = {}
    for name, own in parts.items():
        for count in range(1, len(own) + 1):
            suffix = own[-count:]
            if not any(other != name and theirs[-count:] == suffix for other, theirs in parts.items()):
                break
        short[name] = ".".join(suffix)
    return short
