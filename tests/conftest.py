"""Real Hydra multiruns for the tests: small, fast, run as a user runs them."""

from __future__ import annotations

import inspect
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
TOY_APP = ROOT / "tests" / "apps" / "toy.py"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"  # Debian's: Playwright's own download cannot run here
RECORD = "+hydra.callbacks.record._target_=sweeps.record.RecordResults"
NO_REPORT = "+hydra.callbacks.record.report=false"  # where a test reads only the result files
PROCESS_HELPERS = ("multirun(", "run(", "sweep_report(")  # a test (or its fixture) calling one starts real processes


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
def browser():
    """One Chromium per test module, driven by Playwright."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        yield launched
        launched.close()


@pytest.fixture(scope="module")
def module_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("sweeps")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark `slow` every test that starts a real Hydra multirun or CLI process, itself or through
    a fixture, so that `-m "not slow"` runs the in-process tests alone."""
    for item in items:
        functions = [getattr(item, "function", None)]
        fixture_info = getattr(item, "_fixtureinfo", None)
        if fixture_info is not None:
            functions += [definition.func for definitions in fixture_info.name2fixturedefs.values() for definition in definitions]
        if any(_calls_a_process(function) for function in functions if function is not None):
            item.add_marker(pytest.mark.slow)


def _calls_a_process(function) -> bool:
    try:
        source = inspect.getsource(function)
    except (OSError, TypeError):
        return False
    return any(helper in source for helper in PROCESS_HELPERS)
