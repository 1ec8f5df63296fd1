"""The collector on hand-made sweep directories: layouts, and every kind of bad input."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from handmade import make_job

from report.collect.sweep import collect_sweep
from report.options import OptionError, ReportOptions, SweepError


def test_not_a_directory(tmp_path):
    with pytest.raises(SweepError, match=f"^{tmp_path / 'nope'}: no such directory$"):
        collect_sweep(tmp_path / "nope")


def test_a_directory_without_jobs_is_not_a_sweep(tmp_path):
    (tmp_path / "notes.txt").write_text("hello")
    with pytest.raises(SweepError, match="not a Hydra multirun directory"):
        collect_sweep(tmp_path)


def test_an_empty_sweep_says_so(tmp_path):
    (tmp_path / "multirun.yaml").write_text("hydra: {}\n")
    with pytest.raises(SweepError, match="empty sweep"):
        collect_sweep(tmp_path)


def test_a_job_without_result_is_missing_with_params_from_overrides(tmp_path):
    make_job(tmp_path, "0", ["lr=0.1", "depth=2"], 0, metrics={"loss": 1.0})
    make_job(tmp_path, "1", ["lr=0.01", "depth=3", "+flag=true"], 1)
    sweep = collect_sweep(tmp_path)
    missing = sweep.runs.set_index("job").loc[1]
    assert missing["status"] == "missing"
    assert (missing["lr"], missing["depth"], missing["flag"]) == (0.01, 3, True)
    assert sweep.runs["depth"].dtype == "Int64" and sweep.runs["lr"].dtype == "float64"


def test_truncated_result_file_is_named_and_the_job_kept_as_unreadable(tmp_path):
    make_job(tmp_path, "0", ["x=1"], 0, metrics={"loss": 1.0})
    make_job(tmp_path, "1", ["x=2"], 1, result='{"status": "completed", "metrics": {"loss": 0.')
    sweep = collect_sweep(tmp_path)
    assert sweep.runs["status"].tolist() == ["completed", "unreadable"]
    assert sweep.runs["x"].tolist() == [1, 2]
    assert len(sweep.problems) == 1
    assert sweep.problems[0].startswith(f"{tmp_path / '1' / 'sweep_result.json'}: unreadable")


def test_non_numeric_and_non_finite_metrics_are_ignored_and_named(tmp_path):
    make_job(tmp_path, "0", ["x=1"], 0, metrics={"loss": "oops", "acc": 0.5})
    make_job(tmp_path, "1", ["x=2"], 1, result=json.dumps({"status": "completed", "metrics": {"loss": float("nan"), "acc": 0.7}}))
    sweep = collect_sweep(tmp_path)
    assert sweep.runs["acc"].tolist() == [0.5, 0.7]
    assert sweep.runs["loss"].isna().all()
    assert f"{tmp_path / '0' / 'sweep_result.json'}: metric 'loss' is not a number ('oops'); ignored" in sweep.problems
    assert f"{tmp_path / '1' / 'sweep_result.json'}: metric 'loss' is not finite (nan); ignored" in sweep.problems


def test_jobs_with_different_parameter_sets_are_kept_and_reported(tmp_path):
    make_job(tmp_path, "0", ["a=1", "b=1"], 0, metrics={"loss": 1.0})
    make_job(tmp_path, "1", ["a=2", "c=x"], 1, metrics={"loss": 2.0})
    sweep = collect_sweep(tmp_path)
    assert sweep.params == ["a", "b", "c"]
    assert "jobs have different parameter sets: 1 of 2 jobs have no 'b'" in sweep.problems


def test_unreadable_overrides_are_named(tmp_path):
    job = make_job(tmp_path, "0", ["a=1"], 0)
    make_job(tmp_path, "1", ["a=2"], 1, metrics={"loss": 1.0})  # a sweep with no metric at all is refused
    (job / ".hydra" / "overrides.yaml").write_text("- a=1\n  - : [")
    sweep = collect_sweep(tmp_path)
    assert sweep.runs["status"].tolist() == ["missing", "completed"]
    assert sweep.problems[0].startswith(f"{job / '.hydra' / 'overrides.yaml'}: unreadable")


def test_submitit_pickles_are_never_read(tmp_path):
    make_job(tmp_path, "0", ["x=1"], 0, metrics={"loss": 1.0})
    (tmp_path / ".submitit" / "123").mkdir(parents=True)
    (tmp_path / ".submitit" / "123" / "123_submitted.pkl").write_bytes(b"\x80not a pickle")
    (tmp_path / ".submitit" / "123" / ".hydra").mkdir()
    assert collect_sweep(tmp_path).runs["job_dir"].tolist() == ["0"]


def test_sweep_from_another_sweeper_without_multirun_yaml(tmp_path):
    make_job(tmp_path, "0", ["x=1", "seed=3"], 0, metrics={"val_acc": 0.5, "loss": 2.0})
    make_job(tmp_path, "1", ["x=2", "seed=4"], 1, metrics={"val_acc": 0.6, "loss": 1.0})
    sweep = collect_sweep(tmp_path)
    assert (sweep.sweeper, sweep.launcher, sweep.app_name) == ("my.Sweeper", "my.Launcher", "handmade")
    assert (sweep.objective, sweep.direction, sweep.repeat_key) == ("val_acc", "max", "seed")
    assert sweep.command is None


def test_metrics_file_for_sweeps_without_the_callback(tmp_path):
    for num, (x, loss) in enumerate([(1, 0.5), (2, 0.25)]):
        job = make_job(tmp_path, f"job{num}", [f"x={x}"], num)
        (job / "metrics.yaml").write_text(f"loss: {loss}\nnote: fine\n")
    make_job(tmp_path, "job2", ["x=3"], 2)
    sweep = collect_sweep(tmp_path, ReportOptions(metrics_file="metrics.yaml"))
    assert sweep.runs["status"].tolist() == ["completed", "completed", "unknown"], "without result files a crash cannot be told from a kill"
    assert sweep.runs["loss"].tolist()[:2] == [0.5, 0.25]
    assert any("metric 'note' is not a number" in problem for problem in sweep.problems)


def test_unknown_metric_and_repeat_key_are_refused(tmp_path):
    make_job(tmp_path, "0", ["x=1"], 0, metrics={"loss": 1.0})
    # The library names the option by its field; the CLI (test_cli) and the callback word it their own way.
    with pytest.raises(OptionError, match=r": metric 'acc' is not a metric of this sweep \(metrics: loss\)") as raised:
        collect_sweep(tmp_path, ReportOptions(metric="acc"))
    assert raised.value.spelled({"metric": "--metric"}).endswith("--metric 'acc' is not a metric of this sweep (metrics: loss)")
    with pytest.raises(OptionError, match=": repeat_key 'seed' is not a parameter") as raised:
        collect_sweep(tmp_path, ReportOptions(repeat_key="seed"))
    assert "--repeat-key 'seed' is not a parameter" in raised.value.spelled({"repeat_key": "--repeat-key"})


def test_rows_follow_hydra_job_numbers_not_directory_names(tmp_path):
    for num in (10, 2, 1):
        make_job(tmp_path, f"run-{num}", [f"x={num}"], num, metrics={"loss": float(num)})
    runs = collect_sweep(tmp_path).runs
    assert runs["job"].tolist() == [1, 2, 10]
    assert isinstance(runs, pd.DataFrame) and runs["job_dir"].tolist() == ["run-1", "run-2", "run-10"]
