"""The configurations' true means, estimated together: a Gaussian process over the parameters.

Each configuration's true mean is a smooth function of its parameters plus an effect of its own
(a nugget on the latent mean, not on the observations), observed through its mean over repeats
with that configuration's own noise. The own effect keeps the model honest: a smooth function
alone can only put the best at an edge of a flat region and would hand P(best) to the ends of a
plateau; with it, configurations that the data cannot tell apart stay exchangeable.

The smooth part's amplitude and length scales are fitted by maximum likelihood on the most
promising configurations; a length scale may grow until a parameter is flat, so that one that
does not matter cannot tilt its ties toward the ends of its range. Maximum likelihood seldom
makes it quite flat, though: with repeats, the posterior also averages over the smooth part with
the parameters that the runs do not clearly need made flat, so that configurations differing only
in those tie (see _relevance for the measurements). The own-effect variance (or,
without repeats, the noise and own effect together) is integrated over a grid, each value weighted
by its likelihood. Without repeats that variance may also differ between the values of categorical
parameters (one optimizer's runs noisier than another's), where the runs say so clearly enough;
and where no configuration shares a parameter value with another (one run each of several models)
there is no similar configuration to learn noise from, so they are taken as exchangeable.
"""

from __future__ import annotations

import warnings
from typing import NamedTuple

import numpy as np
import pandas as pd
from scipy import linalg
from scipy.special import logsumexp
from sklearn.exceptions import ConvergenceWarning
from sklearn.gaussian_process import GaussianProcessRegressor
from sklearn.gaussian_process.kernels import RBF, ConstantKernel, Kernel, WhiteKernel

from report.analysis.noise import usual_noise
from report.formatting import power_of_two_unit

MIN_VARIANCE = 1e-10  # relative to the objective's spread: keeps the matrices invertible
FIT_POINTS = 250  # configurations the kernel's shape is fitted on: the cost grows with their cube
LENGTH_BOUND = 1e5  # features span [0, 1]: a length scale this long is a flat direction
ROUNDING = 1e-10  # eigenvalues of a posterior covariance this small relative to its largest are zero
TIED = 1e-12  # draws this close (relative) are one value: the model cannot tell them apart
# Variances independent between configurations, relative to the objective's spread, over which
# the posterior is integrated (a flat prior in log scale).
INDEPENDENT_GRID = 10.0 ** np.arange(-5.0, 1.01, 0.5)
# Without repeats, the share of that independent variance which is each configuration's own effect
# (part of its true mean) rather than seed noise. One run per configuration cannot tell the two
# apart (every share has the same likelihood), so the posterior averages over these, equally.
# Taking all of it for noise made model-based P(best) overconfident: on benchmarks/recommendation.py's
# no_repeats family (1,500 sweeps, seed 7) P(best) of 0.85 came true 0.68 of the time, 0.975 0.90;
# averaged over 0 and 1/2 the largest gap went from 0.167 to 0.060 (ECE over predictions >= 0.1
# from 0.059 to 0.026) and the regret from 0.561 to 0.546 of argmax's. Shares up to 3/4, or 1/2
# alone, did worse (on 400 sweeps: largest gap 0.27 and 0.32, regret 0.60 and 0.65).
OWN_SHARES = (0.0, 0.5)
# Without repeats, noise that may differ between categories (see _noise_models). On benchmarks/recommendation.py's
# no_repeats_categorical family (300 sweeps at seeds 2026 and 7), against one noise level for all: credible-set
# coverage 0.923 and 0.903 became 0.990 and 0.963, the pick's bound 0.847 and 0.787 became 0.950 and 0.907, the
# largest calibration gap 0.327 and 0.322 became 0.077 and 0.159 (a calibrated P(best): up to 0.19 and 0.20), and
# the regret 0.52 and 0.69 of argmax's became 0.31 and 0.46. Two rounds instead of three: bound 0.923 and 0.890. A
# ridge of 0.1 or 0.02 did as well within noise (bound 0.957 and 0.910), but picked a worse configuration in one of
# test_recommend.py's optimizer sweeps.
SPREAD_RIDGE = 0.5  # the prior precision of a log-ratio of noise variances between categories
SPREAD_ROUNDS = 3  # alternations of the noise level, its spread between categories and the smooth part
SPREAD_STEPS = 50  # Newton steps at most for the spread between categories (a dozen or fewer converge)
SPREAD_LIMIT = 1e4  # the noise variance of a configuration is kept within this factor of the typical one, either way


