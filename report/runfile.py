"""The result file each job leaves beside its outputs, and the typed parameters of a job.

The recording callback writes it from the process that ran the job; the collector reads it.
Both sides use this module so that the format is defined once.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import yaml
from hydra.core.override_parser.overrides_parser import OverridesParser
from hydra.errors import HydraException

RESULT_FILE = "sweep_result.json"
# Written into the sweep directory by Optuna's sweeper and by ours: the sweeper's best.
RESULTS_FILE = "optimization_results.yaml"
YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
# Written by the callback into the sweep directory when the sweep starts: how it was launched.
LAUNCH_FILE = "sweep_launch.json"
FORMAT_VERSION = 1


def typed_overrides(overrides: list[str]) -> dict[str, Any]:
    """Map each override's key to its value as Hydra's grammar types it (int, float, bool, str).

    Config-group choices such as `model=rf` come out as their option name; deletions (`~key`)
    are left out. Lists and dicts are kept as their override text, since a table cell holds one
    scalar.
    """
    parsed = OverridesParser.create().parse_overrides(overrides)
    values: dict[str, Any] = {}
    for override in parsed:
        if override.is_delete():
            continue
        value = override.value()
        if not isinstance(value, (str, int, float, bool)) and value is not None:
            value = override.get_value_element_as_str()
        values[override.key_or_group] = value
    return values


def plain(value: Any) -> Any:
    """numpy scalars as Python values (JSON and OmegaConf refuse numpy types); others as they are."""
    if hasattr(value, "item") and callable(value.item):
        try:
            return value.item()
        except (TypeError, ValueError):
            return value
    return value


def override_text(key: str, value: Any) -> str:
    """`key=value` that Hydra parses back to exactly `value`: strings Hydra would read as another
    type or split (`'1'`, `'true'`, `'a,b'`) are quoted; None is `null`."""
    if value is None:
        return f"{key}=null"
    if isinstance(value, bool):
        return f"{key}={str(value).lower()}"
    text = f"{key}={value!r}" if isinstance(value, float) else f"{key}={value}"
    try:
        parsed = typed_overrides([text]).get(key.lstrip("+"))
    except HydraException:
        parsed = None
    if parsed == value and type(parsed) is type(value):
        return text
    escaped = str(value).replace("\\", "\\\\").replace("'", "\\'")
    return f"{key}='{escaped}'"


def without_key(overrides: list[str], key: str) -> tuple[list[str], str]:
    """The overrides without those that set `key`, and the prefix (`''`, `+`, `++`) it was set with."""
    kept, prefix = [], ""
    for override in overrides:
        name = override.split("=", 1)[0]
        if name.lstrip("+") == key:
            prefix = name[: len(name) - len(key)]
        else:
            kept.append(override)
    return kept, prefix


def log_tagged(sweep_overrides: list[str]) -> frozenset[str]:
    """The keys whose sweep carries Hydra's `log` tag, e.g. `lr=tag(log, interval(1e-5, 1e-1))`."""
    parser, tagged = OverridesParser.create(), set()
    for text in sweep_overrides:
        try:
            override = parser.parse_override(str(text))
        except HydraException:  # a flag such as -m, or text that is no override
            continue
        if override.is_sweep_override() and "log" in getattr(override.value(), "tags", ()):
            tagged.add(override.key_or_group)
    return frozenset(tagged)


def dump_result(record: dict[str, Any]) -> str:
    """Serialise a job's record; NaN and infinities stay visible for the collector to reject."""
    return json.dumps({"format": FORMAT_VERSION, **record}, indent=1, default=str)


def load_result(path: Path) -> dict[str, Any]:
    """Read a result file; raises ValueError with the reason when it cannot be used."""
    try:
        record = json.loads(Path(path).read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        raise ValueError(f"not valid JSON (truncated?): {error}") from None
    if not isinstance(record, dict) or record.get("status") not in ("completed", "failed"):
        raise ValueError("not a result record (no status 'completed' or 'failed')")
    return record


def find_job_dirs(directory: Path, metrics_file: str | None = None) -> list[Path]:
    """Every directory below `directory` that holds a Hydra job (`.hydra/`) or a result file.

    Job directories can be nested (`hydra.sweep.subdir` with `override_dirname`), so the whole
    tree is walked; hidden directories such as `.submitit/` and `.hydra/` are never entered.
    """
    markers = {".hydra", RESULT_FILE} | ({metrics_file} if metrics_file else set())
    found = []
    for current, subdirs, files in os.walk(directory):
        if markers & (set(subdirs) | set(files)) and Path(current) != directory:
            found.append(Path(current))
            subdirs.clear()
            continue
        subdirs[:] = sorted(name for name in subdirs if not name.startswith("."))
    return found


def job_number(job_dir: Path) -> int | None:
    """Hydra's job number from `.hydra/hydra.yaml`, or the directory's name when it is a number."""
    try:
        hydra_cfg = yaml.load((job_dir / ".hydra" / "hydra.yaml").read_text(encoding="utf-8"), Loader=YAML_LOADER)
        return int(hydra_cfg["hydra"]["job"]["num"])
    except (OSError, yaml.YAMLError, KeyError, TypeError, ValueError):
        return int(job_dir.name) if job_dir.name.isdigit() else None


def read_mapping(path: Path) -> dict[str, Any] | None:
    """A YAML file holding a mapping (Hydra's configs, a sweeper's results), or None if it is not one."""
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=YAML_LOADER)
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return None
    return data if isinstance(data, dict) else None
