"""Values the collector lets through but that broke the analyses and figures (issue 13, items 4-8
and 12): a report still comes out, as valid UTF-8, with what could not be drawn left out with a
note, figures of bounded size, and no warning printed on the way."""

from __future__ import annotations

import base64
import itertools
import random
import re
import warnings
from pathlib import Path
from typing import Any, Callable

import handmade
import matplotlib.pyplot as plt
import numpy as np
import pytest

from report.analysis.clustermap_axes import split_params
from report.analysis.dependence import exact_curve
from report.analysis.params import Space, param_kinds
from report.analysis.ranking import rank_configurations
from report.analysis.recommend import recommend
from report.build import build_report
from report.figures.dependence import draw_curves
from report.figures.style import STYLE
from report.options import Target

DATA_URI = re.compile(r'src="data:image/(svg\+xml|png);base64,([A-Za-z0-9+/=]+)"')
MAX_URI = 3_000_000  # characters of one figure: a 30-inch PNG is far below it
MAX_POINTS = 30 * 72 * 1.5  # either side of an SVG figure: 30 inches, and what tight bounding boxes add


def sweep_of(directory: Path, configurations: list[dict[str, Any]], metrics: Callable[[dict[str, Any], int], dict[str, Any]], repeats: int = 1) -> Path:
    """Jobs whose result records carry the parameters themselves (names and values no override
    grammar would accept), one per configuration and repeat."""
    num = 0
    for configuration in configurations:
        for seed in range(repeats):
            params = configuration | ({"seed": seed} if repeats > 1 else {})
            overrides = [f"{name}={value}" for name, value in params.items()]
            result = {"params": params, "overrides": overrides, "metrics": metrics(configuration, seed)}
            handmade.make_job(directory, str(num), [f"x={num}"], num, result=result)
            num += 1
    return directory


def grid(names: list[str], values: list[list[Any]]) -> list[dict[str, Any]]:
    return [dict(zip(names, combination)) for combination in itertools.product(*values)]


def random_configurations(count: int, draw: Callable[[random.Random], dict[str, Any]], seed: int = 0) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    return [draw(rng) for _ in range(count)]


def report_html(directory: Path) -> str:
    """Build the report; it must be valid UTF-8 (a lone surrogate would not encode)."""
    written = build_report(directory)
    return written.html.read_bytes().decode("utf-8")


def figures_of(html: str) -> list[bytes]:
    return [base64.b64decode(data) for _, data in DATA_URI.findall(html)]


# 4. A parameter that no scored job sets.

def test_a_parameter_without_levels_still_splits_the_clustermap():
    assert split_params(["a", "b"], {"a": 0, "b": 3}) in ((["a"], ["b"]), (["b"], ["a"]))
    rows, cols = split_params(["a", "b", "c"], {"a": 0, "b": 0, "c": 2})
    assert rows and cols and sorted(rows + cols) == ["a", "b", "c"]


def test_many_parameters_are_split_without_trying_every_subset():
    params = [f"p{i}" for i in range(40)]
    rows, cols = split_params(params, {name: 1 + i % 4 for i, name in enumerate(params)})
    assert rows and cols and sorted(rows + cols) == sorted(params)


# 5. Finite but huge objectives.

HUGE = [1e308, -1e308, 1e30, 1.0]


@pytest.mark.parametrize("repeats", [1, 2])
def test_a_grid_of_huge_objectives_has_a_report_with_its_figures(tmp_path, repeats):
    configurations = grid(["a", "b"], [[1, 2, 3], [1, 2]])
    html = report_html(sweep_of(tmp_path, configurations, lambda c, seed: {"loss": HUGE[(c["a"] + c["b"] + seed) % 4] * (-1) ** seed}, repeats))
    assert "could not be drawn" not in html
    assert len(figures_of(html)) >= 5


def test_a_random_sweep_of_huge_objectives_has_a_model_and_a_recommendation(tmp_path):
    configurations = random_configurations(20, lambda rng: {"a": rng.uniform(0, 1), "b": rng.uniform(0, 1)})
    rng = random.Random(1)
    html = report_html(sweep_of(tmp_path, configurations, lambda c, seed: {"loss": rng.choice(HUGE)}))
    assert 'id="dependence"' in html and "could not be drawn" not in html


@pytest.mark.filterwarnings("ignore::RuntimeWarning")  # ranking itself overflows; this test is about recommend
@pytest.mark.parametrize("values", [[1e308] * 3, [1e308, -1e308, 1e308]])
def test_recommend_is_scale_safe(values):
    runs = handmade_runs({"a": [1, 2, 3, 4], "b": ["x", "y"]}, values, repeats=3)
    ranking = rank_configurations(runs, ["a", "b"], "loss", "min", [])
    advice = recommend(ranking, Space(["a", "b"], param_kinds(runs, ["a", "b"]), True), Target("loss", "min", "test"), draws=500)
    assert advice is not None and advice.pick in set(ranking["group"])
    assert all(np.isfinite(list(advice.estimate.values())))


def handmade_runs(values: dict[str, list[Any]], objective: list[float], repeats: int):
    import pandas as pd

    rows = []
    for i, configuration in enumerate(grid(list(values), list(values.values()))):
        for seed in range(repeats):
            rows.append(configuration | {"status": "completed", "loss": objective[(i + seed) % len(objective)]})
    return pd.DataFrame(rows)


# 6. Lone surrogates, and 7. dollar signs, in names and values.

