"""Seed noise per configuration: each one's own spread, shrunk toward a common value where it has
few repeats.

Three repeats measure a standard deviation to within a factor of about two, so using each
configuration's own spread as is would make lucky tight ones look certain; pooling all of them
would hide a configuration (an unscaled model, a large learning rate) that really is noisier.
The compromise is empirical Bayes on the log-variances, as limma does for gene expression (Smyth
2004, "Linear models and empirical Bayes methods for assessing differential expression"): the
sample variances are modelled as scaled chi-square around a common prior variance s0² with d0
degrees of freedom of prior information, d0 and s0² are estimated from all configurations, and
each configuration's variance is the weighted mean (d0 s0² + d s²) / (d0 + d). Its uncertainty
is a Student-t with d0 + d degrees of freedom.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np
from scipy import optimize, special, stats

MAX_PRIOR_DOF = 1e6  # "infinitely" sure: every configuration has the common variance
UNEQUAL_RATIO = 3.0  # configurations whose noise sd is this many times the quieter ones' are named


class NoiseModel(NamedTuple):
    sd: np.ndarray  # moderated standard deviation of one run, per configuration
    dof: np.ndarray  # degrees of freedom of each sd (prior plus own repeats)
    common_sd: float  # the prior: the typical seed noise of one run
    prior_dof: float  # how much the configurations agree on it (large: equal noise everywhere)


def moderated_noise(std: np.ndarray, counts: np.ndarray, groups: np.ndarray | None = None) -> NoiseModel | None:
    """Shrunk per-configuration noise from each one's sample sd and run count; None when no
    configuration has two runs (seed noise is then not measured at all).

    `groups` (one-hot columns, one row per configuration) lets the common level differ between
    categorical values, as limma-trend lets it follow a covariate: when unscaled inputs make every
    run noisy, the scaled configurations are shrunk toward the scaled ones' level, not toward a
    level that their noisy neighbours pulled up.
    """
    std, counts = np.asarray(std, dtype=float), np.asarray(counts, dtype=float)
    dof = np.clip(counts - 1, 0, None)
    measured = (dof > 0) & np.isfinite(std)
    if not measured.any():
        return None
    variances = np.where(measured, std, 0.0) ** 2
    design = _design(groups, measured, len(std))
    prior_dof, prior_log_var = _prior(variances[measured], dof[measured], design[measured])
    prior_var = np.exp(design @ prior_log_var)
    own = np.where(measured, dof, 0.0)
    moderated = (prior_dof * prior_var + own * variances) / (prior_dof + own)
    common = float(np.exp(np.mean(design[measured] @ prior_log_var)))
    return NoiseModel(np.sqrt(moderated), prior_dof + own, math.sqrt(common), prior_dof)


def _design(groups: np.ndarray | None, measured: np.ndarray, count: int) -> np.ndarray:
    """An intercept, and the group columns where enough configurations were repeated to fit them
    (three residual degrees of freedom at least)."""
    intercept = np.ones((count, 1))
    if groups is None or groups.shape[1] == 0:
        return intercept
    design = np.hstack([intercept, np.asarray(groups, dtype=float)])
    rank = np.linalg.matrix_rank(design[measured])
    return design if measured.sum() - rank >= 3 else intercept


def _prior(variances: np.ndarray, dof: np.ndarray, design: np.ndarray) -> tuple[float, np.ndarray]:
    """(d0, coefficients of log s0²) from the moments of the log-variances, as limma's fitFDist:
    z = log s² - ψ(d/2) + log(d/2) has mean log s0² - ψ(d0/2) + log(d0/2) (here a linear model
    in `design`) and variance ψ'(d/2) + ψ'(d0/2)."""
    floor = max(float(np.median(variances[variances > 0])) if (variances > 0).any() else 1.0, 1e-300) * 1e-8
    z = np.log(np.maximum(variances, floor)) - special.digamma(dof / 2) + np.log(dof / 2)
    coefficients, *_ = np.linalg.lstsq(design, z, rcond=None)
    residual_dof = len(z) - np.linalg.matrix_rank(design)
    residuals = z - design @ coefficients
    excess = float((residuals**2).sum() / residual_dof - np.mean(special.polygamma(1, dof / 2))) if residual_dof > 0 else 0.0
    prior_dof = 2 * _inverse_trigamma(excess) if excess > 0 else MAX_PRIOR_DOF
    if prior_dof < MAX_PRIOR_DOF:
        coefficients = coefficients.copy()
        coefficients[0] += special.digamma(prior_dof / 2) - math.log(prior_dof / 2)
    return min(prior_dof, MAX_PRIOR_DOF), coefficients


def _inverse_trigamma(value: float) -> float:
    """x with ψ'(x) = value (ψ' decreases from infinity to 0)."""
    return float(optimize.brentq(lambda x: special.polygamma(1, x) - value, 1e-8, 1e8))


def usual_noise(sd: np.ndarray) -> float:
    """The quieter configurations' noise (the lower quartile of `sd`, one per configuration): the
    level others are called noisier than. When half of a sweep is noisy, the median would sit
    between the two levels, and a mean would be the noisy half's."""
    return float(np.quantile(sd, 0.25))


def noisier_than_usual(sd: np.ndarray) -> np.ndarray:
    """Which configurations' noise (`sd`, one per configuration) is clearly above the usual."""
    return sd > UNEQUAL_RATIO * usual_noise(sd)


def t_inflation(dof: np.ndarray) -> np.ndarray:
    """How much wider a Student-t with `dof` degrees of freedom is than a normal at the one-sided
    95% point, squared: a variance known from few repeats, made as wide as its uncertainty."""
    z = stats.norm.ppf(0.95)
    return (stats.t.ppf(0.95, np.maximum(dof, 1.0)) / z) ** 2