class Posterior(NamedTuple):
    samples: np.ndarray  # [draw][configuration]: joint draws of the true means (lower is better)
    mean: np.ndarray  # the draws' expected value, without their sampling noise (see gp_posterior)
    index: pd.Index  # the configurations' groups, in the samples' column order
    noise_var: float | None  # without repeats: the usual (see usual_noise) variance of one run beyond the smooth part (noise, or partly own effect)
    pick_errors: np.ndarray  # true minus estimated mean of whatever looks best, in replayed sweeps
    noise_spread: np.ndarray  # without repeats: each configuration's learnt noise variance over the usual; ones with repeats


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
            numeric = numeric / power_of_two_unit(numeric)  # spans of ±1e308 would overflow; exact, 1 elsewhere
            span = numeric.max() - numeric.min()
            scaled = (numeric - numeric.min()) / span if span > 0 else numeric * 0
            columns.append(scaled.fillna(0).to_numpy()[:, None])
            if numeric.isna().any():  # a parameter unset in some configurations: its own feature
                columns.append(numeric.isna().to_numpy(dtype=float)[:, None])
        else:
            columns.append(pd.get_dummies(values.astype(str)).to_numpy(dtype=float))
    return np.hstack(columns) if columns else np.zeros((len(configs), 1))


def category_columns(configs: pd.DataFrame, params: list[str], kinds: dict[str, str]) -> np.ndarray:
    """One-hot columns of the categorical and boolean parameters, the first value of each dropped."""
    columns = [pd.get_dummies(configs[name].astype(str), drop_first=True, dtype=float).to_numpy()
               for name in params if kinds[name] in ("categorical", "boolean")]
    return np.hstack(columns) if columns else np.zeros((len(configs), 0))


def alone(configs: pd.DataFrame, params: list[str], kinds: dict[str, str]) -> bool:
    """Whether no configuration is similar to another: every parameter categorical (or boolean),
    and each configuration with values no other has (a sweep over one categorical parameter)."""
    return all(kinds[name] in ("categorical", "boolean") and configs[name].astype(str).is_unique for name in params)


