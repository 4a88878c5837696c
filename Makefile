# Two commands do everything (each creates .venv and installs on first use, then skips it):
#   make lab    open the lectures in JupyterLab
#   make test   lint + unit tests + every notebook under nbval (twice: see portable) + the browser
#               and publishing tests, on $(JOBS) cores, then a table of each phase's seconds
PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin
STAMP   = $(VENV)/.installed

.PHONY: install lab test check test-fast portable browser notebooks slides handouts site \
        colab-check set-repo student lint sync bench clean

# pytest-xdist workers; conftest.py's work_unit keeps a notebook's cells in one worker
JOBS     ?= 2
PARALLEL  = -n $(JOBS) --dist loadfile
TT        = $(BIN)/python tools/timetable.py

# The stored outputs must not depend on the CPU: machines differ (AVX2, AVX-512, Intel, AMD).
# `make portable` runs every notebook under nbval again with torch, MKL and oneDNN held to
# older instruction sets (scalar ATen kernels, SSE4.2 BLAS, SSE4.1 convolutions), a different
# rounding path on any x86 CPU; a cell whose stored output changes there is machine-dependent.
OTHER_CPU = ATEN_CPU_CAPABILITY=default MKL_ENABLE_INSTRUCTIONS=SSE4_2 ONEDNN_MAX_CPU_ISA=SSE41

$(STAMP): requirements.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $(STAMP)

install: $(STAMP)

lab: install
	$(BIN)/jupyter lab --notebook-dir=notebooks

lint: install
	$(BIN)/ruff check .

# Every phase runs even after one fails; the table (tools/timetable.py) shows which, and how long.
# KEEP_TIMES=1 (.ci/run) adds the phases to a table the caller started.
test: install
	@test -n "$$KEEP_TIMES" || $(TT) reset
	@status=0; \
	$(TT) run "lint (ruff)" -- $(BIN)/ruff check . || status=1; \
	$(TT) run "pytest: unit, notebooks, browser, handouts, site" -- \
	    $(BIN)/pytest $(PARALLEL) || status=1; \
	$(TT) run "portable: notebooks on older CPU code paths" -- \
	    env $(OTHER_CPU) $(BIN)/pytest notebooks || status=1; \
	$(TT) show; exit $$status

# One notebook at a time: two kernels on the scalar code paths, each with 2 OpenMP threads on
# 2 cores, slowed a training cell of 12 from ~20 s to over 600 s (measured 2026-12-02).
portable: install
	$(OTHER_CPU) $(BIN)/pytest notebooks

# One lecture, for its author (about a minute): slide lint, nbval and its browser check.
#   make check NB=05
check: install
	@test -n "$(NB)" || { echo "usage: make check NB=05 (a notebook's number or name)" >&2; exit 2; }
	@nb=$$(ls notebooks/$(NB)*.ipynb 2>/dev/null | head -n 1); \
	test -n "$$nb" || { echo "no notebook notebooks/$(NB)*.ipynb" >&2; exit 2; }; \
	stem=$$(basename $$nb .ipynb); \
	$(BIN)/python -m tools.slides_lint $$nb && \
	$(BIN)/pytest $(PARALLEL) $$nb tests/test_browser.py -k "$$stem"

# Unit tests only (seconds): no notebooks, no browser.
test-fast: install
	$(BIN)/pytest tests -o addopts="" -m "not browser and not slow"

browser: install
	$(BIN)/pytest -m browser tests

# Re-execute every notebook in a fresh kernel and store the outputs (before committing).
notebooks: sync
	$(BIN)/python tools/run_notebooks.py notebooks/*.ipynb

# Pair every notebook with its text form notebooks/text/NAME.py (notebooks/jupytext.toml):
# whichever of the two was saved last gives the cells, the .ipynb keeps its outputs.
sync: install
	$(BIN)/jupytext --sync notebooks/*.ipynb $(wildcard notebooks/text/*.py)

slides: install
	$(BIN)/python tools/export_slides.py

# One PDF per lecture, one page per slide (and one with the speaker notes): build/handouts/
handouts: install
	$(BIN)/python tools/handouts.py

# The course website (lecture pages, search, slides, handouts): build/site/index.html
site: handouts
	$(BIN)/python tools/build_site.py

# Every lecture in a Colab-like environment, nbhelpers from its wheel (CI runs it after test)
colab-check: install
	$(BIN)/python tools/colab_check.py

# After forking: point every badge, install line and link at your repository
set-repo:
	@test -n "$(REPO)" || { echo "usage: make set-repo REPO=owner/name" >&2; exit 2; }
	$(PYTHON) tools/set_repo.py $(REPO)

student: install
	$(BIN)/python tools/student_copies.py

bench: install
	$(BIN)/python benchmarks/mnist_speed.py

clean:
	rm -rf build test-artifacts
