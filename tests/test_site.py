"""The course website (tools/build_site.py, ``make site``) in headless Chromium.

The ``site_dir`` fixture (tests/conftest.py) builds the site with every lecture's handouts; a
``http.server`` thread serves it on 127.0.0.1 and Chromium (tools/chromium.py) opens, for
every lecture, its page and checks

* the page answers 200, every figure on it decodes (``naturalWidth > 0``) and the stored
  figures are all there (one ``<img>`` per image output of the notebook);
* its maths is typeset by the local MathJax (every ``.math`` element holds MathJax output,
  no TeX error, no raw ``$$`` / ``\\(`` left in the text) and every stored widget renders;
* the page is the student's edition: the Colab button opens ``colab.research.google.com/github/
  <REPO_URL's owner/name>/blob/main/student/<stem>.ipynb``, the download button serves the
  committed student's edition, and the slide and handout links under the title point at files
  of the site;
* no solution shows until asked: each blank answer is followed by one closed "Show a
  solution" block whose code is not rendered, no verdict (✔/✘) is on the page, and a click on
  the block's summary shows the solution;

then the index lists every lecture under its first heading, the search page finds a
lecture by a word from it, one page opened from disk (file://) shows the same, and no request
of these pages or of the site's slide decks ever left 127.0.0.1 / file: (every request is
recorded; the others are aborted). A generated broken page proves each detector fires. A screenshot of
one lecture goes to test-artifacts/publish/site-page.png.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import nbformat
import pytest

import nbhelpers
from nbhelpers.display import alt_problem
from tools import chromium, export_slides

ROOT = Path(__file__).resolve().parents[1]
SCREENSHOT = ROOT / "test-artifacts" / "publish" / "site-page.png"
LECTURES = sorted((ROOT / "notebooks").glob("[0-9]*.ipynb"))
STUDENT = ROOT / "student"
SLUG = nbhelpers.REPO_URL.removeprefix("https://github.com/")
IMAGE_MIMES = ("image/png", "image/jpeg", "image/svg+xml")
SEARCH = ("backpropagation", "06_backpropagation")  # a word, and a page it must find
FROM_DISK = "10_convolution_filters"  # widgets and maths, opened from file://
MATHJAX_TIMEOUT_MS = 60_000

# one xdist worker runs both files: one handouts + site build (conftest.py work_unit)
pytestmark = [pytest.mark.browser, pytest.mark.slow]

# What a page shows, measured in the browser (after MathJax has finished).
FACTS_JS = """() => {
  const article = document.querySelector('article') || document.body;
  const imgs = [...article.querySelectorAll('img')];
  const maths = [...article.querySelectorAll('span.math, div.math')];
  const text = [...article.querySelectorAll('p, li, td, th, h1, h2, h3, h4, dd, span.math')]
    .filter(e => !e.closest('pre, code')).map(e => e.innerText).join('\\n');
  const views = [...article.querySelectorAll(
    'script[type="application/vnd.jupyter.widget-view+json"]')];
  return {
    broken_images: imgs.filter(i => !(i.complete && i.naturalWidth > 0))
      .map(i => i.getAttribute('src')),
    figure_alts: [...article.querySelectorAll('.cell_output img')].map(i => i.getAttribute('alt')),
    output_images: article.querySelectorAll('.cell_output img').length
      - article.querySelectorAll('.cell_output .jupyter-widgets img').length,
    maths: maths.length,
    untypeset_maths: maths.filter(m => !m.querySelector('.MathJax_CHTML'))
      .map(m => m.innerText.slice(0, 80)),
    tex_errors: article.querySelectorAll('.mjx-merror, .MathJax_CHTML merror').length,
    raw_tex: ['$$', '\\\\(', '\\\\['].filter(s => text.includes(s)),
    widgets: views.length,
    kernel_only_notes: [...article.querySelectorAll('.cell_output p em')]
      .filter(e => e.innerText.includes('needs a running notebook')).length,
    unrendered_widgets: views.filter(v => !(v.previousElementSibling
      && v.previousElementSibling.querySelector('.jupyter-widgets'))).length,
    links: [...document.querySelectorAll('a[href]')].map(a => a.getAttribute('href')),
    header_links: [...article.querySelectorAll('p.nn-links a')].map(a => a.getAttribute('href')),
    solutions: article.querySelectorAll('details.nn-solution').length,
    open_solutions: article.querySelectorAll('details.nn-solution[open]').length,
    shown_solution_code: [...article.querySelectorAll('details.nn-solution pre')]
      .filter(e => e.checkVisibility()).length,
    verdicts: (article.innerText.match(/[✔✘]/g) || []).length,
  };
}"""
# Sphinx loads MathJax 2 only on pages with maths; wait for its first typeset to finish.
MATHJAX_DONE_JS = """() => !document.querySelector('script[src*="MathJax.js"]')
  || (window.MathJax !== undefined && MathJax.isReady === true)"""
MATHJAX_IDLE_JS = """() => window.MathJax === undefined || MathJax.Hub === undefined
  || new Promise(resolve => MathJax.Hub.Queue(() => resolve(true)))"""


@dataclass
class Expected:
    """What a lecture's page must show, from its notebook."""

    stem: str
    title: str
    images: int
    has_maths: bool
    widgets: int
    kernel_only: int = 0
    header_links: list[str] = field(default_factory=list)
    solutions: int = 0

    @classmethod
    def of(cls, notebook: Path) -> Expected:
        """From the lecture's student's edition (what the site shows)."""
        nb = nbformat.read(STUDENT / notebook.name, as_version=4)
        kernel_only = export_slides.kernel_only_widgets_as_text(nb)  # shown as a sentence
        outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])]
        markdown = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
        stem = notebook.stem
        return cls(
            stem=stem,
            title=nb.cells[0].source.lstrip().splitlines()[0].removeprefix("# ").strip(),
            images=sum(any(m in o.get("data", {}) for m in IMAGE_MIMES) for o in outputs),
            has_maths="$" in markdown,
            widgets=sum("application/vnd.jupyter.widget-view+json" in o.get("data", {})
                        for o in outputs),
            kernel_only=kernel_only,
            header_links=[f"slides/{stem}.slides.html", f"handouts/{stem}.pdf",
                          f"handouts/{stem}-notes.pdf", f"handouts/{stem}-lecturer.pdf"],
            solutions=sum("answer" in c.metadata.get("tags", []) for c in nb.cells),
        )

    @property
    def colab(self) -> str:
        return (f"https://colab.research.google.com/github/{SLUG}/blob/main/student/"
                f"{self.stem}.ipynb")

    @property
    def download(self) -> str:
        return f"_sources/{self.stem}.ipynb"


