"""The graded assignments (assignments/): they build, grade fairly and robustly, and leak nothing.

`dist` runs build.py (otter assign on every master, which fails if a solution fails one of its
tests run otter's way) into a temporary folder. `graded` then runs assignments/grade.py, as the
instructors' page does, on one folder per assignment: the solution, the unchanged notebook, a
partly correct one, right answers written otherwise than the solution, wrong ones, hard-coded
ones, and for hw1 every kind of tampering and breakage that make_class.py knows; the hang and a
submission that breaks its kernel's messages go to a fourth folder, graded with a short --timeout.
The four runs go at once: kernels talk over IPC sockets, so there are no ports to race for. About
three to four minutes in all on two cores.
"""
import csv
import html
import json
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import psutil
import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
ASSIGNMENTS = ROOT / "assignments"
sys.path.insert(0, str(ASSIGNMENTS))
import build  # noqa: E402
import grade  # noqa: E402
import make_class  # noqa: E402

NAMES = [m.stem for m in build.masters()]
HW1 = NAMES[0]
BIN = Path(sys.executable).parent
# hw1's extra submissions: kinds of make_class.TAMPERING and make_class.BROKEN, several to a
# notebook where they do not get in each other's way (the flags' details tell them apart).
TAMPERED = {"tamper-patches": ("patch-numpy", "patch-scratchnet", "patch-otter", "fake-numpy", "hooks", "rewrite-tests",
                               "read-tests", "forge-report", "escape"),
            "tamper-frames": ("frames",), "tamper-error-shows-the-test": ("error-shows-the-test",),
            "tamper-kill-grader": ("kill-grader",)}
BROKEN = {"broken-crash": ("crash",), "broken-exit": ("exit",), "broken-foreign": ("foreign",),
          "broken-other-assignment": ("other-assignment",), "broken-not-a-notebook": ("not-a-notebook",),
          "broken-empty-file": ("empty-file",), "broken-careless": ("syntax-error", "big-output", "install", "no-metadata")}
# These two take --timeout seconds each: they are graded in a folder of their own with a short one.
SLOW = {"broken-hang": ("broken", ("hang",)), "tamper-patch-builtins": ("tampering", ("patch-builtins",))}
SHORT_TIMEOUT = 20


def test_three_masters():
    assert NAMES == ["hw1-activations-losses", "hw2-backpropagation", "hw3-training"]


@pytest.fixture(scope="session")
def dist(tmp_path_factory):
    """assignments/dist, generated afresh (otter assign fails if a test fails on a solution)."""
    out = tmp_path_factory.mktemp("assignments") / "dist"
    build.main(["--out", str(out)])
    return out


def submissions(dist, name):
    """{file name: notebook or bytes}: the submissions graded for assignment `name`."""
    student, solutions = make_class.paths(dist, name)
    answers = make_class.answers(name)
    made = {"solution.ipynb": nbformat.read(solutions, as_version=4),
            "unchanged.ipynb": nbformat.read(student, as_version=4),
            "partial.ipynb": make_class.fill(student, solutions, {q: answers[q]["wrong"][0] for q in ("q1", "q3")})}
    for kind, index in (("correct", 0), ("correct", -1), ("wrong", 0), ("wrong", -1), ("hard-coded", 0)):
        chosen = {q: kinds[kind][index] for q, kinds in answers.items()}
        if index == 0 or any(len(kinds[kind]) > 1 for kinds in answers.values()):
            made[f"{kind}-{'first' if index == 0 else 'last'}.ipynb"] = make_class.fill(student, solutions, chosen)
    if name == HW1:
        made |= {f"{file}.ipynb": make_class.tampering(dist, name, *kinds) for file, kinds in TAMPERED.items()}
        made |= {f"{file}.ipynb": make_class.broken(dist, name, *kinds) for file, kinds in BROKEN.items()}
    return made


def test_hw1_folders_hold_every_kind():
    groups = [*TAMPERED.values(), *BROKEN.values(), *(kinds for _, kinds in SLOW.values())]
    assert sorted(k for kinds in groups for k in kinds) == sorted([*make_class.TAMPERING, *make_class.BROKEN])


def write_folder(folder, made):
    folder.mkdir(parents=True)
    for file, content in made.items():
        make_class.write(content, folder / file)
    return folder


