"""Every chapter runs in Google Colab: the install cell, a simulated Colab, Python 3.10 support.

The simulation: a fresh virtual environment with Colab's packages at Colab's versions, read from
Google's published list (tests/colab/pip-freeze.txt): what the chapters import, Colab's kernel
(ipykernel, IPython, jupyter_client) and, for the assignments, ipywidgets and wrapt, which
otter-grader would have changed. Every dependency pip brings in is constrained to Colab's
version too. No scratchnet. For each committed chapter: the notebook alone in an empty folder,
its install cell pointed at a local clone of this repository (`git+file://`, the only change),
executed by a kernel of that environment; it must install scratchnet from the clone, change no
other installed package, run to the end and print what the stored notebook prints. The
assignments' setup cell is run the same way, and must change nothing but add scratchnet.

Where the simulation differs from Colab, and why (found by trying):
- Colab runs Python 3.13 with torch 2.11.0+cpu from download.pytorch.org, which cannot be reached
  here; the only torch this machine can install is the local CPU wheel of torch 2.13.0 for Python
  3.11. So the chapters run on Python 3.11 with torch 2.13.0, and with setuptools 77.0.3 instead of
  Colab's 75.2.0, the oldest that torch 2.13.0 accepts. Everything else is at Colab's version.
- The assignments' setup cell needs no torch: it runs on Python 3.13, as in Colab, with Colab's
  versions of everything installed.
- Colab's own kernel code (google.colab) is not installed: the cells under test do not use it.
"""
import configparser
import copy
import json
import re
import subprocess
import sys
import tempfile
import tomllib
from pathlib import Path
from concurrent.futures import ThreadPoolExecutor
from types import SimpleNamespace

import nbformat
import pytest
import yaml
from jupyter_client.kernelspec import KernelSpecManager
from jupyter_client.manager import AsyncKernelManager
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
import colab_sync  # noqa: E402

COLAB_FREEZE = ROOT / "tests" / "colab" / "pip-freeze.txt"
# What the simulations install, at Colab's versions with all they need (see the docstring).
KERNEL = ["pip", "ipykernel", "ipython", "jupyter-client"]
CHAPTERS = KERNEL + ["numpy", "matplotlib", "scikit-learn"]
ASSIGNMENTS = KERNEL + ["setuptools", "numpy", "matplotlib", "ipywidgets", "wrapt"]
# The stated exceptions of the chapters' simulation: (package, version) instead of Colab's.
EXCEPTIONS = {"torch": "2.13.0", "setuptools": "77.0.3"}
PYTHON_313 = Path("/root/.pyenv/versions/3.13.0/bin/python3.13")


def git(*args):
    return subprocess.run(["git", *map(str, args)], check=True, capture_output=True, text=True).stdout


def committed_chapters():
    """The chapters at HEAD: a clone has only these."""
    names = git("-C", ROOT, "ls-tree", "--name-only", "HEAD", "chapters/").split()
    return sorted(n for n in names if n.endswith(".ipynb"))


def write_config(folder, **repository):
    path = Path(folder) / "_config.yml"
    path.write_text(yaml.safe_dump({"repository": repository}))
    return path


def execute(nb, python, folder, timeout=1200):
    """Run `nb` top to bottom in `folder` with an IPython kernel of the interpreter `python`."""
    with tempfile.TemporaryDirectory() as kernels:
        spec = Path(kernels, "target")
        spec.mkdir()
        argv = [str(python), "-m", "ipykernel_launcher", "-f", "{connection_file}"]
        (spec / "kernel.json").write_text(json.dumps({"argv": argv, "display_name": "target", "language": "python"}))
        km = AsyncKernelManager(kernel_name="target", kernel_spec_manager=KernelSpecManager(kernel_dirs=[kernels]),
                                transport="ipc", connection_file=str(Path(kernels, "kernel.json")))  # no ports to race for
        client = NotebookClient(nb, km=km, timeout=timeout, resources={"metadata": {"path": str(folder)}})
        client.execute(cleanup_kc=True)  # given a kernel manager, nbclient leaves the kernel running
    return nb


