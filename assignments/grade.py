"""Grade a folder of submitted notebooks into one CSV, one row per submission whatever happens.

    python assignments/grade.py AUTOGRADER_ZIP SUBMISSIONS_DIR GRADES_CSV [--timeout 120] [--jobs 2]

Every `*.ipynb` in SUBMISSIONS_DIR is run top to bottom in a fresh kernel of this Python (never
Docker: this runs the students' code on your machine, as you), then graded by every test in the
zip that `make assignments` built, public and hidden. The tests run in this program's own process,
not in the student's kernel: a test calls the student's function through the kernel and checks
what comes back here, with numpy and scratchnet that the student's code cannot reach. A notebook
that patches numpy, scratchnet or otter, or rewrites test files, changes nothing but its own flags.

GRADES_CSV gets a row per submission (named by its file name): the score of each question, the
total, the maximum and `flags`, what a person should look at. It is written as grading goes (an
interrupted run keeps what it graded; `--resume` grades only the submissions it lacks) and sorted
at the end. Flags, separated by "; ":

    timed out            the submission ran longer than --timeout seconds: it was killed, 0 points
    kernel died          its kernel exited (os._exit, a crash, exit()): 0 points
    not a notebook       the file is not a readable notebook: 0 points
    wrong assignment     its otter metadata names another assignment: not run, 0 points
    not an otter notebook  no otter metadata (saved by another tool?): graded anyway
    tampering suspected  it changed numpy, scratchnet, otter, the kernel's hooks or tests/, or
                         broke grade.py's helper in its kernel: graded, the scores stand
    suspicious code      code that reaches for frames, processes, hooks or modules' attributes
    left processes running  processes it started were still running at the end: killed
    tried to install packages  %pip or !pip (turned off while grading)
    grader error         grade.py itself failed on it: 0 points (the details say why)

Beside the CSV, GRADES-results/ holds for each submission NAME.json (every test: passed or not,
its message, with no test's source) and NAME.ipynb (the notebook as it ran, with its outputs): what
to look at for a regrade request. Each submission runs in its own worker process and session;
when it ends or times out, its kernel and every process it started are killed.
"""
import argparse
import ast
import base64
import csv
import hashlib
import inspect
import io
import json
import os
import re
import secrets
import signal
import subprocess
import sys
import tempfile
import threading
import time
import traceback
import warnings
import zipfile
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
DEFAULT_TIMEOUT = 120  # seconds per submission: a solution takes a few seconds
GRACE = 20  # seconds a worker gets past --timeout to report before it is killed from outside
MAX_REPLY = 64 * 2 ** 20  # bytes of one value sent back from a kernel
MAX_OUTPUT = 100_000  # characters of text output kept per cell in the executed notebook
FLAGS = {  # what the docstring says of each
    "timed out": "killed after --timeout seconds", "kernel died": "its kernel exited",
    "not a notebook": "not a readable notebook", "wrong assignment": "metadata of another assignment",
    "not an otter notebook": "no otter metadata", "tampering suspected": "changed what tests rely on",
    "suspicious code": "code a person should read", "left processes running": "processes killed at the end",
    "tried to install packages": "%pip or !pip", "grader error": "grade.py itself failed"}
SETUP_FILE = "student-setup-cell.py"  # in the zip: build.py's setup cell (see build.SETUP_FILE)
FATAL = ("timed out", "kernel died", "not a notebook", "wrong assignment", "grader error")  # 0 points


# ----------------------------------------------------------------------------- the tests

@dataclass
class Test:
    name: str
    points: float
    hidden: bool
    function: object
    path: str  # the file name its code was compiled under (for line numbers)


@dataclass
class Question:
    name: str
    tests: list
    all_or_nothing: bool = False

    @property
    def possible(self):
        return sum(t.points for t in self.tests)


class test_case:
    """Stands in for otter.test_files.test_case when grade.py reads a test file."""

    def __init__(self, name=None, points=None, hidden=False, success_message=None, failure_message=None):
        self.name, self.points, self.hidden, self.failure_message = name, points, hidden, failure_message

    def __call__(self, function):
        self.function = function
        return self


def resolve_points(total, cases):
    """Each case's points, as otter resolves them: unspecified cases share what is left of the
    question's points (or 1 point, if the question has none)."""
    if isinstance(total, list):
        return [float(p) for p in total]
    given = [c.points for c in cases]
    unset = sum(p is None for p in given)
    if total is None:
        share = 1 / unset if unset and all(p in (0, None) for p in given) else 0.0
    else:
        share = (total - sum(p for p in given if p is not None)) / unset if unset else 0.0
    return [float(share if p is None else p) for p in given]


