"""Write (or, with --check, verify) the Colab install cell at the top of every chapter.

The cell is generated from `repository` in _config.yml, the one setting an instructor changes
when forking: in Colab only the notebook is present, so the cell pip-installs `scratchnet` from
code/ at the ref the launch button opened (`branch`: a branch, or a release tag for a term).
Where scratchnet is already importable (locally, in CI) it does nothing and prints nothing.
The cell checks that the installation worked, and says if it changed any installed package (then
a restart is needed). It is the first code cell, tagged `remove-cell` so that the website does
not show it.

    python tools/colab_sync.py          # rewrite the cells
    python tools/colab_sync.py --check  # exit 1 listing the notebooks whose cell differs
"""
import argparse
import posixpath
import sys
from pathlib import Path

import nbformat
import yaml

ROOT = Path(__file__).resolve().parent.parent
TAG = "colab-install"
TAGS = ["remove-cell", TAG]

# Installs scratchnet where it is missing (in Colab), and nothing else; shared with the
# assignments' setup cell (assignments/build.py). pip runs as a subprocess, not as %pip, whose
# note "you may need to restart the kernel" would be wrong: nothing that is installed changes,
# and if something ever did, the cell says so, and that the session must be restarted.
INSTALL = '''\
import importlib.metadata, importlib.util, subprocess, sys
if importlib.util.find_spec("scratchnet") is None:
    before = {{d.metadata["Name"]: d.version for d in importlib.metadata.distributions()}}
    pip = subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "{requirement}"],
                         capture_output=True, text=True)
    importlib.invalidate_caches()
    if importlib.util.find_spec("scratchnet") is None:
        raise ImportError("Installing scratchnet failed:\\n" + pip.stdout + pip.stderr)
    after = {{d.metadata["Name"]: d.version for d in importlib.metadata.distributions()}}
    changed = [f"{{name}} {{version}} -> {{after.get(name)}}" for name, version in before.items() if after.get(name) != version]
    if changed:
        print("Installing scratchnet also changed " + ", ".join(changed) + ". Restart the session "
              "(Runtime > Restart session in Colab, Kernel > Restart in Jupyter), then run the notebook again.")
'''

TEMPLATE = "# Colab setup: install scratchnet, the book's package, unless it is already importable.\n" + INSTALL


def repository(config_path=ROOT / "_config.yml"):
    """`repository` from _config.yml: url, branch and path_to_book (the launch buttons use them too)."""
    repo = yaml.safe_load(Path(config_path).read_text())["repository"]
    if not repo.get("branch"):
        # Jupyter Book's launch buttons would fall back on "master": name the ref explicitly.
        raise ValueError(f"{config_path}: set repository.branch (the ref the launch buttons open)")
    return repo


def requirement(config_path=ROOT / "_config.yml"):
    """pip's requirement for code/ at the configured repository and ref."""
    repo = repository(config_path)
    code = posixpath.join(repo.get("path_to_book") or "", "code")
    return f"scratchnet @ git+{repo['url'].rstrip('/')}@{repo['branch']}#subdirectory={code}"


def install_cell_source(config_path=ROOT / "_config.yml"):
    return TEMPLATE.format(requirement=requirement(config_path)).rstrip("\n")


def notebooks():
    return sorted((ROOT / "chapters").glob("*.ipynb"))


def install_cell(nb):
    """The notebook's install cell (the cell tagged `colab-install`), or None."""
    return next((c for c in nb.cells if TAG in c.metadata.get("tags", [])), None)


def problems(nb, source):
    """What is wrong with the notebook's install cell, as sentences (none: it is right)."""
    cell = install_cell(nb)
    if cell is None:
        return [f"no cell tagged {TAG!r}"]
    found = []
    if cell is not next((c for c in nb.cells if c.cell_type == "code"), None):
        found.append("the install cell is not the first code cell")
    if cell.cell_type != "code" or cell.source != source:
        found.append("the install cell's code differs from the one generated from _config.yml")
    if "remove-cell" not in cell.metadata.get("tags", []):
        found.append("the install cell is not tagged 'remove-cell' (the website would show it)")
    return found


def sync(path, source):
    """Make the notebook's first code cell the install cell with `source`. True if the file changed."""
    nb = nbformat.read(path, as_version=4)
    if not problems(nb, source):
        return False
    cell = install_cell(nb)
    if cell is not None:
        nb.cells.remove(cell)
    if cell is None or cell.cell_type != "code":
        cell = nbformat.v4.new_code_cell()
    cell.source = source
    cell.metadata["tags"] = TAGS + [t for t in cell.metadata.get("tags", []) if t not in TAGS]
    first_code = next((i for i, c in enumerate(nb.cells) if c.cell_type == "code"), len(nb.cells))
    nb.cells.insert(first_code, cell)
    nbformat.write(nb, path)
    return True


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="verify only; exit 1 on a difference")
    args = parser.parse_args(argv)
    source = install_cell_source()
    status = 0
    for path in notebooks():
        name = path.relative_to(ROOT)
        if args.check:
            for problem in problems(nbformat.read(path, as_version=4), source):
                print(f"{name}: {problem}; run `make colab-sync`")
                status = 1
        elif sync(path, source):
            print(f"updated {name} (re-execute it before committing)")
    return status


if __name__ == "__main__":
    sys.exit(main())
