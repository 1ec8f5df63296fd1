"""The clustermap of random, Bayesian and failed-grid sweeps: cells that hold runs, bins in order,
model estimates and failures marked, readable labels, and a layout where nothing overlaps."""

from __future__ import annotations

import itertools
import re

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from scipy.cluster import hierarchy

import report.figures.clustermap as clustermap
from report.analysis.clustermap import clustermap_info
from report.analysis.importance import MIN_R2
from report.analysis.params import is_full_grid, param_kinds
from report.analysis.ranking import rank_configurations
from report.analysis.surrogate import fit_surrogate
from report.figures.style import STYLE

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
    return ranking, surrogate, clustermap_info(ranking, PARAMS, kinds, "min", False, surrogate=surrogate, **axes)


def ends(label: str) -> tuple[str, str]:
    """The two ends of a bin's label `−1e−4 to 2e−3` as Python reads numbers; a value's twice."""
    low, _, high = label.replace("\N{MINUS SIGN}", "-").partition(" to ")
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
    info = clustermap_info(ranking, PARAMS, kinds, "min", False, rows=["lr", "optimizer"], cols=["depth"])
    assert kinds["lr"] == "linear" and info.binned == ["lr", "depth"]
    lows = [float(ends(label.split(" · ")[0])[0]) for label in info.row_labels]
    assert lows == sorted(lows) and info.row_linkage is None, "binned rows keep their order, unclustered"
    depth_lows = [int(ends(label)[0]) for label in info.col_labels]
    assert depth_lows == sorted(depth_lows) and info.col_linkage is None
    for label in {label.split(" · ")[0] for label in info.row_labels} | set(info.col_labels):
        low, high = ends(label)
        assert len(significant(low)) <= 6 and len(significant(high)) <= 6, label
        assert " to " not in label or low != high, f"{label}: a range whose ends print the same"
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
    info = clustermap_info(ranking, PARAMS, param_kinds(runs, PARAMS), "min", True, rows=["lr", "depth"], cols=["optimizer"])
    assert info.failed.loc[(0.01, 4), "adam"] and int(info.failed.sum().sum()) == 1
    assert np.isnan(info.values.loc[(0.01, 4), "adam"]) and info.model.isna().all().all()
    expected = runs.pivot_table(values="loss", index=["lr", "depth"], columns="optimizer", aggfunc="mean")
    pd.testing.assert_frame_equal(info.values, expected.reindex_like(info.values), check_names=False)


def test_labels_print_a_few_significant_digits():
    runs, ranking = grid_with_a_failed_cell()
    info = clustermap_info(ranking, PARAMS, param_kinds(runs, PARAMS), "min", True, rows=["lr", "depth"], cols=["optimizer"])
    assert "0.3333 · 2" in info.row_labels and not any("0.33333" in label for label in info.row_labels)


def drawn(info, annotate_with: str) -> plt.Figure:
    """The clustermap's figure, laid out under STYLE as `embed` saves it."""
    figure = clustermap.draw_clustermap(info, "loss", "min", annotate_with)
    with plt.rc_context(STYLE):
        figure.canvas.draw()
    return figure


def texts(figure: plt.Figure) -> list[plt.Text]:
    return [text for axis in figure.axes for text in axis.texts]


def test_drawn_cells_mark_failures_and_estimates():
    runs, ranking = grid_with_a_failed_cell()
    grid = clustermap_info(ranking, PARAMS, param_kinds(runs, PARAMS), "min", True, rows=["lr", "depth"], cols=["optimizer"])
    figure = drawn(grid, "value")
    written = [text.get_text() for text in texts(figure)]
    assert written.count("failed") == 1 and len(written) == grid.values.size
    assert all(len(re.sub(r"[^0-9]", "", text)) <= 5 for text in written), "values to 4 significant digits"
    assert "failed: every run of the cell failed" in [text.get_text() for text in figure.legends[0].get_texts()]
    _, _, random = analyse(pd.concat([random_runs(30, seed=11, lr_low=-3.5, lr_high=-2.5), random_runs(6, seed=12)], ignore_index=True))
    figure = drawn(random, "value")
    estimates = [text for text in texts(figure) if text.get_text().startswith("≈")]
    assert len(estimates) == int(random.model.notna().sum().sum()) and all(text.get_style() == "italic" for text in estimates)
    plt.close("all")


