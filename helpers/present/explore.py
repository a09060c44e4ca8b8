"""What the explorer (``notebooks/50_explore.ipynb``) shows, computed without any widget.

The notebook only wires ipywidgets to these functions, so each is tested on its own:

- the choices a reader can make (report, version, group) and the headline for one choice, with every
  interval named in its column;
- the all-council rates when the silent councils hold a share ``s`` of each group's children and have
  their own rates, whether each conclusion of the report still holds, and a tipping chart over the
  silent councils' two rates;
- one trend model under chosen versions of the reports;
- the glossary's definitions of the terms the page links to (the live page cannot open the glossary).

Non-response arithmetic. If the answering councils' rate is r and the silent councils, holding a share
s of the children, have rate q, the rate over all councils is (1 - s) r + s q. "Trafficked above
unaccompanied" compares two such rates, so both sides move: it is overturned once

    q_u - q_t >= (1 - s) (r_t - r_u) / s,

and with no assumption at all (q_t = 0, q_u = 1) once s >= (r_t - r_u) / (1 + r_t - r_u); the thresholds
come from :mod:`helpers.nonresponse.two_sided`. The other conclusions compare with a rate this report's
silent councils cannot move (an earlier report, whose own silent councils are not on the sliders, or
DfE's census), so only the trafficked side moves with the sliders.
"""

from __future__ import annotations

import re

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from helpers.ledger.choices import check_choice
from helpers.ledger.errors import ParameterError
from helpers.ledger.versions import check_versions, default_versions
from helpers.ledger.versions import version_choices as ledger_version_choices
from helpers.ledger.vocabulary import GROUP_LABELS, version_label
from helpers.nonresponse.tipping import report_conclusions
from helpers.nonresponse.two_sided import (
    all_council_rate,
    check_fraction,
    gap_needed,
    silent_shares,
    two_sided_table,
    two_sided_threshold,
)
from helpers.present.comparison_words import deff_range_text
from helpers.present.nonresponse_findings import holds_if
from helpers.present.plots import OKABE_ITO
from helpers.present.reports import short_titles
from helpers.stats.clustering import SENSITIVITY_DEFFS, deff_label, with_sensitivity
from helpers.stats.rates import check_alpha, headline_table
from helpers.stats.report_view import ReportView

# The trend's modules (statsmodels' models, the Bayesian check) load in trend_view and trend_choices only:
# the live explorer builds its trend tab when the reader first opens it, so its first tab shows sooner.

TWO_SIDED = "trafficked above unaccompanied"
MODEL_LABELS = {
    "random_effects": "random-effects meta-regression",
    "quasi_binomial": "quasi-binomial regression",
    "binomial": "binomial regression (every child independent, for contrast only)",
}


def sampling_label(alpha: float = 0.05) -> str:
    """'95% CI (sampling only)' for alpha 0.05: the Wilson interval's name everywhere in the explorer."""
    return f"{1 - check_alpha(alpha):.0%} CI (sampling only)"


def group_label(group: str, capital: bool = False) -> str:
    """A group in words ('unaccompanied (UASC)'), capitalised at the start of a sentence."""
    label = GROUP_LABELS.get(group, group)
    return label[:1].upper() + label[1:] if capital else label


def view_heading(reports: pd.DataFrame, report_id: str, version: str, group: str) -> str:
    """Which report, version and group a view shows: 'Heading Back to Harm (2016); version: <version
    label>; group: <group>' (an id not in ``reports`` is shown as it is, never a blank)."""
    title = short_titles(reports).get(report_id, report_id)
    return f"{title}; version: {version_label(version)}; group: {group_label(group)}"


