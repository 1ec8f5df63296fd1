"""The skopt sweeper learns where runs crash and never proposes a configuration twice."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import yaml
from conftest import NO_REPORT, RECORD, multirun
from skopt.acquisition import gaussian_ei
from skopt.space import Categorical, Integer, Real, Space

from hydra_plugins.skopt_sweeper._feasibility import feasibility
from hydra_plugins.skopt_sweeper._suggest import log_gaps, make_sampler

CRASHY = [str(Path(__file__).parent / "apps" / "crashy.py")]
STARTS = 8


def test_a_sweep_with_a_crash_region_completes_without_duplicates_and_learns_where_runs_fail(module_dir):
    process, sweep = multirun(
        module_dir, CRASHY, RECORD, NO_REPORT, "hydra/sweeper=skopt", "hydra.sweeper.sampler=gp", "hydra.sweeper.n_trials=30",
        f"hydra.sweeper.n_initial_points={STARTS}", "hydra.sweeper.max_failure_rate=0.9",
        "+x=interval(0.0,1.0)", "+y=interval(0.0,1.0)", sweep_dir="crash-region",
    )
    assert process.returncode == 0, process.stderr
    trials = yaml.safe_load((sweep / "optimization_results.yaml").read_text())["trials"]
    assert len(trials) == 30
    points = [tuple(trial["params"].values()) for trial in trials]
    assert len(set(points)) == len(points), "no configuration proposed twice"
    failed = [trial["status"] == "failed" for trial in trials]
    assert failed == [trial["params"]["+x"] > 0.75 for trial in trials]
    late = failed[STARTS + sum(failed[:STARTS]):]  # the random start lasts until STARTS runs completed
    assert sum(late) <= 0.15 * len(late), f"{sum(late)} of {len(late)} model-guided trials failed"


def test_a_small_discrete_space_is_proposed_once_each_and_then_runs_dry():
    sampler = make_sampler(Space([Integer(1, 3), Categorical(["a", "b"])]), "gp", 0, n_initial_points=2, acq_func="EI", n_candidates=200)
    proposed = []
    for _ in range(6):
        point = sampler.ask(1)[0]
        proposed.append(tuple(point))
        sampler.tell([point], [float(point[0]) + (point[1] == "b")])
    assert sorted(proposed) == [(x, c) for x in (1, 2, 3) for c in ("a", "b")]
    assert sampler.ask(1) == []


def test_failed_configurations_are_never_proposed_again_even_untold():
    """skopt's ask() returns the same cached point until something is told (its issues #302, #618)."""
    sampler = make_sampler(Space([Integer(1, 4), Integer(1, 4)]), "gp", 0, n_initial_points=3, acq_func="EI", n_candidates=100)
    seen = []
    for _ in range(12):
        point = sampler.ask(1)[0]
        seen.append(tuple(point))
        if point[0] >= 3:
            sampler.tell_failed([point])
        else:
            sampler.tell([point], [float(point[0] + point[1])])
    assert len(set(seen)) == len(seen)


def test_feasibility_learns_a_crash_region_along_the_parameter_that_causes_it():
    space = Space([Real(0.0, 1.0), Real(0.0, 1.0)])
    completed = [[x, y] for x in (0.1, 0.3, 0.5) for y in (0.1, 0.5, 0.9)]
    failed = [[x, y] for x in (0.85, 0.95) for y in (0.2, 0.8)]
    crash, safe = feasibility(*(np.array(space.transform(p)) for p in ([[0.9, 0.5], [0.3, 0.3]], completed, failed)))
    assert crash < 0.1 < 0.9 < safe, "no failure at y=0.5, but the region is x > 0.8 whatever y"


def test_far_from_every_run_the_chance_of_completing_is_the_sweeps_rate():
    space = Space([Real(0.0, 1.0)])
    completed, failed = [[0.0], [0.05], [0.1], [0.2]], [[0.15]]
    (far,) = feasibility(*(np.array(space.transform(p)) for p in ([[0.9]], completed, failed)))
    assert abs(far - (len(completed) + 1) / (len(completed) + len(failed) + 2)) < 0.05


def test_in_a_discrete_space_the_model_proposes_the_best_point_of_its_acquisition_over_every_point():
    """20,000 points: far more than the 2,000 candidates a sample would look at."""
    space = Space([Integer(0, 199), Integer(0, 99)])
    sampler = make_sampler(space, "gp", 3, n_initial_points=8, acq_func="EI", n_candidates=2000)
    rng = np.random.default_rng(0)
    for _ in range(15):
        point = sampler.ask(1)[0]
        sampler.tell([point], [float((point[0] - 137) ** 2 / 4e4 + (point[1] - 61) ** 2 / 1e4 + rng.normal(0, 0.01))])
    told = {tuple(point) for point in sampler.optimizer.Xi}
    every = [list(point) for point in itertools.product(range(200), range(100)) if point not in told]
    model = sampler.optimizer.models[-1]
    expected = gaussian_ei(space.transform(every), model, y_opt=float(np.min(log_gaps(sampler.optimizer.yi))))  # the scores as the GP learnt them
    best = every[int(np.argmax(expected))]
    assert sampler.ask(1) == [best]


def test_the_gaussian_process_learns_log_gaps_to_the_best_run_in_the_same_order():
    scores = [52.64, 52.70, 58.39, 53.01, 52.64]
    gaps = log_gaps(scores)
    assert np.isfinite(gaps).all()
    assert list(np.argsort(gaps, kind="stable")) == list(np.argsort(scores, kind="stable"))
    assert gaps[0] == gaps[4] == np.log(0.1 * (58.39 - 52.64))  # the best: its offset alone
    # near the best the scale is stretched: 52.70 lies 1% of the way from the best to the worst, 4% in log gaps
    assert (gaps[1] - gaps[0]) / (gaps[2] - gaps[0]) > 3 * (52.70 - 52.64) / (58.39 - 52.64)
    assert list(log_gaps([3.0, 3.0])) == [3.0, 3.0]  # no range: as they are
    assert list(log_gaps([-1e308, 1e308])) == [-1e308, 1e308]  # a range that overflows: as they are
