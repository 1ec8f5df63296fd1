"""Figures show failures as failures, numbers to scale, and importance only as firmly as it is known."""

from __future__ import annotations

import itertools
import math

import handmade
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.container import BarContainer
from sklearn.inspection import partial_dependence

from report.analysis.dependence import dependence_info, exact_curve, exact_surface, surrogate_curve, surrogate_surface
from report.analysis.history import History
from report.analysis.importance import MIN_R2, exact_importance, surrogate_importance
from report.analysis.params import is_full_grid, param_kinds
from report.analysis.ranking import rank_configurations
from report.analysis.repeats import repeat_variance
from report.analysis.surrogate import fit_surrogate
from report.build import build_report
from report.figures.dependence import FAILED_LABEL, draw_curves, draw_surfaces
from report.figures.history import draw_history
from report.figures.importance import draw_importance
from report.figures.repeats import MAX_LABEL, draw_repeat_variance
from report.figures.style import STYLE
from report.page.pictures import dependence_failures

LRS = [float(lr) for lr in 10 ** np.linspace(-4, -1, 19)]  # 19 log-spaced values, as in the issue


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def adam_fails_at_the_largest_lr(lrs: list[float] = LRS) -> tuple[pd.DataFrame, pd.DataFrame, list[str]]:
    """A full grid lr x optimizer x depth, two seeds, where every adam run at the largest lr failed."""
    rng = np.random.default_rng(0)
    rows = []
    for lr, optimizer, depth in itertools.product(lrs, ["sgd", "adam"], [2, 4]):
        for seed in range(2):
            failed = optimizer == "adam" and lr == max(lrs)
            loss = (np.log10(lr) + 2.5) ** 2 + (optimizer == "sgd") + 0.1 * depth + rng.normal(0, 0.01)
            rows.append({"lr": lr, "optimizer": optimizer, "depth": depth, "seed": seed,
                         "status": "failed" if failed else "completed", "loss": np.nan if failed else loss})
    runs = pd.DataFrame(rows)
    runs.insert(0, "job", range(len(runs)))
    params = ["lr", "optimizer", "depth"]
    return runs, rank_configurations(runs, params, "loss", "min", []), params


def test_exact_surface_masks_exactly_the_cell_where_every_run_failed():
    runs, ranking, params = adam_fails_at_the_largest_lr()
    assert is_full_grid(ranking, params)
    surface = exact_surface(ranking, "lr", "optimizer", param_kinds(runs, params))
    failed = np.asarray(surface.failed)
    z = np.asarray(surface.z, dtype=float)
    expected_failed = np.array([[optimizer == "adam" and lr == max(LRS) for lr in surface.x] for optimizer in surface.y])
    assert (failed == expected_failed).all() and failed.sum() == 1
    assert np.isnan(z[failed]).all()
    expected = runs.groupby(["optimizer", "lr"])["loss"].mean().unstack().reindex(index=surface.y, columns=surface.x)
    assert z[~failed] == pytest.approx(expected.to_numpy()[~failed])


def test_exact_curve_counts_failed_configurations_and_has_no_value_where_all_failed():
    runs, _, params = adam_fails_at_the_largest_lr([0.001, 0.01, 0.1])
    runs.loc[runs["lr"] == 0.1, ["status", "loss"]] = ["failed", np.nan]  # now every run at 0.1 failed
    runs.loc[(runs["lr"] == 0.01) & (runs["optimizer"] == "adam"), ["status", "loss"]] = ["failed", np.nan]
    ranking = rank_configurations(runs, params, "loss", "min", [])
    curve = exact_curve(ranking, "lr", "log")
    assert curve.x == [0.001, 0.01, 0.1]
    assert curve.configurations == [4, 4, 4] and curve.failed == [0, 2, 4]
    expected = main_effects_by_hand(ranking, params, "lr")
    assert curve.mean[:2] == pytest.approx(expected.loc[[0.001, 0.01]].tolist()), "the main-effects estimate, not sgd's mean alone"
    assert np.isnan(curve.mean[2]) and np.isnan(curve.high[2])


