"""The parallel-coordinates plot: its info against hand computation, its layout, its markup."""

from __future__ import annotations

import math
import re
from importlib.resources import files

import numpy as np
import pandas as pd
import pytest
from jinja2 import Environment, FileSystemLoader, StrictUndefined

from report.analysis.parallel import BEST_SHARE, MAX_LINES, UNSET_GAP, parallel_info
from report.analysis.params import param_kinds
from report.analysis.ranking import rank_configurations
from report.figures.parallel import parallel_layout

HOSTILE = "<script>window.__pwned=1</script>"


def ranking(means: list[float], **params: list) -> pd.DataFrame:
    """A ranking as rank_configurations returns it: best first (lower mean), group ids in
    parameter order, failed configurations (NaN mean) last."""
    n = len(means)
    table = pd.DataFrame({"group": range(n)})
    for name, values in params.items():
        table[name] = pd.Series(values, dtype=object) if any(isinstance(v, (str, type(None))) for v in values) else values
    table["runs"], table["failed"] = 2, [2 if math.isnan(m) else 0 for m in means]
    table["n"] = [0 if math.isnan(m) else 2 for m in means]
    table["mean"] = means
    for column in ("std", "ci_low", "ci_high", "min", "max"):
        table[column] = table["mean"]
    table = table.sort_values(["mean", "group"], na_position="last", kind="stable").reset_index(drop=True)
    table.insert(0, "rank", np.arange(1, n + 1))
    return table


def info_of(table: pd.DataFrame, kinds: dict[str, str], direction: str = "min", pick=None, best=None, **options):
    return parallel_info(table, list(kinds), kinds, "loss", direction, pick, best, **options)


def positions(info, name: str) -> list[float | None]:
    """The positions on one axis, per group id (not per drawn order)."""
    axis = next(axis for axis in info.axes if axis.name == name)
    by_group = dict(zip((line.group for line in info.lines), axis.positions))
    return [by_group[group] for group in sorted(by_group)]


def test_one_axis_per_parameter_in_the_given_order_then_the_objective():
    table = ranking([0.3, 0.1, 0.2], lr=[1e-3, 1e-2, 1e-4], opt=["a", "b", "c"], bn=[True, False, True], depth=[1, 2, 3])
    info = info_of(table, {"opt": "categorical", "lr": "log", "depth": "linear", "bn": "boolean"})
    assert [(axis.name, axis.kind) for axis in info.axes] == [
        ("opt", "categorical"), ("lr", "log"), ("depth", "linear"), ("bn", "boolean"), ("loss", "objective")
    ]
    assert [line.rank for line in info.lines] == [1, 2, 3] and [line.group for line in info.lines] == [1, 2, 0]
    assert all(len(axis.positions) == len(info.lines) for axis in info.axes)
    assert (info.drawn, info.total, info.note) == (3, 3, None)


def test_log_axis_places_values_by_their_log10():
    table = ranking([0.1, 0.2, 0.3, 0.4], lr=[1e-4, 1e-3, 1e-2, 10 ** -3.5])
    info = info_of(table, {"lr": "log"})
    assert positions(info, "lr") == pytest.approx([0, 0.5, 1, 0.25])
    assert [tick.position for tick in info.axes[0].ticks] == pytest.approx([0, 0.25, 0.5, 1])
    assert [tick.label for tick in info.axes[0].ticks] == ["0.0001", "0.0003162", "0.001", "0.01"]


def test_linear_axis_places_values_between_the_smallest_and_largest():
    table = ranking([0.1, 0.2, 0.3], depth=[2, 4, 10])
    info = info_of(table, {"depth": "linear"})
    assert positions(info, "depth") == pytest.approx([0, 0.25, 1])
    assert [tick.label for tick in info.axes[0].ticks] == ["2", "4", "10"]


def test_many_values_get_round_number_ticks():
    table = ranking([i / 10 for i in range(20)], depth=list(range(3, 23)), lr=[10.0 ** (-5 + i / 5) for i in range(20)])
    info = info_of(table, {"depth": "linear", "lr": "log"})
    depth, lr = info.axes[0], info.axes[1]
    assert [tick.label for tick in depth.ticks] == ["5", "10", "15", "20"]
    assert [tick.position for tick in depth.ticks] == pytest.approx([2 / 19, 7 / 19, 12 / 19, 17 / 19])
    assert [tick.label for tick in lr.ticks] == ["1e−5", "1e−4", "1e−3", "1e−2"]
    assert [tick.position for tick in lr.ticks] == pytest.approx([0, 1 / 3.8, 2 / 3.8, 3 / 3.8])


