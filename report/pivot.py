"""The blog's clustermap as plain data: mean objective pivoted, half the parameters on each axis.

A grid keeps its exact values and the blog's clustering. In a random or Bayesian sweep each
configuration would fill a row of its own, so numeric parameters are cut into a few ordered bins
sized to hold runs; cells that still hold no run show the surrogate's estimate, marked as such.
Cells whose every run failed are marked failed, never coloured as if measured.
"""

from __future__ import annotations

import itertools
import math
import re
from typing import Any, NamedTuple

import numpy as np
import pandas as pd
from scipy.cluster import hierarchy

from report.formatting import format_number, format_value
from report.surrogate import Surrogate

MAX_SIDE = 60  # more labels than this on an axis are capped
MAX_BINS = 8
CONFIGS_PER_CELL = 2  # what the bins of a random or Bayesian sweep aim for
NEAR_GRID_SHARE = 0.75  # a sweep that launched this share of its exact cells is a grid with gaps: not binned
MAX_ANNOTATED_CELLS = 400
NUMERIC = ("linear", "log")


class Heatmap(NamedTuple):
    """What the clustermap draws; every table has the same index and columns, in the drawn order."""

    rows: list[str]  # parameters on the rows, outermost first
    cols: list[str]
    values: pd.DataFrame  # measured: mean objective of the cell's best scored configuration; NaN elsewhere
    model: pd.DataFrame  # the surrogate's estimate where no configuration was launched; NaN elsewhere
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


def bin_count(configurations: int, combinations: int, binned: int) -> int:
    """Bins per binned parameter so that each cell holds about CONFIGS_PER_CELL configurations,
    `combinations` being the number of value combinations of the parameters kept exact."""
    per_parameter = (configurations / (CONFIGS_PER_CELL * combinations)) ** (1 / binned)
    return max(2, min(MAX_BINS, round(per_parameter)))


def choose_bins(ranking: pd.DataFrame, params: list[str], kinds: dict[str, str]) -> dict[str, int]:
    """How many bins each numeric parameter of a sweep that is not a grid is cut into.

    A sweep whose exact cells are nearly all launched (a grid with gaps) is not binned, nor is a
    parameter with no more distinct values than the bins would have.
    """
    configurations = int((ranking["n"] > 0).sum())
    distinct = {name: ranking[name].nunique(dropna=False) for name in params}
    if len(ranking.drop_duplicates(params)) >= NEAR_GRID_SHARE * math.prod(distinct.values()):
        return {}
    exact = [name for name in params if kinds[name] not in NUMERIC]
    numeric = [name for name in params if kinds[name] in NUMERIC]
    while numeric:
        bins = bin_count(configurations, math.prod(distinct[name] for name in exact), len(numeric))
        few = [name for name in numeric if distinct[name] <= bins]
        if not few:
            return {name: bins for name in numeric}
        exact += few
        numeric = [name for name in numeric if name not in few]
    return {}


def cut_into_bins(column: pd.Series, kind: str, bins: int) -> tuple[pd.Series, dict[str, float]]:
    """Cut a numeric parameter into ordered bins: log-spaced for log-scale parameters, else quantiles.

    Returns each value's bin label (an ordered categorical) and each bin's representative point,
    where the surrogate is asked: the middle of the printed range, geometric for log-scale ones.
    """
    values = column.astype(float)
    low, high = values.min(), values.max()
    log = kind == "log" and low > 0
    if log:
        edges = np.geomspace(low, high, bins + 1)
    else:
        edges = np.unique(np.quantile(values.dropna(), np.linspace(0, 1, bins + 1)))
        if len(edges) < 3:  # ties at the quantiles: even bins rather than a single one
            edges = np.linspace(low, high, bins + 1)
    integer = pd.api.types.is_integer_dtype(column)
    if integer:
        edges = np.unique(np.round(edges))
    index = np.clip(np.searchsorted(edges, values, side="left") - 1, 0, len(edges) - 2)
    lows, highs = edges[:-1].copy(), edges[1:]
    if integer:  # bins (a, b] hold the integers a+1..b; the first one holds its lower edge too
        lows[1:] += 1
    labels = _range_labels(lows, highs, integer)
    middles = np.sqrt(lows * highs) if log else (lows + highs) / 2
    codes = np.where(values.isna(), -1, index)
    cut = pd.Series(pd.Categorical.from_codes(codes, categories=labels, ordered=True), index=column.index)
    return cut, dict(zip(labels, middles.tolist()))