def main_effects_by_hand(ranking: pd.DataFrame, params: list[str], name: str) -> pd.Series:
    """The additive least-squares fit (full one-hot columns, numpy's minimum-norm solution) of the
    completed configurations' means, predicted on every combination of values that completed
    somewhere and averaged at each value of `name`."""
    done = ranking[ranking["n"] > 0]
    dummies = pd.get_dummies(done[params].astype(str), dtype=float)
    design = np.hstack([np.ones((len(done), 1)), dummies.to_numpy()])
    coefficients, *_ = np.linalg.lstsq(design, done["mean"].to_numpy(), rcond=None)
    grid = pd.DataFrame(list(itertools.product(*(sorted(done[param].unique()) for param in params))), columns=params)
    grid_dummies = pd.get_dummies(grid.astype(str), dtype=float).reindex(columns=dummies.columns, fill_value=0.0)
    grid["fit"] = np.hstack([np.ones((len(grid), 1)), grid_dummies.to_numpy()]) @ coefficients
    return grid.groupby(name)["fit"].mean()


def test_exact_curves_on_a_grid_with_failed_cells_are_main_effects_estimates():
    """adam failed at the largest lr: a plain mean at adam leaves out its worst lr, and adam looked
    better than it is. On an additive loss the main effects recover each parameter's true effect."""
    runs, _, params = adam_fails_at_the_largest_lr([0.001, 0.01, 0.1])
    runs["loss"] = np.where(runs["status"] == "completed", 10 * runs["lr"] + runs["optimizer"].eq("sgd") + 0.1 * runs["depth"] + 0.01 * runs["seed"], np.nan)
    ranking = rank_configurations(runs, params, "loss", "min", [])
    info = dependence_info(runs, ranking, params, param_kinds(runs, params), "loss", True, None, [])
    curves = {curve.param: curve for curve in info.curves}
    optimizer = curves["optimizer"]
    assert optimizer.x == ["adam", "sgd"] and optimizer.configurations == [6, 6] and optimizer.failed == [2, 0]
    assert optimizer.mean == pytest.approx(main_effects_by_hand(ranking, params, "optimizer").loc[["adam", "sgd"]].tolist())
    assert optimizer.mean[1] - optimizer.mean[0] == pytest.approx(1.0), "sgd is worse by exactly 1 at every lr and depth"
    naive = ranking.groupby("optimizer")["mean"].mean()
    assert naive["sgd"] - naive["adam"] > 1.2, "the biased marginal means this replaces"
    complete_grid_mean = runs.assign(loss=10 * runs["lr"] + runs["optimizer"].eq("sgd") + 0.1 * runs["depth"] + 0.005).groupby("optimizer")["loss"].mean()
    assert optimizer.mean == pytest.approx(complete_grid_mean.tolist()), "the curve the complete grid would have drawn"
    for name in ("lr", "depth"):
        expected = main_effects_by_hand(ranking, params, name)
        assert curves[name].mean == pytest.approx(expected.tolist())
    lr = curves["lr"]
    assert lr.failed == [0, 0, 2] and lr.mean[2] - lr.mean[0] == pytest.approx(10 * (0.1 - 0.001))
    # the band propagates each configuration's standard error through the same linear fit
    done = ranking[ranking["n"] > 0].reset_index(drop=True)
    weights = np.array([main_effects_by_hand(done.assign(mean=np.eye(len(done))[c]), params, "optimizer").to_numpy() for c in range(len(done))])
    stderr = np.sqrt((weights**2 * (done["std"] ** 2 / done["n"]).to_numpy()[:, None]).sum(axis=0))
    assert optimizer.high == pytest.approx((np.asarray(optimizer.mean) + 1.959964 * stderr).tolist())
    assert optimizer.low == pytest.approx((np.asarray(optimizer.mean) - 1.959964 * stderr).tolist())
    axis = draw_curves(info, "loss", "min").axes[[curve.param for curve in info.curves].index("optimizer")]
    assert [text.get_text() for text in axis.get_legend().get_texts()] == ["main-effects estimate: some failed"]
    notes = dependence_failures(info)
    assert "optimizer: configurations failed at adam (2 of 6)." in notes
    assert sum("the curves is the main-effects estimate" in note for note in notes) == 1