def test_categorical_values_evenly_spaced_in_sorted_order():
    table = ranking([0.1, 0.2, 0.3, 0.4], opt=["sgd", "adam", "rmsprop", "adam"])
    info = info_of(table, {"opt": "categorical"})
    assert positions(info, "opt") == pytest.approx([1, 0, 0.5, 0])
    assert [(tick.position, tick.label) for tick in info.axes[0].ticks] == [(0, "adam"), (0.5, "rmsprop"), (1, "sgd")]


def test_mixed_categorical_values_sort_by_text_and_true_is_not_1():
    table = ranking([0.1, 0.2, 0.3, 0.4], choice=pd.Series([True, 1, "b", 2.5], dtype=object).tolist())
    info = info_of(table, {"choice": "categorical"})
    # as text: "1" < "2.5" < "b" < "true"
    assert positions(info, "choice") == pytest.approx([1, 0, 2 / 3, 1 / 3])
    assert [line.config for line in info.lines] == [
        (("choice", "true"),), (("choice", "1"),), (("choice", "b"),), (("choice", "2.5"),)
    ]


def test_numeric_categorical_values_sort_by_value():
    table = ranking([0.1, 0.2, 0.3], width=pd.Series([10, 9, 1.5], dtype=object).tolist())
    info = info_of(table, {"width": "categorical"})
    assert positions(info, "width") == pytest.approx([1, 0.5, 0])


def test_boolean_axis_has_false_at_the_bottom_and_true_at_the_top():
    table = ranking([0.1, 0.2, 0.3], bn=[True, False, True])
    info = info_of(table, {"bn": "boolean"})
    assert positions(info, "bn") == [1, 0, 1]
    assert [(tick.position, tick.label) for tick in info.axes[0].ticks] == [(0, "false"), (1, "true")]
    single = info_of(ranking([0.1], bn=[True]), {"bn": "boolean"})
    assert positions(single, "bn") == [1] and [tick.label for tick in single.axes[0].ticks] == ["false", "true"]


def test_unset_values_have_their_own_level_at_the_bottom():
    table = ranking([0.1, 0.2, 0.3, 0.4], lr=[1e-4, np.nan, 1e-2, 1e-3], opt=["sgd", None, "adam", "sgd"])
    info = info_of(table, {"lr": "log", "opt": "categorical"})

    def lift(position: float) -> float:
        return UNSET_GAP + (1 - UNSET_GAP) * position

    assert positions(info, "lr") == pytest.approx([lift(0), 0, lift(1), lift(0.5)])
    assert positions(info, "opt") == pytest.approx([lift(1), 0, lift(0), lift(1)])
    assert [tick.label for tick in info.axes[0].ticks] == ["unset", "0.0001", "0.001", "0.01"]
    assert info.axes[1].ticks[0].position == 0 and info.axes[1].ticks[0].label == "unset"
    assert [axis.unset for axis in info.axes] == [True, True, False]
    assert parallel_layout(info).unset and "does not set sits at <code>unset</code>" in render(parallel_layout(info))
    assert dict(next(line for line in info.lines if line.group == 1).config) == {"lr": "unset", "opt": "unset"}


def test_failed_configurations_have_no_objective_position():
    table = ranking([0.2, math.nan, 0.1], x=[1, 2, 3])
    info = info_of(table, {"x": "linear"}, best=1)
    failed = info.lines[-1]
    assert (failed.group, failed.rank, failed.failed, failed.mean, failed.role) == (1, 3, True, None, None)
    assert positions(info, "loss") == [0, None, 1]
    assert [line.failed for line in info.lines] == [False, False, True]
    assert positions(info, "x") == [0, 0.5, 1], "a failed configuration keeps its parameters"


@pytest.mark.parametrize("direction, expected", [("min", [1, 0.5, 0]), ("max", [0, 0.5, 1])])
def test_objective_axis_has_the_better_end_at_the_top(direction, expected):
    table = ranking([1.0, 2.0, 3.0], x=[1, 2, 3])
    info = info_of(table, {"x": "linear"}, direction)
    assert positions(info, "loss") == pytest.approx(expected)
    ticks = {tick.label: tick.position for tick in info.axes[-1].ticks}
    assert ticks["1"] == pytest.approx(expected[0]) and ticks["3"] == pytest.approx(expected[2])
    assert [line.mean for line in sorted(info.lines, key=lambda line: line.group)] == [1.0, 2.0, 3.0]