def _range_labels(lows: np.ndarray, highs: np.ndarray, integer: bool) -> list[str]:
    """`1e-4–1e-3`: as few significant digits as keep each range's ends, and the ranges, apart."""
    if integer:
        return [f"{low:.0f}" if low == high else f"{low:.0f}–{high:.0f}" for low, high in zip(lows, highs)]
    for digits in range(2, 18):
        ends = [(_short(low, digits), _short(high, digits)) for low, high in zip(lows, highs)]
        if all(low != high for low, high in ends) and len(set(ends)) == len(ends):
            break
    return [f"{low}–{high}" for low, high in ends]


def _short(value: float, digits: int) -> str:
    """format_number without the exponent's padding: 1e-05 reads 1e-5."""
    return re.sub(r"e\+?(-?)0*(\d)", r"e\1\2", format_number(float(value), digits))


def heatmap_info(
    ranking: pd.DataFrame,
    params: list[str],
    kinds: dict[str, str],
    direction: str,
    full_grid: bool,
    rows: list[str] | None = None,
    cols: list[str] | None = None,
    surrogate: Surrogate | None = None,
) -> Heatmap | None:
    """Pivot the configurations' mean objective; None when fewer than two parameters vary.

    Each cell shows its best configuration (on a grid the one configuration in it). A cell whose
    configurations all failed is marked failed; a cell with no launched configuration is filled
    by `surrogate` where there is one, else left blank.
    """
    if len(params) < 2 or not (ranking["n"] > 0).any():
        return None
    notes: list[str] = []
    ordered = ranking.sort_values("mean", ascending=direction == "min", na_position="last", kind="stable")
    keys = ordered[params].copy()
    points: dict[str, dict[str, float]] = {}
    for name, bins in ({} if full_grid else choose_bins(ranking, params, kinds)).items():
        keys[name], points[name] = cut_into_bins(ordered[name], kinds[name], bins)
        spacing = "log-spaced" if kinds[name] == "log" and ordered[name].min() > 0 else "quantile"
        notes.append(f"{name} is binned into {len(points[name])} {spacing} bins; each cell shows the best configuration in it.")
    levels = {name: list(points[name]) if name in points else keys[name].drop_duplicates().sort_values().tolist() for name in params}
    if rows and not cols:
        cols = [name for name in params if name not in rows]
    elif cols and not rows:
        rows = [name for name in params if name not in cols]
    elif not rows and not cols:
        rows, cols = split_params(params, {name: len(levels[name]) for name in params})
    assert rows and cols

    # Best first, so the first configuration of each cell is its best scored one, or a failed one.
    cell = pd.MultiIndex.from_frame(keys[rows + cols])
    shown = ordered[~cell.duplicated()].set_axis(cell[~cell.duplicated()])
    every_cell = pd.MultiIndex.from_product([levels[name] for name in rows + cols], names=rows + cols)
    shape = (math.prod(len(levels[name]) for name in rows), math.prod(len(levels[name]) for name in cols))
    row_index, col_index = _axis_index(rows, levels), _axis_index(cols, levels)

    def table(column: pd.Series) -> pd.DataFrame:
        return pd.DataFrame(column.reindex(every_cell).to_numpy().reshape(shape), index=row_index, columns=col_index)

    values = table(shown["mean"]).astype(float)
    failed = table(pd.Series(True, index=shown.index)).notna() & values.isna()
    groups = table(shown["group"]).map(lambda group: "" if pd.isna(group) else str(int(group)))
    keep_rows, keep_cols = _cap(values, direction, notes)
    values, failed, groups = (frame.iloc[keep_rows, keep_cols] for frame in (values, failed, groups))

    model = _estimate(surrogate, values.isna() & ~failed, points)
    notes += _cell_notes(values, model, failed, surrogate)
    # Clustering sees the estimates, and the overall mean where a cell has neither.
    filled = values.fillna(model)
    filled = filled.fillna(float(np.nanmean(filled.to_numpy())))
    row_linkage = _linkage(filled.to_numpy(), rows, points)
    col_linkage = _linkage(filled.to_numpy().T, cols, points)
    row_order = hierarchy.leaves_list(row_linkage) if row_linkage is not None else np.arange(values.shape[0])
    col_order = hierarchy.leaves_list(col_linkage) if col_linkage is not None else np.arange(values.shape[1])
    values, model, failed, groups = (frame.iloc[row_order, col_order] for frame in (values, model, failed, groups))
    return Heatmap(
        rows, cols, values, model, failed, groups, _labels(values.index), _labels(values.columns),
        row_linkage, col_linkage, [name for name in params if name in points],
        _order_sentence(rows, cols, points, row_linkage, col_linkage), notes, values.size <= MAX_ANNOTATED_CELLS,
    )


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
    middle, a category itself. Cells the surrogate cannot place (a value it never saw) stay NaN."""
    model = pd.DataFrame(np.nan, index=empty.index, columns=empty.columns)
    cells = list(zip(*np.nonzero(empty.to_numpy())))
    if surrogate is None or not cells:
        return model
    features = []
    for i, j in cells:
        key = dict(zip(empty.index.names, _key(empty.index[i]))) | dict(zip(empty.columns.names, _key(empty.columns[j])))
        features.append([_feature(surrogate, name, key[name], points) for name in surrogate.X.columns])
    X = pd.DataFrame(features, columns=surrogate.X.columns, dtype=float)
    placed = X.notna().all(axis=1).to_numpy()
    if placed.any():
        predicted = surrogate.model.predict(X[placed])
        for (i, j), value in zip(itertools.compress(cells, placed), predicted):
            model.iat[i, j] = value
    return model


def _feature(surrogate: Surrogate, name: str, value: Any, points: dict[str, dict[str, float]]) -> float:
    if name in points:
        return points[name][value]
    if name in surrogate.categories:
        text = format_value(value)
        return float(surrogate.categories[name].index(text)) if text in surrogate.categories[name] else np.nan
    return float(value)


def _key(label: Any) -> tuple[Any, ...]:
    return label if isinstance(label, tuple) else (label,)


def _labels(index: pd.Index) -> list[str]:
    """Tick labels: a few significant digits, the parameters of a level joined by ` · `."""
    return [" · ".join(format_number(value, 4) for value in _key(label)) for label in index]


def _linkage(data: np.ndarray, names: list[str], points: dict[str, dict[str, float]]) -> np.ndarray | None:
    """The blog's clustering (seaborn's average linkage) of an axis, unless it holds a binned
    parameter, whose bins keep their natural order, or has a single label."""
    if len(data) < 2 or any(name in points for name in names):
        return None
    return hierarchy.linkage(data, method="average", metric="euclidean")


def _order_sentence(rows: list[str], cols: list[str], points: dict[str, Any], row_linkage: Any, col_linkage: Any) -> str:
    """Which axes are clustered and which keep their bins in order, for the caption."""
    binned = [axis for axis, names in (("rows", rows), ("columns", cols)) if any(name in points for name in names)]
    clustered = [axis for axis, linkage in (("rows", row_linkage), ("columns", col_linkage)) if linkage is not None]
    parts = []
    if clustered:
        parts.append(f"{' and '.join(clustered)} are ordered by hierarchical clustering")
    if binned:
        parts.append(f"{' and '.join(binned)} hold binned parameters, kept in increasing order and never reordered by clustering")
    sentence = "; ".join(parts)
    return sentence[:1].upper() + sentence[1:] + "." if parts else ""


def _cell_notes(values: pd.DataFrame, model: pd.DataFrame, failed: pd.DataFrame, surrogate: Surrogate | None) -> list[str]:
    """Say which cells are not measured: estimated by the model, failed, or blank."""
    notes = []
    estimated, n_failed = int(model.notna().sum().sum()), int(failed.sum().sum())
    blank = int((values.isna() & model.isna() & ~failed).sum().sum())
    if estimated:
        notes.append(
            f"{estimated} of {values.size} cells hold no run: hatched, with values marked ≈, they show the estimate of a "
            f"random-forest surrogate (out-of-bag R² {format_number(surrogate.oob_r2, 2)}) at the middle of the cell, not a measurement."
        )
    if n_failed:
        notes.append(f"{n_failed} of {values.size} cells are marked failed (grey, cross-hatched): their configurations were launched, but every run failed or left no result.")
    if blank:
        notes.append(f"{blank} of {values.size} cells have no run and are left blank.")
    return notes
