"""The site: a Sphinx book of the executed notebooks that works offline in a real browser.

The site is built once per test session from ``notebooks/executed/`` into a temporary folder (about 15 s).
The staging step is tested on made-up notebooks; the built HTML is checked for anything fetched from the
network; then headless Chromium (Debian's ``chromium``, driven by Playwright through ``executable_path``)
walks from the landing page to every page and back, searches for "Wilson", folds and unfolds a code cell,
follows every internal link, records every request that leaves the site, and measures that no table cell or
chart is cut off. Without Chromium or Playwright the browser test skips and says which is missing.
"""

from __future__ import annotations

import csv
import os
import re
import shutil
from pathlib import Path
from urllib.parse import unquote, urlparse

import nbformat
import pytest

from helpers.ledger.paths import EXECUTED_DIR
from helpers.present.site import build_site, first_sentence, prepare_notebook, table_rows
from helpers.run.runner import load_catalogue

CATALOGUE = load_catalogue()


def test_first_sentence_drops_markdown():
    assert (
        first_sentence("The words the [notebooks](x.ipynb) *use*, defined. More.")
        == "The words the notebooks use, defined."
    )
    # an underscore inside a name stays; one that marks emphasis goes
    assert first_sentence("`30_trends` states _what_ it can. More.") == "30_trends states what it can."


def test_table_rows_reads_header_and_body_cells():
    html = (
        "<table><thead><tr><th>Report</th><th>Rate</th></tr></thead>"
        "<tbody><tr><td>Until Harm Ends</td><td>37.0%</td></tr><tr><td>A, B</td><td>1,501</td></tr></tbody></table>"
    )
    assert table_rows(html) == [["Report", "Rate"], ["Until Harm Ends", "37.0%"], ["A, B", "1,501"]]


def test_staging_tags_cells_links_terms_and_writes_each_table_as_csv(tmp_path):
    params = nbformat.v4.new_code_cell("x = 1", metadata={"tags": ["parameters"]})
    shown = nbformat.v4.new_code_cell("table")
    shown.outputs = [
        nbformat.v4.new_output(
            "execute_result",
            data={"text/html": "<table><tr><th>a</th></tr><tr><td>1,000</td></tr></table>", "text/plain": "a"},
            execution_count=2,
        )
    ]
    own = nbformat.v4.new_code_cell("y", metadata={"tags": ["remove-input"]})
    text = nbformat.v4.new_markdown_cell("# Title\nSee the [Wilson interval](01_glossary.ipynb#wilson).")
    nb = nbformat.v4.new_notebook(cells=[text, params, shown, own])
    terms = {"wilson": ("Wilson score interval", "…")}
    staged = prepare_notebook(nb, "10_report-x", terms, tmp_path, heading_suffix="Until Harm Ends (2025)")
    assert [c.metadata.get("tags") for c in staged.cells if c.cell_type == "code"] == [
        ["parameters", "remove-cell"],
        ["hide-input"],
        ["remove-input"],
    ]
    assert staged.cells[0].source == (
        "# Title — Until Harm Ends (2025)\nSee the {term}`Wilson interval <Wilson score interval>`."
    )
    # a table under no heading and with no caption is named "table"; its CSV holds the number, not "1,000"
    assert staged.cells[3].source == "{download}`Download this table (CSV) <tables/10_report-x-table.csv>`"
    with (tmp_path / "10_report-x-table.csv").open(newline="") as handle:
        assert list(csv.reader(handle)) == [["a"], ["1000"]]
    assert nb.cells[1].metadata["tags"] == ["parameters"], "the executed copy itself is not changed"


def test_staging_gives_each_chart_the_alt_text_its_output_carries(tmp_path):
    png = "iVBORw0KGgo="  # the bytes do not matter to staging
    with_alt = nbformat.v4.new_code_cell("chart")
    with_alt.outputs = [
        nbformat.v4.new_output(
            "display_data",
            data={"image/png": png, "text/plain": "<Figure>"},
            metadata={"image/png": {"alt": "Chart: Rates. Share against year.", "width": 700}},
        )
    ]
    without = nbformat.v4.new_code_cell("old chart")
    without.outputs = [nbformat.v4.new_output("display_data", data={"image/png": png})]
    text = nbformat.v4.new_markdown_cell("# Trends\nWords.")
    staged = prepare_notebook(nbformat.v4.new_notebook(cells=[text, with_alt, without]), "30_trends", {}, tmp_path)
    alts = [c.metadata.get("mystnb", {}).get("image", {}).get("alt") for c in staged.cells if c.cell_type == "code"]
    assert alts == [
        "Chart: Rates. Share against year.",
        "A chart of the page Trends; the text around it describes it.",
    ]


