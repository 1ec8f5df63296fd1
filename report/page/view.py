"""Turn the sweep and its analysis into the strings the templates print, and nothing more."""

from __future__ import annotations

import re
import shlex
from typing import Any

import pandas as pd

from report.analysis.analyse import Analysis
from report.collect.sweep import Sweep
from report.analysis.compare import TOLERANCES, Comparison, strategy_of
from report.analysis.dependence import Dependence
from report.figures.draw import Figures
from report.formatting import MISSING, better_word, format_duration, format_exact, format_number, format_param, format_value
from report.analysis.importance import MIN_R2
from report.analysis.recommend import Recommendation
from report.page.verdict import verdict_text
from report.jobfiles import override_text, plain
from report.analysis.repeats import RepeatVariance
from report.analysis.surrogate import REFITS

RUN_COLUMNS = ("job", "job_dir", "status", "duration")
MAX_COLUMNS = 6  # parameters that get a column each; more share one wrapping column
MAX_METRIC_COLUMNS = 4  # likewise for metrics, whose headers are longer
# Keys of those shared columns; the leading space keeps them apart from any parameter's name.
CONFIGURATION, METRICS, OTHER_METRICS = " configuration", " metrics", " other metrics"
RANKING_ROWS = 50  # the rest are in results.csv, by group id
MAX_LISTED = 8  # values named in a note before "and N more"


def header_view(sweep: Sweep) -> dict[str, Any]:
    counts = sweep.runs["status"].value_counts()
    return {
        "directory": str(sweep.directory),
        "app_name": sweep.app_name or "unknown",
        "sweeper": sweep.sweeper or "unknown",
        "launcher": sweep.launcher or "unknown",
        "command": sweep.command or "not recorded (the sweep ran without the recording callback)",
        "runs": len(sweep.runs),
        "counts": {status: int(counts.get(status, 0)) for status in ("completed", "failed", "missing", "unknown", "unreadable")},
        "compute_time": format_duration(float(sweep.runs["duration"].sum(min_count=1))),
        "fixed": [(name, format_value(value)) for name, value in sweep.fixed.items()],
        "stopped": sweep.stopped and (
            f"The sweeper stopped early, after {sweep.stopped.at_trial} of {sweep.stopped.n_trials} trials: {sweep.stopped.reason}"
        ),
    }


def objective_view(sweep: Sweep) -> dict[str, Any]:
    other = "max" if sweep.direction == "min" else "min"
    return {
        "name": sweep.objective,
        "better": better_word(sweep.direction),
        "reason": sweep.direction_reason,
        "metrics": sweep.metrics,
        "change": f"sweep-report {sweep.directory} --metric NAME --mode {other}",
        "repeat_key": sweep.repeat_key,
    }


def best_view(ranking: pd.DataFrame, params: list[str], objective: str, other_metrics: list[str], command: str) -> dict[str, Any] | None:
    """The top configuration with its values at full precision, as the notebook printed them."""
    if ranking.empty or ranking["n"].iloc[0] == 0:
        return None
    best = ranking.to_dict("records")[0]  # a record keeps each column's type; a row Series would not
    return {
        "group": int(best["group"]),
        "params": [(name, format_value(best[name])) for name in params],
        "n": int(best["n"]),
        "mean": format_exact(best["mean"]),
        "interval": None if pd.isna(best["ci_low"]) else (format_number(best["ci_low"]), format_number(best["ci_high"])),
        "metrics": [(objective, format_exact(best["mean"])), *((name, format_exact(best[name])) for name in other_metrics)],
        "command": command,
    }


