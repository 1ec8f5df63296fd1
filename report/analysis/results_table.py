"""`results.csv`: the tidy table of every job, written with its column types kept and read back."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from report.analysis.ranking import config_params, group_ids
from report.collect.sweep import Sweep

TEXT_COLUMNS = ("job_dir", "status", "overrides", "started", "error_type", "error", "traceback")


def results_csv(sweep: Sweep) -> str:
    """One row per job with its configuration's group id; whole-number metrics stay whole numbers
    (`10`, not `10.0`), empty where a run has none."""
    groups = group_ids(sweep.runs, config_params(sweep.params, sweep.repeat_key))
    table = sweep.runs.assign(group=groups).astype({name: "Int64" for name in sweep.integer_metrics})
    return table.to_csv(index=False)


def read_results(path: Path | str) -> pd.DataFrame:
    """`results.csv` back as a DataFrame with pandas' nullable types: integer columns stay integer
    where values are missing, and text columns stay text when every cell is empty."""
    table = pd.read_csv(path, dtype_backend="numpy_nullable")
    return table.astype({name: "string" for name in TEXT_COLUMNS if name in table.columns})
