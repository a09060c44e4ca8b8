"""The site (``make site``) and the README's key chart, built from the executed notebooks.

The site is a Sphinx book: MyST-NB renders the executed copies in ``notebooks/executed/`` as they are
(``nb_execution_mode = "off"``, nothing is re-executed) with sphinx-book-theme, whose sidebar, previous/next
links and offline search come with it. Settings live in ``site/conf.py``. Before Sphinx runs, ``stage``
copies the notebooks into a scratch source folder and prepares that copy only (the committed executed
copies are never edited):

- every code cell is tagged ``hide-input`` (code folded, a button shows it) and parameter cells
  ``remove-cell``, unless the notebook tagged the cell itself;
- links to glossary entries become Sphinx glossary references, and the glossary's entries a Sphinx glossary;
- each body cell of a table is labelled with its column's header (``data-label``), which a phone shows
  as a card per row (site.css);
- each chart gets the alt text its output carries (``helpers.present.figure_output``), else one naming the page;
- each displayed table is also written as a CSV file of its numbers (``table_data``), named after the
  table's caption or section, with a download link under it;
- pages run once per report get the report's title in their heading;
- the reference pages of ``docs/*.md`` (commands, formats, intervals, ...) are copied beside them;
- a landing page gives the key findings, the key chart, every page with its one-line summary and the
  reference pages.
"""

from __future__ import annotations

import base64
import html
import re
import shutil
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import nbformat

from helpers.ledger.catalogue import load_catalogue
from helpers.ledger.csv_out import write_csv_file
from helpers.ledger.files import write_bytes_atomically, write_text_atomically
from helpers.ledger.paths import EXECUTED_DIR, PROJECT_ROOT
from helpers.present.escape import md_text
from helpers.present.glossary import ENTRY_PATTERN
from helpers.present.table_data import table_data

KEY_CHART_NOTEBOOK = "00_overview.ipynb"
KEY_CHART_PATH = PROJECT_ROOT / "docs" / "key-chart.png"
SITE_CONFIG_DIR = PROJECT_ROOT / "site"
DOCS_DIR = PROJECT_ROOT / "docs"  # the reference pages (Markdown), which the book includes after the notebooks
GLOSSARY_PAGE = "01_glossary"
_GLOSSARY_LINK = re.compile(r"\[([^\]]+)\]\(01_glossary\.ipynb#([a-z0-9-]+)\)")
# One pattern for a glossary entry, shared with the explorer's definitions (helpers.present.glossary).
_GLOSSARY_ENTRY = ENTRY_PATTERN
_PLUMBING_TAGS = {"parameters", "injected-parameters"}
_OWN_TAGS = {"hide-input", "remove-input", "remove-cell", "hide-cell", "remove-output"}


@dataclass
class Entry:
    """What the landing page says about one executed notebook."""

    name: str
    title: str
    summary: str
    parameters: dict = field(default_factory=dict)
    chart: bytes | None = None  # the first PNG the notebook displays: its main chart


def first_sentence(text: str, min_chars: int = 0) -> str:
    """The first sentence of a paragraph, Markdown emphasis and links reduced to their text; sentences are
    added until the summary is at least ``min_chars`` long (a short opener rarely says what a page shows)."""
    plain = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)
    plain = re.sub(r"[*`]", "", " ".join(plain.split()))
    plain = re.sub(r"(?<!\w)_|_(?!\w)", "", plain)  # _emphasis_ goes; 30_trends keeps its underscore
    sentences = re.findall(r".+?[.!?](?=\s|$)", plain) or [plain]
    summary = sentences[0]
    for sentence in sentences[1:]:
        if len(summary) >= min_chars:
            break
        summary += sentence
    return summary.strip()


def describe(path: Path | str, description: str = "", parameters: dict | None = None) -> Entry:
    """Title (the H1), summary (the first sentence after "What this shows", else ``description``), main chart."""
    nb = nbformat.read(path, as_version=4)
    title, summary, chart = Path(path).stem, description, None
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            h1 = re.search(r"^# (.+)$", cell.source, flags=re.M)
            if h1 and title == Path(path).stem:
                title = h1.group(1).strip()
                shows = re.search(r"\*\*What this (?:shows|is)\.\*\*\s*(.+?)(\n\n|$)", cell.source, flags=re.S)
                if shows:
                    summary = first_sentence(shows.group(1), min_chars=90)
        elif chart is None:
            for output in cell.get("outputs", []):
                if "image/png" in output.get("data", {}):
                    chart = base64.b64decode(output["data"]["image/png"])
                    break
    return Entry(Path(path).stem, title, summary, dict(parameters or {}), chart)


