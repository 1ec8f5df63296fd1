"""Partial-dependence curves per parameter and surfaces for the most important pairs."""

from __future__ import annotations

import math

import matplotlib.pyplot as plt
import numpy as np

from report.dependence import Curve, Dependence, Surface
from report.figures import BEST_CMAP, MANY_POINTS, set_param_axis, to_data_uri
from report.formatting import better_word

ORDERED_POINTS = ("categorical", "boolean")


def draw_curves(info: Dependence, objective: str, direction: str) -> str:
    columns = min(3, len(info.curves))
    rows = math.ceil(len(info.curves) / columns)
    figure, axes = plt.subplots(rows, columns, figsize=(4.2 * columns, 3.2 * rows), squeeze=False, sharey=True)
    for axis, curve in zip(axes.flat, info.curves):
        _draw_curve(axis, curve)
        axis.set_xlabel(curve.param)
    for axis in axes.flat[len(info.curves):]:
        axis.set_axis_off()
    for axis in axes[:, 0]:
        axis.set_ylabel(f"{objective} ({better_word(direction)} is better)")
    figure.suptitle(f"Partial dependence, {info.method}", fontsize=10)
    figure.tight_layout()
    many = sum(len(curve.observed_x) for curve in info.curves) > MANY_POINTS
    return to_data_uri(figure, "png" if many else "svg")


def _draw_curve(axis, curve: Curve) -> None:
    categorical = curve.kind in ORDERED_POINTS
    positions = {value: i for i, value in enumerate(curve.x)}
    x = list(range(len(curve.x))) if categorical else curve.x

    observed_x = [positions[value] for value in curve.observed_x] if categorical else curve.observed_x
    axis.scatter(observed_x, curve.observed_y, s=8, color="#b8c4d6", alpha=0.6, zorder=1, label="observed")
    if curve.individual:
        for line in curve.individual:
            axis.plot(x, line, color="#8aa4c8", lw=0.5, alpha=0.35, zorder=2)
    if curve.low is not None:
        axis.fill_between(x, curve.low, curve.high, color="#1f3b73", alpha=0.2, zorder=3, label="95% band")
    style = {"marker": "o"} if categorical or len(x) <= 25 else {}
    axis.plot(x, curve.mean, color="#1f3b73", lw=2, zorder=4, label="mean", **style)
    if categorical:
        axis.set_xticks(range(len(curve.x)), curve.x, rotation=30)
    set_param_axis(axis, curve.kind)
    axis.grid(alpha=0.3)


def draw_surfaces(info: Dependence, objective: str, direction: str) -> str:
    figure, axes = plt.subplots(1, len(info.surfaces), figsize=(5.2 * len(info.surfaces), 4.2), squeeze=False)
    for axis, surface in zip(axes.flat, info.surfaces):
        _draw_surface(axis, surface, direction, objective, figure)
    figure.suptitle(f"Two-parameter dependence, {info.method}", fontsize=10)
    figure.tight_layout()
    return to_data_uri(figure)


def _draw_surface(axis, surface: Surface, direction: str, objective: str, figure) -> None:
    z = np.asarray(surface.z, dtype=float)
    image = axis.imshow(np.ma.masked_invalid(z), origin="lower", aspect="auto", cmap=BEST_CMAP[direction])
    axis.set_xticks(range(len(surface.x)), _tick_labels(surface.x), rotation=45, ha="right")
    axis.set_yticks(range(len(surface.y)), _tick_labels(surface.y))
    axis.set_xlabel(surface.params[0])
    axis.set_ylabel(surface.params[1])
    figure.colorbar(image, ax=axis, label=f"{objective} ({better_word(direction)} is better: yellow)")


def _tick_labels(values: list) -> list[str]:
    labels = [f"{v:.3g}" if isinstance(v, float) else str(v) for v in values]
    if len(labels) > 20:  # keep about 10 labels readable
        step = math.ceil(len(labels) / 10)
        labels = [label if i % step == 0 else "" for i, label in enumerate(labels)]
    return labels
