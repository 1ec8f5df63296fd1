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
from scipy import optimize, special

MAX_PRIOR_DOF = 1e6  # "infinitely" sure: every configuration has the common variance
UNEQUAL_RATIO = 3.0  # configurations whose noise sd is this many times the common one are named


class NoiseModel(NamedTuple):
    sd: np.ndarray  # moderated standard deviation of one run, per configuration
    dof: np.ndarray  # degrees of freedom of each sd (prior plus own repeats)
    common_sd: float  # the prior: the typical seed noise of one run
    prior_dof: float  # how much the configurations agree on it (large: equal noise everywhere)


def moderated_noise(std: np.ndarray, counts: np.ndarray) -> NoiseModel | None:
    """Shrunk per-configuration noise from each one's sample sd and run count; None when no
    configuration has two runs (seed noise is then not measured at all)."""
    std, counts = np.asarray(std, dtype=float), np.asarray(counts, dtype=float)
    dof = np.clip(counts - 1, 0, None)
    measured = (dof > 0) & np.isfinite(std)
    if not measured.any():
        return None
    variances = np.where(measured, std, 0.0) ** 2
    prior_dof, prior_var = _prior(variances[measured], dof[measured])
    own = np.where(measured, dof, 0.0)
    moderated = (prior_dof * prior_var + own * variances) / (prior_dof + own)
    return NoiseModel(np.sqrt(moderated), prior_dof + own, math.sqrt(prior_var), prior_dof)


def _prior(variances: np.ndarray, dof: np.ndarray) -> tuple[float, float]:
    """(d0, s0²) from the moments of the log-variances, as limma's fitFDist: z = log s² - ψ(d/2) + log(d/2)
    has mean log s0² - ψ(d0/2) + log(d0/2) and variance ψ'(d/2) + ψ'(d0/2)."""
    floor = max(float(np.median(variances[variances > 0])) if (variances > 0).any() else 1.0, 1e-300) * 1e-8
    z = np.log(np.maximum(variances, floor)) - special.digamma(dof / 2) + np.log(dof / 2)
    excess = float(np.var(z, ddof=1) - np.mean(special.polygamma(1, dof / 2))) if len(z) > 1 else 0.0
    if excess <= 0:
        prior_dof = MAX_PRIOR_DOF
    else:
        prior_dof = 2 * _inverse_trigamma(excess)
    log_var = float(np.mean(z)) + (special.digamma(prior_dof / 2) - math.log(prior_dof / 2) if prior_dof < MAX_PRIOR_DOF else 0.0)
    return min(prior_dof, MAX_PRIOR_DOF), math.exp(log_var)


def _inverse_trigamma(value: float) -> float:
    """x with ψ'(x) = value (ψ' decreases from infinity to 0)."""
    return float(optimize.brentq(lambda x: special.polygamma(1, x) - value, 1e-8, 1e8))


def noisier_than_usual(noise: NoiseModel) -> np.ndarray:
    """Which configurations are clearly noisier than the common seed noise."""
    return noise.sd > UNEQUAL_RATIO * noise.common_sd
