"""Time one training step of the same network in scratchnet, PyTorch and scikit-learn.

One step is forward, backward and a gradient-descent update on one mini-batch. The
networks: 784-256-128-10 (ReLU hidden layers, softmax output, batch 256), where the matrix
products dominate, and a toy 2-32-16-3 (batch 64), where per-call overhead dominates.
The floor is the step's matrix products alone, done by NumPy: no NumPy step can be faster.

Before timing, every implementation takes one step from the same weights on the same batch,
and the losses and weight updates must agree. Then all of them are timed in one run,
interleaved: in each round, every (implementation, dtype) runs one block of steps, after a
pause (OpenBLAS and OpenMP worker threads keep spinning after a call and would slow the next
library's calls 10x or more) and one untimed step. A figure is the median over the rounds.

Run: make bench  (or .venv/bin/python benchmarks/step.py [--rounds N])
"""
import argparse
import ctypes
import ctypes.util
import time

import numpy as np
import sklearn
import threadpoolctl
import torch
from sklearn.neural_network import MLPClassifier

import scratchnet as sn

NETWORKS = {"784-256-128-10": ([784, 256, 128, 10], 256), "2-32-16-3": ([2, 32, 16, 3], 64)}
DTYPES = (np.float64, np.float32)
LEARNING_RATE = 0.1
PAUSE = 0.3          # seconds between blocks, for the previous library's threads to go to sleep
BLOCK = 0.05         # seconds of steps in one timed block
TOLERANCE = {np.float64: 1e-9, np.float32: 1e-4}   # relative error of the loss and the updates


def problem(layer_dims, m, dtype, seed=0):
    """He-initialised params, a batch X (n⁽⁰⁾ × m, values in [0, 1)), its labels and one-hot Y."""
    rng = np.random.default_rng(seed)
    params = sn.init_params(layer_dims, rng, scale="he", dtype=dtype)
    X = rng.random((layer_dims[0], m)).astype(dtype)
    labels = rng.integers(layer_dims[-1], size=m)
    return params, X, labels, sn.data.one_hot(labels, layer_dims[-1]).astype(dtype)


# Each implementation: (params, X, labels, Y, learning_rate) -> (step, loss, weights): step()
# takes one training step, loss() is the last step's loss (before its update), and weights()
# returns the parameters as NumPy arrays in scratchnet's layout (W⁽ˡ⁾ n⁽ˡ⁾ × n⁽ˡ⁻¹⁾, b⁽ˡ⁾ n⁽ˡ⁾ × 1).

def scratchnet_step(params, X, labels, Y, learning_rate):
    """sn.forward, sn.backward, sn.update. The loss value itself is not part of the step: the
    gradient does not need it (δᴸ = Aᴸ − Y), and the softmax it would start from is in forward."""
    params = {key: value.copy() for key, value in params.items()}
    last = {}

    def step():
        last["AL"], cache = sn.forward(X, params, "relu", "softmax")
        sn.update(params, sn.backward(params, cache, Y), learning_rate)

    return step, lambda: sn.cost(last["AL"], Y, "softmax"), lambda: params


def torch_step(params, X, labels, Y, learning_rate):
    """The idiomatic PyTorch step: nn.Linear layers, cross_entropy on the logits, optim.SGD."""
    L = len(params) // 2
    layers = []
    for l in range(1, L + 1):
        W, b = params[f"W{l}"], params[f"b{l}"]
        linear = torch.nn.Linear(W.shape[1], W.shape[0], dtype=torch.from_numpy(W).dtype)
        with torch.no_grad():
            linear.weight.copy_(torch.from_numpy(W))     # nn.Linear's weight is n_out × n_in too
            linear.bias.copy_(torch.from_numpy(b[:, 0]))
        layers += [linear, torch.nn.ReLU()] if l < L else [linear]
    model = torch.nn.Sequential(*layers)
    optimizer = torch.optim.SGD(model.parameters(), lr=learning_rate)
    X_rows, y = torch.from_numpy(np.ascontiguousarray(X.T)), torch.from_numpy(labels)
    last = {}

    def step():
        optimizer.zero_grad()
        last["loss"] = torch.nn.functional.cross_entropy(model(X_rows), y)   # softmax + cross-entropy
        last["loss"].backward()
        optimizer.step()

    def weights():
        linears = [layer for layer in model if isinstance(layer, torch.nn.Linear)]
        return {key: value for l, linear in enumerate(linears, 1)
                for key, value in ((f"W{l}", linear.weight.detach().numpy()),
                                   (f"b{l}", linear.bias.detach().numpy()[:, None]))}

    return step, lambda: last["loss"].item(), weights


