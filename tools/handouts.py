"""PDF handouts of the lecture slides, one page per slide: ``make handouts``.

    python tools/handouts.py                       # every notebook -> build/handouts/
    python tools/handouts.py --out DIR nb.ipynb    # chosen notebooks -> DIR

For each notebook it writes, from the student's edition (tools/student_copies.py: exercises
blank, no verdicts), ``<out>/<stem>.pdf`` (one 1280x720 page per slide, all fragments shown,
stored figures, outputs and widgets in place: the static deck of tools/export_slides.py) and
``<out>/<stem>-notes.pdf`` (the same, each slide with speaker notes followed by a page with its
notes); and from the lecturer's edition (worked answers and verdicts in) the lecturer's
handout ``<out>/<stem>-lecturer.pdf``, laid out as the notes PDF. The layout is reveal.js's
own print mode: the decks are exported to a temporary folder, each ``<stem>.slides.html`` is
opened from disk in headless Chromium (tools/chromium.py) with ``?print-pdf`` and reveal's config in the query string
(``margin=0``, ``pdfSeparateFragments=false``, ``pdfMaxPagesPerSlide=1``, and
``showNotes=separate-page`` for the notes), and printed with the page size reveal sets.

A slide taller than the page: reveal's default spills it onto extra pages (one page per slide
no longer holds); with ``pdfMaxPagesPerSlide=1`` Chromium moves the lines that do not fit off
the page, so they silently vanish. Neither is acceptable, so before printing every slide is
measured in the page: text, figures or formulas outside the page or cut off by a box (or cut
with an ellipsis), characters no installed font has, notes longer than a page (they too would
spill), a figure that does not decode, and any request
that would leave file:// (it is refused) are reported by lecture, slide number (as printed on
the page) and first cell id, and the tool exits 1. The PDFs are still written, to look at.
Fix such a slide in its notebook (tests/test_slides_lint.py has the budgets).

Each PDF is tagged (Playwright's ``tagged=True``: a structure tree of headings, paragraphs and
figures, each figure with its ``<img alt>`` as /Alt, so that screen readers can read it), has
an outline from the headings, the deck's language (``<html lang="en">``) as /Lang, and a title
from the lecture's first heading: "Gradient descent: slides", "...: slides and speaker notes",
"...: lecturer's slides and notes" (:func:`handout_titles`). reveal marks every slide but the
first ``hidden`` and ``aria-hidden`` even in print mode, which would leave them out of the
structure tree; the tool removes those marks from the slides before printing.

Every character printed must have a font: one that no installed font has prints as an empty
box (✅ on a machine with only DejaVu and Liberation). The tool collects the text of every
slide (and notes) and looks each character up in fontconfig's coverage (``fc-list``); one
without a font is a problem naming the slide, its code point and name, and the fix. So is text
cut with an ellipsis (a prompt "In [12…" in a box too narrow; the deck template sizes prompts
for "In [128]:").

Differences from the deck on screen, all reveal's print mode: no 4 % border around the slide
(``margin=0``, so that pages are 1280x720), and the slide number is printed as 3, not 3 / 27.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import io
import re
import shutil
import subprocess
import sys
import tempfile
import time
import unicodedata
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # ``python tools/handouts.py`` as well as ``from tools import``
from nbhelpers.display import SLIDE_HEIGHT, SLIDE_WIDTH  # noqa: E402
from tools import chromium, export_slides, student_copies  # noqa: E402

DEFAULT_OUT = ROOT / "build" / "handouts"
PAGE = {"width": SLIDE_WIDTH, "height": SLIDE_HEIGHT}  # the decks' reveal width and height
TOLERANCE = 2  # px
LOAD_TIMEOUT_MS = 120_000

# reveal.js 4.6.1 reads its config from the query string (Util.getQueryHash)
QUERY = "print-pdf&margin=0&pdfSeparateFragments=false&pdfMaxPagesPerSlide=1"
NOTES_QUERY = QUERY + "&showNotes=separate-page"

# The lecture footer on every page (Chromium repeats fixed elements on each printed page), no
# blank page after the last one (Chromium honours reveal's page-break-after there), and the
# title slide's air above the title (rise.css finds that slide by a structure print changes).
PRINT_CSS = """
html.print-pdf #rise-overlay { position: fixed; inset: 0; z-index: 40; pointer-events: none; }
html.print-pdf .reveal .slides > :last-child { page-break-after: auto !important; }
html.print-pdf .reveal .slides > .pdf-page:first-of-type .jp-RenderedMarkdown h1 {
  margin-top: 1.5em;
}
"""

# reveal's print layout done, MathJax idle, every image decoded, stored widgets rendered
READY_JS = """
async () => {
  await new Promise(r => MathJax.Hub.Queue(r));
  await document.fonts.ready;
  await Promise.all(Array.from(document.images).map(img => img.decode().catch(() => null)));
}
"""
# What the print waits for, each condition on its own so that a deck that never finishes says
# which one never became true. window.widgetsSettled is set by tools/slides/nn-widgets.js:
# every stored widget view has rendered, or shows a sentence instead (.widget-fallback,
# reported as a problem); in print mode the deck's template starts reveal only then, because
# reveal's print layout takes the slides out of the document for a frame, and a widget
# renderer looking for its views in that frame found none (the cause of issue 27's hangs).
STATUS_JS = """
() => {
  const views = Array.from(document.querySelectorAll(
    'script[type="application/vnd.jupyter.widget-view+json"]'));
  return {
    'reveal ready': !!(window.Reveal && Reveal.isReady && Reveal.isReady()),
    'print layout (.pdf-page)': !!document.querySelector('.reveal .pdf-page'),
    'MathJax ready': !!(window.MathJax && MathJax.isReady),
    'widgets settled': window.widgetsSettled === true,
    unrendered: views.filter(s => !(s.previousElementSibling?.classList.contains('widget-subarea')
                                    && s.previousElementSibling.childElementCount > 0))
                     .map(s => JSON.parse(s.textContent).model_id),
  };
}
"""
# reveal marks every slide but the current one hidden and aria-hidden (print mode too, where all
# are shown): Chromium leaves those out of the tagged PDF's structure tree, which then held the
# first slide only. The formulas' visual part stays aria-hidden (their MathML is what is read).
UNHIDE_JS = """
() => document.querySelectorAll('.reveal .slides section').forEach(section => {
  section.removeAttribute('hidden');
  section.removeAttribute('aria-hidden');
})
"""
FALLBACKS_JS = """
() => Array.from(document.querySelectorAll('.widget-fallback'), p => p.dataset.modelId)
"""


def wait_until_laid_out(page, *, timeout_s: float) -> dict | None:
    """Poll :data:`STATUS_JS` until every condition holds; the last status if time runs out."""
    deadline = time.monotonic() + timeout_s
    while True:
        status = page.evaluate(STATUS_JS)
        if all(v for k, v in status.items() if k != "unrendered"):
            return None
        if time.monotonic() > deadline:
            return status
        page.wait_for_timeout(200)


def never_true(status: dict) -> str:
    """'MathJax ready, widgets settled (views not rendered: 3f2a...)': what never held."""
    missing = [k for k, v in status.items() if k != "unrendered" and not v]
    if status["unrendered"]:
        missing.append(f"widget views not rendered: {', '.join(status['unrendered'])}")
    return "; ".join(missing)


# What would not show on the printed pages, as [slide number, cell id, title, problem] rows.
# Ink (text, images, svg, form controls, empty boxes such as slider tracks) that lies outside
# the page, or outside an ancestor that clips (overflow not visible), is cut off; empty space
# of a box (a <pre>'s padding) is not. Visually hidden text (clip: rect, MathJax's assistive
# MathML) is skipped. With ``notes``: the notes pages only (the slide pages are checked in the
# deck without notes).
CHECK_JS = """
([W, H, tol, notes]) => {
  const out = [];
  const title = (slide) => ((slide.querySelector('h1, h2, h3')
    || slide.querySelector('.jp-InputArea-editor, .jp-RenderedHTMLCommon') || slide).innerText
    || '').trim().split('\\n')[0].slice(0, 50);
  const hidden = (el) => {
    for (let e = el; e; e = e.parentElement) {
      const style = getComputedStyle(e);
      if (style.visibility === 'hidden' || style.display === 'none' || style.clip !== 'auto'
          || e.matches('aside.notes')) return true;
    }
    return false;
  };
  const ATOMS = 'img, svg, canvas, video, input, select, button, .MathJax_CHTML';
  const ink = (slide) => {  // [element, rect] of everything drawn on the slide
    const found = [];
    const range = document.createRange();
    const visit = (node) => {
      if (node.nodeType === Node.TEXT_NODE) {
        for (const word of node.data.matchAll(/\\S+/g)) {  // not a wrapped line's last space
          range.setStart(node, word.index);
          range.setEnd(node, word.index + word[0].length);
          for (const r of range.getClientRects()) found.push([node.parentElement, r]);
        }
      } else if (node.nodeType === Node.ELEMENT_NODE) {
        if (node.matches(ATOMS) || node.childNodes.length === 0) {
          const r = node.getBoundingClientRect();  // a formula's box, not its glyphs' boxes
          if (r.width > 0 && r.height > 0) found.push([node, r]);
        } else {
          node.childNodes.forEach(visit);
        }
      }
    };
    slide.childNodes.forEach(visit);
    return found.filter(([el]) => !hidden(el));
  };
  const outside = (r, box) => r.right > box.right + tol || r.bottom > box.bottom + tol
    || r.left < box.left - tol || r.top < box.top - tol;
  let origin = {left: 0, top: 0};  // of the page being checked
  const describe = (el, r) => {
    const cls = (typeof el.className === 'string' ? el.className : '').split(' ')
      .filter(c => c).slice(0, 2).join('.');
    const text = (el.innerText || el.getAttribute('src') || '').trim().slice(0, 40);
    const [x, y] = [origin.left, origin.top];
    return `${el.tagName.toLowerCase()}${cls ? '.' + cls : ''} at [${Math.round(r.left - x)},` +
      `${Math.round(r.top - y)} -> ${Math.round(r.right - x)},${Math.round(r.bottom - y)}] ` +
      JSON.stringify(text);
  };
  let number = 0;
  for (const page of document.querySelectorAll('.reveal .slides > *')) {
    if (page.classList.contains('speaker-notes-pdf')) {
      if (notes && page.offsetHeight > H + tol) {
        const cell = page.querySelector('.jp-Cell')?.id.replace('cell-id=', '') || '';
        out.push([number, cell, 'speaker notes',
                  `the notes are ${page.offsetHeight}px tall, more than one ${H}px page`]);
      }
      continue;
    }
    if (!page.classList.contains('pdf-page')) continue;
    number += 1;
    if (notes) continue;
    const slide = page.querySelector('section');
    const cell = slide.querySelector('.jp-Cell')?.id.replace('cell-id=', '') || '';
    const found = [];
    origin = page.getBoundingClientRect();
    const box = {left: origin.left, top: origin.top, right: origin.left + W,
                 bottom: origin.top + H};
    const cut = new Set();
    for (const [el, r] of ink(slide)) {
      let clipper = null;  // the innermost box that clips this ink away
      for (let e = el; e && e !== slide && !clipper; e = e.parentElement) {
        const s = getComputedStyle(e);
        const clips = s.overflowX !== 'visible' || s.overflowY !== 'visible';
        if (clips && outside(r, e.getBoundingClientRect())) clipper = e;
      }
      const where = outside(r, box) ? `outside the ${W}x${H} page`
        : clipper ? 'cut off by its box ' + describe(clipper, clipper.getBoundingClientRect())
        : null;
      if (where && !cut.has(clipper || el)) {
        cut.add(clipper || el);
        found.push(`${where}: ${describe(el, r)}`);
      }
    }
    for (const el of slide.querySelectorAll('*')) {  // "In [12…": a prompt too narrow
      if (getComputedStyle(el).textOverflow === 'ellipsis' && el.scrollWidth > el.clientWidth
          && el.innerText.trim() && !hidden(el)) {
        found.push('text cut with an ellipsis: ' + describe(el, el.getBoundingClientRect()));
      }
    }
    for (const img of slide.querySelectorAll('img')) {
      if (!(img.complete && img.naturalWidth > 0)) {
        found.push('figure does not render: ' + describe(img, img.getBoundingClientRect()));
      }
    }
    if (found.length > 3) found.splice(3, found.length, `and ${found.length - 3} more`);
    for (const what of found) out.push([number, cell, title(slide), what]);
  }
  return out;
}
"""

OFFLINE = re.compile(r"^(file|data|blob|about):")

# Every character printed, as [character, slide number, cell id, title] of its first slide (0:
# the footer). Formulas are skipped: MathJax draws them with its own web fonts (vendor/), and
# their hidden MathML is never printed. With ``notes``: the notes pages as well.
CHARACTERS_JS = """
(notes) => {
  const seen = new Map();
  const SKIP = 'script, style, .MathJax_CHTML, .MathJax_Preview, .MJX_Assistive_MathML, math';
  const collect = (root, where) => {
    const walk = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    for (let node = walk.nextNode(); node; node = walk.nextNode()) {
      if (node.parentElement.closest(SKIP)) continue;
      for (const ch of node.data) if (!seen.has(ch)) seen.set(ch, where);
    }
  };
  const title = (slide) => ((slide.querySelector('h1, h2, h3') || slide).innerText || '')
    .trim().split('\\n')[0].slice(0, 50);
  let number = 0, last = [0, '', ''];
  for (const page of document.querySelectorAll('.reveal .slides > *')) {
    if (page.classList.contains('speaker-notes-pdf')) {
      if (notes) collect(page, last);
      continue;
    }
    if (!page.classList.contains('pdf-page')) continue;
    number += 1;
    const slide = page.querySelector('section');
    const cell = slide.querySelector('.jp-Cell')?.id.replace('cell-id=', '') || '';
    last = [number, cell, title(slide)];
    collect(slide, last);
    if (notes) page.querySelectorAll('aside.notes').forEach(a => collect(a, last));
  }
  const footer = document.getElementById('rise-overlay');
  if (footer) collect(footer, [0, '', 'footer']);
  return Array.from(seen, ([ch, where]) => [ch, ...where]);
}
"""
FONT_FIX = ("install a font that has them (Debian: apt-get install fonts-noto-color-emoji for "
            "emoji; `fc-list ':charset=HEX'` lists the fonts that have U+HEX) or write the "
            "text with characters the installed fonts have")


@functools.cache
def font_coverage() -> frozenset[int]:
    """The code points that some installed font has (fontconfig, as Chromium finds them)."""
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        raise SystemExit("handouts: fc-list not found, so no check that every character has a "
                         "font (one without prints as an empty box); install fontconfig "
                         "(apt-get install fontconfig)")
    listing = subprocess.run([fc_list, "--format", "%{charset}\n"], capture_output=True,
                             text=True, check=True).stdout
    covered: set[int] = set()
    for part in listing.split():
        first, _, last = part.partition("-")
        covered.update(range(int(first, 16), int(last or first, 16) + 1))
    return frozenset(covered)


def without_font(characters: list[list], covered: frozenset[int]) -> list[str]:
    """Problems, one per slide, for the printed characters that no installed font has
    (Chromium prints each as an empty box). Whitespace and control characters draw nothing."""
    by_slide: dict[tuple, list[str]] = {}
    for ch, number, cell, title in characters:
        if ord(ch) in covered or ch.isspace() or unicodedata.category(ch) in ("Cc", "Cf"):
            continue
        name = unicodedata.name(ch, "unnamed")
        by_slide.setdefault((number, cell, title), []).append(f"U+{ord(ch):04X} {name} {ch!r}")
    return [f"slide {n} (cell {cell or '-'}, {title!r}): no installed font has "
            f"{', '.join(chars)}: {FONT_FIX}"
            for (n, cell, title), chars in by_slide.items()]


def print_deck(browser, html: Path, pdf: Path, *, notes: bool, title: str) -> list[str]:
    """Print one deck to ``pdf`` in reveal's print mode, a tagged PDF (structure tree with
    the figures' alt text, /Lang from ``<html lang>``, an outline from the headings) titled
    ``title``; return what does not show right. A deck that is not laid out in time stops the
    tool with what never became true, and leaves a screenshot and the console in ``<pdf's
    folder>/failed/``."""
    context = browser.new_context(viewport=PAGE)
    offsite: list[str] = []

    def refuse(route) -> None:
        offsite.append(route.request.url)
        route.abort()

    context.route(lambda url: not OFFLINE.match(url), refuse)
    errors: list[str] = []
    console: list[str] = []
    try:
        page = context.new_page()
        page.on("pageerror", lambda e: errors.append(f"page error: {e}"))
        page.on("console", lambda m: console.append(f"{m.type}: {m.text}"))
        page.goto(f"{html.as_uri()}?{NOTES_QUERY if notes else QUERY}")
        status = wait_until_laid_out(page, timeout_s=LOAD_TIMEOUT_MS / 1000)
        if status is not None:
            failed = pdf.parent / "failed"
            failed.mkdir(exist_ok=True)
            page.screenshot(path=str(failed / f"{pdf.stem}.png"))
            (failed / f"{pdf.stem}.console.txt").write_text("\n".join([*console, *errors]) + "\n")
            raise SystemExit(f"handouts: {html.name}{' (notes)' if notes else ''} not laid out "
                             f"for print in {LOAD_TIMEOUT_MS // 1000} s: never true: "
                             f"{never_true(status)}; {errors or 'no page error'}; screenshot "
                             f"and console in {failed}")
        page.evaluate(READY_JS)
        page.add_style_tag(content=PRINT_CSS)
        rows = page.evaluate(CHECK_JS, [PAGE["width"], PAGE["height"], TOLERANCE, notes])
        fallbacks = page.evaluate(FALLBACKS_JS)
        no_font = without_font(page.evaluate(CHARACTERS_JS, notes), font_coverage())
        page.evaluate("title => { document.title = title; }", title)  # the PDF's /Title
        page.evaluate(UNHIDE_JS)
        page.pdf(path=str(pdf), prefer_css_page_size=True, print_background=True,
                 tagged=True, outline=True)
    finally:
        context.close()
    problems = [f"slide {n} (cell {cell or '-'}, {title!r}): {what}" for n, cell, title, what in rows]
    problems += [f"widget view {model} did not render: a sentence shows instead"
                 for model in fallbacks]
    return [*problems, *no_font, *errors,
            *(f"request leaves file://: {url}" for url in offsite)]


def handout_titles(title: str) -> dict[str, str]:
    """The PDF titles of one lecture's :func:`handout_names`."""
    return {"slides": f"{title}: slides", "notes": f"{title}: slides and speaker notes",
            "lecturer": f"{title}: lecturer's slides and notes"}