def test_colour_bar_keeps_clear_of_the_title():
    _, _, info = analyse(random_runs(20, seed=3))
    runs, ranking = grid_with_a_failed_cell()
    grid = clustermap_info(ranking, PARAMS, param_kinds(runs, PARAMS), "min", True)
    for shown in (info, grid):
        figure = drawn(shown, "value")
        renderer = figure.canvas.get_renderer()
        title = figure._suptitle.get_window_extent(renderer)
        colour_bar = next(axis for axis in figure.axes if "is better" in axis.get_ylabel())
        assert not title.overlaps(colour_bar.get_tightbbox(renderer))
        plt.close(figure)


# Regression tests of the review: config groups, --rows naming all, a weak surrogate, numeric
# axes outside grids, negative labels, and binning in a module of its own.

GROUPS = ["opt", "lr", "momentum"]
UNSET = "unset"


def with_unset(runs: pd.DataFrame) -> pd.DataFrame:
    return runs.assign(momentum=runs["momentum"].astype(object).where(runs["momentum"].notna(), UNSET))


def config_group_runs() -> pd.DataFrame:
    """Hydra's config-group pattern: sgd x lr x momentum, and adam x lr with no momentum at all;
    adam at lr=0.001 holds the best run."""
    rng = np.random.default_rng(3)
    configurations = [{"opt": "sgd", "lr": lr, "momentum": m} for lr in (0.001, 0.01, 0.1) for m in (0.5, 0.9)]
    configurations += [{"opt": "adam", "lr": lr, "momentum": np.nan} for lr in (0.001, 0.01, 0.1)]
    runs = pd.DataFrame(configurations)
    runs["status"] = "completed"
    runs["loss"] = runs["lr"] + 0.1 * (runs["opt"] == "sgd") + rng.uniform(0, 0.01, len(runs))
    return runs


def analyse_groups(runs: pd.DataFrame, **axes):
    ranking = rank_configurations(runs, GROUPS, "loss", "min", [])
    kinds = param_kinds(runs, GROUPS)
    surrogate = fit_surrogate(runs, GROUPS, kinds, "loss")
    full_grid = is_full_grid(ranking, GROUPS)
    return ranking, clustermap_info(ranking, GROUPS, kinds, "min", full_grid, surrogate=surrogate, **axes)


def test_a_config_group_parameter_keeps_unset_as_a_level_of_its_own():
    runs = config_group_runs()
    _, info = analyse_groups(runs, rows=["lr"], cols=["opt", "momentum"])
    assert not info.binned, "3 lr values and 2 momentum values are never cut into bins"
    expected = with_unset(runs).pivot_table(values="loss", index="lr", columns=["opt", "momentum"], aggfunc="mean")
    pd.testing.assert_frame_equal(info.values, expected.reindex_like(info.values), check_names=False)
    assert info.values.notna().all().all() and info.model.isna().all().all(), "every shown cell is measured"
    assert info.values.min().min() == pytest.approx(runs["loss"].min()), "adam's best run is in the map"
    assert info.row_labels == ["0.001", "0.01", "0.1"]
    assert info.col_labels == ["adam · unset", "sgd · 0.5", "sgd · 0.9"], "columns no job can reach are left out"


def test_cells_no_job_can_reach_are_blank_never_estimated():
    runs = config_group_runs()
    _, info = analyse_groups(runs, rows=["opt"], cols=["lr", "momentum"])
    assert info.row_labels == ["adam", "sgd"]
    assert info.col_labels == [f"{lr} · {m}" for lr in ("0.001", "0.01", "0.1") for m in ("0.5", "0.9", UNSET)]
    measured = with_unset(runs).set_index(["opt", "lr", "momentum"])["loss"]
    for (opt, lr, momentum), value in info.values.stack(level=[0, 1], future_stack=True).items():
        if (opt, lr, momentum) in measured.index:
            assert value == pytest.approx(measured[(opt, lr, momentum)])
        else:
            assert np.isnan(value) and np.isnan(info.model.loc[opt, (lr, momentum)])
    assert info.model.isna().all().all() and not info.failed.any().any()
    assert info.values.loc["adam", (0.001, UNSET)] == pytest.approx(runs["loss"].min())
    assert any("9 of 18 cells pair a parameter's unset value" in note for note in info.notes)


