"""Turn the master notebooks into what students and graders get (`make assignments`).

For every master `assignments/hw*.ipynb`, `otter assign` (otter-grader 7.0.0) checks that the
solution passes all its tests (it fails otherwise) and writes

    dist/student/NAME.ipynb                the notebook to hand out: no solutions, no hidden tests
    dist/autograder/NAME-autograder.zip    every test, for `otter run`, grade.py and Gradescope
    dist/solutions/NAME.ipynb              the master with solutions (keep it private)

The student notebook's first cell (tagged `otter-setup`) is replaced by one that, where they are
missing (Colab), installs otter-grader and scratchnet, from `repository` in _config.yml as the
chapters' install cells do. Otter keeps the public tests in the notebook's metadata, which it
reads from the notebook file; Colab does not put that file next to the kernel, so in Colab the
cell also writes the same public tests to tests/, where `otter.Notebook()` finds them.

    python assignments/build.py                      # every master, into assignments/dist
    python assignments/build.py --out DIR hw1-activations-losses
"""
import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import nbformat

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT / "tools"))
from colab_sync import requirement  # noqa: E402  (the chapters' scratchnet requirement)

OTTER = "otter-grader==7.0.0"
SETUP_TAG = "otter-setup"
ANSWER_TAG = "otter_answer_cell"
SOLUTION_TAG = "otter_assign_solution_cell"

SETUP = '''\
#@title Setup: run this cell first
# Installs otter-grader and scratchnet where they are missing (in Colab), then starts otter.
import importlib, importlib.util, os, sys
if importlib.util.find_spec("otter") is None:
    %pip install --quiet {otter}
if importlib.util.find_spec("scratchnet") is None:
    %pip install --quiet "{scratchnet}"
importlib.invalidate_caches()
for module in ("otter", "scratchnet"):
    if importlib.util.find_spec(module) is None:
        raise ImportError(f"Installing {{module}} failed: see pip's message above.")
# The public tests, also stored in this notebook's metadata, which otter cannot read in Colab.
PUBLIC_TESTS = {{
{tests}
}}
if "google.colab" in sys.modules:
    os.makedirs("tests", exist_ok=True)
    for name, source in PUBLIC_TESTS.items():
        with open(os.path.join("tests", f"{{name}}.py"), "w") as f:
            f.write(source)
import otter
grader = otter.Notebook()'''


def masters():
    return sorted(HERE.glob("hw*.ipynb"))


def pinned(package):
    """`package==version` as pinned in the book's requirements.txt."""
    for line in (ROOT / "requirements.txt").read_text().splitlines():
        if line.startswith(f"{package}=="):
            return line.strip()
    raise LookupError(f"{package} is not pinned in requirements.txt")


def setup_source(tests):
    """The student notebook's first cell, with `tests` ({question: test file source}) inlined."""
    for name, source in tests.items():
        if "'''" in source or "\\" in source:
            raise ValueError(f"public test {name} contains ''' or a backslash: it cannot be inlined")
    items = "\n".join(f"    {name!r}: '''\\\n{source}''',\n" for name, source in tests.items())
    return SETUP.format(otter=OTTER, scratchnet=requirement(), tests=items.rstrip("\n"))


def setup_cell(nb):
    return next(cell for cell in nb.cells if SETUP_TAG in cell.metadata.get("tags", []))


def finish_student_notebook(path):
    nb = nbformat.read(path, as_version=4)
    cell = setup_cell(nb)
    cell.source = setup_source(nb.metadata["otter"]["tests"])
    cell.metadata["cellView"] = "form"  # Colab shows the title, not the code
    nbformat.write(nb, path)


def build(master, out):
    """otter assign `master` and lay its outputs out under `out`; returns the three paths."""
    name = master.stem
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        shutil.copy(master, tmp / master.name)
        (tmp / "requirements.txt").write_text(f"{pinned('numpy')}\n{requirement()}\n")
        run = subprocess.run([sys.executable, "-m", "otter", "assign", master.name, "dist"],
                             cwd=tmp, capture_output=True, text=True)
        if run.returncode != 0:
            raise RuntimeError(f"otter assign failed on {master.name}:\n{run.stdout}\n{run.stderr}")
        paths = {"student": out / "student" / f"{name}.ipynb",
                 "autograder": out / "autograder" / f"{name}-autograder.zip",
                 "solutions": out / "solutions" / f"{name}.ipynb"}
        for path in paths.values():
            path.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(tmp / "dist" / "student" / master.name, paths["student"])
        shutil.copy(next((tmp / "dist" / "autograder").glob("*.zip")), paths["autograder"])
        shutil.copy(tmp / "dist" / "autograder" / master.name, paths["solutions"])
    finish_student_notebook(paths["student"])
    return paths


def fill(student, solutions, answers):
    """A submission: the student notebook with each answer cell taken from `answers`
    ({question: source}) or, for the other questions, from the solution."""
    nb = nbformat.read(student, as_version=4)
    solved = iter([c.source for c in nbformat.read(solutions, as_version=4).cells
                   if SOLUTION_TAG in c.metadata.get("tags", [])])
    for i, cell in enumerate(nb.cells):
        if ANSWER_TAG in cell.metadata.get("tags", []):
            # the question is the one that the next `grader.check("q…")` cell checks
            check = next(c.source for c in nb.cells[i + 1:] if c.source.startswith("grader.check("))
            cell.source = answers.get(check.split('"')[1], next(solved))
    return nb


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help="masters to build (default: all)")
    parser.add_argument("--out", type=Path, default=HERE / "dist")
    args = parser.parse_args(argv)
    chosen = [m for m in masters() if not args.names or m.stem in args.names]
    if args.names and len(chosen) != len(args.names):
        parser.error(f"unknown master in {args.names}; masters: {[m.stem for m in masters()]}")
    for master in chosen:
        for kind, path in build(master, args.out).items():
            print(f"{kind:>10}: {path}")


if __name__ == "__main__":
    main()