def read_csv(path):
    with open(path, newline="") as f:
        return {row["submission"]: row for row in csv.DictReader(f)}


def grade_command(name, dist, folder, csv_path, *options):
    return [sys.executable, str(ASSIGNMENTS / "grade.py"), str(dist / "autograder" / f"{name}-autograder.zip"),
            str(folder), str(csv_path), *options]


def processes_mentioning(text):
    found = []
    for p in psutil.process_iter(["cmdline"]):
        try:
            if any(text in part for part in p.info["cmdline"] or []):
                found.append(p)
        except psutil.Error:
            pass
    return found


@pytest.fixture(scope="session")
def graded(dist, tmp_path_factory):
    """{run: (rows {file: CSV row}, results folder)} for every assignment and "timeouts", from
    grade.py runs started together; grade.py's temporary folders go under one TMPDIR."""
    base = tmp_path_factory.mktemp("graded")
    tmp = base / "tmp"
    tmp.mkdir()
    runs = {name: (name, submissions(dist, name), ()) for name in NAMES}
    runs[HW1] = (HW1, runs[HW1][1], ("--jobs", "2"))  # the largest folder
    slow = {f"{file}.ipynb": getattr(make_class, group)(dist, HW1, *kinds) for file, (group, kinds) in SLOW.items()}
    runs["timeouts"] = (HW1, slow, ("--timeout", str(SHORT_TIMEOUT)))
    started = {}
    for run, (name, made, options) in runs.items():
        folder = write_folder(base / run, made)
        command = grade_command(name, dist, folder, base / f"{run}.csv", *options)
        started[run] = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                        env={**os.environ, "TMPDIR": str(tmp)})
    result = {}
    for run, process in started.items():
        stdout, stderr = process.communicate()
        assert process.returncode == 0, f"{run}: {stdout}\n{stderr}"
        result[run] = (read_csv(base / f"{run}.csv"), base / f"{run}-results")
    result["leftovers"] = processes_mentioning(str(tmp)) + processes_mentioning("sleep 9876.5")
    result["dist"] = dist
    result["tmp"] = sorted(tmp.iterdir())
    return result


def test_build_writes_every_output(dist):
    for name in NAMES:
        for path in (dist / "student" / f"{name}.ipynb", dist / "autograder" / f"{name}-autograder.zip",
                     dist / "solutions" / f"{name}.ipynb"):
            assert path.stat().st_size > 0, path


def score(row, key="total"):
    return float(row[key])


def questions(row):
    return [key for key in row if re.fullmatch(r"q\d+", key)]


@pytest.mark.parametrize("name", NAMES)
def test_grades(graded, dist, name):
    rows, _ = graded[name]
    assert sorted(rows) == sorted(submissions(dist, name)), "a row for every submission"
    full = score(rows["solution.ipynb"], "max")
    assert len(questions(rows["solution.ipynb"])) >= 3 and full > 0
    for file, row in rows.items():
        assert score(row, "max") == full and sum(score(row, q) for q in questions(row)) == pytest.approx(score(row)), file
    assert score(rows["solution.ipynb"]) == full and rows["solution.ipynb"]["flags"] == ""
    assert score(rows["unchanged.ipynb"]) == 0 and rows["unchanged.ipynb"]["flags"] == ""
    assert 0 < score(rows["partial.ipynb"]) < full


@pytest.mark.parametrize("name", NAMES)
def test_right_answers_written_otherwise_get_full_marks(graded, name):
    rows, _ = graded[name]
    files = [f for f in rows if f.startswith("correct-")]
    assert files
    for file in files:
        assert score(rows[file]) == score(rows[file], "max") and rows[file]["flags"] == "", file


@pytest.mark.parametrize("name", NAMES)
def test_hard_coded_answers_get_nothing(graded, name):
    """The public tests' expected values, returned whatever the input: every public test passes
    (so they would have earned points before), no hidden one does. (hw3's q4 asks for a trained
    network: an untrained one stands in for a hard-coded answer.)"""
    rows, results = graded[name]
    assert score(rows["hard-coded-first.ipynb"]) == 0
    report = json.loads((results / "hard-coded-first.json").read_text())
    public = [t for t in report["tests"] if not t["hidden"] and (name, t["question"]) != ("hw3-training", "q4")]
    assert public and all(t["passed"] and t["points"] == 0 for t in public)


