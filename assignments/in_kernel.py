"""The part of grade.py that runs inside a submission's kernel (grade.py sends this source).

grade.py runs every test in its own process; the kernel holds only the submission's objects.
Here: `prelude` runs before the submission's first cell (it notes what the modules that tests
and this file rely on hold, and turns package installs off), `probe` after its last cell (what the
submission changed), and `Harness` fetches and calls the submission's objects for the tests.

Arguments come pickled from grade.py (which trusts itself); replies go back as JSON files with
arrays in .npy format, so that grade.py never unpickles anything from here. The submission's code
can reach all of this: nothing here is trusted. A submission that breaks it breaks only its own
results, and grade.py reports what it saw.
"""
import base64
import io
import json
import math
import pickle
import sys
import threading
import warnings

import numpy as np

WATCHED = ["numpy", "numpy.linalg", "numpy.random", "numpy.testing", "math", "builtins", "json", "pickle",
           "base64", "io", "warnings"]  # and every module of scratchnet
VOLATILE = {("builtins", "input")}  # ipykernel sets it anew for every request
INSTALLERS = ("pip", "pip3", "conda", "mamba", "micromamba", "uv", "apt", "apt-get")
MAX_MESSAGE = 300


def modules():
    import numpy.linalg, numpy.random, numpy.testing  # noqa: E401, F401  (numpy imports them lazily)
    import scratchnet  # noqa: F401  (imports its submodules)
    names = WATCHED + [name for name in sys.modules if name.split(".")[0] == "scratchnet"]
    return {name: sys.modules[name] for name in names}


def snapshot():
    """{module name: (module, {attribute: object})} for every watched module."""
    return {name: (module, dict(vars(module))) for name, module in modules().items()}


def installs(command):
    """Whether a shell command runs a package installer."""
    words = command.split()
    program = words[0].rsplit("/", 1)[-1] if words else ""
    return program in INSTALLERS or (program.startswith("python") and words[1:3] == ["-m", "pip"])


def refuse_installs(ip, attempts):
    """Make %pip, %conda, !pip … print a notice instead of changing the grader's packages."""
    def refuse(command):
        attempts.append(command[:MAX_MESSAGE])
        print("grade.py: installing packages is turned off while grading (nothing was installed)")

    for magic in ("pip", "conda", "mamba", "uv"):
        ip.register_magic_function(lambda line, magic=magic: refuse(f"%{magic} {line}"), "line", magic)
    system, getoutput = ip.system, ip.getoutput

    def guarded_system(command):
        return refuse(f"!{command}") if installs(command) else system(command)

    def guarded_getoutput(command, *args, **kwargs):
        return refuse(f"!{command}") if installs(command) else getoutput(command, *args, **kwargs)
    ip.system = ip.system_piped = guarded_system
    ip.getoutput = guarded_getoutput


class State:
    """What the prelude saw, for the probe."""

    def __init__(self, ip, token):
        self.token = token
        self.pristine = snapshot()
        self.threads = {t.ident for t in threading.enumerate()}
        self.hooks = hooks(ip)
        self.installs = []
        refuse_installs(ip, self.installs)
        self.system = ip.system


def hooks(ip):
    """The kernel's code hooks: what rewrites or watches every cell."""
    events = {name: len(callbacks) for name, callbacks in ip.events.callbacks.items()}
    return {"input_transformers_post": len(ip.input_transformers_post),
            "input_transformers_cleanup": len(ip.input_transformer_manager.cleanup_transforms),
            "line_transforms": len(ip.input_transformer_manager.line_transforms),
            "token_transformers": len(ip.input_transformer_manager.token_transformers),
            "ast_transformers": len(ip.ast_transformers), **{f"events.{k}": v for k, v in events.items()}}


def prelude(ip, token):
    ip.user_ns["__grader__"] = State(ip, token)


def from_notebook(value):
    """Whether `value` is a function (or a wrapper of one) that a notebook cell defined."""
    value = getattr(value, "func", value)  # functools.partial
    value = getattr(value, "fget", value)  # property
    value = getattr(value, "__func__", value)  # class and static methods
    code = getattr(value, "__code__", None)
    if code is None:
        return False
    return (getattr(value, "__module__", None) == "__main__" or "ipykernel_" in code.co_filename
            or code.co_filename.startswith("<ipython-input"))


def otter_changes():
    """Attributes of loaded otter modules, and of their classes, that a notebook cell defined
    (otter may have been imported by the notebook: there is nothing older to compare with)."""
    found = []
    for name, module in list(sys.modules.items()):
        if name != "otter" and not name.startswith("otter."):
            continue
        for attribute, value in list(vars(module).items()):
            if from_notebook(value):
                found.append(f"{name}.{attribute}")
            elif isinstance(value, type) and value.__module__ == name:
                found += [f"{name}.{attribute}.{member}" for member, item in vars(value).items() if from_notebook(item)]
    return found


