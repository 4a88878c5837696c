"""The PDF handouts (tools/handouts.py, ``make handouts``) of every lecture.

For each lecture, from the session's ``handouts_dir`` (all lectures, built once):

* ``<stem>.pdf`` has one 1280x720 page (960x540 pt) per slide, counted from the slide
  metadata as reveal does (``expected_slide_ids`` of tests/test_browser.py); ``<stem>-notes.pdf``
  has, in addition, one page after each slide with speaker notes (reveal's
  ``showNotes=separate-page``); both are the student's edition (no worked answer, no verdict:
  the blanked answer cells print instead), and ``<stem>-lecturer.pdf``, laid out as the notes
  PDF, is the lecturer's edition with the worked answers and their verdicts;
* the first, a middle and the last page of each PDF render (pdftoppm) and are not blank;
* nothing reaches the page edges: a band along the bottom, left and right edges is background
  on every slide page (the footer and the slide number stay inside it; headings start at the
  top, so that edge is not checked).

The pixels only catch what is cut at the left or right edge: Chromium's print layout does not
cut a line of text (or a list, a figure) at the bottom of a page, it moves it to the next page,
which reveal's ``.pdf-page`` hides. So the tool itself measures every slide in the page before
printing (tools/handouts.py), and a generated probe notebook proves that check both ways: its
too tall slide, too wide code line, too wide text, text cut off by a small box, notes longer
than a page, figure from the network and broken figure are each reported by slide number and
cell id (exit 1), the network request is refused, and its good slides pass; on its pages the
pixel check sees the too wide ones and, as described, not the too tall one.
The first page of one handout is kept as test-artifacts/publish/handout-first-page.png.

Accessibility (issue 26): every handout is a tagged PDF (pdfinfo "Tagged: yes") titled by the
lecture's first heading and the kind of handout (not a file name), with /Lang (en) in its
catalog, and its structure tree holds every slide's headings (not only the first slide's:
reveal's aria-hidden slides). The probe proves the rest: its figure's alt text is the /Alt of
the PDF's figure element; a private-use character (no font has it, as ✅ had none here) is
reported by slide, code point and fix, and no other character is; its code cell run as
number 128 prints "In [128]:" whole, and a box too narrow for its text (an ellipsis) is
reported.
"""

from __future__ import annotations

import base64
import io
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import numpy as np
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output
from PIL import Image
from test_browser import expected_slide_ids, slide_type

from nbhelpers.display import SLIDE_HEIGHT, SLIDE_WIDTH
from tools.export_slides import lecture_title
from tools.handouts import handout_names, handout_titles, without_font

ROOT = Path(__file__).resolve().parents[1]
PUBLISH = ROOT / "test-artifacts" / "publish"
LECTURES = sorted((ROOT / "notebooks").glob("*.ipynb"))
EXERCISES = [p for p in LECTURES if not p.name.startswith("00_")]
RENDER = (SLIDE_WIDTH // 2, SLIDE_HEIGHT // 2)
POINTS = f"{SLIDE_WIDTH * 3 // 4} x {SLIDE_HEIGHT * 3 // 4} pts"  # a page: px at 96 -> pt at 72 dpi
EDGE = 3  # px of the render: 6 px of the page along the bottom, left and right edges
INK = 40  # grey levels away from white

# one xdist worker runs both files: one handouts + site build (conftest.py work_unit)
pytestmark = [pytest.mark.browser, pytest.mark.slow]


def notes_per_slide(nb) -> list[bool]:
    """For each slide of ``expected_slide_ids(nb)``: whether a notes cell belongs to it."""
    notes, started = [False], False
    for cell in nb.cells:
        kind = slide_type(cell)
        if started and kind in ("slide", "subslide"):
            notes.append(False)
        started = started or kind not in ("skip", "notes")
        if kind == "notes":
            notes[-1] = True
    return notes


def pdf_pages(pdf: Path) -> tuple[int, str]:
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True)
    fields = dict(line.split(":", 1) for line in info.stdout.splitlines() if ":" in line)
    return int(fields["Pages"]), fields["Page size"].strip()


def pdf_info(pdf: Path) -> dict[str, str]:
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True)
    return {k: v.strip() for k, v in (line.split(":", 1) for line in info.stdout.splitlines()
                                      if ":" in line)}


