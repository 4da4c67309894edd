"""Make a class of submissions to try grade.py on: right, partly right, wrong, hard-coded,
tampering and broken ones, as a class of 200 would hand in (and a few that nobody should).

    python assignments/make_class.py DIST NAME OUT [--size 200] [--seed 0]

DIST is what build.py wrote (`make assignments`: assignments/dist), NAME an assignment
(hw1-activations-losses, ...). OUT gets SIZE notebooks, student-001.ipynb ..., and manifest.json,
which says what each one is. Answers come from answers/NAME.yml (right ones written otherwise
than the solution, common mistakes, hard-coded public values) and from the solution; every kind
in TAMPERING and BROKEN appears once, the other students draw their answers at random (seeded).

    python assignments/grade.py DIST/autograder/NAME-autograder.zip OUT grades.csv --jobs 2
"""
import argparse
import ast
import copy
import functools
import json
import random
from pathlib import Path

import nbformat
import yaml

HERE = Path(__file__).resolve().parent
SOLUTION_TAG = "otter_assign_solution_cell"
ANSWER_TAG = "otter_answer_cell"

# Cells added at the end of a submission whose answers are hard-coded: each tries to pass the tests
# without right answers. grade.py's scores must stay low and its flags must say what happened.
TAMPERING = {
    "patch-numpy": """\
import numpy as np
np.allclose = lambda *args, **kwargs: True
np.isclose = lambda *args, **kwargs: True
np.array_equal = lambda *args, **kwargs: True""",
    "patch-scratchnet": """\
import scratchnet as sn
sn.accuracy = lambda *args, **kwargs: 1.0
sn.relative_error = lambda *args, **kwargs: 0.0""",
    "patch-otter": """\
import otter.test_files.exception_test as exception_test
from otter.test_files.abstract_test import TestCaseResult

def run(self, env):
    self.test_case_results = [TestCaseResult(test_case=t, message="passed", passed=True) for t in self.test_cases]

exception_test.ExceptionTestFile.run = run""",
    "rewrite-tests": """\
import glob
for path in glob.glob("tests/*.py"):
    name = path[len("tests/"):-len(".py")]
    with open(path, "w") as f:
        f.write(f"from otter.test_files import test_case\\nOK_FORMAT = False\\nname = {name!r}\\npoints = 100\\n"
                "@test_case(points=100, hidden=False)\\ndef test_nothing():\\n    pass\\n")""",
    "read-tests": """\
import glob
for path in sorted(glob.glob("tests/*.py")):
    print(open(path).read())""",
    "frames": """\
import sys

def answer_from_the_test(*args, **kwargs):
    frame = sys._getframe(1)
    while frame is not None:
        for name in ("expected", "loops", "numeric", "right", "P"):
            if name in frame.f_locals:
                return frame.f_locals[name]
        frame = frame.f_back

for name in GRADED:
    globals()[name] = answer_from_the_test""",
    "error-shows-the-test": """\
import inspect

def show_the_test(*args, **kwargs):
    raise RuntimeError(open(inspect.stack()[1].filename).read())

for name in GRADED:
    globals()[name] = show_the_test""",
    "hooks": """\
ip = get_ipython()
ip.input_transformers_post.append(lambda lines: lines)
ip.events.register("post_run_cell", lambda result: None)""",
    "patch-builtins": """\
import builtins
builtins.isinstance = lambda obj, cls: True""",
    "fake-numpy": """\
import sys, types
fake = types.ModuleType("numpy")
fake.__dict__.update(sys.modules["numpy"].__dict__)
fake.allclose = lambda *args, **kwargs: True
sys.modules["numpy"] = fake""",
    "forge-report": """\
import json, os
forged = {"submission": "forged.ipynb", "total": 100, "max": 100, "scores": {}, "flags": []}
with open(f"/proc/{os.getppid()}/fd/1", "w") as out:
    out.write(json.dumps(forged) + "\\n")""",
    "kill-grader": """\
import os, signal
os.kill(os.getppid(), signal.SIGKILL)""",
    "escape": """\
import subprocess
subprocess.Popen(["sleep", "9876.5"], start_new_session=True)
subprocess.Popen(["sh", "-c", "sleep 9876.5 &"], start_new_session=True)""",
}

# Submissions that break in other ways (with right answers, so that what is lost shows).
BROKEN = ["hang", "crash", "exit", "foreign", "other-assignment", "not-a-notebook", "empty-file",
          "no-metadata", "syntax-error", "big-output", "install"]
HANG = "while True:\n    pass"
CRASH = "import os\nos._exit(1)"


def answers(name):
    """{question: {"correct": [...], "wrong": [...], "hard-coded": [...]}} from answers/NAME.yml."""
    return yaml.safe_load((HERE / "answers" / f"{name}.yml").read_text())


def question_of(nb, index):
    """The question whose answer cell is nb.cells[index]: the next `grader.check("q…")` cell's."""
    check = next(c.source for c in nb.cells[index + 1:] if c.source.startswith("grader.check("))
    return check.split('"')[1]


@functools.lru_cache(maxsize=None)
def read(path):
    return nbformat.read(path, as_version=4)


def fill(student, solutions, chosen):
    """The student notebook with each answer cell taken from `chosen` ({question: source}; None
    leaves the cell as handed out) or, for the other questions, from the solution."""
    nb = copy.deepcopy(read(Path(student)))
    solved = iter([c.source for c in read(Path(solutions)).cells if SOLUTION_TAG in c.metadata.get("tags", [])])
    for i, cell in enumerate(nb.cells):
        if ANSWER_TAG in cell.metadata.get("tags", []):
            solution = next(solved)
            answer = chosen.get(question_of(nb, i), solution)
            if answer is not None:
                cell.source = answer
    return nb


