"""The files of a sweep and the words in them, shared by the recording callback, the sweeper
plugin and the collector so that each format is defined once: the result file each job leaves
beside its outputs, how a direction is spelled, and how our own files are written (atomically).
It imports nothing else from `report` (the sweeper plugin needs it and `report.overrides` alone).
"""

from __future__ import annotations

import json
import os
import re
import secrets
import stat
from pathlib import Path
from typing import Any

import yaml

RESULT_FILE = "sweep_result.json"
# Written into the sweep directory by Optuna's sweeper and by ours: the sweeper's best.
RESULTS_FILE = "optimization_results.yaml"
YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
# Written by the callback into the sweep directory when the sweep starts: how it was launched.
LAUNCH_FILE = "sweep_launch.json"
CSV_NAME = "results.csv"  # the report's table of every job, written beside the report
FORMAT_VERSION = 1
TEXT_LIMIT = 64 * 2**20  # bytes: larger result, metrics and config files are refused, not read
READ_CHUNK = 2**16  # bytes asked for at once past a file's size: os.read allocates what it is asked for
JOB_NUMBER_LIMIT = 2**31  # job numbers at or above it are taken for damage, not a job number
LISTED = 1000  # subdirectories of one directory that are each listed to look for jobs inside them; see job_directories
# What reading a small JSON or YAML file of ours can raise: unreadable (OSError), not UTF-8,
# not a regular file, too large or out of range (ValueError), nested too deeply, not YAML.
READ_ERRORS = (OSError, ValueError, RecursionError, yaml.YAMLError)
SHARED_MODE = 0o666  # as `open()` creates files: the process's umask then takes its bits away
MINIMISE_WORDS = frozenset({"rmse", "mse", "mae", "mape", "loss", "error", "err", "nll", "perplexity", "regret"})
MAXIMISE_WORDS = frozenset({"r2", "acc", "accuracy", "f1", "auc", "roc", "precision", "recall", "score", "reward", "map"})
DIRECTION_WORDS = {"min": "min", "minimize": "min", "max": "max", "maximize": "max"}


def plain(value: Any) -> Any:
    """numpy scalars as Python values (JSON and OmegaConf refuse numpy types); others as they are."""
    if hasattr(value, "item") and callable(value.item):
        try:
            return value.item()
        except (TypeError, ValueError):
            return value
    return value


def dump_result(record: dict[str, Any]) -> str:
    """Serialise a job's record; NaN and infinities stay visible for the collector to reject."""
    return json.dumps({"format": FORMAT_VERSION, **record}, indent=1, default=str)


def read_text(path: Path | str, limit: int = TEXT_LIMIT, status: os.stat_result | None = None) -> str:
    """A regular file's text as UTF-8; OSError or ValueError (UnicodeDecodeError among them) when
    it cannot be read. A FIFO or device is refused without being opened, and so is a file larger
    than `limit` bytes: what we read here is small, and its size must not set our memory use.
    `status` is the path's `os.stat`, where the caller has it already."""
    status = os.stat(path) if status is None else status
    if not stat.S_ISREG(status.st_mode):
        raise ValueError("a directory, not a file" if stat.S_ISDIR(status.st_mode) else "not a regular file (a device, FIFO or socket)")
    if status.st_size > limit:
        raise ValueError(f"larger than {limit // 2**20} MiB")
    descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))  # a FIFO since: no wait
    try:
        data = os.read(descriptor, status.st_size + 1)  # fewer bytes than asked for: the file's end
        if len(data) > status.st_size:  # it grew since: read on to its end
            while len(data) <= limit and (more := os.read(descriptor, min(limit + 1 - len(data), READ_CHUNK))):
                data += more
    finally:
        os.close(descriptor)
    if len(data) > limit:
        raise ValueError(f"larger than {limit // 2**20} MiB")
    return data.decode("utf-8")


