"""The drawers return matplotlib Figures whose artists hold what the analysis computed: the
clustermap's order and its failed cell, each curve's values, the history's best so far. And
`embed` alone turns a Figure into the page's image."""

from __future__ import annotations

import base64
import itertools
import xml.dom.minidom
from pathlib import Path

import handmade
import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.collections import PatchCollection, QuadMesh
from scipy.cluster import hierarchy

import report.figures as figures
from report.analysis.analyse import Analysis, analyse
from report.analysis.compare import compare_sweeps
from report.collect.sweep import collect_sweep
from report.figures import (
    draw_best_so_far,
    draw_clustermap,
    draw_curves,
    draw_history,
    draw_importance,
    draw_repeat_variance,
    draw_surfaces,
    embed,
)
from report.figures.draw import Figures, draw_figures
from report.figures.style import FAILED_CELLS, MAX_INCHES

FAILED = {"lr": 0.01, "depth": 4, "optimizer": "adam"}  # every run of this configuration failed


def loss(configuration: dict, seed: int) -> float:
    return (np.log10(configuration["lr"]) + 2) ** 2 + 0.1 * configuration["depth"] + (configuration["optimizer"] == "sgd") + 0.01 * seed


def write_grid(directory: Path, scale: float = 1.0) -> Path:
    """lr x depth x optimizer, two seeds each, where both runs of FAILED failed."""
    configurations = [dict(zip(("lr", "depth", "optimizer"), values)) for values in itertools.product([0.1, 0.01, 0.001], [2, 4], ["sgd", "adam"])]
    num = 0
    for configuration, seed in itertools.product(configurations, range(2)):
        overrides = [f"{key}={value}" for key, value in configuration.items()] + [f"seed={seed}"]
        if configuration == FAILED:
            handmade.make_job(directory, str(num), overrides, num, result={"status": "failed"})
        else:
            handmade.make_job(directory, str(num), overrides, num, metrics={"loss": scale * loss(configuration, seed)})
        num += 1
    return directory


@pytest.fixture(scope="module")
def grid(tmp_path_factory) -> Analysis:
    return analyse(collect_sweep(write_grid(tmp_path_factory.mktemp("grid"))))


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def the_map(figure: plt.Figure) -> QuadMesh:
    (mesh,) = [artist for artist in figure.axes[0].collections if isinstance(artist, QuadMesh)]
    return mesh


def test_the_clustermap_draws_rows_and_columns_in_the_analysis_order(grid):
    info = grid.clustermap
    assert info.row_linkage is not None, "clustered rows: an order that is not the sorted one"
    figure = draw_clustermap(info, "loss", "min", "value")
    axis = figure.axes[0]
    assert [text.get_text() for text in axis.get_yticklabels()] == info.row_labels
    assert [text.get_text() for text in axis.get_xticklabels()] == info.col_labels
    by_lr = info.values.sort_index()
    leaves = hierarchy.leaves_list(info.row_linkage)
    assert list(by_lr.index[leaves]) == list(info.values.index), "the rows in the dendrogram's leaf order"
    drawn = the_map(figure).get_array()
    np.testing.assert_allclose(drawn.filled(np.nan), by_lr.iloc[leaves].to_numpy(dtype=float))


def test_the_failed_cell_is_masked_hatched_and_said_never_coloured(grid):
    info = grid.clustermap
    (row,), (column,) = np.nonzero(info.failed.to_numpy())
    assert info.values.index[row] == FAILED["lr"] and info.values.columns[column] == (FAILED["depth"], FAILED["optimizer"])
    figure = draw_clustermap(info, "loss", "min", "value")
    mesh = the_map(figure)
    drawn = mesh.get_array()
    assert drawn.mask[row, column] and drawn.mask.sum() == 1
    assert mesh.to_rgba(drawn)[row, column, 3] == 0, "no colour: the map's bad colour is transparent"
    (hatched,) = [artist for artist in figure.axes[0].collections if isinstance(artist, PatchCollection) and artist.get_hatch() == FAILED_CELLS["hatch"]]
    (cell,) = hatched.get_paths()
    assert tuple(cell.vertices.min(axis=0)) == (column, row)
    at_cell = [text.get_text() for text in figure.axes[0].texts if text.get_position() == (column + 0.5, row + 0.5)]
    assert at_cell == ["failed"]


def test_the_group_map_writes_each_cells_group_id(grid):
    info = grid.clustermap
    figure = draw_clustermap(info, "loss", "min", "group")
    written = {(int(text.get_position()[1]), int(text.get_position()[0])): text.get_text() for text in figure.axes[0].texts}
    assert written == {(i, j): info.groups.iat[i, j] for i, j in np.ndindex(info.groups.shape)}


def test_each_dependence_panel_draws_the_analysis_curve(grid):
    info = grid.dependence
    figure = draw_curves(info, "loss", "min")
    for axis, curve in zip(figure.axes, info.curves):
        (mean,) = [line for line in axis.get_lines() if line.get_label() == "mean"]
        np.testing.assert_allclose(mean.get_ydata(), curve.mean)
        if curve.kind == "categorical":
            assert list(mean.get_xdata()) == list(range(len(curve.x)))
            assert [text.get_text() for text in axis.get_xticklabels()] == curve.x
        else:
            np.testing.assert_allclose(mean.get_xdata(), curve.x)
    assert [axis.get_xlabel() for axis in figure.axes[:len(info.curves)]] == [curve.param for curve in info.curves]


