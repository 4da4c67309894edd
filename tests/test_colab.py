"""Every chapter runs in Google Colab: the install cell, a simulated Colab, Python 3.10 support.

The simulation: a fresh virtual environment with what Colab has (numpy, matplotlib, ipykernel,
torch, scikit-learn, nbclient) and no scratchnet; for each committed chapter, the notebook
alone in an empty folder, its install cell pointed at a local clone of this repository
(`git+file://`, the only change), executed by a kernel of that environment; it must install
scratchnet from the clone, run to the end and print what the stored notebook prints.
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
from types import SimpleNamespace

import nbformat
import pytest
import yaml
from IPython.core.inputtransformer2 import TransformerManager
from jupyter_client.kernelspec import KernelSpecManager
from jupyter_client.manager import AsyncKernelManager
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
import colab_sync  # noqa: E402

# What Colab has installed before a chapter runs, at the versions pinned in requirements.txt.
COLAB_PACKAGES = ["numpy", "matplotlib", "ipykernel", "torch", "scikit-learn", "nbclient"]


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
        km = AsyncKernelManager(kernel_name="target", kernel_spec_manager=KernelSpecManager(kernel_dirs=[kernels]))
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


def test_ipython_runs_the_indented_pip_magic():
    python = TransformerManager().transform_cell(colab_sync.install_cell_source())
    requirement = colab_sync.requirement()
    assert f"""    get_ipython().run_line_magic('pip', 'install --quiet "{requirement}"')""" in python.splitlines()
    compile(python, "install-cell", "exec")


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

def pins(names):
    """`name==version` for each name, as pinned in requirements.txt."""
    pinned = dict(re.findall(r"^([A-Za-z0-9_.-]+)==(\S+)", (ROOT / "requirements.txt").read_text(), re.M))
    return [f"{name}=={pinned[name]}" for name in names]


def scratchnet_origin(python):
    """pip's record of where the environment's scratchnet came from (direct_url.json), or None."""
    code = ("import importlib.metadata as m\ntry: print(m.distribution('scratchnet').read_text('direct_url.json'))\n"
            "except m.PackageNotFoundError: print('null')")
    return json.loads(subprocess.run([python, "-c", code], check=True, capture_output=True, text=True).stdout)


def uninstall_scratchnet(python):
    subprocess.run([python, "-m", "pip", "uninstall", "--yes", "--quiet", "scratchnet"], check=True,
                   capture_output=True)
    importable = subprocess.run([python, "-c", "import scratchnet"], capture_output=True).returncode == 0
    assert not importable and scratchnet_origin(python) is None


@pytest.fixture(scope="session")
def colab(tmp_path_factory):
    """A clone of the committed repository (its configured branch at HEAD) and a Colab-like venv."""
    base = tmp_path_factory.mktemp("colab")
    clone = base / "repository"
    git("clone", "--quiet", ROOT, clone)
    repository = colab_sync.repository(clone / "_config.yml")
    git("-C", clone, "update-ref", f"refs/heads/{repository['branch']}", "HEAD")
    venv = base / "venv"
    subprocess.run([sys.executable, "-m", "venv", venv], check=True)
    python = venv / "bin" / "python"
    # --no-compile: byte-compiling all of torch takes minutes; Python compiles what a kernel imports.
    subprocess.run([python, "-m", "pip", "install", "--quiet", "--no-compile", *pins(COLAB_PACKAGES)],
                   check=True)
    return SimpleNamespace(clone=clone, commit=git("-C", clone, "rev-parse", "HEAD").strip(),
                           url=repository["url"].rstrip("/"), branch=repository["branch"], python=python)


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

    execute(nb, colab.python, folder)

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
    assert (failure.value.ename, failure.value.evalue) == (
        "ImportError", "Installing scratchnet failed: see pip's message above.")
    assert "no-such-repository" in "".join(out.get("text", "") for out in nb.cells[0].outputs)  # pip's message
    assert nb.cells[1].outputs == []


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
