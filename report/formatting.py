"""Numbers and values as people read them; the templates only print these strings."""

from __future__ import annotations

import math
import re
from typing import Any

import numpy as np
import pandas as pd

MISSING = "–"
LONE_SURROGATE = re.compile("[\ud800-\udfff]")  # half of a UTF-16 pair: cannot be written as UTF-8, nor drawn
REPLACEMENT = "\N{REPLACEMENT CHARACTER}"
ELLIPSIS = "…"
SAFE_MAGNITUDE = 2.0**300  # beyond this (1e90), sums of squares and spans of floats may overflow


def better_word(direction: str) -> str:
    """Which way a metric improves, in words: `lower` for min, `higher` for max."""
    return "lower" if direction == "min" else "higher"


def format_number(value: Any, digits: int = 4) -> str:
    """`digits` significant figures for floats; anything else as `format_value` writes it."""
    if isinstance(value, (float, np.floating)) and not pd.isna(value):
        return f"{float(value):.{digits}g}"
    return format_value(value)


SHORT_ENOUGH = 6  # significant digits a parameter value may have to be shown as written


def format_param(value: Any) -> str:
    """A parameter value for a table cell: as written when it is short (`0.12345`, `1e-05`), else
    to 4 significant figures (`0.00055607802386143` -> `0.0005561`), the full value being one
    hover away. Short values cost the page no hover text, which matters at 10,000 rows."""
    if isinstance(value, (float, np.floating)) and not pd.isna(value):
        digits = repr(float(value)).split("e")[0].replace("-", "").replace(".", "").strip("0")
        return format_value(value) if len(digits) <= SHORT_ENOUGH else format_number(value)
    return format_value(value)


def format_exact(value: Any) -> str:
    """The full-precision value as Python prints it: what the notebook printed."""
    if pd.isna(value):
        return MISSING
    return repr(float(value))


def format_value(value: Any) -> str:
    """A parameter value as Hydra would write it on the command line."""
    if pd.isna(value):
        return MISSING
    if isinstance(value, (bool, np.bool_)):
        return str(bool(value)).lower()
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    return str(value)


def format_duration(seconds: float) -> str:
    """`0.42 ms`, `85 ms`, `3.2 s`, `4 min 05 s`, `2 h 03 min`: sub-second runs in milliseconds,
    so that a quick job never reads `0.0 s`."""
    if pd.isna(seconds) or not np.isfinite(seconds):
        return MISSING
    if abs(seconds) >= 1e9 or seconds < 0:  # not a duration anyone measured: shown as it is
        return f"{seconds:.3g} s"
    if seconds < 0.9995:  # what would round to 1000 ms reads better as 1.0 s
        milliseconds = seconds * 1000
        return f"{milliseconds:.2g} ms" if milliseconds < 10 else f"{milliseconds:.0f} ms"
    if seconds < 59.95:
        return f"{seconds:.1f} s"
    minutes, seconds = divmod(round(seconds), 60)
    if minutes < 60:
        return f"{minutes} min {seconds:02d} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min"


def encodable(text: str) -> str:
    """`text` with each lone surrogate (a JSON `"\\ud800"`) replaced by U+FFFD, so that it can be
    written as UTF-8 and drawn; the same object when there is none (a `Markup` stays `Markup`)."""
    if not LONE_SURROGATE.search(text):
        return text
    cleaned = LONE_SURROGATE.sub(REPLACEMENT, text)
    return cleaned if type(text) is str else type(text)(cleaned)


def short_text(text: Any, limit: int = 40) -> str:
    """A text from a run as a label: encodable, and cut to `limit` characters with `…` (the full
    text stays in the tables)."""
    text = encodable(str(text))
    return text if len(text) <= limit else text[: limit - 1] + ELLIPSIS


def power_of_two_unit(values: Any) -> float:
    """1, or the power of two that brings the largest finite magnitude of `values` near 1 when it
    is so large (or small) that spans and squares would overflow (or vanish). Dividing by a power
    of two is exact, so scaled analyses give bit-identical answers where no scaling is needed."""
    magnitudes = np.abs(np.asarray(values, dtype=float).ravel())
    magnitudes = magnitudes[np.isfinite(magnitudes) & (magnitudes > 0)]
    if not magnitudes.size:
        return 1.0
    top = float(magnitudes.max())
    if 1 / SAFE_MAGNITUDE <= top <= SAFE_MAGNITUDE:
        return 1.0
    return math.ldexp(1.0, math.frexp(top)[1] - 1)  # the largest then lies in [1, 2)


def value_keys(column: pd.Series) -> pd.Series:
    """A column of values to group, pivot and sort by: an object column's values as their text
    (missing ones kept missing), so that mixed types (4.5, true, 1) sort, and values Python calls
    equal (true == 1) stay apart, as in the tables; other columns as they are."""
    if column.dtype != object:
        return column
    return column.map(lambda value: value if _is_missing(value) else format_value(value)).astype(object)


def _is_missing(value: Any) -> bool:
    return value is None or value is pd.NA or (isinstance(value, (float, np.floating)) and math.isnan(value))
