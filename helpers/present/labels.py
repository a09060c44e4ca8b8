"""Readable labels for ids: published versions, sources (title linked to URL), report headings.

The ids in ``data/`` stay as they are; these functions only change how they are shown to a reader.
"""

from __future__ import annotations

import pandas as pd

from helpers.ledger.versions import version_labels  # noqa: F401 (re-exported)
from helpers.ledger.vocabulary import period_words, version_label, with_version_labels  # noqa: F401 (re-exported)
from helpers.present.escape import html_text, md_text, safe_url

# discrepancy ids are kept as ids but always shown with a reminder of what they are.
DISCREPANCY_PREFIX = "known discrepancy"


def source_link(sources: pd.DataFrame, source_id: str, *, markup: str = "markdown") -> str:
    """The source's title linked to its URL, as Markdown (``markup="markdown"``) or HTML (``"html"``).

    ``sources`` is ``data/sources.csv`` as loaded by ``helpers.ledger.tables.load_ledger``. A source without a URL
    is shown as its title alone; an unknown id raises ``KeyError`` naming the id.
    """
    table = sources.set_index("source_id") if "source_id" in sources.columns else sources
    if source_id not in table.index:
        raise KeyError(f"source_id {source_id!r} is not in data/sources.csv")
    row = table.loc[source_id]
    title = str(row["title"]).strip()
    url = safe_url(row.get("url"))  # only a web, mail or relative link: never javascript:
    if markup == "html":
        t = html_text(title)
        return f'<a href="{html_text(url)}">{t}</a>' if url else t
    if markup != "markdown":
        raise ValueError(f"markup must be 'markdown' or 'html', got {markup!r}")
    t = md_text(title.replace("[", "(").replace("]", ")"))
    return f"[{t}]({url.replace(' ', '%20').replace(')', '%29').replace('<', '%3C').replace('>', '%3E')})" if url else t


def source_links(sources: pd.DataFrame, source_ids: str | list[str], *, markup: str = "markdown") -> str:
    """Several sources (a list, or ids joined by ``;`` as in ``discrepancies.csv``) linked, joined by '; '."""
    ids = source_ids.split(";") if isinstance(source_ids, str) else list(source_ids)
    return "; ".join(source_link(sources, s.strip(), markup=markup) for s in ids if s.strip())


def report_heading(reports: pd.DataFrame, report_id: str) -> str:
    """One Markdown sentence naming a report: title, subtitle if known, date, publishers and periods.

    A missing subtitle is left out rather than shown as "nan".
    """
    row = reports.set_index("report_id").loc[report_id]
    subtitle = row["subtitle"]
    head = f"**{row['title']}**" + (f": {subtitle}." if isinstance(subtitle, str) and subtitle.strip() else ".")
    return (
        f"{head} Published {row['published']:%d %B %Y} by {row['publishers'].replace(';', ' and')}; "
        f"FOI data for {row['period_start']:%B %Y} to {row['period_end']:%B %Y}; "
        f"headline period {period_words(row['headline_period'])}."
    )


def discrepancy_markdown(discrepancies: pd.DataFrame, sources: pd.DataFrame | None = None) -> str:
    """Known discrepancies as a Markdown list: id, what disagrees, the likely explanation, the sources.

    Long explanations read badly squeezed into table cells, so they are shown as list items instead.
    """
    if discrepancies.empty:
        return "The ledger records no discrepancy for this report."
    items = []
    for row in discrepancies.itertuples(index=False):
        item = (
            f"- **{row.discrepancy_id}** ({DISCREPANCY_PREFIX}). {row.summary}\n"
            f"  - *Likely explanation:* {row.likely_explanation}"
        )
        ids = getattr(row, "source_ids", None)
        if sources is not None and isinstance(ids, str) and ids.strip():
            item += f"\n  - *Sources:* {source_links(sources, ids)}"
        items.append(item)
    return "\n".join(items)


def sources_markdown(sources: pd.DataFrame, source_ids) -> str:
    """A Markdown list of sources, one line each: the id the tables use, then the title linked to its URL."""
    ids = list(dict.fromkeys(s for s in source_ids if isinstance(s, str) and s))
    if not ids:
        return "No source is cited here."
    return "\n".join(f"- `{s}`: {source_link(sources, s)}" for s in ids)


def source_labels(sources: pd.DataFrame) -> dict[str, str]:
    """source_id -> who published it and what it is (e.g. "The Guardian, news article"), for table cells.

    Titles are too long to repeat on every row of a table; the sources are listed with their titles and
    links under each table that names them (``sources_markdown``).
    """
    return {
        row.source_id: f"{str(row.publisher).replace(';', ' and')}, {str(row.kind).replace('_', ' ')}"
        for row in sources.itertuples(index=False)
    }
