"""The slides in a real browser: RISE in JupyterLab, and the static export.

Starts one JupyterLab (this environment's, on a free 127.0.0.1 port, no token) on a temporary
COPY of notebooks/ (opening a deck or running a cell in RISE saves the notebook), and one
headless Chromium (the Debian package, driven by Playwright; never `playwright install`).
For every notebook it opens ``/rise/<name>.ipynb`` at 1280×720 and checks

* the slides RISE builds (``section#slide-N-M``) are those the slide metadata implies;
* no slide overflows 1280×720, and nothing on it is cut off inside a scroll box;
* every stored figure decodes (``naturalWidth > 0``);
* the console never shows "Shared module ... doesn't exist in shared scope" (what
  ipywidgets 8 does inside jupyterlab-rise 0.43, see requirements.txt);
* in a notebook with widgets (cells tagged ``widget``), for its first widget: in the plain
  JupyterLab view (what students use) "Run All Above" the cell, run it, a real slider appears
  and dragging it changes the demo's output; then, on the RISE slide (same kernel: one session
  per notebook path), select the cell and press Shift+Enter as a lecturer does: again a real
  slider appears (``.widget-slider``) and dragging it changes the output.

Two notebooks generated here prove the checks both ways: ``zz_probe_widget`` (a live()
demo, like the lectures) passes, ``zz_probe_bad`` (a too tall slide, a too wide line, a
broken figure, a slider wired to nothing) is caught by each detector. Finally one static deck
from tools/export_slides.py is opened from disk: the arrow key moves to the next slide, a
stored widget renders, and no request leaves file://.

Screenshots (first slide and widget slide per notebook, and every failing slide) and console
logs go to test-artifacts/browser/. Without /usr/bin/chromium the tests skip, unless
NBHELPERS_REQUIRE_BROWSER=1 (CI), where they fail.
"""

from __future__ import annotations

import base64
import io
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output
from shared import unavailable

import tools.chromium
from nbhelpers.display import SLIDE_HEIGHT, SLIDE_WIDTH

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "test-artifacts" / "browser"
VIEWPORT = {"width": SLIDE_WIDTH, "height": SLIDE_HEIGHT}
SHARED_MODULE_ERROR = "doesn't exist in shared scope"
SHOW_FRAGMENTS = (".reveal .slides section .fragment "
                  "{opacity: 1 !important; visibility: visible !important;}")
TOLERANCE = 2  # px
WIDGET_TIMEOUT_S = 600  # the cells above a widget may train a model (08: MNIST)

PROBE_WIDGET = "zz_probe_widget.ipynb"
PROBE_BAD = "zz_probe_bad.ipynb"
LECTURES = sorted(p.name for p in (ROOT / "notebooks").glob("*.ipynb"))
DECKS = [*LECTURES, PROBE_WIDGET]

pytestmark = [pytest.mark.browser, pytest.mark.slow]


# --------------------------------------------------------------------------- notebooks


def slide_type(cell) -> str:
    return cell.get("metadata", {}).get("slideshow", {}).get("slide_type") or "-"


def expected_slide_ids(nb) -> list[str]:
    """The ``slide-N-M`` sections jupyterlab-rise 0.43 builds (its markupSlides()): the first
    cell with visible content opens slide 0-0; after it every slide cell opens a slide and
    every subslide cell a subslide; fragment, -, skip and notes cells open nothing."""
    ids, h, v, started = ["slide-0-0"], 0, 0, False
    for cell in nb.cells:
        kind = slide_type(cell)
        if not started:
            started = kind not in ("skip", "notes")
            continue
        if kind == "slide":
            h, v = h + 1, 0
        elif kind == "subslide":
            v += 1
        else:
            continue
        ids.append(f"slide-{h}-{v}")
    return ids


def widget_cells(nb, tag: str = "widget") -> list[int]:
    """Code cells tagged ``tag``: "widget" (a demo; its static figure comes before it) and
    "canvas" (a demo drawn on with the mouse; the others have sliders)."""
    return [
        i for i, c in enumerate(nb.cells)
        if c.cell_type == "code" and tag in c.get("metadata", {}).get("tags", [])
    ]


def slider_cells(nb) -> list[int]:
    return [i for i in widget_cells(nb) if i not in widget_cells(nb, "canvas")]


def stored_figures(nb) -> int:
    return sum(
        1 for c in nb.cells for o in c.get("outputs", [])
        if any(m.startswith("image/") for m in o.get("data", {}))
    )


def _png(value: float) -> str:
    from matplotlib.figure import Figure  # no pyplot: no global backend state

    fig = Figure(figsize=(6, 2.5), dpi=100)
    fig.subplots().plot([0, 1], [0, value])
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    return base64.b64encode(buf.getvalue()).decode()


