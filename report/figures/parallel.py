"""The parallel-coordinates plot's pixel geometry, from its info alone: where each axis, tick and
line goes and in which colour. The page draws it as inline SVG with a Jinja template (so every
text from a run is escaped there), and its script only adds behaviour to those elements.

Every byte per line counts, as a report of 10,000 runs must stay under 3 MB: coordinates are
rounded to 0.1 px and written without a trailing `.0`, a path's points after the first are joined
by spaces (implicit line-tos), and a line's values are one tab-separated text whose names the
plot holds once (see `names`), from which the script writes the tooltip.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Iterable

import numpy as np
from matplotlib import colormaps
from matplotlib.colors import to_hex

from report.analysis.parallel import Axis, Line, ParallelInfo
from report.figures.style import BEST_CMAP, FAILED_CELLS, MAX_LABEL
from report.formatting import better_word, format_number, short_text

LEFT, RIGHT, TOP, BOTTOM = 84, 130, 44, 16  # margins: tick labels left of the first axis, names of the pick and best right of the last
NAME_ROWS = (16, 32)  # baselines of the axis names; neighbours alternate rows where names are crowded
CHAR_WIDTH = 6.2  # px per character of the 11 px labels, on average
TICK_GAP = 13  # px between labelled ticks at least; more ticks are thinned out
HIT_WIDTH, HIT_REACH = 20, 6  # px around an axis, and past its ends, where a drag brushes it
TICK_OFFSET = 6  # px between an axis and its tick labels, on its left
LABEL_GAP = 12  # px between the names of the pick and the best at least
FAILED_COLOUR = FAILED_CELLS["edgecolor"]
FAILED_MEAN = "none: every run failed"
ROLE_NAMES = {"pick": "recommended pick", "best": "best observed", "pick and best": "pick = best observed"}


@dataclass(frozen=True)
class TickLayout:
    y: str
    label: str


@dataclass(frozen=True)
class AxisLayout:
    x: str
    name: str
    shown: str  # the name shortened to fit; the whole one is its tooltip
    name_y: int
    kind: str
    ticks: tuple[TickLayout, ...]
    tick_x: str  # right end of the tick labels
    hit_x: str  # left edge of the band that takes the brushing drags


@dataclass(frozen=True)
class LineLayout:
    group: int
    rank: int
    d: str  # SVG path: one point per axis where the configuration has a position
    colour: str
    classes: str  # 'line', plus 'failed', 'pick', 'best'
    values: str  # per axis, tab-separated: each parameter's value, then the mean objective


@dataclass(frozen=True)
class LabelLayout:
    x: str
    y: str
    text: str


@dataclass(frozen=True)
class ParallelLayout:
    width: int
    height: int
    top: str  # of the axes
    bottom: str
    hit_y: str  # top of the bands that take the brushing drags
    hit_height: str
    hit_width: int
    axes: tuple[AxisLayout, ...]
    lines: tuple[LineLayout, ...]  # in drawing order: failed, worst to best, the pick and best last
    labels: tuple[LabelLayout, ...]
    names: str  # the axes' names, tab-separated, for the tooltips
    objective: str
    better: str  # 'higher' or 'lower'
    drawn: int
    total: int
    failed: int
    unset: bool  # some parameter is unset in some configuration
    note: str | None


@dataclass(frozen=True)
class _Frame:
    """Where the axes stand and how a position in [0, 1] maps to a y coordinate."""

    xs: tuple[float, ...]
    width: int
    bottom: float

    @property
    def spacing(self) -> float:
        return (self.xs[-1] - self.xs[0]) / (len(self.xs) - 1) if len(self.xs) > 1 else float(self.width)

    def y(self, position: float) -> float:
        return self.bottom - position * (self.bottom - TOP)


def parallel_layout(info: ParallelInfo, width: int = 960, height: int = 360) -> ParallelLayout:
    """Pixels for `info` in a `width` x `height` viewBox."""
    frame = _Frame(_axis_xs(len(info.axes), width), width, height - BOTTOM)
    staggered = any(len(axis.name) * CHAR_WIDTH > frame.spacing - 8 for axis in info.axes)
    colours = _colours(info)
    drawn = sorted(range(len(info.lines)), key=lambda i: _drawing_key(info.lines[i]))
    return ParallelLayout(
        width=width,
        height=height,
        top=_px(TOP),
        bottom=_px(frame.bottom),
        hit_y=_px(TOP - HIT_REACH),
        hit_height=_px(frame.bottom - TOP + 2 * HIT_REACH),
        hit_width=HIT_WIDTH,
        axes=tuple(_axis_layout(axis, i, frame, staggered) for i, axis in enumerate(info.axes)),
        lines=tuple(_line_layout(info, i, frame, colours[i]) for i in drawn),
        labels=_role_labels(info, frame),
        names=_tab_separated(axis.name for axis in info.axes),
        objective=info.objective,
        better=better_word(info.direction),
        drawn=info.drawn,
        total=info.total,
        failed=sum(line.failed for line in info.lines),
        unset=any(axis.unset for axis in info.axes),
        note=info.note,
    )


def _px(value: float) -> str:
    """A coordinate to 0.1 px, without a trailing `.0`."""
    return f"{value:.1f}".removesuffix(".0")


def _axis_xs(count: int, width: int) -> tuple[float, ...]:
    if count == 1:
        return ((LEFT + width - RIGHT) / 2,)
    return tuple(float(x) for x in np.linspace(LEFT, width - RIGHT, count))


def _axis_layout(axis: Axis, index: int, frame: _Frame, staggered: bool) -> AxisLayout:
    """An axis' line, shortened name and thinned ticks; where names are crowded, neighbours
    alternate between two rows and each gets twice the room."""
    x = frame.xs[index]
    room = min(frame.spacing * (2 if staggered else 1), 2 * x, 2 * (frame.width - x)) - 8
    step = math.ceil(len(axis.ticks) / ((frame.bottom - TOP) // TICK_GAP + 1)) if axis.ticks else 1
    tick_room = (frame.spacing if index else LEFT) - 2 * TICK_OFFSET
    ticks = tuple(TickLayout(_px(frame.y(tick.position)), short_text(tick.label, _chars(tick_room))) for tick in axis.ticks[::step])
    return AxisLayout(
        x=_px(x),
        name=axis.name,
        shown=short_text(axis.name, _chars(room)),
        name_y=NAME_ROWS[index % 2 if staggered else 0],
        kind=axis.kind,
        ticks=ticks,
        tick_x=_px(x - TICK_OFFSET),
        hit_x=_px(x - HIT_WIDTH / 2),
    )


def _chars(room: float) -> int:
    """Characters that fit in `room` px: at least 4, at most MAX_LABEL."""
    return max(4, min(MAX_LABEL, int(room / CHAR_WIDTH)))


def _colours(info: ParallelInfo) -> list[str]:
    """Each line's colour on the report's scale, better always the yellow end; grey where failed."""
    positions = info.axes[-1].positions
    units = np.array([p if p is not None else 0.0 for p in positions], dtype=float)
    if info.direction == "min":  # the objective axis puts better at the top: undo it for the colour scale
        units = 1 - units
    rgba = colormaps[BEST_CMAP[info.direction]](units)
    return [FAILED_COLOUR if line.failed else to_hex(colour) for line, colour in zip(info.lines, rgba)]


def _drawing_key(line: Line) -> tuple[bool, bool, int]:
    return (line.role is not None, not line.failed, -line.rank)


def _line_layout(info: ParallelInfo, index: int, frame: _Frame, colour: str) -> LineLayout:
    """A line's path, through each axis where it has a position (a failed one stops before the
    objective), and its values for the tooltip."""
    line = info.lines[index]
    points = [(x, axis.positions[index]) for x, axis in zip(frame.xs, info.axes) if axis.positions[index] is not None]
    d = "M" + " ".join(f"{_px(x)},{_px(frame.y(position))}" for x, position in points)
    classes = " ".join(["line", *(["failed"] if line.failed else []), *(line.role or "").replace(" and ", " ").split()])
    mean = FAILED_MEAN if line.mean is None else format_number(line.mean)
    values = _tab_separated([*(value for _, value in line.config), mean])
    return LineLayout(line.group, line.rank, d, colour, classes, values)


def _tab_separated(texts: Iterable[str]) -> str:
    """Texts joined by tabs, a tab inside one shown as a space."""
    return "\t".join(text.replace("\t", " ") for text in texts)


def _role_labels(info: ParallelInfo, frame: _Frame) -> tuple[LabelLayout, ...]:
    """The names of the pick and the best, right of the objective axis at their mean, kept apart
    (only configurations with a finite mean have a role)."""
    placed: list[tuple[float, float, str]] = []
    for index, line in enumerate(info.lines):
        if line.role is None:
            continue
        placed.append((frame.xs[-1] + 8, frame.y(info.axes[-1].positions[index]) + 4, ROLE_NAMES[line.role]))
    placed.sort(key=lambda label: label[1])
    for i in range(1, len(placed)):
        if placed[i][1] - placed[i - 1][1] < LABEL_GAP:
            placed[i] = (placed[i][0], placed[i - 1][1] + LABEL_GAP, placed[i][2])
    return tuple(LabelLayout(_px(x), _px(y), text) for x, y, text in placed)