class _TableRows(HTMLParser):
    """The text of every row of the first HTML table, header rows included (the standard library's parser)."""

    def __init__(self):
        super().__init__()
        self.rows: list[list[str]] = []
        self._cell: list[str] | None = None
        self._depth = 0

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self._depth += 1
        elif tag == "tr" and self._depth == 1:
            self.rows.append([])
        elif tag in ("td", "th") and self._depth == 1 and self.rows:
            self._cell = []

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None:
            self.rows[-1].append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "table":
            self._depth -= 1

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def table_rows(html_text: str) -> list[list[str]]:
    """Rows of the first table in an HTML output, as text cells (empty list if there is no table)."""
    parser = _TableRows()
    parser.feed(html_text)
    return [row for row in parser.rows if row]


def _html_tables(cell, with_captions: bool = False) -> list:
    """The tables a code cell shows, as rows of text (with ``with_captions``, (caption, rows) pairs: the
    caption ``readable_table`` writes above a table, or "")."""
    tables = []
    for output in cell.get("outputs", []):
        text = output.get("data", {}).get("text/html", "")
        text = "".join(text) if isinstance(text, list) else text
        if "<table" in text:
            rows = table_rows(text)
            if len(rows) > 1:
                caption = re.match(r"(?:<style>.*?</style>)?\s*<p><em>(.*?)</em></p>", text, re.S)
                tables.append((re.sub(r"<[^>]+>", "", caption.group(1)) if caption else "", rows))
    return tables if with_captions else [rows for _, rows in tables]


def _slug(text: str, words: int = 8) -> str:
    """A file-name part from a heading: lower case, words joined by hyphens, at most ``words`` words."""
    plain = re.sub(r"[`*_\[\]()]", "", text.lower())
    return "-".join(re.findall(r"[a-z0-9]+", plain)[:words]) or "table"


def glossary_entries(nb) -> dict[str, tuple[str, str]]:
    """anchor -> (term, definition) for every entry ``<a id="anchor"></a>`` + ``### term`` of the glossary."""
    entries = {}
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            for anchor, term, body in _GLOSSARY_ENTRY.findall(cell.source):
                entries[anchor] = (term.strip(), body.strip())
    return entries


def _as_sphinx_glossary(source: str) -> str:
    """A glossary Markdown cell with its entries as one Sphinx ``glossary`` directive (headings kept)."""
    matches = list(_GLOSSARY_ENTRY.finditer(source))
    if not matches:
        return source
    items = []
    for m in matches:
        body = "\n".join("   " + line if line.strip() else "" for line in m.group(3).strip().splitlines())
        items.append(f"{m.group(2).strip()}\n{body}")
    head = source[: matches[0].start()]
    tail = source[matches[-1].end() :]
    return head + "```{glossary}\n" + "\n\n".join(items) + "\n```\n" + tail


def _term_links(source: str, terms: dict[str, tuple[str, str]]) -> str:
    """``[text](01_glossary.ipynb#anchor)`` -> a Sphinx term reference (unknown anchors are left alone)."""

    def swap(match):
        text, anchor = match.groups()
        if anchor not in terms:
            return match.group(0)
        return f"{{term}}`{text.replace('`', '')} <{terms[anchor][0]}>`"

    return _GLOSSARY_LINK.sub(swap, source)


def _page_title(nb, name: str, heading_suffix: str = "") -> str:
    """The page's heading as the reader sees it (its H1, with the report's title if run per report)."""
    for cell in nb.cells:
        h1 = re.search(r"^# (.+)$", cell.source, flags=re.M) if cell.cell_type == "markdown" else None
        if h1:
            return h1.group(1).strip() + (f" — {heading_suffix}" if heading_suffix else "")
    return name


def image_alt(cell) -> str | None:
    """The alt text the first chart of a code cell carries in its output's metadata (None if it has none)."""
    for output in cell.get("outputs", []):
        if "image/png" in output.get("data", {}):
            alt = output.get("metadata", {}).get("image/png", {}).get("alt", "")
            return " ".join(alt.split()) or None
    return None


