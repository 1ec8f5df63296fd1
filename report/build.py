"""collect -> analyse -> draw -> render -> write: the one call behind the CLI and the callback."""

from __future__ import annotations

import dataclasses
import logging
import warnings
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterator

import numpy as np
from threadpoolctl import threadpool_limits

from report.analysis.analyse import Analysis, analyse
from report.analysis.clustermap import MAX_CELLS
from report.analysis.compare import compare_sweeps, strategy_of
from report.analysis.ranking import group_ids
from report.analysis.results_table import results_csv
from report.collect.sweep import Sweep, collect_sweep
from report.figures.compare import draw_comparison
from report.figures.draw import draw_figures
from report.figures.parallel import parallel_layout
from report.formatting import encodable
from report.jobfiles import CSV_NAME
from report.options import ReportOptions, SweepError
from report.output import Destination, destination, write_to
from report.page.compare import comparison_view
from report.page.cost import cost_view
from report.page.pictures import pictures_view, repeats_view
from report.page.ranking import ranking_view
from report.page.recommendation import recommendation_view
from report.page.render import render_html
from report.page.reproduce import reproduce_command
from report.page.runs import runs_view
from report.page.summary import best_view, header_view, objective_view

__all__ = ["CSV_NAME", "ReportOptions", "SweepError", "WrittenReport", "build_comparison", "build_report", "report_context"]

@dataclass
class WrittenReport:
    html: Path
    csv: Path
    sweep: Sweep
    streamed: bool = False  # the HTML went into a device or a pipe (say where it is elsewhere)


def _now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")


def report_context(sweep: Sweep, options: ReportOptions = ReportOptions(), progress: bool = False) -> dict[str, Any]:
    """Everything the templates show, computed, drawn and formatted once.

    What numpy, pandas, scikit-learn and matplotlib warn about on the way (overflow, a missing
    glyph, a fragmented frame, a model that did not converge) is not printed: the report says what
    matters. The user's own warning filters and error states are left as they were. Every text is
    made encodable: a lone surrogate from a run's JSON is written as U+FFFD. BLAS runs on one
    thread: the posterior's small Cholesky factorisations gain nothing from more, and on a busy
    machine a threaded BLAS made them hundreds of times slower."""
    with warnings.catch_warnings(), np.errstate(all="ignore"), _quiet_matplotlib(), threadpool_limits(limits=1, user_api="blas"):
        warnings.simplefilter("ignore")
        return _encodable(_report_context(sweep, options, progress))


def _report_context(sweep: Sweep, options: ReportOptions, progress: bool) -> dict[str, Any]:
    context: dict[str, Any] = {
        "title": f"Sweep report: {sweep.app_name or sweep.directory.name}",
        "generated": _now(),
        "header": header_view(sweep),
        "objective": objective_view(sweep),
        "problems": list(sweep.problems),
        "runs": runs_view(sweep),
        **dict.fromkeys(("best", "ranking", "repeats", "pictures", "recommendation", "parallel", "cost")),
    }
    if sweep.objective is None:
        return context
    analysis = analyse(sweep, options)
    params = analysis.space.params
    groups = group_ids(sweep.runs, params)
    program = sweep.program or f"python {sweep.app_name or 'my_app'}.py"

    def command(group: int | None) -> str | None:
        return None if group is None else reproduce_command(program, sweep.runs[groups == group], sweep.repeat_key)

    figures = draw_figures(analysis, sweep.objective, sweep.direction, progress)
    advice, cost = analysis.recommendation, analysis.cost
    context["problems"] += [*figures.notes, *_left_out(analysis)]
    context.update(
        recommendation=advice and recommendation_view(advice, analysis.ranking, params, sweep.objective, command(advice.pick)),
        best=best_view(analysis.ranking, params, sweep.objective, analysis.other_metrics, command(int(analysis.ranking["group"].iloc[0]))),
        ranking=ranking_view(analysis.ranking, params, sweep.objective, analysis.other_metrics),
        repeats=repeats_view(analysis.repeats, figures.repeats),
        pictures=pictures_view(analysis, figures),
        parallel=parallel_layout(analysis.parallel) if analysis.parallel is not None else None,
        cost=cost and cost_view(cost, figures.cost, command(cost.cheaper)),
    )
    return context


def _left_out(analysis: Analysis) -> list[str]:
    """Why a section the sweep would have is missing."""
    params = analysis.space.params
    if analysis.clustermap is None and len(params) >= 2 and (analysis.ranking["n"] > 0).any():
        return [
            f"The clustermap is left out: the {len(params)} parameters' values make too many combinations to pivot "
            f"(more than {MAX_CELLS:,}); the ranking lists every configuration."
        ]
    return []


def _encodable(value: Any) -> Any:
    """`value` with every text in it encodable as UTF-8 (see formatting.encodable)."""
    if isinstance(value, str):
        return encodable(value)
    if isinstance(value, dict):
        return {_encodable(key): _encodable(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_encodable(item) for item in value) if type(value) in (list, tuple) else value
    if dataclasses.is_dataclass(value) and not isinstance(value, type):  # a view
        return dataclasses.replace(value, **{field.name: _encodable(getattr(value, field.name)) for field in dataclasses.fields(value)})
    return value


@contextmanager
def _quiet_matplotlib() -> Iterator[None]:
    """matplotlib's own log messages (too many ticks, fonts) held back, its level restored after."""
    logger = logging.getLogger("matplotlib")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(level)


def build_report(
    directory: Path | str,
    output: Path | str | None = None,
    options: ReportOptions = ReportOptions(),
    progress: bool = False,
) -> WrittenReport:
    """Write the report (default `<sweep>/report.html`) and `results.csv` beside it."""
    sweep = collect_sweep(directory, options, progress)
    target = destination(output, sweep.directory)
    csv_path = (sweep.directory if target.stream else target.path.parent) / CSV_NAME  # never beside a device
    write_to(target, render_html(report_context(sweep, options, progress)))
    write_to(Destination(csv_path, False), results_csv(sweep))
    return WrittenReport(target.path, csv_path, sweep, target.stream)


def build_comparison(
    directories: list[Path | str],
    output: Path | str | None = None,
    options: ReportOptions = ReportOptions(),
) -> Path:
    """One page comparing sweeps of the same app (grid, random, Bayes): `compare.html` by default."""
    sweeps = [collect_sweep(directory, options) for directory in directories]
    labels = [f"{strategy_of(sweep)}: {sweep.directory}" for sweep in sweeps]
    comparison = compare_sweeps(sweeps, labels)
    context = {
        "title": f"Sweep comparison: {comparison.objective}",
        "generated": _now(),
        "comparison": comparison_view(comparison, sweeps, draw_comparison(comparison)),
    }
    target = destination(output, Path.cwd(), "compare.html")
    write_to(target, render_html(context, "compare.html.j2"))
    return target.path
