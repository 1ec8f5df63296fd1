"""The demo sweep reproduces the seed notebook's published figures exactly."""

from __future__ import annotations

import pandas as pd
import pytest
from conftest import multirun
from figures_check import decoded_figures

NOTEBOOK_GRID_BEST = {"n_estimators": 300, "max_depth": 3, "rmse": 52.63947369649441, "r2": 0.4770036188903538}
NOTEBOOK_RANDOM_BEST = {"n_estimators": 282, "max_depth": 3, "rmse": 52.61843998996702, "r2": 0.47742149368353737}
DEMO = ["-m", "sweeps.train"]


@pytest.fixture(scope="module")
def grid_around_the_best(module_dir):
    process, sweep = multirun(
        module_dir, DEMO, "model.n_estimators=250,300", "model.max_depth=3,4", "seed=42", sweep_dir="seed-grid"
    )
    assert process.returncode == 0, process.stderr
    return sweep


def test_grid_best_is_the_notebooks_row_exactly(grid_around_the_best):
    table = pd.read_csv(grid_around_the_best / "results.csv")
    best = table.loc[table["rmse"].idxmin()]
    assert (best["model.n_estimators"], best["model.max_depth"]) == (300, 3)
    assert best["rmse"] == NOTEBOOK_GRID_BEST["rmse"]
    assert best["r2"] == NOTEBOOK_GRID_BEST["r2"]


def test_report_ranks_the_notebooks_best_first_at_printed_precision(grid_around_the_best):
    html = (grid_around_the_best / "report.html").read_text()
    best_box = html[html.index("Best observed mean"):html.index('id="ranking"')]
    assert "model.n_estimators=300" in best_box and "model.max_depth=3" in best_box
    assert "52.63947369649441" in best_box and "0.4770036188903538" in best_box
    assert "python -m sweeps.train model.n_estimators=300 model.max_depth=3 seed=42" in best_box
    assert len(decoded_figures(html)) == 8, "repeats, two clustermaps, curves, surface, importance, history, cost (fit_seconds)"


def test_random_sampling_best_row(module_dir):
    process, sweep = multirun(module_dir, DEMO, "model.n_estimators=282", "model.max_depth=3", "seed=42", sweep_dir="seed-282")
    assert process.returncode == 0, process.stderr
    row = pd.read_csv(sweep / "results.csv").iloc[0]
    assert row["rmse"] == NOTEBOOK_RANDOM_BEST["rmse"]
    assert row["r2"] == NOTEBOOK_RANDOM_BEST["r2"]
