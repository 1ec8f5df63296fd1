"""Resume: what an earlier run of the same sweep left in its directory, read back as trials.

Every finished job left its result file (`sweep_result.json`, written by the recording callback)
in its own directory, and the sweeper wrote the trials of every finished batch to
`optimization_results.yaml`. A sweep killed in the middle of a batch has finished jobs that no
trial lists yet: they are grouped into trials by their values on the search space's dimensions.
Jobs that left no result (killed while running) are not trials, but their numbers are taken.
Nothing here writes: the job directories are only read.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from hydra_plugins.skopt_sweeper._trials import is_trial, new_trial
from hydra_plugins.skopt_sweeper.config import Direction
from report.jobfiles import RESULT_FILE, RESULTS_FILE, find_job_dirs, job_number, load_result, read_mapping


@dataclass
class Resumed:
    """The trials found in a sweep directory, in the order they ran, and what they cost."""

    trials: list[dict[str, Any]] = field(default_factory=list)
    runs: int = 0  # finished runs in those trials
    failed_runs: int = 0  # of them, runs that failed or reported no usable objective
    last_error: str | None = None  # "Type: message" of the last failed run that left one
    next_job_idx: int = 0  # one past the highest job number in the directory, finished or not


def earlier_goal(sweep_dir: Path) -> tuple[str | None, Direction | None]:
    """The objective and direction an earlier run of the sweep wrote to its results file."""
    results = read_mapping(sweep_dir / RESULTS_FILE) or {}
    objective, direction = results.get("objective"), results.get("direction")
    return (objective if isinstance(objective, str) else None), (Direction(direction) if direction in ("min", "max") else None)


def read_back(sweep_dir: Path, names: list[str], value_of: Callable[[dict[str, Any]], float | None]) -> Resumed:
    """The sweep's finished trials over the dimensions `names`.

    `value_of(record)` is a finished run's objective, or None for a failed run. Trials from the
    results file come first, as written; finished jobs it does not list follow, one trial per
    configuration, in job order, with the mean over their finished repeats.
    """
    resumed = Resumed()
    results = read_mapping(sweep_dir / RESULTS_FILE) or {}
    records = _finished_records(sweep_dir, resumed)
    listed = [trial for trial in results.get("trials") or [] if is_trial(trial)]
    taken = {job for trial in listed for job in trial["jobs"]}
    groups: dict[tuple[Any, ...], list[int]] = {}
    for num in sorted(records):
        point = point_of(records[num].get("params"), names)
        if num not in taken and point is not None:
            groups.setdefault(tuple(point), []).append(num)
    value = {num: value_of(record) for num, record in records.items()}
    for point, jobs in groups.items():
        listed.append(new_trial(len(listed), jobs, dict(zip(names, point)), [value[num] for num in jobs if value[num] is not None]))
    for trial in listed:
        for num in trial["jobs"]:
            resumed.failed_runs += value[num] is None if num in records else trial["status"] == "failed"
            resumed.runs += 1
    resumed.trials = [{**trial, "trial": index} for index, trial in enumerate(listed)]
    failures = [records[num] for num in sorted(records) if isinstance(records[num].get("error"), dict)]
    if failures:
        error = failures[-1]["error"]
        resumed.last_error = " ".join(f"{error.get('type')}: {error.get('message')}".split())
    return resumed


def point_of(params: Any, names: list[str]) -> list[Any] | None:
    """A run's values on the dimensions `names` (`+lr` is `lr` in a result's params), or None
    when it lacks one."""
    if not isinstance(params, dict):
        return None
    keys = [name.lstrip("+~").split("@", 1)[0] for name in names]
    if not all(key in params for key in keys):
        return None
    return [params[key] for key in keys]


def _finished_records(sweep_dir: Path, resumed: Resumed) -> dict[int, dict[str, Any]]:
    """Each finished job's result record by job number; `resumed.next_job_idx` past every job."""
    records: dict[int, dict[str, Any]] = {}
    numbers = [int(path.name) for path in sweep_dir.iterdir() if path.is_dir() and path.name.isdigit()]  # even an empty one
    for job_dir in find_job_dirs(sweep_dir):
        record, num = None, None
        try:
            record = load_result(job_dir / RESULT_FILE)
            num = int(record["job"]["num"])
        except (OSError, ValueError, KeyError, TypeError):
            record = None
        if num is None:
            num = job_number(job_dir)
        if num is None:
            continue
        numbers.append(num)
        if record is not None:
            records[num] = record
    resumed.next_job_idx = max(numbers, default=-1) + 1
    return records

