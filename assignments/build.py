"""Turn the master notebooks into what students and graders get (`make assignments`).

For every master `assignments/hw*.ipynb`, `otter assign` (otter-grader 7.0.0) checks that the
solution passes all its tests (it fails otherwise) and writes

    dist/student/NAME.ipynb                the notebook to hand out: no solutions, no hidden tests
    dist/autograder/NAME-autograder.zip    every test, for grade.py and Gradescope (and, for grade.py,
                                           the student notebook's setup cell)
    dist/solutions/NAME.ipynb              the master with solutions (keep it private)

The first cell of the student and solution notebooks (tagged `otter-setup`) is replaced by one
that installs scratchnet where it is missing (Colab), from `repository` in _config.yml as the
chapters' install cells do, and nothing else: it changes no package Colab has, so Colab needs no
restart (were a package ever changed, the cell would say to restart, and why). It runs pip itself
rather than %pip, whose note "you may need to restart the kernel" would be wrong. It defines
`grader`, whose `grader.check("q1")` runs q1's public tests, written out in the cell: students
need neither otter nor a tests/ folder. The hidden tests are only in the zip.

otter assign runs the solution through a kernel; it is made to use IPC sockets instead of TCP
ports, which another process can take between jupyter_client's choice and the kernel's bind, so
the masters are built at once.

    python assignments/build.py                      # every master, into assignments/dist
    python assignments/build.py --out DIR hw1-activations-losses
"""
import argparse
import ast
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import nbformat

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT / "tools"))
import colab_sync  # noqa: E402  (the chapters' scratchnet requirement and install code)
from colab_sync import requirement  # noqa: E402

SETUP_TAG = "otter-setup"
SETUP_FILE = "student-setup-cell.py"  # in the autograder zip

INSTALL = """\
#@title Setup: run this cell first
# Installs scratchnet, the book's package, where it is missing (in Colab), and nothing else: no
# package that is already installed changes (if one ever did, this cell would say to restart).
# Then defines `grader`: grader.check("q1") runs question 1's public tests on your code.
""" + colab_sync.INSTALL + "\n"

CLASS = '''
class PublicTests:
    """Runs a question's public tests on this notebook's variables. Hidden tests, on other inputs,
    decide the grade: they run when your notebook is graded."""

    TESTS = {
'''

CHECKER = '''

    def check(self, question):
        import inspect, traceback
        tests, failed = {}, []
        exec(compile(self.TESTS[question], question, "exec"), tests)
        tests = {name: test for name, test in tests.items() if name.startswith("test_")}
        for name, test in tests.items():
            names = list(inspect.signature(test).parameters)
            missing = [n for n in names if n != "env" and n not in globals()]
            if missing:
                failed.append(f"{name}: {', '.join(missing)} is not defined (run its cell first)")
                continue
            try:
                test(**{n: globals() if n == "env" else globals()[n] for n in names})
            except Exception as error:
                lines = [f.lineno for f in traceback.extract_tb(error.__traceback__) if f.filename == question]
                line = self.TESTS[question].splitlines()[lines[-1] - 1].strip() if lines else ""
                failed.append(f"{name}, at: {line}\\n    {type(error).__name__}: {error}")
        if failed:
            print(f"{question}: {len(failed)} of {len(tests)} public tests failed", *failed, sep="\\n  ")
        else:
            print(f"{question}: all public tests passed (hidden tests decide the grade)")

    def check_all(self):
        for question in self.TESTS:
            self.check(question)


grader = PublicTests()'''

# otter's command line (`python -c OTTER assign ...`), with every kernel it starts on IPC sockets
OTTER = """\
import sys
from jupyter_client.connect import ConnectionFileMixin
ConnectionFileMixin.transport.default_value = "ipc"
from otter.cli import cli
cli(sys.argv[1:])
"""


def masters():
    return sorted(HERE.glob("hw*.ipynb"))


def pinned(package):
    """`package==version` as pinned in the book's requirements.txt."""
    for line in (ROOT / "requirements.txt").read_text().splitlines():
        if line.startswith(f"{package}=="):
            return line.strip()
    raise LookupError(f"{package} is not pinned in requirements.txt")


def public_tests(source):
    """The test functions of one of otter's test files, without otter's decorators."""
    tree = ast.parse(source)
    functions = [node for node in tree.body if isinstance(node, ast.FunctionDef)]
    for node in functions:
        node.decorator_list = []
    return "\n\n".join(ast.unparse(node) for node in functions) + "\n"


def setup_source(tests):
    """The student notebook's first cell, with `tests` ({question: otter's public test file})."""
    items = []
    for name, source in tests.items():
        functions = public_tests(source)
        if "'''" in functions or "\\" in functions:
            raise ValueError(f"public test {name} contains ''' or a backslash: it cannot be inlined")
        items.append(f"        {name!r}: '''\\\n{functions}''',")
    return (INSTALL.format(requirement=requirement()) + CLASS + "\n".join(items) + "\n    }" + CHECKER)


def setup_cell(nb):
    return next(cell for cell in nb.cells if SETUP_TAG in cell.metadata.get("tags", []))


def finish(path, tests):
    """Give the notebook at `path` the setup cell for `tests`."""
    nb = nbformat.read(path, as_version=4)
    cell = setup_cell(nb)
    cell.source = setup_source(tests)
    cell.metadata["cellView"] = "form"  # Colab shows the title, not the code
    nbformat.write(nb, path)


def build(master, out):
    """otter assign `master` and lay its outputs out under `out`; returns the three paths."""
    name = master.stem
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        shutil.copy(master, tmp / master.name)
        (tmp / "requirements.txt").write_text(f"{pinned('numpy')}\n{requirement()}\n")
        run = subprocess.run([sys.executable, "-c", OTTER, "assign", master.name, "dist"],
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
    tests = nbformat.read(paths["student"], as_version=4).metadata["otter"]["tests"]
    for kind in ("student", "solutions"):
        finish(paths[kind], tests)
    with zipfile.ZipFile(paths["autograder"], "a") as z:  # for grade.py: the setup cell is not the student's code
        z.writestr(SETUP_FILE, setup_source(tests))
    return paths


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help="masters to build (default: all)")
    parser.add_argument("--out", type=Path, default=HERE / "dist")
    args = parser.parse_args(argv)
    chosen = [m for m in masters() if not args.names or m.stem in args.names]
    if args.names and len(chosen) != len(args.names):
        parser.error(f"unknown master in {args.names}; masters: {[m.stem for m in masters()]}")
    with ThreadPoolExecutor(max_workers=os.cpu_count()) as pool:  # each build is an otter process
        for paths in pool.map(lambda master: build(master, args.out), chosen):
            for kind, path in paths.items():
                print(f"{kind:>10}: {path}")


if __name__ == "__main__":
    main()