def test_staging_labels_each_body_cell_with_its_header_for_the_phone_layout():
    from helpers.present.site import label_table_cells

    shown = (
        "<style>table.readable td{x}</style><p><em>A &amp; B</em></p>"
        '<table border="0" class="dataframe readable"><thead><tr><th>report</th><th>rate &amp; CI</th></tr></thead>'
        '<tbody><tr><td>Until <a href="u">Harm</a></td><td>37.0%</td></tr></tbody></table>'
    )
    assert label_table_cells(shown) == (
        "<style>table.readable td{x}</style><p><em>A &amp; B</em></p>"
        '<table border="0" class="stacked dataframe readable"><thead><tr><th>report</th><th>rate &amp; CI</th></tr>'
        '</thead><tbody><tr><td data-label="report">Until <a href="u">Harm</a></td>'
        '<td data-label="rate &amp; CI">37.0%</td></tr></tbody></table>'
    )


def test_building_without_executed_notebooks_stops_with_one_line(tmp_path):
    from helpers.run.cli import main as mfc

    empty = tmp_path / "nothing"
    empty.mkdir()
    with pytest.raises(FileNotFoundError, match="no executed notebook of the catalogue is there; run `make run` first"):
        build_site(tmp_path / "site", empty)
    assert not (tmp_path / "site").exists(), "nothing is written"
    assert (
        mfc(["site", "--key-chart", str(tmp_path / "chart.png")]) == 0
        and (tmp_path / "chart.png").read_bytes()[:4] == b"\x89PNG"
    )


@pytest.fixture(scope="session")
def site(tmp_path_factory):
    folder = tmp_path_factory.mktemp("book") / "site"
    build_site(folder, EXECUTED_DIR)
    return folder


def _pages(site: Path) -> list[Path]:
    return [site / "index.html"] + [site / f"{run.name}.html" for run in CATALOGUE]


_REMOTE_ASSET = re.compile(
    r"<script[^>]+src=[\"']?(?:https?:)?//|<link[^>]+href=[\"']?(?:https?:)?//[^>]*>|@import\s+url\([\"']?(?:https?:)?//"
    r"|@font-face[^}]*url\([\"']?(?:https?:)?//",
    re.I,
)


def test_site_has_a_page_per_notebook_the_findings_and_the_key_chart(site):
    for page in _pages(site):
        assert page.is_file(), page.name
    landing = (site / "index.html").read_text(encoding="utf-8")
    assert "Key findings" in landing and "do not match the numbers beside them" in landing
    assert re.search(r'<img[^>]+src="_images/key-chart\.png"', landing)
    report = (site / "10_report-until-harm-ends.html").read_text(encoding="utf-8")
    assert "Until Harm Ends (2025)" in re.search(r"<h1>(.*?)</h1>", report, re.S).group(1)


def test_the_reference_pages_of_docs_are_pages_of_the_book(site):
    from helpers.ledger.paths import PROJECT_ROOT

    landing = (site / "index.html").read_text(encoding="utf-8")
    pages = sorted((PROJECT_ROOT / "docs").glob("*.md"))
    assert len(pages) >= 9
    for page in pages:
        title = re.search(r"^# (.+)$", page.read_text(encoding="utf-8"), flags=re.M).group(1)
        built = (site / f"{page.stem}.html").read_text(encoding="utf-8")
        assert f'href="{page.stem}.html"' in landing, page.name  # listed, and in the sidebar's Reference part
        assert re.sub(r"`([^`]*)`", r"\1", title) in re.sub(
            r"<[^>]+>", "", re.search(r"<h1>(.*?)</h1>", built, re.S).group(1)
        )
    claims = (site / "claims-format.html").read_text(encoding="utf-8")
    assert "not_checkable" in claims and "Reference" in landing


def test_nothing_is_loaded_from_the_network(site):
    remote = []
    for path in list(site.rglob("*.html")) + list(site.rglob("*.css")):
        for match in _REMOTE_ASSET.finditer(path.read_text(encoding="utf-8", errors="replace")):
            remote.append(f"{path.relative_to(site)}: {match.group(0)[:80]}")
    assert not remote, "\n".join(remote)


