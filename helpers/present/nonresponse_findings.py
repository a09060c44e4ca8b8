"""What a reader can and cannot conclude from a report under non-response, as computed sentences."""

from __future__ import annotations

import numpy as np
import pandas as pd

from helpers.ledger.vocabulary import version_label
from helpers.nonresponse.estimators import ESTIMATOR_LABELS

#: Every method of the non-response table, in words.
METHOD_LABELS = {
    **ESTIMATOR_LABELS,
    "bounds": "item non-response bounds",
    "unit_bounds": "unit non-response bounds",
    "two_sided_threshold": "no-assumption threshold (share of children)",
    "silent_child_share": "silent share of children (from council counts)",
    "p_holds_random_silence": "probability the conclusion survives any silent rates (random silence)",
    "selection_evalue_both_sides": "selection-bias E-value, both rates selected",
    "selection_evalue_one_side": "selection-bias E-value, one rate selected",
    "selection_evalue_limit_both_sides": "selection-bias E-value at the interval limit, both rates selected",
    "selection_evalue_limit_one_side": "selection-bias E-value at the interval limit, one rate selected",
    "bias_adjusted": "bias-adjusted rate over every council (probabilistic bias analysis)",
    "bias_adjusted_difference": "bias-adjusted difference of the two rates (probabilistic bias analysis)",
    "p_holds_bias_adjusted": "probability the conclusion holds (probabilistic bias analysis)",
}


def holds_if(c) -> str:
    """The assumption a conclusion of :func:`helpers.nonresponse.two_sided.two_sided_table` rests on, in words.

    ``c`` is one row of that table (a mapping). Never the word for surviving with no assumption.
    """
    share = c["silent_share"]
    side_a, _, side_b = c["conclusion"].partition(" above ")
    if c["observed"] <= c["comparator"]:
        return "does not hold in the published figures themselves, before any non-response"
    text = (
        f"holds if the silent councils hold less than {c['threshold']:.1%} of the children"
        + (" of each group" if c["comparator_moves"] else "")
        + " (no assumption about their rates)"
    )
    if share is None or np.isnan(share):
        return text + "; the share of councils that did not answer is not published, so no more can be said"
    where = f"with {share:.1%} of the children in silent councils (the share of councils silent, as an approximation"
    if "not published for the comparator" in c["silent_basis"]:
        where += ", taken to be the same for the comparator, whose share is not published)"
    elif "not published for this report" in c["silent_basis"]:
        where += " for the comparator, taken to be the same for this report, whose share is not published)"
    else:
        where += ")"
    children = one_accounting_words(c) + child_share_words(c)
    if c["comparator_moves"]:
        if c["gap"] > 1:
            return text + f"; {where}, no rates of the silent councils could overturn it{children}"
        if c["gap"] <= 0:
            return (
                text
                + f"; {where}, it does not survive the item non-response bounds even if the silent councils resemble the answering ones{children}"
            )
        return (
            text + f", or, {where}, if the silent councils' {side_b} rate does not exceed their "
            f"{side_a} rate by {100 * c['gap']:.1f} points or more "
            f"({100 * c['gap_unit_only']:.1f} points if the children without an answer were recorded as missing as often as those with one){children}"
        )
    if c["gap"] < 0:
        return text + f"; {where}, no rate of the silent councils could overturn it{children}"
    return text + f", or, {where}, if the silent councils' {side_a} rate is above {c['gap']:.1%}{children}"


def one_accounting_words(c) -> str:
    """Each child counted once, beside the stacked figures, in words (empty without item non-response).

    ``c`` is a row of :func:`helpers.nonresponse.two_sided.two_sided_table`.
    """
    if pd.isna(c.get("item_silent_floor", np.nan)):
        return ""
    return (
        f". Counted once, the children without an answer belong to councils silent on the question, which "
        f"therefore hold at least {c['item_silent_floor']:.1%} of the children; the threshold is then "
        f"{c['threshold_unit_only']:.1%}. The figures before stack item on unit non-response and so treat "
        f"{c['stacked_unknown_share']:.1%} of the children as unknown, counting those children twice: they are "
        "conservative"
    )


