"""The cost-aware verdict: the cheapest configuration that cannot be told from the best, the
Pareto front of objective against cost, and how the cost measure is chosen."""

from __future__ import annotations

import itertools
import re

import numpy as np
import pytest
from conftest import sweep_report
from handmade import make_job

from report.analysis.cost import MAX_DRAWN, ConfigurationCost, _drawn, choose_cost, pareto_front
from report.build import build_report
from report.options import OptionError, ReportOptions


def brute_force_front(better: np.ndarray, costs: np.ndarray) -> np.ndarray:
    """On the front unless another point is at least as good and as cheap, and strictly one."""
    return np.array([
        not any(better[j] >= better[i] and costs[j] <= costs[i] and (better[j] > better[i] or costs[j] < costs[i]) for j in range(len(better)))
        for i in range(len(better))
    ])


@pytest.mark.parametrize("seed", range(30))
def test_the_pareto_front_matches_a_brute_force_check(seed):
    rng = np.random.default_rng(seed)
    size = int(rng.integers(1, 40))
    better = rng.integers(0, 6, size).astype(float)  # few distinct values: ties and twins on both axes
    costs = rng.integers(0, 6, size).astype(float)
    assert pareto_front(better, costs).tolist() == brute_force_front(better, costs).tolist()


SEED_EFFECTS = (-1.2, 1.2, 0.0, -0.3)  # per seed, in units of the noise: the same spread in every configuration


def cost_sweep(directory, means: dict[int, float], seconds: dict[int, float], sd: float = 0.01):
    """Configurations a=1,2,3 with four seeds each: acc `means[a]` plus the seed's effect, fit_seconds about `seconds[a]`."""
    for num, (a, seed) in enumerate(itertools.product(means, range(len(SEED_EFFECTS)))):
        metrics = {"acc": means[a] + sd * SEED_EFFECTS[seed], "fit_seconds": seconds[a] * (1 + 0.02 * (seed - 1.5))}
        make_job(directory, str(num), [f"a={a}", f"seed={seed}"], num, metrics=metrics)
    return directory


def summary(html: str) -> str:
    return html[html.index('<section id="summary">'):html.index("</section>")]


def test_a_cheap_configuration_tied_with_the_best_is_named_in_the_summary(tmp_path):
    sweep = cost_sweep(tmp_path, means={1: 0.900, 2: 0.905, 3: 0.80}, seconds={1: 1.0, 2: 10.0, 3: 20.0}, sd=0.02)
    html = build_report(sweep).html.read_text()
    text = summary(html)
    match = re.search(r"Configuration (\d+) is as good within noise \(P\(best\) ([0-9.]+)\) and runs ([0-9.]+)x faster", text)
    assert match, text
    group, p_best, ratio = int(match[1]), float(match[2]), float(match[3])
    # Group ids number configurations in sorted order: a=1 is group 0; a=2 (10 s) is the pick.
    assert group == 0 and 0.05 < p_best < 0.95
    assert 9.0 < ratio < 11.0
    assert "a=1" in text  # its reproduce command follows
    assert "fit_seconds" in html[html.index('<section id="cost">'):]


def test_a_cheap_configuration_clearly_worse_is_not_named(tmp_path):
    sweep = cost_sweep(tmp_path, means={1: 0.80, 2: 0.90, 3: 0.85}, seconds={1: 1.0, 2: 10.0, 3: 20.0})
    html = build_report(sweep).html.read_text()
    assert "as good within noise" not in summary(html)
    start = html.index('<section id="cost">')
    cost = html[start:html.index("</section>", start)]
    rows = re.findall(r"<tr><td>(\d+)( \(pick\))?</td>", cost)
    assert [int(group) for group, _ in rows] == [0, 1]  # a=1 cheapest, a=2 best; a=3 dominated by a=2


@pytest.mark.parametrize(
    "metrics, expected",
    [
        (["acc", "fit_seconds"], "fit_seconds"),
        (["acc", "train_s"], "train_s"),
        (["acc", "inference_time"], "inference_time"),
        (["acc", "params"], "params"),
        (["acc", "f1"], "duration"),
    ],
)
def test_the_default_cost_is_a_metric_named_for_time_or_size_else_the_duration(metrics, expected, tmp_path):
    assert choose_cost(metrics, "acc", None, tmp_path).name == expected


def test_an_unknown_cost_is_refused_naming_the_flag(tmp_path):
    cost_sweep(tmp_path / "sweep", means={1: 0.9, 2: 0.8, 3: 0.7}, seconds={1: 1.0, 2: 2.0, 3: 3.0})
    with pytest.raises(OptionError, match="cost 'gpu_hours' is neither a metric"):
        build_report(tmp_path / "sweep", options=ReportOptions(cost="gpu_hours"))
    process = sweep_report(str(tmp_path / "sweep"), "--cost", "gpu_hours", cwd=tmp_path)
    assert process.returncode == 2 and "--cost 'gpu_hours' is neither a metric of this sweep nor duration" in process.stderr
    process = sweep_report(str(tmp_path / "sweep"), "--cost", "duration", cwd=tmp_path)
    assert process.returncode == 0, process.stderr
    assert 'id="cost"' not in (tmp_path / "sweep" / "report.html").read_text()  # every run took 1.5 s: nothing to trade
    process = sweep_report(str(tmp_path / "sweep"), "--cost", "fit_seconds", cwd=tmp_path)
    assert process.returncode == 0, process.stderr
    assert "Cost is <code>fit_seconds</code> (as asked" in (tmp_path / "sweep" / "report.html").read_text()


def test_past_the_cap_the_figure_keeps_the_front_and_the_credible_set():
    rng = np.random.default_rng(1)
    many = [
        ConfigurationCost(group, float(rng.normal()), None, None, float(rng.uniform(1, 10)), 0.0, group % 997 == 0, group % 1009 == 0)
        for group in range(MAX_DRAWN * 3)
    ]
    drawn = _drawn(many)
    assert len(drawn) == MAX_DRAWN and drawn == sorted(drawn, key=lambda c: (c.cost, c.group))
    assert {c.group for c in many if c.pareto or c.credible} <= {c.group for c in drawn}
    assert _drawn(many[:MAX_DRAWN]) == many[:MAX_DRAWN]


def test_durations_of_a_fraction_of_a_second_name_no_faster_configuration(tmp_path):
    for num, (a, seed) in enumerate(itertools.product((1, 2, 3), range(4))):
        acc = {1: 0.900, 2: 0.905, 3: 0.80}[a] + 0.02 * SEED_EFFECTS[seed]
        make_job(tmp_path, str(num), [f"a={a}", f"seed={seed}"], num, result={"metrics": {"acc": acc}, "duration": {1: 0.01, 2: 0.1, 3: 0.2}[a]})
    assert 'id="cost"' not in build_report(tmp_path).html.read_text()  # by default: jitter is no cost to show
    html = build_report(tmp_path, options=ReportOptions(cost="duration")).html.read_text()
    assert "Cost is <code>duration</code> (as asked" in html  # asked for, the section is there
    assert "as good within noise" not in html  # but 10x of 0.1 s is start-up time, not a finding
