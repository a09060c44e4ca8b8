"""The probabilistic bias analysis in words, tables and a tornado chart.

The numbers come from :mod:`helpers.nonresponse.bias_analysis`; this module names them. Every interval is
named by :func:`helpers.present.intervals.interval_name` ("95% bias-adjusted interval" at alpha 0.05).
"""

from __future__ import annotations

import textwrap

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from helpers.ledger.vocabulary import version_label
from helpers.present.intervals import interval_name

#: Each prior in words (the tornado's rows, the priors table's first column).
PRIOR_WORDS = {
    "silent_share": "share of children in silent councils",
    "mnar_tilt": "tilt of the silent councils' rate (MNAR)",
    "council_spread": "chance: which councils are silent",
    "design_effect": "design effect (children cluster in councils)",
    "sampling": "sampling error",
    "tilt_correlation": "correlation of two groups' tilts",
    "between_reports": "variation between two reports (another report's councils)",
}
#: What "widened" does to each prior, for the table of widened priors.
WIDENED_WORDS = {
    "none": "the priors as stated",
    "silent_share": "silent share uniform over its whole no-assumption range",
    "mnar_tilt": "tilt's standard deviation doubled",
    "council_spread": "between-council spread doubled",
    "design_effect": "design effect from 1 to twice its excess over 1",
}
#: The bias analysis's methods of the non-response table (``mfc nonresponse``); their words are in
#: :data:`helpers.present.nonresponse_findings.METHOD_LABELS`.
METHODS = ("bias_adjusted", "bias_adjusted_difference", "p_holds_bias_adjusted")
TABLE_COLUMNS = ["report_id", "version", "group", "method", "scenario", "estimate", "low", "high", "interval", "note"]


def _who(row) -> str:
    return f"{row['group']} ({version_label(row['version'])})"


def priors_in_words(analysis) -> str:
    """One line naming the priors of an analysis (for the note of every row it adds to a table)."""
    p = analysis.priors
    return (
        f"{analysis.draws:,} draws; silent share of children by random silence; silent councils' rate centred on "
        f"the answering rate (logit scale), tilt SD {p.tilt_sd:.3f}, between-council SD {p.council_spread:.2f} "
        f"over the effective number of silent councils; design effect uniform over its range; seed {analysis.seed}"
    )


def bias_adjusted_rows(analysis) -> pd.DataFrame:
    """The analysis as rows of the non-response table (its columns): per headline rate its bias-adjusted
    interval; per conclusion the difference's bias-adjusted interval and the probability that it holds
    (in ``estimate``, a fraction)."""
    name = interval_name("bias_adjusted", analysis.alpha)
    note = priors_in_words(analysis)
    rows = []
    for h in analysis.headlines.to_dict("records"):
        rows.append(
            (
                analysis.report_id,
                h["version"],
                h["group"],
                "bias_adjusted",
                f"design effect {h['deff_low']:.2f} to {h['deff_high']:.2f}; median silent share of children "
                f"{h['share_p50']:.1%}",
                h["estimate"],
                h["low"],
                h["high"],
                name,
                note,
            )
        )
    for c in analysis.conclusions.to_dict("records"):
        scen = f"against the {c['comparator_label']}"
        rows.append(
            (analysis.report_id, "", c["conclusion"], "bias_adjusted_difference", scen)
            + (c["difference"], c["low"], c["high"], name, note)
        )
        rows.append(
            (analysis.report_id, "", c["conclusion"], "p_holds_bias_adjusted", scen)
            + (c["p_holds"], np.nan, np.nan, "no interval", note)
        )
    return pd.DataFrame(rows, columns=TABLE_COLUMNS)


def probability_words(p: float, draws: int) -> str:
    """A probability from draws in words: never "100%" or "0%" when a draw could still go the other way."""
    if p >= 1:
        return f"more than {1 - 1 / draws:.2%}"
    if p <= 0:
        return f"less than {1 / draws:.2%}"
    return f"{p:.1%}"


def bias_analysis_findings(analysis) -> list[str]:
    """One Markdown bullet per headline rate and per conclusion of the analysis (empty when it has none)."""
    name = interval_name("bias_adjusted", analysis.alpha)
    out = []
    for h in analysis.headlines.to_dict("records"):
        out.append(
            f"- **{_who(h)}**: published {h['rate']:.1%}; over every council {h['estimate']:.1%} "
            f"({name} {h['low']:.1%} to {h['high']:.1%})"
        )
    for c in analysis.conclusions.to_dict("records"):
        out.append(
            f"- **{c['conclusion']}** holds with probability {probability_words(c['p_holds'], analysis.draws)} "
            f"under these priors: the difference is {100 * c['difference']:.1f} points ({name} "
            f"{100 * c['low']:+.1f} to {100 * c['high']:+.1f} points)"
        )
    return out


