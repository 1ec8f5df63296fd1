"""Numbers and values as people read them; the templates only print these strings."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

MISSING = "–"


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
    if pd.isna(seconds):
        return MISSING
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
