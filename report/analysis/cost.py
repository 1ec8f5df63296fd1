"""What each configuration costs (a time or size metric, or the run's duration), the Pareto front
of objective against cost, and the cheapest configuration that is as good as the pick within noise.

Deploying a model asks a second question after "which is best": of the configurations that cannot
be told from the best, which is cheapest to train or serve. The answer rests on the credible set
of the recommendation, so it is only as sure as P(best) is.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd

from report.analysis.recommend import Recommendation
from report.columns import CI_HIGH, CI_LOW, DURATION, GROUP, MEAN, N_SCORED, STATUS
from report.options import OptionError, Target

CostKind = Literal["time", "size", "other"]
TIME_WORDS = re.compile(r"(^|[_.\-])(s|sec|secs|seconds|time|times|duration|runtime|latency|elapsed|ms)($|[_.\-])", re.IGNORECASE)
SIZE_WORDS = re.compile(r"(^|[_.\-])(params|parameters|n_params|size|bytes|mb|gb|memory|mem|flops|macs)($|[_.\-])", re.IGNORECASE)
ASKED = "as asked"
CLEARLY_CHEAPER = 1.5  # a configuration this many times cheaper than the pick is worth naming
# Runs shorter than this are mostly start-up and timer jitter: their durations name no faster configuration.
MIN_DURATION = 1.0  # seconds
MAX_DRAWN = 2000  # configurations in the figure at most: the front, the credible set, then a seeded sample


@dataclass(frozen=True)
class Cost:
    name: str  # a metric's name, or "duration" (the run's wall-clock time)
    kind: CostKind  # time or size words the verdict ("faster", "smaller")
    reason: str


@dataclass(frozen=True)
class ConfigurationCost:
    group: int
    objective: float  # mean over repeats
    low: float | None  # the objective's 95% interval, where it was repeated
    high: float | None
    cost: float  # mean cost over the configuration's completed runs
    p_best: float
    credible: bool  # in the set that cannot be told apart from the best
    pareto: bool  # no other configuration is at least as good and as cheap, and better or cheaper


@dataclass(frozen=True)
class CostInfo:
    cost: Cost
    target: Target
    configurations: list[ConfigurationCost]  # scored configurations with a cost, cheapest first
    pick: int
    cheaper: int | None  # the cheapest configuration of the credible set, if CLEARLY_CHEAPER than the pick
    ratio: float | None  # how many times cheaper it is
    drawn: list[ConfigurationCost]  # what the figure shows: all, or past MAX_DRAWN the front, the credible set and a sample


def choose_cost(metrics: list[str], objective: str, asked: str | None, directory: Path) -> Cost:
    """The cost measure: as asked (a metric or `duration`), else the first metric whose name says
    time or size, else the run's duration."""
    if asked is not None:
        if asked != DURATION and asked not in metrics:
            raise OptionError(directory, ("cost",), f"{{}} {asked!r} is neither a metric of this sweep nor duration (metrics: {', '.join(metrics)})")
        return Cost(asked, _kind(asked), ASKED)
    for name in metrics:
        if name != objective and _kind(name) != "other":
            return Cost(name, _kind(name), f"its name says {_kind(name)}")
    return Cost(DURATION, "time", "no metric names a time or size: the run's duration")


def _kind(name: str) -> CostKind:
    if name == DURATION or TIME_WORDS.search(name):
        return "time"
    return "size" if SIZE_WORDS.search(name) else "other"


def cost_info(runs: pd.DataFrame, groups: pd.Series, ranking: pd.DataFrame, advice: Recommendation, cost: Cost, target: Target) -> CostInfo | None:
    """Objective and cost per scored configuration, the Pareto front, and the cheaper alternative
    to the pick; None where fewer than two configurations have both, or all cost the same."""
    completed = runs[STATUS].eq("completed") & runs[cost.name].notna()
    mean_cost = runs.loc[completed, cost.name].astype(float).groupby(groups[completed]).mean()
    scored = ranking[ranking[N_SCORED] > 0].set_index(GROUP)
    scored = scored[scored.index.isin(mean_cost.index)]
    if len(scored) < 2 or mean_cost.reindex(scored.index).nunique() < 2:  # one cost for all: nothing to trade
        return None
    if cost.name == DURATION and cost.reason != ASKED and mean_cost.max() < MIN_DURATION:
        return None  # jobs this short differ by start-up and jitter: a section on them would show noise
    better = scored[MEAN].to_numpy(float) * (1 if target.direction == "max" else -1)  # higher is better
    costs = mean_cost.reindex(scored.index).to_numpy(float)
    front = pareto_front(better, costs)
    credible = set(advice.indistinguishable)
    configurations = sorted(
        (
            ConfigurationCost(
                group=int(group), objective=float(row[MEAN]), low=_number(row[CI_LOW]), high=_number(row[CI_HIGH]),
                cost=float(value), p_best=float((advice.p_best or {}).get(int(group), 0.0)), credible=int(group) in credible, pareto=bool(on_front),
            )
            for (group, row), value, on_front in zip(scored.iterrows(), costs, front)
        ),
        key=lambda configuration: (configuration.cost, configuration.group),
    )
    cheaper, ratio = _cheaper_than_pick(configurations, advice.pick, MIN_DURATION if cost.name == DURATION else 0.0)
    return CostInfo(cost, target, configurations, advice.pick, cheaper, ratio, _drawn(configurations))


def _drawn(configurations: list[ConfigurationCost], seed: int = 0) -> list[ConfigurationCost]:
    """Every configuration up to MAX_DRAWN; past it the Pareto front and the credible set, and a
    seeded sample of the rest: a scatter of 100,000 points says no more and weighs megabytes."""
    if len(configurations) <= MAX_DRAWN:
        return configurations
    kept = [c for c in configurations if c.pareto or c.credible]
    rest = [c for c in configurations if not (c.pareto or c.credible)]
    chosen = np.random.default_rng(seed).choice(len(rest), size=max(0, MAX_DRAWN - len(kept)), replace=False)
    return sorted([*kept, *(rest[i] for i in chosen)], key=lambda c: (c.cost, c.group))


def pareto_front(better: np.ndarray, costs: np.ndarray) -> np.ndarray:
    """True where no other point is at least as good (higher `better`) and as cheap, and strictly
    one of the two: sorted by cost (ties by better first), a point is on the front when it beats
    everything cheaper."""
    order = np.lexsort((-better, costs))
    on_front = np.zeros(len(better), dtype=bool)
    best_so_far, its_cost = -np.inf, np.nan
    for index in order:
        if better[index] > best_so_far or (better[index] == best_so_far and costs[index] == its_cost):  # a twin is not dominated
            on_front[index] = True
            best_so_far, its_cost = better[index], costs[index]
    return on_front


def _cheaper_than_pick(configurations: list[ConfigurationCost], pick: int, floor: float) -> tuple[int | None, float | None]:
    """The cheapest configuration of the credible set, where it is CLEARLY_CHEAPER than the pick
    and the pick costs at least `floor` (below it, differences are noise)."""
    by_group = {configuration.group: configuration for configuration in configurations}
    if pick not in by_group or by_group[pick].cost < floor:
        return None, None
    candidates = [configuration for configuration in configurations if configuration.credible and configuration.group != pick]
    if not candidates or candidates[0].cost <= 0:
        return None, None
    cheapest = candidates[0]  # configurations are sorted by cost
    ratio = by_group[pick].cost / cheapest.cost
    return (cheapest.group, ratio) if ratio >= CLEARLY_CHEAPER else (None, None)


def _number(value: float) -> float | None:
    return None if pd.isna(value) else float(value)
