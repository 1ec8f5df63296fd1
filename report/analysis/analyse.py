"""Every analysis of one sweep, as plain data: what the figures draw and the templates show."""

from __future__ import annotations

from typing import NamedTuple

import pandas as pd

from report.analysis.clustermap import Clustermap, clustermap_info
from report.analysis.cost import CostInfo, choose_cost, cost_info
from report.analysis.dependence import Dependence, dependence_info
from report.analysis.history import History, history_info
from report.analysis.importance import Importance, importance_info, importance_refits, top_pairs
from report.analysis.parallel import ParallelInfo, parallel_info
from report.analysis.params import Space, is_full_grid, param_kinds
from report.analysis.ranking import config_params, group_ids, rank_configurations
from report.analysis.recommend import Recommendation, recommend
from report.analysis.repeats import RepeatVariance, repeat_variance
from report.analysis.surrogate import fit_surrogate
from report.collect.sweep import Sweep
from report.columns import GROUP, N_SCORED
from report.forked import run_split
from report.options import OptionError, ReportOptions, Target

# The most configurations whose posterior is fitted in a forked copy beside the importance. The
# copy's own memory grows with the sweep (at 100,000 configurations it held 176 MB of its own, the
# report's processes together 680 MB at their peak, against 598 MB with the posterior fitted in
# turn), while the time it saves does not (about 0.45 s, the posterior's fit).
ASIDE_CONFIGURATIONS = 20_000


class Analysis(NamedTuple):
    space: Space
    target: Target
    other_metrics: list[str]
    ranking: pd.DataFrame
    repeats: RepeatVariance
    clustermap: Clustermap | None
    dependence: Dependence | None
    importance: Importance | None
    history: History | None
    recommendation: Recommendation | None
    cost: CostInfo | None
    parallel: ParallelInfo | None


def analyse(sweep: Sweep, options: ReportOptions = ReportOptions()) -> Analysis:
    """Rank, then look at the sweep from every side; the options' rows and cols fix the clustermap's axes."""
    rows, cols = list(options.rows), list(options.cols)
    assert sweep.objective is not None, "a sweep without metrics has nothing to analyse"
    params = config_params(sweep.params, sweep.repeat_key)
    _check_axes(sweep, params, rows, cols)
    kinds = param_kinds(sweep.runs, params, sweep.log_params)
    other_metrics = [name for name in sweep.metrics if name != sweep.objective]
    ranking = rank_configurations(sweep.runs, params, sweep.objective, sweep.direction, other_metrics)
    full_grid = is_full_grid(ranking, params)
    surrogate = None if full_grid else fit_surrogate(sweep.runs, params, kinds, sweep.objective)
    refits = importance_refits(surrogate, params)
    space = Space(params, kinds, full_grid)
    target = Target(sweep.objective, sweep.direction, sweep.direction_reason)
    # Each on one core: the posterior in a forked copy while the importance's shares are computed here
    # (up to ASIDE_CONFIGURATIONS: past it the copy's memory outweighs the half second it saves).
    parts = run_split(
        {
            "recommendation": lambda: recommend(ranking, space, target),
            "importance": lambda: importance_info(ranking, params, full_grid, surrogate, refits) if len(params) >= 2 else None,
        },
        ["recommendation"] if refits and len(ranking) <= ASIDE_CONFIGURATIONS else [],
    )
    recommendation, importance = parts["recommendation"], parts["importance"]
    return Analysis(
        space=space,
        target=target,
        other_metrics=other_metrics,
        ranking=ranking,
        repeats=repeat_variance(sweep.runs, ranking, params, sweep.objective),
        clustermap=clustermap_info(ranking, params, kinds, sweep.direction, full_grid, rows or None, cols or None, surrogate),
        dependence=dependence_info(
            sweep.runs, ranking, params, kinds, sweep.objective, full_grid, surrogate, top_pairs(importance)
        ),
        importance=importance,
        history=history_info(sweep.runs, sweep.objective, sweep.direction),
        recommendation=recommendation,
        parallel=_parallel(ranking, space, target, recommendation),
        cost=_cost(sweep, ranking, space, target, recommendation, options.cost),
    )


def _parallel(ranking: pd.DataFrame, space: Space, target: Target, recommendation: Recommendation | None) -> ParallelInfo | None:
    """The parallel-coordinates plot, where some parameter was swept and some configuration scored."""
    if not space.params or not (ranking[N_SCORED] > 0).any():
        return None
    pick = recommendation.pick if recommendation is not None else None
    return parallel_info(ranking, space.params, space.kinds, target.name, target.direction, pick, int(ranking[GROUP].iloc[0]))


def _cost(
    sweep: Sweep, ranking: pd.DataFrame, space: Space, target: Target, recommendation: Recommendation | None, asked: str | None
) -> CostInfo | None:
    """Objective against cost, where configurations were scored and their runs measured a cost."""
    if recommendation is None:
        return None
    cost = choose_cost(sweep.metrics, target.name, asked, sweep.directory)
    return cost_info(sweep.runs, group_ids(sweep.runs, space.params), ranking, recommendation, cost, target)


def _check_axes(sweep: Sweep, params: list[str], rows: list[str], cols: list[str]) -> None:
    """The rows and cols options name swept parameters, each once; given both, they place all of them."""
    axes = ("rows", "cols")
    for name in [*rows, *cols]:
        if name not in params:
            raise OptionError(sweep.directory, axes, f"{{}}/{{}} {name!r} is not a swept parameter (swept: {', '.join(params) or 'none'})")
    if set(rows) & set(cols) or len(set(rows)) < len(rows) or len(set(cols)) < len(cols):
        raise OptionError(sweep.directory, axes, "{} and {} must name each parameter once")
    unplaced = [name for name in params if name not in rows and name not in cols]
    if rows and cols and unplaced:
        raise OptionError(sweep.directory, axes, f"{{}} and {{}} leave out {', '.join(unplaced)}: place every swept parameter")