def page_problems(facts: dict, *, expected: Expected, site: Path) -> list[str]:
    """Everything wrong with one page (empty when it is right)."""
    found = []
    if facts["broken_images"]:
        found.append(f"images that do not decode: {facts['broken_images']}")
    if facts["output_images"] != expected.images:
        found.append(f"{facts['output_images']} output figures, the notebook has "
                     f"{expected.images}")
    bad_alts = [alt for alt in facts["figure_alts"] if alt_problem(alt)]
    if bad_alts:
        found.append(f"{len(bad_alts)} figures without alt text that says what they show, "
                     f"e.g. alt={bad_alts[0]!r}: {alt_problem(bad_alts[0])}")
    if expected.has_maths and not facts["maths"]:
        found.append("no maths elements although the notebook has $...$ maths")
    if facts["untypeset_maths"]:
        found.append(f"{len(facts['untypeset_maths'])} maths elements not typeset by "
                     f"MathJax, e.g. {facts['untypeset_maths'][0]!r}")
    if facts["tex_errors"]:
        found.append(f"{facts['tex_errors']} TeX errors")
    if facts["raw_tex"]:
        found.append(f"raw TeX delimiters in the text: {facts['raw_tex']}")
    if facts["kernel_only_notes"] != expected.kernel_only:
        found.append(f"{facts['kernel_only_notes']} notes for widgets that need a kernel "
                     f"(the drawing canvas), the notebook has {expected.kernel_only}")
    if facts["widgets"] != expected.widgets or facts["unrendered_widgets"]:
        found.append(f"{facts['widgets']} widget views ({facts['unrendered_widgets']} not "
                     f"rendered), the notebook has {expected.widgets}")
    if expected.colab not in facts["links"]:
        found.append(f"no Colab link {expected.colab}")
    if expected.download not in facts["links"]:
        found.append(f"no download link {expected.download}")
    if facts["header_links"] != expected.header_links:
        found.append(f"slide/handout links {facts['header_links']}, expected "
                     f"{expected.header_links}")
    if (facts["solutions"], facts["open_solutions"]) != (expected.solutions, 0):
        found.append(f"{facts['solutions']} solution blocks ({facts['open_solutions']} open), "
                     f"expected {expected.solutions} closed ones")
    if facts["shown_solution_code"] or facts["verdicts"]:
        found.append(f"{facts['shown_solution_code']} solutions and {facts['verdicts']} "
                     "verdicts show before anyone asks")
    missing = [h for h in (*facts["header_links"], expected.download)
               if not (site / h).is_file()]
    if missing:
        found.append(f"links to files that are not in the site: {missing}")
    return found


def external(urls: list[str]) -> list[str]:
    """The requests that would leave the machine."""
    return [u for u in urls if urlsplit(u).scheme not in ("file", "data", "blob", "about")
            and urlsplit(u).hostname != "127.0.0.1"]


# --------------------------------------------------------------------------- browser



@dataclass
class Browser:
    page: object
    requests: list[str]

    def open(self, url: str) -> dict:
        """Load ``url``, wait for MathJax, return FACTS_JS with the HTTP status."""
        response = self.page.goto(url, wait_until="load")
        self.page.wait_for_function(MATHJAX_DONE_JS, timeout=MATHJAX_TIMEOUT_MS)
        self.page.evaluate(MATHJAX_IDLE_JS)
        return {"status": response.status if response else None,
                **self.page.evaluate(FACTS_JS)}


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chrome = chromium.launch(playwright)
        context = chrome.new_context(viewport={"width": 1280, "height": 900})
        requests: list[str] = []

        def record(route) -> None:
            requests.append(route.request.url)
            if external([route.request.url]):
                route.abort()
            else:
                route.continue_()

        context.route("**/*", record)
        yield Browser(page=context.new_page(), requests=requests)
        chrome.close()


