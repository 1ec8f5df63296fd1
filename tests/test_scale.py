"""Large sweeps: the report of 5,000 runs keeps every failure and points to results.csv for the
rest; the collector's shortcuts for large sweeps (link counts, typing overrides without Hydra's
parser) find and type exactly what the slow way does."""

from __future__ import annotations

import html
import json
import math
import os
import random
import sys
from pathlib import Path

import pandas as pd
import pytest
from handmade import make_job
from hydra.errors import HydraException

import report.collect.share as share
import report.collect.sweep as sweep_module
from report.analysis.results_table import read_results
from report.build import build_report
from report.collect.sweep import collect_sweep
from report.forked import can_fork
from report.jobfiles import LISTED, RESULT_FILE, job_directories
from report.overrides import simple_overrides, typed_overrides
from report.page.runs import BEST_SHOWN

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
from report_scale import write_random_sweep  # noqa: E402 - the benchmark's sweep, written as the callback writes it


@pytest.fixture(scope="module")
def large_report(tmp_path_factory: pytest.TempPathFactory):
    sweep = tmp_path_factory.mktemp("large") / "sweep"
    write_random_sweep(sweep, 5000)
    written = build_report(sweep)
    return written, written.html.read_text(), read_results(written.csv)


def test_the_report_of_5000_runs_holds_every_failure_and_names_results_csv(large_report):
    written, page, results = large_report
    assert len(results) == 5000, "results.csv has every run"
    failed = results[results["status"] == "failed"]
    assert len(failed) > 50
    for error in failed["error"]:
        assert html.escape(error) in page, error
    runs_section = page[page.index('<section id="runs">'):]
    runs_section = runs_section[: runs_section.index("</section>")]
    not_completed = int((results["status"] != "completed").sum())
    shown = not_completed + BEST_SHOWN
    assert f"{shown:,} of 5,000 runs are shown" in runs_section and "results.csv</code> has all of them" in runs_section
    assert runs_section.count("<tr") == shown + 1, "a header row, every run that did not complete and the best ones"
    best = results[results["status"] == "completed"].nsmallest(1, "loss")["job"].iloc[0]
    assert f"<tr><td>{best}</td>" in runs_section, "the best run is listed"


def test_the_surrogate_of_5000_runs_says_it_learnt_from_a_sample(large_report):
    _, page, results = large_report
    scored = int(((results["status"] == "completed") & results["loss"].notna()).sum())
    assert f"the surrogate was fitted on a random sample of 2,000 of the {scored:,} scored runs" in page


def test_a_large_flat_sweep_still_finds_jobs_nested_in_a_job(tmp_path):
    """Past LISTED job directories, one whose link count shows no directory but `.hydra/` is not
    listed; those with more are, and the jobs inside them are found."""
    for num in range(LISTED + 1):
        (tmp_path / str(num) / ".hydra").mkdir(parents=True)
        (tmp_path / str(num) / RESULT_FILE).write_text(json.dumps({"status": "completed", "metrics": {"loss": num}, "overrides": [f"x={num}"]}))
    make_job(tmp_path / "7" / "outputs", "inner", ["x=-1"], LISTED + 1, metrics={"loss": -1.0})
    (tmp_path / "8" / ".hydra").rmdir()
    (tmp_path / "8" / "logs" / ".hydra").mkdir(parents=True)  # one directory that is not .hydra: listed, and a job
    found = job_directories(tmp_path)
    assert found[:12] == ["0", "1", "10", "100", "1000", "101", "102", "103", "104", "105", "106", "107"]
    assert "7/outputs/inner" in found and "8/logs" in found and "8" in found and len(found) == LISTED + 3
    sweep = collect_sweep(tmp_path)
    assert sweep.runs.set_index("job_dir").loc["7/outputs/inner", "loss"] == -1.0


def _same(a: object, b: object) -> bool:
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a):
        return math.isnan(b)
    return type(a) is type(b) and a == b


