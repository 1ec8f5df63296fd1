"""The collector at the input boundary: job directories whose files are damaged in every way a
sweep's files can be. Each gives a report with a note naming the file and what was skipped, or a
one-line error; never a traceback, and nothing in the sweep directory changes."""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import pytest
from conftest import sweep_report
from handmade import make_job

from report.collect.sweep import collect_sweep
from report.jobfiles import RESULT_FILE, job_number
from report.options import SweepError


def test_unparseable_overrides_of_a_job_without_result_leave_its_parameters_unknown(tmp_path):
    make_job(tmp_path, "0", ["lr=0.1"], 0, metrics={"loss": 1.0})
    make_job(tmp_path, "1", ["lr=<script>"], 1)
    make_job(tmp_path, "2", ["lr=interval(0,1)"], 2)
    make_job(tmp_path, "3", ["lr=" + "[" * 2000 + "]" * 2000], 3)
    sweep = collect_sweep(tmp_path)
    assert sweep.runs["status"].tolist() == ["completed", "missing", "missing", "missing"]
    assert sweep.runs["lr"].tolist()[0] == 0.1 and sweep.runs["lr"].isna().tolist()[1:] == [True] * 3
    assert sweep.runs["overrides"].tolist()[1] == "'lr=<script>'", "the text of the override is still shown"
    for num in (1, 2, 3):
        path = tmp_path / str(num) / ".hydra" / "overrides.yaml"
        assert any(problem.startswith(f"{path}: an override cannot be parsed, the job's parameters are unknown") for problem in sweep.problems)


def test_a_result_nested_too_deeply_is_unreadable(tmp_path):
    make_job(tmp_path, "0", ["x=1"], 0, metrics={"loss": 1.0})
    make_job(tmp_path, "1", ["x=2"], 1, result='{"status": "completed", "metrics": ' + "[" * 100_000 + "]" * 100_000 + "}")
    sweep = collect_sweep(tmp_path)
    assert sweep.runs["status"].tolist() == ["completed", "unreadable"]
    assert sweep.runs["x"].tolist() == [1, 2], "the parameters still come from Hydra's files"
    assert sweep.problems == [f"{tmp_path / '1' / RESULT_FILE}: unreadable, job skipped from the analysis: nested too deeply to be a result record"]


def test_list_and_mapping_parameters_are_kept_as_their_json_text(tmp_path):
    make_job(tmp_path, "0", ["x=1"], 0, result={"params": {"x": 1, "layers": [64, 64]}}, metrics={"loss": 1.0})
    make_job(tmp_path, "1", ["x=2"], 1, result={"params": {"x": 2, "layers": {"a": [1]}}}, metrics={"loss": 2.0})
    make_job(tmp_path, "2", ["x=3"], 2, result={"params": {"x": 3, "layers": [64, 64]}}, metrics={"loss": 3.0})
    sweep = collect_sweep(tmp_path)
    assert sweep.runs["layers"].tolist() == ["[64, 64]", '{"a": [1]}', "[64, 64]"]
    assert sweep.params == ["x", "layers"]
    assert f"{tmp_path / '0' / RESULT_FILE}: field 'params.layers' is a list; kept as its JSON text '[64, 64]'" in sweep.problems
    assert f"{tmp_path / '1' / RESULT_FILE}: field 'params.layers' is a mapping; kept as its JSON text '{{\"a\": [1]}}'" in sweep.problems


