"""Where `-o` points: we replace only regular files of ours, write into devices and pipes, and
every error names the path the user gave."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from conftest import sweep_report
from handmade import make_job, tree_state


@pytest.fixture
def sweep(tmp_path: Path) -> Path:
    directory = tmp_path / "sweep"
    for num in range(3):
        make_job(directory, str(num), [f"x={num}"], num, metrics={"loss": float(num)})
    return directory


def one_line(process) -> str:
    text = process.stderr.strip()
    assert text and "\n" not in text and "Traceback" not in text, process.stderr
    return text


def test_an_existing_directory_gets_report_html_inside(sweep, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    process = sweep_report(str(sweep), "-o", str(out), cwd=tmp_path)
    assert process.returncode == 0, process.stderr
    assert (out / "report.html").is_file() and (out / "results.csv").is_file()
    assert not list(out.glob(".*.tmp"))


def test_an_empty_output_path_is_refused_in_one_line(sweep, tmp_path):
    process = sweep_report(str(sweep), "-o", "", cwd=tmp_path)
    assert process.returncode == 1
    assert "''" in one_line(process)


def test_the_root_directory_is_written_into_not_renamed(sweep, tmp_path):
    """`-o /` used to end in "PosixPath('/') has an empty name"."""
    process = sweep_report(str(sweep), "-o", "/", cwd=tmp_path)
    if process.returncode == 0:  # as root, / is writable: the report lands in it, and is removed here
        assert Path("/report.html").is_file()
        Path("/report.html").unlink()
        Path("/results.csv").unlink()
    else:
        assert one_line(process).startswith("sweep-report: /report.html")


def test_dev_null_is_written_into_never_replaced_and_nothing_appears_beside_it(sweep, tmp_path):
    before = set(os.listdir("/dev"))
    process = sweep_report(str(sweep), "-o", "/dev/null", cwd=tmp_path)
    assert process.returncode == 0, process.stderr
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode), "still the device"
    assert set(os.listdir("/dev")) == before, "no results.csv or temporary file in /dev"
    assert (sweep / "results.csv").is_file(), "the table stays in the sweep directory"
    assert "Report: /dev/null" in process.stderr and process.stdout == ""


def test_a_full_device_fails_in_one_line_naming_it(sweep, tmp_path):
    if not Path("/dev/full").exists():
        pytest.skip("no /dev/full")
    process = sweep_report(str(sweep), "-o", "/dev/full", cwd=tmp_path)
    assert process.returncode == 1
    assert one_line(process).startswith("sweep-report: /dev/full: No space left on device")
    assert stat.S_ISCHR(os.stat("/dev/full").st_mode)


def test_the_report_streams_to_stdout(sweep, tmp_path):
    process = subprocess.run([sys.executable, "-m", "report", str(sweep), "-o", "/dev/stdout"], cwd=tmp_path, capture_output=True, text=True)
    assert process.returncode == 0, process.stderr
    assert process.stdout.startswith("<!DOCTYPE html>") and process.stdout.rstrip().endswith("</html>")
    assert "Report: /dev/stdout" in process.stderr


def test_a_named_pipe_with_a_reader_gets_the_report_and_one_without_is_refused(sweep, tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    process = sweep_report(str(sweep), "-o", str(fifo), cwd=tmp_path)
    assert process.returncode == 1 and "a pipe with no reader" in one_line(process)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()))
    reader.start()
    import time
    time.sleep(0.2)
    process = sweep_report(str(sweep), "-o", str(fifo), cwd=tmp_path)
    reader.join(timeout=30)
    assert process.returncode == 0, process.stderr
    assert received and received[0].startswith(b"<!DOCTYPE html>")
    assert stat.S_ISFIFO(fifo.stat().st_mode) and not (tmp_path / "results.csv").exists()


def test_errors_name_the_users_path_not_our_temporary_file(sweep, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    before = tree_state(sweep)
    process = sweep_report(str(sweep), "-o", str(blocker / "report.html"), cwd=tmp_path)
    assert process.returncode == 1
    line = one_line(process)
    assert str(blocker) in line and ".tmp" not in line
    assert tree_state(sweep) == before
