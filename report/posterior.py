"""The configurations' true means, estimated together: a Gaussian process over the parameters.

Each configuration's true mean is a smooth function of its parameters plus an effect of its own
(a nugget on the latent mean, not on the observations), observed through its mean over repeats
with that configuration's own noise. The own effect is what keeps the model honest: a smooth
function alone can only put the best at an edge of a flat region, and would hand P(best) to the
ends of a plateau; with it, configurations that the data cannot tell apart stay exchangeable.
Hyperparameters (amplitude, one length scale per feature, the own-effect variance) are fitted by
maximum likelihood; a length scale at its upper bound then means "irrelevant" only when the
precise configurations say so, since each one is weighted by its own noise.
"""

from __future__ import annotations

import warnings
from typing import NamedTuple

import numpy as np
import pandas as pd
from scipy import linalg
from sklearn.exceptions import ConvergenceWarning
from sklearn.gaussian_process import GaussianProcessRegressor
from sklearn.gaussian_process.kernels import RBF, ConstantKernel, WhiteKernel

MIN_VARIANCE = 1e-10  # relative to the objective's spread: keeps the matrices invertible


class Posterior(NamedTuple):
    mean: pd.Series  # posterior mean of each configuration's true mean (lower is better)
    cov: np.ndarray  # posterior covariance, in the same order
    noise_var: float | None  # the model's noise of one run, where it had to learn it (no repeats)


def features(configs: pd.DataFrame, params: list[str], kinds: dict[str, str]) -> np.ndarray:
    """Parameters scaled to [0, 1] (log-scale ones in log space), categories one-hot, unset values
    flagged in a column of their own."""
    columns = []
    for name in params:
        values = configs[name]
        if kinds[name] in ("linear", "log"):
            numeric = values.astype(float)
            if kinds[name] == "log":
                numeric = np.log10(numeric.where(numeric > 0))
            span = numeric.max() - numeric.min()
            scaled = (numeric - numeric.min()) / span if span > 0 else numeric * 0
            columns.append(scaled.fillna(0).to_numpy()[:, None])
            if numeric.isna().any():  # a parameter unset in some configurations: its own feature
                columns.append(numeric.isna().to_numpy(dtype=float)[:, None])
        else:
            columns.append(pd.get_dummies(values.astype(str)).to_numpy(dtype=float))
    return np.hstack(columns) if columns else np.zeros((len(configs), 1))


def gp_posterior(X: np.ndarray, means: pd.Series, mean_var: pd.Series | None) -> Posterior:
    """The joint posterior of the true means given observed `means` and the variance of each
    (`mean_var`: seed noise over repeats); without it, a noise level is learnt instead."""
    centre, scale = float(means.mean()), float(means.std(ddof=0)) or 1.0
    y = ((means - centre) / scale).to_numpy()
    if len(y) < 3:
        variance = mean_var.to_numpy() if mean_var is not None else np.zeros(len(y))
        return Posterior(means.copy(), np.diag(variance), None)
    smooth = ConstantKernel(1.0, (1e-3, 1e2)) * RBF(np.full(X.shape[1], 0.3), (0.03, 30.0))
    own = WhiteKernel(0.05, (1e-6, 10.0))
    alpha = np.maximum(mean_var.to_numpy() / scale**2, MIN_VARIANCE) if mean_var is not None else MIN_VARIANCE
    with warnings.catch_warnings():  # a length scale at its bound is an answer here, not a problem
        warnings.simplefilter("ignore", ConvergenceWarning)
        fitted = GaussianProcessRegressor(smooth + own, alpha=alpha, random_state=0).fit(X, y).kernel_
    smooth_k, own_var = fitted.k1, float(fitted.k2.noise_level)
    if mean_var is None:  # no repeats: the fitted white term is the runs' noise, not the configurations'
        latent = smooth_k(X)
        observed = np.full(len(y), own_var + MIN_VARIANCE)
        noise_var = own_var * scale**2
    else:
        latent = smooth_k(X) + own_var * np.eye(len(y))
        observed = alpha
        noise_var = None
    mean, cov = _condition(latent, observed, y)
    return Posterior(pd.Series(centre + scale * mean, index=means.index), cov * scale**2, noise_var)


def _condition(latent: np.ndarray, observed: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Posterior mean and covariance of a zero-mean Gaussian vector with covariance `latent`, seen
    through independent noise of variances `observed` as `y`."""
    factor = linalg.cho_factor(latent + np.diag(observed), lower=True)
    mean = latent @ linalg.cho_solve(factor, y)
    cov = latent - latent @ linalg.cho_solve(factor, latent)
    return mean, (cov + cov.T) / 2


def probability_best(posterior: Posterior, draws: int, seed: int, groups: pd.Index) -> dict[int, float]:
    """Share of joint posterior draws in which each configuration is lowest; only plausible ones are drawn."""
    estimate, cov = posterior.mean, posterior.cov
    spread = np.sqrt(np.clip(np.diag(cov), 0, None))
    plausible = (estimate.to_numpy() - 5 * spread) <= (estimate.to_numpy() + 5 * spread).min()
    candidates = estimate.index[plausible]
    rng = np.random.default_rng(seed)
    samples = rng.multivariate_normal(estimate[candidates].to_numpy(), cov[np.ix_(plausible, plausible)], size=draws, method="eigh")
    wins = np.bincount(samples.argmin(axis=1), minlength=len(candidates)) / draws
    probabilities = dict.fromkeys((int(g) for g in groups), 0.0)
    probabilities.update({int(g): float(p) for g, p in zip(candidates, wins)})
    return probabilities
