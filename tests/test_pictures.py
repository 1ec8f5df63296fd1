"""The data behind the clustermaps, dependence, importance and history, against pandas and sklearn."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest
from scipy.cluster import hierarchy
from sklearn.inspection import partial_dependence

from report.analysis.clustermap import MAX_SIDE, clustermap_info
from report.analysis.clustermap_axes import split_params
from report.analysis.dependence import exact_curve, exact_surface, surrogate_curve
from report.analysis.history import history_info
from report.analysis.importance import exact_importance, surrogate_importance
from report.analysis.params import is_full_grid, param_kinds
from report.analysis.ranking import rank_configurations
from report.analysis.surrogate import fit_surrogate, grid_of


def grid_runs(values: dict[str, list], score, repeats: int = 3, noise: float = 0.1, seed: int = 0) -> pd.DataFrame:
    """Every combination of `values`, `repeats` times, scored by `score(**params)` plus noise."""
    rng = np.random.default_rng(seed)
    rows = [
        {**dict(zip(values, combo)), "seed": r, "status": "completed", "loss": score(**dict(zip(values, combo))) + rng.normal(0, noise)}
        for combo in itertools.product(*values.values())
        for r in range(repeats)
    ]
    runs = pd.DataFrame(rows)
    runs.insert(0, "job", range(len(runs)))
    return runs


@pytest.fixture
def grid() -> tuple[pd.DataFrame, pd.DataFrame, list[str]]:
    params = ["lr", "depth", "optimizer", "shuffle"]
    runs = grid_runs(
        {"lr": [0.1, 0.01, 0.001], "depth": [2, 4], "optimizer": ["sgd", "adam"], "shuffle": [True, False]},
        lambda lr, depth, optimizer, shuffle: -np.log10(lr) + 0.5 * depth + (optimizer == "sgd") + 0.2 * shuffle,
    )
    return runs, rank_configurations(runs, params, "loss", "min", []), params


def test_kinds_of_parameters(grid):
    runs, _, params = grid
    assert param_kinds(runs, params) == {"lr": "log", "depth": "linear", "optimizer": "categorical", "shuffle": "boolean"}


def test_split_keeps_the_pivot_near_square():
    assert split_params(["a", "b", "c"], {"a": 30, "b": 3, "c": 10}) == (["a"], ["b", "c"])
    assert split_params(["a", "b", "c", "d"], {"a": 2, "b": 2, "c": 2, "d": 2}) == (["a", "b"], ["c", "d"])


def test_heatmap_values_are_the_mean_over_repeats(grid):
    runs, ranking, params = grid
    info = clustermap_info(ranking, params, param_kinds(runs, params), "min", full_grid=True)
    expected = runs.pivot_table(values="loss", index=info.rows, columns=info.cols, aggfunc="mean")
    pd.testing.assert_frame_equal(info.values, expected.reindex_like(info.values), check_names=False)
    assert info.annotate and not info.notes and not info.binned
    one_cell = ranking.iloc[0]
    key_row = tuple(one_cell[name] for name in info.rows)
    key_col = tuple(one_cell[name] for name in info.cols)

    def pick(frame):
        return frame.loc[key_row if len(key_row) > 1 else key_row[0], key_col if len(key_col) > 1 else key_col[0]]

    assert pick(info.groups) == str(one_cell["group"])


def test_a_grid_cell_whose_runs_all_failed_is_marked_failed(grid):
    runs, _, params = grid
    holed = runs.copy()
    drop = (holed["lr"] == 0.1) & (holed["depth"] == 2) & (holed["optimizer"] == "sgd") & holed["shuffle"]
    holed.loc[drop, ["status", "loss"]] = ["failed", np.nan]
    ranking = rank_configurations(holed, params, "loss", "min", [])
    assert is_full_grid(ranking, params), "every combination was launched: still a grid"
    info = clustermap_info(ranking, params, param_kinds(holed, params), "min", full_grid=True, rows=["lr", "depth"], cols=["optimizer", "shuffle"])
    assert info.values.isna().sum().sum() == 1
    assert info.values.loc[(0.1, 2), ("sgd", True)] != info.values.loc[(0.1, 2), ("sgd", True)]
    assert info.failed.loc[(0.1, 2), ("sgd", True)] and info.failed.sum().sum() == 1
    assert info.model.isna().all().all(), "a grid is never filled by a model"
    failed_group = ranking.loc[ranking["n"] == 0, "group"].item()
    assert info.groups.loc[(0.1, 2), ("sgd", True)] == str(failed_group)
    assert any("1 of 24 cells are marked failed" in note for note in info.notes)


def test_unlaunched_cells_without_a_model_are_blank_and_clustered_as_the_mean(grid):
    runs, _, params = grid
    gap = (runs["lr"] == 0.1) & (runs["depth"] == 2) & (runs["optimizer"] == "sgd") & runs["shuffle"]
    holed = runs[~gap]
    ranking = rank_configurations(holed, params, "loss", "min", [])
    assert not is_full_grid(ranking, params)
    info = clustermap_info(ranking, params, param_kinds(holed, params), "min", full_grid=False, rows=["lr", "depth"], cols=["optimizer", "shuffle"])
    assert not info.binned, "a grid with a gap keeps its exact values"
    assert info.values.isna().sum().sum() == 1 and np.isnan(info.values.loc[(0.1, 2), ("sgd", True)])
    assert not info.failed.any().any() and info.model.isna().all().all()
    assert info.groups.loc[(0.1, 2), ("sgd", True)] == ""
    assert any("1 of 24 cells have no run and are left blank" in note for note in info.notes)
    assert info.row_linkage is None and list(info.values.index) == sorted(info.values.index), "numeric rows: natural order"
    filled = info.values.fillna(np.nanmean(info.values.to_numpy()))
    expected = hierarchy.linkage(filled.reindex(index=sorted(filled.index), columns=sorted(filled.columns)).to_numpy().T, "average")
    assert info.col_linkage == pytest.approx(expected), "the hole is clustered as the overall mean"


def test_random_sweeps_are_binned_log_spaced_for_log_parameters():
    rng = np.random.default_rng(1)
    runs = pd.DataFrame({"lr": 10 ** rng.uniform(-5, -1, 200), "width": rng.uniform(0, 1, 200)})
    runs["status"], runs["loss"] = "completed", runs["width"] + np.log10(runs["lr"]) ** 2 / 10
    params = ["lr", "width"]
    ranking = rank_configurations(runs, params, "loss", "min", [])
    kinds = param_kinds(runs, params)
    info = clustermap_info(ranking, params, kinds, "min", full_grid=False)
    assert info.binned == ["lr", "width"]
    assert any("lr is binned into 8 log-spaced bins" in note for note in info.notes)
    assert any("width is binned into 8 quantile bins" in note for note in info.notes)
    lr_labels = info.values.index if info.rows == ["lr"] else info.values.columns
    lows = [float(label.replace("\N{MINUS SIGN}", "-").split(" to ")[0]) for label in lr_labels]
    assert sorted(lows)[1] / sorted(lows)[0] > 2, "log-spaced bins start a constant ratio apart"
    best_cell = info.values.min().min() if info.rows else None
    assert best_cell == pytest.approx(ranking["mean"].min())


def test_too_many_rows_are_capped_and_said():
    runs = grid_runs({"a": list(range(130)), "b": [0, 1]}, lambda a, b: a + b, repeats=1, noise=0)
    params = ["a", "b"]
    ranking = rank_configurations(runs, params, "loss", "min", [])
    info = clustermap_info(ranking, params, param_kinds(runs, params), "min", full_grid=True)
    assert info.values.shape == (MAX_SIDE, 2)
    assert sorted(info.values.index) == list(range(MAX_SIDE)), "the best rows are kept (then drawn in clustering order)"
    assert f"Only the {MAX_SIDE} best of 130 rows are shown." in info.notes


def test_exact_marginal_curve_and_band_against_pandas(grid):
    runs, ranking, _ = grid
    curve = exact_curve(ranking, "lr", "log")
    config_means = runs.groupby(["lr", "depth", "optimizer", "shuffle"])["loss"].agg(["mean", "var", "count"]).reset_index()
    by_lr = config_means.groupby("lr")
    assert curve.x == [0.001, 0.01, 0.1]
    assert curve.mean == pytest.approx(by_lr["mean"].mean().tolist())
    stderr = by_lr.apply(lambda g: np.sqrt((g["var"] / g["count"]).sum()) / len(g))
    assert curve.high == pytest.approx((by_lr["mean"].mean() + 1.959964 * stderr).tolist())
    assert exact_curve(ranking, "shuffle", "boolean").x == ["false", "true"]


def test_exact_surface_against_pandas(grid):
    runs, ranking, params = grid
    surface = exact_surface(ranking, "lr", "optimizer", param_kinds(runs, params))
    expected = runs.groupby(["optimizer", "lr"])["loss"].mean().unstack()
    assert surface.y == ["adam", "sgd"] and surface.x == [0.001, 0.01, 0.1]
    assert np.asarray(surface.z) == pytest.approx(expected.to_numpy())


def test_no_band_without_repeats():
    runs = grid_runs({"a": [1, 2], "b": [1, 2]}, lambda a, b: a * b, repeats=1)
    assert exact_curve(rank_configurations(runs, ["a", "b"], "loss", "min", []), "a", "linear").low is None


def test_exact_importance_recovers_known_main_effects():
    runs = grid_runs({"a": [0, 1, 2], "b": [0, 1, 2], "c": [0, 1]}, lambda a, b, c: 3 * a + b, repeats=1, noise=0)
    ranking = rank_configurations(runs, ["a", "b", "c"], "loss", "min", [])
    importance = exact_importance(ranking, ["a", "b", "c"])
    assert importance.params == ["a", "b", "c"]
    assert importance.shares == pytest.approx([0.9, 0.1, 0.0])


@pytest.fixture(scope="module")
def random_sweep():
    rng = np.random.default_rng(3)
    n = 200
    runs = pd.DataFrame({
        "job": range(n),
        "x": rng.uniform(0, 1, n),
        "lr": 10 ** rng.uniform(-4, -1, n),
        "kind": rng.choice(["a", "b", "c"], n),
        "flag": rng.choice([True, False], n),
        "noise": rng.uniform(0, 1, n),
    })
    runs["status"] = "completed"
    runs["loss"] = 4 * runs["x"] + runs["kind"].map({"a": 0.0, "b": 1.0, "c": 2.0}) + rng.normal(0, 0.05, n)
    params = ["x", "lr", "kind", "flag", "noise"]
    kinds = param_kinds(runs, params)
    return runs, params, kinds, fit_surrogate(runs, params, kinds, "loss")


def test_surrogate_curves_are_sklearns_partial_dependence(random_sweep):
    runs, _, kinds, surrogate = random_sweep
    for name in ("x", "kind"):
        curve = surrogate_curve(surrogate, runs, name, kinds[name], "loss")
        grid = grid_of(surrogate, name, kinds[name])
        expected = partial_dependence(surrogate.model, surrogate.background, [name], custom_values={name: grid}, method="recursion")
        assert curve.mean == pytest.approx(expected["average"][0].tolist())
        assert len(curve.individual) == 30 and len(curve.individual[0]) == len(grid)
        assert len(curve.observed_x) == len(runs)
    assert surrogate_curve(surrogate, runs, "kind", "categorical", "loss").x == ["a", "b", "c"]
    assert surrogate.oob_r2 > 0.8


def test_surrogate_importance_finds_the_main_effects(random_sweep):
    _, params, _, surrogate = random_sweep
    importance = surrogate_importance(surrogate, params)
    shares = dict(zip(importance.params, importance.shares))
    assert importance.params[:2] == ["x", "kind"]
    # Var(4x) = 16/12 = 1.33 and Var(kind effect) = 2/3: shares of about 2/3 and 1/3.
    assert shares["x"] == pytest.approx(2 / 3, abs=0.12) and shares["kind"] == pytest.approx(1 / 3, abs=0.12)
    assert shares["lr"] < 0.05 and shares["flag"] < 0.05 and shares["noise"] < 0.05


def test_history_best_so_far_against_pandas(grid):
    runs, _, _ = grid
    history = history_info(runs.sample(frac=1, random_state=0), "loss", "min")
    assert history.jobs == sorted(runs["job"].tolist())
    assert history.best_so_far == runs.sort_values("job")["loss"].cummin().tolist()
    assert history_info(runs, "loss", "max").best_so_far == runs["loss"].cummax().tolist()
