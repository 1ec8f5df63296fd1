"""The blog's two clustermaps: the mean objective, and the same layout with group ids."""

from __future__ import annotations

import numpy as np
import seaborn as sns

from report.figures import BEST_CMAP, to_data_uri
from report.formatting import better_word
from report.pivot import Heatmap

CELL_INCHES = 0.42


def _label(names: list[str], binned: list[str]) -> str:
    return " · ".join(f"{name} (binned)" if name in binned else name for name in names)


def _flat(labels) -> list[str]:
    return [" · ".join(map(str, label)) if isinstance(label, tuple) else str(label) for label in labels]


def draw_clustermap(info: Heatmap, objective: str, direction: str, annotate_with: str) -> str:
    """`annotate_with` is 'value' (the blog's first figure) or 'group' (its second)."""
    values = info.filled.copy()
    values.index, values.columns = _flat(values.index), _flat(values.columns)
    if not info.annotate:
        annotations = False
    elif annotate_with == "value":
        annotations = info.values.map(lambda v: "" if np.isnan(v) else f"{v:.4g}").to_numpy()
    else:
        annotations = info.groups.to_numpy()
    n_rows, n_cols = values.shape
    size = (min(4 + CELL_INCHES * n_cols * (1.6 if info.annotate else 1), 16), min(3 + CELL_INCHES * n_rows, 16))
    grid = sns.clustermap(
        values,
        mask=info.values.isna().to_numpy(),
        annot=annotations,
        fmt="",
        annot_kws={"fontsize": 7},
        cmap=BEST_CMAP[direction],
        row_cluster=n_rows >= 2,
        col_cluster=n_cols >= 2,
        figsize=size,
        cbar_kws={"label": f"mean {objective}\n({better_word(direction)} is better: yellow)"},
        xticklabels=True,
        yticklabels=True,
    )
    grid.ax_heatmap.set_xlabel(_label(info.cols, info.binned))
    grid.ax_heatmap.set_ylabel(_label(info.rows, info.binned))
    title = "mean " + objective if annotate_with == "value" else "group id (look it up in the ranking)"
    grid.figure.suptitle(f"Clustermap of the mean {objective}, annotated with the {title}", y=1.02)
    return to_data_uri(grid.figure, "svg" if info.annotate else "png")  # large maps as PNG
