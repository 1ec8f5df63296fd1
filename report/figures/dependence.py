"""Partial-dependence curves per parameter and surfaces for the most important pairs."""

from __future__ import annotations

import math

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import Patch, Rectangle
from matplotlib.ticker import FixedLocator, NullFormatter

from report.analysis.dependence import EXACT, Curve, Dependence, Surface
from report.figures.style import (
    BEST_CMAP,
    FAILED_CELLS,
    MANY_POINTS,
    SIDE_LABEL,
    Scale,
    figure_size,
    label,
    log_axis,
    number_formatter,
    objective_label,
    set_param_axis,
    set_value_ticks,
    styled,
)
from report.formatting import better_word

ORDERED_POINTS = ("categorical", "boolean")
FAILED_LABEL = "every run failed"
MAX_VALUE_TICKS = 10  # numeric axes with more grid values get matplotlib's own ticks
MAX_CURVES = 30  # panels of the curves figure; the rest are named in its title


@styled
def draw_curves(info: Dependence, objective: str, direction: str) -> Figure:
    """A panel per parameter (the first MAX_CURVES), sharing the objective axis. In each, the line
    labelled `mean` holds the curve as drawn: categorical values at positions 0..n-1, named by the
    ticks; the other lines are the ICE curves, the band a PolyCollection."""
    curves = info.curves[:MAX_CURVES]
    columns = min(3, len(curves))
    rows = math.ceil(len(curves) / columns)
    figure, axes = plt.subplots(rows, columns, figsize=figure_size(4.2 * columns, 3.2 * rows), squeeze=False, sharey=True)
    scale = Scale(*(values for curve in curves for values in (curve.mean, curve.low or [], curve.high or [], curve.observed_y)))
    for axis, curve in zip(axes.flat, curves):
        _draw_curve(axis, curve, info.method == EXACT, scale)
        axis.set_xlabel(label(curve.param))
    for axis in axes.flat[len(curves):]:
        axis.set_axis_off()
    for axis in axes[:, 0]:
        axis.set_ylabel(objective_label(objective, direction, scale))
    unbalanced = info.method == EXACT and any(any(curve.failed or []) for curve in info.curves)
    method = "exact: main effects fitted on a full grid where some configurations failed" if unbalanced else info.method
    more = f" (the first {len(curves)} of {len(info.curves)} parameters)" if len(curves) < len(info.curves) else ""
    figure.suptitle(f"Partial dependence, {method}{more}", fontsize=10)
    figure.tight_layout()
    return figure




def curves_format(info: Dependence) -> str:
    """PNG where the panels scatter more than MANY_POINTS points: an SVG would grow a node each."""
    return "png" if sum(len(curve.observed_x) for curve in info.curves) > MANY_POINTS else "svg"


def _draw_curve(axis, curve: Curve, exact: bool = True, scale: Scale | None = None) -> None:
    """One parameter's panel; `scale` divides huge objective values (see Scale)."""
    scale = scale or Scale(curve.mean)
    categorical = curve.kind in ORDERED_POINTS
    positions = {value: i for i, value in enumerate(curve.x)}
    x = list(range(len(curve.x))) if categorical else curve.x

    observed = list(zip(curve.observed_x, curve.observed_y))
    if categorical:  # a point at a value the curve does not hold is left out, never misplaced
        observed = [(positions[value], y) for value, y in observed if value in positions]
    observed_x, observed_y = [at for at, _ in observed], [y for _, y in observed]
    axis.scatter(observed_x, scale(observed_y), s=8, color="#b8c4d6", alpha=0.6, zorder=1, label="observed")
    if curve.individual:
        for line in curve.individual:
            axis.plot(x, scale(line), color="#8aa4c8", lw=0.5, alpha=0.35, zorder=2)
    if curve.low is not None:
        axis.fill_between(x, scale(curve.low), scale(curve.high), color="#1f3b73", alpha=0.2, zorder=3, label="95% band")
    style = {"marker": "o"} if categorical or len(x) <= 25 else {}
    axis.plot(x, scale(curve.mean), color="#1f3b73", lw=2, zorder=4, label="mean", **style)
    if curve.failed and any(curve.failed):
        _mark_failed_points(axis, curve._replace(mean=scale(curve.mean)), x, exact)
    if categorical:
        set_value_ticks(axis.xaxis, curve.x, rotation=30)
    set_param_axis(axis, curve.kind)
    axis.grid(alpha=0.3)


