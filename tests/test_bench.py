"""The benchmark's equivalence check (benchmarks/step.py): every implementation takes the same
step, and a step that differs is caught. No timings here: `make bench` does those."""
import importlib.util
from pathlib import Path

import numpy as np
import pytest

spec = importlib.util.spec_from_file_location("bench_step", Path(__file__).parents[1] / "benchmarks" / "step.py")
bench = importlib.util.module_from_spec(spec)
spec.loader.exec_module(bench)


@pytest.mark.parametrize("dtype", bench.DTYPES)
def test_all_implementations_take_the_same_step(dtype):
    errors = bench.check_equivalence([5, 8, 6, 3], 16, dtype)
    assert set(errors) == {"PyTorch", "scikit-learn"}
    assert max(errors.values()) <= bench.TOLERANCE[dtype]


def test_a_different_step_is_caught():
    def torch_with_another_learning_rate(params, X, labels, Y, learning_rate):
        return bench.torch_step(params, X, labels, Y, learning_rate * 1.001)

    with pytest.raises(AssertionError, match="PyTorch disagrees with scratchnet"):
        bench.check_equivalence([5, 8, 6, 3], 16, np.float64,
                                {"scratchnet": bench.scratchnet_step, "PyTorch": torch_with_another_learning_rate})
