"""The blog's clustermap as plain data: mean objective pivoted, half the parameters on each axis."""

from __future__ import annotations

import itertools
import math
from typing import NamedTuple

import numpy as np
import pandas as pd

from report.formatting import format_number

MAX_SIDE = 60  # more labels than this on an axis are binned or capped
MAX_VALUES_UNBINNED = 12  # a numeric parameter with more distinct values is binned
MAX_BINS = 8
MAX_ANNOTATED_CELLS = 400


class Heatmap(NamedTuple):
    rows: list[str]  # parameters on the rows, outermost first
    cols: list[str]
    values: pd.DataFrame  # mean objective per cell; NaN where no configuration was scored
    filled: pd.DataFrame  # `values` with holes filled by the overall mean: what linkage clusters
    groups: pd.DataFrame  # the group id shown in each cell ("" in holes): the best group when binned
    binned: list[str]  # parameters cut into bins (quantiles, or log-spaced for log-scale ones)
    notes: list[str]  # what was binned, capped or left blank, for the caption
    annotate: bool  # few enough cells to print each value


def split_params(params: list[str], counts: dict[str, int]) -> tuple[list[str], list[str]]:
    """Put the parameters on rows and columns so that the table is as near square as possible."""
    best: tuple[float, list[str], list[str]] | None = None
    for size in range(1, len(params)):
        for rows in itertools.combinations(params, size):
            cols = [name for name in params if name not in rows]
            n_rows = math.prod(counts[name] for name in rows)
            n_cols = math.prod(counts[name] for name in cols)
            imbalance = abs(math.log(n_rows / n_cols))
            if best is None or imbalance < best[0] - 1e-12:
                best = (imbalance, list(rows), cols)
    assert best is not None, "two or more parameters are needed"
    return best[1], best[2]


def bin_count(params: int) -> int:
    """Bins per parameter so that all of them together make at most about MAX_ANNOTATED_CELLS cells."""
    return max(3, min(MAX_BINS, int(MAX_ANNOTATED_CELLS ** (1 / params))))


def bin_labels(column: pd.Series, kind: str, bins: int = MAX_BINS) -> pd.Series:
    """Cut a numeric parameter into ordered bins, each labelled by the range of values in it."""
    values = column.astype(float)
    if kind == "log":
        edges = np.geomspace(values.min(), values.max(), bins + 1)
    else:
        edges = np.unique(np.quantile(values.dropna(), np.linspace(0, 1, bins + 1)))
    cut = pd.cut(values, edges, include_lowest=True, duplicates="drop").cat.remove_unused_categories()
    ranges = column.groupby(cut, observed=True).agg(["min", "max"])
    for digits in range(3, 16):  # as few digits as keep the labels apart
        labels = [f"{format_number(low, digits)}–{format_number(high, digits)}" for low, high in ranges.itertuples(index=False)]
        if len(set(labels)) == len(labels):
            break
    return cut.cat.rename_categories(labels)


def heatmap_info(
    ranking: pd.DataFrame,
    params: list[str],
    kinds: dict[str, str],
    direction: str,
    full_grid: bool,
    rows: list[str] | None = None,
    cols: list[str] | None = None,
) -> Heatmap | None:
    """Pivot the configurations' mean objective; None when fewer than two parameters vary.

    A grid keeps its values; in other sweeps, numeric parameters with many distinct values are
    binned, since each configuration would otherwise fill a row of its own.
    """
    scored = ranking[ranking["n"] > 0].copy()
    if len(params) < 2 or scored.empty:
        return None
    notes: list[str] = []
    binned = [] if full_grid else [
        name for name in params
        if kinds[name] in ("linear", "log") and scored[name].nunique() > MAX_VALUES_UNBINNED
    ]
    for name in binned:
        scored[name] = bin_labels(scored[name], kinds[name], bin_count(len(params)))
        spacing = "log-spaced" if kinds[name] == "log" else "quantile"
        notes.append(f"{name} is binned into {scored[name].cat.categories.size} {spacing} bins; each cell shows the best configuration in it.")
    if rows and not cols:
        cols = [name for name in params if name not in rows]
    elif cols and not rows:
        rows = [name for name in params if name not in cols]
    elif not rows and not cols:
        rows, cols = split_params(params, {name: scored[name].nunique() for name in params})
    best_index = scored.groupby(rows + cols, observed=True, dropna=False)["mean"].agg(
        "idxmin" if direction == "min" else "idxmax"
    )
    cells = scored.loc[best_index.dropna().astype(int)]
    # Each cell shows its best configuration: on a grid the one configuration in it.
    values = cells.pivot_table(values="mean", index=rows, columns=cols, aggfunc="first", observed=True, dropna=False)
    values = values.dropna(how="all").dropna(axis=1, how="all")
    groups = cells.pivot_table(values="group", index=rows, columns=cols, aggfunc="first", observed=True, dropna=False)
    groups = groups.reindex(index=values.index, columns=values.columns)
    values, groups = _cap(values, groups, direction, notes)
    holes = int(values.isna().sum().sum())
    if holes:
        notes.append(f"{holes} of {values.size} cells have no scored run and are left blank (clustered as the overall mean).")
    filled = values.fillna(float(np.nanmean(values.to_numpy())))
    group_text = groups.map(lambda group: "" if pd.isna(group) else str(int(group)))
    return Heatmap(rows, cols, values, filled, group_text, binned, notes, values.size <= MAX_ANNOTATED_CELLS)


def _cap(values: pd.DataFrame, groups: pd.DataFrame, direction: str, notes: list[str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Keep the MAX_SIDE best rows and columns (by their best cell) of a table too large to read."""
    for axis, name in ((1, "rows"), (0, "columns")):
        size = values.shape[1 - axis]
        if size <= MAX_SIDE:
            continue
        best = values.min(axis=axis) if direction == "min" else values.max(axis=axis)
        keep = best.sort_values(ascending=direction == "min").index[:MAX_SIDE]
        keep = [label for label in (values.index if axis == 1 else values.columns) if label in set(keep)]
        values = values.loc[keep] if axis == 1 else values[keep]
        groups = groups.loc[keep] if axis == 1 else groups[keep]
        notes.append(f"Only the {MAX_SIDE} best of {size} {name} are shown.")
    return values, groups