def child_share_words(c) -> str:
    """The silent share of children from DfE's council counts, beside the share of councils, in words.

    ``c`` is a row of :func:`helpers.nonresponse.two_sided.two_sided_table`; empty where the child share
    could not be computed (no council share published, or a group without council counts).
    """
    if pd.isna(c.get("child_share_low", np.nan)):
        return ""
    p = c["p_holds_random"]
    holds = "in every draw" if p == 1 else "in none of the draws" if p == 0 else f"in {p:.0%} of draws"
    return (
        f". But councils differ in size, and the share of children is not known: from the council counts "
        f"({c['child_share_source']}), the silent councils could hold from {c['child_share_low']:.1%} to "
        f"{c['child_share_high']:.1%} of England's children (the smallest to the largest councils); were they a "
        f"random set of that size, the conclusion would survive any rates of theirs {holds} (silent share of "
        f"children {c['child_share_p05']:.1%} to {c['child_share_p95']:.1%}, 5th to 95th percentile; Wales, "
        "Scotland and Northern Ireland have no council counts and take part only as councils of median size)"
    )


def with_holds_if(two_sided: pd.DataFrame) -> pd.DataFrame:
    """A :func:`helpers.nonresponse.two_sided.two_sided_table` with ``holds_if``: each conclusion's assumption."""
    words = [holds_if(c) for c in two_sided.to_dict("records")]
    return two_sided.assign(holds_if=pd.Series(words, index=two_sided.index, dtype=object))  # text, even when empty


def with_tipping_notes(table: pd.DataFrame, two_sided: pd.DataFrame) -> pd.DataFrame:
    """The non-response table with each tipping row's ``note`` stating what its conclusion rests on.

    ``table`` is :func:`helpers.nonresponse.report.nonresponse_table` and ``two_sided`` the two-sided
    table it was built from; rows of method ``two_sided_threshold`` are keyed by conclusion (their ``group``).
    """
    notes = dict(zip(two_sided["conclusion"], with_holds_if(two_sided)["holds_if"])) if len(two_sided) else {}
    out = table.copy()
    tipping = out["method"] == "two_sided_threshold"
    out.loc[tipping, "note"] = out.loc[tipping, "group"].map(notes).fillna("")
    return out


def evalue_sentence(e) -> str:
    """One conclusion's selection-bias E-values in words; ``e`` is a row of
    :func:`helpers.nonresponse.evalues.evalue_table` (a mapping). The four-parameter value leads where both
    rates rest on answering councils; an interval that includes no change is said to need no selection."""
    from helpers.nonresponse.evalues import CITATION

    both_selected = not pd.isna(e["evalue_both_sides"])
    tie = (
        "the unmeasured factor's effect on being recorded as missing and its association with answering would "
        "each have to reach a risk ratio of at least "
    )
    if both_selected:
        value = (
            f"{e['evalue_both_sides']:.2f} in each group (both rates rest on answering councils), or "
            f"{e['evalue_one_side']:.2f} if selection biased one rate only"
        )
    else:
        value = f"{e['evalue_one_side']:.2f} (only this report's rate rests on answering councils)"
    text = f"**Selection needed to explain '{e['conclusion']}' away** (risk ratio {e['risk_ratio']:.2f}): {tie}{value}"
    if e.get("interval") and not pd.isna(e.get("rr_low")):
        limits = f"its {e['interval']} runs from {e['rr_low']:.2f} to {e['rr_high']:.2f}"
        if e["includes_no_change"]:
            text += (
                f"; but {limits}, which includes no change, so its E-value at the interval limit is 1: no selection "
                "at all is needed to make it compatible with no difference"
            )
        else:
            at_limit = (
                f"{e['evalue_limit_both_sides']:.2f} (or {e['evalue_limit_one_side']:.2f} for one rate)"
                if both_selected
                else f"{e['evalue_limit_one_side']:.2f}"
            )
            text += f"; to move the interval to no change ({limits}) needs {at_limit}"
    return text + f" (selection-bias E-values, {CITATION})."


