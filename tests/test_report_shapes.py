"""Every figure renders, and the report is written, for each shape of sweep the report must handle."""

from __future__ import annotations

import itertools

import handmade
import numpy as np
import pytest
from figures_check import decoded_figures

from report.build import build_report
from report.options import ReportOptions


def write_sweep(directory, configurations, score, repeats=1, skip=()):
    """`configurations` scored by `score(**configuration)` plus seed noise, `repeats` seeds each."""
    rng = np.random.default_rng(0)

    def noisy(configuration, seed):
        return {"loss": score(**configuration) + rng.normal(0, 0.05), "acc": 0.5}

    return handmade.write_sweep(directory, configurations, noisy, repeats, skip)


def sections(html: str) -> set[str]:
    return {name for name in ("clustermap", "dependence", "importance", "history", "repeats") if f'<section id="{name}">' in html}


def test_one_parameter_sweep_gets_objective_by_value(tmp_path):
    write_sweep(tmp_path, [{"lr": lr} for lr in (0.1, 0.01, 0.001, 0.0001)], lambda lr: abs(np.log10(lr) + 2), repeats=3)
    html = build_report(tmp_path).html.read_text()
    assert "<h2>Objective by value</h2>" in html and "<h2>Clustermaps</h2>" not in html
    assert sections(html) == {"clustermap", "history", "repeats"}
    assert len(decoded_figures(html)) == 3


def test_four_parameter_grid_with_categorical_and_boolean(tmp_path):
    grid = itertools.product((1, 2, 3), ("sgd", "adam"), ("true", "false"), (0.1, 0.01))
    configs = [dict(depth=d, optimizer=o, shuffle=s, lr=lr) for d, o, s, lr in grid]
    write_sweep(tmp_path, configs, lambda depth, optimizer, shuffle, lr: depth + (optimizer == "sgd") + lr, repeats=2)
    html = build_report(tmp_path).html.read_text()
    assert sections(html) == {"clustermap", "dependence", "importance", "history", "repeats"}
    assert "Exact, no model involved" in html
    assert len(decoded_figures(html)) == 7


def test_grid_with_failed_cells_stays_exact(tmp_path):
    """Jobs of two cells left no result: the launched configurations still form the grid."""
    configs = [dict(a=a, b=b) for a, b in itertools.product(range(4), range(4))]
    write_sweep(tmp_path, configs, lambda a, b: a + 2 * b, repeats=2, skip={0, 1, 10, 11})
    html = build_report(tmp_path).html.read_text()
    assert "2 of 16 cells are marked failed" in html
    assert "Exact, no model involved" in html
    assert "b × a: 2 of 16 cells have no completed run, and are hatched as failed." in html
    assert len(decoded_figures(html)) == 7


def test_grid_with_cells_never_launched_falls_back_to_the_surrogate(tmp_path):
    configs = [dict(a=a, b=b) for a, b in itertools.product(range(4), range(4)) if (a, b) not in {(0, 0), (2, 3)}]
    write_sweep(tmp_path, configs, lambda a, b: a + 2 * b, repeats=2)
    html = build_report(tmp_path).html.read_text()
    assert "Model-based: the sweep is not a full grid" in html
    assert len(decoded_figures(html)) == 7


def test_random_sweep_of_200_runs_over_five_parameters(tmp_path):
    rng = np.random.default_rng(5)
    configs = [
        dict(x=round(rng.uniform(0, 1), 4), lr=float(f"{10 ** rng.uniform(-4, -1):.3g}"), depth=int(rng.integers(1, 30)),
             kind=str(rng.choice(["a", "b"])), flag=str(rng.choice(["true", "false"])).lower())
        for _ in range(200)
    ]
    write_sweep(tmp_path, configs, lambda x, lr, depth, kind, flag: x + (kind == "a") + depth / 30)
    written = build_report(tmp_path)
    html = written.html.read_text()
    assert sections(html) == {"clustermap", "dependence", "importance", "history", "repeats"}
    assert "binned into" in html and "log-spaced" in html
    assert "Model-based" in html
    assert len(decoded_figures(html)) == 7
    assert written.sweep.runs.shape[0] == 200


@pytest.mark.parametrize("rows, cols", [(["b"], ["a"])])
def test_rows_and_cols_can_be_chosen(tmp_path, rows, cols):
    write_sweep(tmp_path, [dict(a=a, b=b) for a, b in itertools.product(range(3), range(2))], lambda a, b: a + b)
    html = build_report(tmp_path, options=ReportOptions(rows=rows, cols=cols)).html.read_text()
    assert "pivoted with <code>b</code> on the rows and <code>a</code> on the columns" in html