WRONG_FIELDS = {
    "job": ({"job": [1]}, "field 'job' is not a mapping"),
    "job.num": ({"job": {"num": "1"}}, "field 'job.num' is not a job number ('1')"),
    "job.num huge": ({"job": {"num": 1e30}}, "field 'job.num' is not a job number (1e+30)"),
    "error": ({"status": "failed", "error": [1]}, "field 'error' is not a mapping"),
    "error.message": ({"status": "failed", "error": {"type": "E", "message": {"a": 1}}}, "field 'error.message' is not a string"),
    "params": ({"params": [1, 2]}, "field 'params' is not a mapping of names to values ([1, 2])"),
    "overrides": ({"overrides": [1, 2]}, "field 'overrides' is not a list of strings ([1, 2]); Hydra's overrides.yaml is read instead"),
    "duration": ({"duration": [1]}, "field 'duration' is not a number of seconds ([1])"),
    "duration negative": ({"duration": -5}, "field 'duration' is not a number of seconds (-5)"),
    "status": ({"status": 1}, "field 'status' is 1, not 'completed' or 'failed'"),
    "metrics": ({"metrics": [1]}, "field 'metrics' is not a mapping of names to numbers ([1])"),
    "started": ({"started": 5}, "field 'started' is not a string (5)"),
}


@pytest.mark.parametrize("damage", WRONG_FIELDS, ids=list(WRONG_FIELDS))
def test_wrong_json_types_in_a_record_are_rejected_field_by_field(tmp_path, damage):
    fields, note = WRONG_FIELDS[damage]
    make_job(tmp_path, "0", ["x=1"], 0, metrics={"loss": 1.0})
    make_job(tmp_path, "1", ["x=2"], 1, result=dict(fields), metrics={"loss": 2.0})
    sweep = collect_sweep(tmp_path)
    path = tmp_path / "1" / RESULT_FILE
    assert any(problem.startswith(f"{path}: ") and note in problem for problem in sweep.problems), sweep.problems
    runs = sweep.runs.set_index("job_dir")
    assert runs["job"].tolist() == [0, 1], "a job number the record lacks comes from Hydra's hydra.yaml"
    assert runs.loc["1", "x"] == 2, "parameters the record lacks come from its overrides, or Hydra's"
    assert runs.loc["1", "overrides"] == "x=2"
    for column in ("started", "error_type", "error", "traceback"):
        assert all(pd.isna(value) or isinstance(value, str) for value in runs[column]), column
    assert all(isinstance(value, float) for value in runs["duration"])


def test_integer_metrics_beyond_64_bits_are_floats_or_ignored(tmp_path):
    make_job(tmp_path, "0", ["x=1"], 0, metrics={"steps": 3})
    make_job(tmp_path, "1", ["x=2"], 1, metrics={"steps": 2**63})
    make_job(tmp_path, "2", ["x=3"], 2, metrics={"steps": 10**400})
    sweep = collect_sweep(tmp_path)
    assert sweep.runs["steps"].tolist()[:2] == [3.0, 2.0**63] and sweep.runs["steps"].isna().tolist()[2]
    assert sweep.integer_metrics == frozenset()
    assert f"{tmp_path / '1' / RESULT_FILE}: metric 'steps' is an integer beyond 64 bits; kept as a float" in sweep.problems
    assert f"{tmp_path / '2' / RESULT_FILE}: metric 'steps' is beyond the range of floating-point numbers; ignored" in sweep.problems


def test_job_numbers_mixing_strings_and_numbers_still_sort(tmp_path):
    make_job(tmp_path, "a", ["x=1"], 0, result={"job": {"num": "zero"}}, metrics={"loss": 1.0})
    make_job(tmp_path, "b", ["x=2"], 1, metrics={"loss": 2.0})
    make_job(tmp_path, "c", ["x=3"], 2, result={"job": {"num": 1e30}}, metrics={"loss": 3.0})
    sweep = collect_sweep(tmp_path)
    assert sweep.runs["job"].tolist() == [0, 1, 2], "taken from hydra.yaml instead"
    assert sweep.runs["job"].dtype == "Int64"


@pytest.mark.parametrize("name", ["multirun.yaml", "hydra.yaml", "overrides.yaml"])
def test_files_that_are_not_utf8_are_named_and_skipped(tmp_path, name):
    make_job(tmp_path, "0", ["x=1"], 0, metrics={"loss": 1.0})
    job = make_job(tmp_path, "1", ["x=2"], 1)
    path = {"multirun.yaml": tmp_path / name, "hydra.yaml": tmp_path / "0" / ".hydra" / name}.get(name, job / ".hydra" / name)
    path.write_bytes(b"hydra:\n  job:\n    name: caf\xe9\n")
    sweep = collect_sweep(tmp_path)
    assert sweep.runs["status"].tolist() == ["completed", "missing"]
    assert any(problem.startswith(f"{path}: unreadable") and "utf-8" in problem for problem in sweep.problems), sweep.problems


