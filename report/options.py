"""What a user chose about one report, and the errors that say a choice or a sweep cannot be used.

The CLI and the recording callback build the same frozen `ReportOptions`, so every choice the
CLI offers can be made from a sweep's config too. Errors raised inside the library name an option
by its field here (`metric`, `rows`); each front end words it its own way (`--metric`).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

Direction = Literal["min", "max"]


@dataclass(frozen=True)
class ReportOptions:
    metric: str | None = None  # the metric to rank by; default: the sweeper's, else the first reported
    mode: Direction | None = None  # default: the sweeper's direction, else guessed from the metric's name
    repeat_key: str | None = None  # the parameter whose values are repeats; default: seed, if swept
    metrics_file: str | None = None  # the app's own metrics file in each job directory (no callback)
    rows: tuple[str, ...] = ()  # parameters on the clustermap's rows; default: chosen to keep it near square
    cols: tuple[str, ...] = ()  # parameters on its columns; default: the others
    cost: str | None = None  # a metric, or "duration"; default: a metric named for time or size, else duration

    def __post_init__(self) -> None:
        if self.mode not in (None, "min", "max"):
            raise ValueError(f"mode={self.mode!r}: use min or max")
        object.__setattr__(self, "rows", tuple(self.rows or ()))
        object.__setattr__(self, "cols", tuple(self.cols or ()))


@dataclass(frozen=True)
class Target:
    """The metric a report ranks by, which way is better, and why that metric and way were chosen."""

    name: str
    direction: Direction
    reason: str


class SweepError(Exception):
    """Nothing can be reported from this directory; the message names the file and the reason."""


class OptionError(SweepError):
    """An option names something the sweep does not have. `options` are the `ReportOptions`
    fields at fault; `spelled` words the message with a front end's names for them."""

    def __init__(self, directory: Path, options: tuple[str, ...], message: str) -> None:
        self.directory, self.options, self.message = directory, options, message
        super().__init__(self.spelled({name: name for name in options}))

    def spelled(self, names: dict[str, str]) -> str:
        """The message with each option written as `names` spells it, e.g. {'metric': '--metric'}."""
        return f"{self.directory}: " + self.message.format(*(names.get(name, name) for name in self.options))
