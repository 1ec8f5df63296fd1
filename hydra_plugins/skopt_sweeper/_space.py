"""Hydra's override grammar to a scikit-optimize search space, read as the Optuna sweeper reads it.

interval(a,b): Real; int(interval(a,b)) and range(a,b) with step 1 or -1: Integer (b excluded); other
ranges: Categorical of their values; tag(log, ...): log-uniform; choice(...) and a,b,c: Categorical.
Overrides that sweep nothing pass through unchanged.
"""

from __future__ import annotations

from typing import Any

from hydra.core.override_parser.overrides_parser import OverridesParser
from hydra.core.override_parser.types import ChoiceSweep, IntervalSweep, Override, RangeSweep
from skopt.space import Categorical, Dimension, Integer, Real


def search_space(params: dict[str, Any] | None, arguments: list[str]) -> tuple[dict[str, Dimension], list[str]]:
    """The dimensions by parameter name, and the overrides to pass to every job as they are.

    Command-line arguments come after `hydra.sweeper.params`, so they win for the same key.
    """
    texts = [f"{key}={value}" for key, value in (params or {}).items()] + list(arguments)
    dimensions: dict[str, Dimension] = {}
    fixed: dict[str, str] = {}
    for override in OverridesParser.create().parse_overrides(texts):
        key = override.get_key_element()
        dimensions.pop(key, None)
        fixed.pop(key, None)
        if override.is_sweep_override():
            dimensions[key] = dimension_of(override)
        else:
            fixed[key] = override.input_line
    return dimensions, list(fixed.values())


def dimension_of(override: Override) -> Dimension:
    """The dimension of one sweep override; a ValueError naming the override when it has none."""
    try:
        return _dimension(override)
    except ValueError as error:
        if override.input_line in str(error):
            raise
        raise ValueError(f"{override.input_line}: {error}") from None


def _dimension(override: Override) -> Dimension:
    sweep = override.value()
    log = "log" in sweep.tags
    prior = "log-uniform" if log else "uniform"
    name = override.get_key_element()
    if isinstance(sweep, IntervalSweep):
        if isinstance(sweep.start, int) and isinstance(sweep.end, int):
            return Integer(sweep.start, sweep.end, prior=prior, name=name)
        return Real(float(sweep.start), float(sweep.end), prior=prior, name=name)
    if isinstance(sweep, RangeSweep):
        # The sweep's own range, never the iterator: shuffle() reorders that, and range(a,b) excludes b.
        values = sorted(sweep.range())
        if not values:
            raise ValueError(
                f"{override.input_line}: the range is empty; give range(start, stop[, step]) with at least one value "
                "(stop is excluded; count down with a negative step)"
            )
        if abs(sweep.step) == 1 and all(type(value) is int for value in (sweep.start, sweep.stop, sweep.step)) and len(values) > 1:
            return Integer(values[0], values[-1], prior=prior, name=name)
        return Categorical(values, name=name)
    if isinstance(sweep, ChoiceSweep):
        # The choices as written, not as shuffle() reordered them: a seeded sweep draws the same values.
        return Categorical([Override._convert_value(value) for value in sweep.list], name=name)
    raise ValueError(f"{override.input_line}: a sweep of type {type(sweep).__name__} has no search-space equivalent")
