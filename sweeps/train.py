"""The seed notebook's problem as a Hydra app: `python -m sweeps.train -m` sweeps it."""

from __future__ import annotations

import time

import hydra
import numpy as np
from omegaconf import DictConfig
from sklearn.datasets import load_diabetes
from sklearn.ensemble import RandomForestRegressor
from sklearn.metrics import mean_squared_error, r2_score
from sklearn.model_selection import train_test_split


def fit_and_score(n_estimators: int, max_depth: int | None, seed: int, n_jobs: int | None) -> dict[str, float]:
    """Fit the notebook's forest and return its test RMSE and R² (the notebook's split)."""
    data = load_diabetes(as_frame=True).frame
    train, test = train_test_split(data, test_size=0.2, random_state=42)
    model = RandomForestRegressor(
        n_estimators=n_estimators, max_depth=max_depth, random_state=seed, n_jobs=n_jobs
    )
    started = time.perf_counter()
    model.fit(train.drop(columns=["target"]), train["target"])
    fit_seconds = time.perf_counter() - started
    predicted = model.predict(test.drop(columns=["target"]))
    return {
        "rmse": float(np.sqrt(mean_squared_error(test["target"], predicted))),
        "r2": float(r2_score(test["target"], predicted)),
        "fit_seconds": fit_seconds,
    }


@hydra.main(version_base=None, config_path="pkg://sweeps.conf", config_name="train")
def main(cfg: DictConfig) -> dict[str, float]:
    return fit_and_score(cfg.model.n_estimators, cfg.model.max_depth, cfg.seed, cfg.model.n_jobs)


if __name__ == "__main__":
    main()
