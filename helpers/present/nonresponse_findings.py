"""What a reader can and cannot conclude from a report under non-response, as computed sentences."""

from __future__ import annotations

import pandas as pd

from helpers.ledger.vocabulary import version_label
from helpers.nonresponse.tipping import needed_rate


def findings_in_words(
    table: pd.DataFrame, conclusions: pd.DataFrame, silent_share: float | None, response: pd.DataFrame | None = None
) -> tuple[list[str], dict]:
    """Sentences for the end of the non-response notebook, and the facts they rest on (for asserts).

    ``table`` is :func:`helpers.nonresponse.report.nonresponse_table`; ``conclusions`` is
    :func:`helpers.nonresponse.tipping.report_conclusions`; ``silent_share`` is the share of councils asked
    that did not answer (None if unknown); ``response`` (optional) is
    :func:`helpers.nonresponse.frame.response_table`, for the councils that answered the not-found question.
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
            f"**Can conclude:** with no assumption about the {b.group} children whose going-missing answer is "
            f"unknown, the rate among all the children counted lies between {b.low:.1%} and {b.high:.1%} "
            f"(respondents only: {b.estimate:.1%}); "
            f"that range is {widen:.1f} times as wide as the {ci['interval']} of the respondents-only rate."
        )
    modelled = table[table["scenario"].str.endswith("(synthetic councils)") & (table["interval"] != "bounds")]
    for group, rows in modelled.groupby("group", sort=False):
        lo, hi = rows["estimate"].min(), rows["estimate"].max()
        facts[f"modelled_{group}"] = (lo, hi, rows["scenario"].nunique(), rows["method"].nunique())
        sentences.append(
            f"Under the {rows['scenario'].nunique()} scenarios tried (synthetic council counts matched to the published "
            f"totals), the {rows['method'].nunique()} estimators put the {group} rate in all councils between "
            f"{lo:.1%} and {hi:.1%}. These scenarios are assumptions, not evidence about the councils that stayed silent."
        )
    for c in conclusions.itertuples(index=False):
        robust = silent_share is not None and c.s_min > silent_share
        at_share = float(needed_rate(c.observed, c.comparator, silent_share)) if silent_share else None
        facts[f"tipping_{c.conclusion}"] = (c.s_min, at_share, robust)
        text = (
            f"'{c.conclusion}' ({c.observed:.1%} against {c.comparator:.1%}, {c.comparator_label}) can only be "
            f"overturned if the silent councils hold at least {c.s_min:.0%} of the children"
        )
        if at_share is not None:
            text += (
                f"; if they hold as large a share of the children as of the councils ({silent_share:.0%}), their "
                + (
                    f"rate would have to be {at_share:.1%} or lower"
                    if at_share >= 0
                    else "rate could not be low enough to overturn it"
                )
            )
        sentences.append(("**Can conclude:** " if robust else "**Cannot conclude for certain:** ") + text + ".")
    sentences.append(
        "**Cannot conclude:** which councils answered, or whether councils where more children go missing were "
        "less likely to answer: the published figures cannot tell these scenarios apart. The official "
        "auxiliaries cover England only, count children on 31 March rather than during a year, and describe all "
        "looked-after children rather than trafficked ones."
    )
    return sentences, facts


def show_table(table: pd.DataFrame, formats: dict, na_rep: str = "not found") -> pd.DataFrame:
    """A copy of ``table`` with the named columns formatted as text (e.g. {"rate": "{:.1%}"}); empty values
    read ``na_rep``; version ids (columns named ``*version``, "a+b" for a row drawing on two versions) read
    as their labels. Plain text keeps executed notebooks identical between runs (Styler ids are random)."""
    out = table.copy()
    for col, fmt in formats.items():
        out[col] = [na_rep if pd.isna(v) else fmt.format(v) for v in out[col]]
    for col in [c for c in out.columns if str(c).endswith("version")]:
        out[col] = [
            v if pd.isna(v) else " and ".join(version_label(part) for part in str(v).split("+")) for v in out[col]
        ]
    return out.reset_index(drop=True)
