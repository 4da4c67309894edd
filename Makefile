# Two commands do all set-up on a fresh machine (Python ≥ 3.10, git, make):
#   make book   install into .venv and build the website into _build/html
#   make test   install, build the website, and run every test (unit, nbval, browser, ...)
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: install book test notebooks colab-sync clean bench assignments

install: $(STAMP)

$(STAMP): requirements.txt code/pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	touch $@

book: install
	$(BIN)/jupyter-book build . -W -n --keep-going
	@echo "The website is built: open _build/html/index.html in a browser."

test: book
	$(BIN)/python -m pytest

# Re-execute every chapter top to bottom in a fresh kernel and store its outputs.
notebooks: install
	$(BIN)/python tools/execute.py chapters/*.ipynb

# Rewrite each chapter's Colab install cell from `repository` in _config.yml.
colab-sync: install
	$(BIN)/python tools/colab_sync.py

clean:
	rm -rf _build

# Student notebooks, Gradescope autograder zips and solutions of the graded assignments, into
# assignments/dist/ (not committed); otter assign fails if a solution fails its own tests.
assignments: install
	$(BIN)/python assignments/build.py

# Time one training step in scratchnet, PyTorch and scikit-learn and print the table (not a test).
bench: install
	$(BIN)/python benchmarks/step.py