# ---------------------------------------------------------------- the install cell and its generator

@pytest.mark.parametrize("path", colab_sync.notebooks(), ids=lambda p: p.name)
def test_install_cell_matches_config(path):
    nb = nbformat.read(path, as_version=4)
    assert colab_sync.problems(nb, colab_sync.install_cell_source()) == [], "run `make colab-sync`"


def test_cell_installs_from_the_configured_repository_and_ref(tmp_path):
    config = write_config(tmp_path, url="https://gitlab.com/prof/nn-2027/", branch="fall-2027", path_to_book="")
    source = colab_sync.install_cell_source(config)
    assert '"scratchnet @ git+https://gitlab.com/prof/nn-2027@fall-2027#subdirectory=code"' in source
    assert "math4ds" not in source and "@main" not in source


def test_code_folder_follows_path_to_book(tmp_path):
    config = write_config(tmp_path, url="https://github.com/a/b", branch="v1.0", path_to_book="book")
    assert colab_sync.requirement(config) == "scratchnet @ git+https://github.com/a/b@v1.0#subdirectory=book/code"


def test_branch_must_be_set(tmp_path):
    # Jupyter Book's launch buttons would open "master"; the cell must not guess another ref.
    with pytest.raises(ValueError, match="repository.branch"):
        colab_sync.requirement(write_config(tmp_path, url="https://github.com/a/b"))


def test_install_cell_is_python_that_runs_pip_itself():
    # No %pip: IPython's magic would print "you may need to restart the kernel", which is wrong.
    source = colab_sync.install_cell_source()
    assert "%pip" not in source and f'"install", "--quiet", "{colab_sync.requirement()}"' in source
    compile(source, "install-cell", "exec")


def test_sync_writes_moves_and_repairs_the_cell(tmp_path):
    source = colab_sync.install_cell_source()
    path = tmp_path / "chapter.ipynb"
    title, code = nbformat.v4.new_markdown_cell("# 3.7.9 Title"), nbformat.v4.new_code_cell("import numpy as np")
    nbformat.write(nbformat.v4.new_notebook(cells=[title, code]), path)
    assert colab_sync.problems(nbformat.read(path, as_version=4), source) == ["no cell tagged 'colab-install'"]

    assert colab_sync.sync(path, source)
    nb = nbformat.read(path, as_version=4)
    assert [c.source for c in nb.cells] == [title.source, source, code.source]
    assert nb.cells[1].metadata.tags == ["remove-cell", "colab-install"]
    assert colab_sync.problems(nb, source) == []
    assert not colab_sync.sync(path, source)

    # A stale cell, moved below the imports and stripped of `remove-cell`: each is reported and repaired.
    cell = nb.cells.pop(1)
    cell.source = source.replace("@main", "@old")
    cell.metadata.tags = ["colab-install", "hide-output"]
    nb.cells.append(cell)
    nbformat.write(nb, path)
    assert len(colab_sync.problems(nbformat.read(path, as_version=4), source)) == 3
    assert colab_sync.sync(path, source)
    nb = nbformat.read(path, as_version=4)
    assert [c.source for c in nb.cells] == [title.source, source, code.source]
    assert nb.cells[1].id == cell.id
    assert nb.cells[1].metadata.tags == ["remove-cell", "colab-install", "hide-output"]


def test_check_exits_1_on_a_stale_notebook(tmp_path, monkeypatch, capsys):
    path = tmp_path / "chapter.ipynb"
    nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("import numpy as np")]), path)
    monkeypatch.setattr(colab_sync, "ROOT", tmp_path)
    monkeypatch.setattr(colab_sync, "notebooks", lambda: [path])
    assert colab_sync.main(["--check"]) == 1
    assert "chapter.ipynb: no cell tagged 'colab-install'" in capsys.readouterr().out
    assert colab_sync.main([]) == 0
    assert colab_sync.main(["--check"]) == 0