def test_pick_and_best_are_named():
    table = ranking([0.1, 0.2, 0.3], x=[1, 2, 3])
    info = info_of(table, {"x": "linear"}, pick=1, best=0)
    assert {line.group: line.role for line in info.lines} == {0: "best", 1: "pick", 2: None}
    same = info_of(table, {"x": "linear"}, pick=0, best=0)
    assert {line.group: line.role for line in same.lines} == {0: "pick and best", 1: None, 2: None}


def test_past_the_cap_the_best_and_a_seeded_random_sample_are_drawn():
    total = 2_500
    table = ranking([i / total for i in range(total)], x=list(range(total)))
    info = info_of(table, {"x": "linear"}, pick=900, best=0, max_lines=1_000)
    assert (info.drawn, info.total, len(info.lines)) == (1_000, total, 1_000)
    ranks = [line.rank for line in info.lines]
    assert ranks == sorted(ranks) and ranks[:250] == list(range(1, 251)), "the best 250, in rank order"
    assert 901 in ranks and len(set(ranks)) == 1_000
    assert info.note == "1,000 of 2,500 configurations drawn: the best 250, the recommended pick and a random sample"
    last = info.axes[0].ticks[-1]
    assert (last.label, last.position) == ("2000", pytest.approx(2000 / 2499)), "the axes span every configuration"
    again = info_of(table, {"x": "linear"}, pick=900, best=0, max_lines=1_000)
    other = info_of(table, {"x": "linear"}, pick=900, best=0, max_lines=1_000, seed=1)
    assert [line.group for line in again.lines] == [line.group for line in info.lines]
    assert [line.group for line in other.lines] != [line.group for line in info.lines]


def test_the_default_cap():
    table = ranking([i / 3000 for i in range(3000)], x=list(range(3000)))
    info = info_of(table, {"x": "linear"}, pick=3, best=0)
    assert (MAX_LINES, BEST_SHARE) == (2000, 0.25)
    assert info.note == "2,000 of 3,000 configurations drawn: the best 500 and a random sample"
    assert [line.rank for line in info.lines][:500] == list(range(1, 501))
    assert info_of(table[:2000], {"x": "linear"}).note is None


def test_a_real_ranking_with_repeats_failures_and_unset_values():
    runs = pd.DataFrame({
        "lr": [1e-4, 1e-4, 1e-3, 1e-3, 1e-2, 1e-2, 1e-2, 1e-2],
        "opt": pd.Series(["sgd", "sgd", "adam", "adam", "sgd", "sgd", None, None], dtype=object),
        "status": ["completed"] * 4 + ["failed", "failed", "completed", "completed"],
        "loss": [0.5, 0.7, 0.2, 0.4, np.nan, np.nan, 0.9, 1.1],
    })
    table = rank_configurations(runs, ["lr", "opt"], "loss", "min", [])
    kinds = param_kinds(runs, ["lr", "opt"])
    info = parallel_info(table, ["lr", "opt"], kinds, "loss", "min", pick=int(table["group"][0]), best=int(table["group"][0]))
    assert [axis.kind for axis in info.axes] == ["log", "categorical", "objective"]
    by_rank = [(line.rank, line.mean, line.failed, dict(line.config)) for line in info.lines]
    assert by_rank == [
        (1, pytest.approx(0.3), False, {"lr": "0.001", "opt": "adam"}),
        (2, pytest.approx(0.6), False, {"lr": "0.0001", "opt": "sgd"}),
        (3, pytest.approx(1.0), False, {"lr": "0.01", "opt": "unset"}),
        (4, None, True, {"lr": "0.01", "opt": "sgd"}),
    ]
    assert info.axes[-1].positions == pytest.approx((1, 0.4 / 0.7, 0, None))
    assert info.lines[0].role == "pick and best"


def layout_of(direction: str = "min", **options):
    table = ranking([0.1, 0.2, 0.3, math.nan], opt=["adam", "sgd", "x" * 60, "sgd"], lr=[1e-3, 1e-2, 1e-4, 1e-3])
    info = info_of(table, {"opt": "categorical", "lr": "log"}, direction, pick=1, best=0, **options)
    return info, parallel_layout(info)


@pytest.mark.parametrize("direction", ["min", "max"])
def test_layout_draws_failed_first_then_worst_to_best_and_the_named_last(direction):
    info, layout = layout_of(direction)
    assert [line.group for line in layout.lines][0] == 3, "the failed configuration first"
    order = [line.rank for line in layout.lines if "failed" not in line.classes]
    if direction == "min":
        assert [line.classes for line in layout.lines] == ["line failed", "line", "line pick", "line best"]
        assert order == [3, 2, 1]
    best = next(line for line in layout.lines if line.rank == 1)
    assert best.colour == ("#fde725" if direction == "min" else "#440154"), "viridis: better is yellow"
    assert layout.lines[0].colour == "#8c8c8c"


