"""The graded assignments (assignments/): they build, grade fairly, and leak nothing.

One session fixture runs `assignments/build.py` (otter assign on every master) into a temporary
folder, and one grades, per assignment, a folder of three submissions (the unchanged student
notebook, a partly correct one, the solution) with assignments/grade.py, the command the
instructors' page gives. `otter run` takes a few seconds per notebook: about two to three
minutes in all.
"""
import csv
import html
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
import yaml
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parent.parent
ASSIGNMENTS = ROOT / "assignments"
sys.path.insert(0, str(ASSIGNMENTS))
import build  # noqa: E402

NAMES = [m.stem for m in build.masters()]
BIN = Path(sys.executable).parent


def test_three_masters():
    assert NAMES == ["hw1-activations-losses", "hw2-backpropagation", "hw3-training"]


@pytest.fixture(scope="session")
def dist(tmp_path_factory):
    """assignments/dist, generated afresh (otter assign fails if a test fails on a solution)."""
    out = tmp_path_factory.mktemp("assignments") / "dist"
    build.main(["--out", str(out)])
    return out


def submissions(dist, name, folder):
    """Three submissions of one assignment: unchanged, partly correct, solution."""
    folder.mkdir(parents=True)
    student, solutions = dist / "student" / f"{name}.ipynb", dist / "solutions" / f"{name}.ipynb"
    shutil.copy(student, folder / "unchanged.ipynb")
    shutil.copy(solutions, folder / "solution.ipynb")
    answers = yaml.safe_load((ASSIGNMENTS / "partial" / f"{name}.yml").read_text())
    nbformat.write(build.fill(student, solutions, answers), folder / "partial.ipynb")
    return folder


@pytest.fixture(scope="session")
def grades(dist, tmp_path_factory):
    """{assignment: {submission file: CSV row}}, from grade.py run as the instructors' page says
    (the three assignments at once)."""
    runs = {}
    for name in NAMES:
        tmp = tmp_path_factory.mktemp(name)
        folder = submissions(dist, name, tmp / "submissions")
        command = [sys.executable, str(ASSIGNMENTS / "grade.py"), str(dist / "autograder" / f"{name}-autograder.zip"),
                   str(folder), str(tmp / "grades.csv")]
        runs[name] = (subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True), tmp)
    result = {}
    for name, (process, tmp) in runs.items():
        _, stderr = process.communicate()
        assert process.returncode == 0, stderr
        with open(tmp / "grades.csv", newline="") as f:
            result[name] = {row["submission"]: row for row in csv.DictReader(f)}
    return result


def test_build_writes_every_output(dist):
    for name in NAMES:
        for path in (dist / "student" / f"{name}.ipynb", dist / "autograder" / f"{name}-autograder.zip",
                     dist / "solutions" / f"{name}.ipynb"):
            assert path.stat().st_size > 0, path


@pytest.mark.parametrize("name", NAMES)
def test_grades(grades, name):
    rows = grades[name]
    assert sorted(rows) == ["partial.ipynb", "solution.ipynb", "unchanged.ipynb"]
    questions = [key for key in rows["solution.ipynb"] if re.fullmatch(r"q\d+", key)]
    assert len(questions) >= 3, "a few questions each"
    full = float(rows["solution.ipynb"]["max"])
    assert full > 0 and all(float(row["max"]) == full for row in rows.values())
    assert float(rows["unchanged.ipynb"]["total"]) == 0
    assert float(rows["solution.ipynb"]["total"]) == full
    assert 0 < float(rows["partial.ipynb"]["total"]) < full
    assert sum(float(rows["partial.ipynb"][q]) for q in questions) == pytest.approx(float(rows["partial.ipynb"]["total"]))


def test_partial_answers_name_real_questions(dist):
    """Each partly correct answer replaces the answer cell of a question the notebook has."""
    for name in NAMES:
        answers = yaml.safe_load((ASSIGNMENTS / "partial" / f"{name}.yml").read_text())
        checks = {c.source for c in nbformat.read(dist / "student" / f"{name}.ipynb", as_version=4).cells}
        assert answers and all(f'grader.check("{q}")' in checks for q in answers), name


def test_partial_mistakes_cost_points(grades):
    for name in NAMES:
        answers = yaml.safe_load((ASSIGNMENTS / "partial" / f"{name}.yml").read_text())
        rows = grades[name]
        for q in answers:
            assert float(rows["partial.ipynb"][q]) < float(rows["solution.ipynb"][q]), (name, q)


# --- Nothing secret reaches students or the website ---------------------------------------