@pytest.mark.parametrize("path", colab_sync.notebooks(), ids=lambda p: p.name)
def test_website_hides_the_install_cell(site, path):
    page = site / path.relative_to(ROOT).with_suffix(".html")
    assert "find_spec" not in page.read_text()  # Pygments keeps the name in one span


def test_cell_prints_nothing_where_scratchnet_is_installed(tmp_path):
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(colab_sync.install_cell_source())])
    assert execute(nb, sys.executable, tmp_path).cells[0].outputs == []


# ---------------------------------------------------------------- a simulated Colab

def normal(name):
    """A package name as pip compares them (PEP 503)."""
    return re.sub(r"[-_.]+", "-", name).lower()


def colab_versions():
    """{package: version} of Colab's runtime (the packages installed from PyPI; not those from URLs)."""
    pinned = re.findall(r"^([A-Za-z0-9_.-]+)==(\S+)$", COLAB_FREEZE.read_text(), re.M)
    return {normal(name): version for name, version in pinned}


def installed(python):
    """{package: version} of everything installed in the environment of `python`."""
    code = ("import importlib.metadata as m, json\n"
            "print(json.dumps({d.metadata['Name']: d.version for d in m.distributions()}))")
    out = subprocess.run([python, "-c", code], check=True, capture_output=True, text=True).stdout
    return {normal(name): version for name, version in json.loads(out).items()}


def pip(python, *args):
    run = subprocess.run([python, "-m", "pip", *args], capture_output=True, text=True)
    assert run.returncode == 0, f"pip {' '.join(map(str, args))}\n{run.stdout}\n{run.stderr}"
    return run.stdout


def colab_venv(base, python, packages, exceptions=()):
    """A venv of `python` with `packages` and everything they need at Colab's versions, except
    `exceptions` ({package: version}). A dependency Colab does not have is removed (Colab's
    IPython 7.34 runs without jedi, which pip would add)."""
    colab_has = colab_versions()
    constraints = base / "colab-constraints.txt"
    constraints.write_text("".join(f"{name}=={version}\n" for name, version in colab_has.items() if name not in exceptions))
    subprocess.run([python, "-m", "venv", base / "venv"], check=True)
    venv_python = base / "venv" / "bin" / "python"
    exact = [f"{name}=={version}" for name, version in dict(exceptions).items()]
    # --no-compile: byte-compiling all of torch takes minutes; Python compiles what a kernel imports.
    pip(venv_python, "install", "--quiet", "--no-compile", "-c", constraints, *packages, *exact)
    absent = sorted(installed(venv_python).keys() - colab_has.keys() - dict(exceptions).keys())
    if absent:
        pip(venv_python, "uninstall", "--yes", "--quiet", *absent)
    return venv_python


def changes(before, after):
    """What differs between two {package: version}: ["name 1 -> 2", "name added", ...]."""
    return sorted([f"{n} {before[n]} -> {after[n]}" for n in before.keys() & after.keys() if before[n] != after[n]]
                  + [f"{n} added" for n in after.keys() - before.keys()] + [f"{n} removed" for n in before.keys() - after.keys()])


def scratchnet_origin(python):
    """pip's record of where the environment's scratchnet came from (direct_url.json), or None."""
    code = ("import importlib.metadata as m\ntry: print(m.distribution('scratchnet').read_text('direct_url.json'))\n"
            "except m.PackageNotFoundError: print('null')")
    return json.loads(subprocess.run([python, "-c", code], check=True, capture_output=True, text=True).stdout)


def uninstall_scratchnet(python):
    pip(python, "uninstall", "--yes", "--quiet", "scratchnet")
    importable = subprocess.run([python, "-c", "import scratchnet"], capture_output=True).returncode == 0
    assert not importable and scratchnet_origin(python) is None


