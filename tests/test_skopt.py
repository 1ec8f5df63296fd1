"""The scikit-optimize sweeper: real multiruns of a cheap app for every sampler, and the compare page."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
import yaml
from conftest import NO_REPORT, ROOT, sweep_report, toy_multirun
from omegaconf import OmegaConf
from skopt.space import Categorical, Integer, Real, Space

from hydra_plugins.skopt_sweeper._space import search_space
from hydra_plugins.skopt_sweeper._suggest import make_sampler
from report.analysis.compare import compare_sweeps
from report.collect.sweep import collect_sweep

SKOPT = ["hydra/sweeper=skopt", "x=int(interval(0,6))", "flag=true,false", "hydra.sweeper.n_initial_points=4"]


def results(sweep):
    return yaml.safe_load((sweep / "optimization_results.yaml").read_text())


@pytest.mark.parametrize("sampler", ["random", "gp", "rf", "et"])
def test_every_sampler_runs_a_real_sweep_to_a_report(module_dir, sampler):
    process, sweep = toy_multirun(module_dir, *SKOPT, f"hydra.sweeper.sampler={sampler}", "hydra.sweeper.n_trials=8", sweep_dir=f"skopt-{sampler}")
    assert process.returncode == 0, process.stderr
    table = pd.read_csv(sweep / "results.csv")
    assert len(table) == 8 and (table["status"] == "completed").all()
    expected = (table["x"] - 2) ** 2 + table["flag"].astype(bool) * 0.5 + 0.1
    assert table["loss"].tolist() == pytest.approx(expected.tolist())
    history = results(sweep)
    assert [trial["value"] for trial in history["trials"]] == pytest.approx(table["loss"].tolist())
    assert history["best_value"] == pytest.approx(table["loss"].min())
    assert (history["objective"], history["direction"]) == ("loss", "min")
    html = (sweep / "report.html").read_text()
    assert "hydra_plugins.skopt_sweeper.skopt_sweeper.SkoptSweeper" in html


@pytest.mark.parametrize("sampler", ["random", "gp", "rf", "et"])
def test_every_sampler_sends_batches_to_the_joblib_launcher(module_dir, sampler):
    process, sweep = toy_multirun(
        module_dir, *SKOPT, f"hydra.sweeper.sampler={sampler}", "hydra.sweeper.n_trials=10", "hydra.sweeper.n_jobs=3",
        "hydra/launcher=joblib", "hydra.launcher.n_jobs=2", sweep_dir=f"skopt-joblib-{sampler}",
    )
    assert process.returncode == 0, process.stderr
    assert "is launching 3 jobs" in process.stdout, "n_jobs=3 configurations go to the launcher at once"
    table = pd.read_csv(sweep / "results.csv")
    assert sorted(table["job"]) == list(range(10)) and (table["status"] == "completed").all()
    assert results(sweep)["best_value"] == pytest.approx(table["loss"].min())
    assert (sweep / "report.html").is_file()
    if sampler != "random":  # random draws may repeat; a model's batch is kept apart
        after_initial = table[table["job"] >= 4].sort_values("job")
        first_model_batch = list(zip(after_initial["x"], after_initial["flag"]))[:3]
        assert len(set(first_model_batch)) == 3, "one batch holds distinct configurations"


@pytest.mark.parametrize("sampler", ["random", "gp"])
def test_the_same_seed_gives_the_same_configurations(module_dir, sampler):
    sequences = []
    for attempt in range(2):
        process, sweep = toy_multirun(
            module_dir, *SKOPT, f"hydra.sweeper.sampler={sampler}", "hydra.sweeper.n_trials=7", "hydra.sweeper.seed=3",
            NO_REPORT, sweep_dir=f"seeded-{sampler}-{attempt}",
        )
        assert process.returncode == 0, process.stderr
        sequences.append([trial["params"] for trial in results(sweep)["trials"]])
    assert sequences[0] == sequences[1]


def test_failed_trials_are_reported_and_never_told(module_dir):
    process, sweep = toy_multirun(
        module_dir, "hydra/sweeper=skopt", "x=choice(1,3)", "fail_on=3", "hydra.sweeper.sampler=random",
        "hydra.sweeper.n_trials=6", "hydra.sweeper.max_failure_rate=0.9", sweep_dir="skopt-failing",
    )
    assert process.returncode == 0, process.stderr
    trials = results(sweep)["trials"]
    failed = [trial for trial in trials if trial["params"]["x"] == 3]
    assert failed and all(trial["status"] == "failed" and trial["value"] is None for trial in failed)
    table = pd.read_csv(sweep / "results.csv")
    assert set(table.loc[table["status"] == "failed", "x"]) == {3}
    assert "ValueError: x=3 is &lt;not&gt; allowed" in (sweep / "report.html").read_text()


def test_too_many_failures_stop_the_sweep_and_the_report_still_comes(module_dir):
    process, sweep = toy_multirun(
        module_dir, "hydra/sweeper=skopt", "x=choice(3)", "fail_on=3", "hydra.sweeper.sampler=random",
        "hydra.sweeper.n_trials=20", "hydra.sweeper.max_failure_rate=0.1", sweep_dir="skopt-stopped",
    )
    assert process.returncode == 1
    assert "runs failed, more than max_failure_rate=0.1" in process.stderr
    assert len(results(sweep)["trials"]) == 3, "stopped once 3 > 0.1 x 20 failures"
    assert (sweep / "report.html").is_file()


def test_repeats_run_each_configuration_with_distinct_seeds_and_tell_the_mean(module_dir):
    process, sweep = toy_multirun(
        module_dir, *SKOPT, "hydra.sweeper.sampler=random", "hydra.sweeper.n_trials=3", "hydra.sweeper.repeats=3",
        sweep_dir="skopt-repeats",
    )
    assert process.returncode == 0, process.stderr
    table = pd.read_csv(sweep / "results.csv")
    assert len(table) == 9
    for trial in results(sweep)["trials"]:
        runs = table[table["job"].isin(trial["jobs"])]
        assert sorted(runs["seed"]) == [0, 1, 2]
        assert trial["value"] == pytest.approx(runs["loss"].mean())
    assert "over <code>seed</code>" in (sweep / "report.html").read_text()


def test_search_space_reads_hydras_grammar():
    dimensions, fixed = search_space(
        {"lr": "tag(log, interval(1e-5, 1e-1))", "depth": "int(interval(1, 20))"},
        ["opt=choice(sgd,adam)", "model=rf,svm", "n=range(1,5)", "k=range(0,10,2)", "+tag=exp1", "depth=range(2,4)"],
    )
    assert isinstance(dimensions["lr"], Real) and dimensions["lr"].prior == "log-uniform" and dimensions["lr"].bounds == (1e-5, 1e-1)
    assert isinstance(dimensions["depth"], Integer) and dimensions["depth"].bounds == (2, 3), "the command line wins"
    assert isinstance(dimensions["opt"], Categorical) and dimensions["opt"].categories == ("sgd", "adam")
    assert dimensions["model"].categories == ("rf", "svm")
    assert isinstance(dimensions["n"], Integer) and dimensions["n"].bounds == (1, 4)
    assert dimensions["k"].categories == (0, 2, 4, 6, 8)
    assert fixed == ["+tag=exp1"]


def test_log_scale_and_categorical_dimensions_in_a_real_sweep(module_dir):
    process, sweep = toy_multirun(
        module_dir, "hydra/sweeper=skopt", "+lr=tag(log,interval(1e-4,1e-1))", "name=choice(a,'b c')", "hydra.sweeper.sampler=random",
        "hydra.sweeper.n_trials=6", sweep_dir="skopt-log",
    )
    assert process.returncode == 0, process.stderr
    collected = collect_sweep(sweep)
    assert collected.runs["lr"].between(1e-4, 1e-1).all()
    assert set(collected.runs["name"]) <= {"a", "b c"}
    assert "lr" in collected.log_params


def test_compare_page_counts_evaluations_to_the_overall_best(module_dir):
    _, grid = toy_multirun(module_dir, "x=0,1,2,3", "flag=true,false", sweep_dir="cmp-grid")
    _, bayes = toy_multirun(module_dir, *SKOPT, "hydra.sweeper.n_trials=8", "hydra.sweeper.seed=1", sweep_dir="cmp-gp")
    sweeps = [collect_sweep(grid), collect_sweep(bayes)]
    comparison = compare_sweeps(sweeps, ["grid", "gp"])
    overall = min(pd.read_csv(path / "results.csv")["loss"].min() for path in (grid, bayes))
    assert comparison.overall_best == pytest.approx(overall)
    for path, progress in zip((grid, bayes), comparison.sweeps):
        losses = pd.read_csv(path / "results.csv").sort_values("job")["loss"]
        best_so_far = losses.cummin().tolist()
        assert progress.best_so_far == pytest.approx(best_so_far)
        within = [i + 1 for i, value in enumerate(best_so_far) if value <= overall * 1.01]
        assert progress.reached[0.01] == (within[0] if within else None)
    process = sweep_report("compare", str(grid), str(bayes), "-o", str(module_dir / "compare.html"), cwd=module_dir)
    assert process.returncode == 0, process.stderr
    html = (module_dir / "compare.html").read_text()
    assert "evaluations to within 1%" in html and "evaluations to within 0.1%" in html
    assert "skopt gp" in html and "grid" in html


def test_seed_random_preset_draws_the_notebooks_400_points():
    """The notebook: np.random.seed(42), then randint(50, 1050) and randint(1, 21) per point."""
    preset = OmegaConf.load(ROOT / "conf" / "sweep" / "seed_random.yaml").hydra.sweeper
    dimensions, _ = search_space(dict(preset.params), [])
    sampler = make_sampler(Space(list(dimensions.values())), preset.sampler, preset.seed, 10, "EI", 2000)
    ours = [tuple(point) for batch in (sampler.ask(7), sampler.ask(393)) for point in batch]
    np.random.seed(42)
    notebook = [(np.random.randint(50, 1050), np.random.randint(1, 21)) for _ in range(400)]
    assert list(dimensions) == ["model.n_estimators", "model.max_depth"]
    assert ours == notebook, "whatever the batch sizes"
    assert (282, 3) in ours


def test_the_gp_standard_deviation_matches_its_full_posterior_covariance():
    """The fast std must be the noise-free posterior's: the diagonal of skopt's covariance."""
    space = Space([Real(1e-4, 1e-1, prior="log-uniform"), Integer(1, 50), Categorical(["a", "b", "c"])])
    sampler = make_sampler(space, "gp", seed=0, n_initial_points=5, acq_func="EI", n_candidates=100)
    points = [list(point) for point in space.rvs(30, random_state=1)]
    sampler.tell(points, [math.log10(lr) ** 2 + width / 50 + ("abc".index(kind)) for lr, width, kind in points])
    model = sampler.optimizer.models[-1]
    candidates = space.transform(space.rvs(200, random_state=2))

    mean, std = model.predict(candidates, return_std=True)
    full_mean, covariance = model.predict(candidates, return_cov=True)

    assert mean == pytest.approx(full_mean, rel=1e-9)
    assert std == pytest.approx(np.sqrt(np.clip(np.diag(covariance), 0, None)), rel=1e-6, abs=1e-9)
    assert std.max() > 0.01  # the candidates are not all on told points


# Issue 12: range() read from the sweep itself, not from its (shuffled) iterator; Optuna's direction spellings.

import dataclasses  # noqa: E402
import random  # noqa: E402

from hydra.core.override_parser.overrides_parser import OverridesParser  # noqa: E402

from hydra_plugins.skopt_sweeper._space import dimension_of  # noqa: E402
from hydra_plugins.skopt_sweeper.config import Direction, SkoptSweeperConf  # noqa: E402
from hydra_plugins.skopt_sweeper.skopt_sweeper import SkoptSweeper  # noqa: E402


def test_a_shuffled_range_is_searched_whole_in_a_real_sweep(module_dir):
    process, sweep = toy_multirun(
        module_dir, "hydra/sweeper=skopt", "x=shuffle(range(1,6))", "+k=shuffle(range(0,10))", "hydra.sweeper.sampler=random",
        "hydra.sweeper.n_trials=30", record=False, sweep_dir="skopt-shuffled-range",
    )
    assert process.returncode == 0, process.stderr
    trials = results(sweep)["trials"]
    assert len(trials) == 30 and all(trial["status"] == "completed" for trial in trials)
    xs, ks = {trial["params"]["x"] for trial in trials}, {trial["params"]["+k"] for trial in trials}
    assert xs <= set(range(1, 6)) and {1, 5} <= xs, "range(1,6) is 1..5 whatever order shuffle() gave"
    assert ks <= set(range(10)) and {0, 9} <= ks


def _override(text):
    return OverridesParser.create().parse_override(text)


def _hydras_values(text):
    return sorted(_override(text).sweep_iterator())


@pytest.mark.parametrize(
    "text, kind, expected, prior",
    [
        ("x=shuffle(range(1,6))", Integer, (1, 5), "uniform"),
        ("x=range(10, 0, -1)", Integer, (1, 10), "uniform"),
        ("x=shuffle(tag(log, range(1, 100)))", Integer, (1, 99), "log-uniform"),
        ("x=shuffle(range(0.1, 1.0, 0.1))", Categorical, None, None),
        ("x=range(10, 0, -3)", Categorical, (1, 4, 7, 10), None),
        ("x=shuffle(choice(c, a, 'b c'))", Categorical, ("c", "a", "b c"), None),
    ],
)
def test_dimension_of_holds_exactly_the_values_hydra_would_sweep(text, kind, expected, prior):
    """The same dimension whatever order shuffle() draws (seeded here so the draws are known)."""
    hydras = _hydras_values(text)
    for seed in range(10):
        random.seed(seed)
        dimension = dimension_of(_override(text))
        assert isinstance(dimension, kind), (seed, dimension)
        if kind is Integer:
            assert dimension.bounds == expected and dimension.prior == prior, (seed, dimension)
            assert list(range(dimension.low, dimension.high + 1)) == hydras
        else:
            assert sorted(dimension.categories) == hydras
            assert dimension.categories == (expected or tuple(hydras)), "ranges sorted, choices as written"


def test_an_empty_range_is_a_one_line_error_naming_the_override():
    with pytest.raises(ValueError) as error:
        dimension_of(_override("x=range(5,5)"))
    message = str(error.value)
    assert message.startswith("x=range(5,5): ") and "empty" in message and "\n" not in message


def _sweep_settings(**changes):
    settings = {field.name: field.default for field in dataclasses.fields(SkoptSweeperConf) if field.name != "_target_"}
    return {**settings, **changes}


@pytest.mark.parametrize(
    "spelling, word",
    [("MIN", "min"), ("Max", "max"), ("MINIMIZE", "min"), ("Maximize", "max"), ("Direction.maximize", "max"), ("Direction.MINIMIZE", "min")],
)
def test_direction_is_read_as_optuna_spells_it_in_any_case(spelling, word):
    assert SkoptSweeper(**_sweep_settings(direction=spelling)).sweep_impl.settings.direction is Direction(word)


def test_an_unknown_direction_is_a_one_line_error():
    with pytest.raises(ValueError) as error:
        SkoptSweeper(**_sweep_settings(direction="sideways"))
    assert str(error.value) == "hydra.sweeper.direction='sideways': use min or max (or minimize/maximize)"


def test_a_real_sweep_told_to_maximize_maximizes(module_dir):
    process, sweep = toy_multirun(
        module_dir, *SKOPT, "hydra.sweeper.sampler=random", "hydra.sweeper.n_trials=6", "hydra.sweeper.objective=acc",
        "hydra.sweeper.direction=MAXIMIZE", record=False, sweep_dir="skopt-maximize",
    )
    assert process.returncode == 0, process.stderr
    history = results(sweep)
    assert (history["objective"], history["direction"]) == ("acc", "max")
    assert history["best_value"] == max(trial["value"] for trial in history["trials"])
