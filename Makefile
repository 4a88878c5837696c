# Two commands do everything (each creates .venv and installs on first use, then skips it):
#   make lab    open the lectures in JupyterLab
#   make test   lint + unit tests + every notebook under nbval + the browser test
PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin
STAMP   = $(VENV)/.installed

.PHONY: install lab test test-fast browser notebooks slides student lint bench clean

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

test: lint
	$(BIN)/pytest

# Unit tests only (seconds): no notebooks, no browser.
test-fast: install
	$(BIN)/pytest tests -o addopts="" -m "not browser and not slow"

browser: install
	$(BIN)/pytest -m browser tests

# Re-execute every notebook in a fresh kernel and store the outputs (before committing).
notebooks: install
	$(BIN)/python tools/run_notebooks.py notebooks/*.ipynb

slides: install
	$(BIN)/python tools/export_slides.py

student: install
	$(BIN)/python tools/student_copies.py

bench: install
	$(BIN)/python benchmarks/mnist_speed.py

clean:
	rm -rf build test-artifacts
