"""Column names of the results table (one row per job) and of the ranking (one per configuration).

Named once here: the collector renames a parameter or metric that would take one of them, and
the analysis and the page read the tables by them.
"""

from __future__ import annotations

# The results table, before each job's parameters and metrics
JOB, JOB_DIR, STATUS = "job", "job_dir", "status"
# ... and after them
OVERRIDES, STARTED, DURATION, ERROR_TYPE, ERROR, TRACEBACK = "overrides", "started", "duration", "error_type", "error", "traceback"
GROUP = "group"  # a configuration's stable id, in both tables

# The ranking, around each configuration's parameters
RANK = "rank"
RUNS_TOTAL, RUNS_FAILED = "runs", "failed"  # jobs launched, jobs failed or unreadable
N_SCORED = "n"  # runs with a finite objective
MEAN, STD, CI_LOW, CI_HIGH, MIN, MAX = "mean", "std", "ci_low", "ci_high", "min", "max"

RUN_COLUMNS = (JOB, JOB_DIR, STATUS, GROUP, OVERRIDES, STARTED, DURATION, ERROR_TYPE, ERROR, TRACEBACK)
RANKING_STATISTICS = (RUNS_TOTAL, RUNS_FAILED, N_SCORED, MEAN, STD, CI_LOW, CI_HIGH, MIN, MAX)
RESERVED = frozenset({*RUN_COLUMNS, RANK, *RANKING_STATISTICS})