def test_model_based_curves_draw_every_ice_line(tmp_path):
    rng = np.random.default_rng(0)
    configurations = [{"x": round(float(x), 4), "y": round(float(y), 4)} for x, y in rng.uniform(0, 1, (40, 2))]
    sweep = handmade.write_sweep(tmp_path, configurations, lambda c, seed: {"loss": 4 * c["x"] + c["y"]})
    info = analyse(collect_sweep(sweep)).dependence
    assert info.curves[0].individual, "a random sweep: the surrogate's curves"
    figure = draw_curves(info, "loss", "min")
    for axis, curve in zip(figure.axes, info.curves):
        (mean,) = [line for line in axis.get_lines() if line.get_label() == "mean"]
        np.testing.assert_allclose(mean.get_ydata(), curve.mean)
        ice = [line.get_ydata() for line in axis.get_lines() if line.get_label().startswith("_")]
        np.testing.assert_allclose(ice, curve.individual)


def test_each_surface_draws_its_values_with_failed_cells_masked(grid):
    info = grid.dependence
    figure = draw_surfaces(info, "loss", "min")
    for axis, surface in zip(figure.axes, info.surfaces):
        (mesh,) = [artist for artist in axis.collections if isinstance(artist, QuadMesh)]
        drawn = mesh.get_array()
        assert (drawn.mask == np.asarray(surface.failed)).all()
        np.testing.assert_allclose(drawn.filled(np.nan), np.asarray(surface.z, dtype=float))


def test_history_draws_every_run_and_the_best_so_far(grid):
    info = grid.history
    axis = draw_history(info, "loss", "min").axes[0]
    (best,) = [line for line in axis.get_lines() if line.get_label() == "best so far"]
    assert list(best.get_xdata()) == info.jobs and list(best.get_ydata()) == info.best_so_far
    (runs,) = axis.collections
    np.testing.assert_allclose(runs.get_offsets(), np.column_stack([info.jobs, info.values]))


def test_importance_and_repeats_name_what_they_draw(grid):
    axis = draw_importance(grid.importance, "loss").axes[0]
    assert [text.get_text() for text in axis.get_yticklabels()] == grid.importance.params
    assert [bar.get_width() for bar in axis.patches] == pytest.approx(grid.importance.shares)
    left = draw_repeat_variance(grid.repeats, "loss", "min").axes[0]
    means = [artist.get_offsets()[0][0] for artist in left.collections if len(artist.get_offsets()) == 1 and artist.get_sizes()[0] == 36]
    assert means == pytest.approx([config.mean for config in grid.repeats.top])


def test_the_comparison_draws_each_sweeps_best_so_far(tmp_path):
    sweeps = [collect_sweep(write_grid(tmp_path / name, scale)) for name, scale in (("a", 1.0), ("b", 2.0))]
    info = compare_sweeps(sweeps, ["a", "b"])
    by_count = draw_best_so_far(info).axes[0]
    steps = [line for line in by_count.get_lines() if line.get_label() in ("a", "b")]
    assert [list(line.get_ydata()) for line in steps] == [progress.best_so_far for progress in info.sweeps]


def test_drawers_apply_the_report_style_whatever_the_users(grid):
    with plt.rc_context({"figure.dpi": 72, "font.size": 20, "text.parse_math": True}):
        figure = draw_history(grid.history, "loss", "min")
        assert plt.rcParams["font.size"] == 20, "the user's settings are theirs again"
    assert figure.dpi == 100 and figure.axes[0].xaxis.label.get_fontsize() == 9
    assert not figure.axes[0].xaxis.label.get_parse_math()


@pytest.mark.parametrize("image_format", ["svg", "png"])
def test_embed_returns_a_data_uri_of_its_format_and_closes_the_figure(grid, image_format):
    figure = draw_curves(grid.dependence, "loss", "min")
    figure.set_size_inches(MAX_INCHES + 20, 4)
    uri = embed(figure, image_format)
    header, _, payload = uri.partition(",")
    data = base64.b64decode(payload, validate=True)
    if image_format == "svg":
        assert header == "data:image/svg+xml;base64"
        xml.dom.minidom.parseString(data)
    else:
        assert header == "data:image/png;base64" and data.startswith(b"\x89PNG\r\n\x1a\n")
    assert not plt.fignum_exists(figure.number), "the page keeps the image, not the figure"
    assert figure.get_size_inches()[0] == MAX_INCHES


def test_the_package_exports_the_drawers_and_draw_figures_still_embeds_them(grid):
    for name in figures.__all__:
        assert callable(getattr(figures, name)) and getattr(figures, name).__doc__
    drawn = draw_figures(grid, "loss", "min")
    assert isinstance(drawn, Figures) and not drawn.notes and not plt.get_fignums()
    assert drawn.cost is None  # the hand-made runs all took 1.5 s: no cost to trade
    uris = [uri for name, uri in drawn._asdict().items() if name not in ("notes", "cost")]
    assert all(uri.startswith(("data:image/svg+xml;base64,", "data:image/png;base64,")) for uri in uris)