def nothing_to_show(inputs: dict, title: str) -> dict[str, str]:
    """{part: sentence} for each part of the silent-councils view this report leaves empty.

    Parts: ``rates`` (no trafficked or unaccompanied rate for the sliders to move), ``conclusions`` (no
    conclusion of the report to test) and ``chart`` (neither, so the tipping chart would be an empty
    square). A report with something for every part gets an empty dict.
    """
    out = {}
    if not inputs["rates"]:
        out["rates"] = (
            f"{title} publishes no rate for trafficked or unaccompanied children in this version, so the "
            "silent councils' rates have nothing to move."
        )
    if inputs["conclusions"].empty:
        out["conclusions"] = f"{title} draws no conclusion here that the silent councils could overturn."
    if "rates" in out and "conclusions" in out:
        out["chart"] = "With neither a rate nor a conclusion to move, there is no tipping chart to draw."
    return out


def as_interval(low: float, high: float) -> str:
    """'35.1% to 39.0%'; a missing interval (counts from two council sets) says so."""
    return "not computable (two council sets)" if pd.isna(low) else f"{low:.1%} to {high:.1%}"


# ---------------------------------------------------------------------------------------------
# Choices and the headline
# ---------------------------------------------------------------------------------------------
def report_choices(figures: pd.DataFrame, reports: pd.DataFrame) -> list[tuple[str, str]]:
    """(label, report id) of every report with a went-missing rate, in series order."""
    head = headline_table(figures)
    with_rates = set(head.loc[head["measure"] == "went_missing", "report_id"])
    rows = reports.sort_values("series_order")
    return [(str(r.title), r.report_id) for r in rows.itertuples(index=False) if r.report_id in with_rates]


def version_choices(view: ReportView) -> list[tuple[str, str]]:
    """(label, version id) of a report's versions, the one the report computed its rates with first.

    ``view`` is the report's :class:`helpers.stats.report_view.ReportView`.
    """
    if not view.versions:
        raise ParameterError(f"report {view.report_id!r} has no went-missing rate in data/figures.csv")
    # First the version report_conclusions and 40_nonresponse default to: the smallest denominator of the
    # latest year (the rate the report computed itself; ReportView.versions).
    return [(version_label(v), v) for v in view.versions]


def group_choices(view: ReportView, version: str) -> list[tuple[str, str]]:
    """(label, group id) of the groups with a rate in this version of the report, in the ledger's order."""
    head = view.went_missing
    groups = dict.fromkeys(head.loc[head["version"] == version, "group"])
    if not groups:
        valid = ", ".join(dict.fromkeys(head["version"]))
        raise ParameterError(f"version {version!r} of {view.report_id!r} has no rate; valid: {valid}")
    return [(group_label(g, capital=True), g) for g in groups]


def headline_rows(ledger, view: ReportView, version: str, group: str) -> pd.DataFrame:
    """The numeric headline rows (one per period) of one report, version and group, at the view's alpha,
    with the design-effect sensitivity grid of :func:`helpers.stats.with_sensitivity` (d = 1, 1.5, 3, 7 and
    the top of the range of d derived from DfE's councils)."""
    head = view.went_missing
    head = head[(head["version"] == version) & (head["group"] == group)]
    if head.empty:
        valid = ", ".join(g for _, g in group_choices(view, version))
        raise ParameterError(
            f"no rate for group {group!r} in version {version!r} of {view.report_id!r}; valid: {valid}"
        )
    head = with_sensitivity(head, ledger.figures, ledger.council_years, alpha=view.alpha)
    head = head.sort_values("year").reset_index(drop=True)
    head.attrs["alpha"] = view.alpha  # so the view names the interval these rows hold
    return head


def sensitivity_intervals(rows: pd.DataFrame) -> dict:
    """{name: (low, high)} of the design-effect grid carried by ``rows`` (none if it carries no grid)."""
    level = f"{1 - rows.attrs.get('alpha', 0.05):.0%}"
    out = {}
    for d in SENSITIVITY_DEFFS:
        low = f"sens_low_deff_{deff_label(d)}"
        if d > 1 and low in rows.columns:  # d = 1 is the sampling-only interval itself
            out[f"{level} sensitivity interval (design effect {d:g})"] = (
                rows[low],
                rows[f"sens_high_deff_{deff_label(d)}"],
            )
    if "deff_high" in rows.columns and rows["deff_high"].notna().any():
        first = rows.dropna(subset=["deff_high"]).iloc[0]
        d = deff_range_text(first["deff_low"], first["deff_high"])
        name = f"{level} sensitivity interval (design effect {d}, derived from DfE councils, not measured; upper end)"
        out[name] = (rows["sens_low_deff_implied"], rows["sens_high_deff_implied"])
    return out