@pytest.fixture(scope="module")
def crashing_sweep():
    """Random lr (log) x width x optimizer, where every run with lr > 0.01 and width > 0.5 crashed."""
    rng = np.random.default_rng(7)
    n = 300
    runs = pd.DataFrame({"lr": 10 ** rng.uniform(-5, -1, n), "width": rng.uniform(0, 1, n), "opt": rng.choice(["sgd", "adam"], n)})
    crash = (runs["lr"] > 0.01) & (runs["width"] > 0.5)
    runs["status"] = np.where(crash, "failed", "completed")
    runs["loss"] = np.where(crash, np.nan, np.log10(runs["lr"]) ** 2 / 10 + runs["width"] + rng.normal(0, 0.05, n))
    runs.insert(0, "job", range(n))
    params = ["lr", "width", "opt"]
    kinds = param_kinds(runs, params)
    return runs, params, kinds, fit_surrogate(runs, params, kinds, "loss")


def test_surrogate_surface_is_failed_in_the_crash_region_and_measured_around_completed_runs(crashing_sweep):
    runs, _, kinds, surrogate = crashing_sweep
    surface = surrogate_surface(surrogate, runs, "lr", "width", kinds, "loss")
    lr, width = np.meshgrid(np.asarray(surface.x), np.asarray(surface.y))  # [i][j] at y[i], x[j]
    failed, z = np.asarray(surface.failed), np.asarray(surface.z, dtype=float)
    deep_inside = (lr > 0.03) & (width > 0.6)  # a grid step or two from the edge, which is ambiguous by design
    well_outside = (lr < 0.005) | (width < 0.4)
    assert deep_inside.sum() > 5 and failed[deep_inside].all()
    assert not failed[well_outside].any()
    assert np.isnan(z[failed]).all() and np.isfinite(z[~failed]).all()


def test_surrogate_surface_compares_runs_of_the_same_category_only(crashing_sweep):
    runs, params, kinds, _ = crashing_sweep
    crash = (runs["opt"] == "adam") & (runs["lr"] > 0.01)  # whatever the width
    runs = runs.assign(status=np.where(crash, "failed", "completed"), loss=np.where(crash, np.nan, np.log10(runs["lr"]) ** 2))
    surface = surrogate_surface(fit_surrogate(runs, params, kinds, "loss"), runs, "lr", "opt", kinds, "loss")
    failed = dict(zip(surface.y, np.asarray(surface.failed)))
    lr = np.asarray(surface.x)
    assert not failed["sgd"].any(), "sgd runs completed at every lr"
    assert failed["adam"][lr > 0.02].all() and not failed["adam"][lr < 0.005].any()


