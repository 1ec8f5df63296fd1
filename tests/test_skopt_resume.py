"""The scikit-optimize sweeper ends short of its trials cleanly, says why, and resumes after a kill."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pandas as pd
import yaml
from conftest import RECORD, TOY_APP, toy_multirun

RESULT_FILE = "sweep_result.json"


def results(sweep: Path) -> dict:
    return yaml.safe_load((sweep / "optimization_results.yaml").read_text())


def result_records(sweep: Path) -> list[dict]:
    return [json.loads(path.read_text()) for path in sorted(sweep.rglob(RESULT_FILE))]


def job_files(sweep: Path) -> dict[str, bytes]:
    """Every file inside the job directories, with its content."""
    return {
        str(path.relative_to(sweep)): path.read_bytes()
        for job_dir in sweep.iterdir() if job_dir.is_dir() and job_dir.name.isdigit()
        for path in job_dir.rglob("*") if path.is_file()
    }


def test_the_failure_budget_ends_the_sweep_with_one_line_and_the_report_says_so(module_dir):
    process, sweep = toy_multirun(
        module_dir, "hydra/sweeper=skopt", "x=choice(1,3)", "fail_on=3", "hydra.sweeper.sampler=random",
        "hydra.sweeper.n_trials=20", "hydra.sweeper.max_failure_rate=0.1", sweep_dir="budget",
    )
    assert process.returncode == 1, "Hydra's non-zero exit stays"
    assert "Traceback" not in process.stderr and "SweepFailed" not in process.stderr
    lines = process.stderr.strip().splitlines()
    assert len(lines) == 1, process.stderr
    stopped = results(sweep)["stopped"]
    at_trial = len(results(sweep)["trials"])
    assert stopped["at_trial"] == at_trial < 20 and stopped["n_trials"] == 20
    assert lines[0] == f"Skopt sweep stopped after {at_trial} of 20 trials: {stopped['reason']}"
    assert stopped["reason"] == (
        "3 runs failed, more than max_failure_rate=0.1 allows (2 of 20 runs); last error: ValueError: x=3 is <not> allowed"
    )
    html = (sweep / "report.html").read_text()  # the callback's exit-time report
    assert (
        f"The sweeper stopped early, after {at_trial} of 20 trials: 3 runs failed, more than max_failure_rate=0.1 allows"
        " (2 of 20 runs); last error: ValueError: x=3 is &lt;not&gt; allowed"
    ) in html

    # The same command with a larger budget continues the stopped sweep to its end.
    process, _ = toy_multirun(
        module_dir, "hydra/sweeper=skopt", "x=choice(1,3)", "fail_on=3", "hydra.sweeper.sampler=random",
        "hydra.sweeper.n_trials=20", "hydra.sweeper.max_failure_rate=0.9", sweep_dir="budget",
    )
    assert process.returncode == 0, process.stderr
    assert f"Resuming: {at_trial} configurations ({at_trial} runs) already in budget" in process.stdout
    history = results(sweep)
    assert "stopped" not in history and len(history["trials"]) == 20
    assert sorted(record["job"]["num"] for record in result_records(sweep)) == list(range(20)), "nothing run twice"
    assert [job for trial in history["trials"] for job in trial["jobs"]] == list(range(20))
    assert "stopped early" not in (sweep / "report.html").read_text()


def test_a_small_space_ends_the_sweep_early_and_says_so(module_dir):
    process, sweep = toy_multirun(
        module_dir, "hydra/sweeper=skopt", "x=choice(0,1,2)", "flag=true,false", "hydra.sweeper.sampler=gp",
        "hydra.sweeper.n_initial_points=2", "hydra.sweeper.n_trials=10", sweep_dir="exhausted",
    )
    assert process.returncode == 0, process.stderr
    history = results(sweep)
    assert len(history["trials"]) == 6
    assert history["stopped"] == {"reason": "search space exhausted", "at_trial": 6, "n_trials": 10}
    assert "The sweeper stopped early, after 6 of 10 trials: search space exhausted" in (sweep / "report.html").read_text()


def test_a_sweep_killed_in_the_middle_of_a_batch_resumes_without_running_anything_twice(module_dir):
    sweep = module_dir / "killed"
    command = [
        sys.executable, str(TOY_APP), "-m", f"hydra.sweep.dir={sweep.name}", RECORD, "hydra/sweeper=skopt",
        "x=interval(0.0,4.0)", "flag=true,false", "sleep=0.3", "hydra.sweeper.sampler=gp", "hydra.sweeper.n_initial_points=4",
        "hydra.sweeper.n_trials=10", "hydra.sweeper.n_jobs=2", "hydra/launcher=joblib", "hydra.launcher.n_jobs=2",
    ]
    env = {**os.environ, "HYDRA_FULL_ERROR": "0"}
    # Its own process group, so that the kill takes the launcher's workers too, as a crash would.
    process = subprocess.Popen(command, cwd=module_dir, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and process.poll() is None:
            finished = len(list(sweep.rglob(RESULT_FILE))) if sweep.exists() else 0
            if finished >= 5 and finished % 2:  # the third batch's first job done, its second (odd: slower) running
                break
            time.sleep(0.05)
    finally:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    assert process.returncode == -signal.SIGKILL, "killed while running, not finished"
    before = result_records(sweep)
    assert len(before) % 2 == 1, "killed in the middle of a batch"
    trials_before = results(sweep)["trials"]
    assert len(trials_before) == len(before) - 1, "the half-done batch is in no trial yet"
    files_before = job_files(sweep)
    highest_job = max(int(path.name) for path in sweep.iterdir() if path.is_dir() and path.name.isdigit())
    assert highest_job == len(before), "the killed job's directory is there, without a result"

    process = subprocess.run(command, cwd=module_dir, env=env, capture_output=True, text=True, timeout=300)

    assert process.returncode == 0, process.stderr
    assert f"Resuming: {len(before)} configurations ({len(before)} runs) already in {sweep.name}" in process.stdout
    after = result_records(sweep)
    configurations = Counter((record["params"]["x"], record["params"]["flag"]) for record in after)
    assert max(configurations.values()) == 1, "no configuration ran twice"
    numbers = [record["job"]["num"] for record in after]
    assert len(set(numbers)) == len(numbers) == 10
    new_numbers = sorted(set(numbers) - {record["job"]["num"] for record in before})
    assert new_numbers == list(range(highest_job + 1, highest_job + 1 + 10 - len(before))), "numbering continues past every job"
    assert {path: content for path, content in job_files(sweep).items() if path in files_before} == files_before, "old job directories untouched"
    history = results(sweep)
    assert len(history["trials"]) == 10 and [trial["trial"] for trial in history["trials"]] == list(range(10))
    assert history["trials"][: len(trials_before)] == trials_before
    assert sorted(job for trial in history["trials"] for job in trial["jobs"]) == sorted(numbers)
    by_job = {record["job"]["num"]: record for record in after}
    for trial in history["trials"]:
        (job,) = trial["jobs"]
        assert trial["value"] == by_job[job]["metrics"]["loss"]
        assert trial["params"] == {"x": by_job[job]["params"]["x"], "flag": by_job[job]["params"]["flag"]}
    table = pd.read_csv(sweep / "results.csv")  # the report covers the whole sweep, and the killed job
    assert sorted(table.loc[table["status"] == "completed", "job"]) == sorted(numbers)
    assert table.loc[table["status"] == "missing", "job"].tolist() == [highest_job]
    assert "10 completed, 0 failed, 1 missing" in (sweep / "report.html").read_text()
