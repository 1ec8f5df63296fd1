"""The blog's two clustermaps: the mean objective, and the same layout with group ids.

Drawn with matplotlib and scipy's dendrogram rather than seaborn's clustermap, so that cells the
surrogate estimated and cells that failed can be hatched, and the colour bar keeps clear of the title.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.collections import PatchCollection
from matplotlib.colors import Normalize
from matplotlib.figure import Figure
from matplotlib.gridspec import GridSpec
from matplotlib.patches import Patch, Rectangle
from scipy.cluster import hierarchy

from report.analysis.clustermap import Clustermap
from report.figures.style import BEST_CMAP, FAILED_CELLS, SIDE_LABEL, Scale, label, styled
from report.formatting import better_word, format_number

CELL_INCHES = 0.42
MIN_MAP_INCHES = 2.4  # room for the colour bar's label beside a short map
DENDROGRAM_INCHES = 0.8
CHAR_INCHES = 0.07  # width of a tick label's character
MAX_INCHES = 16
MODEL_STYLE = {"hatch": "///", "facecolor": "none", "edgecolor": (0.45, 0.45, 0.45, 0.8)}
LINKS = "#555555"


def _label(names: list[str], binned: list[str]) -> str:
    return " · ".join(f"{label(name)} (binned)" if name in binned else label(name) for name in names)


@styled
def draw_clustermap(info: Clustermap, objective: str, direction: str, annotate_with: str) -> Figure:
    """`annotate_with` is 'value' (the blog's first figure) or 'group' (its second). The map is
    `figure.axes[0]`: its QuadMesh holds the values as coloured, in the drawn order (rows top down),
    with the cells that have none (failed or blank) masked; its tick labels are info's labels."""
    row_tree, col_tree = info.row_linkage is not None, info.col_linkage is not None
    row_labels, col_labels = [label(text) for text in info.row_labels], [label(text) for text in info.col_labels]
    figure, grid = _layout(info, row_labels, col_labels)
    axis = figure.add_subplot(grid[col_tree, row_tree])
    shown = info.values.fillna(info.model).to_numpy(dtype=float)
    scale = Scale(shown)
    drawn = np.ma.masked_invalid(scale(shown))
    norm = Normalize(drawn.min(), drawn.max()) if drawn.count() else Normalize(0, 1)
    mesh = axis.pcolormesh(drawn, cmap=plt.get_cmap(BEST_CMAP[direction]), norm=norm)
    _hatch(axis, info.model.notna().to_numpy(), MODEL_STYLE)
    _hatch(axis, info.failed.to_numpy(), FAILED_CELLS)
    _map_axes(axis, info, row_labels, col_labels)
    if info.annotate:
        _annotate(axis, info, shown, scale(shown), mesh, annotate_with)
    if row_tree:
        _dendrogram(figure.add_subplot(grid[col_tree, 0]), info.row_linkage, "left", info.values.shape[0])
    if col_tree:
        _dendrogram(figure.add_subplot(grid[0, row_tree]), info.col_linkage, "top", info.values.shape[1])
    bar_label = scale.text(f"mean {label(objective, SIDE_LABEL)}") + f"\n({better_word(direction)} is better: yellow)"
    figure.colorbar(mesh, ax=axis, location="right", label=bar_label)
    _legend_and_title(figure, info, objective, annotate_with)
    return figure


def clustermap_format(info: Clustermap) -> str:
    """SVG where each cell is annotated; a map too large to annotate is a PNG."""
    return "svg" if info.annotate else "png"


def _layout(info: Clustermap, row_labels: list[str], col_labels: list[str]) -> tuple[Figure, GridSpec]:
    """A figure sized to the cells and their labels, its grid holding the map and, beside each
    clustered side, the dendrogram."""
    n_rows, n_cols = info.values.shape
    row_tree, col_tree = info.row_linkage is not None, info.col_linkage is not None
    map_width = CELL_INCHES * n_cols * (1.6 if info.annotate else 1)
    map_height = max(CELL_INCHES * n_rows, MIN_MAP_INCHES)
    width = min(map_width + DENDROGRAM_INCHES * row_tree + CHAR_INCHES * max(map(len, row_labels)) + 2.2, MAX_INCHES)
    height = min(map_height + DENDROGRAM_INCHES * col_tree + CHAR_INCHES * max(map(len, col_labels)) + 1.8, MAX_INCHES)
    figure = plt.figure(figsize=(width, height), layout="constrained")
    grid = figure.add_gridspec(
        1 + col_tree, 1 + row_tree,
        width_ratios=[DENDROGRAM_INCHES] * row_tree + [map_width], height_ratios=[DENDROGRAM_INCHES] * col_tree + [map_height],
    )
    return figure, grid


def _map_axes(axis: Axes, info: Clustermap, row_labels: list[str], col_labels: list[str]) -> None:
    """One cell per unit, the first row on top; labelled ticks, the row labels on the right."""
    n_rows, n_cols = info.values.shape
    axis.set_xlim(0, n_cols)
    axis.set_ylim(n_rows, 0)
    axis.set_xticks(np.arange(n_cols) + 0.5, col_labels, rotation=90, fontsize=8)
    axis.set_yticks(np.arange(n_rows) + 0.5, row_labels, fontsize=8)
    axis.yaxis.tick_right()
    axis.yaxis.set_label_position("right")
    axis.tick_params(length=0)
    axis.set_xlabel(_label(info.cols, info.binned))
    axis.set_ylabel(_label(info.rows, info.binned))


def _legend_and_title(figure: Figure, info: Clustermap, objective: str, annotate_with: str) -> None:
    """A legend of the hatchings the map holds, below it; the title above."""
    legend = []
    if info.model.notna().any().any():
        legend.append(Patch(**MODEL_STYLE | {"facecolor": "white"}, label="≈ surrogate estimate: no run in this cell"))
    if info.failed.any().any():
        legend.append(Patch(**FAILED_CELLS, label="failed: every run of the cell failed"))
    if legend:
        figure.legend(handles=legend, loc="outside lower center", ncols=len(legend), frameon=False, fontsize=8)
    kind = "Clustermap" if info.row_linkage is not None or info.col_linkage is not None else "Clustermap"
    title = "mean " + label(objective) if annotate_with == "value" else "group id (look it up in the ranking)"
    figure.suptitle(f"{kind} of the mean {label(objective)}, annotated with the {title}")


def _hatch(axis, where: np.ndarray, style: dict) -> None:
    cells = [Rectangle((j, i), 1, 1) for i, j in zip(*np.nonzero(where))]
    if cells:
        axis.add_collection(PatchCollection(cells, linewidth=0, **style))


def _annotate(axis, info: Clustermap, shown: np.ndarray, drawn: np.ndarray, mesh, annotate_with: str) -> None:
    """Each cell's value (≈ and italic where estimated, `failed` where failed) or group id;
    `drawn` is `shown` as the colours scale it."""
    model, failed, groups = info.model.notna().to_numpy(), info.failed.to_numpy(), info.groups.to_numpy()
    for i, j in np.ndindex(shown.shape):
        if annotate_with == "group":
            text = groups[i, j]
        elif failed[i, j]:
            text = "failed"
        elif np.isnan(shown[i, j]):
            continue
        else:
            text = ("≈" if model[i, j] else "") + format_number(float(shown[i, j]), 4)
        dark = failed[i, j] or np.isnan(drawn[i, j]) or _luminance(mesh.to_rgba(drawn[i, j])) > 0.408
        axis.text(j + 0.5, i + 0.5, text, ha="center", va="center", fontsize=7,
                  style="italic" if model[i, j] else "normal", color="black" if dark else "white")


def _luminance(rgba: tuple[float, ...]) -> float:
    """Relative luminance (sRGB), to write dark text on light cells and light text on dark ones."""
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in rgba[:3]]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def _dendrogram(axis, linkage: np.ndarray, orientation: str, leaves: int) -> None:
    """The tree beside a clustered axis; its leaves line up with the map's cells (10 units each)."""
    hierarchy.dendrogram(linkage, ax=axis, orientation=orientation, no_labels=True, link_color_func=lambda _: LINKS)
    if orientation == "left":
        axis.set_ylim(10 * leaves, 0)
    else:
        axis.set_xlim(0, 10 * leaves)
    axis.set_axis_off()
