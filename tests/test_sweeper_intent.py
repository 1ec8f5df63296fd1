"""The report ranks in the direction the sweeper optimised: real Optuna sweeps, and the
settings of Nevergrad's sweeper and ours as they appear in `.hydra/hydra.yaml`."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import yaml
from conftest import RECORD, multirun
from handmade import make_job

from report.collect.sweep import collect_sweep
from report.options import ReportOptions

CLASSIFY = [str(Path(__file__).parent / "apps" / "classify.py")]
CRASHY = [str(Path(__file__).parent / "apps" / "crashy.py")]
SPACE = ("x=interval(0,1)", "solver=choice(sgd,adam)")


def optuna_sweep(cwd: Path, name: str, *settings: str) -> Path:
    process, sweep = multirun(
        cwd, CLASSIFY, RECORD, "hydra/sweeper=optuna", "hydra.sweeper.n_trials=8", "hydra.sweeper.sampler.seed=0",
        *SPACE, *settings, sweep_dir=name,
    )
    assert process.returncode == 0, process.stderr
    return sweep


@pytest.fixture(scope="module")
def maximised(module_dir):
    return optuna_sweep(module_dir, "optuna-max", "hydra.sweeper.direction=maximize")


def test_optuna_maximize_is_followed_and_agrees_with_optunas_best(maximised):
    sweep = collect_sweep(maximised)
    assert (sweep.objective, sweep.direction) == ("objective", "max")
    assert "hydra.sweeper.direction=maximize" in sweep.direction_reason
    optuna_best = yaml.safe_load((maximised / "optimization_results.yaml").read_text())["best_value"]
    table = pd.read_csv(maximised / "results.csv")
    assert table["objective"].max() == pytest.approx(optuna_best)
    html = (maximised / "report.html").read_text()
    assert f"Mean objective <strong class=\"exact\">{optuna_best!r}</strong>" in html
    assert "higher is better (as the sweeper optimised it" in html
    assert not sweep.problems


@pytest.fixture(scope="module")
def without_callback(module_dir):
    """The same Optuna sweep run without our callback: the app writes its own metrics.json, with
    the accuracy rounded to 4 digits and two other metrics beside it."""
    process, sweep = multirun(
        module_dir, CLASSIFY, "hydra/sweeper=optuna", "hydra.sweeper.n_trials=8", "hydra.sweeper.sampler.seed=0",
        "hydra.sweeper.direction=maximize", *SPACE, "metrics_file=metrics.json", sweep_dir="optuna-no-callback",
    )
    assert process.returncode == 0, process.stderr
    return sweep


def test_without_the_callback_the_metric_holding_optunas_best_gets_its_direction(without_callback):
    sweep = collect_sweep(without_callback, ReportOptions(metrics_file="metrics.json"))
    assert sweep.metrics == ["loss", "val_accuracy", "epochs"]
    assert (sweep.objective, sweep.direction) == ("val_accuracy", "max"), "found by Optuna's best_params and best_value"
    assert "hydra.sweeper.direction=maximize" in sweep.direction_reason


def test_a_metric_the_sweeper_did_not_optimise_is_not_given_its_direction(without_callback):
    sweep = collect_sweep(without_callback, ReportOptions(metrics_file="metrics.json", metric="epochs"))
    assert sweep.direction_reason == "the default: the name gives no hint"


def test_multi_objective_optuna_ranks_by_the_first_objective_and_says_so(module_dir):
    sweep_dir = optuna_sweep(module_dir, "optuna-multi", "hydra.sweeper.direction=[maximize,minimize]", "returns=list")
    sweep = collect_sweep(sweep_dir)
    assert sweep.metrics == ["objective_0", "objective_1"]
    assert (sweep.objective, sweep.direction) == ("objective_0", "max")
    assert "objective 1 of 2 of a multi-objective sweep" in sweep.direction_reason
    html = (sweep_dir / "report.html").read_text()
    assert "ranked by it alone (the first, by default)" in html
    second = collect_sweep(sweep_dir, ReportOptions(metric="objective_1"))
    assert second.direction == "min", "each objective keeps its own declared direction"
    assert "objective 2 of 2" in second.direction_reason


def nevergrad_like(sweep: Path, maximize: bool, values: list[float]) -> Path:
    """Nevergrad's sweeper does not install on Python 3.11; its setting is `optim.maximize`."""
    for num, value in enumerate(values):
        job = make_job(sweep, str(num), [f"x={num}"], num, metrics={"objective": value})
        config = yaml.safe_load((job / ".hydra" / "hydra.yaml").read_text())
        config["hydra"]["sweeper"] = {"_target_": "hydra_plugins.hydra_nevergrad_sweeper.nevergrad_sweeper.NevergradSweeper",
                                      "optim": {"optimizer": "NGOpt", "budget": 3, "maximize": maximize}}
        (job / ".hydra" / "hydra.yaml").write_text(yaml.safe_dump(config))
    return sweep