def ranking_view(ranking: pd.DataFrame, params: list[str], objective: str, other_metrics: list[str], shown: int = RANKING_ROWS) -> dict[str, Any]:
    """The ranking's rows as cells. Spread columns (std, interval, min, max) only where some
    configuration was repeated: with one run each they repeat the mean or are empty, and a
    table narrow enough for the page is worth more than columns that say nothing. Past
    MAX_COLUMNS parameters (MAX_METRIC_COLUMNS other metrics) they share one wrapping column, so that the table
    still fits the page and the mean stays in view."""
    repeated = bool((ranking["n"] >= 2).any())
    spread = [("std", "std"), ("ci", "95% CI"), ("min", "min"), ("max", "max")] if repeated else []
    param_columns = [(name, name) for name in params] if len(params) <= MAX_COLUMNS else [(CONFIGURATION, "configuration")]
    metric_columns = [(name, f"mean {name}") for name in other_metrics] if len(other_metrics) <= MAX_METRIC_COLUMNS else [(OTHER_METRICS, "other metrics (mean)")]
    columns = [
        ("rank", "rank"), ("group", "group"), *param_columns, ("runs", "runs"), ("failed", "failed"),
        ("n", "n"), ("mean", f"mean {objective}"), *spread, *metric_columns,
    ]
    rows = []
    for record in ranking.head(shown).to_dict("records"):
        cells = [_ranking_column(name, record, params, other_metrics) for name, _ in columns]
        rows.append({"cells": cells, "overrides": overrides_text(record, params)})
    headers = [word_parts(header) for _, header in [*columns, ("", "overrides")]]
    return {"headers": headers, "rows": rows, "total": len(ranking), "hidden": max(0, len(ranking) - shown)}


def _ranking_column(name: str, record: dict[str, Any], params: list[str], other_metrics: list[str]) -> dict[str, Any]:
    if name == "ci":
        return _interval_cell(record)
    if name == CONFIGURATION:
        return {"text": short_overrides(record, params), "exact": overrides_text(record, params), "wrap": True}
    if name == OTHER_METRICS:
        return {"text": " ".join(f"{metric}={format_number(record[metric])}" for metric in other_metrics), "exact": None, "wrap": True}
    return _ranking_cell(record[name], name in params)


def _ranking_cell(value: Any, is_param: bool) -> dict[str, Any]:
    return {"text": format_param(value) if is_param else format_number(value), "exact": format_exact(value) if isinstance(value, float) else None, "wrap": False}


def _interval_cell(record: dict[str, Any]) -> dict[str, str | None]:
    if pd.isna(record["ci_low"]):
        return {"text": MISSING, "exact": None, "wrap": False}
    return {
        "text": f"{format_number(record['ci_low'])} – {format_number(record['ci_high'])}",
        "exact": f"{format_exact(record['ci_low'])} to {format_exact(record['ci_high'])}",
        "wrap": False,
    }


def repeats_view(info: RepeatVariance, figure: str) -> dict[str, Any]:
    spreads = pd.Series(info.spreads, dtype=float)
    return {
        "figure": figure,
        "max_repeats": info.max_repeats,
        "configurations_with_repeats": len(info.spreads),
        "median_spread": format_number(spreads.median()) if len(spreads) else None,
        "max_spread": format_number(spreads.max()) if len(spreads) else None,
    }


def runs_view(sweep: Sweep) -> dict[str, Any]:
    """Every job; the directory column only where it says more than the job number."""
    runs = sweep.runs
    dir_is_number = (runs["job_dir"] == runs["job"].astype("string")).all()
    names = [name for name in RUN_COLUMNS[:3] if not (name == "job_dir" and dir_is_number)]
    params = sweep.params if len(sweep.params) <= MAX_COLUMNS else [CONFIGURATION]
    names += [*params, *(sweep.metrics if len(sweep.metrics) <= MAX_METRIC_COLUMNS else [METRICS]), RUN_COLUMNS[3]]
    rows = []
    for record in sweep.runs.to_dict("records"):
        record[CONFIGURATION] = short_overrides(record, sweep.params)
        record[METRICS] = " ".join(f"{metric}={format_number(record[metric])}" for metric in sweep.metrics)
        rows.append(
            {
                "status": record["status"],
                "cells": [_run_cell(name, record[name], sweep.params) for name in names],
                "titles": [_full_value(record[name]) if name in sweep.params else None for name in names],
                "wrap": [name in (CONFIGURATION, METRICS) for name in names],
                # Sorting reads "1.5 s" as a number; "4 min 05 s" needs the seconds beside it.
                "duration": f"{record['duration']:.3f}" if record["duration"] >= 60 else None,
                "error": None if pd.isna(record["error"]) else f"{record['error_type']}: {record['error']}",
                "traceback": None if pd.isna(record["traceback"]) else record["traceback"],
            }
        )
    return {"headers": [word_parts(name.strip()) for name in [*names, "error"]], "rows": rows}


