"""The blog's clustermap as plain data: mean objective pivoted, half the parameters on each axis.

A full grid keeps its exact values and the blog's clustering. In a random or Bayesian sweep each
configuration would fill a row of its own, so numeric parameters are cut into a few ordered bins
(report.bins) sized to hold runs, and axes holding numeric parameters keep their natural order.
Cells that still hold no run show the surrogate's estimate, marked as such, when the surrogate
explains enough (out-of-bag R² of at least MIN_R2); else they are blank. Cells whose every run
failed are marked failed, never coloured as if measured. A parameter only some jobs set (a Hydra
config group) has an `unset` level; cells pairing it with choices that never leave it unset, or
the reverse, are blank, as no job can land there.
"""

from __future__ import annotations

import itertools
import math
from typing import Any, NamedTuple

import numpy as np
import pandas as pd
from scipy.cluster import hierarchy

from report.analysis.bins import NUMERIC, UNSET, choose_bins, cut_into_bins, value_labels
from report.analysis.clustermap_axes import place_axes
from report.analysis.clustermap_notes import cell_notes, order_sentence
from report.analysis.importance import MIN_R2
from report.analysis.surrogate import Surrogate, predict
from report.formatting import (
    MISSING,
    format_value,
    power_of_two_unit,
    short_text,
    value_keys,
)

MAX_SIDE = 60  # more labels than this on an axis are capped
MAX_ANNOTATED_CELLS = 400
MAX_CELLS = 250_000  # value combinations beyond which no table is pivoted (memory)
MAX_LABEL = 40  # characters of a value in a tick label; the tables keep it whole


class Clustermap(NamedTuple):
    """What the clustermap draws; every table has the same index and columns, in the drawn order."""

    rows: list[str]  # parameters on the rows, outermost first
    cols: list[str]
    values: pd.DataFrame  # measured: mean objective of the cell's best scored configuration; NaN elsewhere
    model: pd.DataFrame  # the surrogate's estimate where no configuration was launched (R² >= MIN_R2); NaN elsewhere
    failed: pd.DataFrame  # True where configurations were launched but none has a scored run
    groups: pd.DataFrame  # group id of the configuration shown (best scored, or failed); "" elsewhere
    row_labels: list[str]  # tick labels, in the drawn order
    col_labels: list[str]
    row_linkage: np.ndarray | None  # scipy linkage when the rows are clustered; the drawn order is its leaves'
    col_linkage: np.ndarray | None
    binned: list[str]  # parameters cut into bins (quantiles, or log-spaced for log-scale ones)
    order: str  # how rows and columns are ordered, for the caption
    notes: list[str]  # what was binned, capped, estimated, failed or left blank, for the caption
    annotate: bool  # few enough cells to print each value


def clustermap_info(
    ranking: pd.DataFrame,
    params: list[str],
    kinds: dict[str, str],
    direction: str,
    full_grid: bool,
    rows: list[str] | None = None,
    cols: list[str] | None = None,
    surrogate: Surrogate | None = None,
) -> Clustermap | None:
    """Pivot the configurations' mean objective; None when fewer than two parameters vary.

    Each cell shows its best configuration (on a grid the one configuration in it). A cell whose
    configurations all failed is marked failed; a cell with no launched configuration is filled
    by `surrogate` where there is one that explains enough, else left blank.
    """
    if len(params) < 2 or not (ranking["n"] > 0).any():
        return None
    notes: list[str] = []
    ordered = ranking.sort_values("mean", ascending=direction == "min", na_position="last", kind="stable")
    keys, levels, points = _keys(ordered, params, kinds, {} if full_grid else choose_bins(ranking, params, kinds), notes)
    if math.prod(len(levels[name]) for name in params) > MAX_CELLS:
        return None  # too many combinations to pivot: the report says so
    rows, cols = place_axes(params, rows, cols, {name: len(levels[name]) for name in params}, notes)
    values, failed, groups, possible = _pivot(ordered, keys, levels, rows, cols, kinds, direction, notes)
    trusted = surrogate if surrogate is not None and surrogate.oob_r2 >= MIN_R2 else None
    model = _estimate(trusted, values.isna() & ~failed & possible, points)
    notes += cell_notes(values, model, failed, possible, surrogate)
    # Clustering sees the estimates, and the overall mean where a cell has neither.
    filled = _clusterable(values.fillna(model).to_numpy(dtype=float))
    ordered_axes = {name for name in params if not full_grid and kinds[name] in NUMERIC}
    row_linkage = _linkage(filled, not ordered_axes & set(rows))
    col_linkage = _linkage(filled.T, not ordered_axes & set(cols))
    row_order = hierarchy.leaves_list(row_linkage) if row_linkage is not None else np.arange(values.shape[0])
    col_order = hierarchy.leaves_list(col_linkage) if col_linkage is not None else np.arange(values.shape[1])
    values, model, failed, groups = (frame.iloc[row_order, col_order] for frame in (values, model, failed, groups))
    texts = {name: dict(zip(levels[name], value_labels(levels[name]))) for name in params}
    return Clustermap(
        rows, cols, values, model, failed, groups, _labels(values.index, texts), _labels(values.columns, texts),
        row_linkage, col_linkage, [name for name in params if name in points],
        order_sentence(rows, cols, ordered_axes, points, levels, row_linkage, col_linkage), notes,
        values.size <= MAX_ANNOTATED_CELLS,
    )


