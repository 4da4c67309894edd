"""Write (or, with --check, verify) the Colab install cell at the top of every chapter.

The cell is generated from `repository` in _config.yml, the one setting an instructor changes
when forking: in Colab only the notebook is present, so the cell pip-installs `scratchnet` from
code/ at the same ref as the notebook the launch button opened. Where scratchnet is already
importable (locally, in CI) it does nothing and prints nothing. It is tagged `remove-cell`, so
the website does not show it.

    python tools/colab_sync.py          # rewrite the cells
    python tools/colab_sync.py --check  # exit 1 listing the notebooks whose cell differs
"""
import argparse
import sys
from pathlib import Path

import nbformat
import yaml

ROOT = Path(__file__).resolve().parent.parent
TAG = "colab-install"

TEMPLATE = '''\
# Colab setup: install scratchnet, the book's package, unless it is already importable.
import importlib, importlib.util
if importlib.util.find_spec("scratchnet") is None:
    %pip install --quiet "{requirement}"
    importlib.invalidate_caches()
    if importlib.util.find_spec("scratchnet") is None:
        raise ImportError("Installing scratchnet failed: see pip's message above.")'''


def requirement(config_path=ROOT / "_config.yml"):
    """pip's requirement for code/ at the configured repository and branch (or tag)."""
    repo = yaml.safe_load(Path(config_path).read_text())["repository"]
    url = repo["url"].rstrip("/")
    return f"scratchnet @ git+{url}@{repo.get('branch', 'main')}#subdirectory=code"


def install_cell_source(req=None):
    return TEMPLATE.format(requirement=req or requirement())


def notebooks():
    return sorted(p for p in (ROOT / "chapters").glob("*.ipynb"))


def install_cell(nb):
    """The notebook's install cell, or None."""
    for cell in nb.cells:
        if TAG in cell.metadata.get("tags", []):
            return cell
    return None


def sync(path, source):
    """Put `source` into the notebook's install cell (first code cell), creating it if missing.
    Returns True when the file changed."""
    nb = nbformat.read(path, as_version=4)
    cell = install_cell(nb)
    if cell is not None and cell.source == source:
        return False
    if cell is None:
        cell = nbformat.v4.new_code_cell(metadata={"tags": ["remove-cell", TAG]})
        first_code = next((i for i, c in enumerate(nb.cells) if c.cell_type == "code"), len(nb.cells))
        nb.cells.insert(first_code, cell)
    cell.source = source
    nbformat.write(nb, path)
    return True


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="verify only; exit 1 on a difference")
    args = parser.parse_args(argv)
    source = install_cell_source()
    if args.check:
        stale = [p for p in notebooks() if getattr(install_cell(nbformat.read(p, as_version=4)), "source", None) != source]
        for p in stale:
            print(f"{p.relative_to(ROOT)}: install cell differs from _config.yml; run `make colab-sync`")
        return 1 if stale else 0
    for p in notebooks():
        if sync(p, source):
            print(f"updated {p.relative_to(ROOT)} (re-execute it before committing)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
