"""The trend in words: the sentences the trends notebook and the explorer show.

The statistics layer returns numbers and named results (:mod:`helpers.stats.random_effects`,
:mod:`helpers.stats.trend_summary`); the sentences are written here, with interval names from
:func:`helpers.present.intervals.interval_name`.

* :func:`ratio_sentence` - an odds (or risk) ratio and its interval in words;
* :func:`trend_lead` - one sentence per group that leads with whether any trend is detectable;
* :func:`trend_findings` - one finding per group from the random-effects rows, with leave-one-out.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from helpers.ledger.errors import ParameterError
from helpers.present.intervals import interval_name
from helpers.stats.random_effects import MetaRegression
from helpers.stats.rates import check_alpha
from helpers.stats.trend_summary import points_per_year


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


def trend_lead(group_label: str, fit: MetaRegression, data: pd.DataFrame, alpha: float = 0.05) -> str:
    """One sentence that leads with what the data allow: a detectable trend or none, then the sizes."""
    check_alpha(alpha)
    pts = points_per_year(fit, data)
    detectable = not (fit.ci_low <= 1 <= fit.ci_high)
    head = "a trend is detectable" if detectable else "no detectable trend"
    direction = "rise" if fit.ratio > 1 else "fall"
    last = int(pd.to_numeric(data["year"]).max())
    return (
        f"{group_label}: {head} across {fit.k} reports. The odds ratio per year is {fit.ratio:.3f} "
        f"({interval_name('random_effects', alpha, df=fit.df)} {fit.ci_low:.3f} to {fit.ci_high:.3f}); at the "
        f"fitted rate of {pts['rate_middle']:.1%} midway through {fit.first_year}-{last} that is a {direction} of "
        f"{abs(pts['points']):.1f} percentage points a year ({pts['points_low']:+.1f} to {pts['points_high']:+.1f})."
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
            f"{str(row.group).capitalize()} children: {'no detectable trend' if includes else 'a detectable trend'}; "
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