def headline_interval_table(analysis, sampling: pd.DataFrame | None = None) -> pd.DataFrame:
    """A table of each headline rate, its sampling interval (from ``sampling``: the report's
    :attr:`ReportView.pairs`, with ci_low and ci_high) and its bias-adjusted interval. Rates are fractions."""
    name = interval_name("bias_adjusted", analysis.alpha)
    ci = interval_name("sampling", analysis.alpha)
    h = analysis.headlines
    table = pd.DataFrame(
        {
            "group": h["group"],
            "version": [version_label(v) for v in h["version"]],
            "rate": h["rate"],
            f"{ci} from": np.nan,
            f"{ci} to": np.nan,
            f"{name} from": h["low"],
            f"{name} to": h["high"],
        }
    )
    if sampling is not None:
        keyed = sampling.set_index(["group", "version"])
        for i, (g, v) in enumerate(zip(h["group"], h["version"])):
            if (g, v) in keyed.index:
                table.loc[i, f"{ci} from"] = keyed.loc[(g, v), "ci_low"]
                table.loc[i, f"{ci} to"] = keyed.loc[(g, v), "ci_high"]
    return table


def conclusion_interval_table(analysis) -> pd.DataFrame:
    """Each conclusion of the analysis: conclusion, against (the comparator in words), difference, low and
    high (in percentage points), and the probability that it holds in words (:func:`probability_words`)."""
    c = analysis.conclusions
    return pd.DataFrame(
        {
            "conclusion": c["conclusion"],
            "against": c["comparator_label"],
            "difference": 100 * c["difference"],
            "low": 100 * c["low"],
            "high": 100 * c["high"],
            "probability": [probability_words(p, analysis.draws) for p in c["p_holds"]],
        }
    )


def prior_words_table(priors: pd.DataFrame) -> pd.DataFrame:
    """:func:`helpers.nonresponse.bias_analysis.prior_table` in words: columns prior, applies_to (a rate as
    "group (version label)", "every rate" for a shared prior), distribution, centre, low, high, source."""
    out = priors.copy()
    out["prior"] = out["prior"].map(PRIOR_WORDS).fillna(out["prior"])
    out["applies_to"] = [_who(r) if r["version"] else "every rate" for r in out.to_dict("records")]
    return out[["prior", "applies_to", "distribution", "centre", "low", "high", "source"]]


def _results(out: pd.DataFrame) -> list[str]:
    """Each row's result in words: a rate as "group (version label)", a conclusion as itself."""
    return [
        q if k == "difference" else _who(r) for q, k, r in zip(out["quantity"], out["kind"], out.to_dict("records"))
    ]


def _probabilities(values, draws: int | None) -> list:
    """Probabilities in words (:func:`probability_words`) when ``draws`` is given; empty stays empty."""
    if draws is None:
        return list(values)
    return [None if pd.isna(p) else probability_words(p, draws) for p in values]


def widened_words_table(table: pd.DataFrame, draws: int | None = None) -> pd.DataFrame:
    """:func:`helpers.nonresponse.bias_analysis.widened` with each change named in words: columns result,
    change, estimate, low, high, width, p_holds (in words when ``draws`` is given)."""
    out = table.copy()
    out["prior"] = out["prior"].map(WIDENED_WORDS).fillna(out["prior"])
    out["result"] = _results(out)
    out["p_holds"] = _probabilities(out["p_holds"], draws)
    return out.rename(columns={"prior": "change"})[["result", "change", "estimate", "low", "high", "width", "p_holds"]]


def tornado_words_table(table: pd.DataFrame, draws: int | None = None) -> pd.DataFrame:
    """:func:`helpers.nonresponse.bias_analysis.tornado` in words: columns result, prior (in words), base,
    at_low, at_high, swing, p_low, p_high (in words when ``draws`` is given)."""
    out = table.copy()
    out["result"] = _results(out)
    out["prior"] = out["prior"].map(PRIOR_WORDS).fillna(out["prior"])
    out["p_low"], out["p_high"] = _probabilities(out["p_low"], draws), _probabilities(out["p_high"], draws)
    return out[["result", "prior", "base", "at_low", "at_high", "swing", "p_low", "p_high"]]


