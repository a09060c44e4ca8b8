"""The static site (``make site``) and the README's key chart, built from the executed notebooks.

``make site`` converts every executed notebook to HTML with nbconvert, then ``python -m helpers.present.site
build/site`` finishes the pages: links between notebooks point at the HTML copies, the scripts nbconvert
loads from the internet are removed (the pages need none, and a reader offline would see errors), each
entry's main chart is saved as a thumbnail, and ``index.html`` lists every catalogue entry with its title,
a one-line summary, its parameters, the thumbnail and a link.
"""

from __future__ import annotations

import base64
import html
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from helpers.ledger.catalogue import load_catalogue
from helpers.ledger.paths import EXECUTED_DIR, PROJECT_ROOT

KEY_CHART_NOTEBOOK = "00_overview.ipynb"
KEY_CHART_PATH = PROJECT_ROOT / "docs" / "key-chart.png"
_REMOTE_SCRIPT = re.compile(r'<script[^>]*\ssrc="https?://[^"]*"[^>]*>\s*</script>')
_MATHJAX_CONFIG = re.compile(r'<script type="text/x-mathjax-config">.*?</script>', re.S)
_NOTEBOOK_LINK = re.compile(r'href="([A-Za-z0-9_.-]+)\.ipynb(#[^"]*)?"')


@dataclass
class Entry:
    """What the index shows for one executed notebook."""

    name: str
    title: str
    summary: str
    parameters: dict = field(default_factory=dict)
    chart: bytes | None = None  # the first PNG the notebook displays: its main chart


def first_sentence(text: str) -> str:
    """The first sentence of a paragraph, Markdown emphasis and links reduced to their text."""
    plain = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)
    plain = re.sub(r"[*_`]", "", " ".join(plain.split()))
    match = re.match(r"(.+?[.!?])(\s|$)", plain)
    return match.group(1) if match else plain


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
                if shows:  # the notebook's own first sentence; the catalogue description is the fallback
                    summary = first_sentence(shows.group(1))
        elif chart is None:
            for output in cell.get("outputs", []):
                if "image/png" in output.get("data", {}):
                    chart = base64.b64decode(output["data"]["image/png"])
                    break
    return Entry(Path(path).stem, title, summary, dict(parameters or {}), chart)


def finish_page(page: Path, site_pages: set[str]) -> None:
    """Point links to other notebooks at their HTML copies and drop scripts loaded from the internet."""
    text = page.read_text(encoding="utf-8")

    def relink(match):
        stem, anchor = match.group(1), match.group(2) or ""
        return f'href="{stem}.html{anchor}"' if f"{stem}.html" in site_pages else match.group(0)

    text = _NOTEBOOK_LINK.sub(relink, text)
    # charts embedded by nbconvert carry no (or a placeholder) alternative text; name them for screen readers
    title = re.search(r"<title>(.*?)</title>", text, flags=re.S)
    alt = html.escape(f"Chart from the notebook {title.group(1).strip() if title else page.stem}", quote=True)
    text = re.sub(r"<img(?![^>]*\salt=)", f'<img alt="{alt}"', text)
    text = text.replace('alt="No description has been provided for this image"', f'alt="{alt}"')
    text = _MATHJAX_CONFIG.sub("", _REMOTE_SCRIPT.sub("", text))
    page.write_text(text, encoding="utf-8")


def _card(entry: Entry, thumb: str | None) -> str:
    params = (
        "".join(
            f"<li><code>{html.escape(k)}</code> = <code>{html.escape(str(v))}</code></li>"
            for k, v in entry.parameters.items()
        )
        or "<li>none (the notebook's defaults)</li>"
    )
    image = (
        f'<a href="{entry.name}.html"><img src="{thumb}" alt="Main chart of {html.escape(entry.title)}" '
        f'width="320"></a>'
        if thumb
        else "<p class='nochart'>No chart: this notebook is text and tables.</p>"
    )
    return (
        f'<article><h2><a href="{entry.name}.html">{html.escape(entry.title)}</a></h2>'
        f"<p>{html.escape(entry.summary)}</p><p>Parameters:</p><ul>{params}</ul>{image}</article>"
    )


