"""axe-core (Deque's accessibility engine) in a Playwright page: the WCAG checks of the tests.

axe-core comes from the npm registry with the static slides' packages (tools/slides/
package.json, installed by ``make slides`` / tools/export_slides.py ``npm_install()`` into
build/slides-npm); it is never served to students, only injected by the tests into the page
they check, so the check runs offline.

* :data:`AXE_TAGS`: the rule sets run, WCAG 2.0, 2.1 and 2.2 at levels A and AA (axe's tags;
  axe has no rule tagged ``wcag22a``);
* :func:`axe_script`: the path of ``axe.min.js`` (a clear error when it is not installed);
* :func:`axe_violations`: run axe in a page (optionally on one part of it, a CSS selector) and
  return its violations as plain dicts: ``id``, ``impact``, ``help``, ``helpUrl`` and
  ``nodes`` (each with ``target``, the CSS path of the element, and ``summary``, axe's
  failure summary);
* :func:`format_violations`: one line per rule and element, for a failing test's message.

Rules that must stay off on one element (an upstream limit) are listed in :data:`EXCLUDE`
with the reason, never switched off for a whole page.
"""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NODE_MODULES = ROOT / "build" / "slides-npm" / "node_modules"  # export_slides.NPM_DIR's
AXE_TAGS = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa")

#: CSS selectors axe leaves out of every run, each for a documented reason (empty: none).
EXCLUDE: dict[str, str] = {}

# require.js (the widget renderer's loader, on the site and in the decks) must not see axe's
# bundled UMD wrappers: with ``define`` hidden, axe sets ``window.axe`` and nothing else.
_WRAP = "(function (define, module, exports) {\n%s\n}).call(window);"

_RUN_JS = """async ([context, tags, exclude, preload, selectors]) => {
  const include = context ? [context] : document;
  const where = exclude.length ? {include: context ? [[context]] : [['html']],
                                  exclude: exclude.map(s => [s])} : include;
  const result = await axe.run(where, {runOnly: {type: 'tag', values: tags},
                                      resultTypes: ['violations'], preload, selectors});
  return result.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
    nodes: v.nodes.map(n => ({target: (n.target || []).map(String), html: n.html.slice(0, 200),
                              summary: (n.failureSummary || '').replace(/\\s+/g, ' ').trim()})),
  }));
}"""


def axe_script(modules: Path = NODE_MODULES) -> Path:
    """``axe.min.js`` from the npm install of tools/slides/package.json."""
    script = modules / "axe-core" / "axe.min.js"
    if not script.is_file():
        raise FileNotFoundError(
            f"{script} not found: axe-core is installed with the static slides' npm packages; "
            "run `make slides` (or `python tools/export_slides.py`, which runs npm ci in "
            "build/slides-npm from tools/slides/package.json)")
    return script


def inject(page, script: Path | None = None) -> None:
    """Load axe into ``page`` once (a reload or navigation needs it again)."""
    if page.evaluate("() => typeof window.axe === 'object'"):
        return
    source = (script or axe_script()).read_text(encoding="utf-8")
    page.add_script_tag(content=_WRAP % source)
    if not page.evaluate("() => typeof window.axe === 'object'"):
        raise RuntimeError("axe-core did not load into the page")


def axe_violations(page, *, context: str | None = None, tags: tuple[str, ...] = AXE_TAGS,
                   preload: bool = True) -> list[dict]:
    """Run axe-core on ``page`` (a Playwright page), on the whole document or on the elements
    the CSS selector ``context`` matches, with the WCAG A/AA rules; return the violations.

    ``preload=False`` skips axe's reading of every style sheet (only css-orientation-lock
    needs it; a deck's slides share one document, checked once with it). A first run leaves
    out the elements' CSS paths (a third faster on a deck); only when it finds something is it
    run again for them.
    """
    inject(page)
    args = [context, list(tags), list(EXCLUDE), preload]
    violations = page.evaluate(_RUN_JS, [*args, False])
    return page.evaluate(_RUN_JS, [*args, True]) if violations else violations


#: The alt text nbconvert's HTML exporter writes on every image that has none: axe takes it as
#: alt text, a screen reader reads it out, it says nothing.
NBCONVERT_PLACEHOLDER = "No description has been provided for this image"
_PLACEHOLDER_JS = """([context, placeholder]) => {
  const root = context ? [...document.querySelectorAll(context)] : [document];
  const imgs = root.flatMap(r => [...r.querySelectorAll('img[alt]')]);
  const bad = imgs.filter(i => {
    const alt = i.getAttribute('alt').trim();
    return alt === placeholder || /^\\S+\\.(png|jpe?g|gif|svg|webp)$/i.test(alt);
  });
  return bad.map(i => ({target: [i.id ? '#' + i.id : (i.closest('[id]') ?
      '#' + i.closest('[id]').id + ' img' : 'img')], html: i.outerHTML.slice(0, 120),
      summary: 'alt is ' + JSON.stringify(i.getAttribute('alt').slice(0, 80))}));
}"""


