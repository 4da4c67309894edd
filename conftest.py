"""pytest set-up for the whole repository (tests/ and nbval's chapters).

Every kernel uses the same OpenBLAS kernels as the one that stored the chapters' outputs, on any
x86 machine with AVX2 (tools/blas.py): otherwise an AVX-512 machine computes other last bits.

nbval's chapter kernels talk over IPC sockets in a private folder instead of TCP. Over TCP,
jupyter_client picks each port by binding port 0 and closing it again, so another process
starting a kernel at the same moment (the graders in tests/test_assignments.py, Colab's
simulation in tests/test_colab.py) can take the port first: "ZMQError: Address already in use".
"""
import itertools
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent / "tools"))
import blas  # noqa: E402

blas.pin()  # every kernel started by the tests computes what tools/execute.py stored (see tools/blas.py)

import nbval.kernel  # noqa: E402
from jupyter_client.manager import KernelManager  # noqa: E402


class IPCKernelManager(KernelManager):
    """A KernelManager whose kernel listens on IPC sockets next to its connection file."""

    folder = None  # set by pytest_configure
    numbers = itertools.count()

    def __init__(self, **kwargs):
        connection_file = self.folder / f"kernel-{next(self.numbers)}.json"
        super().__init__(transport="ipc", connection_file=str(connection_file), **kwargs)


def pytest_configure(config):
    IPCKernelManager.folder = Path(tempfile.mkdtemp(prefix="nbval-ipc-"))
    nbval.kernel.KernelManager = IPCKernelManager  # what nbval's start_new_kernel calls


def pytest_unconfigure(config):
    if IPCKernelManager.folder is not None:
        shutil.rmtree(IPCKernelManager.folder, ignore_errors=True)