class _CellLabeller(HTMLParser):
    """Re-emits an HTML output with each body cell of a table carrying its column's header as
    ``data-label`` and the table the class ``stacked``: on a phone, site.css shows each row as a card of
    "header: value" lines, so a row's numbers are on the screen without scrolling sideways."""

    def __init__(self):
        super().__init__(convert_charrefs=False)
        self.out: list[str] = []
        self.headers: list[str] = []
        self._where = ""  # "thead" or "tbody"
        self._header_text: list[str] | None = None
        self._column = 0

    def handle_starttag(self, tag, attrs):
        raw = self.get_starttag_text()
        if tag == "table":
            self.headers = []
            raw = (
                re.sub(r'class="', 'class="stacked ', raw, count=1)
                if 'class="' in raw
                else raw[:-1] + ' class="stacked">'
            )
        elif tag in ("thead", "tbody"):
            self._where = tag
        elif tag == "tr":
            self._column = 0
            if self._where == "thead":
                self.headers = []  # the last header row names the columns
        elif tag in ("th", "td"):
            if self._where == "thead":
                self._header_text = []
            elif self._where == "tbody" and self._column < len(self.headers) and self.headers[self._column]:
                label = html.escape(self.headers[self._column], quote=True)
                raw = raw[:-1] + f' data-label="{label}">'
            self._column += 1
        self.out.append(raw)

    def handle_endtag(self, tag):
        if tag in ("th", "td") and self._header_text is not None:
            self.headers.append(" ".join(html.unescape("".join(self._header_text)).split()))
            self._header_text = None
        elif tag in ("thead", "tbody"):
            self._where = ""
        self.out.append(f"</{tag}>")

    def handle_startendtag(self, tag, attrs):
        self.out.append(self.get_starttag_text())

    def handle_data(self, data):
        if self._header_text is not None:
            self._header_text.append(data)
        self.out.append(data)

    def handle_entityref(self, name):
        self.handle_data(f"&{name};")

    def handle_charref(self, name):
        self.handle_data(f"&#{name};")

    def handle_comment(self, data):
        self.out.append(f"<!--{data}-->")

    def handle_decl(self, decl):
        self.out.append(f"<!{decl}>")


def label_table_cells(html_text: str) -> str:
    """``html_text`` with every body cell of its tables labelled by its column's header (``_CellLabeller``)."""
    labeller = _CellLabeller()
    labeller.feed(html_text)
    labeller.close()
    return "".join(labeller.out)


def _term_links_in_outputs(cell, terms: dict[str, tuple[str, str]]) -> None:
    """Glossary links in the Markdown a code cell displays become term references too (helpers link the
    first use of a term in their text; the glossary page has no ``<a id>`` anchors once it is a Sphinx
    glossary, so a plain link there would not resolve)."""
    for output in cell.get("outputs", []):
        text = output.get("data", {}).get("text/markdown")
        if text is not None:
            text = "".join(text) if isinstance(text, list) else text
            output["data"]["text/markdown"] = _term_links(text, terms)


def _label_table_cells(cell) -> None:
    for output in cell.get("outputs", []):
        text = output.get("data", {}).get("text/html")
        if text is not None:
            text = "".join(text) if isinstance(text, list) else text
            if "<table" in text:
                output["data"]["text/html"] = label_table_cells(text)


def _set_image_alt(cell, page_title: str) -> None:
    """Give a cell's chart its alt text through MyST-NB's cell metadata (``mystnb: image: alt``): the text
    its output carries, else a sentence naming the page, never the hashed file name MyST-NB falls back to."""
    if not any("image/png" in o.get("data", {}) for o in cell.get("outputs", [])):
        return
    alt = image_alt(cell) or f"A chart of the page {page_title}; the text around it describes it."
    options = cell.metadata.setdefault("mystnb", {}).setdefault("image", {})
    options.setdefault("alt", alt)