@pytest.mark.parametrize("maximize", [True, False])
def test_nevergrads_maximize_setting_is_followed(tmp_path, maximize):
    sweep = collect_sweep(nevergrad_like(tmp_path, maximize, [0.2, 0.9, 0.5]))
    assert sweep.direction == ("max" if maximize else "min")
    assert f"hydra.sweeper.optim.maximize={str(maximize).lower()}" in sweep.direction_reason


def test_a_results_file_that_contradicts_the_declared_direction_is_a_problem(tmp_path):
    nevergrad_like(tmp_path, True, [0.2, 0.9, 0.5])
    (tmp_path / "optimization_results.yaml").write_text(yaml.safe_dump({"name": "optuna", "best_value": 0.2}))
    sweep = collect_sweep(tmp_path)
    assert sweep.direction == "max", "the declared intent wins"
    assert any("optimization_results.yaml" in problem and "lowest" in problem for problem in sweep.problems)


def test_without_a_declared_direction_the_results_files_best_gives_it(tmp_path):
    for num, value in enumerate([0.2, 0.9, 0.5]):
        make_job(tmp_path, str(num), [f"x={num}"], num, metrics={"score_a": value, "score_b": 1 - value})
    (tmp_path / "optimization_results.yaml").write_text(yaml.safe_dump({"best_value": 1 - 0.9}))
    sweep = collect_sweep(tmp_path)
    assert (sweep.objective, sweep.direction) == ("score_b", "min"), "the metric holding the sweeper's best value"
    assert "optimization_results.yaml" in sweep.direction_reason


def test_a_declared_direction_that_no_metric_can_be_matched_to_is_said(tmp_path):
    nevergrad_like(tmp_path, True, [0.2, 0.9, 0.5])
    for num in range(3):  # the app kept two metrics of its own instead of returning one value
        path = tmp_path / str(num) / "sweep_result.json"
        record = __import__("json").loads(path.read_text())
        record["metrics"] = {"first": 0.1 * num, "second": 1.0 - 0.1 * num}
        path.write_text(__import__("json").dumps(record))
    sweep = collect_sweep(tmp_path)
    assert sweep.objective == "first" and sweep.direction_reason == "the default: the name gives no hint"
    assert any("no metric can be matched" in problem and "--metric NAME --mode" in problem for problem in sweep.problems)


def test_an_optuna_sweep_stopped_by_a_failure_is_reported_short_of_its_trials(module_dir):
    """Optuna's sweeper ends the sweep at the first failed trial (max_failure_rate 0) and writes no
    reason anywhere we can read: the report still says it ran fewer trials than it was asked for."""
    process, sweep = multirun(
        module_dir, CRASHY, RECORD, "hydra/sweeper=optuna", "hydra.sweeper.n_trials=20", "hydra.sweeper.sampler.seed=0",
        "hydra.sweeper.n_jobs=1", "+x=interval(0,1)", "+y=interval(0,1)", sweep_dir="optuna-crash",
    )
    assert process.returncode != 0, "Optuna's sweeper raises when a trial fails"
    jobs = [path for path in sweep.iterdir() if path.is_dir()]
    assert 0 < len(jobs) < 20
    stopped = collect_sweep(sweep).stopped
    assert (stopped.at_trial, stopped.n_trials) == (len(jobs), 20)
    assert "max_failure_rate" in stopped.reason


def test_an_optuna_sweep_that_ran_every_trial_is_not_called_short(maximised):
    assert collect_sweep(maximised).stopped is None