# --------------------------------------------------------------------------- tests


def test_detectors_flag_a_broken_page(tmp_path: Path, serve, browser: Browser) -> None:
    """A page with a broken figure, a missing one, untypeset maths, raw $$, an un-rendered
    widget, a remote image and no links: every check must complain."""
    (tmp_path / "bad.html").write_text(
        "<html><head><meta charset='utf-8'></head><body><article>"
        "<div class='cell_output'><img src='_images/missing.png'></div>"
        "<p>energy $$E = mc^2$$</p><span class='math'>\\(x^2\\)</span>"
        "<div class='cell_output'><script type='application/vnd.jupyter.widget-view+json'>"
        "{}</script></div>"
        "<img src='http://example.invalid/badge.svg'>"
        "<p class='nn-links'><a href='slides/bad.slides.html'>slides</a></p>"
        "<details class='nn-solution' open><summary>Show</summary><pre>x = 1</pre></details>"
        "<p>✔ Correct</p>"
        "</article></body></html>", encoding="utf-8")
    expected = Expected(stem="bad", title="Bad", images=2, has_maths=True, widgets=1,
                        header_links=["slides/bad.slides.html"], solutions=2)
    before = len(browser.requests)
    facts = browser.open(serve(tmp_path) + "bad.html")
    problems = "\n".join(page_problems(facts, expected=expected, site=tmp_path))
    for symptom in ("do not decode", "1 output figures", "not typeset", "raw TeX",
                    "not rendered", "no Colab link", "no download link",
                    "not in the site", "1 solution blocks (1 open)",
                    "1 solutions and 1 verdicts show",
                    "1 figures without alt text that says what they show, e.g. alt=None"):
        assert symptom in problems, f"detector did not flag {symptom!r}:\n{problems}"
    assert external(browser.requests[before:]) == ["http://example.invalid/badge.svg"]
    del browser.requests[before:]  # test_no_request_left_the_machine looks at the site's


@pytest.mark.parametrize("notebook", LECTURES, ids=[p.stem for p in LECTURES])
def test_lecture_page(notebook: Path, site_dir: Path, serve, browser: Browser) -> None:
    expected = Expected.of(notebook)
    facts = browser.open(serve(site_dir) + f"{expected.stem}.html")
    assert facts["status"] == 200
    problems = page_problems(facts, expected=expected, site=site_dir)
    assert not problems, f"{expected.stem}.html:\n" + "\n".join(problems)
    assert (site_dir / expected.download).read_bytes() == \
        (STUDENT / notebook.name).read_bytes(), \
        "the download button must serve the committed student's edition"
    if expected.solutions:  # asked for, the first solution shows
        browser.page.click("details.nn-solution summary")
        assert browser.page.evaluate(FACTS_JS)["shown_solution_code"] == 1
    if expected.stem == SEARCH[1]:
        SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
        browser.page.screenshot(path=str(SCREENSHOT))


def test_index_lists_every_lecture(site_dir: Path, serve, browser: Browser) -> None:
    browser.page.goto(serve(site_dir) + "index.html")
    entries = browser.page.eval_on_selector_all(
        "article .toctree-wrapper a", "as => as.map(a => [a.getAttribute('href'), a.innerText])")
    assert entries == [[f"{p.stem}.html", Expected.of(p).title] for p in LECTURES]


def test_search_finds_a_lecture(site_dir: Path, serve, browser: Browser) -> None:
    word, stem = SEARCH
    browser.page.goto(serve(site_dir) + f"search.html?q={word}")
    browser.page.wait_for_selector("#search-results li a", timeout=30_000)
    hits = browser.page.eval_on_selector_all("#search-results li a",
                                             "as => as.map(a => a.getAttribute('href'))")
    assert f"{stem}.html" in hits, f"searching {word!r} found {hits}"


def test_views_from_disk(site_dir: Path, browser: Browser) -> None:
    """Opened as a file (no server), a page with widgets and maths still shows everything."""
    notebook = ROOT / "notebooks" / f"{FROM_DISK}.ipynb"
    facts = browser.open((site_dir / f"{FROM_DISK}.html").as_uri())
    problems = page_problems(facts, expected=Expected.of(notebook), site=site_dir)
    assert not problems, f"{FROM_DISK}.html from disk:\n" + "\n".join(problems)


def test_no_request_left_the_machine(site_dir: Path, serve, browser: Browser) -> None:
    """Runs last in this file: everything the pages above and every slide deck of the site
    loaded was local."""
    base = serve(site_dir)
    for notebook in LECTURES:
        browser.page.goto(base + f"slides/{notebook.stem}.slides.html", wait_until="load")
    browser.page.wait_for_load_state("networkidle")
    assert len(browser.requests) > 2 * len(LECTURES), "the pages above were not loaded"
    assert external(browser.requests) == []
