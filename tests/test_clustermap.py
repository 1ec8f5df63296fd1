"""The clustermap of random, Bayesian and failed-grid sweeps: cells that hold runs, bins in order,
model estimates and failures marked, readable labels, and a layout where nothing overlaps."""

from __future__ import annotations

import itertools
import re

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

import report.figures.clustermap as clustermap
from report.figures import STYLE
from report.params import is_full_grid, param_kinds
from report.pivot import heatmap_info
from report.ranking import rank_configurations
from report.surrogate import fit_surrogate

PARAMS = ["lr", "depth", "optimizer"]


def random_runs(n: int, seed: int, lr_low: float = -5, lr_high: float = -1) -> pd.DataFrame:
    """`n` configurations drawn at random over lr (log), depth (integer) and optimizer, one run each."""
    rng = np.random.default_rng(seed)
    runs = pd.DataFrame({
        "lr": 10 ** rng.uniform(lr_low, lr_high, n), "depth": rng.integers(1, 21, n), "optimizer": rng.choice(["sgd", "adam"], n),
    })
    runs["status"] = "completed"
    runs["loss"] = (np.log10(runs["lr"]) + 3) ** 2 + 0.1 * runs["depth"] + (runs["optimizer"] == "sgd") + rng.normal(0, 0.1, n)
    return runs


def analyse(runs: pd.DataFrame, **axes):
    ranking = rank_configurations(runs, PARAMS, "loss", "min", [])
    kinds = param_kinds(runs, PARAMS, frozenset({"lr"}))
    surrogate = fit_surrogate(runs, PARAMS, kinds, "loss")
    return ranking, surrogate, heatmap_info(ranking, PARAMS, kinds, "min", False, surrogate=surrogate, **axes)


def ends(label: str) -> tuple[str, str]:
    low, _, high = label.partition("–")
    return low, high or low


def test_a_random_sweep_of_20_configurations_mostly_holds_measured_runs():
    ranking, _, info = analyse(random_runs(20, seed=3), rows=["lr"], cols=["depth", "optimizer"])
    assert info.values.notna().sum().sum() > info.values.size / 2
    assert info.values.shape[0] >= 2 and len(info.values.columns) >= 4, "at least 2 bins per binned parameter"
    # Independently: lr cut at log-spaced edges, depth by the integer ranges printed, best mean per cell.
    lr_edges = np.geomspace(ranking["lr"].min(), ranking["lr"].max(), len(info.row_labels) + 1)
    lr_bin = pd.cut(ranking["lr"], lr_edges, include_lowest=True, labels=list(info.values.index))
    depth_ranges = {label: tuple(map(int, ends(label))) for label in dict.fromkeys(label for label, _ in info.values.columns)}
    depth_bin = ranking["depth"].map(lambda d: next(label for label, (lo, hi) in depth_ranges.items() if lo <= d <= hi))
    expected = ranking.groupby([lr_bin, depth_bin, ranking["optimizer"]], observed=True)["mean"].min()
    for (lr, depth, optimizer), mean in expected.items():
        assert info.values.loc[lr, (depth, optimizer)] == pytest.approx(mean)
    assert info.values.notna().sum().sum() == len(expected)


def significant(number: str) -> str:
    return re.sub(r"e.*", "", number).replace(".", "").lstrip("-0")


def test_binned_labels_are_readable_ranges_in_increasing_order():
    runs = random_runs(60, seed=7)
    runs["lr"] = np.random.default_rng(7).uniform(0.03, 0.05, 60)
    runs.loc[:19, "lr"] = 0.0387 + np.arange(20) * 1e-7  # a tight cluster: quantile bins a hair wide
    ranking = rank_configurations(runs, PARAMS, "loss", "min", [])
    kinds = param_kinds(runs, PARAMS)
    info = heatmap_info(ranking, PARAMS, kinds, "min", False, rows=["lr", "optimizer"], cols=["depth"])
    assert kinds["lr"] == "linear" and info.binned == ["lr", "depth"]
    lows = [float(ends(label.split(" · ")[0])[0]) for label in info.row_labels]
    assert lows == sorted(lows) and info.row_linkage is None, "binned rows keep their order, unclustered"
    depth_lows = [int(ends(label)[0]) for label in info.col_labels]
    assert depth_lows == sorted(depth_lows) and info.col_linkage is None
    for label in {label.split(" · ")[0] for label in info.row_labels} | set(info.col_labels):
        low, high = ends(label)
        assert len(significant(low)) <= 6 and len(significant(high)) <= 6, label
        assert "–" not in label or low != high, f"{label}: a range whose ends print the same"
    assert "never reordered by clustering" in info.order