@pytest.mark.parametrize("name", NAMES)
def test_each_mistake_costs_points_once(graded, name):
    """A wrong answer loses points in its own question and in no other: hw2's q4 and hw3's q2,
    which use earlier questions' functions, are graded with reference versions of them."""
    rows, _ = graded[name]
    solution = rows["solution.ipynb"]
    for file, wrong in (("partial.ipynb", {"q1", "q3"}), ("wrong-first.ipynb", set(questions(solution)))):
        for q in questions(solution):
            if q in wrong:
                assert score(rows[file], q) < score(solution, q), (file, q)
            else:
                assert score(rows[file], q) == score(solution, q), (file, q)


def test_answers_name_real_questions(dist):
    for name in NAMES:
        checks = {c.source for c in nbformat.read(dist / "student" / f"{name}.ipynb", as_version=4).cells}
        answers = make_class.answers(name)
        assert answers and all(f'grader.check("{q}")' in checks for q in answers), name
        assert all(kinds["correct"] and kinds["wrong"] and kinds["hard-coded"] for kinds in answers.values()), name


def test_public_tests_earn_nothing(dist):
    """All the points are on hidden tests, and every question has some."""
    for name in NAMES:
        assignment = grade.load_assignment(dist / "autograder" / f"{name}-autograder.zip")
        for question in assignment.questions:
            assert all(t.points == 0 for t in question.tests if not t.hidden), (name, question.name)
            assert any(t.hidden for t in question.tests) and question.possible > 0, (name, question.name)


# --- A run that finishes whatever the submissions do ----------------------------------------

def flags_of(rows, file):
    return set(filter(None, rows[file]["flags"].split("; ")))


def report(results, file):
    return json.loads((results / f"{Path(file).stem}.json").read_text())


def test_every_flag_is_raised(graded):
    """The hw1 folders hold a submission for every flag grade.py knows."""
    seen = set()
    for run in (HW1, "timeouts"):
        rows, _ = graded[run]
        seen |= {flag for file in rows for flag in flags_of(rows, file)}
    assert seen == set(grade.FLAGS)
    assert all(f"    {flag}  " in grade.__doc__ for flag in grade.FLAGS), "grade.py's docstring explains every flag"


@pytest.mark.parametrize("kind, flag", [
    ("crash", "kernel died"), ("exit", "kernel died"), ("not-a-notebook", "not a notebook"),
    ("empty-file", "not a notebook"), ("other-assignment", "wrong assignment"), ("foreign", "not an otter notebook")])
def test_broken_submissions_get_a_row_and_no_points(graded, kind, flag):
    rows, _ = graded[HW1]
    file = f"broken-{kind}.ipynb"
    assert flag in flags_of(rows, file) and score(rows[file]) == 0


def test_what_can_be_graded_is(graded):
    """A notebook without otter's metadata, one with a syntax error, one printing megabytes and
    one that tries to install packages are graded: the right answers in them get their points."""
    rows, results = graded[HW1]
    file = "broken-careless.ipynb"
    assert score(rows[file]) == score(rows[file], "max")
    assert flags_of(rows, file) == {"not an otter notebook", "tried to install packages"}
    executed = nbformat.read(results / "broken-careless.ipynb", as_version=4)
    assert max(len(o.get("text", "")) for c in executed.cells for o in c.get("outputs", [])) < 200_000
    assert any(o.get("ename") == "SyntaxError" for c in executed.cells for o in c.get("outputs", []))
    assert report(results, "broken-careless.ipynb")["details"]["tried to install packages"] == [
        "%pip install --upgrade numpy", "!pip install --upgrade scratchnet"]


def test_hangs_are_killed(graded):
    rows, results = graded["timeouts"]
    for file in rows:
        assert flags_of(rows, file) >= {"timed out"} and score(rows[file]) == 0, file
    assert "in cell" in report(results, "broken-hang.ipynb")["details"]["timed out"][0]


def test_nothing_is_left_running(graded):
    """Every kernel, and the processes a submission started (one in a new session, one orphaned),
    are gone when grade.py exits, and so are its temporary folders."""
    assert graded["leftovers"] == [] and graded["tmp"] == []
    rows, results = graded[HW1]
    assert "left processes running" in flags_of(rows, "tamper-patches.ipynb")


