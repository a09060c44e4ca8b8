"""The site: the index describes every catalogue entry, and every page works in a real browser.

The browser test builds the site from the executed notebooks into a temporary folder, then opens the index
and every page in headless Chromium (Debian's ``chromium``, driven by Playwright through
``executable_path``). It checks that each page loads without console errors, that its images are present
and decoded, that every link inside the site reaches an existing page and anchor, and that a screenshot is
not blank. Without Chromium or Playwright it skips and says which is missing.
"""

from __future__ import annotations

import io
import os
import shutil
from pathlib import Path
from urllib.parse import unquote, urlparse

import pytest

from helpers.ledger.paths import EXECUTED_DIR
from helpers.present.site import build_site, describe, first_sentence, write_index
from helpers.run.runner import load_catalogue


def test_index_has_a_card_per_html_copy_with_title_summary_parameters_and_link(tmp_path):
    runs = load_catalogue()
    for run in runs[:4]:
        (tmp_path / f"{run.name}.html").write_text('<html><a href="01_glossary.ipynb#wilson">w</a></html>')
    text = write_index(tmp_path).read_text()
    for run in runs[:4]:
        assert f'href="{run.name}.html"' in text
    assert f'href="{runs[4].name}.html"' not in text
    assert '<h2><a href="00_overview.html">The series at a glance</a></h2>' in text
    assert "<code>report_id</code> = <code>heading-back-to-harm</code>" in text
    assert 'src="thumbs/00_overview.png"' in text and (tmp_path / "thumbs" / "00_overview.png").is_file()
    assert "No chart: this notebook is text and tables." in text  # the glossary has no chart
    # links between notebooks now point at the HTML copies
    assert 'href="01_glossary.html#wilson"' in (tmp_path / f"{runs[0].name}.html").read_text()


def test_a_report_entry_shows_its_parameters_and_a_report_title():
    run = next(r for r in load_catalogue() if r.parameters.get("report_id") == "until-harm-ends")
    entry = describe(EXECUTED_DIR / run.output_name, run.description, run.parameters)
    assert entry.title == "One report, rebuilt from its published counts"
    assert entry.summary.startswith("Every headline figure of one report of the series")
    assert entry.parameters == {"report_id": "until-harm-ends"} and entry.chart[:8] == b"\x89PNG\r\n\x1a\n"


def test_first_sentence_drops_markdown():
    assert (
        first_sentence("The words the [notebooks](x.ipynb) *use*, defined. More.")
        == "The words the notebooks use, defined."
    )


def _chromium() -> str | None:
    for candidate in (os.environ.get("MFC_CHROMIUM"), "chromium", "chromium-browser", "google-chrome"):
        if candidate and (shutil.which(candidate) or Path(candidate).is_file()):
            return shutil.which(candidate) or candidate
    return None


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    folder = tmp_path_factory.mktemp("site")
    build_site(folder)
    return folder


def _site_links(page_path: Path, site: Path, hrefs: list[str]) -> list[str]:
    """Broken links of a page: a relative target that is missing, or an anchor absent from its target."""
    broken = []
    for href in hrefs:
        parsed = urlparse(href)
        if parsed.scheme in ("http", "https", "mailto"):
            assert parsed.netloc or parsed.scheme == "mailto", f"{page_path.name}: malformed link {href!r}"
            continue  # the outside world is not reachable from CI; its links are checked for form only
        target = page_path if not parsed.path else (page_path.parent / unquote(parsed.path)).resolve()
        if parsed.scheme == "file":
            target = Path(unquote(parsed.path))
        if not target.is_file() or site.resolve() not in target.resolve().parents:
            broken.append(f"{page_path.name}: {href} -> no such page in the site")
        elif parsed.fragment and not any(
            f'id="{f}"' in target.read_text(encoding="utf-8") for f in (parsed.fragment, unquote(parsed.fragment))
        ):
            broken.append(f"{page_path.name}: {href} -> no anchor #{parsed.fragment} in {target.name}")
    return broken


def test_every_page_works_in_headless_chromium(site):
    executable = _chromium()
    if executable is None:
        pytest.skip("no Chromium found (install Debian's chromium, or set MFC_CHROMIUM to a browser binary)")
    playwright = pytest.importorskip("playwright.sync_api", reason="Playwright is not installed")
    from matplotlib import image

    pages = [site / "index.html"] + sorted(p for p in site.glob("*.html") if p.name != "index.html")
    expected = {f"{run.name}.html" for run in load_catalogue()}
    assert expected <= {p.name for p in pages}, "every catalogue entry has a page"
    problems = []
    with playwright.sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=executable, args=["--no-sandbox"])
        try:
            page = browser.new_page(viewport={"width": 1200, "height": 900})
            errors = []
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.on("requestfailed", lambda r: errors.append(f"request failed: {r.url}"))
            for path in pages:
                errors.clear()
                response = page.goto(path.as_uri(), wait_until="load")
                assert response is None or response.ok, f"{path.name} did not load"
                images = page.eval_on_selector_all(
                    "img",
                    "els => els.map(e => [e.getAttribute('src') || '', e.complete && e.naturalWidth > 0,"
                    " (e.getAttribute('alt') || '').length > 0])",
                )
                problems += [f"{path.name}: image {src[:60]} not shown" for src, ok, _ in images if not ok]
                problems += [f"{path.name}: image {src[:60]} has no alt text" for src, _, alt in images if not alt]
                if path.name == "index.html":
                    shown = page.eval_on_selector_all("article", "els => els.length")
                    problems += [] if shown == len(load_catalogue()) else [f"index shows {shown} entries"]
                    problems += [] if images else ["index has no thumbnails"]
                hrefs = page.eval_on_selector_all("a[href]", "els => els.map(e => e.getAttribute('href'))")
                problems += _site_links(path, site, hrefs)
                problems += [f"{path.name}: console: {e}" for e in errors]
                pixels = image.imread(io.BytesIO(page.screenshot(full_page=False)), format="png")
                if pixels[..., :3].std() < 0.01:
                    problems.append(f"{path.name}: the screenshot is blank")
        finally:
            browser.close()
    assert not problems, "\n".join(problems)