def probe(ip, token):
    """What the submission changed in the modules, the kernel's hooks and its threads."""
    state = ip.user_ns.get("__grader__")
    if getattr(state, "token", None) != token:  # (State of another copy of this module)
        return {"changed": ["grade.py's record of the modules (__grader__) was replaced"]}
    changed = []
    for name, (module, attributes) in state.pristine.items():
        if sys.modules.get(name) is not module:
            changed.append(f"sys.modules[{name!r}] was replaced")
        now = vars(module)
        for attribute, value in attributes.items():
            if attribute not in now:
                changed.append(f"{name}.{attribute} was deleted")
            elif now[attribute] is not value and (name, attribute) not in VOLATILE:
                changed.append(f"{name}.{attribute} was replaced")
        changed += [f"{name}.{attribute} was added" for attribute in now.keys() - attributes.keys()
                    if not attribute.startswith("__") and now[attribute] is not sys.modules.get(f"{name}.{attribute}")]
    changed += [f"{name} was replaced" for name in otter_changes()]
    before, after = state.hooks, hooks(ip)
    changed += [f"kernel hook {name} was added" for name in after if after[name] > before.get(name, 0)]
    if sys.gettrace() is not None or sys.getprofile() is not None:
        changed.append("a trace or profile function is set")
    if ip.system is not state.system:
        changed.append("the kernel's shell command runner was replaced")
    threads = [t.name for t in threading.enumerate() if t.ident not in state.threads and t.is_alive()]
    return {"changed": changed, "threads": threads, "installs": state.installs}


# --------------------------------------------------------------------- values to and from grade.py

class Unsupported(Exception):
    pass


def npy(array):
    buffer = io.BytesIO()
    np.save(buffer, array, allow_pickle=False)
    return base64.b64encode(buffer.getvalue()).decode("ascii")


class Harness:
    """Holds the submission's callables by number, calls them, and encodes what comes back."""

    def __init__(self, ip, folder):
        self.ip, self.folder, self.objects = ip, folder, {}

    def probe(self, number, token):
        self.answer(number, lambda: probe(self.ip, token))

    def keep(self, obj):
        handle = len(self.objects)
        self.objects[handle] = obj
        return handle

    def encode(self, value, depth=0):
        if depth > 40:
            raise Unsupported("a value nested more than 40 levels deep")
        if value is None or type(value) in (bool, int, float, str):
            return value if not (type(value) is float and not math.isfinite(value)) else {"$": "float", "v": repr(value)}
        if type(value) is complex:
            return {"$": "complex", "v": [value.real, value.imag]}
        if isinstance(value, np.ndarray):
            if value.dtype.hasobject:
                raise Unsupported("an array of Python objects")
            return {"$": "ndarray", "npy": npy(np.asarray(value)), "subclass": type(value) is not np.ndarray}
        if isinstance(value, np.generic):
            return {"$": "scalar", "npy": npy(np.asarray(value))}
        if type(value) in (list, tuple):
            return {"$": type(value).__name__, "items": [self.encode(v, depth + 1) for v in value]}
        if type(value) is dict:
            return {"$": "dict", "items": [[self.encode(k, depth + 1), self.encode(v, depth + 1)] for k, v in value.items()]}
        if isinstance(value, np.random.Generator):
            return {"$": "generator", "state": value.bit_generator.state}
        if callable(value):
            return {"$": "callable", "handle": self.keep(value), "name": getattr(value, "__name__", "?")}
        raise Unsupported(f"a {type(value).__module__}.{type(value).__qualname__}")

    def reply(self, number, answer):
        try:
            text = json.dumps(answer)
        except Exception as error:  # noqa: BLE001  (a value json cannot write, e.g. a huge int)
            text = json.dumps({"unsupported": f"{type(error).__name__}: {error}"[:MAX_MESSAGE]})
        with open(f"{self.folder}/reply-{number}.json", "w") as f:
            f.write(text)

    def answer(self, number, compute):
        try:
            answer = compute()
        except Unsupported as why:
            answer = {"unsupported": str(why)}
        self.reply(number, answer)

    def fetch(self, number, name):
        def compute():
            if name not in self.ip.user_ns:
                return {"missing": True}
            return {"value": self.encode(self.ip.user_ns[name])}
        self.answer(number, compute)

    def loads(self, payload):
        objects = self.objects

        class Loader(pickle.Unpickler):
            def persistent_load(self, pid):
                return objects[pid]
        return Loader(io.BytesIO(base64.b64decode(payload))).load()

    def assign(self, number, payload):
        def compute():
            self.ip.user_ns.update(self.loads(payload))
            return {"value": None}
        self.answer(number, compute)

    def call(self, number, handle, payload):
        def compute():
            args, kwargs = self.loads(payload)
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")  # grade.py re-issues them, under the test's filters
                try:
                    result = self.objects[handle](*args, **kwargs)
                except BaseException as error:  # noqa: BLE001  (the submission's error, reported to the test)
                    return {"raised": type(error).__name__, "message": message(error)}
            answer = {"value": self.encode(result),
                      "warnings": [{"category": w.category.__name__, "message": message(w.message)} for w in caught[:20]]}
            try:  # the arguments as they are now, so that grade.py sees what the call changed in them
                answer["args"], answer["kwargs"] = self.encode(args), self.encode(kwargs)
            except Unsupported:
                pass
            return answer
        self.answer(number, compute)


def message(error):
    try:
        return str(error)[:MAX_MESSAGE]
    except BaseException:  # noqa: BLE001  (an exception whose str() fails)
        return "(its message could not be read)"
