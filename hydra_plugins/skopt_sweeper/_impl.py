"""The sweep loop: suggest configurations, launch them (with repeats), tell the results back."""

from __future__ import annotations

import logging
import math
from pathlib import Path
from typing import Any, Sequence

import yaml
from hydra.core.plugins import Plugins
from hydra.core.utils import JobReturn, JobStatus
from hydra.types import HydraContext, TaskFunction
from omegaconf import DictConfig
from skopt.space import Space

from hydra_plugins.skopt_sweeper._space import search_space
from hydra_plugins.skopt_sweeper._suggest import make_sampler
from report.atomic import write_atomically
from report.objective import infer_direction
from report.runfile import RESULTS_FILE, override_text, without_key

log = logging.getLogger(__name__)


class SweepFailed(RuntimeError):
    """Too many runs failed to go on."""


ACQUISITION_FUNCTIONS = ("EI", "PI", "LCB")
DIRECTIONS = {None: None, "min": "min", "max": "max", "minimize": "min", "maximize": "max"}


class SkoptSweep:
    def __init__(self, **settings: Any) -> None:
        if settings["direction"] not in DIRECTIONS:
            raise ValueError(f"hydra.sweeper.direction={settings['direction']!r}: use min or max")
        if settings["acq_func"] not in ACQUISITION_FUNCTIONS:
            raise ValueError(f"hydra.sweeper.acq_func={settings['acq_func']!r}: use one of {', '.join(ACQUISITION_FUNCTIONS)}")
        for name in ("n_trials", "n_jobs", "repeats"):
            if settings[name] < 1:
                raise ValueError(f"hydra.sweeper.{name}={settings[name]}: must be at least 1")
        self.settings = {**settings, "direction": DIRECTIONS[settings["direction"]]}
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
        sampler = make_sampler(Space(list(dimensions.values())), s["sampler"], s["seed"], s["n_initial_points"], s["acq_func"], s["n_candidates"])
        self.sweep_dir.mkdir(parents=True, exist_ok=True)
        log.info(f"Skopt sweep ({s['sampler']}): {s['n_trials']} configurations x {s['repeats']} repeats over {', '.join(names)}")
        self.trials: list[dict[str, Any]] = []
        self.objective, self.direction = s["objective"], s["direction"]
        failed_runs, allowed_failures = 0, s["max_failure_rate"] * s["n_trials"] * s["repeats"]
        while len(self.trials) < s["n_trials"]:
            points = sampler.ask(min(s["n_jobs"], s["n_trials"] - len(self.trials)))
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
            self._write_results()
            if failed_runs > allowed_failures:
                raise SweepFailed(
                    f"{failed_runs} runs failed, more than max_failure_rate={s['max_failure_rate']} of "
                    f"{s['n_trials'] * s['repeats']} allows; stopped after {len(self.trials)} configurations"
                )

    def _repeat_overrides(self, repeat: int) -> list[str]:
        s = self.settings
        return [f"{s['repeat_key']}={repeat}"] if s["repeats"] > 1 else []

    def _objective_of(self, run: JobReturn) -> float | None:
        """The run's objective, or None for a failed run (never a made-up score)."""
        if run.status != JobStatus.COMPLETED:
            return None
        result = run.return_value
        metrics = result if isinstance(result, dict) else {"objective": result}
        if self.objective is None and metrics:
            self.objective = next(iter(metrics))
        if self.direction is None and self.objective is not None:
            self.direction = infer_direction(self.objective) or "min"
        value = metrics.get(self.objective)
        if not isinstance(value, (int, float)) or isinstance(value, bool) or not math.isfinite(value):
            log.warning(f"Job {run.hydra_cfg.hydra.job.num}: objective {self.objective!r} is {value!r}; not told to the optimiser")
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
        write_atomically(self.sweep_dir / RESULTS_FILE, yaml.safe_dump(results, sort_keys=False))


def best_trial(trials: Sequence[dict[str, Any]], direction: str) -> dict[str, Any] | None:
    completed = [trial for trial in trials if trial["value"] is not None]
    return min(completed, key=lambda t: t["value"] if direction == "min" else -t["value"], default=None)