def test_glossary_is_a_sphinx_glossary_and_terms_link_to_it(site):
    glossary = (site / "01_glossary.html").read_text(encoding="utf-8")
    assert 'class="simple glossary"' in glossary and 'id="term-Wilson-score-interval"' in glossary
    overview = (site / "00_overview.html").read_text(encoding="utf-8")
    assert 'href="01_glossary.html#term-Wilson-score-interval"' in overview


@pytest.mark.parametrize(
    "page, header",
    [
        ("10_report-until-harm-ends", "rebuilt rate"),
        ("30_trends", "odds ratio"),
        ("40_nonresponse-until-harm-ends", "estimate"),
        ("20_claims", "verdict"),
    ],
)
def test_headline_trend_nonresponse_and_verdict_tables_download_as_csv(site, page, header):
    text = (site / f"{page}.html").read_text(encoding="utf-8")
    links = re.findall(r'<a class="reference download internal" download="" href="([^"]+\.csv)"', text)
    assert links, f"{page} offers no CSV"
    headers = []
    for link in links:
        with (site / unquote(link)).open(newline="", encoding="utf-8") as handle:
            rows = list(csv.reader(handle))
        assert len(rows) > 1
        headers += [h.lower() for h in rows[0]]
    assert any(header in h for h in headers), f"no CSV of {page} has a column about {header!r}: {headers}"


def test_every_chart_of_the_book_has_alt_text_that_says_what_it_shows(site):
    """Every image of every page has alt text, and it is words, not the hashed file name MyST-NB writes."""
    missing = []
    charts = 0
    for page in site.glob("*.html"):
        for tag in re.findall(r"<img\b[^>]*>", page.read_text(encoding="utf-8")):
            src = re.search(r'src="([^"]*)"', tag)
            if src is None or "_static/" in src.group(1):
                continue  # the theme's own logo and icons
            charts += 1
            alt = re.search(r'alt="([^"]*)"', tag)
            text = alt.group(1).strip() if alt else ""
            if len(text.split()) < 4 or re.fullmatch(r"[0-9a-f]{16,}(\.png)?", text) or text.endswith(".png"):
                missing.append(f"{page.name}: {src.group(1)} has alt {text!r}")
    assert charts >= 20, f"only {charts} images found in the book"
    assert not missing, "\n".join(missing)


#: A cell as a table shows it, not as data: "2,335", "37.0%", "35.1% to 39.0%", "+3.0 points", "<0.001", a dash.
_DISPLAY_TEXT = re.compile(
    r"^[+\-−]?\d{1,3}(,\d{3})+(\.\d+)?$|^[+\-−]?\d[\d,]*(\.\d+)?(%| points)$|^<\s?\d"
    r"|^[+\-−]?\d[\d,.]*%? to [+\-−]?\d[\d,.]*%?$|^[–—-]$"
)
#: Downloaded columns that stay text, with the reason.
_TEXT_COLUMNS = {
    "period": "a period is a label (2017, Sep 2014 to Sep 2015), not a quantity",
    "headline period": "as period",
    "as stated": "a claim's figure as published: per cent, counts and one-in-N side by side, with qualifiers",
    "recomputed": "the recomputed figure of each claim, in the claim's own unit (per cent, count or one in N)",
}


def test_every_download_is_data_that_pandas_reads_as_numbers(site):
    """Each CSV parses with pandas' defaults; no cell holds a number as displayed text, so every column of
    numbers is numeric (the exceptions are listed with reasons); the headline table's counts are integers
    and its rates proportions; file names say what the table is."""
    import pandas as pd

    files = sorted((site / "_downloads").rglob("*.csv"))
    assert len(files) >= 60, f"only {len(files)} downloads"
    problems = []
    for path in files:
        assert not re.search(r"-table-\d+\.csv$", path.name), f"{path.name} does not say what the table is"
        data = pd.read_csv(path)
        for column in data.columns:
            if column in _TEXT_COLUMNS or pd.api.types.is_numeric_dtype(data[column]):
                continue
            shown = [v for v in data[column].dropna().astype(str) if _DISPLAY_TEXT.search(v.strip())]
            if shown:
                problems.append(f"{path.name}: {column!r} holds {shown[:2]}")
    assert not problems, "\n".join(problems)
    headline = pd.read_csv(
        next(p for p in files if p.name == "10_report-until-harm-ends-headline-rates-with-their-intervals.csv")
    )
    first = headline.iloc[0]
    assert headline["count"].dtype.kind == "i" and headline["of"].dtype.kind == "i"
    assert (first["count"], first["of"], first["rebuilt rate (proportion)"]) == (864, 2335, 0.37)
    assert first["95% CI (sampling only), from (proportion)"] < 0.37 < first["95% CI (sampling only), to (proportion)"]


