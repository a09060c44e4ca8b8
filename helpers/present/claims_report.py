"""Summaries and a chart of claim verdicts, for the claims notebook."""

from __future__ import annotations

from fractions import Fraction

import matplotlib.pyplot as plt
import pandas as pd

from helpers.present.escape import md_text
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


def claim_count_facts(verdicts: pd.DataFrame, sources: pd.DataFrame | None) -> dict[str, int]:
    """The claim counts every page states, on one named basis with the other beside it.

    The basis is *distinct claims*: one per article, syndicated copies of it counted once
    (``count_copies_once``). ``printed`` and ``printed_inconsistent`` count every copy as printed.
    ``diagnosed`` is how many distinct inconsistent claims have a likely slip named.
    """
    distinct = count_copies_once(verdicts, sources)
    bad = distinct[distinct["verdict"] == "inconsistent"]
    return {
        "claims": len(distinct),
        "inconsistent": len(bad),
        "diagnosed": int((bad["diagnosis"] != "").sum()),
        "printed": len(verdicts),
        "printed_inconsistent": int((verdicts["verdict"] == "inconsistent").sum()),
    }


def claims_sentence(counts: dict[str, int], who: str = "the charities and the press") -> str:
    """The claim counts in one sentence, the basis named (the README, ``00_overview`` and ``20_claims`` share it)."""
    unnamed = counts["inconsistent"] - counts["diagnosed"]
    named = (
        f"for {counts['diagnosed']} of those the likely slip is named"
        + (f", for {unnamed} no single slip explains the figure" if unnamed else "")
        if counts["inconsistent"]
        else "so no slip needs naming"
    )
    return (
        f"Of {counts['claims']:,} distinct claims made in words by {who} (syndicated copies of one article "
        f"counted once; {counts['printed']:,} as printed), {counts['inconsistent']:,} do not match the numbers "
        f"beside them ({counts['printed_inconsistent']:,} as printed); {named}."
    )


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
    """What an inconsistent claim changes for a reader, in one sentence.

    A claim that fits another valid denominator (diagnosis ``other_denominator``) is a rate the report's
    own counts support, printed beside the wrong base. Which base is nearer the share among all counted
    children depends on the children with no answer, so the sentence names the mismatch and no direction.
    """
    stated, computed = float(row["stated"]), float(Fraction(row["computed"]))
    told, actual = stated_text(row), computed_text(row)
    if row.get("diagnosis", "") == "other_denominator":
        return (
            f"Told {told}, a reader gets a rate over another denominator than the one printed beside it "
            f"(over the printed one it is {actual}); both are rates the report's counts support, so the slip "
            f"is the printed denominator, and {told} is not shown to be too high or too low."
        )
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
        # the id, the outlet and the explanation come from data files: shown as typed, never as markup
        who = f" ({md_text(row['outlet'])})" if "outlet" in row and isinstance(row.get("outlet"), str) else ""
        slip = md_text(row["explanation"]) if row["explanation"] else "No single slip explains it."
        lines.append(f"- {md_text(row['claim_id'])}{who}: {slip} {reader_impact(row)}")
    return lines


def inconsistent_claims(verdicts: pd.DataFrame) -> pd.DataFrame:
    """Each inconsistent claim with its operands, the likely slip and what it changes for a reader."""
    bad = verdicts[verdicts["verdict"] == "inconsistent"].reset_index(drop=True)
    out = pd.DataFrame({"#": [str(i + 1) for i in range(len(bad))]})  # the numbers on the claims chart
    for column in ("claim_id", "report_id", "outlet"):
        if column in bad.columns:
            out[column] = bad[column]
    out["claim"] = [stated_text(r) for _, r in bad.iterrows()]
    out["from"] = [_operands(r) for _, r in bad.iterrows()]
    out["recomputed"] = [computed_text(r) for _, r in bad.iterrows()]
    out["diagnosis"] = bad["diagnosis"]
    return out


def _operands(row) -> str:
    """The numbers a claim rests on, with thousands separators: '864 and 2,638'."""
    shown = [
        f"{float(Fraction(v)):,.{0 if float(Fraction(v)).is_integer() else 1}f}" for v in (row["a"], row["b"]) if v
    ]
    return " and ".join(shown)