def word_parts(text: str) -> list[str]:
    """A column name cut after each `_`, `.`, `-` or `/`, where the page may wrap it (`<wbr>`):
    long metric names then wrap inside their header instead of widening the table."""
    return [part for part in re.findall(r"[^_./-]*[_./-]?", text) if part] or [text]


def _run_cell(name: str, value: Any, params: list[str]) -> str:
    if name == "duration":
        return format_duration(value)
    if name in ("job_dir", "status", CONFIGURATION, METRICS):
        return format_value(value)
    return format_param(value) if name in params else format_number(value)


def _full_value(value: Any) -> str | None:
    """A parameter's full value for the hover title, where the cell shows it shortened."""
    full = format_value(value)
    return full if full != format_param(value) else None


def overrides_text(record: dict[str, Any], params: list[str]) -> str:
    """A configuration as command-line overrides, quoted for Hydra and the shell."""
    return " ".join(shlex.quote(override_text(name, None if pd.isna(record[name]) else plain(record[name]))) for name in params)


def short_overrides(record: dict[str, Any], params: list[str]) -> str:
    """A configuration as `name=value` pairs with floats to 4 significant digits, to read, not to copy."""
    return " ".join(f"{name}={format_param(record[name])}" for name in params)


def pictures_view(analysis: Analysis, figures: Figures) -> dict[str, Any]:
    """The source documents' pictures with their captions."""
    heatmap, dependence, importance = analysis.heatmap, analysis.dependence, analysis.importance
    return {
        "clustermap": heatmap and {
            "by_value": figures.clustermap_values,
            "by_group": figures.clustermap_groups,
            "rows": heatmap.rows,
            "cols": heatmap.cols,
            "order": heatmap.order,
            "notes": heatmap.notes + ([] if heatmap.annotate else [f"{heatmap.values.size} cells are too many to annotate with values or group ids: read them in the ranking."]),
        },
        "single_param": analysis.params[0] if len(analysis.params) == 1 else None,
        "dependence": dependence and {
            "curves": figures.curves,
            "surfaces": figures.surfaces,
            "exact": dependence.surrogate_r2 is None,
            "surrogate_r2": None if dependence.surrogate_r2 is None else format_number(dependence.surrogate_r2, 2),
            "pairs": [" × ".join(surface.params) for surface in dependence.surfaces],
            "failures": _dependence_failures(dependence),
        },
        "importance": importance and {
            "figure": figures.importance,
            "method": importance.method,
            # exact (full grid), withheld (the surrogate explains too little) or surrogate (with ranges)
            "case": "exact" if importance.surrogate_r2 is None else "surrogate" if importance.shares else "withheld",
            "surrogate_r2": None if importance.surrogate_r2 is None else format_number(importance.surrogate_r2, 2),
            "min_r2": format_number(MIN_R2, 2),
            "refits": REFITS,
            "rows": [
                (name, f"{share:.1%}", None if importance.low is None else f"{importance.low[i]:.1%} – {importance.high[i]:.1%}")
                for i, (name, share) in enumerate(zip(importance.params, importance.shares))
            ],
            "interactions": f"{max(0.0, 1 - sum(importance.shares)):.1%}",
            "unbalanced": bool((analysis.ranking["n"] == 0).any()),
        },
        "history": figures.history,
    }


