"""The trend in words: the sentences the trends notebook and the explorer show.

The statistics layer returns numbers and named results (:mod:`helpers.stats.random_effects`,
:mod:`helpers.stats.trend_summary`); the sentences are written here, with interval names from
:func:`helpers.present.intervals.interval_name`.

* :func:`ratio_sentence` - an odds (or risk) ratio and its interval in words;
* :func:`trend_lead` - one paragraph per group: a detectable trend, or inconclusive with what was detectable;
* :func:`trend_findings` - one finding per group from the random-effects rows, with leave-one-out.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from helpers.ledger.errors import ParameterError
from helpers.present.intervals import interval_name
from helpers.stats.random_effects import MetaRegression
from helpers.stats.rates import check_alpha
from helpers.stats.trend_summary import TrendEvidence


def _change(ratio: float) -> tuple[str, int]:
    pct = round(100 * (ratio - 1))
    return ("rise" if pct > 0 else "fall" if pct < 0 else "no change"), abs(pct)


def ratio_sentence(ratio: float, low: float, high: float, what: str = "odds", per: str = "a year") -> str:
    """An odds (or risk) ratio and its interval in words, rounded to whole per cent.

    >>> ratio_sentence(1.059, 0.957, 1.170)
    'odds up about 6% a year; the interval runs from a 4% fall to a 17% rise'
    """
    for name, value in (("ratio", ratio), ("low", low), ("high", high)):
        if not np.isfinite(value) or value <= 0:
            raise ParameterError(f"{name} must be a positive finite ratio; got {value!r}")
    pct = round(100 * (ratio - 1))
    head = (
        f"{what} up about {pct}%" if pct > 0 else f"{what} down about {-pct}%" if pct < 0 else f"{what} about unchanged"
    ) + f" {per}"

    def end(r):
        kind, size = _change(r)
        article = "an" if str(size).startswith("8") or size in (11, 18) else "a"  # "an 8% fall", "an 11% rise"
        return "no change" if kind == "no change" else f"{article} {size}% {kind}"

    return f"{head}; the interval runs from {end(low)} to {end(high)}"


def trend_lead(group_label: str, fit: MetaRegression, evidence: TrendEvidence, alpha: float = 0.05) -> str:
    """One paragraph that leads with what the data allow: a detectable trend, or "inconclusive" with the
    size of trend the design could have detected and the probability of a rise under the priors shown.

    ``evidence`` is :func:`helpers.stats.trend_summary.trend_evidence` for the same fit.
    """
    e = evidence
    head = "a trend is detectable" if e.conclusive else "inconclusive"
    direction = "rise" if e.points > 0 else "fall"
    scales = sorted(e.p_rise)
    text = (
        f"{group_label}: {head} across {e.k} reports. The odds ratio per year is {fit.ratio:.3f} "
        f"({interval_name('random_effects', alpha, df=e.df)} {fit.ci_low:.3f} to {fit.ci_high:.3f}); at the "
        f"fitted rate of {e.rate_middle:.1%} midway through {e.first_year}-{e.last_year} that is a {direction} of "
        f"{abs(e.points):.1f} percentage points a year, with the interval running from {e.points_low:+.1f} to "
        f"{e.points_high:+.1f}."
    )
    if not e.conclusive:
        text += (
            f" On {e.df} degrees of freedom only a trend steeper than {e.detectable_points:.1f} points a year, "
            "either way, would have excluded no change; a true trend of that size is detected about half the time."
        )
    return text + (
        f" The probability that the odds rose is {e.p_rise_low:.2f} to {e.p_rise_high:.2f} under half-normal "
        f"priors on tau with scales {scales[0]:g} to {scales[-1]:g}."
        if len(scales) > 1
        else f" The probability that the odds rose is {e.p_rise_low:.2f} under a half-normal prior on tau "
        f"with scale {scales[0]:g}."
    )


def trend_findings(models: pd.DataFrame, loo: pd.DataFrame | None = None, alpha: float = 0.05) -> list[str]:
    """One sentence per group from the random-effects rows of :func:`helpers.stats.random_effects.trend_models` (and leave-one-out rows).

    Each leads with whether a trend is detectable (the interval excludes 1), then says the odds ratio per year in words
    (:func:`ratio_sentence`), the number of reports and the degrees of freedom, whether the interval includes no change, and, with ``loo`` (columns group,
    left_out, estimate), the range of the estimate when one report is left out and whether its direction
    holds.
    """
    check_alpha(alpha)
    out = []
    for row in models[models["model"] == "random_effects"].itertuples():
        words = ratio_sentence(row.estimate, row.ci_low, row.ci_high)
        includes = row.ci_low <= 1 <= row.ci_high
        holds = "includes no change" if includes else "excludes no change"
        # Lead with what the data allow; the odds ratio (not a change in the rate) follows.
        text = (
            f"{str(row.group).capitalize()} children: {'inconclusive' if includes else 'a detectable trend'}; "
            f"{words} (random-effects model, {int(row.k)} reports, {interval_name('random_effects', alpha, df=int(row.df))}); "
            f"the interval {holds}."
        )
        if loo is not None:
            part = loo[loo["group"] == row.group]
            if len(part):
                low, high = part["estimate"].min(), part["estimate"].max()
                sign = (
                    "keeps its direction" if (low > 1 and high > 1) or (low < 1 and high < 1) else "changes direction"
                )
                text += (
                    f" Leaving out one report at a time moves the estimate between {low:.3f} and {high:.3f}; it {sign}."
                )
        out.append(text)
    return out