def _cell(kind: str, source: str, slide: str, *, tags=(), outputs=(), count=None):
    meta = {"slideshow": {"slide_type": slide}}
    if tags:
        meta["tags"] = list(tags)
    if kind == "markdown":
        return new_markdown_cell(source, metadata=meta)
    return new_code_cell(source, metadata=meta, outputs=list(outputs), execution_count=count)


def _probe(cells: list) -> nbformat.NotebookNode:
    nb = new_notebook(cells=cells)
    nb.metadata = {
        "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
        "rise": {"theme": "simple", "transition": "none", "scroll": True, "center": False,
                 "slideNumber": True, "start_slideshow_at": "beginning",
                 "width": SLIDE_WIDTH, "height": SLIDE_HEIGHT},
    }
    return nb


def probe_widget_notebook() -> nbformat.NotebookNode:
    """A small deck like a lecture: static figure, then a live() demo tagged widget."""
    figure = new_output("display_data", data={"image/png": _png(1.0), "text/plain": "<Figure>"})
    return _probe([
        _cell("markdown", "# Widget probe\n\nGenerated by tests/test_browser.py", "slide"),
        _cell("code", "import matplotlib.pyplot as plt\nfrom nbhelpers.display import describe\n"
              "from nbhelpers.widgets import live, slider", "skip", count=1),
        _cell("markdown", "## A static figure first", "slide"),
        _cell("code", "def draw(a):\n    fig, ax = plt.subplots(figsize=(6, 2.5))\n"
              "    ax.plot([0, 1], [0, a]); ax.set_ylim(-3, 3); ax.set_title(f'a = {a:.2f}')\n"
              "    return describe(fig, f'A straight line from 0 at x = 0 to {a:.2f} at x = 1.')"
              "\n\nfig = draw(1.0)", "-", outputs=[figure], count=2),
        _cell("markdown", "### Then the live demo", "subslide"),
        _cell("code", 'live(draw, {"a": slider("a", 1.0, -2.0, 2.0, 0.1)})', "fragment",
              tags=["widget"], count=3),
        _cell("markdown", "Notes for the speaker.", "notes"),
        _cell("markdown", "## The end", "slide"),
    ])


BAD_SLIDES = {"slide-1-0": "too tall", "slide-2-0": "too wide"}


def probe_bad_notebook() -> nbformat.NotebookNode:
    """Each detector's failure: a too tall slide, a code line too wide for the slide, a
    figure that does not decode, and a slider whose moves change nothing."""
    broken = new_output("display_data", data={"image/png": base64.b64encode(
        b"\x89PNG\r\n\x1a\nnot really a png").decode(), "text/plain": "<Figure>"})
    tall = "\n".join(f"* line {i}" for i in range(40))
    return _probe([
        _cell("markdown", "# Bad probe", "slide"),
        _cell("code", "import ipywidgets as w", "skip", count=1),
        _cell("markdown", "## Too tall\n\n" + tall, "slide"),
        _cell("code", "x = " + " + ".join(["1"] * 150), "slide", count=2),
        _cell("code", "None  # stored: a figure that does not decode", "slide", outputs=[broken],
              count=3),
        _cell("code", "w.IntSlider(value=5, min=0, max=10)", "fragment", tags=["widget"],
              count=4),
    ])


# --------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def chromium() -> Path:
    reason = tools.chromium.missing()
    if reason:
        unavailable(reason)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return tools.chromium.CHROMIUM


@pytest.fixture(scope="module")
def browser(chromium: Path):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = tools.chromium.launch(p)
        try:
            yield b
        finally:
            b.close()