def _dependence_failures(dependence: Dependence) -> list[str]:
    """Where the dependence figures show failed runs instead of values, in words."""
    notes = []
    exact = dependence.surrogate_r2 is None
    for curve in dependence.curves:
        counts = [(value, failed, total) for value, failed, total in zip(curve.x, curve.failed or [], curve.configurations or []) if failed]
        if not exact:  # the forest's value rests on the completed runs; only a value with none is missing
            counts = [(value, failed, total) for value, failed, total in counts if failed == total]
        if counts:
            more = f" and {len(counts) - MAX_LISTED} more values" if len(counts) > MAX_LISTED else ""
            if exact:
                at = ", ".join(f"{format_number(value)} ({'all ' if failed == total else ''}{failed} of {total})" for value, failed, total in counts[:MAX_LISTED])
                notes.append(f"{curve.param}: configurations failed at {at}{more}.")
            else:
                at = ", ".join(f"{format_number(value)} (all {total} runs)" for value, failed, total in counts[:MAX_LISTED])
                notes.append(f"{curve.param}: every run failed at {at}{more}, so the model has no value there; ✕ marks it.")
    if exact and notes:
        notes.append(
            "As configurations failed, the grid is unbalanced: each point of the curves is the main-effects estimate (a least-squares "
            "additive fit of the completed configurations' means, averaged over the full grid of the other parameters) rather than a mean "
            "over a different subset of them at each value. A hollow point marks a value where some failed; ✕ one where none completed."
        )
    for surface in dependence.surfaces:
        cells = sum(map(sum, surface.failed))
        if cells:
            where = "" if exact else " among the launched runs nearest to them"
            notes.append(f"{' × '.join(surface.params)}: {cells} of {len(surface.x) * len(surface.y)} cells have no completed run{where}, and are hatched as failed.")
    return notes


def comparison_view(comparison: Comparison, sweeps: list[Sweep], figure: str) -> dict[str, Any]:
    return {
        "objective": comparison.objective,
        "better": better_word(comparison.direction),
        "overall_best": format_exact(comparison.overall_best),
        "tolerances": [f"{tolerance:.1%}".replace(".0%", "%") for tolerance in TOLERANCES],
        "figure": figure,
        "sweeps": [
            {
                "directory": str(sweep.directory),
                "strategy": strategy_of(sweep),
                "runs": progress.runs,
                "best": format_number(progress.best_value, 6),
                "best_exact": format_exact(progress.best_value),
                "params": [(name, format_value(value)) for name, value in progress.best_params.items()],
                "reached": [
                    (
                        "not reached" if progress.reached[tolerance] is None else str(progress.reached[tolerance]),
                        format_duration(progress.reached_seconds[tolerance]) if progress.reached_seconds[tolerance] is not None else "–",
                    )
                    for tolerance in TOLERANCES
                ],
            }
            for sweep, progress in zip(sweeps, comparison.sweeps)
        ],
    }


def recommendation_view(advice: Recommendation, ranking: pd.DataFrame, params: list[str], objective: str, command: str) -> dict[str, Any]:
    """The plain-language verdict, the noise check and the evidence for the top configurations."""
    by_group = {record["group"]: record for record in ranking.to_dict("records")}  # records keep types
    verdict = verdict_text(advice, by_group)
    rows = []
    for group in list(dict.fromkeys([advice.pick, advice.top, *advice.ranked[:8]])):
        record = by_group[group]
        hood = advice.neighbourhoods.get(group)
        rows.append({
            "group": group,
            "params": short_overrides(record, params),
            "params_exact": overrides_text(record, params),
            "n": int(record["n"]),
            "mean": format_number(record["mean"]),
            "estimate": format_number(advice.estimate.get(group)),
            "bound": format_number(advice.bound.get(group)),
            "p_best": f"{advice.p_best.get(group, 0.0):.2f}",
            "neighbourhood": "–" if hood is None else format_number(hood.mean),
            "drop": "–" if hood is None else format_number(hood.drop),
            "isolated": bool(hood and hood.isolated),
        })
    icc = None if advice.icc is None else f"{advice.icc:.2f}"
    return {
        "verdict": verdict,
        "command": command,
        "method": advice.method,
        "noise_sd": None if advice.noise_sd is None else format_number(advice.noise_sd, 2),
        "model_noise_sd": None if advice.model_noise_sd is None else format_number(advice.model_noise_sd, 2),
        "noisier": _noisier(advice, by_group, params),
        "between_sd": format_number(advice.between_sd, 2),
        "icc": icc,
        "icc_share": None if advice.icc is None else f"{advice.icc:.0%}",
        "rows": rows,
        "grid": bool(advice.neighbourhoods),
        "objective": objective,
    }


def _noisier(advice: Recommendation, by_group: dict[int, dict[str, Any]], params: list[str]) -> list[str]:
    """The configurations whose seed noise is several times the common level, as overrides."""
    return [f"{group}: {short_overrides(by_group[group], params)} (σ {format_number(by_group[group]['std'], 2)})" for group in advice.noisier[:8]]
