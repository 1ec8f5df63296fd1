"""Large sweeps: the report of 5,000 runs keeps every failure and points to results.csv for the
rest; the collector's shortcuts for large sweeps (link counts, typing overrides without Hydra's
parser) find and type exactly what the slow way does."""

from __future__ import annotations

import html
import json
import math
import random
import sys
from pathlib import Path

import pytest
from handmade import make_job
from hydra.errors import HydraException

from report.analysis.results_table import read_results
from report.build import build_report
from report.collect.sweep import collect_sweep
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