@pytest.fixture(scope="module")
def deck_dir(tmp_path_factory) -> Path:
    """A copy of notebooks/ (with rise.css) plus the two probe notebooks."""
    root = tmp_path_factory.mktemp("decks")
    shutil.copytree(ROOT / "notebooks", root, dirs_exist_ok=True,
                    ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    nbformat.write(probe_widget_notebook(), root / PROBE_WIDGET)
    nbformat.write(probe_bad_notebook(), root / PROBE_BAD)
    return root


def _die_with_parent() -> None:
    """In the server process (Linux): get SIGTERM when pytest dies, even when it is killed
    before the fixture's teardown, so that no server and kernels are left behind."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Server:
    url: str
    root: Path
    log: Path
    proc: subprocess.Popen = field(repr=False)

    def api(self, path: str, method: str = "GET"):
        req = urllib.request.Request(self.url + path, method=method)
        with urllib.request.urlopen(req, timeout=10) as r:
            body = r.read()
        return json.loads(body) if body else None

    def kernel_busy(self, name: str) -> bool:
        """Whether the kernel of notebook ``name`` is executing (e.g. redrawing a demo)."""
        for session in self.api("/api/sessions"):
            if session.get("path") == name:
                return session["kernel"].get("execution_state") != "idle"
        return False

    def wait_idle(self, name: str, *, quiet_s: float = 1.0, timeout_s: float = 60) -> None:
        """Until the kernel of ``name`` has been idle for ``quiet_s`` (its redraws are done)."""
        deadline, quiet_since = time.monotonic() + timeout_s, None
        while time.monotonic() < deadline:
            if self.kernel_busy(name):
                quiet_since = None
            elif quiet_since is None:
                quiet_since = time.monotonic()
            elif time.monotonic() - quiet_since >= quiet_s:
                return
            time.sleep(0.2)

    def shutdown_kernel_of(self, name: str) -> None:
        try:
            for session in self.api("/api/sessions"):
                if session.get("path") == name:
                    self.api(f"/api/sessions/{session['id']}", method="DELETE")
        except OSError:
            pass


@pytest.fixture(scope="module")
def server(chromium: Path, deck_dir: Path, tmp_path_factory):
    home = tmp_path_factory.mktemp("jupyter")
    port = _free_port()
    env = {
        **os.environ,  # keeps NBHELPERS_DATA (root conftest.py sets it) for the kernels
        "JUPYTER_CONFIG_DIR": str(home / "config"),  # no user config, settings or password
        "JUPYTER_DATA_DIR": str(home / "data"),  # kernels: this environment's only
        "JUPYTER_RUNTIME_DIR": str(home / "runtime"),
        "JUPYTERLAB_WORKSPACES_DIR": str(home / "workspaces"),
        "PYTHONUNBUFFERED": "1",
    }
    cmd = [
        sys.executable, "-m", "jupyterlab", "--no-browser", "--allow-root",
        "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}", "--ServerApp.port_retries=0",
        "--IdentityProvider.token=", "--ServerApp.password=",
        f"--ServerApp.root_dir={deck_dir}", "--LabApp.news_url=None",
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
        "--LabApp.extension_manager=readonly",
        "--LabApp.expose_app_in_browser=True",  # window.jupyterapp: Run All Above in Lab
    ]
    # no autosave: the Lab page and the RISE page share a notebook (and its kernel)
    settings = home / "config" / "lab" / "user-settings" / "@jupyterlab" / "docmanager-extension"
    settings.mkdir(parents=True)
    (settings / "plugin.jupyterlab-settings").write_text('{"autosave": false}')
    log = ARTIFACTS / "jupyter-server.log"
    with open(log, "w") as out:
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, env=env,
                                cwd=deck_dir, start_new_session=True,
                                preexec_fn=_die_with_parent)
    srv = Server(f"http://127.0.0.1:{port}", deck_dir, log, proc)
    try:
        deadline = time.monotonic() + 120
        while True:
            if proc.poll() is not None:
                pytest.fail(f"jupyter lab exited with {proc.returncode}:\n{log.read_text()[-3000:]}")
            try:
                srv.api("/api/status")
                break
            except OSError:
                if time.monotonic() > deadline:
                    pytest.fail(f"jupyter lab did not start in 120 s:\n{log.read_text()[-3000:]}")
                time.sleep(0.5)
        yield srv
    finally:
        proc.send_signal(signal.SIGTERM)  # the server shuts its kernels down
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)  # its own process group (start_new_session)
            proc.wait(10)


# --------------------------------------------------------------------------- a RISE deck


MEASURE_JS = """
([id, tol]) => {
  const section = document.getElementById(id);
  const W = window.innerWidth, H = window.innerHeight;
  const hidden = (el) => el.closest('aside.notes, .reveal-skip') !== null;
  const describe = (el) => {
    const r = el.getBoundingClientRect();
    const cls = (typeof el.className === 'string' ? el.className : '').split(' ')
      .filter(c => c).slice(0, 2).join('.');
    const text = (el.innerText || el.getAttribute('src') || '').trim().slice(0, 50);
    return `${el.tagName.toLowerCase()}${cls ? '.' + cls : ''} [${Math.round(r.left)},` +
      `${Math.round(r.top)} -> ${Math.round(r.right)},${Math.round(r.bottom)}] ${JSON.stringify(text)}`;
  };
  const out = [];
  for (const el of [section, ...section.querySelectorAll('*')]) {
    if (hidden(el)) continue;
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.height === 0) continue;
    const style = getComputedStyle(el);
    if (style.position === 'fixed' || style.display === 'none') continue;
    if (el !== section && (r.right > W + tol || r.bottom > H + tol || r.left < -tol || r.top < -tol)) {
      out.push(`outside ${W}x${H}: ` + describe(el));
    }
    const ox = style.overflowX, oy = style.overflowY;
    if (['auto', 'scroll', 'hidden'].includes(ox) && el.scrollWidth > el.clientWidth + tol) {
      out.push(`cut off (${el.scrollWidth - el.clientWidth}px wider than its box): ` + describe(el));
    }
    if (['auto', 'scroll', 'hidden'].includes(oy) && el.scrollHeight > el.clientHeight + tol) {
      out.push(`cut off (${el.scrollHeight - el.clientHeight}px taller than its box): ` + describe(el));
    }
  }
  return out;
}
"""

FIGURES_JS = """
() => Array.from(document.querySelectorAll('.jp-OutputArea-output img, .jp-RenderedMarkdown img'))
  .filter(img => !img.closest('.jupyter-widgets, .widget-output'))
  .filter(img => !/^https?:/.test(img.getAttribute('src') || '') || img.src.startsWith(location.origin))
  .map(img => ({ok: img.complete && img.naturalWidth > 0,
                cell: img.closest('.jp-Cell')?.getAttribute('data-windowed-list-index'),
                src: (img.getAttribute('src') || '').slice(0, 40)}))
