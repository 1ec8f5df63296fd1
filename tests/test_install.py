"""`pip install .` (not editable) ships the templates and the configs: the report renders."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

from conftest import ROOT
from handmade import make_job


def test_non_editable_install_renders_a_report(tmp_path):
    source, site = tmp_path / "source", tmp_path / "site"
    # A clean copy, so that no build left in the work tree can leak into the wheel.
    shutil.copytree(ROOT, source, ignore=shutil.ignore_patterns(".*", "build", "*.egg-info", "multirun", "__pycache__"))
    install = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--target", str(site), str(source)],
        capture_output=True, text=True, timeout=600,
    )
    assert install.returncode == 0, install.stderr
    assert (site / "report" / "templates" / "report.html.j2").is_file()
    assert (site / "sweeps" / "conf" / "train.yaml").is_file()
    make_job(tmp_path / "sweep", "0", ["x=1"], 0, metrics={"loss": 0.5})
    env = {**os.environ, "PYTHONPATH": str(site)}
    process = subprocess.run(
        [sys.executable, "-c", "import report, sys; from report.cli import main; print(report.__file__); sys.exit(main(['sweep']))"],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300,
    )
    assert process.returncode == 0, process.stderr
    assert process.stdout.startswith(str(site / "report"))
    assert "Best observed mean: group 0" in (tmp_path / "sweep" / "report.html").read_text()