def _chromium() -> str | None:
    for candidate in (os.environ.get("MFC_CHROMIUM"), "/usr/bin/chromium", "chromium", "chromium-browser"):
        if candidate and (shutil.which(candidate) or Path(candidate).is_file()):
            return shutil.which(candidate) or candidate
    return None


def _broken_links(page_path: Path, site: Path, hrefs: list[str]) -> list[str]:
    """Links of a page into the site whose target file or anchor does not exist."""
    broken = []
    for href in hrefs:
        parsed = urlparse(href)
        if parsed.scheme in ("http", "https", "mailto"):
            continue  # links out are for the reader to follow; nothing is loaded from them
        target = page_path if not parsed.path else (page_path.parent / unquote(parsed.path)).resolve()
        if not target.is_file() or site.resolve() not in target.parents:
            broken.append(f"{page_path.name}: {href} -> no such file in the site")
        elif parsed.fragment and target.suffix == ".html":
            text = target.read_text(encoding="utf-8")
            if not any(f'id="{f}"' in text for f in (parsed.fragment, unquote(parsed.fragment))):
                broken.append(f"{page_path.name}: {href} -> no anchor #{parsed.fragment} in {target.name}")
    return broken


# Cells whose text is wider than the cell, and chart images drawn narrower than they are or hidden by a
# scrolling box: either would cut off what the reader should see.
_CUT_OFF = """() => {
  const out = [];
  for (const c of document.querySelectorAll('article td, article th')) {
    if (c.scrollWidth > c.clientWidth + 1) out.push('cell: ' + c.textContent.slice(0, 40));
  }
  for (const img of document.querySelectorAll('article img')) {
    const box = img.getBoundingClientRect();
    const main = document.querySelector('article').getBoundingClientRect();
    if (box.right > main.right + 1) out.push('chart wider than the page: ' + img.getAttribute('src').slice(0, 40));
  }
  return out;
}"""


def test_every_page_works_in_headless_chromium(site):
    executable = _chromium()
    if executable is None:
        pytest.skip("no Chromium found (install Debian's chromium, or set MFC_CHROMIUM to a browser binary)")
    playwright = pytest.importorskip("playwright.sync_api", reason="Playwright is not installed")
    problems, outside = [], []
    with playwright.sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=executable, args=["--no-sandbox"])
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            # any request that is not a file of the site is recorded and refused
            page.route(
                re.compile(r"^(?!file://).*"),
                lambda route: (outside.append(route.request.url), route.abort()),
            )
            errors = []
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.on("requestfailed", lambda r: errors.append(f"request failed: {r.url}"))
            landing = (site / "index.html").as_uri()
            page.goto(landing)
            for run in CATALOGUE:
                # from the landing page's sidebar to the page, and back
                page.click(f'nav.bd-docs-nav a[href="{run.name}.html"]')
                page.wait_for_load_state("load")
                if not page.url.endswith(f"{run.name}.html"):
                    problems.append(f"the sidebar link to {run.name} led to {page.url}")
                    continue
                path = site / f"{run.name}.html"
                hrefs = page.eval_on_selector_all("a[href]", "els => els.map(e => e.getAttribute('href'))")
                problems += _broken_links(path, site, hrefs)
                images = page.eval_on_selector_all(
                    "article img", "els => els.map(e => e.complete && e.naturalWidth > 0)"
                )
                problems += [f"{run.name}: an image is not shown" for ok in images if not ok]
                problems += [f"{run.name}: {p}" for p in page.evaluate(_CUT_OFF)]
                if page.locator("a.left-prev, a.right-next").count() == 0:
                    problems.append(f"{run.name}: no previous/next link")
                page.go_back()
                if page.url != landing:
                    problems.append(f"back from {run.name} did not return to the landing page")
            problems += _broken_links(
                site / "index.html",
                site,
                page.eval_on_selector_all("a[href]", "els => els.map(e => e.getAttribute('href'))"),
            )

            # hide/show: the code of a cell is folded until its button is pressed
            page.goto((site / "05_methods.html").as_uri())
            details = page.locator("details.hide.above-input").first
            code = details.locator("div.highlight").first
            assert not code.is_visible(), "code is shown before the reader asks for it"
            details.locator("summary").click()
            assert code.is_visible(), "pressing 'Show the code' does not show it"
            details.locator("summary").click()
            assert not code.is_visible(), "pressing it again does not hide the code"

            # offline search: the index ships with the site
            page.goto((site / "search.html").as_uri() + "?q=Wilson")
            page.wait_for_selector("#search-results ul.search li", timeout=10_000)
            found = page.eval_on_selector_all(
                "#search-results ul.search li a", "els => els.map(e => e.getAttribute('href'))"
            )
            assert any(h.startswith("05_methods.html") for h in found), found
            assert any(h.startswith("01_glossary.html") for h in found), found
            problems += [f"error: {e}" for e in errors if not e.startswith("request failed: http")]
        finally:
            browser.close()
    assert not outside, f"requests left the site: {sorted(set(outside))[:5]}"
    assert not problems, "\n".join(problems)