def parse_tests(source, path):
    """The Question in one of otter's exception-based test files (tests/qN.py of the zip)."""
    tree = ast.parse(source)
    tree.body = [n for n in tree.body if not (isinstance(n, ast.ImportFrom) and n.module == "otter.test_files")]
    namespace = {"__name__": f"grade_{Path(path).stem}", "test_case": test_case}
    exec(compile(tree, path, "exec"), namespace)  # the zip is the instructor's: trusted
    if namespace.get("OK_FORMAT"):
        raise ValueError(f"{path}: grade.py grades exception-based tests (tests: ok_format: false)")
    cases = [v for v in namespace.values() if type(v) is test_case]
    points = resolve_points(namespace.get("points"), cases)
    tests = [Test(c.name or c.function.__name__, p, bool(c.hidden), c.function, path) for c, p in zip(cases, points)]
    return Question(namespace["name"], tests, bool(namespace.get("all_or_nothing", False)))


def public_source(source):
    """A test file without its hidden cases (what may sit in the student's folder)."""
    tree = ast.parse(source)

    def hidden(node):
        return any(isinstance(d, ast.Call) and any(k.arg == "hidden" and getattr(k.value, "value", False) is True
                                                   for k in d.keywords) for d in node.decorator_list)
    tree.body = [n for n in tree.body if not (isinstance(n, ast.FunctionDef) and hidden(n))]
    return ast.unparse(tree) + "\n"


@dataclass
class Assignment:
    name: str
    questions: list
    public: dict  # {file name in tests/: source without hidden cases}
    setup: str = None  # the student notebook's setup cell, as build.py wrote it


def natural(text):
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", text)]


def load_assignment(zip_path):
    with zipfile.ZipFile(zip_path) as z:
        config = json.loads(z.read("otter_config.json")) if "otter_config.json" in z.namelist() else {}
        files = sorted((n for n in z.namelist() if re.fullmatch(r"tests/[^/]+\.py", n)), key=natural)
        sources = {n: z.read(n).decode("utf-8") for n in files}
        setup = z.read(SETUP_FILE).decode("utf-8") if SETUP_FILE in z.namelist() else None
    if not sources:
        raise ValueError(f"{zip_path}: no tests/*.py in the zip (is it an otter autograder zip?)")
    questions = [parse_tests(source, name) for name, source in sources.items()]
    return Assignment(config.get("assignment_name"), questions,
                      {Path(name).name: public_source(source) for name, source in sources.items()}, setup)


# ----------------------------------------------------------------------------- reading code for suspicious patterns

CALLS = {
    "sys._getframe": "frame access", "inspect.currentframe": "frame access", "inspect.stack": "frame access",
    "inspect.getouterframes": "frame access", "inspect.trace": "frame access", "gc.get_objects": "object search",
    "gc.get_referrers": "object search", "sys.settrace": "a trace function", "sys.setprofile": "a profile function",
    "threading.settrace": "a trace function", "sys.addaudithook": "an audit hook", "atexit.register": "an exit hook",
    "os._exit": "kills its kernel", "os.kill": "sends signals", "os.killpg": "sends signals", "os.fork": "forks",
    "os.system": "runs commands", "os.popen": "runs commands", "os.getppid": "looks for the grader's process",
    "signal.signal": "handles signals", "threading.Thread": "starts threads",
}
PREFIXES = {"subprocess.": "runs commands", "multiprocessing.": "starts processes", "ctypes.": "uses ctypes"}
ATTRIBUTES = {"f_back": "frame access", "f_locals": "frame access", "f_globals": "frame access",
              "input_transformers_post": "rewrites cells", "input_transformers_cleanup": "rewrites cells",
              "ast_transformers": "rewrites cells", "register_magic_function": "defines magics"}
MODULE_NAMES = {"np", "sn", "numpy", "scratchnet", "otter", "math", "builtins", "sys", "os", "IPython"}


def dotted(node):
    """'a.b.c' for an expression a.b.c, else None."""
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        return ".".join([node.id, *reversed(parts)])
    return None


class Scanner(ast.NodeVisitor):
    def __init__(self, modules):
        self.modules, self.found = modules, []

    def target(self, node, verb):
        name = dotted(node)
        if isinstance(node, ast.Attribute) and name and name.split(".")[0] in self.modules:
            self.found.append(f"{verb} {name}")
        elif isinstance(node, ast.Subscript) and dotted(node.value) in ("sys.modules", "__builtins__"):
            self.found.append(f"{verb} {dotted(node.value)}[…]")

    def visit_Assign(self, node):
        for t in node.targets:
            for element in (t.elts if isinstance(t, (ast.Tuple, ast.List)) else [t]):
                self.target(element, "assigns")
        self.generic_visit(node)

    def visit_AugAssign(self, node):
        self.target(node.target, "assigns")
        self.generic_visit(node)

    def visit_Delete(self, node):
        for t in node.targets:
            self.target(t, "deletes")
        self.generic_visit(node)

    def visit_Call(self, node):
        name = dotted(node.func) or ""
        if name in ("setattr", "delattr") and node.args and (dotted(node.args[0]) or "").split(".")[0] in self.modules:
            self.found.append(f"{name} on {dotted(node.args[0])}")
        elif name in CALLS:
            self.found.append(CALLS[name])
        elif name.endswith("events.register"):
            self.found.append("registers kernel events")
        else:
            self.found += [what for prefix, what in PREFIXES.items() if name.startswith(prefix)]
        self.generic_visit(node)

    def visit_Attribute(self, node):
        if node.attr in ATTRIBUTES:
            self.found.append(ATTRIBUTES[node.attr])
        self.generic_visit(node)

    def visit_Name(self, node):
        if node.id == "__builtins__":
            self.found.append("uses __builtins__")

    def visit_Constant(self, node):
        if isinstance(node.value, str):
            if "/proc/" in node.value or "autograder" in node.value:
                self.found.append("refers to /proc or the autograder")
            if re.match(r"(\./)?tests(/|$)", node.value):
                self.found.append("refers to the tests/ folder")