def headline_view(rows: pd.DataFrame, extra: dict | None = None) -> pd.DataFrame:
    """The headline for readers: counts, the rebuilt rate and every interval, each named in its column.

    The Wilson interval is named with the level ``rows`` were computed at (:func:`headline_rows`), then
    the design-effect grid the rows carry; ``extra`` maps any further interval's name to its (low, high)
    arrays, aligned with ``rows``.
    """
    alpha = rows.attrs.get("alpha", 0.05)
    view = pd.DataFrame(
        {
            "period": rows["period"].astype(str),
            "recorded as missing": rows["numerator"].map("{:,}".format),
            "children in care": rows["denominator"].map("{:,}".format),
            "rebuilt rate": rows["rate"].map("{:.1%}".format),
            sampling_label(alpha): [as_interval(lo, hi) for lo, hi in zip(rows["ci_low"], rows["ci_high"])],
        }
    )
    for name, (low, high) in {**sensitivity_intervals(rows), **(extra or {})}.items():
        view[name] = [as_interval(lo, hi) for lo, hi in zip(low, high)]
    view["published"] = rows["published_pct"].map(lambda v: "no % published" if pd.isna(v) else f"{v:g}%")
    return view


# ---------------------------------------------------------------------------------------------
# The silent councils
# ---------------------------------------------------------------------------------------------
def needed_gap(trafficked: float, unaccompanied: float, share: float) -> float:
    """How far the silent councils' unaccompanied rate must exceed their trafficked rate to overturn
    'trafficked above unaccompanied': (1 - s)(r_t - r_u) / s (:func:`gap_needed`; infinite at s = 0)."""
    share = check_fraction("share", share)
    trafficked, unaccompanied = check_fraction("trafficked", trafficked), check_fraction("unaccompanied", unaccompanied)
    return float("inf") if share == 0 else float(gap_needed(trafficked, unaccompanied, share))


def no_assumption_share(trafficked: float, unaccompanied: float) -> float:
    """The smallest silent share that can overturn 'trafficked above unaccompanied' with no assumption
    (silent trafficked rate 0, unaccompanied 1): (r_t - r_u) / (1 + r_t - r_u); 0 if it does not hold."""
    return two_sided_threshold(check_fraction("trafficked", trafficked), check_fraction("unaccompanied", unaccompanied))


def silent_inputs(ledger, view: ReportView, version: str) -> dict:
    """What the sliders start from for one report (its :class:`helpers.stats.report_view.ReportView`) and version.

    Returns ``rates`` (answering councils' rate per group, trafficked and unaccompanied where published),
    ``conclusions`` (:func:`report_conclusions`), ``share`` (the share of councils that did not answer,
    standing in for the share of children, or None when the ledger holds no count), ``share_note``, and
    ``analysis``: the two-sided analysis's sentence per conclusion (:func:`two_sided_table`, item
    non-response included) for the version the report computed, else empty.
    """
    pairs = view.pairs[view.pairs["version"].isin([version, "single"])]
    rates = {g: float(r) for g, r in zip(pairs["group"], pairs["rate"]) if g in ("trafficked", "unaccompanied")}
    conclusions = report_conclusions(ledger.figures, ledger.reports, ledger.england_national, view, version)
    # Readers see report titles, not ids, in "trafficked rate 2020 (when-harm-remains)".
    for rid, title in zip(ledger.reports["report_id"], ledger.reports["title"]):
        conclusions["comparator_label"] = conclusions["comparator_label"].str.replace(f"({rid})", f"({title})")
    # As 40_nonresponse: the share of councils silent stands in for the share of children, the larger of
    # the two groups' shares (a larger share needs a smaller gap to overturn a conclusion: the cautious one).
    shares = {g: v for g, v in silent_shares(ledger, view).items() if g in rates}
    share, note = None, "The ledger holds no count of answering councils for this report: the share starts at 0."
    if shares:
        group = max(shares, key=lambda g: shares[g][0])
        share = shares[group][0]
        note = (
            f"The share starts at {share:.1%}: {shares[group][1]}. The share of councils stands in for the share "
            "of children, an approximation, since councils hold different numbers of children."
        )
    # The two-sided analysis with item non-response (40_nonresponse) is for the version the report computed.
    table = two_sided_table(ledger, view) if version == view.default_version else pd.DataFrame(columns=["conclusion"])
    rows = table.to_dict("records")
    analysis = [f"{c['conclusion']}: {holds_if(c)}." for c in rows]
    return {
        "rates": rates,
        "conclusions": conclusions,
        "share": share,
        "share_note": note,
        "analysis": analysis,
        "analysis_rows": rows,
    }