def child_share_table(shares: dict) -> pd.DataFrame:
    """One row per group: the share of councils silent beside the silent share of England's children three ways.

    ``shares`` is :func:`helpers.nonresponse.two_sided.report_child_shares`. Columns: group, council counts
    (which and what year), councils silent (of the frame), share of councils silent, the range (smallest to
    largest councils), the random-silence 5th, 50th and 95th percentiles, and the size-tilted medians and
    5th-95th percentiles (tilt -1: large councils less likely to be silent; +1: more likely).
    """
    from helpers.nonresponse.two_sided import child_share_label

    rows = []
    for group, x in shares.items():
        row = {
            "group": group,
            "council counts": child_share_label(x),
            "silent councils (of the frame)": f"{x.silent_councils} of {x.distribution.frame_councils}",
            "share of councils silent": x.council_share,
            "smallest councils silent": x.low,
            "largest councils silent": x.high,
            "random silence, 5th percentile": x.p05,
            "random silence, median": x.p50,
            "random silence, 95th percentile": x.p95,
        }
        for tilt, (lo, mid, hi) in sorted(x.tilted.items()):
            side = "larger councils more often silent" if tilt > 0 else "larger councils less often silent"
            row[f"{side} (tilt {tilt:+g}): median (5th to 95th percentile)"] = f"{mid:.1%} ({lo:.1%} to {hi:.1%})"
        rows.append(row)
    return pd.DataFrame(rows)


def findings_in_words(
    table: pd.DataFrame,
    two_sided: pd.DataFrame,
    response: pd.DataFrame | None = None,
    evalues: pd.DataFrame | None = None,
) -> tuple[list[str], dict]:
    """Sentences for the end of the non-response notebook, and the facts they rest on (for asserts).

    ``table`` is :func:`helpers.nonresponse.report.nonresponse_table`; ``two_sided`` is
    :func:`helpers.nonresponse.two_sided.two_sided_table`; ``response`` (optional) is
    :func:`helpers.nonresponse.frame.response_table`, for the councils that answered the not-found question;
    ``evalues`` (optional) is :func:`helpers.nonresponse.evalues.evalue_table`. A conclusion is never called
    robust: each is stated with the assumption it rests on ("holds if ...").
    """
    sentences, facts = [], {}
    if response is not None:
        nf = response[(response["measure"] == "councils_reporting_not_found") & response["councils"].notna()]
        for row in nf.itertuples(index=False):
            facts["not_found_councils"] = (row.councils, row.councils_asked, row.share_of_asked)
            sentences.append(
                f"**Cannot conclude** how many children were never found across the UK: only {row.councils:.0f} of the "
                f"{row.councils_asked:.0f} councils asked ({row.share_of_asked:.0%}) could say, so any count of children "
                "not found describes those councils alone."
            )
    bounds = table[table["method"] == "bounds"]
    for b in bounds.itertuples(index=False):
        ci = (
            table[
                (table["group"] == b.group)
                & (table["method"] == "respondents_only")
                & (table["scenario"] == "published counts")
            ]
            .sort_values("estimate")
            .iloc[-1]
        )
        widen = (b.high - b.low) / (ci["high"] - ci["low"])
        facts[f"bounds_{b.group}"] = (b.low, b.high, b.estimate, widen)
        sentences.append(
            f"**Bounds (no assumption):** whatever the {b.group} children whose answer is unknown did, the share "
            f"recorded by their council as missing among all the children counted lies between {b.low:.1%} and "
            f"{b.high:.1%} (respondents only: {b.estimate:.1%}); that range is {widen:.1f} times as wide as the "
            f"{ci['interval']} of the respondents-only rate."
        )
    modelled = table[table["scenario"].str.endswith("(synthetic councils)")]
    for group, rows in modelled.groupby("group", sort=False):
        lo, hi = rows["estimate"].min(), rows["estimate"].max()
        facts[f"modelled_{group}"] = (lo, hi, rows["scenario"].nunique(), rows["method"].nunique())
        sentences.append(
            f"Under the {rows['scenario'].nunique()} scenarios tried (synthetic council counts matched to the published "
            f"totals; {rows['interval'].iloc[0]} each), the medians of the {rows['method'].nunique()} estimators put the "
            f"{group} rate in all councils between {lo:.1%} and {hi:.1%}, and single draws between "
            f"{rows['low'].min():.1%} and {rows['high'].max():.1%}. These scenarios are assumptions, not evidence about "
            "the councils that stayed silent, and their spread is not a confidence interval."
        )
    for c in two_sided.itertuples(index=False):
        facts[f"tipping_{c.conclusion}"] = (c.threshold, c.threshold_unit_only, c.silent_share, c.gap)
        if not pd.isna(getattr(c, "child_share_low", np.nan)):
            facts[f"children_{c.conclusion}"] = (c.child_share_low, c.child_share_high, c.p_holds_random)
        sentences.append(
            f"**'{c.conclusion}'** ({c.observed:.1%} against {c.comparator:.1%}, {c.comparator_label}) "
            f"{holds_if(c._asdict())}."
        )
    if evalues is not None:
        for e in evalues.itertuples(index=False):
            facts[f"evalue_{e.conclusion}"] = (
                e.risk_ratio,
                e.evalue_one_side,
                e.evalue_both_sides,
                e.evalue_limit_one_side,
                e.evalue_limit_both_sides,
            )
            sentences.append(evalue_sentence(e._asdict()))
    sentences.append(
        "**Cannot conclude:** which councils answered, or whether councils where more children are recorded as "
        "missing were less likely to answer: the published figures cannot tell these scenarios apart. The official "
        "auxiliaries cover England only, count children on 31 March rather than during a year, and describe all "
        "looked-after children rather than trafficked ones; councils' definitions of missing and absent vary."
    )
    return sentences, facts


