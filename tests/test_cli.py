"""`sweep-report` as a user runs it: exit codes, messages, outputs, and a read-only sweep."""

from __future__ import annotations

import re
import sys

import pandas as pd
from conftest import run, sweep_report
from handmade import make_job, tree_state


def test_help_explains_every_option(tmp_path):
    process = sweep_report("--help", cwd=tmp_path)
    assert process.returncode == 0
    for option in ("SWEEP_DIR", "--output", "--metric", "--mode", "--repeat-key", "--metrics-file", "--rows", "--cols"):
        assert option in process.stdout


def test_console_script_is_installed(tmp_path):
    script = "from importlib.metadata import entry_points; print(entry_points(group='console_scripts')['sweep-report'].value)"
    process = run([sys.executable, "-c", script], tmp_path)
    assert process.stdout.strip() == "report.cli:main"


def test_not_a_sweep_exits_non_zero_with_one_line(tmp_path):
    process = sweep_report(str(tmp_path), cwd=tmp_path)
    assert process.returncode == 2
    assert process.stderr.strip().count("\n") == 0
    assert process.stderr.startswith(f"sweep-report: {tmp_path}: not a Hydra multirun directory")


def test_without_a_directory_the_newest_sweep_under_multirun_is_used(tmp_path):
    old = tmp_path / "multirun" / "2026-01-01" / "10-00-00"
    new = tmp_path / "multirun" / "2026-01-02" / "09-00-00"
    for sweep in (old, new):
        make_job(sweep, "0", ["x=1"], 0, metrics={"loss": 1.0})
    process = sweep_report(cwd=tmp_path)
    assert process.returncode == 0, process.stderr
    assert (new / "report.html").is_file() and not (old / "report.html").exists()


def test_nothing_inside_the_sweep_changes_but_our_two_files(tmp_path):
    for num in range(3):
        make_job(tmp_path, str(num), [f"x={num}", "seed=0"], num, metrics={"loss": float(num)})
    make_job(tmp_path, "3", ["x=3", "seed=0"], 3, result='{"broken')
    before = tree_state(tmp_path)
    process = sweep_report(str(tmp_path), cwd=tmp_path)
    assert process.returncode == 0, process.stderr
    after = tree_state(tmp_path)
    assert set(after) - set(before) == {"report.html", "results.csv"}
    assert {name: after[name] for name in before} == before


def test_output_option_and_the_csv_beside_it(tmp_path):
    sweep = tmp_path / "sweep"
    make_job(sweep, "0", ["x=1"], 0, metrics={"loss": 0.25})
    process = sweep_report(str(sweep), "-o", str(tmp_path / "out" / "mine.html"), cwd=tmp_path)
    assert process.returncode == 0, process.stderr
    assert (tmp_path / "out" / "mine.html").is_file()
    assert pd.read_csv(tmp_path / "out" / "results.csv")["loss"].tolist() == [0.25]
    assert not (sweep / "report.html").exists()


def test_metric_and_mode_options_change_the_ranking(tmp_path):
    make_job(tmp_path, "0", ["x=1"], 0, metrics={"loss": 1.0, "acc": 0.9})
    make_job(tmp_path, "1", ["x=2"], 1, metrics={"loss": 2.0, "acc": 0.8})
    sweep_report(str(tmp_path), cwd=tmp_path)
    assert "Best observed mean: group 0" in (tmp_path / "report.html").read_text()
    sweep_report(str(tmp_path), "--metric", "loss", "--mode", "max", cwd=tmp_path)
    html = (tmp_path / "report.html").read_text()
    assert "Best observed mean: group 1" in html and "higher is better (as asked)" in html
    process = sweep_report(str(tmp_path), "--metric", "f1", cwd=tmp_path)
    assert process.returncode == 2 and "--metric 'f1' is not a metric of this sweep" in process.stderr


def test_everything_from_a_run_is_escaped_and_nothing_loads_from_the_network(tmp_path):
    hostile = "</table><script>alert('x')</script>\"é"
    make_job(
        tmp_path, "0", ["x=1"], 0,
        result={"params": {"<th>name": hostile, "x": 1}, "metrics": {"acc<script>": 0.5}, "status": "failed",
                "error": {"type": "Error", "message": hostile, "traceback": hostile}},
    )
    make_job(tmp_path, "1", ["x=2"], 1, result={"params": {"<th>name": "ok", "x": 2}, "metrics": {"acc<script>": 0.7}})
    process = sweep_report(str(tmp_path), cwd=tmp_path)
    assert process.returncode == 0, process.stderr
    html = (tmp_path / "report.html").read_text()
    assert html.count("<script") == 1 and "<script>// Sorting, filtering" in html, "only our own script"
    assert "</table><" not in html
    assert "&lt;/table&gt;&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&#34;é" in html
    assert "&lt;th&gt;name" in html and "acc&lt;script&gt;" in html
    assert "Content-Security-Policy" in html
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", html)
    assert "<link" not in html


def test_rows_must_name_a_swept_parameter(tmp_path):
    for num, (a, b) in enumerate([(1, 1), (1, 2), (2, 1), (2, 2)]):
        make_job(tmp_path, str(num), [f"a={a}", f"b={b}"], num, metrics={"loss": a + b})
    assert sweep_report(str(tmp_path), "--rows", "b", "--cols", "a", cwd=tmp_path).returncode == 0
    process = sweep_report(str(tmp_path), "--rows", "zzz", cwd=tmp_path)
    assert process.returncode == 2
    assert "--rows/--cols 'zzz' is not a swept parameter (swept: a, b)" in process.stderr
