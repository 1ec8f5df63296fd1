"""What a user sees when a sweep has nothing to rank, mistypes an option, or reads the outputs back."""

from __future__ import annotations

import os
import stat
import sys
from pathlib import Path

import pandas as pd
import pytest
from conftest import RECORD, multirun, run, sweep_report, toy_multirun
from handmade import make_job, tree_state

from report.analysis.results_table import read_results
from report.formatting import format_duration
from report.jobfiles import write_atomically

CLASSIFY = [str(Path(__file__).parent / "apps" / "classify.py")]


def one_line(process) -> str:
    assert process.stderr.strip() and "\n" not in process.stderr.strip(), process.stderr
    assert "Traceback" not in process.stderr
    return process.stderr.strip()


def test_a_sweep_whose_app_returns_nothing_exits_non_zero_and_keeps_the_old_report(module_dir):
    process, sweep = multirun(module_dir, CLASSIFY, RECORD, "x=0.1,0.2", "returns=nothing", sweep_dir="returns-nothing")
    assert process.returncode == 0, "Hydra's own exit status is kept"
    assert not (sweep / "report.html").exists()
    (sweep / "report.html").write_text("an earlier, good report")
    before = tree_state(sweep)
    process = sweep_report(str(sweep), cwd=module_dir)
    assert process.returncode == 2
    assert "no run reported a metric" in one_line(process) and "return a number or a dict" in process.stderr
    assert tree_state(sweep) == before, "no file replaced or added"


@pytest.fixture(scope="module")
def without_callback(module_dir):
    """A toy sweep run without the callback, writing its own metrics.json; x=3 crashes."""
    process, sweep = toy_multirun(module_dir, "x=1,2,3", "fail_on=3", "metrics_file=metrics.json", record=False, sweep_dir="no-callback")
    assert process.returncode == 1
    return sweep


def test_without_the_callback_the_error_names_the_callback_and_the_files_jobs_hold(without_callback):
    process = sweep_report(str(without_callback), cwd=without_callback.parent)
    assert process.returncode == 2
    line = one_line(process)
    assert "sweeps.record.RecordResults" in line and "--metrics-file" in line and "metrics.json" in line
    assert not (without_callback / "report.html").exists()


def test_a_mistyped_metrics_file_names_it_and_the_files_that_exist(without_callback):
    process = sweep_report(str(without_callback), "--metrics-file", "nosuch.json", cwd=without_callback.parent)
    assert process.returncode == 2
    line = one_line(process)
    assert "'nosuch.json'" in line and "metrics.json" in line
    assert not (without_callback / "report.html").exists()


def test_a_crashed_job_without_result_files_has_unknown_status(without_callback):
    process = sweep_report(str(without_callback), "--metrics-file", "metrics.json", cwd=without_callback.parent)
    assert process.returncode == 0, process.stderr
    table = read_results(without_callback / "results.csv")
    assert table.set_index("x")["status"].to_dict() == {1: "completed", 2: "completed", 3: "unknown"}
    html = (without_callback / "report.html").read_text()
    assert "3: 2 completed, 0 failed, 0 missing, 1 of unknown status" in html


def test_integer_metrics_and_empty_text_columns_keep_their_types_in_results_csv(module_dir):
    process, sweep = multirun(module_dir, CLASSIFY, RECORD, "x=0.1,0.2,0.3", "returns=dict", sweep_dir="int-metric")
    assert process.returncode == 0, process.stderr
    raw = pd.read_csv(sweep / "results.csv")
    assert raw["epochs"].tolist() == [10, 10, 10] and raw["epochs"].dtype == "int64", "written as 10, not 10.0"
    table = read_results(sweep / "results.csv")
    assert table["epochs"].dtype == "Int64" and table["job"].dtype == "Int64"
    assert table["error"].dtype == "string" and table["error"].isna().all()
    assert table["accuracy"].tolist() == pytest.approx([0.95 - (x - 0.3) ** 2 for x in (0.1, 0.2, 0.3)])