def placeholder_alts(page, *, context: str | None = None) -> list[dict]:
    """Images whose alt text axe accepts but which says nothing: nbconvert's placeholder or a
    file name (Sphinx's default). As one violation-like dict (rule ``alt-text-placeholder``)."""
    nodes = page.evaluate(_PLACEHOLDER_JS, [context, NBCONVERT_PLACEHOLDER])
    return [{"id": "alt-text-placeholder", "impact": "critical",
             "help": "Images must have alt text that says what they show (WCAG 1.1.1), "
                     "not a placeholder or a file name", "nodes": nodes}] if nodes else []


def format_violations(violations: list[dict], *, where: str = "") -> str:
    """One line per rule and element: ``[where] rule (impact): help | target | summary``."""
    prefix = f"{where}: " if where else ""
    lines = []
    for v in violations:
        nodes = v.get("nodes") or [{}]
        for node in nodes:
            target = " ".join(node.get("target", [])) or "?"
            summary = node.get("summary", "")
            line = f"{prefix}{v['id']} ({v.get('impact') or 'n/a'}): {v.get('help', '')} | {target}"
            lines.append(f"{line} | {summary}" if summary else line)
    return "\n".join(lines)


def count_by_rule(violations: list[dict]) -> dict[str, int]:
    """Rule id -> number of elements that break it."""
    counts: dict[str, int] = {}
    for v in violations:
        counts[v["id"]] = counts.get(v["id"], 0) + len(v.get("nodes") or [{}])
    return counts


# --------------------------------------------------------------------------- colour contrast

def _channel(c: float) -> float:
    c /= 255
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def parse_colour(text: str) -> tuple[float, float, float, float]:
    """``#rgb``, ``#rrggbb``, ``#rrggbbaa``, ``rgb()``/``rgba()`` or a few names -> (r, g, b, a)
    with r, g, b in 0..255 and a in 0..1."""
    text = text.strip().lower()
    names = {"white": "#ffffff", "black": "#000000", "transparent": "#00000000"}
    text = names.get(text, text)
    if text.startswith("#"):
        h = text[1:]
        if len(h) in (3, 4):
            h = "".join(ch * 2 for ch in h)
        if len(h) not in (6, 8):
            raise ValueError(f"not a colour: {text!r}")
        r, g, b = (int(h[i:i + 2], 16) for i in (0, 2, 4))
        return r, g, b, (int(h[6:8], 16) / 255 if len(h) == 8 else 1.0)
    if text.startswith(("rgb(", "rgba(")):
        parts = [p.strip() for p in text[text.index("(") + 1:text.rindex(")")]
                 .replace("/", ",").split(",") if p.strip()]
        if len(parts) == 1:
            parts = parts[0].split()
        r, g, b = (float(p) for p in parts[:3])
        a = float(parts[3].rstrip("%")) / (100 if parts[3].endswith("%") else 1) \
            if len(parts) > 3 else 1.0
        return r, g, b, a
    raise ValueError(f"not a colour: {text!r}")


def blend(fg: tuple, bg: tuple) -> tuple[float, float, float, float]:
    """``fg`` (with its alpha) over an opaque ``bg``."""
    a = fg[3]
    return (*(a * f + (1 - a) * b for f, b in zip(fg[:3], bg[:3], strict=True)), 1.0)


def luminance(colour: str | tuple) -> float:
    """WCAG 2 relative luminance of an opaque colour."""
    r, g, b, _ = parse_colour(colour) if isinstance(colour, str) else colour
    return 0.2126 * _channel(r) + 0.7152 * _channel(g) + 0.0722 * _channel(b)


def contrast_ratio(fg: str | tuple, bg: str | tuple) -> float:
    """WCAG 2 contrast ratio (1..21) of text ``fg`` on ``bg`` (either may be translucent: ``bg``
    lies on a white page, ``fg`` on ``bg``)."""
    back = parse_colour(bg) if isinstance(bg, str) else bg
    back = blend(back, (255, 255, 255, 1.0))  # a translucent background over the white page
    front = parse_colour(fg) if isinstance(fg, str) else fg
    front = blend(front, back)
    hi, lo = sorted((luminance(front), luminance(back)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)
