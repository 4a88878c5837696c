"""axe-core (tools/a11y.py) on the course website and on every slide of every static deck.

WCAG 2.0, 2.1 and 2.2 at levels A and AA (tools.a11y.AXE_TAGS), in headless Chromium, offline:

* every page of the built site (``site_dir``, tests/conftest.py): the pages are listed from
  the build (each lecture, the index, the search page with a search done, the general index),
  each checked once its maths and stored widgets have settled: 0 violations;
* every slide of every static deck of the site (``slides/<lecture>.slides.html``): the whole
  document once (reveal's controls, slide number, footer), then each slide stepped to with
  Reveal's API (``Reveal.getSlides()``, ``Reveal.slide(h, v)``), all its fragments shown,
  axe run on the present slide (``section.present:not(.stack)``: reveal keeps the other slides
  in the document, hidden or aria-hidden, and axe must judge the one on screen): 0 violations,
  the failure names the slide (``h.v``, as in the deck's URL ``#/h/v``);
* images whose alt text axe accepts but which says nothing (nbconvert's placeholder "No
  description has been provided for this image", a file name): reported as the rule
  ``alt-text-placeholder`` (tools.a11y.placeholder_alts);
* a probe page and a probe deck written here, each with an image without alt, two with a
  placeholder alt, a button without a name, an input without a label and low-contrast text:
  exactly those five rules are reported on both, so a pass above means something.

Violations caused by figures without alt text (``image-alt``) or by the widgets (``label``,
``button-name``, ``label-content-name-mismatch`` inside ``.widget-*``) are reported like any
other: they are fixed where the figure or the widget is made (nbhelpers), not hidden here.
"""

from __future__ import annotations

import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tools import a11y, chromium, export_slides

ROOT = Path(__file__).resolve().parents[1]
LECTURES = sorted(p.stem for p in (ROOT / "notebooks").glob("[0-9]*.ipynb"))
SEARCH_WORD = "backpropagation"
PROBE_RULES = {"image-alt", "button-name", "label", "color-contrast", "alt-text-placeholder"}
WINDOW = {"width": 1440, "height": 900}  # a laptop screen; reveal scales the decks to fit

pytestmark = [pytest.mark.browser, pytest.mark.slow]

# A page has settled when its stored widgets have rendered or shown their sentence (the page's
# own call of tools/slides/nn-widgets.js whenSettled sets window.widgetsSettled: the site on
# load, the decks when reveal starts) and MathJax 2, if the page loads it, has typeset.
SETTLED_JS = """() => new Promise(resolve => {
  const start = Date.now();
  const mathjax = !!document.querySelector('script[src*="MathJax.js"]');
  (function wait() {
    const widgets = !window.nnWidgets || window.widgetsSettled === true;
    const maths = !mathjax || (window.MathJax && MathJax.isReady === true && MathJax.Hub);
    if (widgets && maths) {
      return mathjax ? MathJax.Hub.Queue(() => resolve(true)) : resolve(true);
    }
    if (Date.now() - start > 60000) {
      return resolve(`not settled after 60 s: widgets ${widgets}, MathJax ${!!maths}`);
    }
    setTimeout(wait, 50);
  })();
})"""
SLIDES_JS = "() => Reveal.getSlides().map(s => { const i = Reveal.getIndices(s); " \
            "return [i.h, i.v || 0]; })"
SHOW_JS = """([h, v]) => { Reveal.slide(h, v, 0); while (Reveal.nextFragment()) {}
  const present = document.querySelector('.reveal .slides section.present:not(.stack)');
  return present ? [...present.querySelectorAll('img')].every(i => i.complete) : false; }"""
PRESENT = ".reveal .slides section.present:not(.stack)"
# axe judges colours as they are at that instant: a fragment or slide half-way through its fade
# reads as low contrast. The check runs with every transition and animation off.
STILL_CSS = "*, *::before, *::after { transition: none !important; " \
            "animation: none !important; }"