def scan(nb, setup=None):
    """['what (cell N)', ...]: code a person should read, in the notebook's code cells but the
    setup cell build.py wrote (`setup`), if the notebook has it unchanged."""
    from IPython.core.inputtransformer2 import TransformerManager
    transform = TransformerManager().transform_cell
    trees = []
    for number, cell in enumerate(nb.cells, 1):
        if cell.get("cell_type") == "code" and cell.source != setup:
            try:
                trees.append((number, ast.parse(transform(cell.source))))
            except (SyntaxError, ValueError, TypeError):
                pass
    modules = set(MODULE_NAMES)
    for _, tree in trees:
        for node in ast.walk(tree):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                modules |= {(a.asname or a.name).split(".")[0] for a in node.names}
    found = []
    for number, tree in trees:
        scanner = Scanner(modules)
        scanner.visit(tree)
        found += [f"{what} (cell {number})" for what in dict.fromkeys(scanner.found)]
    return found


# ----------------------------------------------------------------------------- the kernel

class Stop(BaseException):
    """Grading cannot go on (a BaseException, so that no test's `except Exception` hides it)."""


class TimedOut(Stop):
    pass


class KernelDied(Stop):
    pass


class HelperFailed(Exception):
    """grade.py's helper in the kernel sent no usable answer."""


class StudentError(Exception):
    """The student's code raised; the test that called it fails with this message."""


class Unsupported(Exception):
    """The student's code returned a value grade.py cannot check."""


def kernel_pid(km):
    return getattr(getattr(km.provisioner, "process", None), "pid", None)


