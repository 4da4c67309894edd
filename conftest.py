"""pytest set-up for the whole repository (tests/ and nbval's chapters).

nbval's chapter kernels talk over IPC sockets in a private folder instead of TCP. Over TCP,
jupyter_client picks each port by binding port 0 and closing it again, so another process
starting a kernel at the same moment (the graders in tests/test_assignments.py, Colab's
simulation in tests/test_colab.py) can take the port first: "ZMQError: Address already in use".
"""
import itertools
import shutil
import tempfile
from pathlib import Path

import nbval.kernel
from jupyter_client.manager import KernelManager


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
