"""Shared fixtures for the website tests: the built site, served on 127.0.0.1, and its pages.

The site is the one `make book` builds (_build/html); BOOK_HTML points the tests at another build.
"""
import os
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
from pdf import served  # noqa: E402  (the local server that prints the PDF serves the tests too)


def toc_pages(node):
    """The documents of _toc.yml (the root and every `file` entry, however nested), in order."""
    if isinstance(node, dict):
        for key in ("root", "file"):
            if key in node:
                yield node[key].removesuffix(".ipynb").removesuffix(".md")
        for value in node.values():
            yield from toc_pages(value)
    elif isinstance(node, list):
        for item in node:
            yield from toc_pages(item)


def book_pages():
    """The book's pages, as document names like "chapters/index"; the root page first."""
    return list(toc_pages(yaml.safe_load((ROOT / "_toc.yml").read_text())))


def site_pages():
    """Every page a reader opens: the book's pages and the search page."""
    return book_pages() + ["search"]


def pytest_generate_tests(metafunc):
    """Run every test that takes `docname` once per page of the book, `pagename` once per page of the site."""
    if "docname" in metafunc.fixturenames:
        metafunc.parametrize("docname", book_pages(), scope="module")
    if "pagename" in metafunc.fixturenames:
        metafunc.parametrize("pagename", site_pages(), scope="module")


@pytest.fixture(scope="session")
def site():
    html = Path(os.environ.get("BOOK_HTML", ROOT / "_build" / "html"))
    if not (html / "index.html").is_file():
        pytest.fail(f"No built website in {html}: run `make book` first (or set BOOK_HTML to a build).")
    return html


@pytest.fixture(scope="session")
def server(site):
    """The site served over HTTP on 127.0.0.1 at a free port; yields the base URL."""
    with served(site) as url:
        yield url
