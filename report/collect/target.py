"""Which metric a report ranks by, which way is better, and which parameter holds the repeats:
as the user chose, else as the sweeper declared, else guessed from the names."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from report.collect.intent import SweeperIntent, follow_intent
from report.jobfiles import infer_direction
from report.options import OptionError, ReportOptions, Target

REPEAT_KEY_NAMES = ("seed", "random_state", "repeat")


def choose_target(
    directory: Path, intent: SweeperIntent | None, runs: pd.DataFrame, metrics: list[str], options: ReportOptions, problems: list[str]
) -> Target | None:
    """The objective and its direction; None when the runs report no metric. The sweeper's
    direction holds for the metric it optimised, unless the user chose one."""
    metric, mode, mode_reason = options.metric, options.mode, "as asked"
    followed = intent and follow_intent(intent, runs, metrics, metric)
    if followed:
        problems.extend(followed.problems)
        metric = followed.metric
        if mode is None and followed.direction:
            mode, mode_reason = followed.direction, followed.reason
    if metric is not None and metric not in metrics:
        raise OptionError(directory, ("metric",), f"{{}} {metric!r} is not a metric of this sweep (metrics: {', '.join(metrics) or 'none'})")
    objective = metric or (metrics[0] if metrics else None)
    if objective is None:
        return None
    if mode is not None:
        return Target(objective, mode, mode_reason)
    inferred = infer_direction(objective)
    if inferred:
        return Target(objective, inferred, f"guessed from the name {objective!r}")
    return Target(objective, "min", "the default: the name gives no hint")


def choose_repeat_key(sweep_dir: Path, params: list[str], fixed: dict[str, Any], repeat_key: str | None) -> str | None:
    if repeat_key is not None:
        if repeat_key not in params and repeat_key not in fixed:
            raise OptionError(sweep_dir, ("repeat_key",), f"{{}} {repeat_key!r} is not a parameter of this sweep (parameters: {', '.join(params) or 'none'})")
        return repeat_key
    for name in [*params, *fixed]:
        if name.rsplit(".", 1)[-1] in REPEAT_KEY_NAMES:
            return name
    return None
