"""The report's first sentence: which configuration to pick and how sure we can be, in words."""

from __future__ import annotations

from typing import Any

from report.analysis.recommend import Recommendation
from report.formatting import format_number

MANY_REPEATS = 100
NAMED = 6  # configurations named in a sentence before "and N more"


def _learnt_noise_of_best_two(advice: Recommendation) -> float | None:
    """Without repeats, the noisier of the best two's learnt noise: it is their gap that the verdict
    weighs, and where noise differs between categories the usual level may be far from theirs."""
    learnt = [advice.model_noise_sds[group] for group in advice.ranked[:2] if group in advice.model_noise_sds]
    return max(learnt) if learnt else advice.model_noise_sd


def verdict_text(advice: Recommendation, by_group: dict[int, dict[str, Any]]) -> str:
    """Pick, P(best), whether it stands apart or among equals, and why it differs from the best
    observed mean when it does, with the numbers that decide it."""
    if len(advice.ranked) == 1:
        return f"Pick configuration {advice.pick}: it is the only configuration, so there is nothing to choose between."
    measured = advice.noise_sd is not None
    noise = format_number(advice.noise_sd if measured else _learnt_noise_of_best_two(advice), 2)
    noise_words = f"seed noise (σ {noise})" if measured else f"the noise the model estimates for the best two (σ {noise}, no configuration was repeated)"
    gap = format_number(advice.gap, 2)
    label = "" if measured else ", model-based"
    verdict = f"Pick configuration {advice.pick} (P(best) {advice.p_best[advice.pick]:.2f}{label}{_shape(advice)})."
    together = advice.indistinguishable
    if len(together) > 1:
        repeats = f" with {advice.repeats} repeats" if measured else ""
        verdict += f" Configurations {_and_list(together)} cannot be told apart{repeats}: with {noise_words}, a gap like the best two's ({gap}) can be chance."
        if advice.repeats_needed and advice.repeats_needed > MANY_REPEATS:
            verdict += f" More than {MANY_REPEATS} repeats would be needed to separate the best two: for practical purposes they are equivalent."
        elif advice.repeats_needed:
            verdict += f" About {advice.repeats_needed} repeats per configuration would separate the best two."
    else:
        verdict += f" It is clearly ahead: with {noise_words}, its gap to the next ({gap}) is too large to be chance."
    if not measured:
        verdict += " Add repeats (for example seed=0,1,2) to measure the noise."
    if advice.pick != advice.top:
        verdict += " " + _why_not_top(advice, by_group)
    likeliest = max(advice.p_best, key=lambda group: (advice.p_best[group], -group))
    if likeliest not in (advice.pick, advice.top) and advice.p_best[likeliest] > advice.p_best[advice.pick]:
        verdict += " " + _why_not_likeliest(advice, likeliest)
    return verdict


def _shape(advice: Recommendation) -> str:
    hood = advice.neighbourhoods.get(advice.pick)
    if hood is None:
        return ""
    return ", an isolated spike among poorer neighbours: check it before trusting it" if hood.isolated else ", robust: its neighbours agree"


def _why_not_top(advice: Recommendation, by_group: dict[int, dict[str, Any]]) -> str:
    top, pick = advice.top, advice.pick
    observed = format_number(by_group[top]["mean"])
    if top not in advice.estimate:
        return f"Configuration {top} has the best observed mean ({observed}) but too few runs to be modelled."
    return (
        f"Configuration {top} has the best observed mean ({observed}) over {int(by_group[top]['n'])} run(s), but weighed against its"
        f" noise and similar configurations its estimate is {format_number(advice.estimate[top])} with pessimistic bound"
        f" {format_number(advice.bound[top])}, against {format_number(advice.estimate[pick])} and {format_number(advice.bound[pick])} for the pick."
    )


def _why_not_likeliest(advice: Recommendation, likeliest: int) -> str:
    """Why the pick is not the configuration that is best in the most posterior draws: that one is
    less certain, which wins it draws at both ends, while the pick is expected to be better."""
    pick_estimate, other_estimate = _told_apart(advice.estimate[advice.pick], advice.estimate[likeliest])
    return (
        f"Configuration {likeliest} is the best in more of the posterior's draws (P(best) {advice.p_best[likeliest]:.2f}) as it is less"
        f" certain, but the pick is expected to be better: estimate {pick_estimate} against {other_estimate}."
    )


def _told_apart(first: float, second: float) -> tuple[str, str]:
    """The two numbers to the fewest significant figures (at least 4) that write them differently."""
    for digits in range(4, 13):
        texts = format_number(first, digits), format_number(second, digits)
        if texts[0] != texts[1]:
            return texts
    return texts


def _and_list(items: list[Any]) -> str:
    words = [str(item) for item in items[:NAMED]]
    if len(items) > NAMED:
        return ", ".join(words) + f" and {len(items) - NAMED} more"
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]
