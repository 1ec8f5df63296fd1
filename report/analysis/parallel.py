"""What the parallel-coordinates plot shows: each configuration's place on one axis per swept
parameter and on the objective, as positions in [0, 1]; no pixels, colours or markup.

Like Optuna's visualization package, a pure info function feeds a drawer that sees nothing else,
so the geometry can be tested against hand computation. Past MAX_LINES configurations the plot
keeps the best ones and a seeded random sample of the rest: thousands of lines would make the page
heavy and the plot a solid block of colour, and the best ones are what people look for.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from numbers import Real
from typing import Any, Callable, Sequence

import numpy as np
import pandas as pd

from report.analysis.bins import UNSET, value_labels
from report.columns import GROUP, MEAN, RANK
from report.formatting import format_value

# Lines drawn at most: a few thousand configurations are drawn whole. A line costs about 200
# bytes (five parameters): 0.4 MB of the 3 MB a report may weigh at any size.
MAX_LINES = 2000
BEST_SHARE = 0.25  # of the lines drawn, kept for the best configurations; the rest is a seeded random sample
UNSET_GAP = 0.1  # the bottom of an axis holding unset values is theirs; set values lie above it
VALUE_TICKS = 8  # a numeric axis with at most this many distinct values gets a tick at each
NICE_TICKS = 5  # about this many round-number ticks on other numeric axes


@dataclass(frozen=True)
class Tick:
    position: float  # in [0, 1], 0 at the bottom
    label: str


@dataclass(frozen=True)
class Axis:
    name: str
    kind: str  # 'log', 'linear', 'categorical', 'boolean' or 'objective'
    ticks: tuple[Tick, ...]
    positions: tuple[float | None, ...]  # per line of ParallelInfo.lines; None: no finite mean
    unset: bool = False  # some configuration does not set the parameter: position 0 is theirs


@dataclass(frozen=True)
class Line:
    group: int
    rank: int
    mean: float | None  # None where no run has a finite objective
    failed: bool
    role: str | None  # 'pick', 'best', 'pick and best' or None
    config: tuple[tuple[str, str], ...]  # (parameter, value as Hydra writes it), in axis order


@dataclass(frozen=True)
class ParallelInfo:
    objective: str
    direction: str
    axes: tuple[Axis, ...]  # the parameters in the given order, then the objective
    lines: tuple[Line, ...]  # best rank first
    drawn: int
    total: int
    note: str | None  # what was left out, when the configurations were sampled


def parallel_info(
    ranking: pd.DataFrame,
    params: list[str],
    kinds: dict[str, str],
    objective: str,
    direction: str,
    pick: int | None,
    best: int | None,
    max_lines: int = MAX_LINES,
    seed: int = 0,
) -> ParallelInfo:
    """The plot of `ranking` (one row per configuration, best first, as rank_configurations
    returns it); `pick` and `best` are the group ids of the recommended and the best observed
    configuration, drawn on top and named."""
    rows, note = _drawn_rows(ranking, pick, best, max_lines, seed)
    axes = [_param_axis(name, kinds[name], ranking[name], rows[name]) for name in params]
    means = ranking[MEAN].to_numpy(dtype=float)
    axes.append(_objective_axis(objective, direction, means, rows[MEAN].to_numpy(dtype=float)))
    lines = tuple(_line(row, params, pick, best) for row in rows.to_dict("records"))
    return ParallelInfo(objective, direction, tuple(axes), lines, len(lines), len(ranking), note)


def _line(row: dict[str, Any], params: list[str], pick: int | None, best: int | None) -> Line:
    """One configuration; without a finite mean it failed, and is never the pick or the best."""
    scored = math.isfinite(row[MEAN])
    return Line(
        group=int(row[GROUP]),
        rank=int(row[RANK]),
        mean=float(row[MEAN]) if scored else None,
        failed=not scored,
        role=_role(int(row[GROUP]), pick, best) if scored else None,
        config=tuple((name, UNSET if _missing(row[name]) else format_value(row[name])) for name in params),
    )


def _drawn_rows(
    ranking: pd.DataFrame, pick: int | None, best: int | None, max_lines: int, seed: int
) -> tuple[pd.DataFrame, str | None]:
    """Every row, or past `max_lines` the best ones, the named ones and a seeded random sample."""
    total = len(ranking)
    if total <= max_lines:
        return ranking, None
    best_count = int(max_lines * BEST_SHARE)
    named = np.flatnonzero(ranking[GROUP].isin({pick, best} - {None}).to_numpy())
    kept = np.union1d(np.arange(best_count), named)
    rest = np.setdiff1d(np.arange(total), kept)
    sample = np.random.default_rng(seed).choice(rest, size=max(0, max_lines - len(kept)), replace=False)
    rows = ranking.iloc[np.union1d(kept, sample)]  # sorted positions: still best first
    beyond = pick is not None and pick not in set(ranking[GROUP].iloc[:best_count])
    named_text = ", the recommended pick" if beyond else ""
    note = f"{len(rows):,} of {total:,} configurations drawn: the best {best_count:,}{named_text} and a random sample"
    return rows, note


def _role(group: int, pick: int | None, best: int | None) -> str | None:
    if group == pick and group == best:
        return "pick and best"
    if group == pick:
        return "pick"
    return "best" if group == best else None


def _missing(value: Any) -> bool:
    return value is None or value is pd.NA or (isinstance(value, (float, np.floating)) and math.isnan(value))


def _param_axis(name: str, kind: str, column: pd.Series, drawn: pd.Series) -> Axis:
    """One parameter's axis over all configurations' values, with the drawn ones placed on it."""
    present = [value for value in column if not _missing(value)]
    if kind in ("linear", "log"):
        values = np.asarray(present, dtype=float)
        kind = "log" if kind == "log" and values.size and (values > 0).all() else "linear"
        scale = _numeric_scale(values, kind == "log")
    else:
        scale = _level_scale([False, True] if kind == "boolean" else present)
    unset = len(present) < len(column)
    bottom, room = (UNSET_GAP, 1 - UNSET_GAP) if unset else (0.0, 1.0)
    ticks = tuple(Tick(bottom + room * tick.position, tick.label) for tick in scale.ticks)
    positions = tuple(0.0 if _missing(value) else bottom + room * scale.place(value) for value in drawn)
    return Axis(name, kind, ((Tick(0.0, UNSET),) if unset else ()) + ticks, positions, unset)


@dataclass(frozen=True)
class _Scale:
    place: Callable[[Any], float]  # a set value's position in [0, 1]
    ticks: tuple[Tick, ...]


def _level_scale(values: Sequence[Any]) -> _Scale:
    """Categorical and boolean values evenly spaced in sorted order, told apart by their text
    (so that true and 1 are two levels); numbers by value, any other mix by text."""
    texts = {format_value(value): value for value in values}
    numbers = all(isinstance(value, Real) and not isinstance(value, (bool, np.bool_)) for value in texts.values())
    order = sorted(texts, key=(lambda text: (float(texts[text]), text)) if numbers else None)
    where = {text: i / (len(order) - 1) if len(order) > 1 else 0.5 for i, text in enumerate(order)}
    labels = value_labels([texts[text] for text in order])
    return _Scale(lambda value: where[format_value(value)], tuple(Tick(where[t], label) for t, label in zip(order, labels)))


def _numeric_scale(values: np.ndarray, log: bool) -> _Scale:
    """Linear or log10 placement between the smallest and largest finite value; infinite values
    sit at the ends. A parameter with few values gets a tick at each, others round numbers."""
    finite = values[np.isfinite(values)]
    low, high = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 0.0)
    ends = (math.log10(low), math.log10(high)) if log else (low, high)

    def place(value: Any) -> float:
        value = float(value)
        return _unit(math.log10(value) if log and math.isfinite(value) else value, *ends)

    distinct = np.unique(finite)
    if len(distinct) <= VALUE_TICKS:
        tick_values = distinct.tolist()
    else:
        tick_values = _decades(low, high) if log else _round_numbers(low, high)
    return _Scale(place, tuple(Tick(place(v), label) for v, label in zip(tick_values, value_labels(tick_values))))


def _unit(value: float, low: float, high: float) -> float:
    """`value` between `low` (0) and `high` (1), clipped; 0.5 when they are equal. Halved first,
    so that spans of huge floats do not overflow."""
    if high == low:
        return 0.5
    return float(np.clip((value / 2 - low / 2) / (high / 2 - low / 2), 0.0, 1.0))


def _decades(low: float, high: float) -> list[float]:
    powers = [10.0**k for k in range(math.ceil(math.log10(low)), math.floor(math.log10(high)) + 1)]
    return powers if len(powers) >= 2 else [low, high]


def _round_numbers(low: float, high: float) -> list[float]:
    """About NICE_TICKS multiples of 1, 2 or 5 times a power of ten between `low` and `high`."""
    half_span = high / 2 - low / 2
    if not math.isfinite(half_span) or half_span <= 0:
        return [low, high]
    step = 10.0 ** math.floor(math.log10(half_span) + math.log10(2 / NICE_TICKS))
    step *= next(factor for factor in (1, 2, 5, 10) if half_span / (factor * step) <= NICE_TICKS / 2)
    ticks = [k * step for k in range(math.ceil(low / step), math.floor(high / step) + 1)]
    return ticks if len(ticks) >= 2 else [low, high]


def _objective_axis(objective: str, direction: str, means: np.ndarray, drawn: np.ndarray) -> Axis:
    """The mean objective of every configuration with a finite one, better at the top."""
    finite = means[np.isfinite(means)]
    low, high = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 0.0)

    def place(value: float) -> float:
        unit = _unit(value, low, high)
        return unit if direction == "max" else 1 - unit

    tick_values = _round_numbers(low, high) if high > low else finite[:1].tolist()
    ticks = tuple(Tick(place(v), label) for v, label in zip(tick_values, value_labels(tick_values)))
    positions = tuple(place(float(value)) if math.isfinite(value) else None for value in drawn)
    return Axis(objective, "objective", ticks, positions)