def sklearn_step(params, X, labels, Y, learning_rate):
    """MLPClassifier.partial_fit on one batch: plain SGD (no momentum), no L2 penalty (alpha=0).

    scikit-learn stores examples as rows, so its coefs_[l-1] is W⁽ˡ⁾ᵀ and intercepts_[l-1] is b⁽ˡ⁾.
    """
    L = len(params) // 2
    hidden = tuple(params[f"W{l}"].shape[0] for l in range(1, L))
    model = MLPClassifier(hidden, activation="relu", solver="sgd", alpha=0.0, batch_size=X.shape[1],
                          learning_rate_init=learning_rate, momentum=0.0, shuffle=False)
    X_rows = np.ascontiguousarray(X.T)
    model.partial_fit(X_rows, labels, classes=np.arange(Y.shape[0]))   # creates coefs_ of X's dtype
    for l in range(1, L + 1):
        model.coefs_[l - 1][...] = params[f"W{l}"].T      # in place: the optimizer holds these arrays
        model.intercepts_[l - 1][...] = params[f"b{l}"][:, 0]

    def step():
        model.partial_fit(X_rows, labels)

    def weights():
        return {key: value for l in range(1, L + 1)
                for key, value in ((f"W{l}", model.coefs_[l - 1].T), (f"b{l}", model.intercepts_[l - 1][:, None]))}

    return step, lambda: model.loss_, weights


IMPLEMENTATIONS = {"scratchnet": scratchnet_step, "PyTorch": torch_step, "scikit-learn": sklearn_step}


def check_equivalence(layer_dims, m, dtype, implementations=IMPLEMENTATIONS, learning_rate=LEARNING_RATE):
    """One step of each implementation from the same start: the losses and the weight updates
    (W_after − W_before, a stricter test than W_after) must match the first implementation's.

    Returns {name: largest relative error}; raises AssertionError naming what disagrees.
    """
    params, X, labels, Y = problem(layer_dims, m, dtype)
    results = {}
    for name, make in implementations.items():
        step, loss, weights = make(params, X, labels, Y, learning_rate)
        step()
        after = weights()
        results[name] = loss(), {key: np.asarray(after[key], dtype=np.float64) - params[key] for key in params}
    (reference, (loss_0, updates_0)), *others = results.items()
    errors = {}
    for name, (loss, updates) in others:
        errors[name] = max([abs(loss - loss_0) / abs(loss_0)] +
                           [sn.relative_error(updates[key], updates_0[key]) for key in params])
        if not errors[name] <= TOLERANCE[dtype]:
            raise AssertionError(f"{name} disagrees with {reference} on {layer_dims}, {np.dtype(dtype)}: "
                                 f"relative error {errors[name]:.1e} > {TOLERANCE[dtype]:.0e}")
    return errors


def matmul_floor(params, X, labels, Y, learning_rate):
    """The step's matrix products alone, on arrays of the shapes and layouts the step uses:
    Z⁽ˡ⁾ = W⁽ˡ⁾A⁽ˡ⁻¹⁾, dW⁽ˡ⁾ = δ⁽ˡ⁾A⁽ˡ⁻¹⁾ᵀ, db⁽ˡ⁾ = δ⁽ˡ⁾𝟏, and W⁽ˡ⁾ᵀδ⁽ˡ⁾ for l ≥ 2 (no gradient
    for X). step_flops leaves δ⁽ˡ⁾𝟏 out: 0.08% of the operations of 784-256-128-10, 3% of 2-32-16-3."""
    AL, cache = sn.forward(X, params, "relu", "softmax")
    L = len(params) // 2
    W = [None] + [params[f"W{l}"] for l in range(1, L + 1)]
    A = [cache[f"A{l}"] for l in range(L + 1)]
    delta = [None] + [cache[f"Z{l}"] for l in range(1, L + 1)]   # same shape as δ⁽ˡ⁾
    ones = np.ones((X.shape[1], 1), dtype=X.dtype)

    def step():
        for l in range(1, L + 1):
            W[l] @ A[l - 1]
            delta[l] @ A[l - 1].T
            delta[l] @ ones
            if l > 1:
                W[l].T @ delta[l]

    return step, None, None


def time_interleaved(steps, rounds):
    """{key: median seconds per step over `rounds` rounds}; each round runs every step in turn
    (order rotated from round to round) for about BLOCK seconds, after a PAUSE and one untimed call."""
    per_block = {}
    for key, step in steps.items():
        time.sleep(PAUSE)
        step()
        start = time.perf_counter()
        step()
        per_block[key] = max(1, round(BLOCK / (time.perf_counter() - start)))
    samples = {key: [] for key in steps}
    keys = list(steps)
    for r in range(rounds):
        for key in keys[r % len(keys):] + keys[:r % len(keys)]:
            step, n = steps[key], per_block[key]
            time.sleep(PAUSE)
            step()
            start = time.perf_counter()
            for _ in range(n):
                step()
            samples[key].append((time.perf_counter() - start) / n)
    return {key: float(np.median(times)) for key, times in samples.items()}