def analysis_at(inputs: dict, share: float) -> list[str]:
    """The two-sided analysis's sentences (``inputs["analysis"]``), each followed by what it means at the
    silent share on the slider, so the text under the sliders moves with them.

    A conclusion holding in the answering councils survives any rates in the silent councils while they
    hold less of the children than its threshold; from the threshold on, it rests on their rates.
    """
    lines = []
    for sentence, c in zip(inputs["analysis"], inputs.get("analysis_rows", [])):
        if c["observed"] <= c["comparator"]:
            lines.append(sentence)
        elif share < c["threshold"]:
            lines.append(
                sentence + f" At your silent share of {share:.1%}, below {c['threshold']:.1%}, it holds whatever "
                "the silent councils' rates."
            )
        else:
            lines.append(
                sentence + f" At your silent share of {share:.1%}, not below {c['threshold']:.1%}, it rests on the "
                "silent councils' rates: the table below says whether it holds at yours."
            )
    return lines


def fixed_note(comparator_report) -> str:
    """Why a comparator stays put when the sliders move."""
    if comparator_report is None or pd.isna(comparator_report):
        return " (a census of England: non-response does not move it)"
    return " (held as published: that report's own silent councils are not on these sliders)"


def conclusions_under(
    inputs: dict, share: float, silent_trafficked: float, silent_unaccompanied: float
) -> pd.DataFrame:
    """Each conclusion of the report: the answering councils' rates, the all-council rates for the
    silent councils given, and whether the conclusion still holds (plain words, for readers)."""
    rates = inputs["rates"]
    silent = {"trafficked": silent_trafficked, "unaccompanied": silent_unaccompanied}
    moved = {g: all_council_rate(r, share, silent[g]) for g, r in rates.items()}
    rows = []
    for c in inputs["conclusions"].itertuples(index=False):
        two_sided = c.conclusion == TWO_SIDED
        comparator = moved["unaccompanied"] if two_sided else c.comparator
        if c.observed <= c.comparator:
            holds = "no (not even in the answering councils)"
        else:
            holds = "yes" if moved["trafficked"] > comparator else "NO, overturned"
        rows.append(
            {
                "conclusion": c.conclusion,
                "answering councils": f"{c.observed:.1%} against {c.comparator:.1%}",
                "all councils": f"{moved['trafficked']:.1%} against {comparator:.1%}",
                "compared with": c.comparator_label + ("" if two_sided else fixed_note(c.comparator_report)),
                "holds at these values": holds,
            }
        )
    return pd.DataFrame(
        rows,
        columns=["conclusion", "answering councils", "all councils", "compared with", "holds at these values"],
    )