def test_layout_paths_have_one_point_per_axis_rounded_to_a_tenth_of_a_pixel():
    info, layout = layout_of()
    for line in layout.lines:
        points = line.d[1:].split(" ")
        assert len(points) == (2 if "failed" in line.classes else 3), "a failed line stops before the objective"
        assert all(re.fullmatch(r"\d+(\.\d)?,\d+(\.\d)?", point) for point in points)
    xs = [float(axis.x) for axis in layout.axes]
    best = next(line for line in layout.lines if line.rank == 1)
    assert [float(point.split(",")[0]) for point in best.d[1:].split(" ")] == xs
    ys = [float(point.split(",")[1]) for point in best.d[1:].split(" ")]
    assert ys[-1] == float(layout.top), "the best mean at the top of the objective axis"
    assert [label.text for label in layout.labels] == ["best observed", "recommended pick"]


def test_layout_shortens_long_labels_and_keeps_the_full_values_for_the_tooltip():
    info, layout = layout_of()
    labels = [tick.label for tick in layout.axes[0].ticks]
    assert all(len(label) <= 40 for label in labels) and any(label.endswith("…") for label in labels)
    assert layout.names == "opt\tlr\tloss"
    by_rank = {line.rank: line.values for line in layout.lines}
    assert by_rank[3] == "x" * 60 + "\t0.0001\t0.3"
    assert by_rank[4] == "sgd\t0.001\tnone: every run failed"


def environment() -> Environment:
    return Environment(
        loader=FileSystemLoader(str(files("report.templates"))), autoescape=True, undefined=StrictUndefined,
        trim_blocks=True, lstrip_blocks=True,
    )


def render(layout) -> str:
    return environment().get_template("_parallel.html.j2").render(parallel=layout)


def test_values_and_names_from_runs_are_escaped_in_the_markup():
    table = ranking([0.1, 0.2, math.nan], **{f"name{HOSTILE}": [f"{HOSTILE}a", "b", "c"], "x": [1, 2, 3]})
    info = parallel_info(table, [f"name{HOSTILE}", "x"], {f"name{HOSTILE}": "categorical", "x": "linear"}, f"acc{HOSTILE}", "max", 0, 0)
    html = render(parallel_layout(info))
    assert "<script" not in html
    assert "&lt;script&gt;window.__pwned=1&lt;/script&gt;a" in html
    assert html.count('<path class="line') == 3 and html.count('class="line failed"') == 1
    assert 'data-group="0" data-rank="1"' in html
    assert 'data-names="name&lt;script&gt;window.__pwned=1&lt;/script&gt;\tx\tacc&lt;script&gt;' in html
    assert "All 3 configurations drawn." in html and "unset" not in html
    assert "Grey dashed lines stop before the objective" in html


def test_the_caption_says_what_was_sampled():
    table = ranking([i / 3000 for i in range(3000)], x=list(range(3000)))
    html = render(parallel_layout(info_of(table, {"x": "linear"}, pick=0, best=0)))
    assert "2,000 of 3,000 configurations drawn: the best 500 and a random sample" in html
    assert html.count('<path class="line') == 2000


def test_ten_thousand_configurations_stay_small():
    """At most MAX_LINES lines of five parameters: half a megabyte of the 3 MB a report may weigh
    (benchmarks/report_scale.py prints the whole report's size at 10,000 and 100,000 runs)."""
    rng = np.random.default_rng(0)
    total = 10_000
    table = ranking(
        rng.normal(size=total).tolist(),
        x=rng.uniform(0, 1, total).round(5).tolist(),
        width=rng.uniform(16, 512, total).round(1).tolist(),
        depth=rng.integers(1, 33, total).tolist(),
        lr=[float(f"{value:.4g}") for value in 10 ** rng.uniform(-5, -1, total)],
        optimizer=rng.choice(["sgd", "adam", "rmsprop"], total).tolist(),
    )
    kinds = {"x": "linear", "width": "linear", "depth": "linear", "lr": "log", "optimizer": "categorical"}
    html = render(parallel_layout(info_of(table, kinds, pick=5, best=int(table["group"][0]))))
    assert len(html.encode("utf-8")) < 500_000
