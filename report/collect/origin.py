"""How a sweep was launched: sweeper, launcher, app, command line and the sweeper's intent,
from Hydra's own files and the launch file our callback writes. Only reads."""

from __future__ import annotations

import json
import shlex
from pathlib import Path
from typing import Any

import yaml

from report.collect.intent import sweeper_intent, sweeper_stop
from report.jobfiles import LAUNCH_FILE, READ_ERRORS, YAML_LOADER, one_line, path_exists, read_text
from report.overrides import log_tagged


def sweep_origin(sweep_dir: Path, first_job: Path, problems: list[str]) -> dict[str, Any]:
    """Sweeper, launcher and app name from Hydra's own files; the launch command from ours.

    Without our launch file, the basic sweeper's `multirun.yaml` still gives the command-line
    overrides, so the command is rebuilt from them with the app's name.
    """
    origin: dict[str, Any] = {"stopped": sweeper_stop(sweep_dir)}
    for path in (sweep_dir / "multirun.yaml", first_job / ".hydra" / "hydra.yaml"):
        hydra_cfg = _read_config(path, problems).get("hydra")
        if not isinstance(hydra_cfg, dict):
            continue
        sweeper = _mapping_in(hydra_cfg, "sweeper")
        origin |= {
            "sweeper": _text_in(sweeper, "_target_"),
            "launcher": _text_in(_mapping_in(hydra_cfg, "launcher"), "_target_"),
            "app_name": _text_in(_mapping_in(hydra_cfg, "job"), "name"),
        }
        task_overrides = _mapping_in(hydra_cfg, "overrides").get("task")
        task_overrides = [item for item in task_overrides if isinstance(item, str)] if isinstance(task_overrides, list) else []
        sweeper_params = _mapping_in(sweeper, "params")
        origin["sampler"] = _text_in(sweeper, "sampler")
        origin["intent"] = sweeper_intent(sweeper, sweep_dir)
        origin["sweeper_config"] = sweeper
        origin["log_params"] = log_tagged([*task_overrides, *(f"{key}={value}" for key, value in sweeper_params.items())])
        if path.name == "multirun.yaml" and origin["app_name"]:
            origin["command"] = f"python {origin['app_name']}.py -m {shlex.join(task_overrides)}".strip()
        break
    try:
        launch = json.loads(read_text(sweep_dir / LAUNCH_FILE))
    except READ_ERRORS:
        launch = None
    program = _text_in(launch, "program") if isinstance(launch, dict) else None
    arguments = launch.get("arguments") if isinstance(launch, dict) else None
    if program is not None:
        origin["program"] = program
    if program is not None and isinstance(arguments, list) and all(isinstance(item, str) for item in arguments):
        origin["command"] = " ".join([program, shlex.join(arguments)]).strip()
        # Sweepers other than the basic one keep no copy of the command line's sweeps.
        origin["log_params"] = origin.get("log_params", frozenset()) | log_tagged(arguments)
    return origin


def _read_config(path: Path, problems: list[str]) -> dict[str, Any]:
    """One of Hydra's YAML files; {} when there is none, and with a note when it cannot be read."""
    if not path_exists(path):
        return {}
    try:
        config = yaml.load(read_text(path), Loader=YAML_LOADER)
    except READ_ERRORS as error:
        reason = one_line(error)
        problems.append(f"{path}: unreadable, skipped (the sweeper, launcher and command may be unknown): {reason}")
        return {}
    if not isinstance(config, dict):
        problems.append(f"{path}: not a mapping, skipped (the sweeper, launcher and command may be unknown)")
        return {}
    return config


def _mapping_in(mapping: dict[str, Any], key: str) -> dict[str, Any]:
    value = mapping.get(key)
    return value if isinstance(value, dict) else {}


def _text_in(mapping: dict[str, Any], key: str) -> str | None:
    value = mapping.get(key)
    return value if isinstance(value, str) else None
