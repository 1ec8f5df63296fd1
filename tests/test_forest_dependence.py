"""The vectorised one-way partial dependence gives scikit-learn's own recursion numbers."""

import numpy as np
import pytest
from sklearn.ensemble import RandomForestRegressor
from sklearn.inspection import partial_dependence

from report.analysis.forest_dependence import forest_dependence


@pytest.mark.parametrize("rows, leaf", [(40, 1), (500, 2), (2000, 5)])
def test_matches_scikit_learn_recursion(rows: int, leaf: int) -> None:
    rng = np.random.default_rng(rows)
    X = np.column_stack([rng.random(rows), 10 ** rng.uniform(-5, -1, rows), rng.integers(0, 3, rows), rng.integers(1, 33, rows)])
    y = (X[:, 0] - 0.3) ** 2 + np.log10(X[:, 1]) * X[:, 2] / 10 + (X[:, 3] > 16) * 0.3 + rng.normal(0, 0.05, rows)
    forest = RandomForestRegressor(30, min_samples_leaf=leaf, random_state=0).fit(X, y)
    background = X[: min(rows, 300)]
    grids = {
        0: np.concatenate([np.unique(background[:, 0]), [-1.0, 2.0]]),  # beyond every threshold on both sides
        1: np.geomspace(1e-6, 1, 25),
        2: np.array([0.0, 1.0, 2.0]),
        3: np.unique(X[:, 3]),  # exactly at integer values the thresholds lie between
    }
    ours = forest_dependence(forest, grids)
    for feature, grid in grids.items():
        theirs = partial_dependence(forest, background, [feature], custom_values={feature: grid}, method="recursion", kind="average")
        np.testing.assert_allclose(ours[feature], theirs["average"][0], rtol=1e-12, atol=1e-12)


def test_a_stump_forest_is_flat() -> None:
    X, y = np.zeros((10, 2)), np.arange(10.0)
    forest = RandomForestRegressor(5, random_state=0).fit(X, y)  # no split possible: every tree is one leaf
    dependence = forest_dependence(forest, {0: np.array([-1.0, 0.0, 1.0])})
    expected = np.mean([tree.tree_.value[0, 0, 0] for tree in forest.estimators_])
    np.testing.assert_allclose(dependence[0], expected)
