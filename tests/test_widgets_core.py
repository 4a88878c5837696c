from __future__ import annotations

import importlib
import inspect
import pkgutil

import ipywidgets as w
import matplotlib as mpl
import matplotlib.pyplot as plt
import pytest

import nbhelpers.widgets
from nbhelpers.display import describe
from nbhelpers.widgets import listing, live, num, show, slider


def test_live_redraws_on_change():
    calls = []

    def draw(a, b):
        calls.append((a, b))
        fig, ax = plt.subplots()
        ax.plot([a, b])
        return describe(fig, f"a line from {a} to {b} on one axis")

    box = live(draw, {"a": slider("a", 0.0, -1, 1), "b": slider("b", 0.5, 0, 1)})
    assert isinstance(box, w.VBox) and calls == [(0.0, 0.5)]
    box.children[0].children[0].value = 0.3
    assert calls[-1] == (0.3, 0.5)
    assert repr(box).startswith("LiveDemo(controls: a, b)")
    out = box.children[-1]
    assert len(out.outputs) == 1 and "image/png" in out.outputs[0]["data"]
    assert out.outputs[0]["data"]["text/plain"] == "a line from 0.3 to 0.5 on one axis"
    assert out.outputs[0]["metadata"] == {"image/png": {"alt": "a line from 0.3 to 0.5 on one axis"}}
    assert 'alt="a line from 0.3 to 0.5 on one axis"' in out.outputs[0]["data"]["text/html"]
    assert not plt.get_fignums(), "figures must be closed after drawing"


def test_live_prints_strings():
    box = live(lambda n: f"n = {n}", {"n": slider("n", 1.0, 0, 2)})
    assert box.children[-1].outputs[0]["text"] == "n = 1.0\n"


def test_live_needs_controls():
    with pytest.raises(ValueError, match="at least one control"):
        live(lambda: None, {})


def test_slider_rejects_value_outside_range():
    with pytest.raises(ValueError, match="outside"):
        slider("x", 5, 0, 1)


def test_show_replaces_the_output_in_one_step():
    out = w.Output()
    fig, ax = plt.subplots()
    with pytest.raises(ValueError, match="alt text"):
        show(out, fig)
    show(out, describe(fig, "an empty axis with nothing drawn on it"))
    assert len(out.outputs) == 1 and "image/png" in out.outputs[0]["data"]
    assert not plt.get_fignums(), "show() closes the figure"
    show(out, "done")
    assert out.outputs == ({"output_type": "stream", "name": "stdout", "text": "done\n"},)
    with pytest.raises(TypeError, match="Figure or a str"):
        show(out, 42)


def _figure_functions():
    for info in pkgutil.iter_modules(nbhelpers.widgets.__path__):
        module = importlib.import_module(f"nbhelpers.widgets.{info.name}")
        for name, fn in inspect.getmembers(module, inspect.isfunction):
            if name.endswith("_figure") and fn.__module__ == module.__name__:
                yield f"{info.name}.{name}", fn


def test_every_widget_figure_gets_the_slide_style():
    found = dict(_figure_functions())
    assert len(found) > 20, sorted(found)
    plain = [name for name, fn in found.items() if not hasattr(fn, "__wrapped__")]
    assert plain == [], f"decorate these with nbhelpers.display.slide_figure: {plain}"


def test_widget_figures_do_not_depend_on_global_style():
    from nbhelpers.widgets.activations import vanishing_figure

    with mpl.rc_context({"font.size": 5.0, "lines.linewidth": 0.3}):
        fig = vanishing_figure(depth=3)
    assert fig.axes[0].title.get_fontsize() == 14
    assert fig.axes[0].lines[0].get_linewidth() == 2.5
    plt.close(fig)


@pytest.mark.parametrize(("value", "text"), [
    (0.378, "0.38"), (2.0, "2"), (-3.0, "-3"), (1000.0, "1000"), (1.2345e-10, "1.2e-10"),
    (-0.0, "0"), (1e-320, "0"), (float("nan"), "undefined"), (float("inf"), "infinite"),
    (0.30000000000000004, "0.3"),
])
def test_num_rounds_for_alt_text(value, text):
    assert num(value) == text


def test_listing():
    assert listing([1]) == "1"
    assert listing(["a", "b"]) == "a and b"
    assert listing(range(3)) == "0, 1 and 2"