def claims_table(verdicts: pd.DataFrame, sources: pd.DataFrame | None, titles: dict[str, str] | None = None):
    """Every claim for a reader: its wording, the report, the outlet linked to its source, the stated and
    recomputed figures, the verdict and the likely slip (a ``readable_table`` Table)."""
    from helpers.present.tables import readable_table

    # the claim's wording where the file gives it, else its id: a reader needs one way to tell claims apart
    if "description" in verdicts.columns and verdicts["description"].fillna("").astype(str).str.strip().all():
        frame = pd.DataFrame({"description": verdicts["description"].astype(str)})
    else:
        frame = pd.DataFrame({"claim_id": verdicts["claim_id"]})
    if "report_id" in verdicts.columns:
        frame["report_id"] = verdicts["report_id"]
    links = {}
    if sources is not None and "source_id" in verdicts.columns:
        info = sources.set_index("source_id")
        frame["outlet"] = verdicts["source_id"].map(info["publisher"]).fillna(verdicts["source_id"])
        frame["url"] = verdicts["source_id"].map(info["url"]).fillna("")
        links = {"outlet": "url"}
    frame["stated"] = [stated_text(r) for _, r in verdicts.iterrows()]
    frame["computed"] = [computed_text(r) if r["computed"] else "" for _, r in verdicts.iterrows()]
    frame["verdict"] = verdicts["verdict"]
    frame["diagnosis"] = verdicts["diagnosis"]
    return readable_table(frame, labels={"report_id": titles or {}}, links=links)


def chart_points(verdicts: pd.DataFrame) -> pd.DataFrame:
    """The claims chart's table: one row per distinct (kind, stated, recomputed, verdict) point.

    ``claims`` counts how many claims sit on that point, so identical claims repeated by several outlets
    are one larger point rather than dots hidden under each other. ``label`` numbers the inconsistent
    points (1, 2, ...) in the order of ``inconsistent_claims``, whose ``#`` column gives the same numbers.
    """
    data = verdicts.assign(
        stated_value=verdicts["stated"].astype(float),
        computed_value=[float(Fraction(c)) for c in verdicts["computed"]],
        kind_label=verdicts["kind"].map(KIND_LABELS),
    )
    points = (
        data.groupby(["kind_label", "stated_value", "computed_value", "verdict"], sort=False)
        .agg(claims=("claim_id", "size"), first_claim=("claim_id", "first"), ids=("claim_id", list))
        .reset_index()
    )
    numbers = {c: str(i + 1) for i, c in enumerate(verdicts.loc[verdicts["verdict"] == "inconsistent", "claim_id"])}
    points["label"] = [
        ", ".join(numbers[c] for c in ids if c in numbers) if v == "inconsistent" else ""
        for ids, v in zip(points["ids"], points["verdict"])
    ]
    return points


VERDICT_WORDS = {"consistent": "consistent", "inconsistent": "inconsistent", "not_checkable": "cannot be checked"}