def _pivot(
    ordered: pd.DataFrame, keys: pd.DataFrame, levels: dict[str, list[Any]], rows: list[str], cols: list[str],
    kinds: dict[str, str], direction: str, notes: list[str],
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """The tables of cell values, failed cells, group ids and possible cells (a cell is impossible
    where an unset parameter would need a value), without impossible rows and columns, capped."""
    # Best first, so the first configuration of each cell is its best scored one, or a failed one.
    cell = pd.MultiIndex.from_frame(keys[rows + cols])
    shown = ordered[~cell.duplicated()].set_axis(cell[~cell.duplicated()])
    every_cell = pd.MultiIndex.from_product([levels[name] for name in rows + cols], names=rows + cols)
    shape = (math.prod(len(levels[name]) for name in rows), math.prod(len(levels[name]) for name in cols))
    row_index, col_index = _axis_index(rows, levels), _axis_index(cols, levels)

    def table(column: pd.Series | np.ndarray) -> pd.DataFrame:
        cells = column.reindex(every_cell).to_numpy() if isinstance(column, pd.Series) else column
        return pd.DataFrame(cells.reshape(shape), index=row_index, columns=col_index)

    values = table(shown["mean"]).astype(float)
    failed = table(pd.Series(True, index=shown.index)).notna() & values.isna()
    groups = table(shown["group"]).map(lambda group: "" if pd.isna(group) else str(int(group)))
    possible = table(_possible(keys, every_cell, kinds)).astype(bool)
    frames = (values, failed, groups, possible)
    keep_rows, keep_cols = _drop_impossible(possible, notes)
    frames = tuple(frame.iloc[keep_rows, keep_cols] for frame in frames)
    keep_rows, keep_cols = _cap(frames[0], direction, notes)
    return tuple(frame.iloc[keep_rows, keep_cols] for frame in frames)


def _keys(
    ordered: pd.DataFrame, params: list[str], kinds: dict[str, str], bins: dict[str, int], notes: list[str]
) -> tuple[pd.DataFrame, dict[str, list[Any]], dict[str, dict[str, float]]]:
    """Each configuration's level of each parameter (its bin, its value, or UNSET), each
    parameter's levels in order (UNSET last), and each binned parameter's bin middles."""
    keys: dict[str, Any] = {}
    levels: dict[str, list[Any]] = {}
    points: dict[str, dict[str, float]] = {}
    for name in params:
        column = ordered[name]
        if name in bins:
            keys[name], points[name] = cut_into_bins(column, kinds[name], bins[name])
            levels[name] = list(points[name])
            spacing = "log-spaced" if kinds[name] == "log" and column.min() > 0 else "quantile"
            count = len([label for label in points[name] if label != UNSET])
            notes.append(f"{name} is binned into {count} {spacing} bins; each cell shows the best configuration in it.")
        else:
            column = value_keys(column)
            keys[name] = column.astype(object).where(column.notna(), UNSET)
            levels[name] = column.dropna().drop_duplicates().sort_values().tolist() + [UNSET] * bool(column.isna().any())
    return pd.DataFrame(keys, index=ordered.index, columns=params), levels, points


def _possible(keys: pd.DataFrame, every_cell: pd.MultiIndex, kinds: dict[str, str]) -> np.ndarray:
    """Whether a job could land in each cell. Where some parameter is unset (Hydra config groups),
    a cell is possible when some job left the same parameters unset and, for every categorical
    parameter, some job with the cell's choice did: `adam` with a `momentum` value is not."""
    names = list(every_cell.names)
    cells = every_cell.to_frame(index=False)
    launched_unset = _unset(keys[names])
    if not launched_unset.any():
        return np.ones(len(cells), dtype=bool)
    cell_unset = _unset(cells[names])
    launched, wanted = list(map(tuple, launched_unset)), list(map(tuple, cell_unset))
    patterns = set(launched)
    possible = np.array([pattern in patterns for pattern in wanted], dtype=bool)
    for name in (name for name in names if kinds[name] not in NUMERIC):
        seen = set(zip(keys[name].astype(object), launched))
        possible &= np.array([pair in seen for pair in zip(cells[name].astype(object), wanted)])
    return possible


def _unset(frame: pd.DataFrame) -> np.ndarray:
    return np.column_stack([frame[name].astype(object).to_numpy() == UNSET for name in frame.columns])


def _drop_impossible(possible: pd.DataFrame, notes: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """Positions of the rows and columns where a job could land at all."""
    kept = []
    for axis, name in ((1, "rows"), (0, "columns")):
        any_possible = possible.any(axis=axis).to_numpy()
        if not any_possible.all():
            notes.append(
                f"{int((~any_possible).sum())} {name} are left out: they pair a parameter's unset value with choices that "
                f"always set it, or the reverse (Hydra config groups), so no job can land there."
            )
        kept.append(np.flatnonzero(any_possible))
    return kept[0], kept[1]


def _axis_index(names: list[str], levels: dict[str, list[Any]]) -> pd.Index:
    if len(names) == 1:
        return pd.Index(levels[names[0]], name=names[0])
    return pd.MultiIndex.from_product([levels[name] for name in names], names=names)


def _cap(values: pd.DataFrame, direction: str, notes: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """Positions of the MAX_SIDE best rows and columns (by their best measured cell), in order."""
    kept = []
    for axis, name in ((1, "rows"), (0, "columns")):
        best = values.min(axis=axis) if direction == "min" else values.max(axis=axis)
        positions = np.arange(len(best))
        if len(best) > MAX_SIDE:
            order = np.argsort(best.to_numpy() if direction == "min" else -best.to_numpy(), kind="stable")
            positions = np.sort(order[:MAX_SIDE])
            notes.append(f"Only the {MAX_SIDE} best of {len(best)} {name} are shown.")
        kept.append(positions)
    return kept[0], kept[1]


def _estimate(surrogate: Surrogate | None, empty: pd.DataFrame, points: dict[str, dict[str, float]]) -> pd.DataFrame:
    """The surrogate's prediction in each `empty` cell, at the cell's representative point: a bin's
    middle, a category itself, missing for UNSET. Cells the surrogate cannot place (a value it
    never saw) stay NaN."""
    model = pd.DataFrame(np.nan, index=empty.index, columns=empty.columns)
    cells = list(zip(*np.nonzero(empty.to_numpy())))
    if surrogate is None or not cells:
        return model
    features = []
    for i, j in cells:
        key = dict(zip(empty.index.names, _key(empty.index[i]))) | dict(zip(empty.columns.names, _key(empty.columns[j])))
        features.append([_feature(surrogate, name, key[name], points) for name in surrogate.X.columns])
    placed = np.array([None not in row for row in features], dtype=bool)
    if placed.any():
        X = pd.DataFrame(list(itertools.compress(features, placed)), columns=surrogate.X.columns, dtype=float)
        for (i, j), value in zip(itertools.compress(cells, placed), predict(surrogate, X)):
            model.iat[i, j] = value
    return model


def _feature(surrogate: Surrogate, name: str, value: Any, points: dict[str, dict[str, float]]) -> float | None:
    """The surrogate's input for one parameter's level; None where it cannot place it."""
    if name in points:
        return points[name][value]
    if name in surrogate.categories:
        text = MISSING if value == UNSET else format_value(value)  # how fit_surrogate coded an unset value
        return float(surrogate.categories[name].index(text)) if text in surrogate.categories[name] else None
    return np.nan if value == UNSET else float(value)  # the forest routes missing values as it learnt


def _key(label: Any) -> tuple[Any, ...]:
    return label if isinstance(label, tuple) else (label,)


def _labels(index: pd.Index, texts: dict[str, dict[Any, str]]) -> list[str]:
    """Tick labels: each level as its parameter writes it, the parameters of a label joined by ` · `."""
    return [" · ".join(short_text(texts[name][value], MAX_LABEL) for name, value in zip(index.names, _key(label))) for label in index]


def _clusterable(data: np.ndarray) -> np.ndarray:
    """The table clustering sees: the overall mean where a cell has no value, and, where values
    are so large that distances would overflow (1e308), every value divided by one power of two
    (the same tree: distances all shrink alike), infinite means at the ends of the finite ones."""
    unit = power_of_two_unit(data)
    scaled = data / unit if unit != 1.0 else data.copy()
    finite = scaled[np.isfinite(scaled)]
    if len(finite) < scaled.size - int(np.isnan(scaled).sum()):  # infinite means (a sum that overflowed)
        scaled = np.clip(scaled, finite.min(initial=0.0), finite.max(initial=0.0))
    return np.nan_to_num(scaled, nan=float(np.nanmean(scaled)) if len(finite) else 0.0)


def _linkage(data: np.ndarray, cluster: bool) -> np.ndarray | None:
    """The blog's clustering (seaborn's average linkage) of an axis, if `cluster` and it has two labels."""
    if not cluster or len(data) < 2:
        return None
    return hierarchy.linkage(data, method="average", metric="euclidean")
