"""The sweep loop: suggest configurations, launch them (with repeats), tell the results back."""

from __future__ import annotations

import logging
import math
import sys
from pathlib import Path
from typing import Any

import numpy as np
import yaml
from hydra.core.plugins import Plugins
from hydra.core.utils import JobReturn, JobStatus
from hydra.types import HydraContext, TaskFunction
from omegaconf import DictConfig
from skopt.space import Space

from hydra_plugins.skopt_sweeper._resume import earlier_goal, read_back
from hydra_plugins.skopt_sweeper._settings import Settings
from hydra_plugins.skopt_sweeper._space import search_space
from hydra_plugins.skopt_sweeper._suggest import Sampler, make_sampler
from hydra_plugins.skopt_sweeper._trials import best_trial, minimised, new_trial
from hydra_plugins.skopt_sweeper.config import Direction
from report.jobfiles import RESULTS_FILE, infer_direction, write_atomically
from report.overrides import override_text, without_key

log = logging.getLogger(__name__)


EXHAUSTED = "search space exhausted"


class SkoptSweep:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.job_idx = 0

    def setup(self, *, hydra_context: HydraContext, task_function: TaskFunction, config: DictConfig) -> None:
        self.launcher = Plugins.instance().instantiate_launcher(
            hydra_context=hydra_context, task_function=task_function, config=config
        )
        self.sweep_dir = Path(config.hydra.sweep.dir)

    def sweep(self, arguments: list[str]) -> None:
        s = self.settings
        names, fixed, space = self._search_space(arguments)
        sampler = self._resume(space, names)
        allowed_failures = math.floor(s.max_failure_rate * s.n_trials * s.repeats + 1e-9)
        while len(self.trials) < s.n_trials:
            if self.failed_runs > allowed_failures:
                self._stop_over_budget(allowed_failures)
            points = sampler.ask(min(s.n_jobs, s.n_trials - len(self.trials)))
            if not points:
                self._end_early(EXHAUSTED)
                log.info(f"Skopt sweep stopped after {len(self.trials)} of {s.n_trials} trials: {EXHAUSTED}")
                break
            self._run_batch(sampler, points, names, fixed)

    def _search_space(self, arguments: list[str]) -> tuple[list[str], list[str], Space]:
        """The swept names, the overrides every job gets (without the repeat key, which the
        repeats set) and the space to draw from."""
        s = self.settings
        dimensions, fixed = search_space(s.params, arguments)
        if not dimensions:
            raise ValueError("hydra/sweeper=skopt: nothing to search; give ranges in hydra.sweeper.params or on the command line")
        if s.repeats > 1:
            fixed, _ = without_key(fixed, s.repeat_key)
        return list(dimensions), fixed, Space(list(dimensions.values()))

    def _resume(self, space: Space, names: list[str]) -> Sampler:
        """Take up what an earlier run of the sweep left in its directory (nothing, for a new
        sweep) and a sampler that knows it."""
        s = self.settings
        self.sweep_dir.mkdir(parents=True, exist_ok=True)
        earlier_objective, earlier_direction = earlier_goal(self.sweep_dir)
        self.objective = s.objective or earlier_objective
        self.direction = s.direction or (earlier_direction if self.objective == earlier_objective else None)
        resumed = read_back(self.sweep_dir, names, self._record_value)
        self.trials: list[dict[str, Any]] = resumed.trials
        self.job_idx, self.stopped = resumed.next_job_idx, None
        self.failed_runs, self.last_error = resumed.failed_runs, resumed.last_error
        sampler = make_sampler(space, s.sampler, resumed_seed(s.seed, len(self.trials)), s.n_initial_points, s.acq_func, s.n_candidates)
        log.info(f"Skopt sweep ({s.sampler}): {s.n_trials} configurations x {s.repeats} repeats over {', '.join(names)}")
        if self.job_idx:
            log.info(f"Resuming: {len(self.trials)} configurations ({resumed.runs} runs) already in {self.sweep_dir}")
            self._tell_resumed(sampler, space, names)
            self._write_results()  # the trials of a killed batch listed, an earlier stop no longer current
        return sampler

    def _run_batch(self, sampler: Sampler, points: list[list[Any]], names: list[str], fixed: list[str]) -> None:
        """Launch each point `repeats` times in one batch, then record a trial per point and tell
        the sampler: completed points with their mean, the others as failed."""
        repeats = self.settings.repeats
        batch = [
            [*fixed, *(override_text(name, value) for name, value in zip(names, point)), *self._repeat_overrides(repeat)]
            for point in points
            for repeat in range(repeats)
        ]
        returns = self.launcher.launch(batch, initial_job_idx=self.job_idx)
        told_points, told_values = [], []
        for index, point in enumerate(points):
            trial = self._record_trial(dict(zip(names, point)), returns[index * repeats:(index + 1) * repeats], self.job_idx + index * repeats)
            if trial["value"] is not None:
                told_points.append(point)
                told_values.append(minimised(trial["value"], self.direction))
        self.job_idx += len(returns)
        sampler.tell(told_points, told_values)
        sampler.tell_failed([point for point in points if point not in told_points])
        self._write_results()

    def _record_trial(self, params: dict[str, Any], runs: list[JobReturn], first_job: int) -> dict[str, Any]:
        """The trial of one configuration's runs, appended to the history; its failed runs counted."""
        values = [value for value in map(self._objective_of, runs) if value is not None]
        self.failed_runs += len(runs) - len(values)
        self.last_error = next((failure for failure in map(self._failure_of, reversed(runs)) if failure), self.last_error)
        trial = new_trial(len(self.trials), [first_job + r for r in range(len(runs))], params, values)
        self.trials.append(trial)
        return trial

    def _tell_resumed(self, sampler: Sampler, space: Space, names: list[str]) -> None:
        """Tell the sampler every resumed trial in the current space: completed ones with their
        value (they count toward its random start), failed ones as failed."""
        inside = [(trial, point) for trial in self.trials if in_space(point := [trial["params"].get(name) for name in names], space)]
        completed = [(point, trial["value"]) for trial, point in inside if trial["value"] is not None]
        if completed:
            sampler.tell([point for point, _ in completed], [minimised(value, self.direction) for _, value in completed])
        failed = [point for trial, point in inside if trial["value"] is None]
        if failed:
            sampler.tell_failed(failed)

    def _stop_over_budget(self, allowed_failures: int) -> None:
        """End the sweep with one line on stderr and Hydra's non-zero exit, without a traceback.

        SystemExit passes Hydra's error handler untouched; the recording callback's exit hook
        still writes the report.
        """
        s = self.settings
        reason = (
            f"{self.failed_runs} runs failed, more than max_failure_rate={s.max_failure_rate} allows"
            f" ({allowed_failures} of {s.n_trials * s.repeats} runs); last error: {self.last_error or 'none recorded'}"
        )
        self._end_early(reason)
        print(f"Skopt sweep stopped after {len(self.trials)} of {s.n_trials} trials: {reason}", file=sys.stderr, flush=True)
        raise SystemExit(1)

    def _end_early(self, reason: str) -> None:
        self.stopped = {"reason": reason, "at_trial": len(self.trials), "n_trials": self.settings.n_trials}
        self._write_results()

    def _repeat_overrides(self, repeat: int) -> list[str]:
        s = self.settings
        return [f"{s.repeat_key}={repeat}"] if s.repeats > 1 else []

    def _objective_of(self, run: JobReturn) -> float | None:
        """The run's objective, or None for a failed run (never a made-up score)."""
        if run.status != JobStatus.COMPLETED:
            return None
        result = run.return_value
        return self._objective_value(result if isinstance(result, dict) else {"objective": result}, run.hydra_cfg.hydra.job.num)

    def _record_value(self, record: dict[str, Any]) -> float | None:
        """The objective of a finished run read back from its result file, or None if it failed."""
        if record.get("status") != "completed" or not isinstance(record.get("metrics"), dict):
            return None
        return self._objective_value(record["metrics"], (record.get("job") or {}).get("num"))

    def _failure_of(self, run: JobReturn) -> str | None:
        """'Type: message' on one line for a failed run (the exception is in `_return_value`:
        reading `return_value` re-raises it); None for a completed one."""
        if run.status == JobStatus.COMPLETED:
            return None
        error = run._return_value
        return " ".join(f"{type(error).__name__}: {error}".split())

    def _objective_value(self, metrics: dict[str, Any], job: Any) -> float | None:
        if self.objective is None and metrics:
            self.objective = next(iter(metrics))
        if self.direction is None and self.objective is not None:
            self.direction = Direction(infer_direction(self.objective) or "min")
        value = metrics.get(self.objective)
        if not isinstance(value, (int, float)) or isinstance(value, bool) or not math.isfinite(value):
            log.warning(f"Job {job}: objective {self.objective!r} is {value!r}; not told to the optimiser")
            return None
        return float(value)

    def _write_results(self) -> None:
        """History and best configuration beside the runs, like the Optuna sweeper's file."""
        best = best_trial(self.trials, self.direction)
        results = {
            "name": "skopt",
            "sampler": self.settings.sampler,
            "objective": self.objective,
            "direction": None if self.direction is None else self.direction.value,
            "best_params": best and dict(best["params"]),
            "best_value": best and best["value"],
            "trials": self.trials,
        }
        if self.stopped:
            results["stopped"] = self.stopped
        write_atomically(self.sweep_dir / RESULTS_FILE, yaml.safe_dump(results, sort_keys=False))


def resumed_seed(seed: int | None, resumed_trials: int) -> int | None:
    """The sampler's seed: the setting's, or, for a resumed sweep, one drawn from it and the
    number of trials already run, so that its random draws do not repeat the first run's."""
    if seed is None or not resumed_trials:
        return seed
    return int(np.random.SeedSequence([seed, resumed_trials]).generate_state(1)[0])


def in_space(point: list[Any], space: Space) -> bool:
    try:
        return point in space
    except TypeError:  # a value of another type than its dimension's, e.g. None in a Real
        return False
