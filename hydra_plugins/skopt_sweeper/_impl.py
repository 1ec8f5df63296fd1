"""The sweep loop: suggest configurations, launch them (with repeats), tell the results back."""

from __future__ import annotations

import logging
import math
import sys
from pathlib import Path
from typing import Any, Sequence

import numpy as np
import yaml
from hydra.core.plugins import Plugins
from hydra.core.utils import JobReturn, JobStatus
from hydra.types import HydraContext, TaskFunction
from omegaconf import DictConfig
from skopt.space import Space

from hydra_plugins.skopt_sweeper._resume import earlier_goal, read_back
from hydra_plugins.skopt_sweeper._space import search_space
from hydra_plugins.skopt_sweeper._suggest import make_sampler
from report.jobfiles import write_atomically
from report.jobfiles import direction_word, infer_direction
from report.jobfiles import RESULTS_FILE, override_text, without_key

log = logging.getLogger(__name__)


EXHAUSTED = "search space exhausted"


ACQUISITION_FUNCTIONS = ("EI", "PI", "LCB")


class SkoptSweep:
    def __init__(self, **settings: Any) -> None:
        direction = settings["direction"]
        if direction is not None and direction_word(direction) is None:
            raise ValueError(f"hydra.sweeper.direction={direction!r}: use min or max (or minimize/maximize)")
        if settings["acq_func"] not in ACQUISITION_FUNCTIONS:
            raise ValueError(f"hydra.sweeper.acq_func={settings['acq_func']!r}: use one of {', '.join(ACQUISITION_FUNCTIONS)}")
        for name in ("n_trials", "n_jobs", "repeats"):
            if settings[name] < 1:
                raise ValueError(f"hydra.sweeper.{name}={settings[name]}: must be at least 1")
        self.settings = {**settings, "direction": None if direction is None else direction_word(direction)}
        self.job_idx = 0

    def setup(self, *, hydra_context: HydraContext, task_function: TaskFunction, config: DictConfig) -> None:
        self.launcher = Plugins.instance().instantiate_launcher(
            hydra_context=hydra_context, task_function=task_function, config=config
        )
        self.sweep_dir = Path(config.hydra.sweep.dir)

    def sweep(self, arguments: list[str]) -> None:
        s = self.settings
        dimensions, fixed = search_space(s["params"], arguments)
        if not dimensions:
            raise ValueError("hydra/sweeper=skopt: nothing to search; give ranges in hydra.sweeper.params or on the command line")
        names = list(dimensions)
        if s["repeats"] > 1:
            fixed, _ = without_key(fixed, s["repeat_key"])
        space = Space(list(dimensions.values()))
        self.sweep_dir.mkdir(parents=True, exist_ok=True)
        earlier_objective, earlier_direction = earlier_goal(self.sweep_dir)
        self.objective = s["objective"] or earlier_objective
        self.direction = s["direction"] or (earlier_direction if self.objective == earlier_objective else None)
        resumed = read_back(self.sweep_dir, names, self._record_value)
        self.trials: list[dict[str, Any]] = resumed.trials
        self.job_idx, self.stopped = resumed.next_job_idx, None
        sampler = make_sampler(space, s["sampler"], resumed_seed(s["seed"], len(self.trials)), s["n_initial_points"], s["acq_func"], s["n_candidates"])
        log.info(f"Skopt sweep ({s['sampler']}): {s['n_trials']} configurations x {s['repeats']} repeats over {', '.join(names)}")
        if self.job_idx:
            log.info(f"Resuming: {len(self.trials)} configurations ({resumed.runs} runs) already in {self.sweep_dir}")
            self._tell_resumed(sampler, space, names)
            self._write_results()  # the trials of a killed batch listed, an earlier stop no longer current
        failed_runs, last_error = resumed.failed_runs, resumed.last_error
        allowed_failures = math.floor(s["max_failure_rate"] * s["n_trials"] * s["repeats"] + 1e-9)
        while len(self.trials) < s["n_trials"]:
            if failed_runs > allowed_failures:
                self._stop_over_budget(failed_runs, allowed_failures, last_error)
            points = sampler.ask(min(s["n_jobs"], s["n_trials"] - len(self.trials)))
            if not points:
                self._end_early(EXHAUSTED)
                log.info(f"Skopt sweep stopped after {len(self.trials)} of {s['n_trials']} trials: {EXHAUSTED}")
                break
            batch = [
                [*fixed, *(override_text(name, value) for name, value in zip(names, point)), *self._repeat_overrides(repeat)]
                for point in points
                for repeat in range(s["repeats"])
            ]
            returns = self.launcher.launch(batch, initial_job_idx=self.job_idx)
            told_points, told_values = [], []
            for index, point in enumerate(points):
                runs = returns[index * s["repeats"]:(index + 1) * s["repeats"]]
                values = [value for value in map(self._objective_of, runs) if value is not None]
                failed_runs += len(runs) - len(values)
                last_error = next((failure for failure in map(self._failure_of, reversed(runs)) if failure), last_error)
                trial = {
                    "trial": len(self.trials),
                    "jobs": [self.job_idx + index * s["repeats"] + r for r in range(len(runs))],
                    "params": dict(zip(names, point)),
                    "value": sum(values) / len(values) if values else None,
                    "status": "completed" if values else "failed",
                }
                self.trials.append(trial)
                if values:
                    told_points.append(point)
                    told_values.append(trial["value"] if self.direction == "min" else -trial["value"])
            self.job_idx += len(returns)
            sampler.tell(told_points, told_values)
            sampler.tell_failed([point for point in points if point not in told_points])
            self._write_results()

    def _tell_resumed(self, sampler: Any, space: Space, names: list[str]) -> None:
        """Tell the sampler every resumed trial in the current space: completed ones with their
        value (they count toward its random start), failed ones as failed."""
        inside = [(trial, point) for trial in self.trials if in_space(point := [trial["params"].get(name) for name in names], space)]
        completed = [(point, trial["value"]) for trial, point in inside if trial["value"] is not None]
        if completed:
            sampler.tell([point for point, _ in completed], [value if self.direction == "min" else -value for _, value in completed])
        failed = [point for trial, point in inside if trial["value"] is None]
        if failed and hasattr(sampler, "tell_failed"):
            sampler.tell_failed(failed)

    def _stop_over_budget(self, failed_runs: int, allowed_failures: int, last_error: str | None) -> None:
        """End the sweep with one line on stderr and Hydra's non-zero exit, without a traceback.

        SystemExit passes Hydra's error handler untouched; the recording callback's exit hook
        still writes the report.
        """
        s = self.settings
        total = s["n_trials"] * s["repeats"]
        reason = (
            f"{failed_runs} runs failed, more than max_failure_rate={s['max_failure_rate']} allows"
            f" ({allowed_failures} of {total} runs); last error: {last_error or 'none recorded'}"
        )
        self._end_early(reason)
        print(f"Skopt sweep stopped after {len(self.trials)} of {s['n_trials']} trials: {reason}", file=sys.stderr, flush=True)
        raise SystemExit(1)

    def _end_early(self, reason: str) -> None:
        self.stopped = {"reason": reason, "at_trial": len(self.trials), "n_trials": self.settings["n_trials"]}
        self._write_results()

    def _repeat_overrides(self, repeat: int) -> list[str]:
        s = self.settings
        return [f"{s['repeat_key']}={repeat}"] if s["repeats"] > 1 else []

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
            self.direction = infer_direction(self.objective) or "min"
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
            "sampler": self.settings["sampler"],
            "objective": self.objective,
            "direction": self.direction,
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


def best_trial(trials: Sequence[dict[str, Any]], direction: str) -> dict[str, Any] | None:
    completed = [trial for trial in trials if trial["value"] is not None]
    return min(completed, key=lambda t: t["value"] if direction == "min" else -t["value"], default=None)