def gp_posterior(
    X: np.ndarray, means: pd.Series, mean_var: pd.Series | None, draws: int, seed: int, categories: np.ndarray | None = None,
    exchangeable: bool = False,
) -> Posterior:
    """Joint draws of the true means given observed `means` and the variance of each (`mean_var`:
    seed noise over repeats); without it, the noise of a run is learnt instead, and may differ
    between the values of the categorical parameters (`categories`: their one-hot columns).
    `exchangeable` (without repeats): no configuration is similar to another (each has a value
    of a categorical parameter of its own, see `alone`), so noise cannot be learnt from how much
    similar ones differ; the configurations are then taken as exchangeable, a common mean and all
    else independent (noise, or partly own effects), and a difference is believed only as far as
    the spread of the means allows: a smooth part would take every difference for real.

    The kernel's shape (amplitude, length scales) is fitted by maximum likelihood; the variance
    that is independent between configurations (their own effects, or the noise when there are no
    repeats) is integrated over a grid, each value weighted by its likelihood: a point estimate of
    it would decide alone whether near-equal configurations look different or tied.
    """
    centre, scale = float(means.mean()), float(means.std(ddof=0)) or 1.0
    y = ((means - centre) / scale).to_numpy()
    rng = np.random.default_rng(seed)
    if len(y) < 2 or (len(y) < 3 and not exchangeable):
        variance = mean_var.to_numpy() if mean_var is not None else np.zeros(len(y))
        samples = means.to_numpy() + rng.standard_normal((draws, len(y))) * np.sqrt(variance)
        return Posterior(samples, means.to_numpy(), means.index, None, np.zeros(1), np.ones(len(y)))
    alpha = np.maximum(mean_var.to_numpy() / scale**2, MIN_VARIANCE) if mean_var is not None else None
    fit = slice(0, FIT_POINTS)  # the configurations come most promising first
    kernel = None if exchangeable else _fit_smooth(X[fit], y[fit], MIN_VARIANCE if alpha is None else alpha[fit])
    smooth = np.ones((len(y), len(y))) if kernel is None else kernel(X)
    # Each component: (the smooth part's covariance, own-effect variance per configuration, each
    # mean's noise variance), and its weight.
    components: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
    weights: list[float] = []
    if alpha is None:  # no repeats: the independent part is seed noise, or partly each configuration's own effect
        models = [(smooth, np.ones(len(y)), 1.0)] if kernel is None else _noise_models(X, y, kernel, categories)
        for covariance, spread, weight in models:
            # Every share of a level has that level's likelihood: one factorisation per level, its weight shared equally.
            by_level = _weights([_log_likelihood(covariance, level * spread, y) for level in INDEPENDENT_GRID])
            components += [(covariance, share * level * spread, (1 - share) * level * spread) for level in INDEPENDENT_GRID for share in OWN_SHARES]
            weights += list(np.repeat(weight * by_level / len(OWN_SHARES), len(OWN_SHARES)))
    else:
        log_weights: list[float] = []
        for covariance, by_level in _relevance(X, y, kernel, alpha):  # with repeats, a kernel was fitted
            components += [(covariance, np.full(len(y), level), alpha) for level in INDEPENDENT_GRID]
            log_weights += list(by_level)
        weights = list(_weights(log_weights))
    counts = rng.multinomial(draws, np.array(weights) / sum(weights))
    # The mean is each drawn component's own, weighted by its draws: the draws' average would add
    # their sampling noise, enough to reorder configurations whose estimates are close.
    parts, errors, mean = [], [], np.zeros(len(y))
    for (covariance, own, observed), count in zip(components, counts):
        if count:
            latent = covariance + np.diag(own)
            smoother = _smoother(latent, observed)
            drawn = _draw(smoother @ y, latent - smoother @ latent, count, rng)
            parts.append(drawn)
            errors.append(_pick_errors(drawn, smoother, observed, rng))
            mean += count / draws * (smoother @ y)
    samples, mean, errors = centre + scale * np.vstack(parts), centre + scale * mean, scale * np.concatenate(errors)
    if alpha is None:
        run_var = sum(weight * (own + observed) for (_, own, observed), weight in zip(components, weights)) / sum(weights) * scale**2
        typical = usual_noise(np.sqrt(run_var)) ** 2  # the level the noise check calls others noisier than
        return Posterior(samples, mean, means.index, typical, errors, run_var / typical)
    return Posterior(samples, mean, means.index, None, errors, np.ones(len(y)))


def _noise_models(X: np.ndarray, y: np.ndarray, kernel: Kernel, categories: np.ndarray | None) -> list[tuple[np.ndarray, np.ndarray, float]]:
    """Without repeats: (the smooth part's covariance, each configuration's noise variance over a
    common level, the model's weight). Equal noise, with the smooth part `kernel` fitted so; and
    where the configurations have categorical parameters, noise that differs between their values,
    learnt from how far each configuration lies from what the others predict of it (leave-one-out)
    as a log-linear model in the categories, with the smooth part fitted again beside it. The two
    are weighted by their likelihoods, the second penalised as BIC would for its extra parameters,
    so that equal noise stays the answer unless the runs clearly say otherwise."""
    smooth, equal = kernel(X), np.ones(len(y))
    if categories is None or categories.shape[1] == 0 or len(y) < 2 * (categories.shape[1] + 1) + 3:
        return [(smooth, equal, 1.0)]
    design = np.hstack([np.ones((len(y), 1)), categories])
    spread, unequal, fit = equal, smooth, slice(0, FIT_POINTS)
    for _ in range(SPREAD_ROUNDS):  # the level, the spread and the smooth part, each fitted given the others
        level = INDEPENDENT_GRID[np.argmax([_log_likelihood(unequal, level * spread, y) for level in INDEPENDENT_GRID])]
        precision = linalg.cho_solve(linalg.cho_factor(unequal + np.diag(level * spread), lower=True), np.eye(len(y)))
        left_out = (precision @ y) ** 2 / np.diag(precision)  # each configuration's squared leave-one-out z-score
        spread = spread * _log_linear_variance(design, left_out)
        spread = np.clip(spread / np.exp(np.mean(np.log(spread))), 1 / SPREAD_LIMIT, SPREAD_LIMIT)
        kernel = _fit_smooth(X[fit], y[fit], np.maximum(level * spread[fit], MIN_VARIANCE), kernel)
        unequal = kernel(X)
    likelihood = [
        logsumexp([_log_likelihood(covariance, level * candidate, y) for level in INDEPENDENT_GRID])
        for covariance, candidate in ((smooth, equal), (unequal, spread))
    ]
    penalty = 0.5 * categories.shape[1] * np.log(len(y))
    weight = 1.0 / (1.0 + np.exp(np.clip(likelihood[0] - likelihood[1] + penalty, -700, 700)))
    return [(smooth, equal, 1.0 - weight), (unequal, spread, weight)]


