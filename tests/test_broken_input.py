"""Property: whatever a sweep directory holds, `sweep-report` exits 0 with a report, or non-zero
with one line on stderr: never a traceback, and nothing in the sweep directory changes.

Hypothesis generates sweep directories with the kinds of damage seen in the wild: unparseable
overrides, result files of the wrong shape or type, deep nesting, hostile strings (HTML, Jinja,
mathtext, right-to-left, emoji, NUL, lone surrogates, 10,000 characters), extreme numbers, bytes
that are not UTF-8, and jobs nested inside jobs. In CI a fixed seed and a bounded number of
examples keep it quick; `HYPOTHESIS_PROFILE=long` runs 2,000 examples on demand.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import tempfile
from pathlib import Path

import yaml
from handmade import tree_state
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from report.cli import main
from report.jobfiles import RESULT_FILE

settings.register_profile("ci", max_examples=25, derandomize=True, deadline=None, suppress_health_check=list(HealthCheck))
settings.register_profile("long", max_examples=2000, deadline=None, suppress_health_check=list(HealthCheck))
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

HOSTILE = [
    "</table><script>alert(1)</script>", "{{ 7*7 }}{% raw %}", "$\\frac{a}{$", "$$", "\u202eevil", "🧪🔥", "a\x00b",
    "\ud800", "x" * 10_000, "", " ", "a,b", "'quoted\"", "-m", "\\",
]
NUMBERS = [0, 1, -1, 0.5, 1e308, -1e308, 1e30, -1e30, 5e-324, 2**63, -(2**63) - 1, 10**30, float("nan"), float("inf"), True, "1.5", None]

names = st.one_of(st.sampled_from(["lr", "depth", "model.kernel", "seed", "opt"]), st.sampled_from(HOSTILE), st.text(max_size=12))
scalars = st.one_of(st.sampled_from(NUMBERS), st.sampled_from(HOSTILE), st.integers(), st.floats(allow_nan=True), st.booleans())
values = st.one_of(scalars, st.lists(scalars, max_size=3), st.dictionaries(st.text(max_size=5), scalars, max_size=2))
anything = st.recursive(values, lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=5), inner, max_size=3)), max_leaves=8)


@st.composite
def records(draw) -> str:
    """The text of a result file: a record of the right shape with odd values, of the wrong shape, or no JSON."""
    kind = draw(st.sampled_from(["good", "good", "good", "wrong types", "not a record", "deep", "truncated", "bytes"]))
    if kind == "deep":
        return "[" * 1000 + "]" * 1000
    if kind == "truncated":
        return '{"status": "completed", "metrics": {"loss": 1'
    if kind == "bytes":
        return "\udcff\udcfe"  # written with surrogateescape: bytes that are not UTF-8
    if kind == "not a record":
        return json.dumps(draw(anything))
    record = {
        "status": draw(st.sampled_from(["completed", "completed", "failed"])),
        "job": {"num": draw(st.one_of(st.integers(0, 50), st.sampled_from(NUMBERS)))},
        "params": draw(st.dictionaries(names, values, max_size=4)),
        "metrics": draw(st.dictionaries(names, scalars, max_size=3)),
        "duration": draw(st.one_of(st.floats(0, 100), st.sampled_from(NUMBERS))),
        "error": draw(st.one_of(st.none(), st.fixed_dictionaries({"type": names, "message": names, "traceback": names}))),
    }
    if kind == "wrong types":
        field = draw(st.sampled_from(sorted(record) + ["overrides", "started"]))
        record[field] = draw(anything)
    return json.dumps(record, allow_nan=True)


overrides = st.lists(
    st.one_of(
        st.builds(
            lambda k, v: f"{k}={v}", st.sampled_from(["lr", "depth", "opt", "seed"]), st.one_of(st.integers(-3, 3), st.sampled_from(["0.1", "adam", "1e308"]))
        ),
        st.sampled_from(["lr=<script>", "lr=interval(0,1)", "x=[1,2]", "y={a:1}", "=", "+k=$$", "z=" + "w" * 10_000]),
    ),
    max_size=4,
)


@st.composite
def jobs(draw) -> dict:
    return {
        "overrides": draw(st.one_of(overrides.map(yaml.safe_dump), st.sampled_from(["- a=1\n  - : [", "not a list", "\udcff"]))),
        "hydra": draw(st.one_of(
            st.builds(
                lambda num: yaml.safe_dump({"hydra": {"job": {"num": num, "name": "app"}}}), st.one_of(st.integers(0, 50), st.sampled_from([".inf", "x", [1]]))
            ),
            st.just("hydra:\n  job:\n    num: .inf\n"), st.just("\udcff"),
        )),
        "result": draw(st.one_of(st.none(), records())),
        "nested": draw(st.booleans()),
    }


def write_sweep(root: Path, sweep_jobs: list[dict], multirun: str | None) -> None:
    if multirun is not None:
        (root / "multirun.yaml").write_text(multirun, encoding="utf-8", errors="surrogateescape")
    for num, job in enumerate(sweep_jobs):
        directory = root / ("0" if job["nested"] and num else "") / str(num)  # some jobs nested inside job 0
        (directory / ".hydra").mkdir(parents=True, exist_ok=True)
        (directory / ".hydra" / "overrides.yaml").write_text(job["overrides"], encoding="utf-8", errors="surrogateescape")
        (directory / ".hydra" / "hydra.yaml").write_text(job["hydra"], encoding="utf-8", errors="surrogateescape")
        if job["result"] is not None:
            (directory / RESULT_FILE).write_text(job["result"], encoding="utf-8", errors="surrogateescape")


@given(st.lists(jobs(), min_size=1, max_size=6), st.one_of(st.none(), st.just("hydra:\n  sweeper: [1]\n"), st.just("\udcff")))
def test_sweep_report_never_shows_a_traceback_and_never_touches_the_sweep(sweep_jobs, multirun):
    with tempfile.TemporaryDirectory() as temporary:
        root = Path(temporary) / "sweep"
        root.mkdir()
        write_sweep(root, sweep_jobs, multirun)
        before = tree_state(root)
        out = Path(temporary) / "out"
        out.mkdir()
        stderr = io.StringIO()
        with contextlib.redirect_stderr(stderr), contextlib.redirect_stdout(io.StringIO()):
            status = main([str(root), "-o", str(out)])  # an exception here is the traceback a user would see
        assert tree_state(root) == before
        said = [line for line in stderr.getvalue().splitlines() if line.startswith("sweep-report")]
        event("a report" if status == 0 else "a one-line error")
        if status == 0:
            assert (out / "report.html").stat().st_size < 20_000_000
        else:
            assert len(said) == 1 and "Traceback" not in stderr.getvalue(), stderr.getvalue()
