"""Fail the build (a warning, an error under -W) when a notebook holds a stored error output.

The site shows the outputs stored in the notebooks (execute_notebooks: off); nbval re-runs and
compares them in the tests. This closes the remaining gap: a cell that failed when the notebook
was last run must not reach the website.
"""
import json

from sphinx.util import logging

logger = logging.getLogger(__name__)


def check_notebooks(app, env, docnames):
    for docname in docnames:
        path = env.doc2path(docname)
        if not str(path).endswith(".ipynb"):
            continue
        cells = json.loads(open(path, encoding="utf-8").read())["cells"]
        for number, cell in enumerate(cells, start=1):
            for output in cell.get("outputs", []):
                if output.get("output_type") == "error":
                    logger.warning(f"cell {number} has a stored error: {output.get('ename')}: "
                                   f"{output.get('evalue')}", location=docname)


def setup(app):
    app.connect("env-before-read-docs", check_notebooks)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