@pytest.mark.parametrize("alphabet", [list("0123456789_.eE+-") + ["inf", "nan"], list("019_.eE+-aixnfINFtrulsN$ ,=") + ["true", "null", "False"]])
def test_overrides_typed_without_hydras_parser_are_typed_as_hydra_types_them(alphabet):
    rng = random.Random(0)
    checked = 0
    for _ in range(600):
        key = rng.choice(["x", "lr", "a.b", "+y", "++z", "m_1", "a-b", "_k", "1a", "$a", "a/b", "~x", "a@b"])
        text = f"{key}={''.join(rng.choice(alphabet) for _ in range(rng.randint(0, 7)))}"
        fast = simple_overrides([text])
        if fast is None:
            continue
        checked += 1
        try:
            expected = typed_overrides([text])
        except HydraException:
            pytest.fail(f"{text!r}: typed without Hydra's parser, which refuses it")
        assert expected.keys() == fast.keys() and all(_same(expected[key], fast[key]) for key in fast), text
    assert checked > 100


def test_a_sweep_read_in_two_processes_gives_the_table_one_process_reads(tmp_path, monkeypatch):
    """From SHARED_FROM top directories, half the sweep is read in a forked copy: the table, its
    column order and types, and the problems must be what one pass over every job gives. Here the
    halves ("0".."3" and "4".."9", by name) disagree on types and first meet different parameters."""

    for num in range(10):
        x = num if num < 5 else num + 0.5  # whole numbers in one half, floats in the other
        kind = num if num < 5 else f"k{num}"  # numbers in one half, text in the other
        extra = ["+late=true"] if num == 6 else ["+early=1"] if num == 2 else []
        make_job(tmp_path, str(num), [f"x={x}", f"kind={kind}", f"flag={num % 2 == 0}", *extra], num,
                 metrics=None if num == 3 else {"loss": float(num), "steps": num * 10, "epochs": num if num < 5 else num / 2})
    make_job(tmp_path / "4" / "outputs", "inner", ["x=-1", "kind=z", "flag=true"], 10, metrics={"loss": -1.0, "steps": 1})
    (tmp_path / "5" / RESULT_FILE).write_text('{"status": "completed", "metrics": {"loss": 0.')  # truncated
    (tmp_path / "7" / RESULT_FILE).write_text(json.dumps({"status": "completed", "metrics": {"loss": "oops", "steps": 70}, "overrides": ["x=7.5"]}))
    (tmp_path / "named").mkdir()
    (tmp_path / "named" / RESULT_FILE).write_text(json.dumps({"status": "completed", "metrics": {"loss": 0.25}, "overrides": ["x=0.25"]}))

    monkeypatch.setattr(sweep_module, "SHARED_FROM", 10**9)
    one = collect_sweep(tmp_path)
    readers = tmp_path.parent / f"{tmp_path.name}-readers"
    read_job = share.read_job

    def noted(*args):  # which process read each job
        with open(readers, "a") as note:
            note.write(f"{os.getpid()}\n")
        return read_job(*args)

    monkeypatch.setattr(share, "read_job", noted)
    monkeypatch.setattr(sweep_module, "SHARED_FROM", 2)
    two = collect_sweep(tmp_path)

    assert len(set(readers.read_text().split())) == (2 if can_fork() else 1)
    assert one.runs.columns.tolist() == ["job", "job_dir", "status", "x", "kind", "flag", "early", "late", "loss", "steps", "epochs",
                                         "overrides", "started", "duration", "error_type", "error", "traceback"]
    assert one.runs["job"].tolist()[:11] == list(range(11)) and one.runs["job_dir"].iloc[-1] == "named"
    assert (str(one.runs["x"].dtype), str(one.runs["kind"].dtype), str(one.runs["flag"].dtype)) == ("float64", "object", "boolean")
    assert one.integer_metrics == frozenset({"steps"})  # epochs are whole numbers in one half only
    pd.testing.assert_frame_equal(two.runs, one.runs)
    assert two.problems == one.problems
    assert [problem.split(":")[0] for problem in one.problems[:2]] == [str(tmp_path / "5" / RESULT_FILE), str(tmp_path / "7" / RESULT_FILE)]
    assert (two.params, two.fixed, two.integer_metrics) == (one.params, one.fixed, one.integer_metrics)