def test_empty_cells_show_the_surrogates_estimate_at_the_bins_middle():
    # A Bayesian-like sweep: most trials near the optimum lr, so some cells far from it hold no run.
    runs = pd.concat([random_runs(30, seed=11, lr_low=-3.5, lr_high=-2.5), random_runs(6, seed=12)], ignore_index=True)
    ranking, surrogate, info = analyse(runs, rows=["lr"], cols=["depth", "optimizer"])
    model = info.model.stack(level=[0, 1], future_stack=True).dropna()
    assert len(model) >= 1 and info.values.isna().sum().sum() == len(model), "every empty cell is estimated"
    assert not (info.values.notna() & info.model.notna()).any().any()
    lr_edges = np.geomspace(ranking["lr"].min(), ranking["lr"].max(), len(info.row_labels) + 1)
    lr_middle = dict(zip(info.values.index, np.sqrt(lr_edges[:-1] * lr_edges[1:])))
    for (lr, depth, optimizer), value in model.items():
        low, high = map(int, ends(depth))
        point = pd.DataFrame([[lr_middle[lr], (low + high) / 2, surrogate.categories["optimizer"].index(optimizer)]], columns=PARAMS)
        assert value == pytest.approx(surrogate.model.predict(point)[0])
    assert any("hatched, with values marked ≈" in note for note in info.notes)


def grid_with_a_failed_cell() -> tuple[pd.DataFrame, pd.DataFrame]:
    values = {"lr": [0.1, 0.01, 1 / 3], "depth": [2, 4], "optimizer": ["sgd", "adam"]}
    runs = pd.DataFrame([
        {**dict(zip(values, combo)), "seed": seed, "status": "completed", "loss": 1 / 7 + combo[1] + (combo[2] == "sgd") + combo[0] + seed / 100}
        for combo in itertools.product(*values.values()) for seed in range(2)
    ])
    failed = (runs["lr"] == 0.01) & (runs["depth"] == 4) & (runs["optimizer"] == "adam")
    runs.loc[failed, ["status", "loss"]] = ["failed", np.nan]
    return runs, rank_configurations(runs, PARAMS, "loss", "min", [])


def test_a_failed_grid_cell_is_failed_not_measured_nor_estimated():
    runs, ranking = grid_with_a_failed_cell()
    assert is_full_grid(ranking, PARAMS)
    info = heatmap_info(ranking, PARAMS, param_kinds(runs, PARAMS), "min", True, rows=["lr", "depth"], cols=["optimizer"])
    assert info.failed.loc[(0.01, 4), "adam"] and int(info.failed.sum().sum()) == 1
    assert np.isnan(info.values.loc[(0.01, 4), "adam"]) and info.model.isna().all().all()
    expected = runs.pivot_table(values="loss", index=["lr", "depth"], columns="optimizer", aggfunc="mean")
    pd.testing.assert_frame_equal(info.values, expected.reindex_like(info.values), check_names=False)


def test_labels_print_a_few_significant_digits():
    runs, ranking = grid_with_a_failed_cell()
    info = heatmap_info(ranking, PARAMS, param_kinds(runs, PARAMS), "min", True, rows=["lr", "depth"], cols=["optimizer"])
    assert "0.3333 · 2" in info.row_labels and not any("0.33333" in label for label in info.row_labels)


def drawn(info, annotate_with: str, monkeypatch) -> plt.Figure:
    """Draw the clustermap and keep the figure, laid out, instead of encoding it."""
    kept = {}

    def keep(figure, image_format="svg"):
        figure.canvas.draw()
        kept["figure"] = figure
        return "data:"

    monkeypatch.setattr(clustermap, "to_data_uri", keep)
    with plt.rc_context(STYLE):
        clustermap.draw_clustermap(info, "loss", "min", annotate_with)
    return kept["figure"]


def texts(figure: plt.Figure) -> list[plt.Text]:
    return [text for axis in figure.axes for text in axis.texts]


def test_drawn_cells_mark_failures_and_estimates(monkeypatch):
    runs, ranking = grid_with_a_failed_cell()
    grid = heatmap_info(ranking, PARAMS, param_kinds(runs, PARAMS), "min", True, rows=["lr", "depth"], cols=["optimizer"])
    figure = drawn(grid, "value", monkeypatch)
    written = [text.get_text() for text in texts(figure)]
    assert written.count("failed") == 1 and len(written) == grid.values.size
    assert all(len(re.sub(r"[^0-9]", "", text)) <= 5 for text in written), "values to 4 significant digits"
    assert "failed: every run of the cell failed" in [text.get_text() for text in figure.legends[0].get_texts()]
    _, _, random = analyse(pd.concat([random_runs(30, seed=11, lr_low=-3.5, lr_high=-2.5), random_runs(6, seed=12)], ignore_index=True))
    figure = drawn(random, "value", monkeypatch)
    estimates = [text for text in texts(figure) if text.get_text().startswith("≈")]
    assert len(estimates) == int(random.model.notna().sum().sum()) and all(text.get_style() == "italic" for text in estimates)
    plt.close("all")


def test_colour_bar_keeps_clear_of_the_title(monkeypatch):
    _, _, info = analyse(random_runs(20, seed=3))
    runs, ranking = grid_with_a_failed_cell()
    grid = heatmap_info(ranking, PARAMS, param_kinds(runs, PARAMS), "min", True)
    for heatmap in (info, grid):
        figure = drawn(heatmap, "value", monkeypatch)
        renderer = figure.canvas.get_renderer()
        title = figure._suptitle.get_window_extent(renderer)
        colour_bar = next(axis for axis in figure.axes if "is better" in axis.get_ylabel())
        assert not title.overlaps(colour_bar.get_tightbbox(renderer))
        plt.close(figure)