def rates_view(inputs: dict, share: float, silent_trafficked: float, silent_unaccompanied: float) -> pd.DataFrame:
    """The all-council rate of each group next to the answering councils' rate."""
    silent = {"trafficked": silent_trafficked, "unaccompanied": silent_unaccompanied}
    return pd.DataFrame(
        {
            "group": [group_label(g) for g in inputs["rates"]],
            "answering councils": [f"{r:.1%}" for r in inputs["rates"].values()],
            "silent councils (your value)": [f"{silent[g]:.1%}" for g in inputs["rates"]],
            "all councils": [f"{all_council_rate(r, share, silent[g]):.1%}" for g, r in inputs["rates"].items()],
        }
    )


def tipping_in_words(inputs: dict, share: float) -> str:
    """The two-sided conclusion's tipping point in words, at the share given."""
    rates = inputs["rates"]
    if not {"trafficked", "unaccompanied"} <= set(rates):
        return "This report does not publish both groups, so no conclusion compares two of its own rates."
    t, u = rates["trafficked"], rates["unaccompanied"]
    if t <= u:
        return f"'{TWO_SIDED}' does not hold even in the answering councils ({t:.1%} against {u:.1%})."
    s0 = no_assumption_share(t, u)
    head = f"With no assumption, '{TWO_SIDED}' can be overturned once silent councils hold {s0:.1%} of each group's children"
    if share == 0:
        return head + "; with no silent councils it stands as published."
    gap = needed_gap(t, u, share)
    if gap > 1:
        return head + f"; at a silent share of {share:.1%} no rates in the silent councils can overturn it."
    return (
        head + f"; at a silent share of {share:.1%} it holds if the silent councils' unaccompanied rate does not "
        f"exceed their trafficked rate by {100 * gap:.1f} points or more."
    )


def silent_rates_chart(inputs: dict, share: float, silent_trafficked: float, silent_unaccompanied: float, ax=None):
    """Where each conclusion is overturned, over the silent councils' two rates, at silent share ``share``.

    x: the silent councils' trafficked rate; y: their unaccompanied rate. The two-sided conclusion is
    overturned above the line y = x + gap (shaded); a conclusion against a fixed rate c is overturned left
    of x = (c - (1 - s) r_t) / s. The point marks the values chosen.
    """
    if ax is None:
        _, ax = plt.subplots(figsize=(7, 7))  # room for the legend under the square
    rates = inputs["rates"]
    grid = np.linspace(0, 1, 101)
    for i, c in enumerate(inputs["conclusions"].itertuples(index=False)):
        colour = OKABE_ITO[(i + 1) % len(OKABE_ITO)]
        if c.conclusion == TWO_SIDED and share > 0:
            gap = needed_gap(rates["trafficked"], rates["unaccompanied"], share)
            ax.fill_between(grid, np.clip(grid + gap, 0, 1), 1, color=colour, alpha=0.25, lw=0)
            ax.plot(grid, grid + gap, color=colour, label=f"{c.conclusion}: overturned above")
        elif share > 0:
            x = float(gap_needed(c.observed, c.comparator, share, comparator_moves=False))
            if 0 <= x <= 1:
                ax.axvline(x, color=colour, ls="--", label=f"{c.conclusion}: overturned left of")
            else:  # named in the legend all the same, so no conclusion goes missing from the chart
                verdict = "no silent rates overturn it" if x < 0 else "overturned whatever the silent rates"
                ax.plot([], [], ls="none", label=f"{c.conclusion}: {verdict} at this share")
    ax.plot(
        [silent_trafficked],
        [silent_unaccompanied],
        "o",
        color=OKABE_ITO[0],
        markersize=9,
        label="the silent councils' rates you chose",
    )
    ax.set(
        xlim=(0, 1),
        ylim=(0, 1),
        xlabel="silent councils' trafficked rate",
        ylabel="silent councils' unaccompanied rate",
        title=f"Silent councils hold {share:.1%} of each group's children",
    )
    ax.xaxis.set_major_formatter(plt.matplotlib.ticker.PercentFormatter(1.0, decimals=0))
    ax.yaxis.set_major_formatter(plt.matplotlib.ticker.PercentFormatter(1.0, decimals=0))
    # under the axes: the conclusions are long, and a legend beside them would squeeze the square
    ax.legend(title="conclusion", loc="upper center", bbox_to_anchor=(0.5, -0.14), frameon=False)
    ax.figure.tight_layout()
    return ax


