"""Execute notebooks top to bottom in a fresh kernel and save them with their outputs.

    python tools/execute.py chapters/*.ipynb
"""
import sys
from pathlib import Path

import nbformat
from nbclient import NotebookClient


def execute(path, timeout=600):
    path = Path(path)
    nb = nbformat.read(path, as_version=4)
    # record_timing=False: no execution timestamps in the stored notebook (diffs show content only)
    NotebookClient(nb, timeout=timeout, kernel_name="python3", record_timing=False,
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    nbformat.write(nb, path)


if __name__ == "__main__":
    for p in sys.argv[1:]:
        print(f"executing {p}", flush=True)
        execute(p)
