"""Inputs that once broke the report: unset values, clashing names, all-NaN objectives, edges."""

from __future__ import annotations

import itertools

import pandas as pd
import pytest
from figures_check import decoded_figures
from handmade import make_job, write_sweep

from report.analysis.params import Space, param_kinds
from report.analysis.ranking import rank_configurations
from report.analysis.recommend import recommend
from report.build import build_report
from report.options import ReportOptions, SweepError, Target
from report.overrides import override_text, typed_overrides
from report.page.reproduce import reproduce_command


def grid_sweep(directory, values: dict[str, list[str]], score, metric: str = "loss"):
    """Every combination of `values`, two seeds each, scored by `score(*values)` + 0.01 x seed."""
    configurations = [dict(zip(values, combo)) for combo in itertools.product(*values.values())]
    return write_sweep(directory, configurations, lambda configuration, seed: {metric: score(*configuration.values()) + 0.01 * seed}, repeats=2)


def test_a_parameter_unset_in_some_configurations(tmp_path):
    grid_sweep(tmp_path, {"depth": ["null", "3", "5"], "opt": ["adam", "sgd", "null"]}, lambda d, o: (3 if d == "null" else int(d)) + (o == "sgd"))
    html = build_report(tmp_path).html.read_text()
    assert len(decoded_figures(html)) >= 5
    assert "Pick configuration" in html


def test_parameters_and_metrics_named_like_our_columns(tmp_path):
    for num, (n, group) in enumerate(itertools.product((1, 2, 3), ("a", "b"))):
        metrics = {"duration": n * 1.0, "mean": 2.0, "loss": n + (group == "b")}
        make_job(tmp_path, str(num), [f"n={n}", f"group={group}", f"engine={num % 2}"], num, metrics=metrics)
    written = build_report(tmp_path, options=ReportOptions(metric="loss"))
    assert {"param:n", "param:group", "metric:duration", "metric:mean"} <= set(written.sweep.runs.columns)
    html = written.html.read_text()
    assert "has the name of another column; it is shown as &#39;param:n&#39;" in html


def test_every_objective_not_finite_still_renders(tmp_path):
    for num in range(4):
        make_job(tmp_path, str(num), [f"x={num}", f"y={num % 2}"], num, result='{"status": "completed", "metrics": {"loss": NaN}}')
    html = build_report(tmp_path).html.read_text()
    assert "is not finite (nan)" in html
    assert "Pick configuration" not in html


def test_maximising_lists_the_best_configurations_first(tmp_path):
    grid_sweep(tmp_path, {"a": [str(v) for v in range(6)]}, lambda a: int(a) / 10, metric="acc")
    ranking = rank_configurations(build_report(tmp_path).sweep.runs, ["a"], "acc", "max", [])
    advice = recommend(ranking, Space(["a"], {"a": "linear"}, True), Target("acc", "max", "test"))
    assert advice.ranked[0] == ranking["group"].iloc[0]
    assert [ranking.set_index("group").loc[g, "a"] for g in advice.ranked[:3]] == [5, 4, 3]


def test_a_best_configuration_on_the_grids_edge_is_no_spike():
    runs = pd.DataFrame(
        [{"a": a, "b": b, "seed": s, "status": "completed", "loss": -(a * 1.0 + b * 0.1) + 0.01 * s} for a in range(20) for b in range(3) for s in range(2)]
    )
    ranking = rank_configurations(runs, ["a", "b"], "loss", "min", [])
    advice = recommend(ranking, Space(["a", "b"], param_kinds(runs, ["a", "b"]), True), Target("loss", "min", "test"))
    assert not any(hood.isolated for hood in advice.neighbourhoods.values())


def test_cols_alone_puts_the_other_parameters_on_the_rows(tmp_path):
    grid_sweep(tmp_path, {"a": ["1", "2"], "b": ["1", "2", "3"], "c": ["x", "y"]}, lambda a, b, c: int(a) + int(b))
    html = build_report(tmp_path, options=ReportOptions(cols=["b"])).html.read_text()
    assert "pivoted with <code>a, c</code> on the rows and <code>b</code> on the columns" in html
    with pytest.raises(SweepError, match="leave out c"):
        build_report(tmp_path, options=ReportOptions(rows=["a"], cols=["b"]))
    with pytest.raises(SweepError, match="each parameter once"):
        build_report(tmp_path, options=ReportOptions(rows=["a"], cols=["a", "b", "c"]))


@pytest.mark.parametrize("value", ["1", "true", "null", "1e-3", "a,b", "it's", "rf", 1, 0.001, True, None])
def test_override_text_parses_back_to_the_same_value(value):
    parsed = typed_overrides([override_text("key", value)])["key"]
    assert parsed == value and type(parsed) is type(value)


def test_reproduce_keeps_the_prefix_of_an_added_repeat_key():
    runs = pd.DataFrame({"x": [1, 1], "seed": [0, 1], "overrides": ["x=1 +seed=0", "x=1 +seed=1"]})
    assert reproduce_command("python app.py", runs, "seed") == "python app.py -m x=1 +seed=0,1"