# ---------------------------------------------------------------------------------------------
# The trend
# ---------------------------------------------------------------------------------------------
def trend_view(
    ledger,
    model: str = "random_effects",
    versions: dict[str, str] | None = None,
    one_round: str = "headline",
    tau2_method: str = "pm",
    alpha: float = 0.05,
    groups=("trafficked", "unaccompanied"),
) -> tuple[pd.DataFrame, list[str]]:
    """One trend model of the series under the versions chosen: a reader's table and a sentence per group.

    ``versions`` maps a report with versions to the one to use (``data/versions.csv``); reports not named
    use their default version.
    """
    from helpers.present.trend_words import trend_lead
    from helpers.stats.random_effects import (
        ONE_ROUND_CHOICES,
        TAU2_METHODS,
        TREND_MODELS,
        fit_meta_regression,
        one_row_per_round,
        trend_models,
    )
    from helpers.stats.series import report_series
    from helpers.stats.trend_summary import trend_evidence

    check_choice("model", model, TREND_MODELS)
    check_choice("one_round", one_round, ONE_ROUND_CHOICES)
    check_choice("tau2_method", tau2_method, TAU2_METHODS)
    versions = check_versions(versions or {}, ledger)
    series = one_row_per_round(report_series(ledger.figures, versions, list(groups), alpha), ledger.reports, one_round)
    fits = trend_models(series, alpha, tau2_method)
    fits = fits[fits["model"] == model]
    level = f"{1 - alpha:.0%}"
    name = {
        "random_effects": f"{level} CI (random effects, t on k−2 df)",
        "quasi_binomial": f"{level} CI (quasi-binomial, t on residual df)",
        "binomial": sampling_label(alpha),
    }[model]
    table = pd.DataFrame(
        {
            "group": fits["group"].map(lambda g: group_label(g)),
            "model": MODEL_LABELS[model],
            "reports": fits["k"].astype(int),
            "odds ratio per year": fits["estimate"].map("{:.3f}".format),
            name: [f"{lo:.3f} to {hi:.3f}" for lo, hi in zip(fits["ci_low"], fits["ci_high"])],
        }
    ).reset_index(drop=True)
    # Lead with whether a trend is detectable at all (the random-effects sentence of 30_trends), never with
    # "odds up about 6% a year", which readers take for a change in the rate itself.
    sentences = []
    for g, e, lo, hi in zip(fits["group"], fits["estimate"], fits["ci_low"], fits["ci_high"]):
        label = group_label(g, capital=True)
        if model == "random_effects":
            part = series[series["group"] == g].reset_index(drop=True)
            fit = fit_meta_regression(part, method=tau2_method, alpha=alpha)
            sentences.append(trend_lead(label, fit, trend_evidence(g, fit, part, alpha), alpha))
            continue
        if model == "binomial":
            sentences.append(
                f"{label}: odds ratio per year {e:.3f} ({name} {lo:.3f} to {hi:.3f}) if every child were an "
                "independent draw from one population; the reports differ more than that allows, so this interval "
                "is too narrow and is shown for contrast only."
            )
            continue
        head = "inconclusive" if lo <= 1 <= hi else "a trend is detectable"
        sentences.append(
            f"{label}: {head} under the {MODEL_LABELS[model]}; odds ratio per year {e:.3f} ({name} {lo:.3f} to {hi:.3f})."
        )
    return table, sentences


