"""Where runs fail, learnt from the runs so far: the probability that a run at a candidate
completes, and the acquisition scores weighted by it, so that the model sampler stays out of
crash regions (constrained EI, Gelbart, Snoek & Adams 2014)."""

from __future__ import annotations

import itertools

import numpy as np

PRIOR_RUNS = 0.2  # pseudo-runs at the overall completion rate in the feasibility estimate
LIKELY_TO_COMPLETE = 0.7  # candidates less likely to complete are tried only when no other is left
FEASIBILITY_WIDTHS = (0.03, 0.06, 0.12, 0.25, 0.5, 1e3)  # per dimension of the unit cube; the last: irrelevant


def feasibility(points: np.ndarray, completed: np.ndarray, failed: np.ndarray, widths: np.ndarray | None = None) -> np.ndarray:
    """The probability that a run at each of `points` completes, from the runs that completed or
    failed (all in skopt's transformed space): a kernel-weighted share of completed runs, shrunk
    toward the sweep's overall completion rate by PRIOR_RUNS pseudo-runs (so that far from any
    run it is that rate, and deep in a crash region it falls toward zero: expected improvement is
    largest where the model knows least, which is where runs crashed, so only a small chance of
    completing keeps it off).

    The kernel has a width per dimension of the unit cube (`feasibility_widths` when not given)."""
    evaluated = np.vstack([completed, failed])
    unit = _unit_cube(np.vstack([points, evaluated]))
    here, there = unit[: len(points)], unit[len(points):]
    ok = np.r_[np.ones(len(completed)), np.zeros(len(failed))]
    rate = (len(completed) + 1) / (len(evaluated) + 2)
    if widths is None:
        widths = feasibility_widths(completed, failed)
    weights = np.exp(-squared_distances(here / widths, there / widths) / 2)
    return (PRIOR_RUNS * rate + weights @ ok) / (PRIOR_RUNS + weights.sum(axis=1))


def feasibility_widths(completed: np.ndarray, failed: np.ndarray) -> np.ndarray:
    """The feasibility kernel's width per dimension, each from FEASIBILITY_WIDTHS, under which
    every evaluated run's outcome is best predicted from the others (leave-one-out likelihood):
    a crash region that depends on one parameter is learnt along it, scattered crashes as noise."""
    ok = np.r_[np.ones(len(completed)), np.zeros(len(failed))]
    rate = (len(completed) + 1) / (len(ok) + 2)
    return _feasibility_widths(_unit_cube(np.vstack([completed, failed])), ok, rate)


def squared_distances(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """[i][j]: squared distance between rows a_i and b_j, by one matrix product."""
    return np.maximum((a**2).sum(axis=1)[:, None] + (b**2).sum(axis=1)[None, :] - 2 * a @ b.T, 0.0)


def _feasibility_widths(unit: np.ndarray, ok: np.ndarray, rate: float) -> np.ndarray:
    """Per-dimension widths by leave-one-out likelihood: every combination for up to three
    dimensions, else one dimension at a time from the best common width (coordinate search from
    an arbitrary start sticks where one parameter is called irrelevant and the other decides)."""
    dims = unit.shape[1]
    if dims <= 3:
        return np.array(max(itertools.product(FEASIBILITY_WIDTHS, repeat=dims), key=lambda w: _leave_one_out(unit, ok, rate, np.array(w))))
    widths = np.full(dims, max(FEASIBILITY_WIDTHS, key=lambda w: _leave_one_out(unit, ok, rate, np.full(dims, w))))
    for _ in range(2):
        for dim in range(dims):
            def likelihood(width: float, dim: int = dim) -> float:
                return _leave_one_out(unit, ok, rate, np.r_[widths[:dim], width, widths[dim + 1:]])
            widths[dim] = max(FEASIBILITY_WIDTHS, key=likelihood)
    return widths


def _leave_one_out(unit: np.ndarray, ok: np.ndarray, rate: float, widths: np.ndarray) -> float:
    """Log-likelihood of each run's outcome predicted from the other runs under `widths`."""
    scaled = unit / widths
    weights = np.exp(-squared_distances(scaled, scaled) / 2)
    np.fill_diagonal(weights, 0.0)
    completes = (PRIOR_RUNS * rate + weights @ ok) / (PRIOR_RUNS + weights.sum(axis=1))
    return float(np.sum(np.log(np.where(ok == 1, completes, 1 - completes))))


def constrained(scores: np.ndarray, completes: np.ndarray, acq_func: str) -> np.ndarray:
    """skopt's scores are minimised: EI and PI come negated, so weighting them by the chance of
    completing is a product; LCB is a bound, so a candidate likely to fail is pushed back by the
    scores' spread instead. Candidates below LIKELY_TO_COMPLETE come after every other one:
    once the optimum near a crash boundary is found, expected improvement is largest in the crash
    region, where the model knows least, and even a small chance of completing would win there."""
    if acq_func in ("EI", "PI"):
        weighted = scores * completes
    else:
        weighted = scores + (1 - completes) * (np.ptp(scores) + 1.0)
    likely = completes >= LIKELY_TO_COMPLETE
    if likely.any():
        weighted = np.where(likely, weighted, weighted.max() + np.ptp(weighted) + 1.0 - completes)
    return weighted


def _unit_cube(columns: np.ndarray) -> np.ndarray:
    """Transformed points (one-hot for categories) with each column scaled to [0, 1] by its range."""
    columns = np.asarray(columns, dtype=float)
    low, span = columns.min(axis=0), np.ptp(columns, axis=0)
    return (columns - low) / np.where(span > 0, span, 1.0)