def external(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme not in ("file", "data", "blob", "about") and parts.hostname != "127.0.0.1"



@pytest.fixture(scope="module")
def page():
    """One Chromium page (WINDOW); requests that would leave the machine are aborted."""
    from shared import unavailable

    reason = chromium.missing()
    if reason:
        unavailable(reason)
    export_slides.npm_install()  # axe-core comes with the decks' npm packages (a fresh clone)
    try:
        a11y.axe_script()
    except FileNotFoundError as error:
        unavailable(str(error))
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = chromium.launch(playwright)
        context = browser.new_context(viewport=WINDOW)
        context.route("**/*", lambda route: route.abort() if external(route.request.url)
                      else route.continue_())
        tab = context.new_page()
        tab.set_default_timeout(60_000)
        yield tab
        browser.close()


def check_page(page, url: str, *, wait_for: str | None = None,
               preload: bool = True) -> list[dict]:
    page.goto(url, wait_until="load")
    page.add_style_tag(content=STILL_CSS)
    assert page.evaluate(SETTLED_JS) is True, url
    if wait_for:
        page.wait_for_selector(wait_for, timeout=30_000)
    return a11y.axe_violations(page, preload=preload) + a11y.placeholder_alts(page)


def check_deck(page, url: str) -> tuple[list[str], int]:
    """Every slide of one deck: the failure lines (each naming its slide) and the number of
    slides checked."""
    page.goto(url, wait_until="load")
    page.add_style_tag(content=STILL_CSS)
    page.wait_for_function("() => window.Reveal && Reveal.isReady()", timeout=30_000)
    assert page.evaluate(SETTLED_JS) is True, url
    slides = page.evaluate(SLIDES_JS)
    found = []
    whole = a11y.axe_violations(page)  # the deck's frame on its first slide
    if whole:
        found.append(a11y.format_violations(whole, where="whole deck, slide 0.0"))
    for h, v in slides:
        page.evaluate(SHOW_JS, [h, v])
        violations = (a11y.axe_violations(page, context=PRESENT, preload=False)
                      + a11y.placeholder_alts(page, context=PRESENT))
        if violations:
            found.append(a11y.format_violations(violations, where=f"slide {h}.{v} (#/{h}/{v})"))
    return found, len(slides)


# --------------------------------------------------------------------------- the probes

PIXEL = ("data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAA"
         "AfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==")
PROBE_BODY = f"""
<p style="color:#bbbbbb; background:#ffffff">Grey text on white: 1.9 to 1.</p>
<img src="{PIXEL}">
<img alt="{a11y.NBCONVERT_PLACEHOLDER}" src="{PIXEL}">
<img alt="_images/108a6a43.png" src="{PIXEL}">
<button></button>
<input type="text">
"""
PROBE_PAGE = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Probe</title></head>
<body><main><h1>Probe</h1>{PROBE_BODY}</main></body></html>"""


def probe_deck(site_dir: Path) -> str:
    """A copy of a real deck of the site with the probe's four faults on its second slide."""
    deck = (site_dir / "slides" / f"{LECTURES[0]}.slides.html").read_text(encoding="utf-8")
    first_end = deck.index("</section>") + len("</section>")  # the first slide ends here
    return deck[:first_end] + f"<section>{PROBE_BODY}</section>" + deck[first_end:]


def test_the_check_fires_on_a_probe_page(tmp_path: Path, serve, page) -> None:
    (tmp_path / "probe.html").write_text(PROBE_PAGE, encoding="utf-8")
    violations = check_page(page, serve(tmp_path) + "probe.html")
    assert {v["id"] for v in violations} == PROBE_RULES, a11y.format_violations(violations)
    nodes = {v["id"]: len(v["nodes"]) for v in violations}
    assert nodes == {**dict.fromkeys(PROBE_RULES, 1), "alt-text-placeholder": 2}, nodes


def test_the_check_fires_on_a_probe_deck(site_dir: Path, serve, page) -> None:
    """The probe's faults on one slide of a deck: found on that slide and only there."""
    (site_dir / "slides" / "zz-probe.slides.html").write_text(probe_deck(site_dir),
                                                             encoding="utf-8")
    try:
        found, slides = check_deck(page, serve(site_dir) + "slides/zz-probe.slides.html")
    finally:
        (site_dir / "slides" / "zz-probe.slides.html").unlink()
    lines = "\n".join(found).splitlines()
    on_probe = {line.split()[3] for line in lines if line.startswith("slide 0.1 ")}
    assert on_probe == PROBE_RULES, "\n".join(lines)  # the rest of the deck is the real one's
    assert not [line for line in lines if line.startswith("slide 0.0 ")], "\n".join(lines)


# --------------------------------------------------------------------------- site and decks


def site_pages(site_dir: Path) -> list[str]:
    """Every HTML page a student reaches: the lectures, the index, search, the general index."""
    return sorted(p.name for p in site_dir.glob("*.html"))


def test_every_site_page_passes_axe(site_dir: Path, serve, page) -> None:
    pages = site_pages(site_dir)
    assert {f"{s}.html" for s in LECTURES} | {"index.html", "search.html"} <= set(pages)
    base = serve(site_dir)
    found = []
    start = time.perf_counter()
    for name in pages:
        url, wait_for = base + name, None
        if name == "search.html":  # the results list is part of the page
            url, wait_for = f"{url}?q={SEARCH_WORD}", "#search-results li a"
        # every page has the theme's style sheets: axe reads them (css-orientation-lock) once
        violations = check_page(page, url, wait_for=wait_for, preload=name == "index.html")
        if violations:
            found.append(a11y.format_violations(violations, where=name))
    seconds = time.perf_counter() - start
    assert not found, (f"axe-core found WCAG A/AA violations on the site ({len(pages)} pages, "
                       f"{seconds:.0f} s):\n" + "\n".join(found))


@pytest.mark.parametrize("stem", LECTURES)
def test_every_slide_passes_axe(stem: str, site_dir: Path, serve, page) -> None:
    deck = site_dir / "slides" / f"{stem}.slides.html"
    assert deck.is_file(), f"{deck} missing"
    start = time.perf_counter()
    found, slides = check_deck(page, serve(site_dir) + f"slides/{stem}.slides.html")
    seconds = time.perf_counter() - start
    assert slides > 1
    assert not found, (f"axe-core found WCAG A/AA violations in slides/{stem}.slides.html "
                       f"({slides} slides, {seconds:.0f} s):\n" + "\n".join(found))