def test_a_category_whose_every_run_failed_stays_in_the_model_based_figures(crashing_sweep):
    """Every rmsprop run failed: the forest never saw it, yet the figures must show it as failed."""
    runs, _, kinds, _ = crashing_sweep
    rng = np.random.default_rng(3)
    runs = runs.assign(opt=rng.choice(["sgd", "adam", "rmsprop"], len(runs)))
    failed_run = runs["opt"].eq("rmsprop") | runs["status"].eq("failed")
    runs = runs.assign(status=np.where(failed_run, "failed", "completed"), loss=np.where(failed_run, np.nan, runs["loss"]))
    params = ["lr", "width", "opt"]
    surrogate = fit_surrogate(runs, params, kinds, "loss")
    launched = sorted(runs["opt"].unique())
    assert launched == ["adam", "rmsprop", "sgd"]

    surface = surrogate_surface(surrogate, runs, "lr", "opt", kinds, "loss")
    assert surface.y == launched
    failed, z = np.asarray(surface.failed), np.asarray(surface.z, dtype=float)
    assert failed[1].all() and np.isnan(z[1]).all()
    codes = {"adam": 0.0, "sgd": 1.0}  # the forest's ordinal codes of the categories it saw
    expected = partial_dependence(surrogate.model, surrogate.background, ["lr", "opt"], method="recursion",
                                  custom_values={"lr": np.asarray(surface.x), "opt": np.array(list(codes.values()))})["average"][0]
    for row, code in ((0, 0), (2, 1)):
        measured = ~failed[row]
        assert measured.sum() > 5 and z[row][measured] == pytest.approx(expected[:, code][measured])

    curve = surrogate_curve(surrogate, runs, "opt", "categorical", "loss")
    assert curve.x == launched
    assert curve.configurations == runs["opt"].value_counts().loc[launched].tolist()
    assert curve.failed == runs[failed_run]["opt"].value_counts().reindex(launched, fill_value=0).tolist()
    expected = partial_dependence(surrogate.model, surrogate.background, ["opt"], custom_values={"opt": np.array([0.0, 1.0])}, method="recursion")
    assert np.isnan(curve.mean[1]) and [curve.mean[0], curve.mean[2]] == pytest.approx(expected["average"][0].tolist())
    assert all(np.isnan(line[1]) and np.isfinite([line[0], line[2]]).all() for line in curve.individual)

    info = dependence_info(runs, rank_configurations(runs, params, "loss", "min", []), params, kinds, "loss", False, surrogate, [("lr", "opt")])
    axis = draw_curves(info, "loss", "min").axes[params.index("opt")]
    assert [text.get_text() for text in axis.get_legend().get_texts()] == [FAILED_LABEL], "a cross, and no hollow point for the forest"
    crosses = [collection for collection in axis.collections if collection.get_label() == FAILED_LABEL]
    assert crosses[0].get_offsets()[:, 0].tolist() == [1.0], "at rmsprop"
    notes = dependence_failures(info)
    assert any(note.startswith(f"opt: every run failed at rmsprop (all {curve.configurations[1]} runs)") for note in notes), notes


def test_forest_labels_keep_enough_of_each_name_to_tell_them_apart():
    runs, ranking, params = adam_fails_at_the_largest_lr()
    info = repeat_variance(runs, ranking, params, "loss")
    config = info.top[0]._replace(params=[("model.lr", 0.1), ("optimizer.lr", 0.01), ("model.depth", 3)])
    label = draw_repeat_variance(info._replace(top=[config]), "loss", "min").axes[0].get_yticklabels()[0].get_text()
    assert label == f"#1 g{config.group} model.lr=0.1 optimizer.lr=0.01 depth=3"


def test_surfaces_put_numeric_parameters_on_numeric_axes_and_hatch_failed_cells():
    runs, ranking, params = adam_fails_at_the_largest_lr()
    kinds = param_kinds(runs, params)
    info = dependence_info(runs, ranking, params, kinds, "loss", True, None, [("lr", "optimizer")])
    surface = info.surfaces[0]
    assert surface.kinds == ("log", "categorical")
    assert surface.x == pytest.approx(sorted(LRS)), "the grid values themselves, not category positions"
    figure = draw_surfaces(info, "loss", "min")
    axis = figure.axes[0]
    assert axis.get_xscale() == "log"
    low, high = axis.get_xlim()
    assert low < 1e-4 < 2e-4 < 0.05 < 0.1 < high and high < 1
    assert axis.get_ylim() == pytest.approx((-0.5, 1.5))
    assert [label.get_text() for label in axis.get_yticklabels()] == surface.y
    figure.canvas.draw()
    labels = [label.get_text() for label in axis.get_xticklabels() if label.get_text()]
    assert labels and all(len(label.replace("-", "").replace(".", "").lstrip("0")) <= 5 for label in labels), labels
    hatched = [patch for patch in axis.patches if patch.get_hatch()]
    assert len(hatched) == 1
    x0, y0 = hatched[0].get_xy()
    assert x0 < max(LRS) < x0 + hatched[0].get_width() and y0 < surface.y.index("adam") < y0 + hatched[0].get_height()
    assert [text.get_text() for text in axis.get_legend().get_texts()] == ["every run failed"]