def clone_of_head(base):
    """A clone of the committed repository, its configured branch at HEAD."""
    clone = base / "repository"
    git("clone", "--quiet", ROOT, clone)
    repository = colab_sync.repository(clone / "_config.yml")
    git("-C", clone, "update-ref", f"refs/heads/{repository['branch']}", "HEAD")
    return SimpleNamespace(clone=clone, commit=git("-C", clone, "rev-parse", "HEAD").strip(),
                           url=repository["url"].rstrip("/"), branch=repository["branch"])


@pytest.fixture(scope="session")
def simulations(tmp_path_factory):
    """{"chapters": ..., "assignments": ...}: each a clone of the committed repository and a
    Colab-like venv (Python 3.11 with torch for the chapters, 3.13 without), built at once."""
    plans = {"chapters": (sys.executable, CHAPTERS, EXCEPTIONS), "assignments": (PYTHON_313, ASSIGNMENTS, {})}

    def make(kind):
        base = tmp_path_factory.mktemp(f"colab-{kind}")
        repository = clone_of_head(base)
        repository.python = colab_venv(base, *plans[kind])
        return kind, repository
    with ThreadPoolExecutor(max_workers=2) as pool:
        return dict(pool.map(make, plans))


@pytest.fixture(scope="session")
def colab(simulations):
    return simulations["chapters"]


@pytest.fixture(scope="session")
def colab313(simulations):
    return simulations["assignments"]


def test_the_simulations_have_colabs_versions(colab, colab313):
    """Every package installed is one Colab has, at Colab's version, but the stated exceptions."""
    colab_has = colab_versions()
    for python, exceptions in ((colab.python, EXCEPTIONS), (colab313.python, {})):
        found = installed(python)
        assert {"numpy", "matplotlib", "ipykernel", "ipython", "jupyter-client"} <= found.keys()
        differ = {n: v for n, v in found.items() if n != "scratchnet" and colab_has.get(n) != v}
        assert {n: v.split("+")[0] for n, v in differ.items()} == exceptions, python
    assert subprocess.run([colab313.python, "-c", "import sys; print(sys.version_info[:2])"], capture_output=True,
                          text=True, check=True).stdout == "(3, 13)\n"


def file_url(path):
    """A file URL with a host: the pip that `venv` bundles (23.2) rejects `git+file:///path`."""
    return Path(path).as_uri().replace("file://", "file://localhost", 1)


def sanitizer():
    config = configparser.ConfigParser(interpolation=None)
    config.read(ROOT / "tests" / "sanitize.cfg")
    rules = [(re.compile(config[s]["regex"]), config[s]["replace"]) for s in config.sections()]

    def sanitize(text):
        for pattern, replacement in rules:
            text = pattern.sub(replacement, text)
        return text
    return sanitize


def printed(nb):
    """What each code cell but the install cell shows as text, sanitized: its streams, the
    text/plain of its results and figures, its errors."""
    sanitize = sanitizer()
    shown = []
    for cell in nb.cells:
        if cell.cell_type != "code" or cell is colab_sync.install_cell(nb):
            continue
        streams, results = {}, []
        for out in cell.outputs:
            if out.output_type == "stream":
                streams[out.name] = streams.get(out.name, "") + out.text
            elif out.output_type == "error":
                results.append(f"{out.ename}: {out.evalue}")
            elif "text/plain" in out.data:
                results.append(out.data["text/plain"])
        shown.append({"cell": cell.source.splitlines()[0] if cell.source else "",
                      **{name: sanitize(text) for name, text in streams.items()},
                      "results": [sanitize(text) for text in results]})
    return shown


