"""Where to evaluate next: seeded random draws, or a scikit-optimize model's acquisition.

Batches for parallel launchers come from one fitted model: the best candidates of its
acquisition function, kept apart from each other, instead of skopt's `ask(n_points=k)`,
which refits the model k + 1 times per batch.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import numpy as np
from sklearn.gaussian_process import GaussianProcessRegressor as SklearnGaussianProcess
from skopt import Optimizer
from skopt.acquisition import _gaussian_acquisition
from skopt.learning import GaussianProcessRegressor
from skopt.space import Space
from skopt.utils import cook_estimator
from threadpoolctl import ThreadpoolController

from report.runfile import plain

SAMPLERS = ("random", "gp", "rf", "et")
MIN_SEPARATION = 0.05  # in the unit cube of the transformed space, between points of one batch


class RandomSampler:
    """Draws one point at a time from the space: the same sequence for a seed, whatever the batch size.

    With seed 42 over Integer(50, 1049) x Integer(1, 20) these are the notebook's
    `np.random.randint` draws.
    """

    def __init__(self, space: Space, seed: int | None) -> None:
        self.space = space
        self.rng = np.random.RandomState(seed)

    def ask(self, count: int) -> list[list[Any]]:
        return [_plain(self.space.rvs(1, random_state=self.rng)[0]) for _ in range(count)]

    def tell(self, points: list[list[Any]], values: list[float]) -> None:
        """Random search learns nothing from results."""


class TriangularSolveGaussianProcess(GaussianProcessRegressor):
    """skopt's Gaussian process, predicting the standard deviation as scikit-learn does.

    skopt's `predict` computes the variance with the three-operand
    `einsum("ki,kj,ij->k", K_trans, K_trans, K_inv)`, an unvectorised loop over
    candidates x told points x told points; scikit-learn replaced that line with a
    triangular solve against the Cholesky factor (scikit-learn PRs #8591 and #19939),
    the same in exact arithmetic, more accurate on ill-conditioned kernels (no explicit
    inverse), and about 10x faster at 2,000 candidates and 100 points.
    The mean and the noise-free kernel are skopt's; the gradients skopt's "lbfgs"
    acquisition optimiser asks for still come from skopt.
    """

    def predict(
        self, X: np.ndarray, return_std: bool = False, return_cov: bool = False, return_mean_grad: bool = False, return_std_grad: bool = False
    ) -> Any:
        if return_mean_grad or return_std_grad or not hasattr(self, "X_train_"):
            return super().predict(X, return_std, return_cov, return_mean_grad, return_std_grad)
        return SklearnGaussianProcess.predict(self, X, return_std=return_std, return_cov=return_cov)


@cache
def _blas_threads() -> ThreadpoolController:
    """One controller for the process: building one scans the loaded libraries (~3 ms)."""
    return ThreadpoolController()


class ModelSampler:
    """Bayesian optimisation with skopt's Optimizer and fast, tested settings (see the guide):
    sampled acquisition over `n_candidates` points and no kernel-optimiser restarts."""

    def __init__(self, space: Space, sampler: str, seed: int | None, n_initial_points: int, acq_func: str, n_candidates: int) -> None:
        estimator = cook_estimator(sampler.upper(), space=space, random_state=seed)
        if sampler == "gp":
            estimator = TriangularSolveGaussianProcess(**{**estimator.get_params(deep=False), "n_restarts_optimizer": 0})
        self.optimizer = Optimizer(
            space.dimensions,
            base_estimator=estimator,
            n_initial_points=n_initial_points,
            acq_func=acq_func,
            acq_optimizer="sampling",
            acq_optimizer_kwargs={"n_points": n_candidates},
            model_queue_size=1,  # only the newest model is asked; skopt keeps every one by default
            random_state=seed,
        )
        self.n_candidates = n_candidates

    def ask(self, count: int) -> list[list[Any]]:
        with _blas_threads().limit(limits=1, user_api="blas"):
            if count == 1:
                return [_plain(self.optimizer.ask())]
            if not self.optimizer.models:  # still drawing the initial random points: nothing to refit
                return [_plain(point) for point in self.optimizer.ask(n_points=count)]
            return self._batch_from_model(count)

    def tell(self, points: list[list[Any]], values: list[float]) -> None:
        """One model fit for the whole batch of results.

        BLAS runs on one thread: on small matrices its threads cost more than they give, and
        they fight the launcher's workers for the cores (2x slower here on 2 cores).
        """
        if points:
            with _blas_threads().limit(limits=1, user_api="blas"):
                self.optimizer.tell(points, values)

    def _batch_from_model(self, count: int) -> list[list[Any]]:
        """The `count` best candidates of the current model's acquisition, each at least
        MIN_SEPARATION from the others and from the points already evaluated."""
        optimizer, space = self.optimizer, self.optimizer.space
        candidates = space.transform(space.rvs(self.n_candidates, random_state=optimizer.rng))
        scores = _gaussian_acquisition(candidates, optimizer.models[-1], y_opt=np.min(optimizer.yi), acq_func=optimizer.acq_func)
        taken = list(space.transform(optimizer.Xi))
        best_first = np.argsort(scores)
        chosen: list[int] = []
        for index in best_first:
            if all(np.linalg.norm(candidates[index] - other) >= MIN_SEPARATION for other in taken):
                chosen.append(index)
                taken.append(candidates[index])
                if len(chosen) == count:
                    break
        else:  # the space is too small to keep them apart: take the next best as they come
            chosen += [index for index in best_first if index not in chosen][: count - len(chosen)]
        return [_plain(point) for point in space.inverse_transform(candidates[chosen])]


def make_sampler(
    space: Space, sampler: str, seed: int | None, n_initial_points: int, acq_func: str, n_candidates: int
) -> RandomSampler | ModelSampler:
    if sampler not in SAMPLERS:
        raise ValueError(f"hydra.sweeper.sampler={sampler!r}: choose one of {', '.join(SAMPLERS)}")
    if sampler == "random":
        return RandomSampler(space, seed)
    return ModelSampler(space, sampler, seed, n_initial_points, acq_func, n_candidates)


def _plain(point: list[Any]) -> list[Any]:
    return [plain(value) for value in point]
