"""Why a sweep has nothing to rank, in one line that names the likely fix."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from report.jobfiles import RESULT_FILE
from report.options import OptionError, SweepError

RECORD_OVERRIDE = "+hydra.callbacks.record._target_=sweeps.record.RecordResults"
METRICS_SUFFIXES = (".json", ".yaml", ".yml")
LOOKED_AT = 50  # job directories whose files are listed as candidates


def candidate_metrics_files(job_dirs: list[Path]) -> list[str]:
    """JSON and YAML files that the job directories hold (Hydra's own `.hydra/` aside), most common first."""
    counts: Counter[str] = Counter()
    for job_dir in job_dirs[:LOOKED_AT]:
        try:
            names = [entry.name for entry in job_dir.iterdir() if entry.is_file()]
        except OSError:
            continue
        counts.update(name for name in names if name.endswith(METRICS_SUFFIXES) and not name.startswith(".") and name != RESULT_FILE)
    return [name for name, _ in counts.most_common(5)]


def no_metrics_error(sweep_dir: Path, job_dirs: list[Path], metrics_file: str | None, recorded: bool, finished: int) -> SweepError:
    """The one-line error for a sweep in which no run reported a number; `finished` counts the
    jobs that left a result file. Where the fix is an option, the error names it for the CLI or
    the callback to word (`--metrics-file`)."""
    candidates = candidate_metrics_files(job_dirs)
    held = f"the job directories hold {', '.join(candidates)}" if candidates else "the job directories hold no JSON or YAML file"
    if metrics_file:
        found = any((job_dir / metrics_file).is_file() for job_dir in job_dirs)
        if not found:
            return SweepError(f"{sweep_dir}: no job directory holds the metrics file {metrics_file!r}; {held}")
        return SweepError(f"{sweep_dir}: no {metrics_file} holds a metric (a mapping of names to numbers); {held}")
    if recorded and not finished:
        return SweepError(f"{sweep_dir}: no job has finished yet: the sweep is still running, or was killed before any job ended")
    if recorded:
        return SweepError(
            f"{sweep_dir}: no run reported a metric: the task function returned no number to record"
            " (return a number or a dict of numbers from it)"
        )
    return OptionError(
        sweep_dir, ("metrics_file",),
        f"no run reported a metric: no job has a {RESULT_FILE}. Run the sweep with {RECORD_OVERRIDE},"
        f" or name the metrics file the app writes with {{}} ({held})",
    )