@pytest.mark.parametrize("chapter", committed_chapters(), ids=lambda c: Path(c).name)
def test_chapter_runs_in_colab(colab, chapter, tmp_path):
    uninstall_scratchnet(colab.python)
    stored = nbformat.read(colab.clone / chapter, as_version=4)
    nb = copy.deepcopy(stored)
    cell = colab_sync.install_cell(nb)
    official = f"git+{colab.url}@{colab.branch}#"
    assert cell is not None and cell.source.count(official) == 1
    cell.source = cell.source.replace(official, f"git+{file_url(colab.clone)}@{colab.branch}#")
    folder = tmp_path / "content"  # Colab's working folder, with only the notebook in it
    folder.mkdir()
    nbformat.write(nb, folder / Path(chapter).name)

    before = installed(colab.python)
    execute(nb, colab.python, folder)

    after = installed(colab.python)
    assert changes(before, after) == ["scratchnet added"], "the install cell changed Colab's packages"
    origin = scratchnet_origin(colab.python)
    assert (origin["url"], origin["vcs_info"]["commit_id"], origin["subdirectory"]) == (
        file_url(colab.clone), colab.commit, "code")
    assert printed(nb) == printed(stored)


def test_failed_install_stops_the_notebook(colab, tmp_path):
    uninstall_scratchnet(colab.python)
    config = write_config(tmp_path, url=file_url(tmp_path / "no-such-repository"), branch=colab.branch)
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(colab_sync.install_cell_source(config)),
                                         nbformat.v4.new_code_cell("print('went on')")])
    with pytest.raises(CellExecutionError) as failure:
        execute(nb, colab.python, tmp_path)
    assert failure.value.ename == "ImportError" and "Installing scratchnet failed:" in failure.value.evalue
    assert "no-such-repository" in failure.value.evalue  # pip's message
    assert nb.cells[1].outputs == []


# ---------------------------------------------------------------- the assignments' setup cell

def test_assignment_setup_cell_changes_nothing_in_colab(colab313, tmp_path):
    """hw1's student notebook, with the solution's answers, in Colab's Python 3.13 and packages:
    its setup cell installs scratchnet from the clone and changes no other package (so no restart
    is needed), prints nothing, and every public check passes."""
    sys.path.insert(0, str(ROOT / "assignments"))
    import build
    import make_class
    paths = build.build(build.masters()[0], tmp_path / "dist")
    nb = make_class.fill(paths["student"], paths["solutions"], {})
    cell = build.setup_cell(nb)
    official = f"git+{colab313.url}@{colab313.branch}#"
    assert cell.source.count(official) == 1
    cell.source = cell.source.replace(official, f"git+{file_url(colab313.clone)}@{colab313.branch}#")
    folder = tmp_path / "content"
    folder.mkdir()
    nbformat.write(nb, folder / paths["student"].name)
    uninstall_scratchnet(colab313.python)
    before = installed(colab313.python)

    execute(nb, colab313.python, folder)

    assert changes(before, installed(colab313.python)) == ["scratchnet added"]
    assert cell.outputs == []
    checks = {c.source: "".join(o.get("text", "") for o in c.outputs) for c in nb.cells if c.source.startswith("grader.check(")}
    assert len(checks) == 4
    for source, text in checks.items():
        assert text == f"{source.split(chr(34))[1]}: all public tests passed (hidden tests decide the grade)\n", source


def setup_cell_for(requirement):
    """The assignments' setup cell (no public tests) installing `requirement` instead of scratchnet."""
    sys.path.insert(0, str(ROOT / "assignments"))
    import build
    return build.setup_source({}).replace(f'"{build.requirement()}"', f'"{requirement}"')


