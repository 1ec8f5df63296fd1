"""Which parameters go on the clustermap's rows and which on its columns."""

from __future__ import annotations

import itertools
import math

EXHAUSTIVE_SPLIT = 12  # parameters up to which every split between rows and columns is tried


def split_params(params: list[str], counts: dict[str, int]) -> tuple[list[str], list[str]]:
    """Put the parameters on rows and columns so that the table is as near square as possible.

    A parameter with no level (set only by jobs that left no result) counts as one. Beyond
    EXHAUSTIVE_SPLIT parameters the split is greedy: every subset would be too many to try."""
    sizes = {name: math.log(max(1, counts[name])) for name in params}
    if len(params) > EXHAUSTIVE_SPLIT:
        on_rows: set[str] = set()
        totals = [0.0, 0.0]  # log sizes of the rows and of the columns
        for position, name in enumerate(sorted(params, key=lambda name: -sizes[name])):
            side = position if position < 2 else int(totals[1] < totals[0])
            on_rows |= {name} if side == 0 else set()
            totals[side] += sizes[name]
        return [name for name in params if name in on_rows], [name for name in params if name not in on_rows]
    best: tuple[float, list[str], list[str]] | None = None
    for size in range(1, len(params)):
        for rows in itertools.combinations(params, size):
            cols = [name for name in params if name not in rows]
            imbalance = abs(sum(sizes[name] for name in rows) - sum(sizes[name] for name in cols))
            if best is None or imbalance < best[0] - 1e-12:
                best = (imbalance, list(rows), cols)
    assert best is not None, "two or more parameters are needed"
    return best[1], best[2]


def place_axes(
    params: list[str], rows: list[str] | None, cols: list[str] | None, counts: dict[str, int], notes: list[str]
) -> tuple[list[str], list[str]]:
    """The parameters on rows and on columns: as asked, the rest on the other axis, or the near
    square split when nothing is asked. A table needs a parameter on each axis: when `rows` (or
    `cols`) names them all, the last one named goes to the other axis, and a note says so."""
    rows = [name for name in dict.fromkeys(rows or []) if name in params]
    cols = [name for name in dict.fromkeys(cols or []) if name in params and name not in rows]
    if not rows and not cols:
        return split_params(params, counts)
    rest = [name for name in params if name not in rows and name not in cols]
    if cols:
        rows = rows + rest if rows else rest
    else:
        cols = rest
    for asked, other, flag in ((rows, cols, "--rows"), (cols, rows, "--cols")):
        if not other:
            other.append(asked.pop())
            side = "columns" if flag == "--rows" else "rows"
            notes.append(f"{flag} names every parameter, but a table needs one on each axis: {other[0]} is on the {side}.")
    return rows, cols
