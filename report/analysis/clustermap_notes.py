"""The clustermap's caption and notes: how its axes are ordered, and which cells hold no measurement."""

from __future__ import annotations

from typing import Any

import pandas as pd

from report.analysis.bins import UNSET
from report.analysis.importance import MIN_R2
from report.analysis.surrogate import Surrogate
from report.formatting import format_number


def order_sentence(
    rows: list[str], cols: list[str], kept: set[str], points: dict[str, Any], levels: dict[str, list[Any]],
    row_linkage: Any, col_linkage: Any,
) -> str:
    """Which axes are clustered and which keep their numeric parameters in order, for the caption."""
    clustered = [axis for axis, linkage in (("rows", row_linkage), ("columns", col_linkage)) if linkage is not None]
    parts = [f"{' and '.join(clustered)} are ordered by hierarchical clustering"] if clustered else []
    kept_axes = []
    for axis, names in (("rows", rows), ("columns", cols)):
        described = [f"{name} in bins" if name in points else name for name in names if name in kept]
        if any(UNSET in levels[name] for name in names if name in kept):
            described.append("unset last")
        if described:
            kept_axes.append(f"{axis} ({', '.join(described)})")
    if kept_axes:
        parts.append(
            f"{' and '.join(kept_axes)} hold numeric parameters, kept in increasing order and never reordered by "
            f"clustering, as the sweep is not a full grid"
        )
    sentence = "; ".join(parts)
    return sentence[:1].upper() + sentence[1:] + "." if parts else ""


def cell_notes(
    values: pd.DataFrame, model: pd.DataFrame, failed: pd.DataFrame, possible: pd.DataFrame, surrogate: Surrogate | None
) -> list[str]:
    """Say which cells are not measured: estimated by the model, failed, impossible or blank, and why."""
    notes = []
    empty = values.isna() & model.isna() & ~failed
    estimated, n_failed = int(model.notna().sum().sum()), int(failed.sum().sum())
    impossible, blank = int((empty & ~possible).sum().sum()), int((empty & possible).sum().sum())
    if estimated:
        notes.append(
            f"{estimated} of {values.size} cells hold no run: hatched, with values marked ≈, they show the estimate of a "
            f"random-forest surrogate (out-of-bag R² {format_number(surrogate.oob_r2, 2)}) at the middle of the cell, not a measurement."
        )
    if n_failed:
        notes.append(
            f"{n_failed} of {values.size} cells are marked failed (grey, cross-hatched): "
            "their configurations were launched, but every run failed or left no result."
        )
    if impossible:
        notes.append(
            f"{impossible} of {values.size} cells pair a parameter's unset value with choices that always set it, or the "
            f"reverse (Hydra config groups): no job can land there, so they are blank."
        )
    if blank and surrogate is not None and surrogate.oob_r2 < MIN_R2:
        notes.append(
            f"{blank} of {values.size} cells have no run and are left blank: the random-forest surrogate explains too little "
            f"(out-of-bag R² {format_number(surrogate.oob_r2, 2)}, below {format_number(MIN_R2, 2)}) to estimate them."
        )
    elif blank:
        notes.append(f"{blank} of {values.size} cells have no run and are left blank.")
    return notes