def show_table(
    table: pd.DataFrame,
    formats: dict,
    na_rep: str = "not found",
    headers: dict | None = None,
    labels: dict | None = None,
):
    """``table`` through :func:`helpers.present.tables.readable_table`, with some columns formatted first.

    ``formats`` formats the named columns as text (e.g. {"rate": "{:.1%}"}), an empty value reading
    ``na_rep``; version ids (columns named ``*version``, "a+b" for a row drawing on two versions) read as
    their labels and method ids as words (``METHOD_LABELS``); ``headers`` (optional) keeps the named
    columns, in that order, under those headers; ``labels`` adds column -> {code: label} (e.g. source ids
    to publishers). Returns the ``Table`` readers see (no index, codes as
    labels, counts with separators).
    """
    from helpers.present.tables import readable_table

    out = table.copy()
    for col, fmt in formats.items():
        out[col] = [na_rep if pd.isna(v) else fmt.format(v) for v in out[col]]
    for col in [c for c in out.columns if str(c).endswith("version")]:
        out[col] = [
            v if pd.isna(v) else " and ".join(version_label(part) for part in str(v).split("+")) for v in out[col]
        ]
    if headers:
        out = out[list(headers)]
    return readable_table(out, labels={"method": METHOD_LABELS, **(labels or {})}, columns=headers)


def simulation_table(results: pd.DataFrame) -> pd.DataFrame:
    """The simulation's results as a reader reads them: words for estimators, bias, RMSE and width in
    percentage points, coverage in per cent, each with its Monte Carlo standard error (SYNTHETIC data)."""

    def pts(v, se=None):
        return f"{100 * v:+.2f}" + ("" if se is None else f" ± {100 * se:.2f}")

    return pd.DataFrame(
        {
            "scenario (synthetic councils)": results["scenario"],
            "estimator": [ESTIMATOR_LABELS.get(e, e) for e in results["estimator"]],
            "replicates": results["replicates"],
            "bias, points ± MCSE": [pts(b, s) for b, s in zip(results["bias"], results["bias_mcse"])],
            "RMSE, points ± MCSE": [
                f"{100 * r:.2f} ± {100 * s:.2f}" for r, s in zip(results["rmse"], results["rmse_mcse"])
            ],
            "coverage ± MCSE": [
                f"{c:.1%} ± {100 * s:.1f} points" for c, s in zip(results["coverage"], results["coverage_mcse"])
            ],
            "mean interval width, points": [f"{100 * w:.2f}" for w in results["mean_width"]],
        }
    )