def test_assignment_setup_cell_says_when_to_restart(colab313, tmp_path):
    """Were installing scratchnet ever to change an installed package, the cell would say so and
    tell the student to restart: here a stand-in scratchnet that needs an older wrapt. And when
    the installation fails, the cell stops with pip's message."""
    package = tmp_path / "stand-in"
    (package / "scratchnet").mkdir(parents=True)
    (package / "scratchnet" / "__init__.py").write_text("")
    (package / "pyproject.toml").write_text('[project]\nname = "scratchnet"\nversion = "0.0.1"\n'
                                            'dependencies = ["wrapt==1.17.3"]\n')
    uninstall_scratchnet(colab313.python)
    before = installed(colab313.python)
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(setup_cell_for(f"scratchnet @ {file_url(package)}"))])
    try:
        execute(nb, colab313.python, tmp_path)
    finally:
        uninstall_scratchnet(colab313.python)
        pip(colab313.python, "install", "--quiet", f"wrapt=={before['wrapt']}")
    assert installed(colab313.python) == before
    assert [o.get("text") for o in nb.cells[0].outputs] == [
        "Installing scratchnet also changed wrapt 2.3.0 -> 1.17.3. Restart the session (Runtime > Restart session "
        "in Colab, Kernel > Restart in Jupyter), then run the notebook again.\n"]
    missing = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(setup_cell_for(
        f"scratchnet @ {file_url(tmp_path / 'no-such-package')}"))])
    with pytest.raises(CellExecutionError) as failure:
        execute(missing, colab313.python, tmp_path)
    assert failure.value.ename == "ImportError" and "Installing scratchnet failed:" in failure.value.evalue
    assert "no-such-package" in failure.value.evalue  # pip's message


def test_installing_otter_would_change_colab(colab313):
    """Why the setup cell no longer installs otter-grader: pip's plan for it in the same Colab
    upgrades ipywidgets (which Colab's kernel has already imported), downgrades wrapt and adds
    playwright and jedi, as Colab showed. The check above catches such changes."""
    plan = pip(colab313.python, "install", "--dry-run", "--quiet", "--report", "-", "otter-grader==7.0.0")
    before = installed(colab313.python)
    would = {normal(item["metadata"]["name"]): item["metadata"]["version"] for item in json.loads(plan)["install"]}
    found = changes(before, {**before, **would})
    assert any(c.startswith("ipywidgets 7.7.1 -> 8.") for c in found), found
    assert any(c.startswith("wrapt 2.3.0 -> 1.") for c in found), found
    assert {"playwright added", "jedi added"} <= set(found), found


# ---------------------------------------------------------------- Python 3.10 and up

def vermin(path):
    """vermin's check that the code at `path` runs on Python 3.10 (exit status 0) or not."""
    command = [Path(sys.executable).with_name("vermin"), "--target=3.10-", "--violations", "--eval-annotations",
               "--no-parse-comments", "--no-tips", path]
    return subprocess.run(command, capture_output=True, text=True)


def test_package_needs_nothing_beyond_python_310():
    result = vermin(ROOT / "code" / "scratchnet")
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("code, feature", [
    ("import tomllib\n", "'tomllib' module requires !2, 3.11"),
    ("try:\n    pass\nexcept* ValueError:\n    pass\n", "`except*` requires !2, 3.11"),
    ("from typing import Self\n", "'typing.Self' member requires !2, 3.11"),
    ("import datetime\nUTC = datetime.UTC  # novermin\n", "'datetime.UTC' member requires !2, 3.11"),
], ids=["tomllib", "except*", "typing.Self", "datetime.UTC despite novermin"])
def test_vermin_catches_python_311_code(tmp_path, code, feature):
    (tmp_path / "module.py").write_text(code)
    result = vermin(tmp_path)
    assert result.returncode != 0 and feature in result.stdout


def test_pyproject_declares_python_310_and_up():
    project = tomllib.loads((ROOT / "code" / "pyproject.toml").read_text())["project"]
    assert project["requires-python"] == ">=3.10"
    minors = sorted(int(m) for m in re.findall(r"^Programming Language :: Python :: 3\.(\d+)$",
                                               "\n".join(project["classifiers"]), re.M))
    assert minors == list(range(10, minors[-1] + 1)) and minors[-1] >= sys.version_info.minor