def pdf_language(pdf: Path) -> str | None:
    """The catalog's /Lang (Chromium's Skia writes the catalog as a plain object)."""
    catalog = re.search(rb"<<\s*/Type\s*/Catalog\b.*?endobj", pdf.read_bytes(), re.DOTALL)
    assert catalog, f"{pdf.name}: no plain /Catalog object (in an object stream?)"
    lang = re.search(rb"/Lang\s*\(([^)]*)\)", catalog.group(0))
    return lang.group(1).decode("latin-1") if lang else None


def pdf_alt_texts(pdf: Path) -> list[str]:
    """The /Alt entries of the structure tree (literal strings, or UTF-16 hex strings)."""
    data = pdf.read_bytes()
    texts = [re.sub(rb"\\(.)", rb"\1", m).decode("latin-1")
             for m in re.findall(rb"/Alt\s*\(((?:[^()\\]|\\.)*)\)", data)]
    texts += [bytes.fromhex(h.decode())[2:].decode("utf-16-be")
              for h in re.findall(rb"/Alt\s*<FEFF([0-9A-Fa-f\s]*)>", data)]
    return texts


def pdf_headings(pdf: Path) -> int:
    """How many heading elements (/H1 ... /H6) the PDF's structure tree holds."""
    return len(re.findall(rb"/S\s*/H[1-6]\b", pdf.read_bytes()))


def slide_headings(nb) -> int:
    """How many Markdown headings the slides print (not in skipped cells, notes, code)."""
    count = 0
    for cell in nb.cells:
        if cell.cell_type == "markdown" and slide_type(cell) not in ("skip", "notes"):
            text = re.sub(r"^(```|~~~).*?^\1", "", cell.source, flags=re.MULTILINE | re.DOTALL)
            count += len(re.findall(r"^#{1,6}\s+\S", text, re.MULTILINE))
    return count


def pdf_text(pdf: Path) -> str:
    return subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout


def render(pdf: Path, page: int) -> np.ndarray:
    """One page as grey levels at RENDER size."""
    png = subprocess.run(
        ["pdftoppm", "-f", str(page), "-l", str(page), "-singlefile", "-gray", "-png",
         "-scale-to-x", str(RENDER[0]), "-scale-to-y", str(RENDER[1]), str(pdf)],
        capture_output=True, check=True).stdout
    return np.asarray(Image.open(io.BytesIO(png)).convert("L"))


def ink(pixels: np.ndarray) -> np.ndarray:
    return np.abs(pixels.astype(int) - 255) > INK


def at_edges(pixels: np.ndarray) -> list[str]:
    """The page edges (bottom, left, right bands) that have something drawn in them."""
    drawn = ink(pixels)
    bands = {"bottom": drawn[-EDGE:, :], "left": drawn[:, :EDGE], "right": drawn[:, -EDGE:]}
    return [edge for edge, band in bands.items() if band.any()]


def blank(pixels: np.ndarray) -> bool:
    """Nothing above the footer line (the bottom 6 %: footer and slide number)."""
    return ink(pixels[: int(pixels.shape[0] * 0.94)]).mean() < 0.0005


# --------------------------------------------------------------------------- the lectures


@pytest.mark.parametrize("notebook", LECTURES, ids=[p.stem for p in LECTURES])
def test_handout_has_one_page_per_slide(handouts_dir: Path, notebook: Path) -> None:
    nb = nbformat.read(notebook, as_version=4)
    slides, notes = len(expected_slide_ids(nb)), notes_per_slide(nb)
    assert len(notes) == slides
    for name, expected in ((f"{notebook.stem}.pdf", slides),
                           (f"{notebook.stem}-notes.pdf", slides + sum(notes)),
                           (f"{notebook.stem}-lecturer.pdf", slides + sum(notes))):
        pdf = handouts_dir / name
        assert pdf.is_file(), f"{pdf} missing"
        assert pdf_pages(pdf) == (expected, POINTS), \
            f"{name}: {expected} pages of {POINTS} ({SLIDE_WIDTH}x{SLIDE_HEIGHT} px) expected"


