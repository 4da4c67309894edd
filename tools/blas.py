"""The same matrix products on every x86 machine, so that re-running a chapter reproduces its stored outputs.

NumPy's OpenBLAS chooses its kernels by the CPU it finds when it loads: SkylakeX's on a machine with
AVX-512, Haswell's (AVX2 and FMA) on most others. The kernels add a product's terms in another order,
so their results differ in the last bits, and training amplifies that. Measured on an AVX-512 machine
against outputs stored on an AVX2 one: 3.7.6's cost curve moved in its 8th digit (one SVG coordinate),
and 3.7.7's table of L2 penalties by 0.01 in accuracy. With the Haswell kernels, which every machine
with AVX2 and FMA can run, both were reproduced bit for bit.

The choice is made by an environment variable that OpenBLAS reads when it loads: `pin()` sets it for
this process's kernels and subprocesses (nbval's and nbclient's kernels inherit it), before they start.
"""
import os
from pathlib import Path

KERNELS = "Haswell"


def cpu_flags(cpuinfo=Path("/proc/cpuinfo")):
    """The CPU's feature flags ("avx2", "fma", ...), or an empty set where /proc/cpuinfo has none."""
    try:
        text = cpuinfo.read_text()
    except OSError:
        return set()
    line = next((line for line in text.splitlines() if line.startswith("flags")), "")
    return set(line.partition(":")[2].split())


def pin(environ=os.environ, flags=None):
    """Set OPENBLAS_CORETYPE to Haswell where the CPU can run those kernels and nobody chose others."""
    if {"avx2", "fma"} <= (cpu_flags() if flags is None else flags):
        environ.setdefault("OPENBLAS_CORETYPE", KERNELS)
    return environ.get("OPENBLAS_CORETYPE")