def test_a_missing_value_keeps_an_integer_metric_integer(tmp_path):
    make_job(tmp_path, "0", ["x=1"], 0, metrics={"loss": 0.5, "epochs": 7})
    make_job(tmp_path, "1", ["x=2"], 1, result={"status": "failed", "error": {"type": "ValueError", "message": "boom"}})
    assert sweep_report(str(tmp_path), cwd=tmp_path).returncode == 0
    assert "\n0,0,completed,1,0.5,7," in (tmp_path / "results.csv").read_text().replace("\r", "")
    table = read_results(tmp_path / "results.csv")
    assert table["epochs"].tolist()[0] == 7 and table["epochs"].isna().tolist() == [False, True]
    assert table["epochs"].dtype == "Int64"


def test_version(tmp_path):
    process = sweep_report("--version", cwd=tmp_path)
    assert process.returncode == 0
    assert process.stdout.strip() == f"sweep-report {__import__('importlib.metadata').metadata.version('hydra-sweep-report')}"


@pytest.mark.parametrize("arguments", [["--mode", "sideways"], ["--nosuch"], ["compare"]])
def test_a_usage_error_is_one_line(tmp_path, arguments):
    process = sweep_report(*arguments, cwd=tmp_path)
    assert process.returncode == 2
    assert one_line(process).startswith("sweep-report")
    if arguments[0] == "--mode":
        assert "'sideways'" in process.stderr and "'min', 'max'" in process.stderr


def test_sub_second_durations_are_shown_in_milliseconds(tmp_path):
    assert [format_duration(s) for s in (0.00042, 0.0123, 0.5, 2.25, 75)] == ["0.42 ms", "12 ms", "500 ms", "2.2 s", "1 min 15 s"]
    for num, duration in enumerate([0.0123, 0.0456]):
        make_job(tmp_path, str(num), [f"x={num}"], num, result={"duration": duration}, metrics={"loss": 1.0 + num})
    assert sweep_report(str(tmp_path), cwd=tmp_path).returncode == 0
    html = (tmp_path / "report.html").read_text()
    assert "<dd>58 ms</dd>" in html and "<td>12 ms</td>" in html and "0.0 s" not in html


def test_our_files_take_the_umask_of_the_moment_and_the_umask_is_never_changed(tmp_path):
    """`os.umask` is process-wide: reading it by setting it races with the app's threads."""
    code = (
        "import os, sys\n"
        "from report.jobfiles import write_atomically\n"
        "os.umask(0o027)\n"
        "write_atomically(sys.argv[1], 'x')\n"
        "print(oct(os.umask(0o027)))\n"
    )
    process = run([sys.executable, "-c", code, str(tmp_path / "out.html")], tmp_path)
    assert process.returncode == 0, process.stderr
    assert process.stdout.strip() == "0o27"
    assert stat.S_IMODE((tmp_path / "out.html").stat().st_mode) == 0o640
    write_atomically(tmp_path / "again.html", "y")
    current = os.umask(0o022)
    os.umask(current)
    assert stat.S_IMODE((tmp_path / "again.html").stat().st_mode) == 0o666 & ~current


def test_a_sweep_still_running_is_said_to_be_so(tmp_path):
    (tmp_path / "sweep_launch.json").write_text('{"program": "python app.py", "arguments": ["-m", "x=1,2"]}')
    for num in range(2):
        make_job(tmp_path, str(num), [f"x={num}"], num)
    process = sweep_report(str(tmp_path), cwd=tmp_path)
    assert process.returncode == 2
    assert "no job has finished yet" in one_line(process)
    assert not (tmp_path / "report.html").exists()


def test_durations_that_no_clock_measured_still_print():
    """Found by tests/test_broken_input.py: two runs of 1e308 s add up to infinity."""
    assert [format_duration(s) for s in (float("inf"), 1e308, -3.0)] == ["–", "1e+308 s", "-3 s"]
