"""Ranking and repeat statistics against pandas and scipy computed independently."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from report.analysis.ranking import group_ids, rank_configurations
from report.analysis.repeats import repeat_variance
from report.page.reproduce import reproduce_command


@pytest.fixture
def runs() -> pd.DataFrame:
    """3 x 2 configurations, 4 seeds each, one failed run and one configuration never scored."""
    rng = np.random.default_rng(0)
    rows = []
    for lr in (0.1, 0.01, 0.001):
        for optimizer in ("sgd", "adam"):
            for seed in range(4):
                loss = 1.0 + 10 * lr + (0.3 if optimizer == "sgd" else 0.0) + rng.normal(0, 0.05)
                rows.append({"lr": lr, "optimizer": optimizer, "seed": seed, "status": "completed", "loss": loss, "acc": 1 - loss / 3})
    table = pd.DataFrame(rows)
    table.loc[0, ["status", "loss", "acc"]] = ["failed", np.nan, np.nan]
    table.loc[(table["lr"] == 0.1) & (table["optimizer"] == "adam"), ["status", "loss", "acc"]] = ["missing", np.nan, np.nan]
    table["overrides"] = [f"lr={r.lr} optimizer={r.optimizer} seed={r.seed}" for r in table.itertuples()]
    return table


def test_group_ids_number_configurations_in_sorted_parameter_order(runs):
    groups = group_ids(runs, ["lr", "optimizer"])
    first_of_group = runs.assign(group=groups).groupby("group")[["lr", "optimizer"]].first()
    expected = sorted(set(zip(runs["lr"], runs["optimizer"])))
    assert list(first_of_group.itertuples(index=False, name=None)) == expected
    shuffled = runs.sample(frac=1, random_state=1)
    assert (group_ids(shuffled, ["lr", "optimizer"]) == groups[shuffled.index]).all(), "ids do not depend on job order"


def test_ranking_matches_pandas_and_scipy(runs):
    ranking = rank_configurations(runs, ["lr", "optimizer"], "loss", "min", ["acc"])
    scored = runs[runs["status"] == "completed"]
    by_config = scored.groupby(["lr", "optimizer"])["loss"]
    expected = by_config.agg(["mean", "std", "min", "max", "count"]).sort_values("mean")
    top = ranking.iloc[: len(expected)]
    assert list(zip(top["lr"], top["optimizer"])) == list(expected.index)
    assert top["mean"].to_numpy() == pytest.approx(expected["mean"].to_numpy())
    assert top["std"].to_numpy() == pytest.approx(expected["std"].to_numpy())
    assert top["min"].tolist() == expected["min"].tolist() and top["max"].tolist() == expected["max"].tolist()
    assert top["n"].tolist() == expected["count"].tolist()
    for row in top.itertuples():
        values = scored[(scored["lr"] == row.lr) & (scored["optimizer"] == row.optimizer)]["loss"]
        low, high = stats.t.interval(0.95, len(values) - 1, loc=values.mean(), scale=stats.sem(values))
        assert (row.ci_low, row.ci_high) == pytest.approx((low, high))
        assert row.acc == pytest.approx(scored.loc[values.index, "acc"].mean())
    assert ranking["rank"].tolist() == list(range(1, 7))


def test_unscored_configuration_ranks_last_and_failures_are_counted(runs):
    ranking = rank_configurations(runs, ["lr", "optimizer"], "loss", "min", [])
    last = ranking.iloc[-1]
    assert (last["lr"], last["optimizer"], last["n"], last["runs"]) == (0.1, "adam", 0, 4)
    first_config = ranking[(ranking["lr"] == 0.1) & (ranking["optimizer"] == "sgd")].iloc[0]
    assert (first_config["n"], first_config["failed"]) == (3, 1)


def test_maximising_reverses_the_order(runs):
    by_acc = rank_configurations(runs, ["lr", "optimizer"], "acc", "max", [])
    expected = runs[runs["status"] == "completed"].groupby(["lr", "optimizer"])["acc"].mean().sort_values(ascending=False)
    assert list(zip(by_acc["lr"], by_acc["optimizer"]))[:5] == list(expected.index)


def test_a_single_run_has_no_interval():
    one = pd.DataFrame({"x": [1, 2], "status": ["completed"] * 2, "loss": [0.5, 0.7]})
    ranking = rank_configurations(one, ["x"], "loss", "min", [])
    assert ranking["n"].tolist() == [1, 1]
    assert ranking[["std", "ci_low", "ci_high"]].isna().all().all()


def test_repeat_variance_keeps_every_repeat_of_the_best(runs):
    ranking = rank_configurations(runs, ["lr", "optimizer"], "loss", "min", [])
    info = repeat_variance(runs, ranking, ["lr", "optimizer"], "loss", top=2)
    best = info.top[0]
    best_runs = runs[(runs["lr"] == 0.001) & (runs["optimizer"] == "adam")]
    assert best.values == best_runs["loss"].tolist()
    assert len(info.top) == 2 and info.max_repeats == 4
    assert info.spreads == pytest.approx(ranking.loc[ranking["n"] >= 2, "std"].tolist())


def test_reproduce_command_sweeps_the_repeat_values(runs):
    best_runs = runs[(runs["lr"] == 0.001) & (runs["optimizer"] == "adam")]
    assert reproduce_command("python app.py", best_runs, "seed") == "python app.py -m lr=0.001 optimizer=adam seed=0,1,2,3"
    assert reproduce_command("python app.py", best_runs.iloc[:1], None) == "python app.py lr=0.001 optimizer=adam seed=0"
