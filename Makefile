# Two commands do everything (each creates .venv and installs on first use, then skips it):
#   make lab    open the lectures in JupyterLab (student/ and notebooks/: the two editions)
#   make test   lint + unit tests + every notebook under nbval (twice: see test) + the browser
#               and publishing tests, on $(JOBS) cores, then a table of each phase's seconds
PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin
STAMP   = $(VENV)/.installed

.PHONY: install lab test check test-fast portable browser notebooks slides handouts site \
        colab-check widgets8-check claims set-repo student lint sync bench clean

# pytest-xdist workers; conftest.py's work_unit keeps a notebook's cells in one worker.
# One thread per worker (and per kernel it starts): two kernels with 2 OpenMP threads each on
# 2 cores slowed lecture 13 from ~40 s to 327 s and 08 to 269 s (measured 2026-12-03).
JOBS     ?= 2
PARALLEL  = -n $(JOBS) --dist loadfile
THREADS   = OMP_NUM_THREADS=1 MKL_NUM_THREADS=1
TT        = $(BIN)/python tools/timetable.py

$(STAMP): requirements.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $(STAMP)

install: $(STAMP)

lab: install
	$(BIN)/jupyter lab --notebook-dir=.

lint: install
	$(BIN)/ruff check .

# Every phase runs even after one fails; the table (tools/timetable.py) shows which, and how long.
# KEEP_TIMES=1 (.ci/run) adds the phases to a table the caller started. The portable pass
# (tools/portable.py: every notebook again on older CPU code paths, so that no stored output
# depends on the CPU) runs in the same pytest, on copies in build/portable/, so that both
# cores stay busy to the end.
test: install
	@test -n "$$KEEP_TIMES" || $(TT) reset
	@status=0; \
	$(TT) run "lint (ruff)" -- $(BIN)/ruff check . || status=1; \
	$(BIN)/python tools/portable.py >/dev/null || status=1; \
	$(TT) run "pytest: unit, notebooks (native + portable), browser, handouts, site" -- \
	    env $(THREADS) $(BIN)/pytest $(PARALLEL) tests notebooks build/portable || status=1; \
	$(TT) show; exit $$status

# The portable pass alone
portable: install
	$(BIN)/python tools/portable.py
	env $(THREADS) $(BIN)/pytest $(PARALLEL) build/portable

# One lecture, for its author (about a minute): slide lint, nbval and its browser check.
#   make check NB=05
check: install
	@test -n "$(NB)" || { echo "usage: make check NB=05 (a notebook's number or name)" >&2; exit 2; }
	@nb=$$(ls notebooks/$(NB)*.ipynb 2>/dev/null | head -n 1); \
	test -n "$$nb" || { echo "no notebook notebooks/$(NB)*.ipynb" >&2; exit 2; }; \
	stem=$$(basename $$nb .ipynb); \
	$(BIN)/python -m tools.slides_lint $$nb && \
	env $(THREADS) $(BIN)/pytest $(PARALLEL) $$nb tests/test_browser.py -k "$$stem"

# Unit tests only (seconds): no notebooks, no browser.
test-fast: install
	$(BIN)/pytest tests -o addopts="" -m "not browser and not slow"

browser: install
	$(BIN)/pytest -m browser tests

# Re-execute every notebook in a fresh kernel and store the outputs (before committing), then
# regenerate the student's edition from them.
notebooks: sync
	$(BIN)/python tools/run_notebooks.py notebooks/*.ipynb
	$(BIN)/python tools/student_copies.py

# Pair every notebook with its text form notebooks/text/NAME.py (notebooks/jupytext.toml):
# whichever of the two was saved last gives the cells, the .ipynb keeps its outputs.
# Then the student's edition (student/) is regenerated from the lecturer's (notebooks/).
sync: install
	$(BIN)/jupytext --sync notebooks/*.ipynb $(wildcard notebooks/text/*.py)
	$(BIN)/python tools/student_copies.py

slides: install
	$(BIN)/python tools/export_slides.py

# One PDF per lecture, one page per slide (and one with the speaker notes): build/handouts/
handouts: install
	$(BIN)/python tools/handouts.py

# The course website (the student's edition: lecture pages, search, slides, handouts, each
# solution in a closed block): build/site/index.html. SOLUTIONS=no leaves the solutions out.
site: handouts student
	$(BIN)/python tools/build_site.py $(if $(filter no,$(SOLUTIONS)),--no-solutions)

# Every lecture in a Colab-like environment, nbhelpers from its wheel (CI runs it after test)
colab-check: install
	$(BIN)/python tools/colab_check.py

# The widget unit tests on ipywidgets 8 (build/widgets8-venv, torch shared from .venv) and the
# slideshow probe of ipywidgets 8 pairs (which render live widgets in jupyterlab-rise)
widgets8-check: install
	env $(THREADS) $(BIN)/python tools/widgets8_check.py

# Every comparative claim's sweep (claims/, ~15 min on 2 cores): one line per claim, exit 1
# if one does not hold on every seed; writes nbhelpers/measured/*.json, which slides plot.
#   make claims ONLY=08/batch-norm   one claim
claims: install
	$(BIN)/python tools/claims.py $(ONLY)

# After forking: point every badge, install line and link at your repository
set-repo:
	@test -n "$(REPO)" || { echo "usage: make set-repo REPO=owner/name" >&2; exit 2; }
	$(PYTHON) tools/set_repo.py $(REPO)

# The student's edition student/ (committed; tests/test_student_copies.py fails when stale)
student: install
	$(BIN)/python tools/student_copies.py

bench: install
	$(BIN)/python benchmarks/mnist_speed.py

clean:
	rm -rf build test-artifacts