def load_result(path: Path | str, status: os.stat_result | None = None) -> dict[str, Any]:
    """Read a result file; raises ValueError with the reason when it cannot be used (OSError when
    it cannot be read). Its fields are checked by `report.collect.record_check`."""
    text = read_text(path, status=status)
    try:
        record = json.loads(text)
    except json.JSONDecodeError as error:
        raise ValueError(f"not valid JSON (truncated?): {error}") from None
    except RecursionError:
        raise ValueError("nested too deeply to be a result record") from None
    if not isinstance(record, dict):
        raise ValueError(f"not a result record (a JSON {type(record).__name__}, not an object)")  # noqa: TRY004 - every unusable file is a ValueError
    return record


def find_job_dirs(directory: Path, metrics_file: str | None = None, unreadable: list[tuple[Path, str]] | None = None) -> list[Path]:
    """Every directory below `directory` that holds a Hydra job: see `job_directories`."""
    return [directory / name for name in job_directories(directory, metrics_file, unreadable)]


def job_directories(directory: Path, metrics_file: str | None = None, unreadable: list[tuple[Path, str]] | None = None) -> list[str]:
    """The directories below `directory` holding `.hydra` or a result file, relative to it (`0`,
    `0/inner`), top-down and sorted. Jobs can be nested (`hydra.sweep.subdir`, a job's outputs
    holding another), so the whole tree is walked, never into hidden directories (`.hydra/`) nor
    through symbolic links. One that cannot be listed goes to `unreadable` with the reason (first
    `directory`, if it is the one). Among more than LISTED subdirectories (a large flat sweep), one
    whose link count says `.hydra/` is its only directory is taken as a job without being listed."""
    names = top_subdirectories(directory, metrics_file, unreadable)
    return jobs_below(directory, names, len(names) > LISTED, metrics_file, unreadable)


def top_subdirectories(directory: Path, metrics_file: str | None = None, unreadable: list[tuple[Path, str]] | None = None) -> list[str]:
    """The subdirectories of `directory` that `job_directories` walks into, sorted: a sweep can be
    walked in shares of them (`jobs_below`)."""
    listing = _listing(os.fspath(directory), _markers(metrics_file), directory, unreadable)
    return listing[1] if listing else []


def jobs_below(
    directory: Path, names: list[str], crowded: bool, metrics_file: str | None = None, unreadable: list[tuple[Path, str]] | None = None
) -> list[str]:
    """`job_directories` at and below `names`, sorted subdirectories of `directory`; `crowded`
    says whether `directory` has more than LISTED of them in all."""
    markers = _markers(metrics_file)
    base = os.path.join(directory, "")
    # (path, relative path, a job known to hold no other directory), the next one last
    pending = [(base + name, name, crowded and _lone_hydra_dir(base + name)) for name in reversed(names)]
    found: list[str] = []
    while pending:
        path, relative, leaf = pending.pop()
        listing = None if leaf else _listing(path, markers, directory, unreadable)
        if leaf or (listing and listing[0]):
            found.append(relative)
        if listing:
            subdirs, inner = listing[1], os.path.join(path, "")
            many = len(subdirs) > LISTED
            pending += [(inner + name, f"{relative}/{name}", many and _lone_hydra_dir(inner + name)) for name in reversed(subdirs)]
    return found


def _markers(metrics_file: str | None) -> set[str]:
    """What makes a directory a job's: Hydra's `.hydra/`, our result file, the user's metrics file."""
    return {".hydra", RESULT_FILE} | ({metrics_file} if metrics_file else set())


def _listing(path: str, markers: set[str], directory: Path, unreadable: list[tuple[Path, str]] | None) -> tuple[bool, list[str]] | None:
    """Whether `path` holds a job's marker, and its subdirectories to walk into, sorted; None (and
    the reason in `unreadable`) when it cannot be listed."""
    try:
        with os.scandir(path) as entries:
            listed = [(entry.name, _descends(entry)) for entry in entries]
    except OSError as error:
        if unreadable is not None:
            unreadable.append((Path(error.filename) if error.filename else Path(directory), error.strerror or str(error)))
        return None
    subdirs = sorted(name for name, descends in listed if descends and not name.startswith(".") and name not in markers)
    return any(name in markers for name, _ in listed), subdirs