def master_parts(path):
    """(solution lines, hidden test lines, public text) of a master notebook."""
    nb = nbformat.read(path, as_version=4)
    solution, hidden, public = [], [], []
    block = None
    for cell in nb.cells:
        first = cell.source.splitlines()[0] if cell.source else ""
        if cell.cell_type == "raw" and re.match(r"# (BEGIN|END) (SOLUTION|TESTS)", first):
            block = first.split()[2] if first.split()[1] == "BEGIN" else None
            continue
        if block == "TESTS":
            is_hidden = re.search(r"BEGIN TEST CONFIG(.|\n)*hidden:\s*true", cell.source)
            (hidden if is_hidden else public).extend(cell.source.splitlines())
            continue
        inside = False
        for line in cell.source.splitlines():
            if line.strip() == "# BEGIN SOLUTION":
                inside = True
            elif line.strip() == "# END SOLUTION":
                inside = False
            elif inside or line.rstrip().endswith("# SOLUTION"):
                solution.append(line)
            else:
                public.append(line)
    return solution, hidden, public


def normal(line):
    """A line stripped, with ' for " (otter rewrites the tests' quotes)."""
    return line.strip().replace('"', "'")


def secret_lines(min_length=0):
    """Lines that occur only in the masters' solutions and hidden tests (not in a public part)."""
    secrets, public = set(), set()
    for master in build.masters():
        solution, hidden, shown = master_parts(master)
        secrets |= {normal(line) for line in solution + hidden}
        public |= {normal(line) for line in shown}
    return {line for line in secrets - public if len(line) >= max(min_length, 1)}


def test_masters_have_solutions_and_hidden_tests():
    for master in build.masters():
        solution, hidden, _ = master_parts(master)
        assert len(solution) >= 10 and len(hidden) >= 10, master.name


def test_student_notebooks_hold_no_solution_or_hidden_test(dist):
    secrets = secret_lines()
    assert len(secrets) > 100
    for name in NAMES:
        text = (dist / "student" / f"{name}.ipynb").read_text()
        nb = nbformat.reads(text, as_version=4)
        lines = {normal(line) for cell in nb.cells for line in cell.source.splitlines()}
        lines |= {normal(line) for source in nb.metadata["otter"]["tests"].values() for line in source.splitlines()}
        assert not secrets & lines, f"{name}: {sorted(secrets & lines)[:5]}"
        assert "hidden=True" not in text and "BEGIN SOLUTION" not in text


def website_text(root):
    """Every published file's text as a reader sees it: HTML without tags, notebooks' cells."""
    for path in root.rglob("*"):
        if not path.is_file() or path.suffix in {".png", ".jpg", ".svg", ".woff", ".woff2", ".ttf", ".ico", ".inv"}:
            continue
        text = path.read_text(errors="ignore")
        if path.suffix == ".ipynb":
            nb = nbformat.reads(text, as_version=4)
            text = "\n".join(cell.source for cell in nb.cells)
        elif path.suffix == ".html":
            text = html.unescape(re.sub(r"<[^>]+>", "", text))
        yield path, text


# Solution lines that the chapters may write too: the assignments ask for variations of the
# chapters' code, which can share a line with it (the bias gradient is the one of 3.7.4's
# three-layer exercise). Every other coincidence fails the test below.
SHARED_WITH_CHAPTERS = {"delta = cache[f'A{L}'] - Y", "grads[f'db{l}'] = delta.sum(axis=1, keepdims=True) / m"}


def leaks(book):
    """[(published file, secret lines in it)] for a built website. Secrets: solution and hidden
    test lines of 20 characters or more (shorter ones, like `return grads`, are common code) that
    are not in the package (which the chapters show)."""
    package = "\n".join(p.read_text() for p in (ROOT / "code" / "scratchnet").glob("*.py")).replace('"', "'")
    secrets = {line for line in secret_lines(min_length=20) if line not in package}
    assert SHARED_WITH_CHAPTERS <= secrets
    secrets -= SHARED_WITH_CHAPTERS
    found = []
    for path, text in website_text(book):
        text = text.replace('"', "'")
        leaked = [line for line in secrets if line in text]
        if leaked or any(path.name.startswith(name) for name in NAMES):
            found.append((str(path.relative_to(book)), leaked[:3]))
    return found


def test_website_publishes_no_solution_or_hidden_test():
    book = Path(os.environ.get("BOOK_HTML", ROOT / "_build" / "html"))
    if not (book / "index.html").exists():
        pytest.skip(f"no website built at {book} (make book builds it)")
    assert "assignments" in yaml.safe_load((ROOT / "_config.yml").read_text())["exclude_patterns"]
    assert leaks(book) == []


def test_leak_check_finds_a_published_master(tmp_path):
    """The check above can fail: a site that publishes a master (page and source) is caught."""
    master = build.masters()[1]
    (tmp_path / "_sources").mkdir()
    shutil.copy(master, tmp_path / "_sources" / "page.ipynb")
    solution, _, _ = master_parts(master)
    code = "".join(f"<span>{html.escape(line)}</span>\n" for line in solution)
    (tmp_path / "page.html").write_text(f"<html><pre>{code}</pre></html>")
    found = dict(leaks(tmp_path))
    assert found.keys() == {"_sources/page.ipynb", "page.html"} and all(found.values())


