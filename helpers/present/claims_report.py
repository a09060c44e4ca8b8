"""Summaries and a chart of claim verdicts, for the claims notebook."""

from __future__ import annotations

from fractions import Fraction

import matplotlib.pyplot as plt
import pandas as pd

from helpers.present.plots import ordered
from helpers.stats.rounding import QUALIFIER_WORDS, decimals

KIND_LABELS = {
    "proportion": "proportion (%)",
    "percent_change": "percentage change (%)",
    "one_in_n": "one in N (N)",
    "total": "total (children)",
}
VERDICT_ORDER = ["consistent", "inconsistent", "not_checkable"]


def with_sources(verdicts: pd.DataFrame, sources: pd.DataFrame | None) -> pd.DataFrame:
    """Add the outlet (publisher) of each claim when the claims name a source_id the ledger knows."""
    out = verdicts.copy()
    if sources is not None and "source_id" in out.columns:
        outlets = sources.set_index("source_id")["publisher"]
        out["outlet"] = out["source_id"].map(outlets).fillna(out["source_id"])
    return out


def count_copies_once(verdicts: pd.DataFrame, sources: pd.DataFrame | None) -> pd.DataFrame:
    """One row per distinct claim per outlet: syndicated copies of one article counted once.

    A source whose ``copy_of`` names another outlet reprints that outlet's article, so its claims belong
    to that outlet. Claims of one outlet (in its own pages or in copies elsewhere) with the same report,
    kind, a, b, stated and qualifier are the same claim.
    Keeps the first row of each such set, with ``article`` (the outlet whose article it is) and
    ``copies`` (how many sources printed it). Without sources or a ``source_id`` column, every row stands.
    """
    out = verdicts.copy()
    if sources is None or "source_id" not in out.columns or "copy_of" not in sources.columns:
        return out.assign(article=out.get("source_id", ""), copies=1)
    info = sources.set_index("source_id")
    original = info["copy_of"].where(info["copy_of"].fillna("").astype(str) != "", info["publisher"])
    out["article"] = out["source_id"].map(original).fillna(out["source_id"])
    key = [c for c in ("report_id", "article", "kind", "a", "b", "stated", "qualifier") if c in out.columns]
    out["copies"] = out.groupby(key, dropna=False)["claim_id"].transform("size")
    return out.drop_duplicates(key).reset_index(drop=True)


def verdict_counts(verdicts: pd.DataFrame, by: str) -> pd.DataFrame:
    """Claims by ``by`` (report_id, outlet, kind) and verdict, with the inconsistent ones as a count ("3 of 15")
    of the claims that could be checked.

    Counts, not percentages: with a handful of claims per row a percentage suggests more precision than
    there is.
    """
    if by not in verdicts.columns:
        return pd.DataFrame()
    table = pd.crosstab(verdicts[by], pd.Categorical(verdicts["verdict"], VERDICT_ORDER), dropna=False)
    table.columns = list(table.columns.astype(str))
    table.columns.name = None
    # Claims that cannot be checked (not_checkable) are left out of the denominator.
    table["inconsistent, of checkable"] = [
        f"{i} of {i + c}" for i, c in zip(table["inconsistent"], table["consistent"])
    ]
    return table


def stated_text(row) -> str:
    """The claim as a reader saw it: 'more than 1 in 4', 'nearly 2,400', '37%'."""
    prefix = QUALIFIER_WORDS.get(row["qualifier"], "")
    stated = row["stated"]
    if row["kind"] == "one_in_n":
        return f"{prefix}one in {stated}"
    if row["kind"] in ("proportion", "percent_change"):
        return f"{prefix}{stated}%"
    return f"{prefix}{float(stated):,.0f}"


def computed_text(row) -> str:
    """The recomputed figure at one decimal more than the claim shows."""
    places = decimals(row["stated"]) + 1
    value = float(Fraction(row["computed"]))
    if row["kind"] == "one_in_n":
        return f"one in {value:.{places}f}"
    if row["kind"] in ("proportion", "percent_change"):
        return f"{value:.{places}f}%"
    return f"{value:,.0f}"


def reader_impact(row) -> str:
    """What an inconsistent claim changes for a reader, in one sentence."""
    stated, computed = float(row["stated"]), float(Fraction(row["computed"]))
    told, actual = stated_text(row), computed_text(row)
    if row["kind"] == "one_in_n":
        # A larger N is a smaller share: compare shares, which is what a reader pictures.
        stated, computed = 1 / stated, 1 / computed
    direction = "overstates" if stated > computed else "understates"
    if row["kind"] == "proportion":
        size = f"the share by {abs(stated - computed):.1f} percentage points"
    elif row["kind"] == "percent_change":
        size = f"the change by {abs(stated - computed):.1f} percentage points"
    elif row["kind"] == "one_in_n":
        size = f"the share ({1 / float(row['stated']):.1%} against {computed:.1%})"
    else:
        size = f"the count by {abs(stated - computed):,.0f}"
    if row["qualifier"] in ("more_than", "at_least", "nearly", "less_than"):
        side = "higher" if stated > computed else "lower"
        return f"Told {told}, a reader pictures a figure {side} than the printed numbers give ({actual})."
    return f"Told {told}, a reader gets a figure the printed numbers do not support ({actual}): it {direction} {size}."


