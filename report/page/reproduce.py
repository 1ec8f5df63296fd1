"""The Hydra command line that runs one configuration again."""

from __future__ import annotations

import shlex

import pandas as pd

from report.jobfiles import plain
from report.overrides import override_text, without_key


def reproduce_command(program: str, runs: pd.DataFrame, repeat_key: str | None) -> str:
    """`program` with the overrides these runs share, and a sweep over their repeat values.

    `runs` are the jobs of one configuration; their recorded override strings (shell words) are reused as
    the user typed them, so quoting and config-group choices come back exactly.
    """
    overrides = shlex.split(runs["overrides"].dropna().iloc[0]) if runs["overrides"].notna().any() else []
    kept, prefix = without_key(overrides, repeat_key) if repeat_key else (overrides, "")
    words = [program, *map(shlex.quote, kept)]
    repeat_values = [plain(value) for value in runs[repeat_key].dropna().unique()] if repeat_key else []
    if len(repeat_values) > 1:
        words[1:1] = ["-m"]
        words.append(shlex.quote(f"{prefix}{repeat_key}={','.join(map(str, repeat_values))}"))
    elif repeat_values:
        words.append(shlex.quote(override_text(prefix + repeat_key, repeat_values[0])))
    return " ".join(words)