@pytest.mark.parametrize("notebook", LECTURES, ids=[p.stem for p in LECTURES])
def test_handouts_are_tagged_titled_and_in_english(handouts_dir: Path, notebook: Path) -> None:
    """Tagged PDFs (a structure tree for screen readers, with the figures' alt text), titled
    by the lecture's first heading and the kind of handout (not a file name), language en."""
    titles = handout_titles(lecture_title(notebook))
    for kind, name in handout_names(notebook.stem).items():
        info = pdf_info(handouts_dir / name)
        assert info["Tagged"] == "yes", name
        assert info["Title"] == titles[kind], name
        assert pdf_language(handouts_dir / name) == "en", name
    # the structure tree holds every slide, not only the first (reveal's aria-hidden slides)
    expected = slide_headings(nbformat.read(notebook, as_version=4))
    assert pdf_headings(handouts_dir / f"{notebook.stem}.pdf") >= expected


@pytest.mark.parametrize("notebook", LECTURES, ids=[p.stem for p in LECTURES])
def test_handout_pages_render_within_the_edges(handouts_dir: Path, notebook: Path) -> None:
    problems = []
    for name in (f"{notebook.stem}.pdf", f"{notebook.stem}-notes.pdf",
                 f"{notebook.stem}-lecturer.pdf"):
        pdf = handouts_dir / name
        count, _ = pdf_pages(pdf)
        for page in sorted({1, (count + 1) // 2, count}):
            if blank(render(pdf, page)):
                problems.append(f"{name} page {page} is blank")
    pdf = handouts_dir / f"{notebook.stem}.pdf"
    for page in range(1, pdf_pages(pdf)[0] + 1):
        edges = at_edges(render(pdf, page))
        if edges:
            problems.append(f"{pdf.name} page {page}: drawn up to the {', '.join(edges)} edge")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("notebook", EXERCISES, ids=[p.stem for p in EXERCISES])
def test_student_handouts_hold_no_solution(handouts_dir: Path, notebook: Path) -> None:
    """The student's PDFs print the blank answer cells and no verdict; the lecturer's prints
    the worked answers and their verdicts."""
    stem = notebook.stem
    answers = sum("answer" in c.metadata.get("tags", []) for c in nbformat.read(notebook, 4).cells)
    for name in (f"{stem}.pdf", f"{stem}-notes.pdf"):
        text = pdf_text(handouts_dir / name)
        assert text.count("your code here") >= answers, name
        assert "Correct" not in text and "Not yet" not in text, name
    text = pdf_text(handouts_dir / f"{stem}-lecturer.pdf")
    assert "your code here" not in text and text.count("Correct") >= answers


def test_first_page_artifact(handouts_dir: Path) -> None:
    """test-artifacts/publish/handout-first-page.png: the title page of one handout."""
    target = PUBLISH / "handout-first-page.png"
    pdf = handouts_dir / f"{LECTURES[1].stem}.pdf"
    subprocess.run(["pdftoppm", "-f", "1", "-l", "1", "-singlefile", "-png", "-scale-to-x",
                    str(SLIDE_WIDTH), "-scale-to-y", str(SLIDE_HEIGHT), str(pdf),
                    str(target.with_suffix(""))], check=True)
    assert Image.open(target).size == (SLIDE_WIDTH, SLIDE_HEIGHT)
    assert not blank(np.asarray(Image.open(target).convert("L")))


# --------------------------------------------------------------------------- the detectors fail


def _png(colour: str) -> str:
    buf = io.BytesIO()
    Image.new("RGB", (300, 150), colour).save(buf, format="PNG")
    return base64.b64encode(buf.getvalue()).decode()


def _cell(cell_id: str, kind: str, source: str, slide: str, outputs=()):
    meta = {"slideshow": {"slide_type": slide}}
    if kind == "markdown":
        cell = new_markdown_cell(source, metadata=meta)
    else:
        cell = new_code_cell(source, metadata=meta, outputs=list(outputs), execution_count=1)
    cell.id = cell_id
    return cell


OFFSITE = "https://example.invalid/figure.png"
ALT = "A steel-blue rectangle, 300 by 150 pixels: the probe's figure with alt text."
NO_FONT = "\ue000"  # a private-use character: no installed font has it
# slide number -> cell id of the probe's slides that must be reported
BAD = {2: "p-tall", 3: "p-wide-code", 4: "p-wide-text", 5: "p-clipped", 7: "p-offsite",
       8: "p-broken", 11: "p-no-font", 12: "p-ellipsis"}
BAD_NOTES = {6: "p-long-notes"}


def probe_notebook() -> nbformat.NotebookNode:
    figure = new_output("display_data", data={"image/png": _png("steelblue"),
                                              "text/plain": "<Figure>"})
    broken = new_output("display_data", data={"image/png": base64.b64encode(
        b"\x89PNG\r\n\x1a\nnot really a png").decode(), "text/plain": "<Figure>"})
    png = _png("steelblue")
    with_alt = new_output("display_data", data={  # as nbhelpers.display.png_bundle writes
        "image/png": png, "text/plain": ALT,
        "text/html": f'<img alt="{ALT}" src="data:image/png;base64,{png}">'},
        metadata={"image/png": {"alt": ALT}})
    tall = "\n\n".join(f"Line {i}" for i in range(40))  # paragraphs: a list taller than the
    # page is one block, that Chromium's print layout moves off the page as a whole
    clipped = "\n\n".join(f"Boxed line {i}" for i in range(8))
    long_notes = "\n\n".join(f"Paragraph {i} of notes that go on and on." for i in range(40))
    nb = new_notebook(cells=[
        _cell("p-title", "markdown", "# Handout probe\n\nGenerated by tests/test_handouts.py",
              "slide"),
        _cell("p-fragment", "markdown", "Shown at once in the handout: $x^2$", "fragment"),
        _cell("p-notes", "markdown", "Short notes.", "notes"),
        _cell("p-tall", "markdown", "## Too tall\n\n" + tall, "subslide"),
        _cell("p-wide-code", "code", "x = " + " + ".join(["1"] * 150), "slide"),
        _cell("p-wide-text", "markdown", "## Too wide\n\n" + "W" * 150, "slide"),
        _cell("p-clipped", "markdown", "## In a box too small\n\n"
              '<div style="height: 60px; overflow: auto">\n\n' + clipped + "\n\n</div>", "slide"),
        _cell("p-long", "markdown", "## Long notes", "slide"),
        _cell("p-long-notes", "markdown", long_notes, "notes"),
        _cell("p-offsite", "markdown", f"## A figure from the network\n\n![x]({OFFSITE})",
              "slide"),
        _cell("p-broken", "code", "None  # stored: a figure that does not decode", "slide",
              [broken]),
        _cell("p-fits", "code", "None  # stored: a figure", "slide", [figure]),
        _cell("p-alt", "code", "None  # stored: a figure with alt text, run as cell 128",
              "slide", [with_alt]),
        _cell("p-no-font", "markdown", f"## A character without a font\n\nIt is {NO_FONT}.",
              "slide"),
        _cell("p-ellipsis", "markdown", "## Text cut with an ellipsis\n\n"
              '<div style="width: 80px; overflow: hidden; white-space: nowrap; '
              'text-overflow: ellipsis">A line longer than its box</div>', "slide"),
    ])
    nb.cells[-3].execution_count = 128  # "In [128]:" must print whole
    nb.metadata = {"kernelspec": {"name": "python3", "display_name": "Python 3",
                                  "language": "python"},
                   "rise": {"footer": "<p class='rise-footer'>Handout probe</p>"}}
    return nb


@pytest.fixture(scope="module")
def probe(tmp_path_factory) -> tuple[subprocess.CompletedProcess, Path, nbformat.NotebookNode]:
    from tools.chromium import missing

    reason = missing() or (None if shutil.which("npm") else "npm not found (static slides)")
    if reason:
        pytest.skip(reason)
    root = tmp_path_factory.mktemp("handout-probe")
    nb = probe_notebook()
    nbformat.write(nb, root / "zz_handout_probe.ipynb")
    run = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "handouts.py"), "--out", str(root / "out"),
         str(root / "zz_handout_probe.ipynb")],
        cwd=ROOT, capture_output=True, text=True, timeout=600)
    return run, root / "out", nb


