"""The widgets' controls for a screen reader and a keyboard (issue 26), on a static deck
(tools/export_slides.py, the widget renderer html-manager 0.20 and tools/slides/nn-widgets.js),
the way the site and the decks show stored widgets.

The probe deck holds the lecture demos that use each kind of control: sliders (pooling),
Play (sliding window), a dropdown and toggle buttons (loss explorer), the kernel editor's number
boxes and upload button. Checked: axe-core's WCAG 2.0/2.1/2.2 A and AA rules on every slide
(0 violations), and that the check fires on an icon-only button; every control's accessible
name is its visible label; Tab reaches every control, arrows and Home/End move a slider (and
not the deck), Space presses a toggle button and keeps the focus on it.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import ipywidgets as w
import nbformat
import pytest
import torch
from ipywidgets.embed import embed_data
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output
from shared import unavailable

from nbhelpers.display import SLIDE_HEIGHT, SLIDE_WIDTH
from tools import export_slides

pytestmark = [pytest.mark.browser]

VIEW = "application/vnd.jupyter.widget-view+json"
VIEWPORT = {"width": SLIDE_WIDTH, "height": SLIDE_HEIGHT}

#: What the focused element is, in words: tag, role, name and state.
FOCUSED_JS = """() => { const e = document.activeElement;
  return {tag: e.tagName, role: e.getAttribute('role'), text: e.textContent.trim(),
          valuetext: e.getAttribute('aria-valuetext'), pressed: e.getAttribute('aria-pressed'),
          slide: Reveal.getIndices().h}; }"""


def _demos() -> list[w.Widget]:
    from nbhelpers.widgets import convolution, kernel_editor, losses, pooling

    return [pooling.pooling_widget(), convolution.sliding_window_widget(),
            losses.loss_explorer_widget(),
            kernel_editor.kernel_editor_widget(image=torch.rand(40, 32), upload=True)]


def probe_notebook() -> nbformat.NotebookNode:
    """A title slide, then one slide per demo with its stored widget state."""
    demos = _demos()
    data = embed_data(views=demos)
    meta = {"slideshow": {"slide_type": "slide"}}
    cells = [new_markdown_cell("# Widget controls", metadata=meta)]
    for i, view in enumerate(data["view_specs"]):
        cells.append(new_code_cell(f"demo_{i}", metadata=meta, execution_count=i + 1, outputs=[
            new_output("display_data", data={VIEW: view, "text/plain": "LiveDemo"})]))
    nb = new_notebook(cells=cells)
    nb.metadata["widgets"] = {"application/vnd.jupyter.widget-state+json": data["manager_state"]}
    for demo in demos:
        demo.close()
    return nb


@pytest.fixture(scope="module")
def page(tmp_path_factory):
    from tools.chromium import missing

    reason = missing() or (None if shutil.which("npm") else "npm not found (static slides)")
    if reason:
        unavailable(reason)
    from playwright.sync_api import sync_playwright

    from tools import chromium

    folder = tmp_path_factory.mktemp("widgets_a11y")
    path = folder / "zz_widget_controls.ipynb"
    nbformat.write(probe_notebook(), path)
    (deck,) = export_slides.export([path], folder / "out")
    with sync_playwright() as p:
        browser = chromium.launch(p)
        page = browser.new_page(viewport=VIEWPORT)
        page.goto(f"{Path(deck).as_uri()}?widget-wait=30000")
        page.wait_for_function("window.widgetsSettled === true", timeout=60_000)
        assert page.evaluate("window.widgetsLabelled") is True
        yield page
        browser.close()


def _slide(page, index: int):
    page.evaluate(f"Reveal.slide({index})")
    page.wait_for_function(f"Reveal.getIndices().h === {index}")
    page.wait_for_timeout(300)  # reveal's transition
    return page.locator(".reveal .slides > section.present").last


def test_axe_finds_no_violation_on_any_slide(page) -> None:
    from tools.a11y import axe_violations, format_violations

    found = []
    for index in range(page.evaluate("Reveal.getTotalSlides()")):
        _slide(page, index)
        found += [f"slide {index}: {line}" for line in format_violations(
            axe_violations(page, preload=index == 0)).splitlines()]
    assert not found, "\n".join(found)


def test_the_check_fires_on_an_unnamed_icon_button(page) -> None:
    """The probe: Play's buttons as html-manager draws them (icon only), without the text
    PLAY_STYLE writes after each icon and the names and tooltips nn-widgets.js gives them, are
    a button-name violation."""
    from tools.a11y import axe_violations

    _slide(page, 2)
    page.evaluate("""() => { document.querySelector('section.present .widget-play')
                                 .classList.remove('nn-play');
                             document.querySelectorAll('section.present .widget-play button')
                     .forEach(b => { b.dataset.name = b.getAttribute('aria-label');
                                     b.removeAttribute('aria-label');
                                     b.removeAttribute('title'); }); }""")
    try:
        ids = {v["id"] for v in axe_violations(page, context=".reveal section.present .widget-play",
                                               preload=False)}
        assert "button-name" in ids, ids
    finally:
        page.evaluate("""() => { document.querySelector('section.present .widget-play')
                                     .classList.add('nn-play');
                                 document.querySelectorAll('section.present .widget-play button')
                         .forEach(b => { b.setAttribute('aria-label', b.dataset.name);
                                         b.setAttribute('title', b.dataset.name); }); }""")


def test_play_buttons_show_their_names_without_nn_widgets_js(page) -> None:
    """In JupyterLab, RISE and Colab nn-widgets.js does not run: there the buttons show the
    text PLAY_STYLE writes after each icon, which Chromium counts in their accessible names.
    (axe-core does not count CSS generated text: on a live deck it still reports Play's
    buttons under button-name, an ipywidgets 7 limit listed in the report.)"""
    slide = _slide(page, 2)
    page.evaluate("""() => document.querySelectorAll('section.present .widget-play button')
                     .forEach(b => { b.dataset.name = b.getAttribute('aria-label');
                                     b.removeAttribute('aria-label');
                                     b.removeAttribute('title'); })""")
    try:
        texts = slide.locator(".widget-play button").evaluate_all(
            "bs => bs.map(b => getComputedStyle(b, '::after').content)")
        assert texts == ['" play"', '" pause"', '" stop"', '" repeat"']
        tree = slide.locator(".widget-play").aria_snapshot()
        for name in ("play", "pause", "stop", "repeat"):
            assert f'button "{name}"' in tree, tree
    finally:
        page.evaluate("""() => document.querySelectorAll('section.present .widget-play button')
                         .forEach(b => { b.setAttribute('aria-label', b.dataset.name);
                                         b.setAttribute('title', b.dataset.name); })""")


def test_every_control_is_named_by_its_visible_label(page) -> None:
    expected = {
        1: ['slider "window size"', 'textbox "window size"', 'slider "stride"',
            'group "mode"', 'button "max" [pressed]', 'button "avg"'],
        2: ['button "play"', 'button "pause" [disabled]', 'button "stop"', 'button "repeat"',
            'slider "step"', 'slider "padding"', "play the steps:"],
        3: ['combobox "task"', 'slider "prediction"', 'group "target"', 'button "0.0" [pressed]'],
        4: ['combobox "preset"', 'group "size"', 'button "3" [pressed]',
            'button "upload photo (0)"', 'spinbutton "r1c1"', 'spinbutton "r3c3"',
            "kernel weights, row by row"],
    }
    for index, names in expected.items():
        tree = _slide(page, index).aria_snapshot()
        missing = [name for name in names if name not in tree]
        assert not missing, f"slide {index}: {missing} not in\n{tree}"
        assert 'slider ""' not in tree and "- slider\n" not in tree and "- button\n" not in tree
    # every slider handle has a value a screen reader reads: the readout's text
    handles = page.evaluate("""() => Array.from(document.querySelectorAll('.ui-slider-handle'))
        .map(h => [h.getAttribute('role'), h.getAttribute('aria-valuetext'),
                   h.getAttribute('aria-labelledby')])""")
    assert handles and all(role == "slider" and text and label for role, text, label in handles)


def test_keyboard_moves_sliders_and_presses_buttons_without_moving_the_deck(page) -> None:
    slide = _slide(page, 1)
    slide.locator(".ui-slider-handle").first.focus()
    start = page.evaluate(FOCUSED_JS)
    assert start["role"] == "slider" and start["valuetext"] == "2", start
    seen = []
    for key in ("ArrowRight", "End", "Home"):
        page.keyboard.press(key)
        seen.append(page.evaluate(FOCUSED_JS))
    assert [s["valuetext"] for s in seen] == ["3", "4", "1"], seen
    assert {s["slide"] for s in seen} == {1}, "a key on the slider moved the deck"
    # Tab: readout, next slider, its readout, then the toggle buttons
    order = []
    for _ in range(5):
        page.keyboard.press("Tab")
        order.append(page.evaluate(FOCUSED_JS))
    assert [o["role"] or o["tag"] for o in order] == [
        "textbox", "slider", "textbox", "BUTTON", "BUTTON"], order
    assert order[-1]["text"] == "avg" and order[-1]["pressed"] == "false"
    page.keyboard.press("Space")
    page.wait_for_function("document.activeElement.getAttribute('aria-pressed') === 'true'")
    pressed = page.evaluate(FOCUSED_JS)
    assert pressed["text"] == "avg" and pressed["slide"] == 1, pressed


def test_number_boxes_take_typed_values(page) -> None:
    slide = _slide(page, 4)
    slide.locator("select").first.focus()
    page.keyboard.press("ArrowDown")  # the next preset, the deck stays
    assert page.evaluate(FOCUSED_JS)["slide"] == 4
    box = slide.get_by_role("spinbutton", name="r2c2")
    box.focus()
    page.keyboard.press("Control+A")
    page.keyboard.type("2.5")
    page.keyboard.press("Tab")
    assert box.input_value() == "2.5"
    assert page.evaluate("document.activeElement.id") == \
        slide.get_by_role("spinbutton", name="r2c3").get_attribute("id")