def test_importance_is_withheld_when_the_surrogate_explains_little():
    rng = np.random.default_rng(2)
    runs = pd.DataFrame({"a": rng.uniform(0, 1, 80), "b": rng.uniform(0, 1, 80), "status": "completed", "loss": rng.normal(0, 1, 80)})
    surrogate = fit_surrogate(runs, ["a", "b"], {"a": "linear", "b": "linear"}, "loss")
    assert surrogate.oob_r2 < MIN_R2
    importance = surrogate_importance(surrogate, ["a", "b"])
    assert importance.shares == [] and importance.low is None
    assert importance.surrogate_r2 == pytest.approx(surrogate.oob_r2)


def test_surrogate_importance_comes_with_a_range_that_holds_the_estimate(crashing_sweep):
    _, params, _, surrogate = crashing_sweep
    assert surrogate.oob_r2 >= MIN_R2
    importance = surrogate_importance(surrogate, params)
    assert importance.params[:2] == ["lr", "width"]
    for share, low, high in zip(importance.shares, importance.low, importance.high):
        assert low <= share <= high
    assert importance.high[0] - importance.low[0] > 0, "bootstrap refits move the estimate"
    figure = draw_importance(importance, "loss")
    (bars,) = [container for container in figure.axes[0].containers if isinstance(container, BarContainer)]
    assert [bar.get_width() for bar in bars] == pytest.approx(importance.shares)
    segments = bars.errorbar.lines[2][0].get_segments()
    assert [segment[0][0] for segment in segments] == pytest.approx(importance.low)
    assert [segment[1][0] for segment in segments] == pytest.approx(importance.high)


def write_noise_sweep(directory):
    rng = np.random.default_rng(4)
    configurations = [{"a": round(float(a), 4), "b": round(float(b), 4)} for a, b in rng.uniform(0, 1, (40, 2))]
    return handmade.write_sweep(directory, configurations, lambda configuration, seed: {"loss": float(rng.normal())})


def test_report_says_why_importance_is_not_shown(tmp_path):
    html = build_report(write_noise_sweep(tmp_path)).html.read_text()
    section = html[html.index('<section id="importance">'):]
    section = section[:section.index("</section>")]
    assert "Not shown: the surrogate model explains little" in section
    assert "<img" not in section and "%" not in section


@pytest.mark.parametrize("count", [2, 3, 4])
def test_history_ticks_are_whole_job_numbers(count):
    jobs = list(range(count))
    figure = draw_history(History(jobs, [float(-job) for job in jobs], [float(-job) for job in jobs]), "loss", "min")
    axis = figure.axes[0]
    low, high = axis.get_xlim()
    ticks = [tick for tick in axis.get_xticks() if low <= tick <= high]
    assert len(ticks) >= 2 and all(float(tick).is_integer() for tick in ticks), ticks