def test_tool_reports_each_bad_slide(probe) -> None:
    run, _, nb = probe
    assert run.returncode == 1, run.stdout[-2000:] + run.stderr[-2000:]
    reported = re.findall(r"slide (\d+) \(cell ([^,]+), '([^']*)'\): ", run.stderr)
    slides = {int(n): cell for n, cell, title in reported if title != "speaker notes"}
    notes = {int(n): cell for n, cell, title in reported if title == "speaker notes"}
    assert slides == BAD, run.stderr
    assert notes == BAD_NOTES, run.stderr
    assert f"request leaves file://: {OFFSITE}" in run.stderr, run.stderr
    assert ("zz_handout_probe: zz_handout_probe.pdf, zz_handout_probe-notes.pdf, "
            "zz_handout_probe-lecturer.pdf in") in run.stdout


def test_probe_pdfs_and_edge_check(probe) -> None:
    """The PDFs are written anyway, one page per slide; the notes longer than a page spill
    onto another page (what reveal does, and why the tool reports them). The pixel check sees
    the too wide slides; the too tall one shows nothing at the bottom edge (its last lines are
    moved off the page, see above), so only the tool's own check reports it."""
    _, out, nb = probe
    slides, notes = len(expected_slide_ids(nb)), notes_per_slide(nb)
    assert pdf_pages(out / "zz_handout_probe.pdf") == (slides, "960 x 540 pts")
    assert pdf_pages(out / "zz_handout_probe-notes.pdf")[0] > slides + sum(notes)
    pdf = out / "zz_handout_probe.pdf"
    assert at_edges(render(pdf, 2)) == []
    assert at_edges(render(pdf, 3)) == ["right"]
    assert at_edges(render(pdf, 4)) == ["right"]
    for page in (1, 6, 9):
        assert at_edges(render(pdf, page)) == [], page
    assert not blank(render(pdf, 1)) and blank(np.full(RENDER[::-1], 255, np.uint8))


