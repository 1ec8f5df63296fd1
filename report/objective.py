"""Which metric the report optimises and in which direction, when the user did not say; and the
direction a sweeper's `direction` setting names."""

from __future__ import annotations

import re
from typing import Any

MINIMISE_WORDS = frozenset({"rmse", "mse", "mae", "mape", "loss", "error", "err", "nll", "perplexity", "regret"})
MAXIMISE_WORDS = frozenset({"r2", "acc", "accuracy", "f1", "auc", "roc", "precision", "recall", "score", "reward", "map"})
DIRECTION_WORDS = {"min": "min", "minimize": "min", "max": "max", "maximize": "max"}


def direction_word(value: Any) -> str | None:
    """'min' or 'max' from `min`, `minimize`, `MAXIMIZE`, `Direction.maximize` (a sweeper's direction
    setting as Optuna's sweeper or ours spells it, any case); None for anything else."""
    return DIRECTION_WORDS.get(str(value).strip().lower().rsplit(".", 1)[-1])


def infer_direction(metric: str) -> str | None:
    """'min' or 'max' from the metric's name (`val_loss` -> min, `test_acc` -> max), else None."""
    words = set(re.split(r"[^a-z0-9]+", metric.lower()))
    if words & MINIMISE_WORDS:
        return "min"
    if words & MAXIMISE_WORDS:
        return "max"
    return None
