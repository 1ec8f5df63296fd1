"""Where a model-based map of two parameters must not show a value: around launched runs that failed.

The surrogate forest only ever saw completed runs, so near runs that crashed it extrapolates;
those cells are marked failed instead of coloured as if measured.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from report.analysis.ranking import is_scored
from report.formatting import format_value

# A surrogate cell counts as measured when one of the launched runs nearest to it completed. Three
# keeps the test local enough that a crash region holding three failed runs of a 40-run random
# search is hatched (five reached past it to completed runs and hatched nothing), yet a region where
# one run in five fails at random is marked failed in only 0.2**3 = 0.8% of its cells.
NEAREST_RUNS = 3


def failed_cells(runs: pd.DataFrame, objective: str, x_axis: tuple[str, str, list[Any]], y_axis: tuple[str, str, list[Any]]) -> np.ndarray:
    """[i_x][i_y]: True where none of the NEAREST_RUNS launched runs nearest to (x_i, y_j) completed.

    Each axis is (name, kind, grid values). Distances are in the plane of the two parameters,
    each scaled to [0, 1] over the launched runs (log10 first for log parameters); a categorical
    or boolean value must match exactly.
    """
    completed = is_scored(runs, objective).to_numpy()
    dx, dy = (_axis_distances(runs[name], kind, values) for name, kind, values in (x_axis, y_axis))
    failed = np.ones((len(dx), len(dy)), dtype=bool)
    for i, row in enumerate(dx):
        distance = row[None, :] ** 2 + dy**2  # [j][run]
        k = min(NEAREST_RUNS, distance.shape[1])
        nearest = np.argpartition(distance, k - 1, axis=1)[:, :k]
        reachable = np.isfinite(np.take_along_axis(distance, nearest, axis=1))
        failed[i] = ~(completed[nearest] & reachable).any(axis=1)
    return failed


def _axis_distances(column: pd.Series, kind: str, values: list[Any]) -> np.ndarray:
    """[grid point][run]: distance along one parameter's axis; inf to other categories and unset values."""
    if kind in ("categorical", "boolean"):
        texts = column.map(format_value).to_numpy()
        return np.array([np.where(texts == value, 0.0, np.inf) for value in values])
    runs, grid = column.astype(float).to_numpy(), np.asarray(values, dtype=float)
    if kind == "log":
        runs, grid = np.log10(np.where(runs > 0, runs, np.nan)), np.log10(grid)
    span = np.nanmax(runs) - np.nanmin(runs) if np.isfinite(runs).any() else 0.0
    distance = np.abs(grid[:, None] - runs[None, :]) / (span or 1.0)
    return np.where(np.isnan(distance), np.inf, distance)
