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

from report.jobfiles import RESULTS_FILE, direction_word, read_mapping

ROUNDED, EXACT = 1e-3, 1e-9  # relative distances at which a metric holds the sweeper's best value


class SweeperIntent(NamedTuple):
    objective: str | None  # the metric the sweeper optimised, when it names one (ours does)
    directions: list[str]  # "min" or "max" per objective; several for a multi-objective sweep
    setting: str  # the setting they came from, as the user would write it
    best_value: float | None  # the sweeper's own best (single objective), from its results file
    best_params: dict[str, Any]  # the configuration that scored it, keys without Hydra's `+`


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
    results = read_mapping(sweep_dir / RESULTS_FILE) or {}
    declared = declared_directions(sweeper)
    if declared is None and direction_word(results.get("direction")):
        declared = [direction_word(results["direction"])], f"{RESULTS_FILE}: direction {results['direction']}"
    best_value = _best_value(results)
    if declared is None and best_value is None:
        return None
    objective = next((name for name in (sweeper.get("objective"), results.get("objective")) if isinstance(name, str)), None)
    directions, setting = declared or ([], "")
    best_params = results.get("best_params") if isinstance(results.get("best_params"), dict) else {}
    return SweeperIntent(objective, directions, setting, best_value, {str(key).lstrip("+"): value for key, value in best_params.items()})


class SweeperStop(NamedTuple):
    """Why a sweeper ended short of the trials it was asked for, as it wrote in its results file."""

    reason: str
    at_trial: int  # trials run when it stopped
    n_trials: int  # trials it was asked for


def sweeper_stop(sweep_dir: Path) -> SweeperStop | None:
    """The `stopped` entry of our sweeper's results file; None when the sweep ran to its end
    (or the file has none, or not in that shape)."""
    stopped = (read_mapping(sweep_dir / RESULTS_FILE) or {}).get("stopped")
    if not isinstance(stopped, dict):
        return None
    at_trial, n_trials = stopped.get("at_trial"), stopped.get("n_trials")
    if not all(isinstance(count, int) and not isinstance(count, bool) for count in (at_trial, n_trials)):
        return None
    return SweeperStop(str(stopped.get("reason") or "no reason given"), at_trial, n_trials)


def unexplained_stop(sweeper: dict[str, Any], jobs: int) -> SweeperStop | None:
    """Another sweeper's sweep (Optuna's, say) with fewer jobs than the `n_trials` it was given:
    it wrote no reason, but a reader should know the sweep is short. Ours explains its own stops
    (`sweeper_stop`), and counts trials as configurations times repeats, so it is left out."""
    n_trials = sweeper.get("n_trials")
    target = sweeper.get("_target_")
    if not isinstance(n_trials, int) or isinstance(n_trials, bool) or jobs >= n_trials or not isinstance(target, str) or "skopt_sweeper" in target:
        return None
    return SweeperStop(
        "the sweeper left no reason. Hydra's Optuna sweeper, for one, ends a sweep when more of a batch's trials fail than its "
        "max_failure_rate allows (its log says so); a sweep still running, or killed, also looks like this",
        jobs,
        n_trials,
    )


class FollowedIntent(NamedTuple):
    metric: str
    direction: str | None
    reason: str
    problems: list[str]


def follow_intent(intent: SweeperIntent, runs: pd.DataFrame, metrics: list[str], asked: str | None) -> FollowedIntent | None:
    """The metric to rank by (`asked`, or the sweeper's first objective) with the direction the
    sweeper optimised it in, checked against the sweeper's own best; None where the sweeper's
    intent says nothing about that metric."""
    optimised = optimised_metrics(intent, runs, metrics)
    problems = []
    if intent.directions and not optimised and asked is None:
        problems.append(
            f"the sweeper optimised one value ({intent.setting}) but no metric can be matched to it; "
            "name it to rank by it in that direction (--metric NAME --mode min|max)"
        )
    name = asked if asked is not None else next((metric for metric, index in optimised.items() if index == 0), None)
    if name not in optimised:
        return FollowedIntent(name, None, "", problems) if problems else None
    index = optimised[name]
    values = runs.loc[runs["status"].eq("completed"), name].dropna()
    lowest, highest = (float(values.min()), float(values.max())) if len(values) else (math.nan, math.nan)
    best = intent.best_value if index == 0 else None
    if index < len(intent.directions):
        direction = intent.directions[index]
        reason = f"as the sweeper optimised it: {intent.setting}"
        if len(intent.directions) > 1:
            reason = (f"objective {index + 1} of {len(intent.directions)} of a multi-objective sweep ({intent.setting});"
                      f" ranked by it alone{' (the first, by default)' if asked is None else ''}")
        if best is not None and _close(best, lowest if direction == "max" else highest) and lowest != highest:
            problems.append(
                f"{RESULTS_FILE}: the sweeper's best {name} ({best!r}) is the {'lowest' if direction == 'max' else 'highest'}"
                f" of the runs, yet {intent.setting} says {'higher' if direction == 'max' else 'lower'} is better; ranked as declared"
            )
    elif best is not None and lowest != highest and (_close(best, lowest) or _close(best, highest)):
        direction = "min" if _close(best, lowest) else "max"
        reason = f"as {RESULTS_FILE} shows: the sweeper's best {name} is the {'lowest' if direction == 'min' else 'highest'} run"
    else:
        return None
    return FollowedIntent(name, direction, reason, problems)


def optimised_metrics(intent: SweeperIntent, runs: pd.DataFrame, metrics: list[str]) -> dict[str, int]:
    """Each metric the sweeper optimised, with its place among the sweeper's objectives.

    Ours names its objective. Optuna's and Nevergrad's task returns one number (recorded as
    `objective`) or a list (`objective_0`, `objective_1`...). Where those names are absent (a
    `--metrics-file`), the metric in which the sweeper's best configuration scored its best value
    is the one it optimised: to 3 significant digits there, since an app may round what it writes,
    and exactly where the best configuration cannot be found among the runs.
    """
    if intent.objective in metrics:
        return {intent.objective: 0}
    if len(intent.directions) > 1:
        return {f"objective_{k}": k for k in range(len(intent.directions)) if f"objective_{k}" in metrics}
    if "objective" in metrics:
        return {"objective": 0}
    if intent.best_value is not None:
        rows = _best_rows(runs, intent.best_params)
        tolerance = ROUNDED if len(rows) < len(runs) else EXACT
        holding = [name for name in metrics if (_distance(runs.loc[rows, name], intent.best_value) <= tolerance).any()]
        if len(holding) == 1:
            return {holding[0]: 0}
    return {metrics[0]: 0} if len(metrics) == 1 else {}


def _distance(values: pd.Series, target: float) -> pd.Series:
    return (values.astype(float) - target).abs() / max(abs(target), 1e-12)


def _best_rows(runs: pd.DataFrame, best_params: dict[str, Any]) -> pd.Index:
    """The runs of the sweeper's best configuration; every run when it names no parameter we know."""
    known = {key: value for key, value in best_params.items() if key in runs.columns}
    if not known:
        return runs.index
    match = pd.Series(True, index=runs.index)
    for key, value in known.items():
        match &= runs[key].map(lambda cell, value=value: _close(value, cell) if isinstance(value, float) else str(cell) == str(value))
    return runs.index[match]


def _close(a: Any, b: Any) -> bool:
    try:
        return math.isclose(float(a), float(b), rel_tol=1e-6, abs_tol=1e-12)
    except (TypeError, ValueError):
        return False


def _best_value(results: dict[str, Any]) -> float | None:
    value = results.get("best_value")
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        return None
    return float(value)
