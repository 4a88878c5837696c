from __future__ import annotations

import ipywidgets as w
import matplotlib.pyplot as plt
import pytest

from nbhelpers.widgets import live, slider


def test_live_redraws_on_change():
    calls = []

    def draw(a, b):
        calls.append((a, b))
        fig, ax = plt.subplots()
        ax.plot([a, b])
        return fig

    box = live(draw, {"a": slider("a", 0.0, -1, 1), "b": slider("b", 0.5, 0, 1)})
    assert isinstance(box, w.VBox) and calls == [(0.0, 0.5)]
    box.children[0].children[0].value = 0.3
    assert calls[-1] == (0.3, 0.5)
    assert repr(box).startswith("LiveDemo(controls: a, b)")


def test_live_needs_controls():
    with pytest.raises(ValueError, match="at least one control"):
        live(lambda: None, {})


def test_slider_rejects_value_outside_range():
    with pytest.raises(ValueError, match="outside"):
        slider("x", 5, 0, 1)