def _mark_failed_points(axis, curve: Curve, x: list, exact: bool = True) -> None:
    """Exact curves: hollow markers where some configurations failed (the main-effects estimate
    there, not a mean of all). Both kinds: a cross on the bottom edge where every configuration
    (exact) or run (model-based) failed, as there is no value to draw."""
    counts = list(zip(curve.failed, curve.configurations))
    some = [i for i, (failed, total) in enumerate(counts) if 0 < failed < total] if exact else []
    every = [i for i, (failed, total) in enumerate(counts) if failed == total]
    handles = []
    if some:
        handles.append(axis.scatter([x[i] for i in some], [curve.mean[i] for i in some], s=60, facecolor="white",
                                    edgecolor="#b03a2e", lw=1.5, zorder=5, label="main-effects estimate: some failed"))
        for i in some:
            axis.annotate(f"{curve.failed[i]}/{curve.configurations[i]} failed", (x[i], curve.mean[i]), xytext=(4, 6),
                          textcoords="offset points", fontsize=7, color="#b03a2e")
    if every:
        handles.append(axis.scatter([x[i] for i in every], [0.03] * len(every), marker="X", s=60, color="#b03a2e", zorder=5,
                                    transform=axis.get_xaxis_transform(), clip_on=False, label=FAILED_LABEL))
        axis.update_datalim([(x[i], axis.dataLim.y0) for i in every])  # keep those values inside the x axis
        axis.autoscale_view()
    if handles:
        axis.legend(handles=handles, loc="best", fontsize=7)


@styled
def draw_surfaces(info: Dependence, objective: str, direction: str) -> Figure:
    """A panel per surface: its QuadMesh holds z as coloured, failed cells masked and hatched."""
    figure, axes = plt.subplots(1, len(info.surfaces), figsize=figure_size(5.2 * len(info.surfaces), 4.2), squeeze=False)
    for axis, surface in zip(axes.flat, info.surfaces):
        _draw_surface(axis, surface, direction, objective, figure)
    figure.suptitle(f"Two-parameter dependence, {info.method}", fontsize=10)
    figure.tight_layout()
    return figure


def _draw_surface(axis, surface: Surface, direction: str, objective: str, figure) -> None:
    """Cells centred on the grid points, to scale on numeric axes (log where the kind is log),
    evenly spaced with value labels on categorical ones; failed cells hatched, never coloured."""
    x_edges, x_numeric = _cell_edges(surface.x, surface.kinds[0])
    y_edges, y_numeric = _cell_edges(surface.y, surface.kinds[1])
    scale = Scale(surface.z)
    z = np.ma.masked_invalid(np.asarray(scale(surface.z), dtype=float))
    mesh = axis.pcolormesh(x_edges, y_edges, z, cmap=BEST_CMAP[direction], edgecolors="face", linewidth=0.2)  # no seams between cells
    failed = np.argwhere(np.asarray(surface.failed, dtype=bool))
    for i, j in failed:
        axis.add_patch(Rectangle((x_edges[j], y_edges[i]), x_edges[j + 1] - x_edges[j], y_edges[i + 1] - y_edges[i], linewidth=0, **FAILED_CELLS))
    if len(failed):
        axis.legend(handles=[Patch(**FAILED_CELLS, linewidth=0.5, label=FAILED_LABEL)], loc="upper left",
                    bbox_to_anchor=(0, -0.18), fontsize=7, frameon=False)
    _set_axis(axis, "x", surface.x, surface.kinds[0], x_numeric)
    _set_axis(axis, "y", surface.y, surface.kinds[1], y_numeric)
    axis.set_xlabel(label(surface.params[0]))
    axis.set_ylabel(label(surface.params[1]))
    figure.colorbar(mesh, ax=axis, label=scale.text(f"{label(objective, SIDE_LABEL)} ({better_word(direction)} is better: yellow)"))


def _is_numeric_axis(values: list, kind: str) -> bool:
    """Numeric kinds with finite values (positive ones on a log axis); else evenly spaced positions."""
    if kind in ORDERED_POINTS:
        return False
    points = np.asarray(values, dtype=float)
    return bool(np.isfinite(points).all() and (kind != "log" or (points > 0).all()))


def _cell_edges(values: list, kind: str) -> tuple[np.ndarray, bool]:
    """Edges halfway between neighbouring grid points (in log space for log parameters), the
    outer ones half a step out; and whether the axis is numeric."""
    if not _is_numeric_axis(values, kind):
        return np.arange(len(values) + 1) - 0.5, False
    points = np.asarray(values, dtype=float)
    scaled = np.log10(points) if kind == "log" else points
    half = np.diff(scaled) / 2 if len(scaled) > 1 else np.array([0.5])
    edges = np.concatenate([[scaled[0] - half[0]], scaled[:-1] + half, [scaled[-1] + half[-1]]])
    return (10**edges if kind == "log" else edges), True


def _set_axis(axes, which: str, values: list, kind: str, numeric: bool) -> None:
    """Numeric: to scale, ticks at the grid values when few, short labels. Categorical: one
    tick per value, labelled with it."""
    axis = axes.xaxis if which == "x" else axes.yaxis
    if not numeric:
        set_value_ticks(axis, values)
    else:
        if kind == "log":
            log_axis(axes, which)
        if len(values) <= MAX_VALUE_TICKS:
            axis.set_major_locator(FixedLocator(values))
            axis.set_minor_formatter(NullFormatter())
        axis.set_major_formatter(number_formatter(4))
    if which == "x":
        axes.tick_params(axis="x", labelrotation=45)
