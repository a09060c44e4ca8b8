"""The generated blocks of README.md and docs/: key findings, the notebook table, where every table and chart is.

Each block sits between ``<!-- BEGIN name -->`` and ``<!-- END name -->`` in README.md or a page of ``docs/``
and is rebuilt from the ledger, the catalogue and the executed notebooks by ``mfc readme`` (run by ``make
run``). The blocks are derived from whatever the catalogue lists, so a notebook added later appears without
code changes; ``tests/run/test_readme.py`` fails when a document is out of date.
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat

from helpers.ledger.catalogue import load_catalogue
from helpers.ledger.paths import EXECUTED_DIR, NOTEBOOKS_DIR, PROJECT_ROOT

README = PROJECT_ROOT / "README.md"
DOCS_DIR = PROJECT_ROOT / "docs"
BLOCK = re.compile(r"(<!-- BEGIN (?P<name>[a-z-]+) -->\n)(?P<body>.*?)(<!-- END (?P=name) -->)", re.S)


def notebook_title_and_summary(path: Path) -> tuple[str, str]:
    """A source notebook's H1 and the first sentence of its "What this shows/is" paragraph."""
    from helpers.present.site import first_sentence

    title, summary = path.stem, ""
    for cell in nbformat.read(path, as_version=4).cells:
        if cell.cell_type != "markdown":
            continue
        h1 = re.search(r"^# (.+)$", cell.source, flags=re.M)
        if h1:
            title = h1.group(1).strip()
            shows = re.search(r"\*\*What this (?:shows|is)\.\*\*\s*(.+?)(\n\n|$)", cell.source, flags=re.S)
            summary = first_sentence(shows.group(1)) if shows else ""
            break
    return title, summary


def notebook_table(notebooks_dir: Path = NOTEBOOKS_DIR) -> str:
    """One row per notebook of the catalogue (a notebook run several times is one row listing its runs)."""
    runs: dict[str, list] = {}
    for run in load_catalogue():
        runs.setdefault(run.notebook, []).append(run)
    lines = ["| notebook | title | what it shows | executed copies |", "| --- | --- | --- | --- |"]
    for notebook, its_runs in runs.items():
        title, summary = notebook_title_and_summary(Path(notebooks_dir) / notebook)
        copies = ", ".join(f"`{r.output_name}`" for r in its_runs)
        lines.append(f"| `{notebook}` | {title} | {summary} | {copies} |")
    return "\n".join(lines)


def _outputs_of(path: Path) -> list[tuple[str, str]]:
    """(section, "table" or "chart") for every table and chart an executed notebook shows, in order."""
    section, items = "(top)", []
    for cell in nbformat.read(path, as_version=4).cells:
        if cell.cell_type == "markdown":
            heads = re.findall(r"^## (.+)$", cell.source, flags=re.M)
            section = heads[-1].strip() if heads else section
            continue
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            kind = "chart" if "image/png" in data else "table" if "<table" in data.get("text/html", "") else None
            if kind:
                items.append((section, kind))
    return items


def outputs_map(executed_dir: Path = EXECUTED_DIR) -> str:
    """Every table and chart of the executed notebooks, by notebook and section (the last H2 above it).

    A notebook run several times (one run per report) is listed once, with every section that any of its
    runs shows; a section shown only by some runs says so.
    """
    by_notebook: dict[str, list[list[tuple[str, str]]]] = {}
    for run in load_catalogue():
        path = Path(executed_dir) / run.output_name
        if path.is_file():
            by_notebook.setdefault(run.notebook, []).append(_outputs_of(path))
    lines = []
    for notebook, runs in by_notebook.items():
        counts: dict[tuple[str, str], list[int]] = {}
        for items in runs:
            for item in dict.fromkeys(items):
                counts.setdefault(item, []).append(items.count(item))
        lines.append(f"- `{notebook}`" + (f" ({len(runs)} runs)" if len(runs) > 1 else ""))
        if not counts:
            lines.append("  - text only")
        for (section, kind), ns in counts.items():
            n = max(ns)
            some = f", in {len(ns)} of {len(runs)} runs" if len(ns) < len(runs) else ""
            lines.append(f"  - {section}: {n} {kind}{'s' if n > 1 else ''}{some}")
    return "\n".join(lines)


def key_findings_block() -> str:
    """The key findings as a Markdown list, from the ledger (as at the top of ``00_overview``)."""
    from helpers.ledger.tables import load_ledger
    from helpers.present.findings import findings_sentences, key_findings

    ledger = load_ledger()
    return "\n".join(f"- {s}" for s in findings_sentences(key_findings(ledger), ledger.reports))


BUILDERS = {"key-findings": key_findings_block, "notebooks": notebook_table, "outputs": outputs_map}


def render(text: str) -> str:
    """``text`` (a README) with every generated block rebuilt; unknown block names are left as they are."""

    def rebuild(match):
        builder = BUILDERS.get(match.group("name"))
        return match.group(0) if builder is None else f"{match.group(1)}{builder()}\n{match.group(4)}"

    return BLOCK.sub(rebuild, text)


def generated_documents() -> list[Path]:
    """The documents that may hold generated blocks: README.md and every page in ``docs/``."""
    return [README, *sorted(DOCS_DIR.glob("*.md"))]


def stale_documents(documents: list[Path] | None = None) -> list[Path]:
    """The documents whose generated blocks differ from what :func:`render` builds now."""
    stale = []
    for path in documents if documents is not None else generated_documents():
        text = path.read_text(encoding="utf-8")
        if render(text) != text:
            stale.append(path)
    return stale


def refresh_documents(documents: list[Path] | None = None) -> list[Path]:
    """Rewrite the generated blocks of every document in place; returns the documents that changed."""
    from helpers.ledger.files import write_text_atomically

    changed = []
    for path in documents if documents is not None else generated_documents():
        current = path.read_text(encoding="utf-8")
        fresh = render(current)
        if fresh != current:
            write_text_atomically(path, fresh)  # the documents are committed: complete or unchanged
            changed.append(path)
    return changed
