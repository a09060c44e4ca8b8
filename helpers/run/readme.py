"""The README's generated blocks: key findings, the notebook table, and where every table and chart is.

Each block sits between ``<!-- BEGIN name -->`` and ``<!-- END name -->`` in README.md and is rebuilt from
the ledger, the catalogue and the executed notebooks by ``python -m helpers.run.readme`` (run by ``make run``).
The blocks are derived from whatever the catalogue lists, so a notebook added later appears without
code changes; ``tests/run/test_readme.py`` fails when the README is out of date.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import nbformat

from helpers.ledger.catalogue import load_catalogue
from helpers.ledger.paths import EXECUTED_DIR, NOTEBOOKS_DIR, PROJECT_ROOT

README = PROJECT_ROOT / "README.md"
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
    return "\n".join(f"- {s}" for s in findings_sentences(key_findings(ledger), ledger))


BUILDERS = {"key-findings": key_findings_block, "notebooks": notebook_table, "outputs": outputs_map}


def render(text: str) -> str:
    """``text`` (a README) with every generated block rebuilt; unknown block names are left as they are."""

    def rebuild(match):
        builder = BUILDERS.get(match.group("name"))
        return match.group(0) if builder is None else f"{match.group(1)}{builder()}\n{match.group(4)}"

    return BLOCK.sub(rebuild, text)


def main(argv: list[str] | None = None) -> int:
    """``python -m helpers.run.readme`` rewrites README.md's generated blocks in place; ``--check`` exits 1
    with one line if they are out of date."""
    args = sys.argv[1:] if argv is None else argv
    current = README.read_text(encoding="utf-8")
    fresh = render(current)
    if "--check" in args:
        if fresh != current:
            print("README.md: generated blocks are out of date; run `python -m helpers.run.readme`", file=sys.stderr)
            return 1
        return 0
    if fresh != current:
        from helpers.ledger.files import write_text_atomically

        write_text_atomically(README, fresh)  # the README is committed: complete or unchanged
    print(README.relative_to(PROJECT_ROOT))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