def impact_lines(verdicts: pd.DataFrame) -> list[str]:
    """One plain-text paragraph per inconsistent claim: the claim, the likely slip, the effect on a reader."""
    lines = []
    for _, row in verdicts[verdicts["verdict"] == "inconsistent"].iterrows():
        who = f" ({row['outlet']})" if "outlet" in row and isinstance(row.get("outlet"), str) else ""
        slip = row["explanation"] or "No single slip explains it."
        lines.append(f"- {row['claim_id']}{who}: {slip} {reader_impact(row)}")
    return lines


def inconsistent_claims(verdicts: pd.DataFrame) -> pd.DataFrame:
    """Each inconsistent claim with its operands, the likely slip and what it changes for a reader."""
    bad = verdicts[verdicts["verdict"] == "inconsistent"]
    columns = [c for c in ("claim_id", "report_id", "outlet") if c in bad.columns]
    out = bad[columns].copy()
    out["claim"] = [stated_text(r) for _, r in bad.iterrows()]
    out["from"] = [f"{r['a']} and {r['b']}" if r["b"] else r["a"] for _, r in bad.iterrows()]
    out["recomputed"] = [computed_text(r) for _, r in bad.iterrows()]
    out["likely slip"] = bad["diagnosis"].replace("", "none identified")
    return out.reset_index(drop=True)


def chart_points(verdicts: pd.DataFrame) -> pd.DataFrame:
    """The claims chart's table: one row per distinct (kind, stated, recomputed, verdict) point.

    ``claims`` counts how many claims sit on that point, so identical claims repeated by several outlets
    are one point labelled with their number rather than dots hidden under each other. ``label`` names
    the first claim of each inconsistent point.
    """
    data = verdicts.assign(
        stated_value=verdicts["stated"].astype(float),
        computed_value=[float(Fraction(c)) for c in verdicts["computed"]],
        kind_label=verdicts["kind"].map(KIND_LABELS),
    )
    points = (
        data.groupby(["kind_label", "stated_value", "computed_value", "verdict"], sort=False)
        .agg(claims=("claim_id", "size"), first_claim=("claim_id", "first"))
        .reset_index()
    )
    points["label"] = [
        f"{c}" + (f" (x{n})" if n > 1 else "") if v == "inconsistent" else (f"x{n}" if n > 1 else "")
        for c, n, v in zip(points["first_claim"], points["claims"], points["verdict"])
    ]
    return points


def stated_vs_computed_chart(verdicts: pd.DataFrame):
    """One panel per kind of claim: stated against recomputed value, the diagonal marking agreement.

    Points come from ``chart_points``: a point's size grows with the number of identical claims and
    "xN" prints beside it; inconsistent points are labelled with a claim id.
    """
    from helpers.present.plots import palette_for

    points = chart_points(verdicts)
    points["kind_label"] = ordered(
        points["kind_label"], [KIND_LABELS[k] for k in KIND_LABELS if KIND_LABELS[k] in set(points["kind_label"])]
    )
    kinds = list(points["kind_label"].cat.categories)
    fig, axes = plt.subplots(1, len(kinds), figsize=(4.4 * len(kinds), 4.2), squeeze=False)
    palette = palette_for(VERDICT_ORDER)
    for ax, kind in zip(axes[0], kinds):
        part = points[points["kind_label"] == kind]
        for verdict in VERDICT_ORDER:
            sub = part[part["verdict"] == verdict]
            ax.scatter(
                sub["computed_value"],
                sub["stated_value"],
                s=30 + 25 * (sub["claims"] - 1),
                color=palette[verdict],
                alpha=0.8,
                label=verdict,
                edgecolors="white",
            )
        labelled = part[part["label"] != ""].sort_values("stated_value")
        for i, row in enumerate(labelled.itertuples()):
            # inconsistent points are named to the right, counts of consistent ones to the left; a
            # staggered height keeps neighbouring labels apart
            right = row.verdict == "inconsistent"
            ax.annotate(
                row.label,
                (row.computed_value, row.stated_value),
                fontsize=7,
                xytext=(6 if right else -6, (i % 3 - 1) * 7),
                textcoords="offset points",
                ha="left" if right else "right",
                va="center",
            )
        low = min(part["computed_value"].min(), part["stated_value"].min())
        high = max(part["computed_value"].max(), part["stated_value"].max())
        pad = (high - low) * 0.08 or 1
        ax.plot([low - pad, high + pad], [low - pad, high + pad], color="grey", lw=0.8, ls="--")
        ax.set(title=kind, xlabel="recomputed from the numbers", ylabel="as stated")
    axes[0][-1].legend(title="verdict (size: number of claims)", loc="upper left", bbox_to_anchor=(1, 1), frameon=False)
    fig.tight_layout()
    return fig