def test_integer_parameters_beyond_64_bits_are_kept_as_floats_and_named(tmp_path):
    make_job(tmp_path, "0", ["seed=1", "x=1"], 0, metrics={"loss": 1.0})
    make_job(tmp_path, "1", ["seed=9223372036854775808", "x=2"], 1, metrics={"loss": 2.0})
    make_job(tmp_path, "2", ["seed=-9223372036854775809", "x=3"], 2)  # no result: parameters from overrides.yaml
    make_job(tmp_path, "3", ["seed=5", "x=4"], 3, result={"params": {"seed": 10**400, "x": 4}}, metrics={"loss": 4.0})
    sweep = collect_sweep(tmp_path)
    assert sweep.runs["seed"].tolist() == [1, 2.0**63, -(2.0**63), str(10**400)]
    assert sweep.runs["x"].dtype == "Int64"
    assert f"{tmp_path / '1' / RESULT_FILE}: field 'params.seed' is an integer beyond 64 bits; kept as a float" in sweep.problems
    assert f"{tmp_path / '2' / '.hydra' / 'overrides.yaml'}: field 'overrides.seed' is an integer beyond 64 bits; kept as a float" in sweep.problems
    assert f"{tmp_path / '3' / RESULT_FILE}: field 'params.seed' is an integer beyond 64 bits; kept as text" in sweep.problems


@pytest.mark.parametrize("num", [".inf", "-.inf", ".nan", "1.0e+30", "-3", "'7'", "[1]", "true"])
def test_a_job_number_that_is_no_sane_integer_is_unknown(tmp_path, num):
    job = make_job(tmp_path, "1", ["x=1"], 1)
    (job / ".hydra" / "hydra.yaml").write_text(f"hydra:\n  job:\n    num: {num}\n")
    assert job_number(job) is None
    make_job(tmp_path, "0", ["x=2"], 0, metrics={"loss": 1.0})
    jobs = collect_sweep(tmp_path).runs["job"]
    assert jobs.iloc[0] == 0 and jobs.isna().tolist() == [False, True]


def refuse_listing(monkeypatch: pytest.MonkeyPatch, locked: Path) -> None:
    """`locked` as an unprivileged user sees a directory of mode 000 (the tests may run as root)."""
    scandir = os.scandir

    def refusing(path="."):
        if Path(path) == locked:
            raise PermissionError(13, "Permission denied", str(path))
        return scandir(path)

    monkeypatch.setattr(os, "scandir", refusing)


def test_a_directory_that_cannot_be_listed_is_named(tmp_path, monkeypatch):
    make_job(tmp_path, "0", ["x=1"], 0, metrics={"loss": 1.0})
    locked = make_job(tmp_path, "1", ["x=2"], 1, metrics={"loss": 2.0})
    refuse_listing(monkeypatch, locked)
    sweep = collect_sweep(tmp_path)
    assert sweep.runs["job_dir"].tolist() == ["0"]
    assert sweep.problems == [f"{locked}: the directory cannot be read (Permission denied); any job in it is left out of the report"]


def test_a_sweep_directory_that_cannot_be_listed_is_one_line(tmp_path, monkeypatch):
    make_job(tmp_path, "0", ["x=1"], 0, metrics={"loss": 1.0})
    refuse_listing(monkeypatch, tmp_path)
    with pytest.raises(SweepError, match=f"^{tmp_path}: cannot be read: Permission denied$"):
        collect_sweep(tmp_path)