# --- Student notebooks run their public tests, locally and in (simulated) Colab ----------

def execute(nb, cwd):
    NotebookClient(nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(cwd)}}).execute()
    return {c.source: "".join(o.get("text", "") + str(o.get("data", {}).get("text/plain", "")) for o in c.outputs)
            for c in nb.cells if c.cell_type == "code"}


def test_setup_cell_is_generated(dist):
    for name in NAMES:
        nb = nbformat.read(dist / "student" / f"{name}.ipynb", as_version=4)
        cell = next(c for c in nb.cells if c.cell_type == "code")
        assert cell.source == build.setup_source(nb.metadata["otter"]["tests"])
        assert "otter-grader==7.0.0" in cell.source and build.requirement() in cell.source


def checks_pass(outputs, name):
    checks = {source: text for source, text in outputs.items() if source.startswith("grader.check(")}
    assert len(checks) >= 3, name
    for source, text in checks.items():
        assert "All test cases passed" in text, f"{name} {source}: {text}"


def test_public_tests_run_from_the_notebook_metadata(dist, tmp_path):
    """Jupyter: otter reads the public tests from the saved notebook; there is no tests/ folder."""
    name = NAMES[0]
    nb = build.fill(dist / "student" / f"{name}.ipynb", dist / "solutions" / f"{name}.ipynb", {})
    nbformat.write(nb, tmp_path / f"{name}.ipynb")
    checks_pass(execute(nb, tmp_path), name)
    assert not (tmp_path / "tests").exists()


COLAB = '''\
# Make otter and the setup cell believe they run in Colab, as otter detects it.
import sys, types
import otter.check.utils
otter.check.utils.IPythonInterpreter.COLAB.value.running = lambda: True
sys.modules["google.colab"] = types.ModuleType("google.colab")'''


def test_public_tests_run_in_colab(dist, tmp_path):
    """Colab: no notebook file next to the kernel; the setup cell writes the public tests."""
    name = NAMES[0]
    nb = build.fill(dist / "student" / f"{name}.ipynb", dist / "solutions" / f"{name}.ipynb", {})
    tests = nb.metadata["otter"]["tests"]
    nb.cells.insert(0, nbformat.v4.new_code_cell(COLAB))
    checks_pass(execute(nb, tmp_path), name)
    assert {p.stem: p.read_text() for p in (tmp_path / "tests").glob("*.py")} == tests


def test_colab_needs_the_tests_folder(tmp_path):
    """Why the setup cell writes tests/: in Colab, otter refuses to start without it."""
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(COLAB), nbformat.v4.new_code_cell(
        "import otter\ntry:\n    otter.Notebook()\nexcept ValueError as e:\n    print(e)")])
    assert "Tests directory ./tests does not exist" in execute(nb, tmp_path)[nb.cells[1].source]


# --- The instructors' page: its commands work as written --------------------------------

PAGE = ROOT / "chapters" / "instructors.md"


def page_commands():
    """The lines of the page's ```bash blocks."""
    blocks = re.findall(r"```bash\n(.*?)```", PAGE.read_text(), flags=re.S)
    return [line for block in blocks for line in block.splitlines() if line.strip() and not line.startswith("#")]


def test_page_commands_run(dist, tmp_path):
    """In a copy of the repository's layout (dist from the fixture), run every command of the
    page except `make` (checked with make -n) and git (it needs your remote)."""
    commands = page_commands()
    assert any("grade.py" in c for c in commands) and any("otter run" in c for c in commands)
    work = tmp_path / "work"
    (work / "assignments").mkdir(parents=True)
    shutil.copytree(dist, work / "assignments" / "dist")
    for script in ("build.py", "grade.py"):
        shutil.copy(ASSIGNMENTS / script, work / "assignments" / script)
    (work / ".venv").symlink_to(BIN.parent)
    submissions(dist, NAMES[0], work / "submissions" / "hw1")
    ran = 0
    for command in commands:
        words = shlex.split(command)
        if words[0] == "make":
            subprocess.run(["make", "-n", *words[1:]], cwd=ROOT, check=True, capture_output=True)
        elif words[0] not in ("git", "cd"):
            run = subprocess.run(command, shell=True, cwd=work, capture_output=True, text=True)
            assert run.returncode == 0, f"{command}\n{run.stdout}\n{run.stderr}"
            ran += 1
    assert ran >= 3
    grades = list(work.rglob("*.csv"))
    assert [g.name for g in grades] == ["hw1-grades.csv"]
    assert len(grades[0].read_text().splitlines()) == 1 + 3, "a header and a row per submission"