def test_a_config_group_map_is_drawn_with_its_blank_cells():
    _, info = analyse_groups(config_group_runs(), rows=["opt"], cols=["lr", "momentum"])
    figure = drawn(info, "value")
    written = [text.get_text() for text in texts(figure)]
    assert len(written) == int(info.values.notna().sum().sum()) == 9 and not any("≈" in text for text in written)
    assert "unset" in " ".join(label.get_text() for label in figure.axes[0].get_xticklabels())
    plt.close("all")


def test_a_random_sweep_never_bins_a_parameter_with_few_set_values():
    rng = np.random.default_rng(5)
    n = 60
    runs = pd.DataFrame({"opt": rng.choice(["sgd", "adam"], n), "lr": 10 ** rng.uniform(-4, -1, n)})
    runs["momentum"] = np.where(runs["opt"] == "sgd", rng.choice([0.5, 0.9], n), np.nan)
    runs["status"] = "completed"
    runs["loss"] = np.log10(runs["lr"]) ** 2 + (runs["opt"] == "sgd") + rng.normal(0, 0.1, n)
    ranking, info = analyse_groups(runs, rows=["lr"], cols=["opt", "momentum"])
    assert info.binned == ["lr"]
    assert info.col_labels == ["adam · unset", "sgd · 0.5", "sgd · 0.9"]
    lr_edges = np.geomspace(ranking["lr"].min(), ranking["lr"].max(), len(info.row_labels) + 1)
    lr_bin = pd.cut(ranking["lr"], lr_edges, include_lowest=True, labels=list(info.values.index))
    expected = ranking.groupby([lr_bin, ranking["opt"], with_unset(ranking)["momentum"]], observed=True)["mean"].min()
    for (lr, opt, momentum), mean in expected.items():
        assert info.values.loc[lr, (opt, momentum)] == pytest.approx(mean)
    assert info.values.notna().sum().sum() == len(expected)


def test_rows_naming_every_parameter_put_the_last_one_on_the_columns():
    _, _, info = analyse(random_runs(20, seed=3), rows=PARAMS)
    assert info.rows == PARAMS[:-1] and info.cols == PARAMS[-1:]
    assert any("--rows names every parameter" in note for note in info.notes)
    _, _, info = analyse(random_runs(20, seed=3), cols=PARAMS)
    assert info.rows == PARAMS[-1:] and info.cols == PARAMS[:-1]


def test_a_report_is_written_when_rows_name_every_parameter(tmp_path):
    import handmade

    from report.build import build_report
    from report.options import ReportOptions

    configurations = [{"lr": lr, "opt": opt, "depth": depth} for lr in (0.1, 0.01) for opt in ("sgd", "adam") for depth in (2, 4)]
    handmade.write_sweep(tmp_path, configurations, lambda c, seed: {"loss": c["lr"] + c["depth"] + (c["opt"] == "sgd")})
    written = build_report(tmp_path, options=ReportOptions(rows=("lr", "opt", "depth")))
    html = written.html.read_text()
    assert "pivoted with <code>lr, opt</code> on the rows and <code>depth</code> on the columns" in html
    assert "--rows names every parameter" in html


def noise_runs() -> pd.DataFrame:
    """A Bayesian-like sweep (most trials near one lr) whose loss is pure noise."""
    runs = pd.concat([random_runs(30, seed=11, lr_low=-3.5, lr_high=-2.5), random_runs(6, seed=12)], ignore_index=True)
    runs["loss"] = np.random.default_rng(0).normal(0, 1, len(runs))
    return runs


def test_a_surrogate_that_explains_nothing_fills_no_cell():
    ranking, surrogate, info = analyse(noise_runs(), rows=["lr"], cols=["depth", "optimizer"])
    assert surrogate.oob_r2 < MIN_R2
    empty = info.values.isna() & ~info.failed
    assert empty.any().any() and info.model.isna().all().all()
    assert any(f"{int(empty.sum().sum())} of {info.values.size} cells have no run and are left blank" in note and "below 0.3" in note for note in info.notes)
    assert not any("≈" in note for note in info.notes)