class Kernel:
    """An IPython kernel of this Python in `folder`, over IPC sockets (no ports to race for),
    running in `cwd`. Every request must finish before `deadline` (time.monotonic())."""

    def __init__(self, folder, cwd, deadline):
        from jupyter_client.kernelspec import KernelSpecManager
        from jupyter_client.manager import KernelManager
        folder = Path(folder).resolve()
        self.folder, self.deadline, self.where = folder, deadline, "starting the kernel"
        spec = folder / "kernels" / "grader-python"
        spec.mkdir(parents=True)
        argv = [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"]
        (spec / "kernel.json").write_text(json.dumps({"argv": argv, "display_name": "grader", "language": "python"}))
        (folder / "ipc").mkdir()
        self.exchange = folder / "exchange"
        self.exchange.mkdir()
        self.km = KernelManager(kernel_name="grader-python", transport="ipc",
                                connection_file=str(folder / "ipc" / "kernel.json"),
                                kernel_spec_manager=KernelSpecManager(kernel_dirs=[str(folder / "kernels")]))
        env = {**os.environ, "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
               "PYDEVD_DISABLE_FILE_VALIDATION": "1"}
        self.log = open(folder / "kernel.log", "wb")
        self.km.start_kernel(cwd=str(cwd), env=env, stdout=self.log, stderr=self.log)
        self.kc = self.km.client()
        self.kc.start_channels()
        try:
            self.kc.wait_for_ready(timeout=max(1.0, self.left()))
        except RuntimeError as error:
            if not self.km.is_alive():
                raise RuntimeError(f"the kernel did not start: {error}") from None
            raise TimedOut() from None
        self.requests = 0

    def left(self):
        return self.deadline - time.monotonic()

    def execute(self, code, outputs=None, silent=False):
        """Run `code`; its outputs go into `outputs` (a list, as nbformat cells hold them)."""
        import zmq
        from nbformat.v4 import output_from_msg
        msg_id = self.kc.execute(code, silent=silent, store_history=not silent, allow_stdin=False, stop_on_error=False)
        poller = zmq.Poller()
        for channel in (self.kc.shell_channel, self.kc.iopub_channel):
            poller.register(channel.socket, zmq.POLLIN)
        reply, idle = None, False
        while reply is None or not idle:
            if self.left() <= 0:
                raise TimedOut()
            if not poller.poll(1000 * min(1.0, self.left())) and not self.km.is_alive():
                raise KernelDied()
            while self.kc.iopub_channel.msg_ready():
                msg = self.kc.get_iopub_msg(timeout=0)
                if msg["parent_header"].get("msg_id") != msg_id:
                    continue
                kind = msg["msg_type"]
                if kind == "status" and msg["content"]["execution_state"] == "idle":
                    idle = True
                elif outputs is not None and kind == "clear_output":
                    outputs.clear()
                elif outputs is not None and kind in ("stream", "display_data", "execute_result", "error"):
                    outputs.append(output_from_msg(msg))
            while self.kc.shell_channel.msg_ready():
                msg = self.kc.get_shell_msg(timeout=0)
                if msg["parent_header"].get("msg_id") == msg_id:
                    reply = msg["content"]
        return reply

    def in_kernel(self, statement):
        """Load in_kernel.py as a fresh module `_grader_module` in the kernel and run `statement`."""
        source = (HERE / "in_kernel.py").read_text()
        reply = self.execute(
            "import types as _grader_types\n"
            "_grader_module = _grader_types.ModuleType('grade_in_kernel')\n"
            f"exec(compile({source!r}, '<grade.py>', 'exec'), _grader_module.__dict__)\n"
            f"{statement}\n"
            "del _grader_types, _grader_module", silent=True)
        if reply.get("status") != "ok":
            raise HelperFailed(f"{reply.get('ename')}: {str(reply.get('evalue'))[:200]}")

    def request(self, method, *args):
        """Call the helper's `method` in the kernel (it writes reply-N.json) and read its answer."""
        self.requests += 1
        number = self.requests
        reply = self.execute(f"__grader_harness__.{method}({', '.join(map(repr, (number, *args)))})", silent=True)
        path = self.exchange / f"reply-{number}.json"
        if reply.get("status") != "ok" or not path.is_file():
            raise HelperFailed(f"no answer ({reply.get('ename', 'no reply file')})")
        if path.stat().st_size > MAX_REPLY:
            raise Unsupported(f"a value of more than {MAX_REPLY // 2 ** 20} MB")
        try:
            answer = json.loads(path.read_text())
        except ValueError:
            raise HelperFailed("an answer that is not JSON") from None
        path.unlink()
        if not isinstance(answer, dict):
            raise HelperFailed("an answer that is not a JSON object")
        if "unsupported" in answer:
            raise Unsupported(str(answer["unsupported"]))
        return answer

    def start_harness(self):
        """A fresh helper (whatever the notebook did to the prelude's), in the notebook's namespace."""
        self.in_kernel(f"__grader_harness__ = _grader_module.Harness(get_ipython(), {str(self.exchange)!r})")

    def fetch(self, name):
        """The notebook's global `name`: its value, a Remote for a callable, or MISSING."""
        answer = self.request("fetch", name)
        return MISSING if answer.get("missing") else decode(answer["value"], self)

    def assign(self, values):
        self.request("assign", dumps(values))

    def call(self, remote, args, kwargs):
        answer = self.request("call", remote.handle, dumps((args, kwargs)))
        for w in answer.get("warnings", [])[:20]:
            warnings.warn(f"{w.get('message')} (in {remote.name})", warning_class(w.get("category")), stacklevel=3)
        if "raised" in answer:
            raise StudentError(f"{remote.name} raised {answer['raised']}: {answer.get('message', '')}")
        value = decode(answer["value"], self)
        if "args" in answer:
            update_in_place((args, kwargs), (decode(answer["args"], self), decode(answer["kwargs"], self)))
        return value

    def descendants(self):
        import psutil
        pid = kernel_pid(self.km)
        try:
            return psutil.Process(pid).children(recursive=True) if pid else []
        except psutil.Error:
            return []

    def shutdown(self):
        try:
            self.kc.stop_channels()
        finally:
            try:
                self.km.shutdown_kernel(now=True)
            finally:
                self.km.cleanup_resources()
                self.log.close()


class Missing:
    def __repr__(self):
        return "MISSING"


MISSING = Missing()


class Remote:
    """A callable of the student's notebook: calling it runs it in the kernel."""

    def __init__(self, kernel, handle, name):
        self.kernel, self.handle, self.name = kernel, handle, name

    def __call__(self, *args, **kwargs):
        return self.kernel.call(self, args, kwargs)

    def __repr__(self):
        return f"<{self.name} of the notebook>"


class Env:
    """The notebook's global variables, for a test that takes `env` (otter passes the dict)."""

    def __init__(self, kernel):
        self.kernel = kernel

    def get(self, name, default=None):
        value = self.kernel.fetch(name)
        return default if value is MISSING else value

    def __getitem__(self, name):
        value = self.kernel.fetch(name)
        if value is MISSING:
            raise KeyError(name)
        return value

    def __contains__(self, name):
        return self.kernel.fetch(name) is not MISSING

    def __setitem__(self, name, value):
        self.kernel.assign({name: value})

    def update(self, values=(), **more):
        self.kernel.assign({**dict(values), **more})


def dumps(value):
    """Pickle `value` for the kernel (grade.py trusts its own pickles); Remotes go as handles."""
    import cloudpickle

    class Pickler(cloudpickle.CloudPickler):
        def persistent_id(self, obj):
            return obj.handle if isinstance(obj, Remote) else None
    buffer = io.BytesIO()
    Pickler(buffer).dump(value)
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def warning_class(name):
    import builtins
    import numpy as np
    for home in (builtins, np.exceptions):
        cls = getattr(home, str(name), None)
        if isinstance(cls, type) and issubclass(cls, Warning):
            return cls
    return UserWarning


GENERATORS = ("PCG64", "PCG64DXSM", "MT19937", "Philox", "SFC64")


def decode(value, kernel, depth=0):
    """A value sent by the kernel (JSON, arrays as .npy): never unpickled, never executed."""
    import numpy as np
    if depth > 50:
        raise HelperFailed("a value nested too deeply")
    if value is None or type(value) in (bool, int, float, str):
        return value
    if not isinstance(value, dict) or not isinstance(value.get("$"), str):
        raise HelperFailed("a value grade.py did not encode")
    tag = value["$"]
    try:
        if tag == "float" and value["v"] in ("nan", "inf", "-inf"):
            return float(value["v"])
        if tag == "complex":
            return complex(*map(float, value["v"]))
        if tag in ("ndarray", "scalar"):
            array = np.load(io.BytesIO(base64.b64decode(value["npy"])), allow_pickle=False)
            return array if tag == "ndarray" else array[()]
        if tag in ("list", "tuple"):
            items = [decode(v, kernel, depth + 1) for v in value["items"]]
            return items if tag == "list" else tuple(items)
        if tag == "dict":
            return {decode(k, kernel, depth + 1): decode(v, kernel, depth + 1) for k, v in value["items"]}
        if tag == "generator" and value["state"]["bit_generator"] in GENERATORS:
            generator = np.random.Generator(getattr(np.random, value["state"]["bit_generator"])())
            generator.bit_generator.state = value["state"]
            return generator
        if tag == "callable":
            return Remote(kernel, int(value["handle"]), str(value.get("name", "?"))[:80])
    except HelperFailed:
        raise
    except Exception as error:  # noqa: BLE001  (malformed data from the kernel)
        raise HelperFailed(f"a malformed value ({type(error).__name__})") from None
    raise HelperFailed(f"a value tagged {tag[:40]!r}")


def update_in_place(original, now):
    """Make the test's arguments show what the call did to them in the kernel (a test may check
    that a function left its inputs alone, or restored them)."""
    import numpy as np
    if isinstance(original, np.ndarray) and isinstance(now, np.ndarray):
        if (original.shape == now.shape and original.dtype == now.dtype and original.flags.writeable
                and original.tobytes() != now.tobytes()):
            original[...] = now
    elif isinstance(original, np.random.Generator) and isinstance(now, np.random.Generator):
        original.bit_generator.state = now.bit_generator.state
    elif type(original) is dict and type(now) is dict:
        for key in [k for k in original if k not in now]:
            del original[key]
        for key, value in now.items():
            if key in original and type(original[key]) in (dict, list, tuple, np.ndarray):
                update_in_place(original[key], value)
            elif not isinstance(value, Remote):
                original[key] = value
    elif type(original) in (list, tuple) and type(now) in (list, tuple) and len(original) == len(now):
        for i, (a, b) in enumerate(zip(original, now)):
            if type(a) in (dict, list, tuple, np.ndarray) or isinstance(a, np.random.Generator):
                update_in_place(a, b)
            elif type(original) is list and not isinstance(b, Remote):
                original[i] = b
    elif type(original) is list and type(now) is list:
        original[:] = [b for b in now]


# ----------------------------------------------------------------------------- one submission

@dataclass
class Result:
    submission: str
    sha256: str = ""
    flags: list = field(default_factory=list)
    details: dict = field(default_factory=dict)
    tests: list = field(default_factory=list)
    scores: dict = field(default_factory=dict)
    seconds: dict = field(default_factory=dict)  # how long each step took
    executed: object = None  # the notebook with its outputs

    def flag(self, what, detail=None):
        if what not in self.flags:
            self.flags.append(what)
        if detail:
            self.details.setdefault(what, []).append(detail)

    @property
    def graded(self):
        return not any(f in FATAL for f in self.flags)


def first_line(source):
    line = next((line for line in source.splitlines() if line.strip()), "")
    return line.strip()[:60]


def failure(error, test):
    """What a failing test tells the student: its assertion's message, or what raised, and the line
    of the test (never the test's source: hidden tests stay hidden)."""
    lines = [f.lineno for f in traceback.extract_tb(error.__traceback__) if f.filename == test.path]
    where = f" (line {lines[-1]} of {test.path})" if lines else ""
    if isinstance(error, AssertionError):
        text = str(error) or "an assertion failed"
    elif isinstance(error, (StudentError, Unsupported)):
        text = str(error) if isinstance(error, StudentError) else f"returned {error}, which grade.py cannot check"
    else:
        text = f"{type(error).__name__}: {error}"
    return (text[:500] + where).strip()


def run_tests(kernel, assignment, result):
    env = Env(kernel)
    for question in assignment.questions:
        passed_points = 0.0
        all_passed = True
        for test in question.tests:
            kernel.where = f"test {question.name} {test.name}"
            record = {"question": question.name, "test": test.name, "hidden": test.hidden, "points": test.points}
            names = list(inspect.signature(test.function).parameters)
            try:
                kwargs = {name: env if name == "env" else kernel.fetch(name) for name in names}
                missing = [name for name, value in kwargs.items() if value is MISSING]
                if missing:
                    raise AssertionError(f"{', '.join(missing)} {'is' if len(missing) == 1 else 'are'} not defined in the notebook")
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    test.function(**kwargs)
                record.update(passed=True, message="passed")
                passed_points += test.points
            except Stop:
                raise
            except HelperFailed as error:
                result.flag("tampering suspected", f"grade.py's helper in the kernel failed: {error}")
                record.update(passed=False, message="grade.py could not talk to the notebook's kernel")
                all_passed = False
            except Exception as error:  # noqa: BLE001  (a failing test)
                record.update(passed=False, message=failure(error, test))
                all_passed = False
            result.tests.append(record)
        score = question.possible * all_passed if question.all_or_nothing else passed_points
        result.scores[question.name] = round(score, 5)


def cap_outputs(nb):
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            if output.get("output_type") == "stream" and len(output.get("text", "")) > MAX_OUTPUT:
                output["text"] = output["text"][:MAX_OUTPUT] + "\n[… grade.py kept only the beginning of this output]\n"


def execute_notebook(kernel, nb, result):
    errors = []
    for number, cell in enumerate(nb.cells, 1):
        if cell.get("cell_type") != "code":
            continue
        kernel.where = f"cell {number}: {first_line(cell.source)}"
        cell.outputs = []
        reply = kernel.execute(cell.source, outputs=cell.outputs)
        cell.execution_count = reply.get("execution_count")
        if reply.get("status") == "error":
            errors.append(f"cell {number}: {reply.get('ename')}: {str(reply.get('evalue'))[:200]}")
    if errors:
        result.details["errors in cells"] = errors


def write_folder(folder, assignment, nb_name, nb_text):
    """The kernel's working folder: the submission and, as otter lays it out, tests/ with the
    public tests only (a notebook that changes them is caught)."""
    (folder / nb_name).write_text(nb_text)
    (folder / "tests").mkdir()
    for name, source in assignment.public.items():
        (folder / "tests" / name).write_text(source)
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def tests_changes(folder, before):
    """What the notebook did to the files grade.py wrote into its folder, and to tests/."""
    now = {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}
    changed = [f"changed {n}" for n in before if n in now and now[n] != before[n]]
    changed += [f"deleted {n}" for n in before if n not in now]
    return changed + [f"added {n}" for n in now if n not in before and n.startswith("tests")]


def grade_submission(job):
    """Grade one notebook (in a worker process): the Result as a dict."""
    import nbformat
    deadline = time.monotonic() + job["timeout"]
    path = Path(job["notebook"])
    result = Result(path.name)
    assignment = load_assignment(job["autograder"])
    data = path.read_bytes()
    result.sha256 = hashlib.sha256(data).hexdigest()
    try:
        nb = nbformat.reads(data.decode("utf-8"), as_version=4)
        nb.cells = [c for c in nb.cells if isinstance(c.get("source"), str)]
    except Exception as error:  # noqa: BLE001  (any unreadable file)
        result.flag("not a notebook", f"{type(error).__name__}: {str(error)[:200]}")
        return finish(result, assignment)
    otter = nb.metadata.get("otter", {})
    name = otter.get("assignment_name") if isinstance(otter, dict) else None
    if name is None:
        result.flag("not an otter notebook", "no assignment name in the notebook's metadata: graded anyway")
    elif name != assignment.name:
        result.flag("wrong assignment", f"the notebook is {name!r}, the autograder {assignment.name!r}")
        return finish(result, assignment)
    for finding in scan(nb, assignment.setup):
        result.flag("suspicious code", finding)
    work = Path(job["work"])
    folder = work / "run"
    folder.mkdir()
    before = write_folder(folder, assignment, path.name, data.decode("utf-8"))
    kernel, alive = None, []
    try:
        token = secrets.token_hex(8)
        clock = time.monotonic()
        kernel = Kernel(work, folder, deadline)
        kernel.where = "before the first cell"
        try:
            kernel.in_kernel(f"_grader_module.prelude(get_ipython(), {token!r})")
        except HelperFailed as error:  # before the notebook's first cell: grade.py's own failure
            raise RuntimeError(f"grade.py's prelude failed in the kernel: {error}") from None
        result.executed = nb
        clock = lap(result, "starting the kernel", clock)
        execute_notebook(kernel, nb, result)
        clock = lap(result, "running the notebook", clock)
        kernel.where = "checking the kernel"
        kernel.start_harness()
        probe = kernel.request("probe", token)
        for what in probe.get("changed", []):
            result.flag("tampering suspected", what)
        if probe.get("threads"):
            result.details["threads started"] = probe["threads"]
        for command in probe.get("installs", []):
            result.flag("tried to install packages", command)
        run_tests(kernel, assignment, result)
        clock = lap(result, "running the tests", clock)
    except TimedOut:
        result.flag("timed out", f"after {job['timeout']:g} s, in {kernel.where if kernel else 'starting the kernel'}")
    except KernelDied:
        result.flag("kernel died", f"in {kernel.where if kernel else 'starting the kernel'}")
    except HelperFailed as error:
        result.flag("tampering suspected", f"grade.py's helper in the kernel failed: {error}")
        result.flag("grader error", "grade.py could not check the kernel")
    finally:
        if kernel is not None:
            alive = [p.name() for p in kernel.descendants() if p.is_running()]  # started by the notebook
            kernel.shutdown()
    alive += kill_descendants()  # what left the kernel's process group (a new session, an orphan)
    if alive:
        result.flag("left processes running", f"killed: {', '.join(sorted(set(alive))[:10])}")
    for change in tests_changes(folder, before):
        result.flag("tampering suspected", f"the notebook {change}")
    return finish(result, assignment)


def lap(result, step, since):
    now = time.monotonic()
    result.seconds[step] = round(now - since, 2)
    return now


def finish(result, assignment):
    if not result.graded:
        result.scores = {q.name: 0.0 for q in assignment.questions}
    for q in assignment.questions:
        result.scores.setdefault(q.name, 0.0)
    return result


def report(result, assignment):
    """The Result as the JSON kept beside the CSV."""
    total = round(sum(result.scores.values()), 5)
    possible = round(sum(q.possible for q in assignment.questions), 5)
    return {"submission": result.submission, "sha256": result.sha256, "assignment": assignment.name,
            "total": total, "max": possible, "scores": result.scores, "flags": result.flags,
            "details": result.details, "seconds": result.seconds, "tests": result.tests}


def worker():
    """`grade.py --worker`: read a job (JSON) on stdin, grade it, print the report on stdout."""
    job = json.loads(sys.stdin.read())
    sys.stdin.close()
    subreaper()
    warnings.simplefilter("ignore")
    assignment = load_assignment(job["autograder"])
    try:
        result = grade_submission(job)
    except Exception:  # noqa: BLE001  (grade.py's own failure: still a row)
        result = finish(Result(Path(job["notebook"]).name), assignment)
        result.flag("grader error", traceback.format_exc(limit=5)[-2000:])
    results = Path(job["results"])
    if result.executed is not None:
        cap_outputs(result.executed)
        import nbformat
        nbformat.write(result.executed, results / f"{Path(job['notebook']).stem}.ipynb")
    kill_descendants()
    print(job["nonce"] + json.dumps(report(result, assignment)))


# ----------------------------------------------------------------------------- processes

def subreaper():
    """Make processes orphaned below this one its children (Linux), so that they can be killed."""
    try:
        import ctypes
        ctypes.CDLL(None, use_errno=True).prctl(36, 1, 0, 0, 0)  # PR_SET_CHILD_SUBREAPER
    except (OSError, AttributeError):
        pass


def kill_descendants(keep=None):
    """Kill every process below this one, or, given `keep` (pids of workers), every child of this one
    that is not a worker (what escaped from a worker that ended). Returns the names of the killed."""
    import psutil
    me = psutil.Process()
    victims = me.children(recursive=True) if keep is None else [p for p in me.children() if p.pid not in keep]
    names = []
    for p in victims:
        try:
            names.append(p.name())
            p.kill()
        except psutil.Error:
            pass
    psutil.wait_procs(victims, timeout=5)
    return names


def kill_tree(process):
    import psutil
    try:
        tree = psutil.Process(process.pid).children(recursive=True)
    except psutil.Error:
        tree = []
    for p in [*tree]:
        try:
            p.kill()
        except psutil.Error:
            pass
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    process.kill()


# ----------------------------------------------------------------------------- the class

class Workers:
    """The worker processes running, so that what escaped from them can be told apart and killed."""

    def __init__(self):
        self.lock, self.processes = threading.Lock(), set()

    def start(self, command, **kwargs):
        with self.lock:
            process = subprocess.Popen(command, **kwargs)
            self.processes.add(process)
            return process

    def ended(self, process):
        with self.lock:
            self.processes.discard(process)
            kill_descendants(keep={p.pid for p in self.processes})

    def kill_all(self):
        with self.lock:
            for process in list(self.processes):
                kill_tree(process)


def grade_in_worker(autograder, notebook, results, timeout, workers):
    """Grade `notebook` in a worker process; the report, also when the worker fails or hangs."""
    nonce = secrets.token_hex(16)
    with tempfile.TemporaryDirectory(prefix="grade-") as work:
        job = {"autograder": str(autograder), "notebook": str(notebook.resolve()), "results": str(results),
               "timeout": timeout, "work": work, "nonce": nonce}
        process = workers.start([sys.executable, str(Path(__file__).resolve()), "--worker"], cwd=work,
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                start_new_session=True)
        try:
            stdout, stderr = process.communicate(json.dumps(job).encode(), timeout=timeout + GRACE)
            timed_out = False
        except subprocess.TimeoutExpired:
            kill_tree(process)
            stdout, stderr = process.communicate()
            timed_out = True
        finally:
            workers.ended(process)
    lines = [line for line in stdout.decode(errors="replace").splitlines() if line.startswith(nonce)]
    if process.returncode == 0 and lines:
        return json.loads(lines[-1][len(nonce):])
    assignment = load_assignment(autograder)
    result = finish(Result(notebook.name), assignment)
    try:
        import nbformat
        for finding in scan(nbformat.read(notebook, as_version=4), assignment.setup):
            result.flag("suspicious code", finding)
    except Exception:  # noqa: BLE001  (an unreadable notebook: nothing to read)
        pass
    if timed_out:
        result.flag("timed out", f"after {timeout:g} s (the worker did not stop by itself: killed)")
    else:
        why = f"the worker exited with status {process.returncode}"
        result.flag("grader error", f"{why} (killed by the submission?): {stderr.decode(errors='replace')[-1000:]}")
    return report(result, assignment)


def row(report_, questions):
    return {"submission": report_["submission"], **{q: f"{report_['scores'][q]:g}" for q in questions},
            "total": f"{report_['total']:g}", "max": f"{report_['max']:g}", "flags": "; ".join(report_["flags"])}


def results_folder(csv_path):
    return csv_path.with_name(csv_path.stem + "-results")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("autograder", type=Path, help="the assignment's NAME-autograder.zip")
    parser.add_argument("submissions", type=Path, help="a folder of submitted .ipynb files")
    parser.add_argument("csv", type=Path, help="the CSV file to write")
    parser.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT,
                        help=f"seconds per submission before it is killed (default {DEFAULT_TIMEOUT})")
    parser.add_argument("--jobs", type=int, default=1, help="submissions graded at once (default 1)")
    parser.add_argument("--resume", action="store_true", help="keep the CSV's rows; grade only the submissions it lacks")
    args = parser.parse_args(argv)
    if args.timeout <= 0 or args.jobs < 1:
        parser.error("--timeout must be positive and --jobs at least 1")
    try:
        assignment = load_assignment(args.autograder)
    except (OSError, KeyError, ValueError, zipfile.BadZipFile) as error:
        parser.error(f"cannot read the autograder zip {args.autograder}: {error}")
    notebooks = sorted(args.submissions.glob("*.ipynb"))
    if not notebooks:
        parser.error(f"no .ipynb files in {args.submissions}")
    questions = [q.name for q in assignment.questions]
    header = ["submission", *questions, "total", "max", "flags"]
    kept = {}
    if args.resume and args.csv.exists():
        with open(args.csv, newline="") as f:
            reader = csv.DictReader(f)
            if reader.fieldnames != header:
                parser.error(f"{args.csv} has other columns than this assignment's: cannot resume it")
            kept = {r["submission"]: r for r in reader}
    results = results_folder(args.csv)
    results.mkdir(parents=True, exist_ok=True)
    todo = [n for n in notebooks if n.name not in kept]
    subreaper()
    workers = Workers()
    with open(args.csv, "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=header)
        writer.writeheader()
        writer.writerows(kept.values())
        f.flush()
        pool = ThreadPoolExecutor(max_workers=args.jobs)
        try:
            futures = {pool.submit(grade_in_worker, args.autograder.resolve(), n, results.resolve(), args.timeout,
                                   workers): n for n in todo}
            for done, future in enumerate(as_completed(futures), len(kept) + 1):
                report_ = future.result()
                (results / f"{futures[future].stem}.json").write_text(json.dumps(report_, indent=1, ensure_ascii=False))
                kept[report_["submission"]] = row(report_, questions)
                writer.writerow(kept[report_["submission"]])
                f.flush()
                flags = f"  [{'; '.join(report_['flags'])}]" if report_["flags"] else ""
                print(f"{done}/{len(notebooks)} {report_['submission']}: {report_['total']:g} / {report_['max']:g}{flags}",
                      flush=True)
        except KeyboardInterrupt:
            pool.shutdown(wait=False, cancel_futures=True)
            workers.kill_all()
            print(f"interrupted: {args.csv} keeps the {len(kept)} submissions graded; "
                  "run again with --resume to grade the others", file=sys.stderr)
            return 130
        pool.shutdown()
    ordered = [kept[n.name] for n in notebooks if n.name in kept]
    partial = args.csv.with_name(args.csv.name + ".tmp")
    with open(partial, "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=header)
        writer.writeheader()
        writer.writerows(ordered)
    os.replace(partial, args.csv)
    print(f"wrote {args.csv} ({len(ordered)} submissions) and {results}/")
    return 0


if __name__ == "__main__":
    if sys.argv[1:] == ["--worker"]:
        worker()
    else:
        sys.exit(main())