def tornado_chart(table: pd.DataFrame, quantity: str, *, alpha: float = 0.05, title: str = "", ax=None):
    """A tornado chart of one quantity of :func:`helpers.nonresponse.bias_analysis.tornado`: for each prior,
    a bar from the estimate with that prior at its 5th percentile to the estimate at its 95th, largest swing
    on top, and a line at the estimate with every prior drawn. Returns the axes."""
    part = table[table["quantity"] == quantity].sort_values("swing", kind="stable")
    if part.empty:
        raise ValueError(
            f"quantity {quantity!r} is not in the tornado table; valid: {', '.join(table['quantity'].unique())}"
        )
    is_diff = part["kind"].iloc[0] == "difference"
    words = quantity if is_diff else _who(part.iloc[0])
    scale = 100 if is_diff else 1
    ax = ax or plt.subplots(figsize=(8, 0.7 * len(part) + 2.6))[1]
    y = np.arange(len(part))
    lo, hi = part["at_low"].to_numpy() * scale, part["at_high"].to_numpy() * scale
    colours = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    ax.barh(
        y,
        np.abs(hi - lo),
        left=np.minimum(lo, hi),
        height=0.5,
        color=colours[0],
        label="prior at its 5th to 95th percentile",
    )
    ax.scatter(lo, y, color=colours[1], zorder=3, marker="<", label="prior at its 5th percentile")
    ax.scatter(hi, y, color=colours[2], zorder=3, marker=">", label="prior at its 95th percentile")
    base = part["base"].iloc[0] * scale
    ax.axvline(base, color="0.3", linestyle="--", label="every prior drawn")
    ax.set_yticks(y, [textwrap.fill(PRIOR_WORDS.get(p, p), 22) for p in part["prior"]])
    if is_diff:
        ax.set_xlabel("median difference (percentage points)")
    else:
        ax.set_xlabel("median rate over every council")
        ax.xaxis.set_major_formatter(plt.FuncFormatter(lambda v, _: f"{v:.1%}"))
    ax.set_ylabel("prior")
    ax.legend(title="estimate", loc="upper center", bbox_to_anchor=(0.5, -0.22), ncols=2, fontsize=8, title_fontsize=9)
    ax.set_title(textwrap.fill(title or f"How much each prior moves: {words}", 70))
    pad = max(np.ptp(np.r_[lo, hi, base]) * 0.15, 1e-3 * scale)
    ax.set_xlim(min(lo.min(), hi.min(), base) - pad, max(lo.max(), hi.max(), base) + pad)
    top = part.iloc[-1]
    ax.figure.set_label(
        f"Tornado chart for {words}: the {PRIOR_WORDS.get(top['prior'], top['prior'])} moves the median most "
        f"({interval_name('bias_adjusted', alpha)} analysis, each prior fixed at its 5th and 95th percentile)"
    )
    ax.figure.tight_layout()
    return ax


def beside_the_sliders(analysis, version: str, share: float | None = None) -> list[str]:
    """Lines of Markdown for the explorer to show beside its silent-council sliders, for one version.

    For each group of ``version``: the silent share of children that DfE's council counts allow (the
    no-assumption range, smallest to largest councils, and the 5th to 95th percentile under random
    silence), where the slider's ``share`` falls against them, and the rate's bias-adjusted interval; then
    the probability each conclusion on that version's rates holds. Computed from ``analysis`` (a
    :class:`helpers.nonresponse.bias_analysis.BiasAnalysis`, built once per report); no widgets. Empty when
    the analysis has no rate of that version.
    """
    name = interval_name("bias_adjusted", analysis.alpha)
    rates = [r for r in analysis.rates if r.version == version]
    lines = []
    for r in rates:
        s = np.asarray(r.share_draws, float)
        p05, p95 = np.quantile(s, [0.05, 0.95])
        h = analysis.headlines[(analysis.headlines["group"] == r.group) & (analysis.headlines["version"] == version)]
        text = f"- **{r.group}**: silent councils could hold {r.share_low:.1%} to {r.share_high:.1%} of the children"
        if len(s) > 1:
            text += f" (random silence: {p05:.1%} to {p95:.1%}, 5th to 95th percentile)"
        if share is not None:
            where = (
                "outside what the council counts allow"
                if not r.share_low <= share <= r.share_high
                else "inside the random-silence range"
                if p05 <= share <= p95
                else "possible, but outside the random-silence range"
            )
            text += f"; your {share:.1%} is {where}"
        if len(h):
            text += f". Over every council: {name} {h['low'].iloc[0]:.1%} to {h['high'].iloc[0]:.1%}"
        lines.append(text)
    observed = {id(r) for r in rates}
    for c, row in zip(analysis.conclusion_specs, analysis.conclusions.to_dict("records")):
        if id(c.observed) in observed:
            lines.append(
                f"- **{c.conclusion}**: holds with probability {probability_words(row['p_holds'], analysis.draws)} "
                f"under the stated priors (silent councils' rates drawn, not set by the sliders)"
            )
    return lines