def trend_choices(ledger=None) -> dict:
    """(label, value) choices of the trend tab: model, rounds, tau2, and under "versions" one list per report
    with versions (report id -> its versions, default first, from ``data/versions.csv``)."""
    from helpers.stats.random_effects import TREND_MODELS

    defaults = default_versions(ledger)
    return {
        "model": [(MODEL_LABELS[m], m) for m in TREND_MODELS],
        "versions": {
            r: sorted([(version_label(v, ledger), v) for v in versions], key=lambda c: c[1] != defaults.get(r))
            for r, versions in ledger_version_choices(ledger).items()
        },
        "one_round": [("one row per FOI round", "headline"), ("both years of a round", "separate")],
        "tau2_method": [("Paule-Mandel", "pm"), ("restricted maximum likelihood", "reml")],
    }


#: Where a glossary link of the explorer leads on the live page: the anchor of the term's definition in
#: the section "Terms used here" (Voilà serves this notebook alone, so 01_glossary.ipynb cannot open).
GLOSSARY_ANCHOR_PREFIX = "glossary-"
_GLOSSARY_LINK = re.compile(r"\[([^\]]+)\]\(01_glossary\.ipynb#([a-z0-9-]+)\)")


def glossary_section(anchors, glossary=None) -> str:
    """Markdown defining each term of ``anchors`` (glossary anchors, in the order given), taken from the
    glossary notebook, the one source of every definition (``glossary``: its path, default the project's).

    Each definition sits under ``<a id="glossary-ANCHOR"></a>``, where the live page's links to the term
    lead (the Voilà template rewrites them). A link inside a definition to another term listed here stays
    on this page; one to a term not listed becomes plain text. An anchor the glossary lacks raises KeyError
    naming it.
    """
    from helpers.present.glossary import definitions

    entries = definitions(glossary)
    missing = [a for a in anchors if a not in entries]
    if missing:
        raise KeyError(f"no glossary entry for {', '.join(missing)}; valid anchors: {', '.join(entries)}")

    def here(match):
        text, anchor = match.groups()
        return f"[{text}](#{GLOSSARY_ANCHOR_PREFIX}{anchor})" if anchor in anchors else text

    parts = []
    for anchor in anchors:
        term, definition = entries[anchor]
        body = " ".join(_GLOSSARY_LINK.sub(here, definition).split())  # one paragraph per term
        parts.append(f'<a id="{GLOSSARY_ANCHOR_PREFIX}{anchor}"></a>\n**{term}.** {body}')
    return "\n\n".join(parts)


class LiveOnly:
    """A widget shown live, and a sentence wherever no widget can be drawn.

    A widget's output in a notebook carries a random model id (which nbval skips) and a repr of every
    control (which it compares, and which a static copy would print). This keeps the widget view and
    replaces the repr with ``note``, so executed copies are deterministic and read as a sentence.
    """

    def __init__(self, widget, note: str):
        self.widget, self.note = widget, note

    def _repr_mimebundle_(self, **kwargs):
        bundle = self.widget._repr_mimebundle_(**kwargs)
        data, meta = bundle if isinstance(bundle, tuple) else (bundle, {})
        return {**data, "text/plain": self.note}, meta


def figure_svg(ax) -> bytes:
    """The chart of ``ax`` as SVG bytes, its figure closed: sharp at any size and quicker to draw than a PNG
    at twice the pixels. An image widget shows it without capturing output (an Output widget's capture
    only works where the client routes it; nbval's does not). Text is drawn as paths, so it looks the
    same whatever fonts the reader's machine has."""
    import io

    buffer = io.BytesIO()
    ax.figure.savefig(buffer, format="svg", bbox_inches="tight")
    plt.close(ax.figure)
    return buffer.getvalue()


def snap(value: float, step: float) -> float:
    """``value`` rounded to a slider's step, so the slider shows exactly the value computed with."""
    return round(round(value / step) * step, 10)


