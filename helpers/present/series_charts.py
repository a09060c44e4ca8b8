"""The series model for readers: the gap's trend in a sentence, its posterior and the design chart."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from helpers.present.plots import PAGE_WIDTH_IN


def series_sentence(head: pd.DataFrame, groups=("trafficked", "unaccompanied")) -> str:
    """The headline of the series model in words: the gap's trend, its 95% credible interval, P(widening)."""
    row = head.set_index("quantity").loc["gap_trend"]
    g0, g1 = groups
    s0 = head.set_index("quantity").loc[f"slope:{g0}"]
    s1 = head.set_index("quantity").loc[f"slope:{g1}"]
    return (
        f"Taking every report, both versions of the two reports published twice, council clustering and the "
        f"silent councils together, the odds that a {g0} child went missing grew by a factor of "
        f"{s0['median']:.3f} a year (95% credible interval {s0['cri_low']:.3f} to {s0['cri_high']:.3f}) and "
        f"those of an {g1} child by {s1['median']:.3f} ({s1['cri_low']:.3f} to {s1['cri_high']:.3f}). "
        f"The gap between them changed by a factor of {row['median']:.3f} a year (95% credible interval "
        f"{row['cri_low']:.3f} to {row['cri_high']:.3f}): the probability that it widened is "
        f"{row['p_rise']:.0%}, {_verdict(row['p_rise'])}."
    )


def _verdict(p: float) -> str:
    if p >= 0.95:
        return "enough to say it widened"
    if p <= 0.05:
        return "enough to say it narrowed"
    return "short of the 95% either way that would settle it"


def quantity_labels(head: pd.DataFrame) -> dict:
    """Words for the codes of :func:`helpers.stats.series_model.headline_quantities` (``slope:trafficked``...)."""
    words = {"gap_trend": "trend in the gap (ratio of odds ratios per year)"}
    for code in head["quantity"]:
        kind, _, what = code.partition(":")
        if kind == "slope":
            words[code] = f"{what} children: odds ratio per year"
        elif kind == "gap":
            words[code] = f"gap in {what} (trafficked odds / unaccompanied odds)"
    return {"quantity": words}


#: words for each sampled parameter of :func:`helpers.stats.series_model.diagnostics_table`
PARAMETER_WORDS = {
    "intercept": "log-odds in 2020",
    "slope": "log odds ratio per year",
    "report_sd": "SD of the report effects",
}


def parameter_labels(diag: pd.DataFrame, groups) -> dict:
    """Words for the ``parameter`` codes of a diagnostics table ("slope[0]" -> "trafficked: log odds ratio
    per year"), the index being the position of the group in ``groups``, as the model numbers them."""
    words = {}
    for code in diag["parameter"]:
        name, _, index = code.partition("[")
        what = PARAMETER_WORDS.get(name, name.replace("_", " "))
        words[code] = f"{groups[int(index.rstrip(']'))]}: {what}" if index else what
    return {"parameter": words}


def gap_trend_chart(log_draws: np.ndarray, laplace=None):
    """Histogram of the posterior of the gap's trend (ratio per year), with the Laplace-grid density."""
    fig, ax = plt.subplots(figsize=(PAGE_WIDTH_IN, 4.4))
    ratio = np.exp(log_draws)
    ax.hist(ratio, bins=60, density=True, color="#4c72b0", alpha=0.6, label="NumPyro draws")
    if laplace is not None:
        grid = np.linspace(ratio.min(), ratio.max(), 400)
        # the cross-check is a normal mixture on the log scale; on the ratio scale divide by the ratio
        x = np.log(grid)
        dens = (
            np.sum(
                laplace.weights[:, None]
                * np.exp(-0.5 * ((x[None, :] - laplace.means[:, None]) / laplace.sds[:, None]) ** 2)
                / (laplace.sds[:, None] * np.sqrt(2 * np.pi)),
                axis=0,
            )
            / grid
        )
        ax.plot(grid, dens, color="#dd8452", lw=2, label="Laplace grid (cross-check)")
    ax.axvline(1.0, color="black", lw=1, ls="--", label="no change in the gap")
    ax.set_xlabel("gap's trend: ratio per year (above 1: widened)")
    ax.set_ylabel("posterior density")
    ax.set_title("Trend in the gap between trafficked and unaccompanied children")
    ax.legend(title="posterior", loc="upper right")
    fig.tight_layout()
    return ax


def fifth_report_chart(chances: pd.DataFrame, upper: float = 0.95, lower: float = 0.05):
    """Chance that one more report settles the gap's trend, by the number of councils answering it."""
    fig, ax = plt.subplots(figsize=(PAGE_WIDTH_IN, 4.4))
    ax.plot(chances["councils"], chances["above"], marker="o", label=f"P(widened) above {upper:.0%}")
    ax.plot(chances["councils"], chances["below"], marker="s", label=f"P(widened) below {lower:.0%}")
    ax.plot(chances["councils"], chances["decided"], marker="^", color="black", label="either")
    ax.set_ylim(0, 1)
    ax.set_xlabel("councils answering a fifth report")
    ax.set_ylabel("chance the report settles it")
    ax.set_title("What one more report could settle")
    ax.legend(title="after the fifth report", loc="upper left")
    fig.tight_layout()
    return ax


def detectable_chart(table: pd.DataFrame, estimate: float):
    """The trend in the gap a series of 4, 5 or 6 reports would detect, beside today's estimate."""
    fig, ax = plt.subplots(figsize=(PAGE_WIDTH_IN, 4.4))
    ax.plot(table["reports"], table["detectable"], marker="o", label="detectable with 80% power")
    ax.axhline(estimate, color="#dd8452", ls="--", label="posterior median today")
    ax.set_xticks(table["reports"])
    ax.set_xlabel("reports in the series")
    ax.set_ylabel("gap's trend (ratio per year)")
    ax.set_title("Smallest widening of the gap a longer series would detect")
    ax.legend(title="trend", loc="upper right")
    fig.tight_layout()
    return ax