STYLE = (
    "body{font-family:sans-serif;max-width:72rem;margin:2rem auto;padding:0 1rem;color:#222}"
    "main{display:grid;grid-template-columns:repeat(auto-fill,minmax(22rem,1fr));gap:1.5rem}"
    "article{border:1px solid #ccc;border-radius:6px;padding:1rem}h2{font-size:1.1rem}img{max-width:100%}"
)


def _report_titles() -> dict[str, str]:
    """report_id -> 'Title (year)' from the ledger's reports table (empty if it cannot be read)."""
    from helpers.ledger.tables import load_ledger
    from helpers.present.reports import short_titles

    try:
        return short_titles(load_ledger(validate=False).reports)
    except Exception:  # the index still lists the entry, titled by its id
        return {}


def write_index(site_dir: Path | str, executed_dir: Path | str = EXECUTED_DIR) -> Path:
    """Finish every HTML copy in ``site_dir`` and write index.html: one card per catalogue entry whose
    HTML copy is there (title, one-line summary, parameters, main-chart thumbnail, link)."""
    site_dir = Path(site_dir)
    pages = {p.name for p in site_dir.glob("*.html") if p.name != "index.html"}
    for name in sorted(pages):
        finish_page(site_dir / name, pages)
    thumbs = site_dir / "thumbs"
    titles = _report_titles()
    cards = []
    for run in load_catalogue():
        if f"{run.name}.html" not in pages:
            continue
        source = Path(executed_dir) / run.output_name
        entry = (
            describe(source, run.description, run.parameters)
            if source.is_file()
            else Entry(run.name, run.name, run.description, dict(run.parameters))
        )
        if run.parameters.get("report_id"):
            report_id = run.parameters["report_id"]
            entry.title = f"{entry.title}: {titles.get(report_id, report_id)}"
        thumb = None
        if entry.chart:
            thumbs.mkdir(exist_ok=True)
            (thumbs / f"{run.name}.png").write_bytes(entry.chart)
            thumb = f"thumbs/{run.name}.png"
        cards.append(_card(entry, thumb))
    index = site_dir / "index.html"
    index.write_text(
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        "<title>Missing from care: notebooks</title><style>" + STYLE + "</style></head><body>"
        "<h1>Missing from care: the executed notebooks</h1>"
        "<p>Each notebook as the runner last executed it, with the data and code of this release.</p>"
        "<main>" + "".join(cards) + "</main></body></html>\n",
        encoding="utf-8",
    )
    return index


def build_site(site_dir: Path | str, executed_dir: Path | str = EXECUTED_DIR) -> Path:
    """Convert every executed notebook to HTML in ``site_dir`` (nbconvert's lab template, images
    embedded), then finish the pages and write the index. Returns the index path."""
    from nbconvert import HTMLExporter

    site_dir = Path(site_dir)
    site_dir.mkdir(parents=True, exist_ok=True)
    exporter = HTMLExporter(template_name="lab")
    for source in sorted(Path(executed_dir).glob("*.ipynb")):
        title = describe(source).title  # the page's <title> is the notebook's H1
        body, _ = exporter.from_notebook_node(
            nbformat.read(source, as_version=4), resources={"metadata": {"name": title}}
        )
        (site_dir / f"{source.stem}.html").write_text(body, encoding="utf-8")
    return write_index(site_dir, executed_dir)


def write_key_chart(target: Path | str = KEY_CHART_PATH, executed_dir: Path | str = EXECUTED_DIR) -> Path:
    """Save the main chart of the executed overview notebook as a PNG (the README's key chart)."""
    entry = describe(Path(executed_dir) / KEY_CHART_NOTEBOOK)
    if entry.chart is None:
        raise ValueError(f"{KEY_CHART_NOTEBOOK} in {executed_dir} displays no PNG chart; run `mfc run` first")
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(entry.chart)
    return target


def main(argv: list[str] | None = None) -> int:
    """``python -m helpers.present.site --build SITE_DIR`` builds the site; ``python -m helpers.present.site SITE_DIR``
    finishes HTML copies already there; ``--key-chart [PATH]`` writes the key chart."""
    args = list(sys.argv[1:] if argv is None else argv)
    if args and args[0] == "--build":
        print(build_site(args[1] if len(args) > 1 else "build/site"))
        return 0
    if args and args[0] == "--key-chart":
        print(write_key_chart(args[1] if len(args) > 1 else KEY_CHART_PATH))
        return 0
    print(write_index(args[0] if args else "build/site"))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