def test_numeric_axes_keep_their_order_outside_full_grids():
    rng = np.random.default_rng(2)
    runs = pd.DataFrame({"a": rng.integers(-2**40, 2**40, 60), "b": rng.integers(0, 4, 60) * 1000, "c": rng.choice(["x", "y"], 60)})
    runs["status"], runs["loss"] = "completed", rng.uniform(0, 1, 60)
    params = ["a", "b", "c"]
    ranking = rank_configurations(runs, params, "loss", "min", [])
    info = clustermap_info(ranking, params, param_kinds(runs, params), "min", False, rows=["a"], cols=["b", "c"])
    assert info.binned == ["a"]
    assert info.col_linkage is None and info.row_linkage is None
    assert list(info.values.columns) == sorted(itertools.product(sorted(runs["b"].unique()), sorted(runs["c"].unique())))
    assert info.col_labels[:3] == ["0 · x", "0 · y", "1000 · x"]
    assert "Rows (a in bins) and columns (b) hold numeric parameters" in info.order and "never reordered by clustering" in info.order
    best = ranking.groupby(["b", "c"])["mean"].min()
    pd.testing.assert_series_equal(info.values.min(), best.reindex(info.values.columns), check_names=False)


def test_a_full_grid_keeps_the_blogs_clustering():
    runs, ranking = grid_with_a_failed_cell()
    info = clustermap_info(ranking, PARAMS, param_kinds(runs, PARAMS), "min", True, rows=["lr", "depth"], cols=["optimizer"])
    filled = info.values.fillna(np.nanmean(info.values.to_numpy()))
    expected = hierarchy.linkage(filled.reindex(index=sorted(filled.index)).to_numpy(), "average")
    assert info.row_linkage == pytest.approx(expected)


def test_negative_bins_read_as_numbers():
    rng = np.random.default_rng(2)
    runs = pd.DataFrame({"a": rng.uniform(-1000, -1, 60), "b": rng.uniform(-5, 5, 60), "c": rng.choice(["x", "y"], 60)})
    runs["status"], runs["loss"] = "completed", rng.uniform(0, 1, 60)
    params = ["a", "b", "c"]
    ranking = rank_configurations(runs, params, "loss", "min", [])
    info = clustermap_info(ranking, params, param_kinds(runs, params), "min", False, rows=["a"], cols=["b", "c"])
    assert info.binned == ["a", "b"]
    for labels in (info.row_labels, list(dict.fromkeys(label.split(" · ")[0] for label in info.col_labels))):
        assert all("-" not in label and " to " in label for label in labels), labels
        assert len({"e" in label for label in labels}) == 1, f"one notation: {labels}"
    assert all(label.startswith("\N{MINUS SIGN}") and " to \N{MINUS SIGN}" in label for label in info.row_labels)
    assert float(ends(info.row_labels[0])[0]) == pytest.approx(ranking["a"].min(), rel=0.05)
    # Independently: quantile bins of a, in increasing order, each holding the values it says.
    a_bin = pd.qcut(ranking["a"], len(info.row_labels), labels=info.row_labels)
    for label, values in ranking["a"].groupby(a_bin, observed=True):
        low, high = map(float, ends(label))
        assert low - 0.05 * abs(low) <= values.min() and values.max() <= high + 0.05 * abs(high), label  # to 2 digits
    expected = ranking.groupby(a_bin, observed=True)["mean"].min()
    pd.testing.assert_series_equal(info.values.min(axis=1), expected.reindex(info.values.index), check_names=False)


def test_binning_lives_in_its_own_module():
    import inspect

    import report.analysis.bins as bins
    import report.analysis.clustermap as pivot

    for name in ("choose_bins", "cut_into_bins", "range_labels", "value_labels", "bin_count", "grid_cells"):
        function = getattr(bins, name)
        assert function.__module__ == "report.analysis.bins" and function.__doc__
        assert "return" in inspect.get_annotations(function)
    assert not [name for name, value in vars(pivot).items() if inspect.isfunction(value) and value.__module__ == "report.analysis.clustermap" and "bin" in name]
    assert len(bins.__doc__.split()) > 40, "the module says why it exists"