def graded_names(nb):
    """The functions the answer cells define."""
    return [node.name for cell in nb.cells if ANSWER_TAG in cell.metadata.get("tags", [])
            for node in ast.parse(cell.source).body if isinstance(node, ast.FunctionDef)]


def insert_after_question(nb, question, source):
    """Add a code cell after question `question`'s check cell."""
    index = next(i for i, c in enumerate(nb.cells) if c.source.startswith(f'grader.check("{question}")'))
    nb.cells.insert(index + 1, nbformat.v4.new_code_cell(source))
    return nb


def hard_coded(dist, name):
    student, solutions = paths(dist, name)
    return fill(student, solutions, {q: kinds["hard-coded"][0] for q, kinds in answers(name).items()})


def tampering(dist, name, *kinds):
    """Hard-coded answers and TAMPERING cells of `kinds`, before the notebook's last check."""
    nb = hard_coded(dist, name)
    for kind in kinds:
        source = TAMPERING[kind].replace("GRADED", repr(graded_names(nb)))
        last = max(i for i, c in enumerate(nb.cells) if c.cell_type == "code" and not c.source.startswith("grader.check_all"))
        nb.cells.insert(last, nbformat.v4.new_code_cell(source))
    return nb


# Kinds of BROKEN that are a cell added to a right submission, after a question's check.
ADDED = {"hang": ("q2", HANG), "crash": ("q2", CRASH), "exit": ("q2", "exit()"),
         "syntax-error": ("q2", "def broken(:\n    pass"), "big-output": ("q2", "print('x' * 2_000_000)"),
         "install": ("q1", "%pip install --upgrade numpy\n!pip install --upgrade scratchnet")}


def broken(dist, name, *kinds):
    """A submission of `kinds` (of BROKEN; several only of ADDED, with or without no-metadata): a
    notebook, or bytes for the unreadable ones."""
    student, solutions = paths(dist, name)
    nb = fill(student, solutions, {})
    if all(kind in ADDED for kind in kinds):
        for kind in kinds:
            nb = insert_after_question(nb, *ADDED[kind])
        return nb
    if set(kinds) - set(ADDED) == {"no-metadata"}:  # a notebook re-saved by a tool that drops otter's metadata
        nb = broken(dist, name, *[k for k in kinds if k in ADDED])
        nb.metadata = {"kernelspec": nb.metadata.get("kernelspec", {})}
        return nb
    (kind,) = kinds
    if kind == "foreign":
        return nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# Lab 3: pandas"),
                                               nbformat.v4.new_code_cell("import numpy as np\nprint(np.arange(3))")])
    if kind == "other-assignment":
        other = next(p for p in sorted((Path(dist) / "student").glob("*.ipynb")) if p.stem != name)
        return copy.deepcopy(read(other))
    if kind == "not-a-notebook":
        return b"%PDF-1.4\n% a PDF saved with the notebook's name\n"
    if kind == "empty-file":
        return b""
    raise ValueError(f"unknown kind {kind!r}")


def paths(dist, name):
    return Path(dist) / "student" / f"{name}.ipynb", Path(dist) / "solutions" / f"{name}.ipynb"


# How students of each kind answer a question: (what, probability).
PROFILES = {
    "strong": [("solution", 0.5), ("correct", 0.4), ("wrong", 0.1)],
    "average": [("solution", 0.3), ("correct", 0.3), ("wrong", 0.3), ("blank", 0.1)],
    "weak": [("correct", 0.2), ("wrong", 0.5), ("blank", 0.3)],
    "hard-coder": [("hard-coded", 1.0)],
}
SHARES = {"strong": 0.5, "average": 0.3, "weak": 0.12, "hard-coder": 0.08}


def student(dist, name, rng):
    """A random student's submission and what it holds ({question: "correct[1]", ...})."""
    profile = rng.choices(list(SHARES), weights=list(SHARES.values()))[0]
    chosen, picks = {}, {"profile": profile}
    for question, kinds in answers(name).items():
        what = rng.choices(*zip(*PROFILES[profile]))[0]
        picks[question] = what
        if what == "blank":
            chosen[question] = None
        elif what != "solution":
            index = rng.randrange(len(kinds[what]))
            chosen[question], picks[question] = kinds[what][index], f"{what}[{index}]"
    return fill(*paths(dist, name), chosen), picks


def write(content, path):
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        nbformat.write(content, path)


def make_class(dist, name, out, size=200, seed=0):
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    special = [("tampering", kind) for kind in TAMPERING] + [("broken", kind) for kind in BROKEN]
    if size < len(special):
        raise ValueError(f"a class needs at least {len(special)} students for every special kind")
    slots = rng.sample(range(size), len(special))
    manifest = {}
    for number in range(size):
        path = out / f"student-{number + 1:03d}.ipynb"
        if number in slots:
            group, kind = special[slots.index(number)]
            write(tampering(dist, name, kind) if group == "tampering" else broken(dist, name, kind), path)
            manifest[path.name] = {group: kind}
        else:
            nb, picks = student(dist, name, rng)
            write(nb, path)
            manifest[path.name] = picks
    (out / "manifest.json").write_text(json.dumps(manifest, indent=1))
    return manifest


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dist", type=Path, help="build.py's output folder (assignments/dist)")
    parser.add_argument("name", help="the assignment, e.g. hw1-activations-losses")
    parser.add_argument("out", type=Path, help="the folder to write the submissions into")
    parser.add_argument("--size", type=int, default=200)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    manifest = make_class(args.dist, args.name, args.out, args.size, args.seed)
    print(f"wrote {len(manifest)} submissions and manifest.json into {args.out}")


if __name__ == "__main__":
    main()
