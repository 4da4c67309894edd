"""Execute notebooks top to bottom in a fresh kernel and save them with their outputs.

    python tools/execute.py chapters/*.ipynb
"""
import sys
from pathlib import Path

import nbformat
from nbclient import NotebookClient

import blas


def merge_streams(outputs):
    """Consecutive outputs of one stream as one: where the kernel flushed is not part of the result."""
    merged = []
    for output in outputs:
        if (output.output_type == "stream" and merged and merged[-1].output_type == "stream"
                and merged[-1].name == output.name):
            merged[-1].text += output.text
        else:
            merged.append(output)
    return merged


def execute(path, timeout=600):
    path = Path(path)
    nb = nbformat.read(path, as_version=4)
    # record_timing=False: no execution timestamps in the stored notebook (diffs show content only)
    NotebookClient(nb, timeout=timeout, kernel_name="python3", record_timing=False,
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = merge_streams(cell.outputs)
    nbformat.write(nb, path)


if __name__ == "__main__":
    blas.pin()  # the kernels the tests pin too: nbval then reproduces these outputs on any x86 machine
    for p in sys.argv[1:]:
        print(f"executing {p}", flush=True)
        execute(p)
