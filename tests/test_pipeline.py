"""Real multiruns through the recording callback to the report, on each launcher."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from conftest import TOY_APP, toy_multirun

from report.analysis.params import param_kinds
from report.collect.sweep import collect_sweep
from report.jobfiles import RESULT_FILE


@pytest.fixture(scope="module")
def failing_sweep(module_dir):
    """x=1,2,3 with x=3 failing, two seeds: Hydra exits 1 and skips on_multirun_end."""
    process, sweep = toy_multirun(module_dir, "x=1,2,3", "seed=0,1", "fail_on=3", sweep_dir="failing")
    return process, sweep


def test_failed_job_keeps_hydras_exit_status_and_the_report_is_still_written(failing_sweep):
    process, sweep = failing_sweep
    assert process.returncode == 1
    assert (sweep / "report.html").is_file()
    assert f"Report: {sweep.resolve() / 'report.html'}" in process.stdout


def test_result_file_records_status_typed_params_metrics_and_the_error(failing_sweep):
    _, sweep = failing_sweep
    records = [json.loads(path.read_text()) for path in sorted(sweep.glob(f"*/{RESULT_FILE}"))]
    assert len(records) == 6
    completed = [r for r in records if r["status"] == "completed"]
    failed = [r for r in records if r["status"] == "failed"]
    assert len(completed) == 4 and len(failed) == 2
    assert all(type(r["params"]["x"]) is int and type(r["params"]["seed"]) is int for r in records)
    first = next(r for r in completed if r["params"] == {"x": 1, "seed": 0, "fail_on": 3})
    assert first["metrics"]["loss"] == pytest.approx((1 - 2) ** 2 + 0.1)
    assert first["duration"] >= 0 and first["started"]
    assert failed[0]["error"]["type"] == "ValueError"
    assert failed[0]["error"]["message"] == "x=3 is <not> allowed"
    assert "raise ValueError" in failed[0]["error"]["traceback"]
    assert not list(sweep.rglob("*.tmp")), "atomic writes leave no temporary files"


def test_results_csv_has_one_row_per_job_with_failures(failing_sweep):
    _, sweep = failing_sweep
    table = pd.read_csv(sweep / "results.csv")
    assert len(table) == 6
    assert table["status"].value_counts().to_dict() == {"completed": 4, "failed": 2}
    failed = table[table["status"] == "failed"]
    assert set(failed["x"]) == {3} and failed["loss"].isna().all()
    assert set(failed["error"]) == {"x=3 is <not> allowed"}


def test_report_lists_the_failed_runs_with_their_error_escaped(failing_sweep):
    _, sweep = failing_sweep
    html = (sweep / "report.html").read_text()
    assert "6: 4 completed, 2 failed, 0 missing" in html
    assert "ValueError: x=3 is &lt;not&gt; allowed" in html
    assert "<not>" not in html


def test_best_configuration_and_its_reproduce_command(failing_sweep):
    _, sweep = failing_sweep
    html = (sweep / "report.html").read_text()
    assert "Best observed mean: group 1" in html  # x=2 is the optimum; groups are x=1,2,3 sorted
    assert f"python {TOY_APP} -m x=2 fail_on=3 seed=0,1" in html


@pytest.mark.parametrize("launcher", ["joblib", "submitit_local"])
def test_parallel_launchers_record_every_job(module_dir, launcher):
    extra = ["hydra.launcher.n_jobs=2"] if launcher == "joblib" else ["hydra.launcher.timeout_min=5"]
    process, sweep = toy_multirun(
        module_dir, f"hydra/launcher={launcher}", *extra, "x=1,2", "optimizer=sgd,adam", sweep_dir=launcher
    )
    assert process.returncode == 0, process.stderr
    table = pd.read_csv(sweep / "results.csv")
    assert sorted(table["job"]) == [0, 1, 2, 3]
    assert (table["status"] == "completed").all()
    assert set(table["optimizer"]) == {"sgd", "adam"}, "config-group choices are parameters"
    expected = (table["x"] - 2) ** 2 + table["optimizer"].map({"sgd": 0.1, "adam": 0.001})
    assert table["loss"].tolist() == pytest.approx(expected.tolist())
    if launcher == "submitit_local":
        assert (sweep / ".submitit").is_dir()
        assert not table["job_dir"].astype(str).str.startswith(".submitit").any()


def test_any_subdir_layout_is_collected(module_dir):
    process, sweep = toy_multirun(
        module_dir, "x=1,2", "flag=true,false", "hydra.sweep.subdir=${hydra.job.override_dirname}", sweep_dir="named"
    )
    assert process.returncode == 0, process.stderr
    table = pd.read_csv(sweep / "results.csv")
    assert sorted(table["job_dir"]) == ["flag=False,x=1", "flag=False,x=2", "flag=True,x=1", "flag=True,x=2"]
    assert table["flag"].dtype == bool


def test_callback_from_the_command_line_only(module_dir):
    """The toy app's config has no callback: the one command-line entry is enough."""
    assert "callbacks" not in TOY_APP.with_suffix(".yaml").read_text()
    process, sweep = toy_multirun(module_dir, "x=2", sweep_dir="cli-callback")
    assert process.returncode == 0 and (sweep / "0" / RESULT_FILE).is_file()
    assert (sweep / "report.html").is_file(), "on_multirun_end of the command-line callback ran"


def test_log_tag_of_a_sweep_puts_the_parameter_on_a_log_axis(module_dir):
    process, sweep = toy_multirun(module_dir, "x=tag(log,choice(1,2,4))", sweep_dir="log-tag")
    assert process.returncode == 0, process.stderr
    collected = collect_sweep(sweep)
    assert collected.log_params == {"x"}
    assert param_kinds(collected.runs, ["x"], collected.log_params) == {"x": "log"}
    assert param_kinds(collected.runs, ["x"]) == {"x": "linear"}, "without the tag, 1..4 is linear"


def test_a_sweep_where_every_job_failed_still_gets_a_report(module_dir):
    process, sweep = toy_multirun(module_dir, "x=3", "fail_on=3", sweep_dir="all-failed")
    assert process.returncode == 1
    html = (sweep / "report.html").read_text()
    assert "No run reported a metric, so nothing can be ranked" in html
    assert "ValueError: x=3 is &lt;not&gt; allowed" in html
