"""tools/a11y.py without a browser, and the text contrast of notebooks/rise.css.

* the WCAG tags, the axe-core pin (tools/slides/package.json and its lock), the clear error
  when axe is not installed, the failure message's format;
* the WCAG 2 contrast ratio (known values) and, computed with it, every colour pair that
  notebooks/rise.css sets (text on its background, white where the rule sets none) and every
  code colour of the decks (JupyterLab's light theme ``--jp-mirror-editor-*-color`` with the
  overrides of rise.css) on the code cell's background: at least 4.5:1 (WCAG 1.4.3, AA).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tools import a11y

ROOT = Path(__file__).resolve().parents[1]
RISE_CSS = ROOT / "notebooks" / "rise.css"
AA = 4.5
EDITOR_BACKGROUND = "#f5f5f5"  # JupyterLab light: --jp-cell-editor-background (md-grey-100)


def test_tags_are_wcag_20_21_22_a_and_aa() -> None:
    assert a11y.AXE_TAGS == ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa")


def test_axe_core_is_pinned_with_the_slides_packages() -> None:
    package = json.loads((ROOT / "tools" / "slides" / "package.json").read_text())
    lock = json.loads((ROOT / "tools" / "slides" / "package-lock.json").read_text())
    assert re.fullmatch(r"4\.14\.\d+", package["dependencies"]["axe-core"])
    assert lock["packages"]["node_modules/axe-core"]["version"] == \
        package["dependencies"]["axe-core"]
    assert lock["packages"][""]["dependencies"]["axe-core"] == package["dependencies"]["axe-core"]


def test_missing_axe_says_how_to_install_it(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="make slides"):
        a11y.axe_script(tmp_path)
    (tmp_path / "axe-core").mkdir()
    (tmp_path / "axe-core" / "axe.min.js").write_text("/* axe */")
    assert a11y.axe_script(tmp_path) == tmp_path / "axe-core" / "axe.min.js"


VIOLATIONS = [
    {"id": "image-alt", "impact": "critical", "help": "Images must have alternative text",
     "nodes": [{"target": ["#a > img"], "summary": "Fix any: no alt"},
               {"target": ["#b > img"], "summary": "Fix any: no alt"}]},
    {"id": "color-contrast", "impact": "serious", "help": "Contrast",
     "nodes": [{"target": [".footer"], "summary": "3.68 expected 4.5:1"}]},
]


def test_format_gives_one_line_per_rule_and_element() -> None:
    lines = a11y.format_violations(VIOLATIONS, where="slide 3.1").splitlines()
    assert lines == [
        "slide 3.1: image-alt (critical): Images must have alternative text | #a > img | "
        "Fix any: no alt",
        "slide 3.1: image-alt (critical): Images must have alternative text | #b > img | "
        "Fix any: no alt",
        "slide 3.1: color-contrast (serious): Contrast | .footer | 3.68 expected 4.5:1",
    ]
    assert a11y.format_violations([]) == ""
    assert a11y.count_by_rule(VIOLATIONS) == {"image-alt": 2, "color-contrast": 1}


def test_contrast_ratio_known_values() -> None:
    assert a11y.contrast_ratio("#000", "#fff") == pytest.approx(21)
    assert a11y.contrast_ratio("white", "white") == pytest.approx(1)
    assert a11y.contrast_ratio("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)
    assert a11y.contrast_ratio("#767676", "#ffffff") == pytest.approx(4.54, abs=0.01)
    # what axe measured in the decks before: the footer, reveal's slide number, prompts
    assert a11y.contrast_ratio("#7a8699", "#fff") == pytest.approx(3.68, abs=0.01)
    assert a11y.contrast_ratio("#fff", "rgba(0, 0, 0, 0.4)") == pytest.approx(2.84, abs=0.01)
    assert a11y.contrast_ratio("rgba(97, 97, 97, 0.5)", "#fff") == pytest.approx(2.16, abs=0.02)


def test_parse_colour_forms() -> None:
    assert a11y.parse_colour("#abc") == (170, 187, 204, 1.0)
    assert a11y.parse_colour("#aabbcc80")[3] == pytest.approx(128 / 255)
    assert a11y.parse_colour("rgb(1, 2, 3)") == (1, 2, 3, 1.0)
    assert a11y.parse_colour("rgba(1,2,3,0.5)") == (1, 2, 3, 0.5)
    with pytest.raises(ValueError):
        a11y.parse_colour("var(--x)")


# --------------------------------------------------------------------------- rise.css

def css_rules(text: str) -> list[tuple[str, dict[str, str]]]:
    """(selector, {property: value}) of each rule (comments removed, no nesting)."""
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    rules = []
    for selector, body in re.findall(r"([^{}]+)\{([^{}]*)\}", text):
        decls = {}
        for decl in body.split(";"):
            if ":" in decl:
                name, value = decl.split(":", 1)
                decls[name.strip()] = value.replace("!important", "").strip()
        rules.append((" ".join(selector.split()), decls))
    return rules


def colour_pairs(text: str) -> list[tuple[str, str, str]]:
    """(where, text colour, background) of every rule of ``text`` that sets a text colour."""
    pairs = []
    for selector, decls in css_rules(text):
        if "color" in decls:
            background = decls.get("background-color") or decls.get("background") or "#ffffff"
            pairs.append((selector, decls["color"], background))
    return pairs


def editor_colours(text: str) -> dict[str, str]:
    return {name: value for _, decls in css_rules(text) for name, value in decls.items()
            if re.fullmatch(r"--jp-mirror-editor-[\w-]+-color", name)}


def test_rise_css_text_has_aa_contrast() -> None:
    css = RISE_CSS.read_text(encoding="utf-8")
    pairs = colour_pairs(css)
    low = [f"{sel}: {fg} on {bg} is {a11y.contrast_ratio(fg, bg):.2f}:1"
           for sel, fg, bg in pairs if a11y.contrast_ratio(fg, bg) < AA]
    assert not low, "\n".join(low)
    assert len(pairs) >= 5, pairs  # text, headings, prompts, footer, slide number
    accent = re.search(r"--nn-accent:\s*([^;]+);", css)
    assert accent and a11y.contrast_ratio(accent[1], "#fff") >= AA


def test_deck_code_colours_have_aa_contrast() -> None:
    """JupyterLab's light theme (what nbconvert's lab/reveal templates inline) with the
    overrides of rise.css: every code token colour readable on the code cell's background."""
    theme = Path(a11y.__file__).parents[1] / ".venv" / "share" / "jupyter" / "nbconvert" / \
        "templates" / "lab" / "static" / "theme-light.css"
    if not theme.is_file():
        import nbconvert.exporters.templateexporter as te

        found = [Path(d) / "lab" / "static" / "theme-light.css" for d in
                 te.TemplateExporter().template_paths]
        found = [p for p in found if p.is_file()]
        if not found:
            pytest.skip("nbconvert's lab template (theme-light.css) not found")
        theme = found[0]
    theme_text = theme.read_text(encoding="utf-8")
    colours = editor_colours(theme_text)
    colours.update(editor_colours(RISE_CSS.read_text(encoding="utf-8")))
    palette = theme_text + "".join(p.read_text(encoding="utf-8")
                                   for p in theme.parent.glob("*.css") if p != theme)
    greys = dict(re.findall(r"(--md-grey-\d+):\s*([^;]+);", palette))
    assert len(colours) >= 20, sorted(colours)
    low = []
    for name, value in sorted(colours.items()):
        value = re.sub(r"var\((--md-grey-\d+)\)", lambda m: greys[m[1]], value)
        value = {"blue": "#0000ff"}.get(value, value)
        ratio = a11y.contrast_ratio(value, EDITOR_BACKGROUND)
        if ratio < AA:
            low.append(f"{name}: {value} on {EDITOR_BACKGROUND} is {ratio:.2f}:1")
    assert not low, "\n".join(low)


def test_the_contrast_check_fires() -> None:
    bad = ".reveal .x { color: #999; }\n.reveal .y { color: #fff; background-color: #aaa; }"
    pairs = colour_pairs(bad)
    assert [a11y.contrast_ratio(fg, bg) < AA for _, fg, bg in pairs] == [True, True]
    assert editor_colours(":root { --jp-mirror-editor-comment-color: #408080; }") == \
        {"--jp-mirror-editor-comment-color": "#408080"}