def keep_freed_memory():
    """Stop glibc's malloc from handing freed memory back to the OS (M_TRIM_THRESHOLD) and from
    giving big arrays their own mappings (M_MMAP_THRESHOLD). By default it does both, and
    getting the memory back costs a page fault per 4 KiB: whether a step pays that depends on
    the order its arrays happen to be freed in (measured here: about 1300 faults per float64
    step of scratchnet, under 100 of PyTorch, about 600 of scikit-learn), not on its arithmetic.
    Returns False where that is not glibc."""
    libc = ctypes.CDLL(ctypes.util.find_library("c"))
    if not hasattr(libc, "mallopt"):
        return False
    M_TRIM_THRESHOLD, M_MMAP_THRESHOLD = -1, -3
    return bool(libc.mallopt(M_TRIM_THRESHOLD, 2**30) and libc.mallopt(M_MMAP_THRESHOLD, 2**25))


def main(rounds, malloc_default):
    # NumPy's own OpenBLAS (SciPy, imported by scikit-learn, brings another one)
    blas = next(info for info in threadpoolctl.threadpool_info()
                if info["user_api"] == "blas" and "numpy" in info["filepath"])
    torch.set_num_threads(blas["num_threads"])
    print(f"NumPy {np.__version__} ({blas['internal_api']} {blas['version']}), PyTorch {torch.__version__}, "
          f"scikit-learn {sklearn.__version__}; {blas['num_threads']} threads for NumPy's BLAS and for PyTorch; "
          f"median of {rounds} interleaved rounds")
    if not malloc_default:
        print("glibc malloc set to keep freed memory (no page faults to get it back):",
              "yes" if keep_freed_memory() else "no, not glibc")
    implementations = {**IMPLEMENTATIONS, "matmul floor": matmul_floor}
    results = {}
    for network, (layer_dims, m) in NETWORKS.items():
        steps = {}
        for dtype in DTYPES:
            errors = check_equivalence(layer_dims, m, dtype)
            print(f"{network} {np.dtype(dtype)}: same loss and updates as scratchnet, largest relative error "
                  + ", ".join(f"{name} {error:.0e}" for name, error in errors.items()), flush=True)
            for name, make in implementations.items():
                steps[name, dtype] = make(*problem(layer_dims, m, dtype), LEARNING_RATE)[0]
        for (name, dtype), seconds in time_interleaved(steps, rounds).items():
            results[network, name, dtype] = seconds

    print(f"\n{'network':<15} {'dtype':<8} {'implementation':<13} {'ms/step':>8} {'× PyTorch speed':>16} "
          f"{'× floor time':>13} {'GFLOP/s':>8}")
    for network, (layer_dims, m) in NETWORKS.items():
        for dtype in DTYPES:
            for name in implementations:
                seconds = results[network, name, dtype]
                print(f"{network:<15} {np.dtype(dtype).name:<8} {name:<13} {seconds * 1e3:>8.3f} "
                      f"{results[network, 'PyTorch', dtype] / seconds:>16.2f} "
                      f"{seconds / results[network, 'matmul floor', dtype]:>13.2f} "
                      f"{sn.step_flops(layer_dims, m) / seconds / 1e9:>8.1f}")

    def speedup(network, other, dtype):
        return results[network, other, dtype] / results[network, "scratchnet", dtype]

    big, toy = NETWORKS
    targets = [(f"{big} float32: scratchnet ≥ 0.9× PyTorch's speed", speedup(big, "PyTorch", np.float32), 0.9),
               (f"{big} float64: scratchnet ≥ 1.0× PyTorch's speed", speedup(big, "PyTorch", np.float64), 1.0)]
    for dtype in DTYPES:
        name = np.dtype(dtype).name
        targets += [(f"{big} {name}: scratchnet within 20% of the matmul floor (× floor speed ≥ 1/1.2)",
                     speedup(big, "matmul floor", dtype), 1 / 1.2),
                    (f"{big} {name}: scratchnet ≥ 1.5× scikit-learn's speed", speedup(big, "scikit-learn", dtype), 1.5),
                    (f"{toy} {name}: scratchnet ≥ 2× PyTorch's speed", speedup(toy, "PyTorch", dtype), 2.0)]
    print("\nTargets:")
    for text, value, goal in targets:
        print(f"  {'met' if value >= goal else 'MISSED':<6}  {text}: {value:.2f}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=21, help="timed rounds (default 21)")
    parser.add_argument("--malloc-default", action="store_true",
                        help="keep glibc's default of returning freed memory to the OS (page faults)")
    args = parser.parse_args()
    main(args.rounds, args.malloc_default)