def test_jobs_nested_in_another_jobs_directory_are_jobs_of_their_own(tmp_path):
    make_job(tmp_path, "0", ["x=1"], 0, metrics={"loss": 1.0})
    make_job(tmp_path / "0", "inner", ["x=2"], 1, metrics={"loss": 2.0})
    make_job(tmp_path / "0" / "inner", "deeper", ["x=3"], 2, metrics={"loss": 3.0})
    (tmp_path / "0" / "outputs" / "plots").mkdir(parents=True)  # a job's own outputs: no job
    sweep = collect_sweep(tmp_path)
    assert sweep.runs["job_dir"].tolist() == ["0", "0/inner", "0/inner/deeper"]
    assert sweep.runs["loss"].tolist() == [1.0, 2.0, 3.0]


def test_a_fifo_as_result_file_is_refused_without_waiting(tmp_path):
    make_job(tmp_path, "0", ["x=1"], 0, metrics={"loss": 1.0})
    job = make_job(tmp_path, "1", ["x=2"], 1)
    os.mkfifo(job / RESULT_FILE)
    sweep = collect_sweep(tmp_path)  # reading the FIFO would wait for a writer forever
    assert sweep.runs["status"].tolist() == ["completed", "unreadable"]
    assert sweep.problems == [f"{job / RESULT_FILE}: unreadable, job skipped from the analysis: not a regular file (a device, FIFO or socket)"]


def lstat_state(directory: Path) -> dict[str, tuple[int, int, int]]:
    """`tree_state`, but without following symbolic links (a loop among them cannot be stat'ed)."""
    return {
        str(p.relative_to(directory)): (p.lstat().st_mode, p.lstat().st_size, p.lstat().st_mtime_ns) for p in sorted(directory.rglob("*"))
    }


def test_the_command_line_reports_a_sweep_with_every_kind_of_damage(tmp_path):
    sweep_dir = tmp_path / "sweep"
    for num in range(4):
        make_job(sweep_dir, str(num), [f"x={num % 2}", f"seed={num}"], num, metrics={"loss": 1.0 + num})
    (sweep_dir / "multirun.yaml").write_bytes(b"hydra:\n  job:\n    name: \xff\xfe\n")
    make_job(sweep_dir, "4", ["x=<script>"], 4)
    make_job(sweep_dir, "5", ["x=1"], 5, result='{"status": "completed", "params": ' + "[" * 5000 + "]" * 5000 + "}")
    make_job(sweep_dir, "6", ["x=1", "seed=9"], 6, result={"params": {"x": [1, 2], "seed": 2**64}, "job": [1], "error": [1]}, metrics={"loss": 0.5})
    make_job(sweep_dir, "7", ["x=0"], 7, result={"overrides": [1, 2], "duration": [1], "started": 5, "metrics": {"loss": 10**400}})
    (sweep_dir / "7" / ".hydra" / "hydra.yaml").write_text("hydra:\n  job:\n    num: .inf\n")
    make_job(sweep_dir / "0", "nested", ["x=0", "seed=10"], 8, metrics={"loss": 2.5})
    make_job(sweep_dir, "9", ["x=1"], 9, result="[1, 2]")
    make_job(sweep_dir, "10", ["x=1"], 10, result="")
    (make_job(sweep_dir, "11", ["x=1"], 11) / RESULT_FILE).mkdir()
    (sweep_dir / "12").mkdir()
    (sweep_dir / "12" / ".hydra").write_text("not a directory")
    (sweep_dir / "loop").symlink_to(sweep_dir / "loop")
    (sweep_dir / "up").symlink_to(sweep_dir)
    before = lstat_state(sweep_dir)
    out = tmp_path / "out" / "report.html"
    process = sweep_report(str(sweep_dir), "-o", str(out), "--metric", "loss", cwd=tmp_path)
    assert "Traceback" not in process.stderr, process.stderr
    assert process.returncode == 0, process.stderr
    assert lstat_state(sweep_dir) == before
    assert len(pd.read_csv(tmp_path / "out" / "results.csv")) == 13, "every job has its row, the nested one and the broken ones too"
    html = out.read_text()
    for name in ("multirun.yaml", "4/.hydra/overrides.yaml", "5/sweep_result.json", "6/sweep_result.json", "7/sweep_result.json"):
        assert f"{sweep_dir}/{name}" in html, name
