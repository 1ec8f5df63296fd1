"""Real Hydra multiruns for the tests: small, fast, run as a user runs them."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
TOY_APP = ROOT / "tests" / "apps" / "toy.py"
RECORD = "+hydra.callbacks.record._target_=sweeps.record.RecordResults"


def run(command: list[str], cwd: Path, timeout: float = 300) -> subprocess.CompletedProcess:
    env = {**os.environ, "HYDRA_FULL_ERROR": "0"}
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=timeout, env=env)


def multirun(cwd: Path, app: list[str], *overrides: str, sweep_dir: str = "sweep") -> tuple[subprocess.CompletedProcess, Path]:
    """Run `app -m overrides` in `cwd` with the sweep written to `cwd/sweep_dir`."""
    process = run([sys.executable, *app, "-m", f"hydra.sweep.dir={sweep_dir}", *overrides], cwd)
    return process, cwd / sweep_dir


def toy_multirun(cwd: Path, *overrides: str, record: bool = True, sweep_dir: str = "sweep"):
    return multirun(cwd, [str(TOY_APP)], *([RECORD] if record else []), *overrides, sweep_dir=sweep_dir)


def sweep_report(*arguments: str, cwd: Path) -> subprocess.CompletedProcess:
    return run([sys.executable, "-m", "report", *arguments], cwd)


@pytest.fixture(scope="module")
def module_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("sweeps")
