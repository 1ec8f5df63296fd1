"""A Hydra callback that records every job's outcome beside it and reports when the sweep ends.

Add it to any Hydra app with one config entry:

    hydra:
      callbacks:
        record:
          _target_: sweeps.record.RecordResults

or `+hydra.callbacks.record._target_=sweeps.record.RecordResults` on the command line.
"""

from __future__ import annotations

import atexit
import json
import shlex
import sys
import time
import traceback
from collections.abc import Mapping, Sequence
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from hydra.core.utils import JobReturn, JobStatus
from hydra.experimental.callback import Callback
from omegaconf import DictConfig

from report.jobfiles import LAUNCH_FILE, RESULT_FILE, dump_result, plain, write_atomically
from report.overrides import typed_overrides


def metrics_of(return_value: Any) -> dict[str, Any]:
    """The task's return value as named metrics: a dict as is, a lone number as `objective`, and a
    sequence (a multi-objective Optuna task returns one) as `objective_0`, `objective_1`..."""
    if return_value is None:
        return {}
    if isinstance(return_value, Mapping) or (hasattr(return_value, "keys") and hasattr(return_value, "items")):  # a dict, a pandas Series
        return {str(name): _scalar(value) for name, value in return_value.items()}
    if hasattr(return_value, "tolist") and not isinstance(return_value, (str, bytes)):
        return_value = return_value.tolist()  # a numpy array or tensor: a number, or a list of them
    if isinstance(return_value, Sequence) and not isinstance(return_value, (str, bytes)):
        return {f"objective_{index}": _scalar(value) for index, value in enumerate(return_value)}
    return {"objective": _scalar(return_value)}


def _scalar(value: Any) -> Any:
    """numpy scalars and one-element tensors become Python numbers; anything else its text.

    Non-finite floats are kept as they are, so that the collector can say which job produced them.
    """
    value = plain(value)
    return value if isinstance(value, (bool, int, float, str)) or value is None else str(value)


def launch_program() -> str:
    """How this Hydra app was started, without its arguments: `python -m pkg.app` or `python app.py`."""
    main_spec = getattr(sys.modules.get("__main__"), "__spec__", None)
    if main_spec is not None and main_spec.name:
        return f"python -m {main_spec.name.removesuffix('.__main__')}"
    return f"python {shlex.quote(sys.argv[0])}"


class RecordResults(Callback):
    """Writes `sweep_result.json` into each job's directory and the report into the sweep's."""

    def __init__(
        self,
        report: bool = True,
        metric: str | None = None,
        mode: str | None = None,
        repeat_key: str | None = None,
        rows: Sequence[str] = (),
        cols: Sequence[str] = (),
        cost: str | None = None,
    ) -> None:
        from report.options import ReportOptions

        self.report = report
        # Checked now: a wrong mode fails the sweep at its start, not after its last job.
        self.report_options = ReportOptions(
            metric=metric, mode=mode, repeat_key=repeat_key, rows=tuple(rows), cols=tuple(cols), cost=cost
        )
        self._sweep_dir: Path | None = None
        self._job_started: tuple[float, str] | None = None

    def on_multirun_start(self, config: DictConfig, **kwargs: Any) -> None:
        self._sweep_dir = Path(config.hydra.sweep.dir).absolute()
        self._sweep_dir.mkdir(parents=True, exist_ok=True)
        launch = {
            "program": launch_program(),
            "arguments": sys.argv[1:],
            "cwd": str(Path.cwd()),
            "started": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        }
        write_atomically(self._sweep_dir / LAUNCH_FILE, json.dumps(launch, indent=1))
        if self.report:
            # Hydra skips on_multirun_end when a job failed; the driver still exits through
            # sys.exit, so an exit hook writes the report in that case. The report's modules are
            # imported now: importing them during interpreter shutdown fails.
            import report.build  # noqa: F401

            atexit.register(self._write_report)

    def on_multirun_end(self, config: DictConfig, **kwargs: Any) -> None:
        if self.report:
            atexit.unregister(self._write_report)
            self._write_report()

    def on_job_start(self, config: DictConfig, **kwargs: Any) -> None:
        started_at = datetime.now(timezone.utc).isoformat(timespec="milliseconds")
        self._job_started = (time.perf_counter(), started_at)

    def on_job_end(self, config: DictConfig, job_return: JobReturn, **kwargs: Any) -> None:
        hydra_cfg = job_return.hydra_cfg.hydra
        clock, started_at = self._job_started or (time.perf_counter(), None)
        record: dict[str, Any] = {
            "status": "completed" if job_return.status == JobStatus.COMPLETED else "failed",
            "job": {"num": hydra_cfg.job.num, "name": hydra_cfg.job.name, "id": hydra_cfg.job.id},
            "overrides": list(job_return.overrides),
            "params": typed_overrides(list(job_return.overrides)),
            "metrics": {},
            "started": started_at,
            "duration": time.perf_counter() - clock,
            "error": None,
        }
        if job_return.status == JobStatus.COMPLETED:
            record["metrics"] = metrics_of(job_return.return_value)
        else:
            error = job_return._return_value  # .return_value re-raises the job's exception
            record["error"] = {
                "type": type(error).__name__,
                "message": str(error),
                "traceback": "".join(traceback.format_exception(error)),
            }
        job_dir = Path(hydra_cfg.runtime.output_dir)
        write_atomically(job_dir / RESULT_FILE, dump_result(record))

    def _write_report(self) -> None:
        from report.build import SweepError, build_report

        try:
            written = build_report(self._sweep_dir, options=self.report_options)
        except SweepError as error:
            print(f"sweep-report: {error}", file=sys.stderr)
            return
        except Exception as error:  # noqa: BLE001 - a report bug must not fail a finished sweep
            print(f"sweep-report: the report could not be written: {type(error).__name__}: {error}", file=sys.stderr)
            return
        print(f"Report: {written.html}\nResults table: {written.csv}")
