"""Which metric the report optimises and in which direction, when the user did not say."""

from __future__ import annotations

import re

MINIMISE_WORDS = frozenset({"rmse", "mse", "mae", "mape", "loss", "error", "err", "nll", "perplexity", "regret"})
MAXIMISE_WORDS = frozenset({"r2", "acc", "accuracy", "f1", "auc", "roc", "precision", "recall", "score", "reward", "map"})


def infer_direction(metric: str) -> str | None:
    """'min' or 'max' from the metric's name (`val_loss` -> min, `test_acc` -> max), else None."""
    words = set(re.split(r"[^a-z0-9]+", metric.lower()))
    if words & MINIMISE_WORDS:
        return "min"
    if words & MAXIMISE_WORDS:
        return "max"
    return None