"""

WIDGET_OUTPUT_JS = """
(sel) => {
  // what a demo draws: the text and figures in its Output widgets (not the controls)
  const cell = document.querySelector(sel);
  if (!cell) return null;
  return Array.from(cell.querySelectorAll('.widget-output')).map(o => o.innerText + '|' +
    Array.from(o.querySelectorAll('img')).map(im => im.src.length + ':' + im.src.slice(-64))
      .join(',')).join('||');
}
"""

READOUT_JS = """
(sel) => Array.from(document.querySelectorAll(`${sel} .widget-readout`))
  .map(r => r.innerText || r.value).join(',')
"""

@dataclass
class Deck:
    name: str
    nb: nbformat.NotebookNode
    page: object
    console: list[str]
    loaded_s: float
    ran_to: int = 0  # cells 0..ran_to-1 have run in the kernel (run_above_in_lab)

    def shot(self, label: str, *, fragments: bool = False) -> Path:
        """Screenshot to test-artifacts/; ``fragments``: with all fragments shown."""
        path = ARTIFACTS / f"{Path(self.name).stem}-{label}.png"
        style = self.page.add_style_tag(content=SHOW_FRAGMENTS) if fragments else None
        self.page.screenshot(path=str(path))
        if style:
            style.evaluate("(el) => el.remove()")
        return path

    def slide_ids(self) -> list[str]:
        return self.page.evaluate(
            "() => Array.from(document.querySelectorAll('.reveal .slides section[id^=\"slide-\"]'))"
            ".map(s => s.id)")

    def go(self, slide_id: str) -> None:
        """Show slide ``slide-H-V`` (via the URL hash, as a bookmark would). A busy browser
        can miss one hash change (seen once in a full run), so a missed one is repeated."""
        from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

        _, h, v = slide_id.split("-")
        for attempt in range(3):
            if attempt:  # leave the hash and come back: a fresh hashchange event
                self.page.evaluate("() => { location.hash = '#/'; }")
                self.page.wait_for_timeout(500)
            self.page.evaluate(f"() => {{ location.hash = '#/{h}/{v}'; }}")
            try:
                self.page.wait_for_selector(f"section#{slide_id}.present", state="attached",
                                            timeout=15_000)
                break
            except PlaywrightTimeoutError:
                if attempt == 2:
                    raise
        self.page.wait_for_timeout(150)  # RISE's setScrollingSlide and Reveal.sync

    def overflow(self, slide_id: str) -> list[str]:
        self.go(slide_id)
        return self.page.evaluate(MEASURE_JS, [slide_id, TOLERANCE])

    def figures(self) -> list[dict]:
        return self.page.evaluate(FIGURES_JS)

    def shared_module_errors(self) -> list[str]:
        return [m for m in self.console if SHARED_MODULE_ERROR in m]


def open_deck(browser, server: Server, name: str) -> Deck:
    context = browser.new_context(viewport=VIEWPORT)
    page = context.new_page()
    page.set_default_timeout(60_000)
    console: list[str] = []
    page.on("console", lambda m: console.append(f"{m.type}: {m.text}"))
    page.on("pageerror", lambda e: console.append(f"pageerror: {e}"))
    start = time.monotonic()
    page.goto(f"{server.url}/rise/{name}")
    page.wait_for_selector(".reveal.ready .slides section[id^='slide-']", timeout=90_000)
    # stored figures decoded, then RISE's own delayed Reveal.sync()
    page.wait_for_function(
        "() => Array.from(document.querySelectorAll('.jp-OutputArea-output img'))"
        ".every(img => img.complete)", timeout=30_000)
    page.wait_for_timeout(800)
    nb = nbformat.read(server.root / name, as_version=4)
    return Deck(name, nb, page, console, time.monotonic() - start)


def close_deck(deck: Deck, server: Server) -> None:
    (ARTIFACTS / f"{Path(deck.name).stem}-console.log").write_text("\n".join(deck.console))
    deck.page.context.close()
    server.shutdown_kernel_of(deck.name)


def rise_cell(index: int) -> str:
    return f'.jp-Cell[data-windowed-list-index="{index}"]'


def lab_page(deck: Deck, server: Server):
    """The notebook of ``deck`` open in plain JupyterLab (a new tab, no tabs restored)."""
    page = deck.page.context.new_page()
    page.set_default_timeout(60_000)
    page.on("console", lambda m: deck.console.append(f"lab {m.type}: {m.text}"))
    page.goto(f"{server.url}/lab/tree/{deck.name}?reset")
    find = "Array.from(jupyterapp.shell.widgets('main')).find(w => w.context?.path === name)"
    page.wait_for_function(f"(name) => window.jupyterapp && {find}?.content?.widgets?.length",
                           arg=deck.name, timeout=90_000)
    return page


def run_above_in_lab(deck: Deck, page, index: int, *, then_run: bool) -> None:
    """Run the cells above ``index`` in JupyterLab: all of them ("Run All Above") the first
    time, only those not yet run (``deck.ran_to`` on) later; with ``then_run`` the cell
    ``index`` too, marked ``#nn-widget-cell``. The kernel is the RISE deck's (one session per
    notebook path)."""
    start = deck.ran_to
    result = page.evaluate(
        """async ([name, start, i, run, timeout]) => {
          const panel = Array.from(jupyterapp.shell.widgets('main'))
            .find(w => w.context?.path === name);
          await panel.context.ready;
          await panel.sessionContext.ready;
          const nb = panel.content;
          let done;
          if (start === 0) {
            nb.activeCellIndex = i;
            done = jupyterapp.commands.execute('notebook:run-all-above');
          } else if (start < i) {
            nb.activeCellIndex = start;
            nb.extendContiguousSelectionTo(i - 1);
            done = jupyterapp.commands.execute('notebook:run-cell');
          }
          const late = new Promise(r => setTimeout(() => r('timeout'), timeout));
          if (done && await Promise.race([done, late]) === 'timeout') return 'timeout';
          for (let j = 0; j < i; j++) {
            for (const o of nb.model.cells.get(j).toJSON().outputs || []) {
              if (o.output_type === 'error') return `cell ${j} raised ${o.ename}: ${o.evalue}`;
            }
          }
          if (run) {
            nb.activeCellIndex = i;
            await jupyterapp.commands.execute('notebook:run-cell');
            await nb.scrollToItem(i, 'start');
            nb.widgets[i].node.id = 'nn-widget-cell';
          }
          return 'ok';
        }""", [deck.name, start, index, then_run, WIDGET_TIMEOUT_S * 1000])
    assert result == "ok", f"{deck.name}: run cells {start}..{index - 1} in JupyterLab: {result}"
    deck.ran_to = index + then_run


def prepare_in_lab(deck: Deck, server: Server, index: int) -> Drag:
    """Open the notebook in plain JupyterLab (as students do), "Run All Above" the widget
    cell there, then run the widget cell itself and drag its slider. The kernel is the one of
    the RISE deck (JupyterLab keeps one session per notebook path), so RISE can then run the
    widget cell live."""
    page = lab_page(deck, server)
    try:
        run_above_in_lab(deck, page, index, then_run=True)
        cell = "#nn-widget-cell"
        page.locator(f"{cell} .widget-slider").first.wait_for(state="attached", timeout=30_000)
        page.locator(f"{cell} .widget-slider").first.scroll_into_view_if_needed()
        drag = drag_slider(page, cell, lambda: server.wait_idle(deck.name))
        page.screenshot(path=str(ARTIFACTS / f"{Path(deck.name).stem}-widget-lab.png"))
        return drag
    finally:
        page.close()


def run_cell_in_rise(deck: Deck, index: int, *, live: str = ".widget-slider") -> None:
    """Go to the cell's slide, click the cell and run it with Ctrl+Enter, as a lecturer does;
    wait for a live control (CSS selector ``live``: a slider, a canvas) in its output. (Shift+Enter also runs it, but then selects the next
    cell, and RISE follows the selection: on a slide's last cell that is the next slide.)"""
    page, cell = deck.page, rise_cell(index)
    # all fragments shown, as after pressing Space through the slide (a cell in a hidden
    # fragment cannot take the keyboard focus)
    page.add_style_tag(content=SHOW_FRAGMENTS)
    slide = page.evaluate(
        "(sel) => document.querySelector(sel).closest('section[id^=\"slide-\"]').id", cell)
    deck.go(slide)
    assert page.locator(f"{cell} {live}").count() == 0, f"a {live} before running?"
    page.locator(f"{cell} .jp-InputPrompt").click()
    active = page.evaluate(
        "() => document.querySelector('.jp-Cell.jp-mod-active')?.getAttribute('data-windowed-list-index')")
    assert active == str(index), f"{deck.name}: clicking cell {index} in RISE selected {active}"
    page.keyboard.press("Control+Enter")
    found = page.wait_for_function(
        """([sel, live]) => {
          if (document.querySelector(`${sel} ${live}`)) return 'live';
          const err = document.querySelector(
            `${sel} .jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]`);
          return err && /Error|Traceback/.test(err.innerText) ? err.innerText.slice(-500) : false;
        }""", arg=[cell, live], timeout=60_000, polling=250).json_value()
    assert found == "live", f"{deck.name}: cell {index} run live in RISE shows no {live}: {found}"
    present = page.evaluate("() => document.querySelector('section[id^=\"slide-\"].present')?.id")
    assert present == slide, f"{deck.name}: running cell {index} left its slide {slide} for {present}"


@dataclass
class Drag:
    output_before: str
    output_after: str
    readout_before: str
    readout_after: str

    @property
    def moved(self) -> bool:
        return self.readout_after != self.readout_before

    @property
    def changed(self) -> bool:
        return self.output_after != self.output_before


def drag_slider(page, cell: str, settle) -> Drag:
    """Drag the first slider in ``cell`` (a CSS selector) across its track; return what the
    demo showed (its Output widgets) and the slider's readout, before and after.
    ``settle()`` waits until the kernel has drawn everything it was asked to."""
    settle()  # the first draw
    page.wait_for_timeout(300)
    before, readout = page.evaluate(WIDGET_OUTPUT_JS, cell), page.evaluate(READOUT_JS, cell)
    handle = page.locator(f"{cell} .ui-slider-handle, {cell} .noUi-handle").first
    track = page.locator(f"{cell} .ui-slider, {cell} .noUi-target").first
    h, t = handle.bounding_box(), track.bounding_box()
    assert h and t, f"slider handle or track of {cell} not visible"
    assert 0 <= h["y"] <= VIEWPORT["height"] - h["height"], f"slider of {cell} is off screen: {h}"
    y = h["y"] + h["height"] / 2
    x0 = h["x"] + h["width"] / 2
    x1 = t["x"] + t["width"] * (0.85 if x0 < t["x"] + t["width"] / 2 else 0.15)
    page.mouse.move(x0, y)
    page.mouse.down()
    page.mouse.move(x1, y, steps=5)
    page.mouse.up()
    page.wait_for_timeout(500)  # the comm messages reach the kernel
    settle()
    page.wait_for_timeout(500)  # the last output reaches the page
    return Drag(before, page.evaluate(WIDGET_OUTPUT_JS, cell), readout,
                page.evaluate(READOUT_JS, cell))


# --------------------------------------------------------------------------- RISE tests


# Under pytest-xdist (make test) each deck is a work unit of its own (conftest.py work_unit).
@pytest.fixture(scope="module", params=DECKS)
def deck(request, browser, server):
    d = open_deck(browser, server, request.param)
    d.shot("first")
    try:
        yield d
    finally:
        close_deck(d, server)


def test_rise_slides(deck: Deck) -> None:
    """Slide count, 1280×720 fit, figures and console of one deck (stored outputs)."""
    problems = []
    ids, expected = deck.slide_ids(), expected_slide_ids(deck.nb)
    if ids != expected:
        problems.append(f"RISE built {len(ids)} slides {ids}, the metadata implies "
                        f"{len(expected)} {expected}")
    for slide_id in ids:
        found = deck.overflow(slide_id)
        if found:
            deck.shot(f"overflow-{slide_id}", fragments=True)
            problems.append(f"{slide_id} does not fit {SLIDE_WIDTH}x{SLIDE_HEIGHT}:\n    "
                            + "\n    ".join(found[:5]))
    figures = deck.figures()
    broken = [f for f in figures if not f["ok"]]
    if broken:
        problems.append(f"figures that do not render: {broken}")
    if len(figures) < stored_figures(deck.nb):
        problems.append(f"{len(figures)} figures on the slides, the notebook stores "
                        f"{stored_figures(deck.nb)}")
    problems += [f"console: {m[:300]}" for m in deck.shared_module_errors()]
    assert not problems, f"{deck.name} in RISE ({deck.loaded_s:.0f} s to load):\n" + \
        "\n".join(problems)


def test_widget_runs_live_in_lab_and_rise(deck: Deck, server: Server) -> None:
    """The first widget of a notebook works in plain JupyterLab (students) and, run live with
    Shift+Enter, in the RISE slideshow (lecturers): a real slider appears and dragging it
    changes what the demo shows."""
    cells = slider_cells(deck.nb)
    if not cells:
        pytest.skip(f"{deck.name} has no cell tagged 'widget' (but not 'canvas')")
    index = cells[0]
    lab = prepare_in_lab(deck, server, index)
    assert lab.moved and lab.changed, f"{deck.name} in JupyterLab: slider drag {lab}"
    run_cell_in_rise(deck, index)
    rise = drag_slider(deck.page, rise_cell(index), lambda: server.wait_idle(deck.name))
    deck.shot("widget")
    assert rise.moved, f"{deck.name}: dragging did not move the slider in RISE: {rise}"
    assert rise.changed, f"{deck.name}: moving the slider in RISE changed nothing: {rise}"
    assert not deck.shared_module_errors(), deck.shared_module_errors()


READING_JS = """
(sel) => Array.from(document.querySelectorAll(`${sel} .widget-html-content`))
  .map(h => h.innerText).join(' | ')
"""


def draw_stroke(page, canvas, points: list[tuple[float, float]]) -> None:
    """Press the mouse at the first point (fractions of the canvas box), move through the
    others, release: one stroke."""
    box = canvas.bounding_box()
    assert box and box["y"] >= 0 and box["y"] + box["height"] <= VIEWPORT["height"], \
        f"the canvas is not on screen: {box}"
    at = [(box["x"] + fx * box["width"], box["y"] + fy * box["height"]) for fx, fy in points]
    page.mouse.move(*at[0])
    page.mouse.down()
    for (x0, y0), (x1, y1) in zip(at, at[1:], strict=False):
        page.mouse.move(x1, y1, steps=max(2, int(abs(x1 - x0) + abs(y1 - y0)) // 12))
    page.mouse.up()


def test_draw_a_digit_live_in_rise(deck: Deck, server: Server) -> None:
    """A canvas demo (cell tagged 'canvas'), run live on its RISE slide: a stroke drawn with
    the mouse gives a reading, and a second stroke changes it."""
    cells = widget_cells(deck.nb, "canvas")
    if not cells:
        pytest.skip(f"{deck.name} has no cell tagged 'canvas'")
    index = cells[0]
    page = lab_page(deck, server)
    try:
        run_above_in_lab(deck, page, index, then_run=False)
    finally:
        page.close()
    run_cell_in_rise(deck, index, live="canvas")
    page, cell = deck.page, rise_cell(index)
    canvas = page.locator(f"{cell} canvas").first
    server.wait_idle(deck.name)
    before = page.evaluate(READING_JS, cell)
    draw_stroke(page, canvas, [(0.5, 0.15), (0.47, 0.5), (0.45, 0.85)])       # a 1
    first = page.wait_for_function(
        "([sel, before]) => { const t = Array.from(document.querySelectorAll("
        "`${sel} .widget-html-content`)).map(h => h.innerText).join(' | ');"
        " return t !== before && /read as/.test(t) ? t : false; }",
        arg=[cell, before], timeout=30_000).json_value()
    server.wait_idle(deck.name)
    assert "1 stroke" in first, first
    draw_stroke(page, canvas, [(0.2, 0.15), (0.8, 0.15)])                     # its bar: a 7?
    second = page.wait_for_function(
        "([sel, first]) => { const t = Array.from(document.querySelectorAll("
        "`${sel} .widget-html-content`)).map(h => h.innerText).join(' | ');"
        " return t !== first && /2 strokes/.test(t) ? t : false; }",
        arg=[cell, first], timeout=30_000).json_value()
    server.wait_idle(deck.name)
    assert page.locator(f"{cell} .widget-output img").count() >= 1, "no reading figure"
    deck.shot("canvas")
    assert second != first and "read as" in second, (first, second)
    assert not deck.shared_module_errors(), deck.shared_module_errors()


# --------------------------------------------------------------------------- the detectors fail


@pytest.fixture(scope="module")
def bad_deck(browser, server):
    d = open_deck(browser, server, PROBE_BAD)
    try:
        yield d
    finally:
        close_deck(d, server)


def test_overflow_detector_flags_tall_and_wide_slides(bad_deck: Deck) -> None:
    flagged = {sid: bad_deck.overflow(sid) for sid in bad_deck.slide_ids()}
    assert {sid for sid, found in flagged.items() if found} == set(BAD_SLIDES), flagged
    outside = f"outside {SLIDE_WIDTH}x{SLIDE_HEIGHT}"
    assert any(outside in m for m in flagged["slide-1-0"]), flagged["slide-1-0"]
    assert any("wider than its box" in m for m in flagged["slide-2-0"]), flagged["slide-2-0"]


def test_figure_detector_flags_a_broken_figure(bad_deck: Deck) -> None:
    figures = bad_deck.figures()
    assert [f["ok"] for f in figures] == [False], figures


def test_slide_count_check_sees_a_changed_slide_type(bad_deck: Deck) -> None:
    assert bad_deck.slide_ids() == expected_slide_ids(bad_deck.nb)
    changed = bad_deck.nb.copy()
    changed.cells = [c.copy() for c in bad_deck.nb.cells]
    changed.cells[3] = _cell("code", "x", "fragment")
    assert bad_deck.slide_ids() != expected_slide_ids(changed)


def test_widget_check_flags_a_slider_that_changes_nothing(bad_deck: Deck, server) -> None:
    (index,) = widget_cells(bad_deck.nb)
    lab = prepare_in_lab(bad_deck, server, index)
    run_cell_in_rise(bad_deck, index)
    rise = drag_slider(bad_deck.page, rise_cell(index), lambda: server.wait_idle(bad_deck.name))
    for drag in (lab, rise):
        assert drag.moved and not drag.changed, drag  # the slider moved, the check sees no change


def test_shared_module_error_is_recognised() -> None:
    line = ("error: Error: Shared module @jupyterlab/console doesn't exist in shared scope "
            "default")
    deck = Deck("x.ipynb", new_notebook(), None, [line], 0.0)
    assert deck.shared_module_errors() == [line]


# --------------------------------------------------------------------------- static export


def test_static_slides_offline(browser, deck_dir: Path, tmp_path: Path) -> None:
    """tools/export_slides.py output opened from disk: arrow keys move between slides, the
    stored widget renders with the local html-manager, and nothing is requested from the
    network."""
    if shutil.which("npm") is None:
        unavailable("npm not found: tools/export_slides.py needs it to fetch reveal.js")
    from nbclient import NotebookClient

    executed = tmp_path / PROBE_WIDGET  # a deck with stored widget state, as lectures have
    nb = probe_widget_notebook()
    NotebookClient(nb, timeout=120, kernel_name="python3",
                   resources={"metadata": {"path": str(deck_dir)}}).execute()
    nbformat.write(nb, executed)
    out = tmp_path / "slides"
    run = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "export_slides.py"), "--out", str(out),
         str(ROOT / "notebooks" / LECTURES[0]), str(executed)],
        capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-3000:]

    for name in (LECTURES[0], PROBE_WIDGET):
        html = out / f"{Path(name).stem}.slides.html"
        context = browser.new_context(viewport=VIEWPORT)
        page = context.new_page()
        requests: list = []
        failed: list = []
        page.on("request", lambda r, bucket=requests: bucket.append(r))
        page.on("requestfailed", lambda r, bucket=failed: bucket.append(r))
        try:
            page.goto(html.as_uri())
            page.wait_for_function("() => window.Reveal && Reveal.isReady()", timeout=30_000)
            first = page.evaluate("() => Reveal.getIndices()")
            page.keyboard.press("ArrowRight")
            page.wait_for_function(
                "(h) => Reveal.getIndices().h !== h", arg=first["h"], timeout=5_000)
            second = page.evaluate("() => Reveal.getIndices()")
            assert (second["h"], second["v"]) != (first["h"], first["v"])
            source = executed if name == PROBE_WIDGET else ROOT / "notebooks" / name
            expected = expected_slide_ids(nbformat.read(source, as_version=4))
            assert page.evaluate("() => Reveal.getTotalSlides()") == len(expected)
            page.wait_for_timeout(500)
            page.screenshot(path=str(ARTIFACTS / f"static-{Path(name).stem}.png"))
            if name == PROBE_WIDGET:  # its stored widget state renders as a real slider
                page.wait_for_selector(".widget-slider", state="attached", timeout=20_000)
                page.evaluate("""() => {
                  const at = Reveal.getIndices(document.querySelector('.widget-slider')
                    .closest('section'));
                  Reveal.slide(at.h, at.v, 99);  // all its fragments shown
                }""")
                page.wait_for_selector(".widget-slider", state="visible", timeout=5_000)
                page.screenshot(path=str(ARTIFACTS / f"static-{Path(name).stem}-widget.png"))
        finally:
            context.close()
        offsite = [r.url for r in requests if not r.url.startswith(("file:", "data:", "blob:"))]
        assert not offsite, f"{html.name} fetched from the network: {offsite}"
        assert not failed, f"{html.name}: failed: {[(r.url, r.failure) for r in failed]}"