# Tables wider than the box they sit in (the reader would have to scroll sideways to see their columns).
_WIDE_TABLES = """() => Array.from(document.querySelectorAll('article table'))
  .filter(t => t.scrollWidth > t.parentElement.clientWidth + 1 || t.scrollWidth > t.clientWidth + 1)
  .map(t => Math.round(t.scrollWidth) + ' px: ' +
       Array.from(t.querySelectorAll('th')).slice(0, 3).map(h => h.textContent.trim()).join(' | '))"""


# The first cell of each table that holds a number ("864", "37.0%", "35.1% to 39.0%") lying past the
# screen's right edge: a reader on a phone would see no number of that table without scrolling sideways.
_FIRST_NUMBER_OFF_SCREEN = r"""() => Array.from(document.querySelectorAll('article table')).flatMap(t => {
  const cell = Array.from(t.querySelectorAll('tbody td'))
    .find(c => /^[<+\-−]?\d[\d,.]*(%| points)?( to .*)?$/.test(c.textContent.trim()));
  if (!cell || cell.getBoundingClientRect().right <= window.innerWidth + 1) return [];
  return [cell.textContent.trim() + ' ends at ' + Math.round(cell.getBoundingClientRect().right) + ' px'];
})"""


def test_no_table_scrolls_sideways_at_1280_or_390_px_and_the_page_contents_stay_one_press_away(site):
    """At 1280 px the page's contents fold behind the header's button (site.css) so the text column is
    wide enough for every table; pressing the button opens them and Escape closes them. At 1000 px a table
    still too wide shows its rows as cards (site.js); at 390 px (a phone) every table does, so no table is
    wider than the screen and each shows its first number."""
    executable = _chromium()
    if executable is None:
        pytest.skip("no Chromium found (install Debian's chromium, or set MFC_CHROMIUM to a browser binary)")
    playwright = pytest.importorskip("playwright.sync_api", reason="Playwright is not installed")
    wide = []
    with playwright.sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=executable, args=["--no-sandbox"])
        try:
            for width in (1280, 1000, 390):
                page = browser.new_page(viewport={"width": width, "height": 900})
                tables = 0
                for run in CATALOGUE:
                    page.goto((site / f"{run.name}.html").as_uri())
                    tables += page.locator("article table").count()
                    if width == 1280:  # wide enough: every table keeps its columns, none turned into cards
                        wide += [f"1280 px, {run.name}: a table shown as cards"] * page.locator(
                            "table.as-cards"
                        ).count()
                    wide += [f"{width} px, {run.name}: {w}" for w in page.evaluate(_WIDE_TABLES)]
                    if width < 600:
                        off = page.evaluate(_FIRST_NUMBER_OFF_SCREEN)
                        wide += [f"{width} px, {run.name}: first number {w}" for w in off]
                        # a chart shrunk to a phone's width opens at full size from a link around it
                        unlinked = page.locator("article .cell_output img:not(a > img)").count()
                        wide += [f"{width} px, {run.name}: a chart with no link to its full size"] * unlinked
                assert tables >= 70, f"only {tables} tables measured"
                page.close()
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.goto((site / "10_report-until-harm-ends.html").as_uri())
            contents = page.locator("dialog#pst-secondary-sidebar-modal")
            page.locator(".bd-header-article button.secondary-toggle").click()
            page.wait_for_timeout(300)
            assert contents.evaluate("d => d.open") and contents.locator("a", has_text="Headline rates").is_visible()
            page.keyboard.press("Escape")
            page.wait_for_timeout(300)
            assert not contents.evaluate("d => d.open")
        finally:
            browser.close()
    assert not wide, "tables wider than the page:\n" + "\n".join(wide)