# --- Tampering: the tests run outside the student's kernel ----------------------------------

@pytest.mark.parametrize("kind, flag, detail", [
    ("patch-numpy", "tampering suspected", "numpy.allclose was replaced"),
    ("patch-scratchnet", "tampering suspected", "scratchnet.accuracy was replaced"),
    ("patch-otter", "tampering suspected", "otter.test_files.exception_test.ExceptionTestFile.run was replaced"),
    ("hooks", "tampering suspected", "kernel hook input_transformers_post was added"),
    ("rewrite-tests", "tampering suspected", "the notebook changed tests/q1.py"),
    ("read-tests", "suspicious code", "refers to the tests/ folder"),
    ("frames", "suspicious code", "frame access"),
    ("error-shows-the-test", "suspicious code", "frame access"),
    ("fake-numpy", "tampering suspected", "sys.modules['numpy'] was replaced"),
    ("forge-report", "suspicious code", "looks for the grader's process"),
    ("kill-grader", "grader error", "killed by the submission?"),
    ("escape", "left processes running", "sleep"),
])
def test_tampering_earns_nothing_and_is_flagged(graded, kind, flag, detail):
    """Hard-coded answers plus a cell that tampers: no points (the hard-coded answers alone earn
    none), and the flag and its detail say what happened."""
    rows, results = graded[HW1]
    file = next(f"{file}.ipynb" for file, kinds in TAMPERED.items() if kind in kinds)
    assert score(rows[file]) <= 0.2 * score(rows[file], "max")
    assert flag in flags_of(rows, file)
    assert any(detail in d for d in report(results, file)["details"][flag])


def test_breaking_the_kernel_is_flagged(graded):
    rows, results = graded["timeouts"]
    assert "suspicious code" in flags_of(rows, "tamper-patch-builtins.ipynb")


