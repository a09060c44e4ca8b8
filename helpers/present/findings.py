"""Key findings of the collection in words, computed from the ledger (never typed by hand).

``key_findings`` returns the facts as a small dict of numbers (so a notebook can assert on them) and
``findings_markdown`` turns them into the sentences of the key-findings box at the top of ``00_overview``
and of the README.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from helpers.claims.alternatives import alternatives_from
from helpers.claims.check import check_claims, read_claims
from helpers.ledger.tables import Ledger
from helpers.present.claims_report import claim_count_facts, claims_sentence
from helpers.present.labels import version_label
from helpers.present.reports import short_titles
from helpers.stats.rates import headline_table


@dataclass(frozen=True)
class Rate:
    """One rebuilt rate: count of children who went missing, of how many in care, with its interval."""

    count: int
    of: int
    rate: float
    low: float
    high: float

    def words(self, who: str = "") -> str:
        """'864 of 2,335 trafficked children (37.0%; 95% CI (sampling only) 35.1% to 39.0%)' for who='trafficked children'."""
        who = f" {who}" if who else ""
        return f"{self.count:,} of {self.of:,}{who} ({self.rate:.1%}; 95% CI (sampling only) {self.low:.1%} to {self.high:.1%})"


def _rate(row) -> Rate:
    return Rate(
        int(row["numerator"]), int(row["denominator"]), float(row["rate"]), float(row["ci_low"]), float(row["ci_high"])
    )


def latest_rates(ledger: Ledger, headlines: pd.DataFrame | None = None) -> dict:
    """The latest report's trafficked and UASC went-missing rates, in the version whose rates round to the
    published ones (the first such version, in file order), plus the other versions' trafficked rates.

    ``headlines`` is :func:`helpers.stats.rates.headline_table` of every report when the caller has it.
    """
    reports = ledger.reports.sort_values("series_order")
    # the latest report with a trafficked went-missing count (not a companion study of other groups)
    table = headline_table(ledger.figures) if headlines is None else headlines
    counted = set(table.loc[(table["group"] == "trafficked") & (table["measure"] == "went_missing"), "report_id"])
    main = reports[reports["report_id"].isin(counted)].iloc[-1]
    missing = table[(table["measure"] == "went_missing") & (table["report_id"] == main["report_id"])]
    trafficked = missing[missing["group"] == "trafficked"]
    matching = trafficked[trafficked["rounds_to_published"].fillna(False).astype(bool)]
    version = (matching if not matching.empty else trafficked)["version"].iloc[0]
    pick = missing[missing["version"] == version].set_index("group")
    others = {v: _rate(r) for v, r in trafficked.set_index("version").iterrows() if v != version}
    return {
        "report_id": main["report_id"],
        "title": main["title"],
        "period": str(pick.loc["trafficked", "period"]),
        "version": version,
        "trafficked": _rate(pick.loc["trafficked"]),
        "unaccompanied": _rate(pick.loc["unaccompanied"]),
        "other_versions": others,
    }


def series_gap(headlines: pd.DataFrame) -> dict:
    """Across every report and version counting both groups (``headlines``: every report's headline table):
    how many, and in how many the trafficked interval lies wholly above the unaccompanied one."""
    missing = headlines[headlines["measure"] == "went_missing"]
    both = missing.pivot_table(
        index=["report_id", "version", "period"], columns="group", values=["ci_low", "ci_high"]
    ).dropna(subset=[("ci_low", "trafficked"), ("ci_low", "unaccompanied")])
    above = int((both[("ci_low", "trafficked")] > both[("ci_high", "unaccompanied")]).sum())
    return {
        "pairs": len(both),
        "trafficked_above": above,
        "reports": both.index.get_level_values("report_id").nunique(),
    }


def published_mismatches(headlines: pd.DataFrame) -> dict:
    """How many published percentages of ``headlines`` do not round from their own counts, and whether
    each is explained."""
    checked = headlines[headlines["rounds_to_published"].notna()]
    wrong = checked[checked["rounds_to_published"] == False]  # noqa: E712
    return {
        "checked": len(checked),
        "mismatched": len(wrong),
        "unexplained": int((wrong["discrepancy_id"] == "").sum()),
    }


def claim_verdicts(ledger: Ledger) -> dict:
    """The ledger's claims checked, counted on the named basis of ``claims_report.claim_count_facts``."""
    verdicts = check_claims(read_claims(ledger.data_dir / "claims.csv"), alternatives_from(ledger.figures))
    return claim_count_facts(verdicts, ledger.sources)


def key_findings(ledger: Ledger) -> dict:
    """Every number the key-findings box states, from the ledger (every headline rate computed once)."""
    headlines = headline_table(ledger.figures)
    return {
        "reports": len(ledger.reports),
        "latest": latest_rates(ledger, headlines),
        "series": series_gap(headlines),
        "published": published_mismatches(headlines),
        "claims": claim_verdicts(ledger),
    }


def findings_sentences(facts: dict, reports: pd.DataFrame) -> list[str]:
    """The key findings (:func:`key_findings`) as plain sentences (Markdown emphasis only), in reading order;
    ``reports`` is the ledger's reports table, for the latest report's short title."""
    latest, series, pub, claims = facts["latest"], facts["series"], facts["published"], facts["claims"]
    title = short_titles(reports)[latest["report_id"]]
    sentences = [
        f"In *{title}*, {latest['trafficked'].words('trafficked children in care')} were recorded by their council as missing "
        f"at least once in {latest['period']}, against {latest['unaccompanied'].words('unaccompanied asylum-seeking children')} "
        f'(figures of the version "{version_label(latest["version"])}").',
    ]
    for version, rate in latest["other_versions"].items():
        sentences.append(
            f'The same count over the denominator of the version "{version_label(version)}" gives '
            f"{rate.words()}, which does not round to the published rate: the versions differ in their denominators, not their counts."
        )
    sentences.append(
        f"In {series['trafficked_above']} of {series['pairs']} report versions that count both groups "
        f"(across {series['reports']} reports), the 95% CI (sampling only) for trafficked children lies wholly "
        f"above the one for unaccompanied children. That allows for sampling error only: councils that did not "
        f"answer could overturn it, and the non-response notebook states the assumption it rests on."
    )
    explained = "each a known discrepancy" if pub["unexplained"] == 0 else f"{pub['unexplained']} unexplained"
    sentences.append(
        f"{pub['mismatched']} of {pub['checked']} published percentages do not round from their own counts "
        f"({explained})."
    )
    sentences.append(claims_sentence(claims))
    sentences.append(
        "The councils that answered are not a random sample and differ between rounds, so the reports are "
        "not a strict time series and the intervals understate the uncertainty."
    )
    return sentences


def findings_markdown(facts: dict, reports: pd.DataFrame) -> str:
    """The key-findings box of :func:`key_findings`' facts: a bold heading and one bullet per finding, as
    Markdown (``reports`` as for :func:`findings_sentences`). Nothing is recomputed or read here."""
    return "> **Key findings**\n>\n" + "\n".join(f"> - {s}" for s in findings_sentences(facts, reports))