def stated_vs_computed_chart(verdicts: pd.DataFrame):
    """Stated against recomputed value, one panel per kind of claim (two per row), the diagonal marking
    agreement. A point's size grows with the number of identical claims (a key gives the sizes);
    inconsistent points carry the number of their row in ``inconsistent_claims``."""
    from helpers.present.plots import palette_for

    points = chart_points(verdicts)
    points["kind_label"] = ordered(
        points["kind_label"], [KIND_LABELS[k] for k in KIND_LABELS if KIND_LABELS[k] in set(points["kind_label"])]
    )
    kinds = list(points["kind_label"].cat.categories)
    columns = min(2, len(kinds))
    rows = -(-len(kinds) // columns)
    fig, axes = plt.subplots(rows, columns, figsize=(8.0, 3.3 * rows + 1.0), squeeze=False)
    palette = palette_for(VERDICT_ORDER)
    size = lambda n: 30 + 20 * (n - 1)  # noqa: E731 - the one size rule, used by the points and their key
    for ax, kind in zip(axes.flat, kinds):
        part = points[points["kind_label"] == kind]
        for verdict in VERDICT_ORDER:
            sub = part[part["verdict"] == verdict]
            ax.scatter(
                sub["computed_value"],
                sub["stated_value"],
                s=size(sub["claims"]),
                color=palette[verdict],
                alpha=0.8,
                label=VERDICT_WORDS[verdict],
                edgecolors="white",
            )
        for i, row in enumerate(part[part["label"] != ""].sort_values("stated_value").itertuples()):
            ax.annotate(
                row.label,
                (row.computed_value, row.stated_value),
                fontsize=9,
                fontweight="bold",
                xytext=(7, (i % 2) * 8 - 4),  # staggered so neighbouring numbers stay apart
                textcoords="offset points",
                ha="left",
                va="center",
            )
        low = min(part["computed_value"].min(), part["stated_value"].min())
        high = max(part["computed_value"].max(), part["stated_value"].max())
        pad = (high - low) * 0.08 or 1
        ax.plot([low - pad, high + pad], [low - pad, high + pad], color="grey", lw=0.8, ls="--")
        ax.set(title=kind, xlabel="recomputed from the numbers", ylabel="as stated")
        ax.ticklabel_format(style="plain", useOffset=False) if kind != KIND_LABELS["total"] else None
        if kind == KIND_LABELS["total"]:
            ax.xaxis.set_major_formatter(plt.FuncFormatter(lambda v, _: f"{v:,.0f}"))
            ax.yaxis.set_major_formatter(plt.FuncFormatter(lambda v, _: f"{v:,.0f}"))
    for ax in list(axes.flat)[len(kinds) :]:
        ax.remove()
    handles = [
        plt.Line2D([], [], marker="o", ls="", color=palette[v], label=VERDICT_WORDS[v])
        for v in VERDICT_ORDER
        if v in set(points["verdict"])
    ]
    most = int(points["claims"].max())
    for n in sorted({1, most} | ({max(2, most // 2)} if most > 2 else set())):
        handles.append(
            plt.scatter([], [], s=size(n), color="grey", edgecolors="white", label=f"{n} claim{'s' if n > 1 else ''}")
        )
    fig.legend(
        handles=handles,
        title="verdict, and point size: identical claims",
        loc="lower center",
        ncol=len(handles),
        frameon=False,
    )
    fig.tight_layout(rect=(0, 0.08, 1, 1))
    return fig


def verdicts_by(distinct: pd.DataFrame, by: str, titles: dict[str, str] | None = None):
    """``verdict_counts`` as a readable Table, or a sentence when the claims do not name ``by``."""
    from helpers.present.tables import readable_table

    table = verdict_counts(distinct, by) if by in distinct.columns else pd.DataFrame()
    if table.empty or distinct[by].fillna("").astype(str).str.strip().eq("").all():
        return f"The claims do not name {'a report' if by == 'report_id' else 'an outlet'}, so there is nothing to group by."
    table = table.rename_axis(by).reset_index()
    return readable_table(table, labels={"report_id": titles or {}}, columns={"outlet": "article by"})


def closing_paragraph(distinct: pd.DataFrame, discrepancies: pd.DataFrame | None = None, titles=None) -> str:
    """What the checked claims show, in words, computed from whichever claims were checked.

    Names the commonest slip and where it occurs; where those claims carry a known discrepancy of the
    ledger, adds its likely explanation (marked as the ledger's inference).
    """
    from helpers.present.tables import code_labels

    slips = code_labels()["diagnosis"]
    titles = titles or {}
    bad = distinct[distinct["verdict"] == "inconsistent"]
    if bad.empty:
        return (
            f"All {len(distinct):,} distinct claims checked match the numbers beside them (or cannot be checked); "
            "no slip needs explaining."
        )
    named = bad[bad["diagnosis"] != ""]
    if named.empty:
        return (
            f"None of the {len(bad):,} inconsistent claims fits a single known slip; each needs reading in its source."
        )
    counts = named["diagnosis"].value_counts()
    top, n = counts.index[0], int(counts.iloc[0])
    where = (
        named.loc[named["diagnosis"] == top, "report_id"] if "report_id" in named.columns else pd.Series([], dtype=str)
    )
    reports = [md_text(titles.get(r, r)) for r in dict.fromkeys(where) if isinstance(r, str) and r]
    unexplained = len(bad) - len(named)
    text = (
        f"Of the {len(bad):,} inconsistent claim{'s' if len(bad) > 1 else ''}, {n:,} "
        f"{'share' if n > 1 else 'shows'} the commonest slip, *{slips.get(top, top)}*"
        + (f", in the coverage of {', '.join(f'*{r}*' for r in reports)}" if reports else "")
        + (f"; {unexplained:,} fit no single slip." if unexplained else ".")
    )
    if discrepancies is not None and "discrepancy_id" in named.columns:
        ids = [d for d in dict.fromkeys(named.loc[named["diagnosis"] == top, "discrepancy_id"].fillna("")) if d]
        known = discrepancies.set_index("discrepancy_id")
        for d in ids:
            if d in known.index:
                explanation = md_text(known.loc[d, "likely_explanation"])
                text += f" The ledger's known discrepancy {md_text(d)} offers, as its own inference: {explanation}"
    return text