def test_lone_surrogates_in_names_and_values_are_written_as_replacement_characters(tmp_path):
    configurations = grid(["a\ud800", "b"], [[1, 2, 3], ["x\udfff", "y"]])
    html = report_html(sweep_of(tmp_path, configurations, lambda c, seed: {"lo\ud800ss": c["a\ud800"] + (c["b"] == "y") + 0.1 * seed}, 2))
    assert "a\ufffd" in html and "x\ufffd" in html and "lo\ufffdss" in html
    assert "could not be drawn" not in html


def test_lone_surrogates_reach_the_model_based_figures_too(tmp_path):
    configurations = random_configurations(16, lambda rng: {"a\ud800": rng.uniform(0, 1), "b": rng.choice(["x\ud800", "y"])})
    html = report_html(sweep_of(tmp_path, configurations, lambda c, seed: {"loss": c["a\ud800"] + (c["b"] == "y")}))
    assert 'id="dependence"' in html and "could not be drawn" not in html


def test_dollar_signs_are_text_never_mathtext(tmp_path):
    assert STYLE["text.parse_math"] is False
    name = r"$\frac{a}{$"
    configurations = grid([name, "b"], [[1, 2, 3], ["$$", "y$x$"]])
    html = report_html(sweep_of(tmp_path, configurations, lambda c, seed: {"lo$s": c[name] + (c["b"] == "$$") + 0.1 * seed}, 2))
    assert "could not be drawn" not in html
    svgs = [figure.decode("utf-8") for figure in figures_of(html) if figure.startswith(b"<?xml")]
    assert any(r"$\frac{a}{$" in svg for svg in svgs), "the name is drawn as written"


def test_log_axes_keep_plain_tick_labels_without_mathtext():
    runs = handmade_runs({"lr": [1e-4, 1e-3, 1e-2], "b": ["x", "y"]}, [1.0, 2.0, 3.0], repeats=2)
    ranking = rank_configurations(runs, ["lr", "b"], "loss", "min", [])
    curve = exact_curve(ranking, "lr", "log", ["lr", "b"])
    from report.analysis.dependence import EXACT, Dependence

    with plt.rc_context(STYLE):
        figure = draw_curves(Dependence(EXACT, [curve], [], None), "loss", "min")
        figure.canvas.draw()
    labels = [label.get_text() for label in figure.axes[0].get_xticklabels() if label.get_text()]
    plt.close(figure)
    assert labels and not any("$" in label or "mathdefault" in label for label in labels), labels


# 8. Ten thousand characters.

def test_long_names_and_values_are_cut_in_figures_and_kept_whole_in_tables(tmp_path):
    long_name, long_value = "p" * 10_000, "v" * 10_000
    configurations = grid([long_name, "b"], [[1, 2, 3], [long_value, "y"]])
    html = report_html(sweep_of(tmp_path, configurations, lambda c, seed: {"l" * 10_000: c[long_name] + (c["b"] == "y") + 0.1 * seed}, 2))
    assert long_name in html and long_value in html, "the tables keep the full text"
    uris = DATA_URI.findall(html)
    assert len(uris) >= 5 and all(len(data) < MAX_URI for _, data in uris)
    for figure in figures_of(html):
        if figure.startswith(b"<?xml"):
            svg = figure.decode("utf-8")
            assert long_name not in svg and long_value not in svg
            width, height = (float(value) for value in re.search(rb'width="([\d.]+)pt" height="([\d.]+)pt"', figure).groups())
            assert width <= MAX_POINTS and height <= MAX_POINTS


def test_a_random_sweep_with_long_names_has_figures_of_bounded_size(tmp_path):
    long_name = "q" * 10_000
    configurations = random_configurations(16, lambda rng: {long_name: rng.uniform(0, 1), "b": rng.choice(["v" * 10_000, "w" * 10_000])})
    html = report_html(sweep_of(tmp_path, configurations, lambda c, seed: {"loss": c[long_name]}))
    assert all(len(data) < MAX_URI for _, data in DATA_URI.findall(html))
    svgs = [figure.decode("utf-8") for figure in figures_of(html) if figure.startswith(b"<?xml")]
    assert svgs and not any("q" * 100 in svg or "v" * 100 in svg for svg in svgs), "labels are cut"


# 12. One parameter holding 4.5, true and 1.

def test_mixed_types_of_one_parameter_stay_apart_in_the_dependence_figure(tmp_path):
    configurations = grid(["a", "b"], [[4.5, True, 1], [1, 2]])
    html = report_html(sweep_of(tmp_path, configurations, lambda c, seed: {"loss": float(str(c["a"]) == "1") + c["b"] + 0.1 * seed}, 2))
    assert "could not be drawn" not in html
    runs = handmade_runs({"a": [4.5, True, 1], "b": [1, 2]}, [1.0, 2.0, 3.0], repeats=2)
    runs["a"] = runs["a"].astype(object)
    ranking = rank_configurations(runs, ["a", "b"], "loss", "min", [])
    curve = exact_curve(ranking, "a", "categorical", ["a", "b"])
    assert sorted(curve.x) == ["1", "4.5", "true"]


# Warnings: only our own messages reach the terminal.

def test_building_a_report_prints_no_warnings_and_leaves_the_filters_alone(tmp_path, recwarn):
    configurations = grid(["a\N{GRINNING FACE}", "b"], [[1, 2, 3], ["x\N{GRINNING FACE}", "y"]])  # no glyph for it
    directory = sweep_of(tmp_path, configurations, lambda c, seed: {"loss": HUGE[(c["a\N{GRINNING FACE}"] + seed) % 4] * (-1) ** seed}, 2)
    filters = list(warnings.filters)
    with np.errstate(all="raise"):
        report_html(directory)
        assert np.geterr()["over"] == "raise"
    assert [str(warning.message) for warning in recwarn] == []
    assert warnings.filters == filters
