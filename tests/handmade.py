"""Hand-made Hydra sweep directories, for input that real sweeps rarely produce."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Callable, Container

import yaml

from report.jobfiles import RESULT_FILE
from report.overrides import typed_overrides


def make_job(
    sweep: Path,
    name: str,
    overrides: list[str],
    num: int,
    result: dict[str, Any] | str | None = None,
    metrics: dict[str, Any] | None = None,
) -> Path:
    """A job directory as Hydra leaves it; `result` is a record or the raw text of the result file."""
    job = sweep / name
    (job / ".hydra").mkdir(parents=True)
    (job / ".hydra" / "overrides.yaml").write_text(yaml.safe_dump(overrides))
    hydra_cfg = {"hydra": {"job": {"num": num, "name": "handmade"}, "sweeper": {"_target_": "my.Sweeper"}, "launcher": {"_target_": "my.Launcher"}}}
    (job / ".hydra" / "hydra.yaml").write_text(yaml.safe_dump(hydra_cfg))
    if isinstance(result, str):
        (job / RESULT_FILE).write_text(result)
    elif result is not None or metrics is not None:
        record = result or {}
        record.setdefault("status", "completed")
        record.setdefault("metrics", metrics or {})
        record.setdefault("job", {"num": num})
        record.setdefault("overrides", overrides)
        record.setdefault("params", typed_overrides(overrides))
        record.setdefault("duration", 1.5)
        (job / RESULT_FILE).write_text(json.dumps(record))
    return job


def write_sweep(
    sweep: Path, configurations: list[dict[str, Any]], metrics: Callable[[dict[str, Any], int], dict[str, Any]],
    repeats: int = 1, skip: Container[int] = (),
) -> Path:
    """One job per configuration and repeat, numbered in order, with a `seed` override when
    repeated; `metrics(configuration, seed)` gives each job's metrics, and jobs in `skip` get none."""
    num = 0
    for configuration in configurations:
        for seed in range(repeats):
            overrides = [f"{key}={value}" for key, value in configuration.items()] + ([f"seed={seed}"] if repeats > 1 else [])
            make_job(sweep, str(num), overrides, num, metrics=None if num in skip else metrics(configuration, seed))
            num += 1
    return sweep


def tree_state(directory: Path) -> dict[str, tuple[int, int]]:
    """Every file's size and modification time, to prove that nothing was touched."""
    return {str(p.relative_to(directory)): (p.stat().st_size, p.stat().st_mtime_ns) for p in sorted(directory.rglob("*"))}