def prepare_notebook(nb, name: str, terms: dict, tables_dir: Path, heading_suffix: str = ""):
    """The staged copy of one executed notebook (see the module docstring); ``nb`` itself is not changed."""
    nb = nbformat.from_dict(nb)  # a deep copy
    cells = []
    used: dict[str, int] = {}  # CSV name -> tables of that name so far (a second one gets "-2")
    section = ""  # the heading the next table sits under: it names the table's CSV
    page_title = _page_title(nb, name, heading_suffix)
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            source = cell.source
            headings = re.findall(r"^#{2,4} (.+)$", source, flags=re.M)
            section = headings[-1] if headings else section
            if name == GLOSSARY_PAGE:
                source = _as_sphinx_glossary(source)
            source = _term_links(source, terms)
            if heading_suffix:
                source = re.sub(
                    r"^# (.+)$", lambda m: f"# {m.group(1)} — {heading_suffix}", source, count=1, flags=re.M
                )
            cell.source = source
            cells.append(cell)
            continue
        if cell.cell_type != "code":
            cells.append(cell)
            continue
        tags = list(cell.metadata.get("tags", []))
        if _PLUMBING_TAGS & set(tags):
            tags.append("remove-cell")
        elif not _OWN_TAGS & set(tags):
            tags.append("hide-input")
        cell.metadata["tags"] = tags
        _set_image_alt(cell, page_title)
        _label_table_cells(cell)
        _term_links_in_outputs(cell, terms)
        cells.append(cell)
        if {"remove-cell", "remove-output", "hide-cell"} & set(tags):
            continue  # nothing shown, or shown only on request (a worked answer): no download link beside it
        for caption, rows in _html_tables(cell, with_captions=True):
            stem = f"{name}-{_slug(caption or section or 'table')}"
            used[stem] = used.get(stem, 0) + 1
            target = tables_dir / (f"{stem}.csv" if used[stem] == 1 else f"{stem}-{used[stem]}.csv")
            # numbers, not the text shown, through the one CSV writer (CR/LF quoted, formulas neutralised)
            write_csv_file(target, table_data(rows))
            link = f"{{download}}`Download this table (CSV) <tables/{target.name}>`"
            cells.append(nbformat.v4.new_markdown_cell(link))
    nb.cells = cells
    return nb


def _report_titles() -> dict[str, str]:
    """report_id -> 'Title (year)' from the ledger's reports table."""
    from helpers.ledger.tables import load_ledger
    from helpers.present.reports import short_titles

    return short_titles(load_ledger(validate=False).reports)


def reference_pages(docs_dir: Path | str = DOCS_DIR) -> list[tuple[str, str]]:
    """(file stem, title) of every Markdown page in ``docs_dir``, by file name; the title is the page's H1."""
    pages = []
    for path in sorted(Path(docs_dir).glob("*.md")):
        h1 = re.search(r"^# (.+)$", path.read_text(encoding="utf-8"), flags=re.M)
        pages.append((path.stem, h1.group(1).strip() if h1 else path.stem))
    return pages


def landing_page(entries: list[Entry], findings: str, has_chart: bool, references: list[tuple[str, str]] = ()) -> str:
    """The landing page's MyST text: what the site is, the key findings, the key chart, every page, and the
    reference pages ``references`` ((file stem, title) pairs) in a second part of the sidebar."""
    lines = [
        "# Missing from care: the ECPAT UK / Missing People reports, rebuilt",
        "",
        "Reproducible notebooks that rebuild, check and model the published figures on trafficked and "
        "unaccompanied asylum-seeking children who go missing from UK council care (2016-2025). Each notebook "
        "page is a notebook as `mfc run` last executed it; the code is folded under each result "
        '("Show the code"), and every table can be downloaded as CSV.'
        + (" The reference pages at the end say how to run, check and extend the collection." if references else ""),
        "",
        "## Key findings",
        "",
        findings.replace("> **Key findings**\n>\n", ""),  # the section heading already says it
        "",
    ]
    if has_chart:
        lines += [
            "## The key chart",
            "",
            "```{figure} key-chart.png",
            ":alt: Share of children in each group recorded by their council as missing, rebuilt from the published counts with "
            "95% Wilson intervals; open diamonds are the published percentages",
            "",
            "Each report's rebuilt rates with their 95% CI (sampling only, Wilson), one colour per group of "
            "children; open diamonds are the percentages as published. From the overview page.",
            "```",
            "",
        ]
    lines += ["## The pages", ""]
    # a notebook run once per report is one item, its pages named by report
    groups: dict[str, list[Entry]] = {}
    for e in entries:
        groups.setdefault(e.title.split(" — ")[0], []).append(e)
    for title, runs in groups.items():
        if len(runs) == 1 and " — " not in runs[0].title:
            lines.append(f"- [{title}]({runs[0].name}.ipynb): {runs[0].summary}")
        else:
            pages = ", ".join(f"[{e.title.split(' — ', 1)[1]}]({e.name}.ipynb)" for e in runs)
            lines.append(f"- **{title}**: {runs[0].summary} One page per report: {pages}.")
    lines += ["", "```{toctree}", ":hidden:", ":maxdepth: 1", ""] + [e.name for e in entries] + ["```", ""]
    if references:
        lines += ["## Reference", ""] + [f"- [{title}]({stem}.md)" for stem, title in references]
        lines += ["", "```{toctree}", ":hidden:", ":maxdepth: 1", ":caption: Reference", ""]
        lines += [stem for stem, _ in references] + ["```", ""]
    return "\n".join(lines)


