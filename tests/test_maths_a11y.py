"""Maths a screen reader can read: MathJax's hidden MathML on the site and in the static decks.

MathJax 2.7.9 (tools/slides/package.json, served from vendor/ by the decks and from
_static/vendor/ by the site, both with the combined configuration ``TeX-AMS_CHTML-full``)
draws each formula as CommonHTML, whose glyphs a screen reader cannot read (the drawing is
``aria-hidden``), and adds beside it, visually hidden, the formula as MathML (its
AssistiveMML extension, ``.MJX_Assistive_MathML > math``), which screen readers read. MathJax
3 does the same with ``mjx-container > mjx-assistive-mml > math``. In headless Chromium, after
MathJax has finished, every rendered formula of

* every lecture page of the site (``site_dir``, tests/conftest.py) and
* every static deck the site holds (``<site>/slides/``, the student's edition), in reveal's
  print layout (every slide laid out, as tools/handouts.py prints them),

holds MathML whose text is not empty, and there are as many rendered formulas as TeX sources
(MathJax 2 keeps each source as a ``script type="math/tex"``): none left untypeset. A
generated deck with inline, display and ``align`` maths passes, and the same deck with
AssistiveMML disabled (``AssistiveMML: {disabled: true}``, a user's MathJax menu setting)
is reported formula by formula: the check fires.

The live slides are not covered: JupyterLab 4.6's MathJax 3 (@jupyterlab/mathjax-extension,
also used by jupyterlab-rise) renders ``mjx-container`` without ``mjx-assistive-mml``
(measured on lecture 05 in JupyterLab and RISE: 109 formulas, none with MathML).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_markdown_cell, new_notebook

from nbhelpers.display import SLIDE_HEIGHT, SLIDE_WIDTH
from tools import chromium, export_slides, handouts

ROOT = Path(__file__).resolve().parents[1]
LECTURES = sorted((ROOT / "notebooks").glob("[0-9]*.ipynb"))
MATHJAX_TIMEOUT_MS = 90_000

pytestmark = [pytest.mark.browser, pytest.mark.slow]

# Every rendered formula (MathJax 2 CommonHTML / SVG / HTML-CSS output, MathJax 3 container)
# with the MathML a screen reader reads; the TeX sources MathJax 2 keeps.
# Not counted: reveal's live region (.aria-status), which repeats the current slide's text.
MATHS_JS = """() => {
  const own = (e) => !e.closest('.aria-status');
  const formulas = [...document.querySelectorAll(
    'mjx-container, .MathJax_CHTML, .MathJax_SVG, span.MathJax')].filter(own);
  // the MathML's text; a formula of spacing only (\\; alone: no token element) reads as ' '
  const mathml = (f) => [...f.querySelectorAll('mjx-assistive-mml math, .MJX_Assistive_MathML math')]
    .map(m => m.textContent.trim()
              || (m.querySelector('mi, mn, mo, mtext, ms, mglyph') ? '' : ' ')).join('');
  const sources = [...document.querySelectorAll('script[type^="math/tex"]')].filter(own);
  return {
    formulas: formulas.length,
    sources: sources.length,
    errors: document.querySelectorAll('.MathJax_Error, .mjx-merror, mjx-merror').length,
    without: formulas.filter(f => !mathml(f)).map(f => {
      const tex = f.id && document.getElementById(f.id.replace(/-Frame$/, ''));
      return (tex ? tex.textContent : f.textContent).trim().slice(0, 60);
    }),
    sample: formulas.length ? mathml(formulas[0]).slice(0, 60) : '',
  };
}"""
MATHJAX_DONE_JS = "async () => await new Promise(r => MathJax.Hub.Queue(r))"
OFFLINE = re.compile(r"^(file|data|blob|about):")


@pytest.fixture(scope="module")
def browser() -> Iterator:
    reason = chromium.missing()
    if reason:
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = chromium.launch(p)
        yield browser
        browser.close()


def maths_of(browser, html: Path, *, deck: bool) -> dict:
    """:data:`MATHS_JS` of a page opened from disk once MathJax has finished (a deck in
    reveal's print layout, every slide laid out); requests leaving file:// are refused."""
    context = browser.new_context(viewport={"width": SLIDE_WIDTH, "height": SLIDE_HEIGHT})
    context.route(lambda url: not OFFLINE.match(url), lambda route: route.abort())
    try:
        page = context.new_page()
        page.goto(html.as_uri() + (f"?{handouts.QUERY}" if deck else ""))
        if deck:
            page.wait_for_function("() => window.Reveal && Reveal.isReady && Reveal.isReady() "
                                   "&& document.querySelector('.reveal .pdf-page')",
                                   timeout=MATHJAX_TIMEOUT_MS)
        # Sphinx loads MathJax only on pages with maths
        if deck or page.locator('script[src*="MathJax.js"]').count():
            page.wait_for_function("() => window.MathJax && MathJax.isReady",
                                   timeout=MATHJAX_TIMEOUT_MS)
            page.evaluate(MATHJAX_DONE_JS)
        return page.evaluate(MATHS_JS)
    finally:
        context.close()


def problems(facts: dict) -> list[str]:
    found = [f"formula without MathML for screen readers: {tex!r}" for tex in facts["without"]]
    if facts["formulas"] != facts["sources"]:
        found.append(f"{facts['sources']} TeX sources but {facts['formulas']} rendered formulas")
    if facts["errors"]:
        found.append(f"{facts['errors']} MathJax errors")
    return found


# --------------------------------------------------------------------------- site and decks


@pytest.mark.parametrize("notebook", LECTURES, ids=[p.stem for p in LECTURES])
def test_site_page_maths_have_mathml(site_dir: Path, browser, notebook: Path) -> None:
    facts = maths_of(browser, site_dir / f"{notebook.stem}.html", deck=False)
    assert not problems(facts), "\n".join(problems(facts))


@pytest.mark.parametrize("notebook", LECTURES, ids=[p.stem for p in LECTURES])
def test_static_deck_maths_have_mathml(site_dir: Path, browser, notebook: Path) -> None:
    facts = maths_of(browser, site_dir / "slides" / f"{notebook.stem}.slides.html", deck=True)
    assert not problems(facts), "\n".join(problems(facts))


# --------------------------------------------------------------------------- the check fires

PROBE_MATHS = [r"$x^2 + \sigma(w^\top x + b)$", r"$$\frac{\partial L}{\partial w} = 2x$$",
               "$$\n\\begin{align}\na &= b + c \\\\\nd &= e\n\\end{align}\n$$"]


@pytest.fixture(scope="module")
def probe_deck(tmp_path_factory) -> Path:
    from shutil import which

    if which("npm") is None:
        pytest.skip("npm not found (static slides)")
    root = tmp_path_factory.mktemp("maths-probe")
    cells = [new_markdown_cell("# Maths probe\n\n" + PROBE_MATHS[0],
                               metadata={"slideshow": {"slide_type": "slide"}})]
    cells += [new_markdown_cell(f"## Formula {i}\n\n{tex}",
                                metadata={"slideshow": {"slide_type": "slide"}})
              for i, tex in enumerate(PROBE_MATHS[1:], 1)]
    nb = new_notebook(cells=cells, metadata={"kernelspec": {
        "name": "python3", "display_name": "Python 3", "language": "python"}})
    nbformat.write(nb, root / "zz_maths_probe.ipynb")
    [deck] = export_slides.export([root / "zz_maths_probe.ipynb"], root / "out")
    return deck


def test_probe_deck_maths_have_mathml(browser, probe_deck: Path) -> None:
    facts = maths_of(browser, probe_deck, deck=True)
    assert facts["formulas"] == facts["sources"] == len(PROBE_MATHS), facts
    assert not problems(facts), problems(facts)
    assert facts["sample"].replace(" ", "").startswith("x2+σ"), facts


def test_check_fires_without_assistive_mathml(browser, probe_deck: Path) -> None:
    html = probe_deck.read_text()
    config = "messageStyle: 'none',"
    assert config in html, "the deck's MathJax configuration changed: update this probe"
    off = probe_deck.with_name("zz_maths_probe_off.slides.html")
    off.write_text(html.replace(config, config + " AssistiveMML: {disabled: true},"))
    facts = maths_of(browser, off, deck=True)
    assert facts["formulas"] == len(PROBE_MATHS), facts
    assert len(facts["without"]) == len(PROBE_MATHS), facts
    assert len(problems(facts)) == len(PROBE_MATHS), problems(facts)