def test_repeat_histogram_has_readable_x_labels_and_whole_counts():
    runs, ranking, params = adam_fails_at_the_largest_lr()
    info = repeat_variance(runs, ranking, params, "loss")
    long_labels = [config._replace(params=[("model.some_long_parameter_name", 0.123456789)] * 4) for config in info.top]
    spreads = np.random.default_rng(0).uniform(0.000012, 0.000097, 9)  # few configurations, tiny spreads
    with plt.rc_context(STYLE):
        figure = draw_repeat_variance(info._replace(top=long_labels, spreads=list(spreads)), "loss", "min")
        figure.canvas.draw()
    histogram = figure.axes[1]
    boxes = [label.get_window_extent() for label in histogram.get_xticklabels() if label.get_text()]
    assert len(boxes) >= 2
    assert all(left.x1 < right.x0 for left, right in zip(boxes, boxes[1:])), "x tick labels overlap"
    low, high = histogram.get_ylim()
    assert all(float(tick).is_integer() for tick in histogram.get_yticks() if low <= tick <= high)


def test_spreads_equal_but_for_rounding_are_one_bar_on_a_readable_axis():
    """A deterministic app whose seeds shift every configuration alike: the same std to 1e-18."""
    runs, ranking, params = adam_fails_at_the_largest_lr()
    info = repeat_variance(runs, ranking, params, "loss")
    spreads = [0.002357022603955158 + k * 4e-19 for k in range(12)]
    with plt.rc_context(STYLE):
        figure = draw_repeat_variance(info._replace(spreads=spreads), "loss", "min")
        figure.canvas.draw()
    histogram = figure.axes[1]
    assert "+" not in histogram.get_xlabel() and "e-" not in histogram.get_xlabel().replace("−", "-")
    labels = [label.get_text() for label in histogram.get_xticklabels() if label.get_text()]
    assert len(labels) >= 2 and all(len(text) <= 6 for text in labels), labels
    low, high = histogram.get_xlim()
    assert low < spreads[0] < high and (high - low) > 0.01 * spreads[0]
    assert max(patch.get_height() for patch in histogram.patches) == len(spreads)  # every configuration in one bar


def test_forest_labels_name_each_configurations_parameters():
    runs, ranking, params = adam_fails_at_the_largest_lr()
    info = repeat_variance(runs, ranking, params, "loss")
    best = ranking.iloc[0]
    assert info.top[0].params == [(name, best[name]) for name in params]
    figure = draw_repeat_variance(info, "loss", "min")
    label = figure.axes[0].get_yticklabels()[0].get_text()
    assert label == f"#1 g{best['group']} lr={best['lr']:.4g} optimizer={best['optimizer']} depth={best['depth']}"
    long = info.top[0]._replace(params=[("model.some_long_parameter_name", 0.123456789)] * 4)
    label = draw_repeat_variance(info._replace(top=[long]), "loss", "min").axes[0].get_yticklabels()[0].get_text()
    assert label.startswith("#1 g") and "some_long_parameter_name=0.1235" in label and "model." not in label
    assert len(label) == MAX_LABEL and label.endswith("…")


def test_exact_importance_on_a_grid_with_failed_cells_never_counts_an_effect_twice():
    """a and b each shift the loss; the cells that failed make the grid unbalanced."""
    rows = [
        {"a": a, "b": b, "seed": 0, "status": "failed" if (a, b) in {(2, 0), (2, 1)} else "completed",
         "loss": math.nan if (a, b) in {(2, 0), (2, 1)} else 3.0 * a + 2.0 * b}
        for a in range(3) for b in range(3)
    ]
    runs = pd.DataFrame(rows)
    ranking = rank_configurations(runs, ["a", "b"], "loss", "min", [])
    importance = exact_importance(ranking, ["a", "b"])
    assert sum(importance.shares) <= 1.0, "marginal means of an unbalanced grid summed to 135% here"
    scored = runs.dropna()
    total = ((scored["loss"] - scored["loss"].mean()) ** 2).sum()
    a_alone = ((scored.groupby("b")["loss"].transform("mean") - scored["loss"]) ** 2).sum()  # residual without a
    assert dict(zip(importance.params, importance.shares))["a"] == pytest.approx(a_alone / total)