def handout_names(stem: str) -> dict[str, str]:
    """The handouts of one lecture: student slides, student slides + notes, the lecturer's."""
    return {"slides": f"{stem}.pdf", "notes": f"{stem}-notes.pdf",
            "lecturer": f"{stem}-lecturer.pdf"}


def handouts(notebooks: list[Path], out: Path) -> dict[str, list[str]]:
    """Write each lecture's :func:`handout_names` into ``out``; return problems by stem."""
    from playwright.sync_api import sync_playwright

    out.mkdir(parents=True, exist_ok=True)
    problems: dict[str, list[str]] = {}
    with tempfile.TemporaryDirectory(prefix="handouts-") as tmp, sync_playwright() as p:
        student_src = Path(tmp) / "student-src"
        student_copies.write(notebooks, student_src)
        with contextlib.redirect_stdout(io.StringIO()):  # its list of temporary files
            lecturer = export_slides.export(notebooks, Path(tmp) / "lecturer")
            student = export_slides.export([student_src / n.name for n in notebooks],
                                           Path(tmp) / "student")
        browser = chromium.launch(p)
        try:
            for notebook, student_deck, lecturer_deck in zip(notebooks, student, lecturer,
                                                             strict=True):
                stem = student_deck.name.removesuffix(".slides.html")
                names, titles = handout_names(stem), handout_titles(
                    export_slides.lecture_title(notebook))
                start = time.monotonic()
                found = print_deck(browser, student_deck, out / names["slides"], notes=False,
                                   title=titles["slides"])
                found += print_deck(browser, student_deck, out / names["notes"], notes=True,
                                    title=titles["notes"])
                found += print_deck(browser, lecturer_deck, out / names["lecturer"],
                                    notes=True, title=titles["lecturer"])
                found = list(dict.fromkeys(found))  # a refused request is tried by each
                verdict = f"{len(found)} PROBLEMS" if found else "ok"
                print(f"  {stem}: {', '.join(names.values())} in "
                      f"{time.monotonic() - start:.1f} s, {verdict}", flush=True)
                if found:
                    problems[stem] = found
        finally:
            browser.close()
    return problems


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", type=Path, help="default: notebooks/*.ipynb")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="default: build/handouts")
    args = parser.parse_args(argv)
    notebooks = args.notebooks or sorted((ROOT / "notebooks").glob("*.ipynb"))
    start = time.monotonic()
    problems = handouts([n.resolve() for n in notebooks], args.out.resolve())
    print(f"{len(notebooks)} handouts (student, + notes, lecturer's) in {args.out} in "
          f"{time.monotonic() - start:.0f} s")
    if problems:
        for stem, found in problems.items():
            print(f"{stem}: " + "\n    ".join(["", *found]), file=sys.stderr)
        print("handouts: these PDFs do not show every slide as the deck does. Shorten or split "
              "the slides named (slide number, first cell id) in their notebooks; a character "
              "without a font needs a font or another character (see its line); a request "
              "leaving file:// is a file tools/export_slides.py must put in vendor/",
              file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
