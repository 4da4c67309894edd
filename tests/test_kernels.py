"""nbval's chapter kernels: IPC sockets, not TCP ports that another process can take first, and the
OpenBLAS kernels that stored the chapters' outputs (tools/blas.py)."""
import json
import sys
from pathlib import Path

import nbval.kernel
import pytest

from conftest import ROOT

sys.path.insert(0, str(ROOT / "tools"))
import blas  # noqa: E402


@pytest.fixture(scope="module")
def kernel():
    km, kc = nbval.kernel.start_new_kernel(kernel_name=nbval.kernel.CURRENT_ENV_KERNEL_NAME)
    try:
        yield km, kc
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)


def printed(kc, code):
    """What `code` prints in the kernel."""
    text = []
    reply = kc.execute_interactive(code, timeout=60, output_hook=lambda msg: text.append(msg["content"].get("text", "")))
    assert reply["content"]["status"] == "ok", reply["content"]
    return "".join(text)


def test_nbval_kernels_listen_on_ipc_sockets(kernel):
    km, kc = kernel
    info = json.loads(Path(km.connection_file).read_text())
    assert info["transport"] == "ipc"
    assert Path(info["ip"]).parent == Path(km.connection_file).parent  # the private folder
    assert printed(kc, "print(6 * 7)") == "42\n"


@pytest.mark.skipif(not {"avx2", "fma"} <= blas.cpu_flags(), reason="a CPU without AVX2 and FMA keeps its own kernels")
def test_nbval_kernels_use_the_kernels_that_stored_the_outputs(kernel):
    code = "import numpy, threadpoolctl; print({i['architecture'] for i in threadpoolctl.threadpool_info()})"
    assert printed(kernel[1], code) == f"{{'{blas.KERNELS}'}}\n"


def test_pin_chooses_haswell_only_where_the_cpu_runs_it_and_nobody_chose():
    assert blas.pin({}, {"avx2", "fma", "avx512f"}) == "Haswell"
    assert blas.pin({}, {"avx", "fma"}) is None  # no AVX2: OpenBLAS's own choice
    assert blas.pin({"OPENBLAS_CORETYPE": "SkylakeX"}, {"avx2", "fma"}) == "SkylakeX"


def test_cpu_flags_reads_the_flags_line(tmp_path):
    (tmp_path / "cpuinfo").write_text("processor\t: 0\nflags\t\t: fpu avx2 fma\n\nprocessor\t: 1\nflags\t\t: fpu avx2 fma\n")
    assert blas.cpu_flags(tmp_path / "cpuinfo") == {"fpu", "avx2", "fma"}
    assert blas.cpu_flags(tmp_path / "missing") == set()