def _relevance(X: np.ndarray, y: np.ndarray, kernel: Kernel, observed: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
    """With repeats: the smooth part's covariance as fitted, and with the parameters that the runs
    do not clearly need made flat (the two equally likely a priori); each with its log-likelihood
    at each independent level of INDEPENDENT_GRID.
    Maximum likelihood leaves a parameter that does nothing a long but finite length scale (noise
    makes it look slightly useful), enough to rank configurations that differ only in it; with the
    flat kernel in the average, they tie. A feature column (a numeric parameter, one category of a
    categorical one, a parameter's unset flag) is flattened where that alone costs less
    likelihood than BIC's penalty for it (the other hyperparameters kept as fitted, which favours
    the fitted kernel). `observed`: each mean's noise variance.

    On benchmarks/recommendation.py (150 sweeps a family), against the fitted kernel alone: in the
    irrelevant family ECE over P(best) >= 0.1 0.049 -> 0.033, and tied configurations predicted
    0.3-0.5 64 -> 39 (they come true 0.16 of the time); the same picks in the mixed, edge, irrelevant
    and unequal_noise families. Giving the flattened kernel BIC's penalties as a prior advantage
    tied more (0.020) but cost regret (edge 0.44 -> 0.65 of argmax's, unequal_noise 0.14 -> 0.26).
    Configurations that differ only in flat parameters sharing one own effect tied more still
    (ECE 0.019), but regret rose in the irrelevant family (0.37 -> 0.54): not kept."""
    def by_level(covariance: np.ndarray) -> np.ndarray:
        return np.array([_log_likelihood(covariance + level * np.eye(len(y)), observed, y) for level in INDEPENDENT_GRID])

    full = kernel(X)
    fitted = by_level(full)
    theta, penalty, base = kernel.theta, 0.5 * np.log(len(y)), logsumexp(fitted)  # the level integrated over its grid
    flat = []
    for j in range(1, len(theta)):
        if theta[j] < np.log(LENGTH_BOUND) - 1.0:
            trial = theta.copy()
            trial[j] = np.log(LENGTH_BOUND)
            if logsumexp(by_level(kernel.clone_with_theta(trial)(X))) + penalty > base:
                flat.append(j)
    if not flat:
        return [(full, fitted)]
    trial = theta.copy()
    trial[flat] = np.log(LENGTH_BOUND)
    flattened = kernel.clone_with_theta(trial)(X)
    return [(full, fitted), (flattened, by_level(flattened))]


def _log_linear_variance(design: np.ndarray, squares: np.ndarray) -> np.ndarray:
    """exp(design @ b): the variances whose fit to `squares` (each a variance times a chi-square of
    one degree of freedom) is likeliest, the coefficients beyond the intercept shrunk toward 0 (a
    normal prior of variance 1/SPREAD_RIDGE on a log-variance ratio). The log-likelihood is concave
    in b: Newton's steps, halved where one would lower it, find its maximum."""
    ridge = np.diag([0.0] + [SPREAD_RIDGE] * (design.shape[1] - 1))

    def fit(coefficients: np.ndarray) -> tuple[float, np.ndarray]:
        eta = np.clip(design @ coefficients, -700.0, 700.0)
        return float(-0.5 * np.sum(eta + squares * np.exp(-eta)) - 0.5 * coefficients @ ridge @ coefficients), eta

    coefficients = np.zeros(design.shape[1])
    coefficients[0] = np.log(max(float(np.mean(squares)), 1e-12))
    likelihood, eta = fit(coefficients)
    for _ in range(SPREAD_STEPS):
        weights = squares * np.exp(-eta)
        gradient = 0.5 * design.T @ (weights - 1) - ridge @ coefficients
        curvature = 0.5 * (design.T * weights) @ design + ridge + 1e-12 * np.eye(len(coefficients))
        step = np.linalg.solve(curvature, gradient)
        for _ in range(30):
            trial, trial_eta = fit(coefficients + step)
            if trial >= likelihood:
                break
            step = step / 2
        else:
            break
        coefficients, eta, gained, likelihood = coefficients + step, trial_eta, trial - likelihood, trial
        if gained < 1e-10 * (1.0 + abs(likelihood)):
            break
    return np.exp(eta)


def _pick_errors(truths: np.ndarray, smoother: np.ndarray, observed: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """How far the true mean of the configuration with the best estimate lies above that estimate,
    in sweeps replayed from the posterior: each draw is taken as the truth, new means are observed
    around it with the same noise, and the same model picks again. The best-looking estimate is
    optimistic (the winner's curse); these errors say by how much, so the pick's pessimistic
    bound can allow for it."""
    replayed = truths + rng.standard_normal(truths.shape) * np.sqrt(observed)
    estimates = replayed @ smoother.T
    picked = estimates.argmin(axis=1)
    rows = np.arange(len(truths))
    return truths[rows, picked] - estimates[rows, picked]


def _fit_smooth(X: np.ndarray, y: np.ndarray, alpha: np.ndarray | float, start: Kernel | None = None) -> Kernel:
    """The smooth part's amplitude and length scales, by maximum likelihood beside a free white
    term; from `start`, a smooth part fitted before, where there is one."""
    smooth = start if start is not None else ConstantKernel(1.0, (1e-3, 1e2)) * RBF(np.full(X.shape[1], 0.3), (0.03, LENGTH_BOUND))
    with warnings.catch_warnings():  # a length scale at its bound is an answer here, not a problem
        warnings.simplefilter("ignore", ConvergenceWarning)
        fitted = GaussianProcessRegressor(smooth + WhiteKernel(0.05, (1e-6, 10.0)), alpha=alpha, random_state=0).fit(X, y)
    return fitted.kernel_.k1


def _log_likelihood(latent: np.ndarray, observed: np.ndarray, y: np.ndarray) -> float:
    factor = linalg.cho_factor(latent + np.diag(observed), lower=True)
    return float(-0.5 * y @ linalg.cho_solve(factor, y) - np.log(np.diag(factor[0])).sum())


def _weights(log_likelihoods: list[float]) -> np.ndarray:
    values = np.array(log_likelihoods)
    weights = np.exp(values - values.max())
    return weights / weights.sum()


def _smoother(latent: np.ndarray, observed: np.ndarray) -> np.ndarray:
    """S with posterior mean S y for a zero-mean Gaussian vector of covariance `latent` seen through
    independent noise of variances `observed`; the posterior covariance is latent - S latent."""
    factor = linalg.cho_factor(latent + np.diag(observed), lower=True)
    return linalg.cho_solve(factor, latent).T


def _draw(mean: np.ndarray, cov: np.ndarray, count: int, rng: np.random.Generator) -> np.ndarray:
    """Joint normal draws. Eigenvalues below ROUNDING of the largest are rounding error, not
    variance: kept, their square roots (1e-11 from 1e-22) would set configurations that the model
    holds equal apart by more than TIED, and break their tie by how the rounding fell."""
    values, vectors = np.linalg.eigh((cov + cov.T) / 2)
    values = np.where(values > ROUNDING * max(float(values.max()), 0.0), values, 0.0)
    return mean + (rng.standard_normal((count, len(mean))) * np.sqrt(values)) @ vectors.T


def probability_best(posterior: Posterior, groups: pd.Index) -> dict[int, float]:
    """Share of the joint draws in which each configuration is lowest (0 for those not modelled)."""
    samples = posterior.samples
    lowest = samples <= samples.min(axis=1, keepdims=True) + TIED * np.abs(samples).max()
    wins = (lowest / lowest.sum(axis=1, keepdims=True)).mean(axis=0)  # configurations the model ties share a win
    probabilities = dict.fromkeys((int(g) for g in groups), 0.0)
    probabilities.update({int(g): float(p) for g, p in zip(posterior.index, wins)})
    return probabilities