def _descends(entry: os.DirEntry) -> bool:
    """A directory that the walk enters: not a symbolic link (a loop or a way out of the sweep)."""
    try:
        return entry.is_dir(follow_symlinks=False)
    except OSError:
        return False


def _lone_hydra_dir(path: str) -> bool:
    """Whether `path` holds `.hydra/` and no other directory, as its link count says (a directory's
    count is 2 plus its subdirectories where the file system keeps the convention; where it keeps
    none, such as btrfs's 1, the directory is listed)."""
    try:
        return os.lstat(path).st_nlink == 3 and stat.S_ISDIR(os.lstat(os.path.join(path, ".hydra")).st_mode)
    except OSError:
        return False


def job_number(job_dir: Path) -> int | None:
    """Hydra's job number from `.hydra/hydra.yaml`, or the directory's name when it is a number;
    None for anything else than a whole number from 0 to JOB_NUMBER_LIMIT."""
    hydra_cfg = read_mapping(job_dir / ".hydra" / "hydra.yaml") or {}
    job = hydra_cfg.get("hydra") if isinstance(hydra_cfg.get("hydra"), dict) else {}
    num = (job.get("job") if isinstance(job.get("job"), dict) else {}).get("num")
    if num is None and job_dir.name.isascii() and job_dir.name.isdigit() and len(job_dir.name) < 12:
        num = int(job_dir.name)
    return num if sane_job_number(num) else None


def sane_job_number(value: Any) -> bool:
    """A job number is a whole number (not a boolean, not a float) from 0 to JOB_NUMBER_LIMIT."""
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value < JOB_NUMBER_LIMIT


def read_mapping(path: Path) -> dict[str, Any] | None:
    """A YAML file holding a mapping (Hydra's configs, a sweeper's results), or None if it is not one."""
    try:
        data = yaml.load(read_text(path), Loader=YAML_LOADER)
    except READ_ERRORS:
        return None
    return data if isinstance(data, dict) else None


def one_line(error: Exception) -> str:
    """An error's message in one line: its first, or the error's name when it has none."""
    lines = str(error).strip().splitlines()
    return lines[0] if lines else type(error).__name__


def path_exists(path: Path) -> bool:
    """Whether `path` exists; a path that cannot even be looked at counts as absent."""
    try:
        return path.exists()
    except OSError:
        return False


def write_atomically(path: Path, content: str | bytes) -> None:
    """Write `content` to `path` through a temporary file in the same directory.

    The temporary file is created with mode 0666 and the kernel applies the umask, so the report
    gets the permissions any file the user writes gets, without reading or changing the umask
    (which is process-wide: changing it races with the threads of the app that imports us).
    """
    path = Path(path)
    data = content.encode("utf-8") if isinstance(content, str) else content
    try:
        handle, temporary = _create_temporary(path)
    except OSError as error:  # name the user's path, not our temporary file's
        raise OSError(error.errno, error.strerror, str(path)) from None
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        os.replace(temporary, path)
    except BaseException as error:
        os.unlink(temporary)
        if isinstance(error, OSError):
            raise OSError(error.errno, error.strerror, str(path)) from None
        raise


def _create_temporary(path: Path) -> tuple[int, Path]:
    while True:
        temporary = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
        try:
            return os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, SHARED_MODE), temporary
        except FileExistsError:
            continue


def direction_word(value: Any) -> str | None:
    """'min' or 'max' from `min`, `minimize`, `MAXIMIZE`, `Direction.maximize` (a sweeper's direction
    setting as Optuna's sweeper or ours spells it, any case); None for anything else."""
    return DIRECTION_WORDS.get(str(value).strip().lower().rsplit(".", 1)[-1])


def infer_direction(metric: str) -> str | None:
    """'min' or 'max' from the metric's name (`val_loss` -> min, `test_acc` -> max), else None."""
    words = set(re.split(r"[^a-z0-9]+", metric.lower()))
    if words & MINIMISE_WORDS:
        return "min"
    if words & MAXIMISE_WORDS:
        return "max"
    return None