def test_otter_in_the_kernel_is_fooled_where_grade_py_is_not(dist, tmp_path):
    """Why the tests run outside the kernel: `otter run` (as Gradescope grades) gives the
    submission that patches otter's test runner full marks; grade.py gave it none (above)."""
    path = tmp_path / "submission.ipynb"
    nbformat.write(make_class.tampering(dist, HW1, "patch-otter"), path)
    zip_path = dist / "autograder" / f"{HW1}-autograder.zip"
    run = subprocess.run([sys.executable, "-c", build.OTTER, "run", "--no-logo", "-a", str(zip_path), "-o", str(tmp_path),
                          str(path)], cwd=tmp_path, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    tests = json.loads((tmp_path / "results.json").read_text())["tests"]
    scored = [t for t in tests if "score" in t]
    assert scored and all(t["score"] == t["max_score"] > 0 for t in scored)


def hidden_lines(min_length=20):
    """Lines of the masters' hidden tests (20 characters or more) that are in no public line."""
    hidden = {normal(line) for m in build.masters() for line in master_parts(m)[1]}
    public = "\n".join(normal(line) for m in build.masters() for line in master_parts(m)[2])
    return {line for line in secret_lines(min_length) if line in hidden and line not in public}


def test_no_result_shows_a_hidden_test(graded):
    """Nothing grade.py writes (the CSV, the results, the outputs of the executed notebooks)
    holds a line of a hidden test, even for an answer whose error message is its caller's file."""
    hidden = hidden_lines()
    assert len(hidden) > 50
    import zipfile
    with zipfile.ZipFile(graded["dist"] / "autograder" / f"{HW1}-autograder.zip") as z:  # the check can fail:
        assert any(line in z.read("tests/q1.py").decode().replace('"', "'") for line in hidden)  # the zip shows them
    for run in (*NAMES, "timeouts"):
        rows, results = graded[run]
        for path in [*results.iterdir(), results.with_name(f"{run}.csv")]:
            text = path.read_text()
            if path.suffix == ".ipynb":  # the student's own code may share a line with a test: its outputs
                text = json.dumps([c.get("outputs", []) for c in nbformat.reads(text, as_version=4).cells])
            text = text.replace('\\"', '"').replace('"', "'")
            leaked = [line for line in hidden if line in text]
            assert not leaked, f"{path.name}: {leaked[:3]}"
    message = report(graded[HW1][1], "tamper-error-shows-the-test.ipynb")["tests"][1]["message"]
    assert message.startswith("show_the_test raised FileNotFoundError")


# --- Interrupted runs ------------------------------------------------------------------------

def test_an_interrupted_run_keeps_its_rows_and_resumes(dist, tmp_path):
    """The CSV is written as grading goes: interrupted (Ctrl-C) while a submission hangs, it keeps
    the rows graded so far and nothing keeps running; --resume grades only what is missing."""
    folder = write_folder(tmp_path / "class", {"a.ipynb": make_class.broken(dist, HW1, "empty-file"),
                                               "b.ipynb": make_class.broken(dist, HW1, "hang")})
    grades = tmp_path / "grades.csv"
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    # Ctrl-C's default action in grade.py, as in a terminal: a shell starts a background job (`make test &`)
    # with SIGINT ignored, and Python keeps an ignored SIGINT ignored, so grade.py would never see it
    process = subprocess.Popen(grade_command(HW1, dist, folder, grades), env={**os.environ, "TMPDIR": str(tmp)},
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    try:
        while not (grades.exists() and "a.ipynb" in grades.read_text()) and process.poll() is None:
            time.sleep(0.2)
        while not processes_mentioning(str(tmp) + "/") and process.poll() is None:  # b's kernel has started
            time.sleep(0.2)
        process.send_signal(signal.SIGINT)
        _, stderr = process.communicate(timeout=60)
    except BaseException:  # a failure here leaves no grader or kernel running into the next tests
        for p in processes_mentioning(str(tmp) + "/"):
            p.kill()
        process.kill()
        process.communicate()
        raise
    assert process.returncode == 130 and "--resume" in stderr
    assert sorted(read_csv(grades)) == ["a.ipynb"]
    assert processes_mentioning(str(tmp)) == []
    nbformat.write(nbformat.read(dist / "solutions" / f"{HW1}.ipynb", as_version=4), folder / "b.ipynb")
    run = subprocess.run(grade_command(HW1, dist, folder, grades, "--resume"), capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    rows = read_csv(grades)
    assert list(rows) == ["a.ipynb", "b.ipynb"] and score(rows["b.ipynb"]) == score(rows["b.ipynb"], "max")
    assert "1/2" not in run.stdout and "2/2 b.ipynb" in run.stdout


def test_a_bad_zip_is_an_error_before_grading(tmp_path):
    (tmp_path / "class").mkdir()
    (tmp_path / "class" / "a.ipynb").write_text("{}")
    (tmp_path / "not.zip").write_text("not a zip")
    run = subprocess.run([sys.executable, str(ASSIGNMENTS / "grade.py"), str(tmp_path / "not.zip"), str(tmp_path / "class"),
                          str(tmp_path / "g.csv")], capture_output=True, text=True)
    assert run.returncode == 2 and "cannot read the autograder zip" in run.stderr and not (tmp_path / "g.csv").exists()


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
    secrets = secret_lines(min_length=10)  # shorter lines (try:, return G) are any code's
    assert len(secrets) > 100
    for name in NAMES:
        text = (dist / "student" / f"{name}.ipynb").read_text()
        nb = nbformat.reads(text, as_version=4)
        lines = {normal(line) for cell in nb.cells for line in cell.source.splitlines()}
        lines |= {normal(line) for source in nb.metadata["otter"]["tests"].values() for line in source.splitlines()}
        assert not secrets & lines, f"{name}: {sorted(secrets & lines)[:5]}"
        assert "hidden=True" not in text and "BEGIN SOLUTION" not in text


def test_student_notebooks_give_no_answer_away(dist):
    """What students get names no formula that a question asks for: hw3's q3 answer cell is its
    signature, a docstring that restates the question, and `...`."""
    nb = nbformat.read(dist / "student" / "hw3-training.ipynb", as_version=4)
    cell = next(c for c in nb.cells if c.source.startswith("def max_learning_rate"))
    assert cell.source.splitlines()[-1].strip() == "..."
    assert not re.search(r"λ|eig|2 /|max\(", cell.source), cell.source
    assert "2 / 2" not in json.dumps(nb.metadata["otter"]["tests"])


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


def book_secrets():
    """Solution and hidden test lines of 20 characters or more (shorter ones, like `return grads`,
    are common code) that are not in the package (which the chapters show) and not shared with
    the chapters on purpose."""
    package = "\n".join(p.read_text() for p in (ROOT / "code" / "scratchnet").glob("*.py")).replace('"', "'")
    secrets = {line for line in secret_lines(min_length=20) if line not in package}
    assert SHARED_WITH_CHAPTERS <= secrets
    return secrets - SHARED_WITH_CHAPTERS


def leaks(book):
    """[(published file, secret lines in it)] for a built website (secrets: book_secrets)."""
    secrets = book_secrets()
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


CHAPTERS = ROOT / "chapters"


def notebook_text(path):
    """A chapter as its reader can get it: every cell's source and every stored text output."""
    if path.suffix != ".ipynb":
        return path.read_text()
    parts = []
    for cell in nbformat.read(path, as_version=4).cells:
        parts.append(cell.source)
        for output in cell.get("outputs", []):
            parts.append(output.get("text", ""))
            parts += [str(value) for mime, value in output.get("data", {}).items() if mime.startswith("text/")]
    return "\n".join(parts)


def graded_functions():
    """The names of the functions the masters' solutions define: what the assignments grade."""
    names = set()
    for master in build.masters():
        for cell in nbformat.read(master, as_version=4).cells:
            if cell.cell_type == "code" and "# BEGIN SOLUTION" in cell.source:
                names |= set(re.findall(r"^def (\w+)", cell.source, flags=re.M))
    return names


def chapter_leaks(paths):
    """[(chapter, secret lines in it, graded functions it defines)] for the chapters that have either."""
    secrets, graded = book_secrets(), graded_functions()
    found = []
    for path in paths:
        text = notebook_text(path).replace('"', "'")
        leaked = sorted(line for line in secrets if line in text)
        defined = sorted(set(re.findall(r"^\s*def (\w+)", text, flags=re.M)) & graded)
        if leaked or defined:
            found.append((path.name, leaked[:3], defined))
    return found


def test_chapters_hold_no_solution_or_hidden_test():
    """Every chapter, read directly (sources and stored outputs; no website build needed): no line
    of a solution or hidden test, and no definition of a function that an assignment grades (hw2's
    L2-regularised backpropagation, hw3's momentum and mini-batch training, ...), however written."""
    chapters = sorted([*CHAPTERS.glob("*.ipynb"), *CHAPTERS.glob("*.md")])
    assert CHAPTERS / "generalisation.ipynb" in chapters and len(chapters) >= 8
    assert {"backward_l2", "l2_cost", "momentum_step", "train_momentum"} <= graded_functions()
    assert chapter_leaks(chapters) == []


def test_chapter_check_finds_a_pasted_solution(tmp_path):
    """The check above can fail: hw2's solution pasted into a copy of a chapter is caught, and so
    is a graded function written anew."""
    master = nbformat.read(build.masters()[1], as_version=4)
    solved = [cell.source for cell in master.cells if "# BEGIN SOLUTION" in cell.source]
    nb = nbformat.read(CHAPTERS / "generalisation.ipynb", as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell("\n\n".join(solved)))
    nbformat.write(nb, tmp_path / "pasted.ipynb")
    nb.cells[-1] = nbformat.v4.new_code_cell("def momentum_step(p, g, v, a, b):\n    return p, v")
    nbformat.write(nb, tmp_path / "rewritten.ipynb")
    found = {name: (leaked, defined) for name, leaked, defined in
             chapter_leaks([tmp_path / "pasted.ipynb", tmp_path / "rewritten.ipynb"])}
    assert found.keys() == {"pasted.ipynb", "rewritten.ipynb"}
    assert found["pasted.ipynb"][0] and "backward_l2" in found["pasted.ipynb"][1]
    assert found["rewritten.ipynb"] == ([], ["momentum_step"])


# --- Student notebooks run their public tests with nothing but scratchnet -----------------

def execute(nb, cwd):
    """Run `nb` in a kernel of this Python (over IPC) in `cwd`; {cell source: its text output}."""
    from jupyter_client.manager import KernelManager
    from nbclient import NotebookClient
    km = KernelManager(kernel_name="python3", transport="ipc", connection_file=str(cwd / "kernel.json"))
    NotebookClient(nb, km=km, timeout=300, resources={"metadata": {"path": str(cwd)}}).execute(cleanup_kc=True)
    if km.has_kernel:
        km.shutdown_kernel(now=True)
    return {c.source: "".join(o.get("text", "") + str(o.get("data", {}).get("text/plain", "")) for o in c.outputs)
            for c in nb.cells if c.cell_type == "code"}


def test_setup_cell_is_generated(dist):
    for name in NAMES:
        for kind in ("student", "solutions"):
            nb = nbformat.read(dist / kind / f"{name}.ipynb", as_version=4)
            cell = next(c for c in nb.cells if c.cell_type == "code")
            assert cell.source == build.setup_source(nbformat.read(dist / "student" / f"{name}.ipynb", as_version=4)
                                                     .metadata["otter"]["tests"])
            assert build.requirement() in cell.source and "otter" not in cell.source


NO_OTTER = "import sys\nsys.modules['otter'] = None  # `import otter` now fails: students need no otter"


def checks(outputs):
    return {source: text for source, text in outputs.items() if source.startswith("grader.check(")}


def test_public_checks_need_no_otter(dist, tmp_path):
    """The solution passes every public check, with otter made impossible to import and no tests/
    folder; the unchanged notebook fails them, showing the public test's line that failed."""
    name = NAMES[0]
    solved = nbformat.read(dist / "solutions" / f"{name}.ipynb", as_version=4)
    unchanged = nbformat.read(dist / "student" / f"{name}.ipynb", as_version=4)
    for nb in (solved, unchanged):
        nb.cells.insert(0, nbformat.v4.new_code_cell(NO_OTTER))
    passed = checks(execute(solved, tmp_path))
    assert len(passed) == 4 and all(t == f"{s.split(chr(34))[1]}: all public tests passed (hidden tests decide the grade)\n"
                                    for s, t in passed.items()), passed
    failed = checks(execute(unchanged, tmp_path))
    assert "q1: 1 of 1 public tests failed\n  test_elu_values, at: assert elu(Z).shape == Z.shape" in failed['grader.check("q1")']
    assert not (tmp_path / "tests").exists()


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
    assert any("grade.py" in c for c in commands) and any("make_class.py" in c for c in commands)
    work = tmp_path / "work"
    (work / "assignments").mkdir(parents=True)
    shutil.copytree(dist, work / "assignments" / "dist")
    for script in ("build.py", "grade.py", "in_kernel.py", "make_class.py"):
        shutil.copy(ASSIGNMENTS / script, work / "assignments" / script)
    shutil.copytree(ASSIGNMENTS / "answers", work / "assignments" / "answers")
    (work / ".venv").symlink_to(BIN.parent)
    write_folder(work / "submissions" / "hw1", {"partial.ipynb": submissions(dist, HW1)["partial.ipynb"]})
    ran = 0
    for command in commands:
        words = shlex.split(command)
        if words[0] == "make":
            subprocess.run(["make", "-n", *words[1:]], cwd=ROOT, check=True, capture_output=True)
        elif words[0] not in ("git", "cd"):
            run = subprocess.run(command, shell=True, cwd=work, capture_output=True, text=True)
            assert run.returncode == 0, f"{command}\n{run.stdout}\n{run.stderr}"
            ran += 1
    assert ran >= 2
    rows = read_csv(work / "hw1-grades.csv")
    assert list(rows) == ["partial.ipynb"] and 0 < score(rows["partial.ipynb"]) < score(rows["partial.ipynb"], "max")
    assert (work / "hw1-grades-results" / "partial.json").is_file()
    assert len(list((work / "class-hw1").glob("*.ipynb"))) == 200


def test_the_setup_cell_is_scanned_only_when_changed(dist):
    """The setup cell build.py wrote runs pip in a subprocess: not the student's code, not flagged.
    The same cell changed by the student is read like any other."""
    assignment = grade.load_assignment(dist / "autograder" / f"{HW1}-autograder.zip")
    nb = nbformat.read(dist / "student" / f"{HW1}.ipynb", as_version=4)
    assert build.setup_cell(nb).source == assignment.setup and grade.scan(nb, assignment.setup) == []
    build.setup_cell(nb).source += "\nnp.allclose = lambda *args: True"
    assert sorted(grade.scan(nb, assignment.setup)) == ["assigns np.allclose (cell 2)", "runs commands (cell 2)"]
