"""Stored widgets in the static decks (tools/export_slides.py's template): they render on
every load, before reveal.js lays the deck out for print, and a view that cannot render shows
a sentence instead of an empty box.

The race this guards against (issue 27): the widget renderer looks for its views once, after
building their models; reveal's print layout takes every slide out of the document for one
animation frame; a look-up in that frame found no view, rendered nothing, and ``make
handouts`` waited for ever (1 print in 5 to 40). The template now starts reveal in print mode
only once every view has rendered, so each load here checks the invariant directly: when the
first print page appears, every widget has rendered.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import ipywidgets as w
import nbformat
import pytest
from ipywidgets.embed import embed_data
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output
from shared import unavailable

from tools import export_slides, handouts

pytestmark = [pytest.mark.browser]

VIEW = "application/vnd.jupyter.widget-view+json"

# Records, the moment reveal's first print page enters the document, how many widget views
# there are and how many have rendered.
OBSERVE_JS = """
window.__atFirstPage = null;
new MutationObserver((changes, observer) => {
  if (!document.querySelector('.reveal .pdf-page')) return;
  const views = document.querySelectorAll('script[type="application/vnd.jupyter.widget-view+json"]');
  window.__atFirstPage = {views: views.length, rendered: Array.from(views).filter(
    s => s.previousElementSibling?.classList.contains('widget-subarea')
         && s.previousElementSibling.childElementCount > 0).length};
  observer.disconnect();
}).observe(document, {childList: true, subtree: true});
"""


UNKNOWN = "0" * 32  # a model of a widget library that is not there


def widget_notebook(*, unknown_library: bool = False) -> nbformat.NotebookNode:
    """Three slides, two with a stored slider (one view each); with ``unknown_library`` a
    third view shows a model of a library the deck cannot load (as a third-party widget
    without its code would be)."""
    sliders = [w.IntSlider(value=3, description=f"k{i}") for i in range(2)]
    data = embed_data(views=sliders)
    views = [new_output("display_data", data={VIEW: v, "text/plain": "IntSlider"})
             for v in data["view_specs"]]
    if unknown_library:
        data["manager_state"]["state"][UNKNOWN] = {
            "model_module": "zz-no-such-widgets", "model_module_version": "1.0.0",
            "model_name": "NoSuchModel", "state": {}}
        views.append(new_output("display_data", data={
            VIEW: {"model_id": UNKNOWN, "version_major": 2, "version_minor": 0},
            "text/plain": "NoSuch"}))
    meta = {"slideshow": {"slide_type": "slide"}}
    nb = new_notebook(cells=[
        new_markdown_cell("# Widgets in a deck\n\n$x^2$", metadata=meta),
        new_code_cell("slider_0", metadata=meta, outputs=[views[0]], execution_count=1),
        new_code_cell("slider_1", metadata=meta, outputs=views[1:], execution_count=2),
    ])
    nb.metadata["widgets"] = {"application/vnd.jupyter.widget-state+json": data["manager_state"]}
    for slider in sliders:
        slider.close()
    return nb


@pytest.fixture(scope="module")
def browser():
    from tools.chromium import missing

    reason = missing() or (None if shutil.which("npm") else "npm not found (static slides)")
    if reason:
        unavailable(reason)
    from playwright.sync_api import sync_playwright

    from tools import chromium

    with sync_playwright() as p:
        b = chromium.launch(p)
        yield b
        b.close()


def export(tmp_path: Path, nb: nbformat.NotebookNode) -> Path:
    path = tmp_path / "zz_widgets.ipynb"
    nbformat.write(nb, path)
    (deck,) = export_slides.export([path], tmp_path / "out")
    return deck


def test_print_starts_only_after_every_widget_rendered(browser, tmp_path) -> None:
    deck = export(tmp_path, widget_notebook())
    for _ in range(5):
        context = browser.new_context(viewport=handouts.PAGE)
        try:
            page = context.new_page()
            page.add_init_script(OBSERVE_JS)
            page.goto(f"{deck.as_uri()}?{handouts.QUERY}")
            assert handouts.wait_until_laid_out(page, timeout_s=60) is None
            assert page.evaluate("window.__atFirstPage") == {"views": 2, "rendered": 2}
            assert page.evaluate(handouts.FALLBACKS_JS) == []
        finally:
            context.close()


def test_a_view_that_cannot_render_shows_a_sentence_and_is_reported(browser, tmp_path) -> None:
    deck = export(tmp_path, widget_notebook(unknown_library=True))
    for query in (handouts.QUERY + "&widget-wait=1000", "widget-wait=1000"):  # print, screen
        context = browser.new_context(viewport=handouts.PAGE)
        try:
            page = context.new_page()
            page.goto(f"{deck.as_uri()}?{query}")
            page.wait_for_function("window.widgetsSettled === true", timeout=60_000)
            fallbacks = page.evaluate(handouts.FALLBACKS_JS)
            assert UNKNOWN in fallbacks, fallbacks
            assert "did not load here" in page.inner_text(".widget-fallback >> nth=0")
            rendered = page.evaluate(
                "document.querySelectorAll('.widget-subarea > *').length")
            assert rendered + len(fallbacks) >= 3  # every view: a widget or a sentence
        finally:
            context.close()


def test_never_true_names_each_condition() -> None:
    status = {"reveal ready": True, "print layout (.pdf-page)": False, "MathJax ready": True,
              "widgets settled": False, "unrendered": ["ab12"]}
    assert handouts.never_true(status) == (
        "print layout (.pdf-page); widgets settled; widget views not rendered: ab12")
