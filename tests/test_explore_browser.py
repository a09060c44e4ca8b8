"""The explorer served by Voilà, driven in headless Chromium: a slider moves, the all-council rate follows.

The test starts Voilà as ``make explore`` does (template "offline", 127.0.0.1, a free port, no browser),
opens the page in Debian's Chromium through Playwright, moves the slider of the silent councils'
trafficked rate with the keyboard, and checks that the displayed all-council rate becomes the one
:func:`helpers.nonresponse.two_sided.all_council_rate` gives for the slider's new value. Every request the page
makes must stay on 127.0.0.1 (Voilà serves offline; a CDN request fails the test). The server and its
kernel are stopped whatever happens. Without Chromium or Playwright it skips and says which is missing.

It also clicks each glossary link (the definition must come into view on the page), checks that the
tipping chart is an SVG shown no wider than its own width, waits for the bias analysis beside the sliders
(its interval, and where the typed share falls), opens the trend tab, and checks at 390 px that
menus, sliders, tabs, the chart and the tables' boxes stay on the screen.

Speed is measured, not asserted (the machine may be shared): the test prints the time from the page's
request to the first usable control, and how long each update takes to settle. Voilà starts with one
kernel that has already run the notebook (``preheat_kernel`` in ``notebooks/voila/voila.json``); the test
requests the page as soon as the server listens, so it times the least favourable case, a reader who
opens the page while that kernel is still running the notebook.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlparse

import pytest

from helpers.ledger import load_ledger
from helpers.ledger.paths import NOTEBOOKS_DIR
from helpers.nonresponse.two_sided import all_council_rate
from helpers.present import explore as ex
from helpers.stats.report_view import report_view

ROOT = NOTEBOOKS_DIR.parent
VOILA = Path(sys.executable).parent / "voila"
# The arguments `make explore` passes (tests below check the Makefile carries the same ones).
VOILA_ARGS = ["--no-browser", "--template=offline", "--Voila.ip=127.0.0.1", "--Voila.config_file_paths=notebooks/voila"]


# The explorer's glossary links: the link's text, and what its definition on the page starts with.
GLOSSARY_LINKS = {
    "version of its figures": {
        "anchor": "versions",
        "term": "Versions of a report's figures",
        "words": "the ledger keeps each set",
    },
    "Wilson interval": {"anchor": "wilson", "term": "Wilson score interval", "words": "An interval for a proportion"},
    "tipping point": {"anchor": "tipping-point", "term": "Tipping point", "words": "In a sensitivity analysis"},
    "random-effects": {"anchor": "random-effects", "term": "Random effects", "words": "each study (here, each report"},
}


def _chromium() -> str | None:
    for candidate in (os.environ.get("MFC_CHROMIUM"), "/usr/bin/chromium", "chromium", "chromium-browser"):
        if candidate and Path(candidate).is_file():
            return candidate
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_for_port(port: int, proc: subprocess.Popen, seconds: float) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if proc.poll() is not None:
            raise AssertionError(f"Voilà exited with code {proc.returncode} before serving")
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise AssertionError(f"Voilà did not listen on port {port} within {seconds:.0f} s")


def _stop(proc: subprocess.Popen) -> None:
    """SIGTERM Voilà (it shuts its kernels down), then kill anything of its tree still alive."""
    try:
        import psutil

        family = psutil.Process(proc.pid).children(recursive=True)
    except Exception:  # psutil missing or the process already gone: the process group is enough
        family = []
    try:
        os.killpg(proc.pid, signal.SIGTERM)
    except ProcessLookupError:
        pass
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=5)
    for child in family:
        try:
            child.kill()
        except Exception:  # already gone, as it should be
            pass


def test_make_explore_serves_the_explorer_the_way_this_test_does():
    recipe = re.search(r"^explore:.*?(?=^\S|\Z)", (ROOT / "Makefile").read_text(), flags=re.S | re.M)
    assert recipe, "the Makefile has an explore target"
    text = recipe.group(0)
    assert "voila notebooks/50_explore.ipynb" in text and "JUPYTER_PATH=notebooks" in text
    assert all(arg in text for arg in VOILA_ARGS)
    assert (NOTEBOOKS_DIR / "voila" / "templates" / "offline" / "index.html.j2").is_file()


def test_a_slider_moves_the_all_council_rate_in_headless_chromium(tmp_path):
    executable = _chromium()
    if executable is None:
        pytest.skip("no Chromium found (apt-get install chromium, or set MFC_CHROMIUM to a browser binary)")
    playwright = pytest.importorskip("playwright.sync_api", reason="Playwright is not installed")
    port = _free_port()
    log = (tmp_path / "voila.log").open("w")
    env = {**os.environ, "JUPYTER_PATH": str(NOTEBOOKS_DIR), "PYTHONPATH": str(ROOT)}
    started = time.monotonic()
    proc = subprocess.Popen(
        [str(VOILA), "notebooks/50_explore.ipynb", *VOILA_ARGS, f"--port={port}"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # one process group, so the whole server stops together
    )
    outside = []
    try:
        ledger = load_ledger()
        inputs = ex.silent_inputs(ledger, report_view(ledger.figures, "until-harm-ends"), "guardian")  # its default
        observed = inputs["rates"]["trafficked"]
        _wait_for_port(port, proc, 20)
        with playwright.sync_playwright() as driver:
            browser = driver.chromium.launch(executable_path=executable, args=["--no-sandbox"])
            try:
                page = browser.new_page(viewport={"width": 1200, "height": 900})

                def route(r):
                    host = urlparse(r.request.url).hostname
                    if r.request.url.startswith("data:") or host == "127.0.0.1":
                        r.continue_()
                    else:
                        outside.append(r.request.url)
                        r.abort()

                page.route("**/*", route)
                requested = time.monotonic()
                page.goto(f"http://127.0.0.1:{port}/", timeout=90_000)
                trafficked_cell = page.locator(".explore-rates tr", has_text="trafficked").first.locator("td").nth(3)
                playwright.expect(trafficked_cell).to_have_text(f"{observed:.1%}", timeout=90_000)
                playwright.expect(page.locator(".explore-silent-trafficked .noUi-handle")).to_be_visible()
                usable = time.monotonic() - requested
                # The static copy's default state runs but is not shown live: its numbers would not move.
                assert (
                    page.get_by_text("The default state").count() == 0
                    or not page.get_by_text("The default state").first.is_visible()
                )
                assert not page.get_by_text("This copy shows").first.is_visible()
                share_text = page.locator(".explore-share .explore-typed input").input_value()
                # Beside the sliders, the bias analysis: drawn in the background, so it may first say "computing".
                bias = page.locator(".explore-bias")
                playwright.expect(bias).to_contain_text("95% bias-adjusted interval 33.2% to 40.9%", timeout=60_000)
                playwright.expect(bias).to_contain_text("your 36.3% is inside the random-silence range")
                bias_ready = time.monotonic() - requested

                handle = page.locator(".explore-silent-trafficked .noUi-handle")
                moved_box = page.locator(".explore-silent-trafficked .explore-typed input")
                handle.focus()
                for _ in range(20):  # each press moves one step (0.001) down, from 37.0% to 35.0%
                    before = moved_box.input_value()
                    handle.press("ArrowLeft")
                    # one press at a time: a press sent while the kernel still answers the last one can be
                    # overwritten by that answer (seen on a busy machine: 16 of 20 presses kept)
                    playwright.expect(moved_box).not_to_have_value(before, timeout=10_000)
                moved_at = time.monotonic()  # the last press: the update is timed from here
                playwright.expect(moved_box).to_have_value("35.0%", timeout=10_000)  # the box follows the slider
                moved = float(moved_box.input_value().rstrip("%")) / 100
                share = float(share_text.rstrip("%")) / 100
                expected = all_council_rate(observed, share, moved)
                assert moved == pytest.approx(0.35) and share == pytest.approx(0.363)  # 1 - 135 / 212, to its step
                playwright.expect(trafficked_cell).to_have_text(f"{expected:.1%}", timeout=10_000)
                settled = [time.monotonic() - moved_at]
                assert f"{expected:.1%}" == "36.3%"  # 0.637 x 864/2335 + 0.363 x 0.35, by hand

                # A share typed in per cent: "25" is 25%, and "250" is refused in words, the share unchanged.
                typed = page.locator(".explore-share .explore-typed input")
                typed.fill("25")
                typed_at = time.monotonic()
                typed.press("Enter")
                playwright.expect(typed).to_have_value("25.0%", timeout=10_000)
                playwright.expect(trafficked_cell).to_have_text(f"{all_council_rate(observed, 0.25, 0.35):.1%}")
                settled.append(time.monotonic() - typed_at)
                # the text beside the sliders follows the share, its interval does not move
                playwright.expect(bias).to_contain_text("your 25.0% is possible, but outside the random-silence range")
                playwright.expect(bias).to_contain_text("95% bias-adjusted interval 33.2% to 40.9%")
                assert f"{all_council_rate(observed, 0.25, 0.35):.1%}" == "36.5%"  # 0.75 x 864/2335 + 0.25 x 0.35
                typed.fill("250")
                typed.press("Enter")
                refusal = page.locator(".explore-share .explore-refusal")
                playwright.expect(refusal).to_contain_text("250% is out of range", timeout=10_000)
                playwright.expect(trafficked_cell).to_have_text("36.5%")

                # Every label and tab title is shown whole (no text cut short by its box).
                shown, cut = page.evaluate(
                    """() => {
                        const all = [...document.querySelectorAll('.widget-label, .lm-TabBar-tabLabel, .p-TabBar-tabLabel')]
                            .filter(e => e.offsetParent !== null && e.textContent.trim());
                        return [all.map(e => e.textContent),
                                all.filter(e => e.scrollWidth > e.clientWidth + 1).map(e => e.textContent)];
                    }"""
                )
                assert "A report and its silent councils" in shown and "silent councils' share of the children" in shown
                assert not cut, f"labels cut short: {cut}"

                # The tipping chart is an SVG (sharp at any size), shown at most at its own width.
                chart = page.locator(".explore-tabs .widget-image")
                natural, shown_width, kind = chart.evaluate(
                    "async e => [e.naturalWidth, e.clientWidth, (await (await fetch(e.src)).blob()).type]"
                )
                assert kind == "image/svg+xml" and 0 < shown_width <= natural, (kind, shown_width, natural)

                # Each glossary link shows its term's definition on this page (Voilà serves no other).
                for link, term in GLOSSARY_LINKS.items():
                    page.get_by_role("link", name=link, exact=True).first.click()
                    definition = page.locator(f'#glossary-{term["anchor"]} + strong, strong:has-text("{term["term"]}")')
                    playwright.expect(definition.first).to_be_in_viewport(timeout=5_000)
                    assert page.url.endswith(f"#glossary-{term['anchor']}")
                    playwright.expect(page.get_by_text(term["words"]).first).to_be_visible()
                assert page.get_by_text("403").count() == 0

                # The trend tab is fitted when first opened: that counts as an update too.
                page.locator(".explore-tabs .lm-TabBar-tab", has_text="The trend across reports").click()
                opened_at = time.monotonic()
                playwright.expect(page.locator(".explore-tabs th", has_text="odds ratio per year")).to_be_visible(
                    timeout=20_000
                )
                settled.append(time.monotonic() - opened_at)
                print(
                    f"usable {usable:.1f} s after the page was requested (as soon as Voilà listened), the bias analysis "
                    f"beside the sliders at {bias_ready:.1f} s; updates (slider, typed share, trend tab) "
                    "settled in " + ", ".join(f"{s:.2f} s" for s in settled)
                )

                # At 390 px (a phone) menus, sliders, tabs, the chart and every table's box stay on the screen:
                # the page never scrolls sideways, and a wider table scrolls inside its own box.
                phone = browser.new_page(viewport={"width": 390, "height": 844})
                phone.route("**/*", route)
                requested = time.monotonic()
                phone.goto(f"http://127.0.0.1:{port}/", timeout=90_000)
                playwright.expect(phone.locator(".explore-silent-trafficked .noUi-handle")).to_be_visible(
                    timeout=90_000
                )
                print(
                    f"a second page (390 px, a kernel started at its request) usable {time.monotonic() - requested:.1f} s"
                )
                page_width, outside_screen, clipped = phone.evaluate(
                    """() => {
                        const width = document.documentElement.clientWidth;
                        const parts = [...document.querySelectorAll(
                            '.widget-dropdown, .widget-slider, .explore-typed, .lm-TabBar-tab, .p-TabBar-tab,'
                            + ' .widget-image, .widget-html-content')].filter(e => e.offsetParent !== null);
                        const off = parts.filter(e => {
                            const box = e.getBoundingClientRect();
                            return box.left < -1 || box.right > width + 1;
                        }).map(e => e.className);
                        const boxes = parts.filter(e => e.classList.contains('widget-html-content')
                            && e.scrollWidth > e.clientWidth + 1 && getComputedStyle(e).overflowX !== 'auto');
                        return [document.documentElement.scrollWidth, off, boxes.map(e => e.textContent.slice(0, 40))];
                    }"""
                )
                assert page_width <= 390 and not outside_screen, (page_width, outside_screen)
                assert not clipped, f"tables cut off at 390 px: {clipped}"
            finally:
                browser.close()
    finally:
        _stop(proc)
        log.close()
    print(f"Voilà started, driven and stopped in {time.monotonic() - started:.1f} s")
    assert proc.poll() is not None, "the server stopped"
    assert not outside, f"the page asked for assets off this machine: {outside}"
