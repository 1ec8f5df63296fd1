"""How a configuration, a value and a column header are written into a table of the page."""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass
from typing import Any

import pandas as pd

from report.formatting import format_param
from report.jobfiles import plain
from report.overrides import override_text

MAX_COLUMNS = 6  # parameters that get a column each; more share one wrapping column
MAX_METRIC_COLUMNS = 4  # likewise for metrics, whose headers are longer
# Keys of those shared columns; the leading space keeps them apart from any parameter's name.
CONFIGURATION, METRICS, OTHER_METRICS = " configuration", " metrics", " other metrics"


@dataclass(frozen=True)
class Cell:
    text: str
    exact: str | None = None  # the full value, shown on hover, where the text rounds it
    wrap: bool = False  # a shared column whose text may wrap


def word_parts(text: str) -> list[str]:
    """A column name cut after each `_`, `.`, `-` or `/`, where the page may wrap it (`<wbr>`):
    long metric names then wrap inside their header instead of widening the table."""
    return [part for part in re.findall(r"[^_./-]*[_./-]?", text) if part] or [text]


def overrides_text(record: dict[str, Any], params: list[str]) -> str:
    """A configuration as command-line overrides, quoted for Hydra and the shell."""
    return " ".join(shlex.quote(override_text(name, None if pd.isna(record[name]) else plain(record[name]))) for name in params)


def short_overrides(record: dict[str, Any], params: list[str]) -> str:
    """A configuration as `name=value` pairs with floats to 4 significant digits, to read, not to copy."""
    return " ".join(f"{name}={format_param(record[name])}" for name in params)