def test_notes_per_slide_follows_the_slide_metadata() -> None:
    nb = probe_notebook()
    assert expected_slide_ids(nb) == [f"slide-{h}-{v}" for h, v in
                                      [(0, 0), (0, 1), (1, 0), (2, 0), (3, 0), (4, 0), (5, 0),
                                       (6, 0), (7, 0), (8, 0), (9, 0), (10, 0)]]
    assert notes_per_slide(nb) == [True, False, False, False, False, True, False, False, False,
                                   False, False, False]


def test_probe_characters_without_a_font_are_named(probe) -> None:
    """The private-use character prints as an empty box: reported with its code point, name
    and the fix, on its slide; every other character of the probe has a font."""
    run, _, _ = probe
    reported = [line for line in run.stderr.splitlines() if "no installed font has" in line]
    assert len(reported) == 1, run.stderr
    assert "slide 11 (cell p-no-font" in reported[0] and "U+E000" in reported[0], reported
    assert "fonts-noto-color-emoji" in reported[0], reported


def test_characters_without_a_font_unit() -> None:
    chars = [["✅", 3, "c1", "Exercise"], ["a", 3, "c1", "Exercise"], ["\u00a0", 4, "c2", "x"],
             ["\u200b", 4, "c2", "x"], ["✔", 5, "c3", "y"]]
    problems = without_font(chars, frozenset(map(ord, "a✔")))
    assert problems == [
        "slide 3 (cell c1, 'Exercise'): no installed font has U+2705 WHITE HEAVY CHECK MARK "
        "'✅': " + problems[0].split("'✅': ", 1)[1]]


def test_probe_pdf_is_tagged_with_the_alt_text(probe) -> None:
    """The probe's PDFs: tagged, titled by its heading, language en; the figure's alt text is
    the /Alt of its structure element."""
    _, out, _ = probe
    titles = handout_titles("Handout probe")
    for kind, name in handout_names("zz_handout_probe").items():
        info = pdf_info(out / name)
        assert (info["Tagged"], info["Title"]) == ("yes", titles[kind]), name
        assert pdf_language(out / name) == "en", name
        assert ALT in pdf_alt_texts(out / name), (name, pdf_alt_texts(out / name))


def test_probe_prompt_prints_whole(probe) -> None:
    """Execution count 128: the prompt "In [128]:" prints whole (not "In [12…"), and the slide
    is not reported; the box too narrow for its text (p-ellipsis) is."""
    run, out, _ = probe
    text = pdf_text(out / "zz_handout_probe.pdf")
    assert "In [128]:" in text.replace("\u00a0", " "), text
    assert "cell p-alt" not in run.stderr, run.stderr
    assert re.search(r"slide 12 \(cell p-ellipsis, [^)]*\): text cut with an ellipsis",
                     run.stderr), run.stderr
