# Two commands do all set-up on a fresh machine (Python ≥ 3.10, git, make):
#   make book   install into .venv, print the book's PDF and build the website into _build/html
#   make test   install, build the website, and run every test (unit, nbval, browser, ...)
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
# The whole book as one PDF, which the website links (the name is in _ext/pdf_download.py).
PDF    := _build/pdf/3.7-neural-networks.pdf
# What the PDF is made of: it is printed again when one of them changes.
PDF_SOURCES := _config.yml _toc.yml $(wildcard chapters/* _ext/*.py _static/* code/scratchnet/*.py) tools/pdf.py

.PHONY: install book pdf test notebooks colab-sync clean bench assignments

install: $(STAMP)

$(STAMP): requirements.txt code/pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	touch $@

# The PDF first, so that the website links and serves it; without chromium or poppler-utils the
# website is built without it (and without its download button).
book: install
	@if command -v chromium >/dev/null 2>&1 && command -v pdfinfo >/dev/null 2>&1; then \
	  $(MAKE) --no-print-directory pdf; \
	else \
	  echo "No chromium or pdfinfo: the website is built without its PDF (apt-get install chromium poppler-utils)."; \
	fi
	$(BIN)/jupyter-book build . -W -n --keep-going
	@echo "The website is built: open _build/html/index.html in a browser."

# The PDF is the website printed by Debian's chromium (Playwright), not LaTeX: the same HTML
# numbering as the site, MathJax's vector math, and CI installs poppler-utils (about 2 MB) instead of
# TeX Live (about 320 MB); see tools/pdf.py.
pdf: $(PDF)

$(PDF): $(STAMP) $(PDF_SOURCES)
	$(BIN)/python tools/pdf.py $@

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