def stage(
    source_dir: Path | str,
    executed_dir: Path | str = EXECUTED_DIR,
    findings: str | None = None,
    docs_dir: Path | str = DOCS_DIR,
) -> Path:
    """Fill ``source_dir`` with Sphinx's input: the configuration, the prepared notebooks, the reference pages
    of ``docs_dir``, the landing page."""
    source_dir = Path(source_dir)
    if source_dir.exists():
        shutil.rmtree(source_dir)
    shutil.copytree(SITE_CONFIG_DIR, source_dir, ignore=shutil.ignore_patterns("__pycache__"))
    tables = source_dir / "tables"
    tables.mkdir()
    executed_dir = Path(executed_dir)
    glossary = executed_dir / f"{GLOSSARY_PAGE}.ipynb"
    terms = glossary_entries(nbformat.read(glossary, as_version=4)) if glossary.is_file() else {}
    titles = _report_titles()
    entries = []
    for run in load_catalogue():
        path = executed_dir / run.output_name
        if not path.is_file():
            continue
        entry = describe(path, run.description, run.parameters)
        report_id = run.parameters.get("report_id")
        suffix = md_text(titles.get(report_id, report_id)) if report_id else ""  # a title from data: never markup
        if suffix:
            entry.title = f"{entry.title} — {suffix}"
        nb = prepare_notebook(nbformat.read(path, as_version=4), run.name, terms, tables, suffix)
        nbformat.write(nb, source_dir / run.output_name)
        entries.append(entry)
    if not entries:
        raise FileNotFoundError(f"{executed_dir}: no executed notebook of the catalogue is there; run `make run` first")
    chart = (
        write_key_chart(source_dir / "key-chart.png", executed_dir)
        if (executed_dir / KEY_CHART_NOTEBOOK).is_file()
        else None
    )
    if findings is None:
        from helpers.ledger.tables import load_ledger
        from helpers.present.findings import findings_markdown, key_findings

        ledger = load_ledger()
        findings = findings_markdown(key_findings(ledger), ledger.reports)
    references = reference_pages(docs_dir)
    for stem, _ in references:
        shutil.copyfile(Path(docs_dir) / f"{stem}.md", source_dir / f"{stem}.md")
    write_text_atomically(source_dir / "index.md", landing_page(entries, findings, chart is not None, references))
    return source_dir


def build_site(
    site_dir: Path | str, executed_dir: Path | str = EXECUTED_DIR, source_dir: Path | str | None = None
) -> Path:
    """Stage the notebooks and run Sphinx's HTML builder into ``site_dir``. Returns the landing page's path.

    Sphinx's warnings are printed; a build that fails raises RuntimeError naming the staged folder.
    """
    from sphinx.cmd.build import build_main

    site_dir = Path(site_dir)
    source_dir = Path(source_dir) if source_dir else site_dir.parent / f"{site_dir.name}-src"
    stage(source_dir, executed_dir)
    status = build_main(["-b", "html", "-q", "-E", "-d", str(source_dir / "_doctrees"), str(source_dir), str(site_dir)])
    if status != 0:
        raise RuntimeError(f"Sphinx could not build the site from {source_dir} (exit {status})")
    return site_dir / "index.html"


def write_key_chart(target: Path | str = KEY_CHART_PATH, executed_dir: Path | str = EXECUTED_DIR) -> Path:
    """Save the main chart of the executed overview notebook as a PNG (the README's and the site's key chart)."""
    entry = describe(Path(executed_dir) / KEY_CHART_NOTEBOOK)
    if entry.chart is None:
        raise ValueError(f"{KEY_CHART_NOTEBOOK} in {executed_dir} displays no PNG chart; run `mfc run` first")
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    write_bytes_atomically(target, entry.chart)  # docs/key-chart.png is committed: never half-written
    return target
