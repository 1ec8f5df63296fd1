"""What the sweeper was told to optimise, read from its own config and its results file.

Optuna's and Nevergrad's sweepers, and ours, are given a direction (and ours an objective) in
`hydra.sweeper`, which Hydra copies into every job's `.hydra/hydra.yaml`. A report that guessed
the direction from the metric's name instead would rank a maximised accuracy upside down.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any, NamedTuple

import pandas as pd
import yaml

RESULTS_FILE = "optimization_results.yaml"  # written by Optuna's sweeper and by ours
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class SweeperIntent(NamedTuple):
    objective: str | None  # the metric the sweeper optimised, when it names one (ours does)
    directions: list[str]  # "min" or "max" per objective; several for a multi-objective sweep
    setting: str  # the setting they came from, as the user would write it
    best_value: float | None  # the sweeper's own best (single objective), from its results file


def direction_word(value: Any) -> str | None:
    """'min' or 'max' from `min`, `minimize`, `MAXIMIZE`, `Direction.maximize`; None otherwise."""
    text = str(value).lower().rsplit(".", 1)[-1]
    return text[:3] if text[:3] in ("min", "max") else None


def declared_directions(sweeper: dict[str, Any]) -> tuple[list[str], str] | None:
    """The directions in a sweeper's config and the setting that holds them, or None if it has none."""
    optim = sweeper.get("optim")
    if isinstance(optim, dict) and isinstance(optim.get("maximize"), bool):  # Nevergrad
        return ["max" if optim["maximize"] else "min"], f"hydra.sweeper.optim.maximize={str(optim['maximize']).lower()}"
    declared = sweeper.get("direction")
    values = declared if isinstance(declared, list) else [declared]
    words = [direction_word(value) for value in values if value is not None]
    if not words or None in words:
        return None
    shown = f"[{','.join(map(str, values))}]" if isinstance(declared, list) else str(declared)
    return words, f"hydra.sweeper.direction={shown}"


def sweeper_intent(sweeper: dict[str, Any], sweep_dir: Path) -> SweeperIntent | None:
    """The sweeper's declared objective and directions, with its best value where it wrote one;
    None when the sweeper declared nothing (Hydra's grid sweeper)."""
    results = _results(sweep_dir / RESULTS_FILE) or {}
    declared = declared_directions(sweeper)
    if declared is None and direction_word(results.get("direction")):
        declared = [direction_word(results["direction"])], f"{RESULTS_FILE}: direction {results['direction']}"
    best_value = _best_value(results)
    if declared is None and best_value is None:
        return None
    objective = next((name for name in (sweeper.get("objective"), results.get("objective")) if isinstance(name, str)), None)
    directions, setting = declared or ([], "")
    return SweeperIntent(objective, directions, setting, best_value)


class FollowedIntent(NamedTuple):
    metric: str
    direction: str | None
    reason: str
    problems: list[str]


def follow_intent(intent: SweeperIntent, runs: pd.DataFrame, metrics: list[str]) -> FollowedIntent | None:
    """The metric the sweeper optimised and its direction, checked against the sweeper's own best.

    Optuna's and Nevergrad's task returns one number (recorded as `objective`) or a list
    (`objective_0`, `objective_1`...); where those names are absent (a `--metrics-file`), the
    metric that holds the sweeper's best value is the one it optimised.
    """
    name = _optimised_metric(intent, runs, metrics)
    if name is None:
        return None
    values = runs.loc[runs["status"].eq("completed"), name].dropna()
    lowest, highest = (float(values.min()), float(values.max())) if len(values) else (math.nan, math.nan)
    best = intent.best_value
    problems = []
    if intent.directions:
        direction = intent.directions[0]
        reason = f"as the sweeper optimised it: {intent.setting}"
        if len(intent.directions) > 1:
            reason = f"the first of {len(intent.directions)} objectives of a multi-objective sweep ({intent.setting}); ranked by the first only"
        wrong_end = lowest if direction == "max" else highest
        if best is not None and best == wrong_end and lowest != highest:
            problems.append(
                f"{RESULTS_FILE}: the sweeper's best {name} ({best!r}) is the {'lowest' if direction == 'max' else 'highest'}"
                f" of the runs, yet {intent.setting} says {'higher' if direction == 'max' else 'lower'} is better; ranked as declared"
            )
    elif best is not None and best in (lowest, highest) and lowest != highest:
        direction = "min" if best == lowest else "max"
        reason = f"as {RESULTS_FILE} shows: the sweeper's best {name} is the {'lowest' if direction == 'min' else 'highest'} run"
    else:
        return None
    return FollowedIntent(name, direction, reason, problems)


def _optimised_metric(intent: SweeperIntent, runs: pd.DataFrame, metrics: list[str]) -> str | None:
    returned = "objective" if len(intent.directions) <= 1 else "objective_0"
    for name in (intent.objective, returned):
        if name in metrics:
            return name
    if intent.best_value is not None:
        holding = [name for name in metrics if runs[name].eq(intent.best_value).any()]
        if len(holding) == 1:
            return holding[0]
    return metrics[0] if len(metrics) == 1 else None


def _results(path: Path) -> dict[str, Any] | None:
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_YAML_LOADER)
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return None
    return data if isinstance(data, dict) else None


def _best_value(results: dict[str, Any]) -> float | None:
    value = results.get("best_value")
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        return None
    return float(value)