def parse_percent(text: str) -> float:
    """A share typed in per cent ("25", "25%", "12.5 %") as a proportion (0.25, 0.125).

    Raises ValueError, with a sentence a reader can act on, for text that is not a number or lies
    outside 0 to 100 per cent: a slider would otherwise clip "250" to 100% without a word.
    """
    cleaned = text.strip().removesuffix("%").strip()
    try:
        number = float(cleaned)
    except ValueError:
        raise ValueError(f"“{text.strip()}” is not a number: type a per cent from 0 to 100, such as 25.") from None
    if not 0 <= number <= 100:  # also refuses nan, which compares false
        raise ValueError(f"{number:g}% is out of range: type a per cent from 0 to 100.")
    return number / 100


COMPUTING = "Computing the bias-adjusted intervals (a few seconds)…"


def no_silent_count_sentence(title: str) -> str:
    """What stands beside the sliders for a report that published no count of silent councils."""
    return (
        f"{title} gives no count of silent councils for these rates, so there is no range for the silent share "
        "of children and no bias-adjusted interval: the sliders above are the only assumption here."
    )


def build_bias_analysis(ledger, view: ReportView):
    """The report's :func:`helpers.nonresponse.bias_analysis.bias_analysis` (a few seconds of draws).

    Loaded here, not at import, so the explorer's first tab does not wait for the module."""
    from helpers.nonresponse.bias_analysis import bias_analysis

    return bias_analysis(ledger, view)


def bias_words(analysis, version: str, share: float, title: str) -> str:
    """Markdown beside the sliders: :func:`helpers.present.bias_analysis_words.beside_the_sliders` for the
    slider's ``share``, :data:`COMPUTING` while ``analysis`` is None (still being drawn), the error's own
    words if drawing it failed, and :func:`no_silent_count_sentence` when the report has no such rate.

    Only text is built here: the draws are made once per report, never on a slider move.
    """
    from helpers.present.bias_analysis_words import beside_the_sliders

    if analysis is None:
        return COMPUTING
    if isinstance(analysis, Exception):
        return f"The bias analysis could not be computed: {analysis}"
    lines = beside_the_sliders(analysis, version, share)
    if not lines:
        return no_silent_count_sentence(title)
    return "\n".join(lines)


def bias_words_html(markdown: str) -> str:
    """:func:`bias_words`' Markdown as HTML for a widget: its list items as a list, ``**bold**`` as bold."""
    bold = re.sub(r"\*\*(.+?)\*\*", r"<b>\1</b>", markdown)
    lines = bold.split("\n")
    if all(line.startswith("- ") for line in lines):
        return "<ul>" + "".join(f"<li>{line[2:]}</li>" for line in lines) + "</ul>"
    return "".join(f"<p>{line}</p>" for line in lines)


class BiasAnalyses:
    """Each report's bias analysis, drawn once in a background thread and kept, so that choosing a report
    never waits for it and a slider move only re-renders text.

    ``build(view)`` makes one report's analysis; ``on_ready(report_id)`` is called (from the thread) when it
    is done, so the page can replace :data:`COMPUTING` with the words.
    """

    def __init__(self, build, on_ready=None):
        import threading

        self._build, self.on_ready = build, on_ready
        self._lock = threading.Lock()
        self._threads: dict = {}
        self._done: dict = {}

    def start(self, view: ReportView) -> None:
        """Start drawing ``view``'s report in the background, unless it is drawn or being drawn."""
        import threading

        with self._lock:
            if view.report_id in self._threads:
                return
            thread = threading.Thread(target=self._run, args=(view,), daemon=True)
            self._threads[view.report_id] = thread
        thread.start()

    def _run(self, view: ReportView) -> None:
        try:
            result = self._build(view)
        except Exception as error:  # shown in words beside the sliders, not lost in a thread
            result = error
        self._done[view.report_id] = result
        if self.on_ready is not None:
            self.on_ready(view.report_id)

    def get(self, report_id: str):
        """The report's analysis, None while it is being drawn (or not started)."""
        return self._done.get(report_id)

    def wait(self, report_id: str):
        """The report's analysis, waiting for its thread (for the static copy and tests)."""
        self._threads[report_id].join()
        return self._done[report_id]
