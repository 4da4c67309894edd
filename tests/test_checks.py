"""Bad input across the whole API: a clear error before any work, and nothing changed.

One table of bad inputs per public function. Each case builds fresh arguments, takes a bitwise
snapshot of them (arrays with their dtype, shape, bytes and writeable flag; dicts with their key
order; generators with their state), calls the function, and asserts the error type, that the
message names the problem, and that every argument is exactly as it was. Each case has a
category (see CATEGORIES), so that the closing note can count them: `python tests/test_checks.py`
prints the counts. Then property tests (hypothesis) for "a failed call changes nothing", the
extreme inputs (±1e308, ±inf, np.seterr(all="raise")) and divergence.
"""
import math
import pickle
import struct
import sys
from collections import Counter

import matplotlib
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import scratchnet as sn
from scratchnet import activations, data, losses, plotting

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

CATEGORIES = {
    "type": "a wrong kind of object (list for dict, strings, complex, int or bool weights, None)",
    "shape": "wrong shapes, 1-D for 2-D, broadcasting that must not happen",
    "non-finite": "NaN or ±inf in data, parameters, gradients or numbers",
    "labels": "labels that are not 0/1 or one-hot, or checked only after a cast",
    "structure": "dict keys: missing, extra, not W/b pairs; caches that do not match",
    "number": "counts and sizes: batch_size, epochs, m, k, layer sizes, learning rate, eps, scale",
    "name": "activation, output and scale names, rng seeds",
    "empty": "zero examples, empty data sets, empty label lists",
    "state": "read-only parameters, float16 that cannot hold a step",
}
DROP = object()
SETTINGS = settings(max_examples=60, deadline=None, derandomize=True)


# ---- valid arguments, built fresh for every case ----

def changed(mapping, changes):
    """mapping with the entries of `changes` set, and deleted where the value is DROP."""
    for key, value in changes.items():
        if value is DROP:
            del mapping[key]
        else:
            mapping[key] = value
    return mapping


def P(dims=(2, 3, 1), dtype=np.float64, **changes):
    """Parameters of a small network, with entries replaced (or DROPped)."""
    return changed(sn.init_params(list(dims), rng=0, scale=0.5, dtype=dtype), changes)


def X(n=2, m=5):
    return np.random.default_rng(1).normal(size=(n, m))


def Y(k=1, m=5, output="sigmoid"):
    if output == "softmax":
        return sn.data.one_hot(np.arange(m) % k, k)
    return (np.arange(k * m).reshape(k, m) % 2).astype(float)


def with_entry(A, index, value):
    A = np.array(A, dtype=np.result_type(A, np.asarray(value)))
    A[index] = value
    return A


def cache(dims=(2, 3, 1), output="sigmoid", **changes):
    """forward's cache for P(dims), with entries replaced (or DROPped)."""
    return changed(sn.forward(X(dims[0]), P(dims), "relu", output)[1], changes)


def grads(dims=(2, 3, 1), **changes):
    """backward's gradients for P(dims), with entries replaced (or DROPped)."""
    params = P(dims)
    return changed(sn.backward(params, sn.forward(X(dims[0]), params)[1], Y(dims[-1])), changes)


def read_only(A):
    A = A.copy()
    A.flags.writeable = False
    return A


# ---- snapshots, compared bitwise ----

def snapshot(value):
    if isinstance(value, np.ndarray):
        copy = value.copy()
        copy.flags.writeable = value.flags.writeable
        return copy
    if isinstance(value, dict):
        return {k: snapshot(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(snapshot(v) for v in value)
    if isinstance(value, np.random.Generator):
        return RngState(repr(value.bit_generator.state))
    if isinstance(value, np.random.RandomState):
        state = value.get_state()
        return RngState(repr((state[0], state[1].tobytes(), state[2:])))
    return value


class RngState(str):
    """The state of a random generator, as text."""


def assert_same(before, after, where="argument"):
    now = snapshot(after)
    assert type(before) is type(now), where
    if isinstance(before, np.ndarray):
        assert (before.dtype, before.shape, before.flags.writeable) == (now.dtype, now.shape, now.flags.writeable), where
        assert before.tobytes() == now.tobytes(), f"{where} changed"
    elif isinstance(before, dict):
        assert list(before) == list(now), f"{where}: keys changed"
        for key in before:
            assert_same(before[key], after[key], f"{where}[{key!r}]")
    elif isinstance(before, (list, tuple)):
        assert len(before) == len(now), where
        for i, (b, a) in enumerate(zip(before, after)):
            assert_same(b, a, f"{where}[{i}]")
    elif isinstance(before, float):
        assert struct.pack("d", before) == struct.pack("d", now), where
    else:
        assert before == now, f"{where} changed"


# ---- the tables: (function, category, error, message, build) where build() -> (args, kwargs) ----

def case(fn, category, error, match, build, id=None):
    assert category in CATEGORIES
    return pytest.param(fn, category, error, match, build, id=id)


F = sn.forward
FORWARD = [
    case(F, "non-finite", ValueError, r"X holds 1 NaN and 0 infinite values \(the first, nan, at index \(1, 2\)\)",
         lambda: ((with_entry(X(), (1, 2), np.nan), P()), {})),
    case(F, "non-finite", ValueError, r"X holds 0 NaN and 1 infinite", lambda: ((with_entry(X(), (0, 0), -np.inf), P()), {})),
    case(F, "non-finite", ValueError, r"X holds values beyond the range of float32, the parameters' dtype",
         lambda: ((with_entry(X(), (0, 1), 1e300), P(dtype=np.float32)), {})),
    case(F, "type", TypeError, r"X must hold real numbers.*complex", lambda: ((X() + 1j, P()), {})),
    case(F, "type", TypeError, r"X must hold real numbers.*dtype <U", lambda: (([["a", "b"], ["c", "d"]], P()), {})),
    case(F, "type", TypeError, r"X must hold real numbers.*object", lambda: ((None, P()), {})),
    case(F, "type", ValueError, r"X must be an array of numbers", lambda: (([[1.0, 2.0], [3.0]], P()), {})),
    case(F, "shape", ValueError, r"layer 1: X has shape \(2,\) but W1 has shape \(3, 2\)", lambda: ((np.zeros(2), P()), {})),
    case(F, "shape", ValueError, r"layer 1: X has shape \(5, 2\) but W1", lambda: ((X().T, P()), {})),
    case(F, "shape", ValueError, r"layer 1: X has shape \(2, 5, 1\)", lambda: ((X()[:, :, None], P()), {})),
    case(F, "empty", ValueError, r"X has shape \(2, 0\): no examples \(m = 0\)", lambda: ((np.zeros((2, 0)), P()), {})),
    case(F, "type", TypeError, r"W1 has dtype int64: parameters must be float32 or float64",
         lambda: ((X(), P(W1=np.ones((3, 2), dtype=np.int64))), {})),
    case(F, "type", TypeError, r"W2 has dtype bool", lambda: ((X(), P(W2=np.ones((1, 3), dtype=bool))), {})),
    case(F, "type", TypeError, r"b1 has dtype complex128", lambda: ((X(), P(b1=np.zeros((3, 1), complex))), {})),
    case(F, "state", TypeError, r"W1 has dtype float16.*1 \+ 1e-4 rounds to 1",
         lambda: ((X(), {k: v.astype(np.float16) for k, v in P().items()}), {})),
    case(F, "type", TypeError, r"W2 has dtype float32 but W1 has float64: all parameters must have one dtype",
         lambda: ((X(), P(W2=P()["W2"].astype(np.float32))), {})),
    case(F, "type", TypeError, r"params\['W1'\] must be a NumPy array, got \[\[", lambda: ((X(), P(W1=P()["W1"].tolist())), {})),
    case(F, "type", TypeError, r"params must be a dict", lambda: ((X(), list(P().values())), {})),
    case(F, "non-finite", ValueError, r"W2 holds 1 NaN", lambda: ((X(), P(W2=with_entry(P()["W2"], (0, 1), np.nan))), {})),
    case(F, "non-finite", ValueError, r"b1 holds 0 NaN and 1 infinite", lambda: ((X(), P(b1=with_entry(P()["b1"], (2, 0), np.inf))), {})),
    case(F, "structure", ValueError, r"keys \['Wout'\] that are not W1, b1, \.\.\., WL, bL",
         lambda: ((X(), P(Wout=np.ones((1, 1)))), {})),
    case(F, "structure", ValueError, r"keys \['W0', 'b0'\] that are not", lambda: ((X(), P(W0=np.ones((2, 2)), b0=np.ones((2, 1)))), {})),
    case(F, "structure", ValueError, r"keys \['W_scale'\]", lambda: ((X(), P(W_scale=1.0)), {})),
    case(F, "structure", ValueError, r"keys \[3\]", lambda: ((X(), {**P(), 3: np.ones((1, 1))}), {})),
    case(F, "structure", ValueError, r"params holds no layers", lambda: ((X(), {}), {})),
    case(F, "structure", ValueError, r"params is missing b2", lambda: ((X(), P(b2=DROP)), {})),
    case(F, "structure", ValueError, r"params is missing W2", lambda: ((X(), P((2, 3, 2, 1), W2=DROP)), {})),
    case(F, "shape", ValueError, r"layer 1: b1 has shape \(3,\)|b1 must be 2-D", lambda: ((X(), P(b1=np.zeros(3))), {})),
    case(F, "shape", ValueError, r"layer 1: b1 has shape \(1, 3\), expected \(3, 1\)", lambda: ((X(), P(b1=np.zeros((1, 3)))), {})),
    case(F, "shape", ValueError, r"layer 2: W2 has shape \(1, 4\), expected 4 columns to be 3", lambda: ((X(), P(W2=np.ones((1, 4)))), {})),
    case(F, "number", ValueError, r"layer 1: W1 has shape \(0, 2\): every layer needs at least one neuron",
         lambda: ((X(), P(W1=np.ones((0, 2)), b1=np.ones((0, 1)), W2=np.ones((1, 0)))), {})),
    case(F, "name", ValueError, r"unknown activation 'relu6'; known activations", lambda: ((X(), P(), "relu6"), {})),
    case(F, "name", ValueError, r"unknown activation \['relu'\]", lambda: ((X(), P(), ["relu"]), {})),
    case(F, "name", ValueError, r"hidden activation must be elementwise.*'softmax'", lambda: ((X(), P(), "softmax"), {})),
    case(F, "name", ValueError, r"output activation must be one of \('sigmoid', 'softmax'\).*\['sigmoid'\]",
         lambda: ((X(), P()), {"output": ["sigmoid"]})),
    case(F, "name", ValueError, r"output activation must be one of.*got 'relu'", lambda: ((X(), P()), {"output": "relu"})),
    case(F, "name", ValueError, r"output activation must be one of.*got None", lambda: ((X(), P()), {"output": None})),
    case(F, "number", ValueError, r"a softmax output needs at least 2 classes", lambda: ((X(), P()), {"output": "softmax"})),
]

PREDICT = [case(sn.predict, c.values[1], c.values[2], c.values[3], c.values[4]) for c in FORWARD[::3]]

B = sn.backward
BACKWARD = [
    case(B, "shape", ValueError, r"Y has shape \(5,\) but the output Aᴸ has shape \(1, 5\); a row of labels",
         lambda: ((P(), cache(), Y()[0]), {})),
    case(B, "shape", ValueError, r"Y has shape \(5,\) but the output Aᴸ has shape \(3, 5\); class indices\? make a one-hot",
         lambda: ((P((2, 3, 3)), cache((2, 3, 3), "softmax"), np.arange(5) % 3), {})),
    case(B, "shape", ValueError, r"Y has shape \(1, 1\) but the output Aᴸ has shape \(1, 5\)",
         lambda: ((P(), cache(), np.ones((1, 1))), {})),
    case(B, "labels", ValueError, r"labels must be 0 or 1, found 0\.9999$", lambda: ((P(), cache(), with_entry(Y(), (0, 1), 0.9999)), {})),
    case(B, "labels", ValueError, r"labels must be 0 or 1, found 0\.99999999",
         lambda: ((P(dtype=np.float32), sn.forward(X(), P(dtype=np.float32))[1], with_entry(Y(), (0, 1), 0.99999999)), {})),
    case(B, "labels", ValueError, r"labels must be 0 or 1, found -1, 2$", lambda: ((P(), cache(), np.array([[0, -1, 2, 1, 0]])), {})),
    case(B, "non-finite", ValueError, r"labels must be 0 or 1, found nan", lambda: ((P(), cache(), with_entry(Y(), (0, 0), np.nan)), {})),
    case(B, "labels", ValueError, r"one-hot \(a single 1\), columns \[0\]",
         lambda: ((P((2, 3, 3)), cache((2, 3, 3), "softmax"), with_entry(Y(3, output="softmax"), (1, 0), 1.0)), {})),
    case(B, "type", TypeError, r"Y must hold real numbers.*complex", lambda: ((P(), cache(), Y() + 0j), {})),
    case(B, "type", TypeError, r"Y must hold real numbers", lambda: ((P(), cache(), [["0", "1", "0", "1", "0"]]), {})),
    case(B, "type", TypeError, r"cache must be the dict that forward returns", lambda: ((P(), [1, 2], Y()), {})),
    case(B, "structure", ValueError, r"cache is missing \['Z1'\]", lambda: ((P(), cache(Z1=DROP), Y()), {})),
    case(B, "structure", ValueError, r"cache is missing \['A2'\]", lambda: ((P(), cache(A2=DROP), Y()), {})),
    case(B, "structure", ValueError, r"cache is missing \['hidden'\]", lambda: ((P(), cache(hidden=DROP), Y()), {})),
    case(B, "structure", ValueError, r"cache\['A1'\] is an array of shape \(4, 5\).*expected a float array of shape \(3, 5\)",
         lambda: ((P(), cache(A1=np.zeros((4, 5))), Y()), {})),
    case(B, "structure", ValueError, r"cache\['A0'\] is an array of shape \(3, 5\)",
         lambda: ((P(), cache((3, 3, 1)), Y()), {})),
    case(B, "name", ValueError, r"unknown activation 'swish'", lambda: ((P(), cache(hidden="swish"), Y()), {})),
    case(B, "type", TypeError, r"W1 has dtype int64", lambda: ((P(W1=np.ones((3, 2), np.int64)), cache(), Y()), {})),
    case(B, "structure", ValueError, r"params has keys \['Wx'\]", lambda: ((P(Wx=np.ones((1, 1))), cache(), Y()), {})),
]

U = sn.update
UPDATE = [case(U, category, ValueError, r"learning_rate must be a positive finite number, got " + shown,
               (lambda lr=lr: ((P(), grads(), lr), {})))
          for lr, category, shown in [(0, "number", "0"), (-0.1, "number", "-0.1"), (np.float64(-1), "number", "np.float64"),
                                      (float("nan"), "non-finite", "nan"), (float("inf"), "non-finite", "inf"),
                                      ("0.1", "type", "'0.1'"), (None, "type", "None"), (True, "type", "True")]]
UPDATE += [
    case(U, "structure", ValueError, r"grads must hold db2 of shape \(1, 1\), got None", lambda: ((P(), grads(db2=DROP), 0.1), {})),
    case(U, "shape", ValueError, r"grads must hold dW1 of shape \(3, 2\), got \(2, 3\)", lambda: ((P(), grads(dW1=np.zeros((2, 3))), 0.1), {})),
    case(U, "shape", ValueError, r"grads must hold db1 of shape \(3, 1\), got \(3,\)", lambda: ((P(), grads(db1=np.zeros(3)), 0.1), {})),
    case(U, "type", TypeError, r"dW2 has dtype int64: gradients must be float32 or float64",
         lambda: ((P(), grads(dW2=np.ones((1, 3), np.int64)), 0.1), {})),
    case(U, "type", TypeError, r"db2 has dtype bool", lambda: ((P(), grads(db2=np.ones((1, 1), bool)), 0.1), {})),
    case(U, "type", TypeError, r"dW2 has dtype complex128", lambda: ((P(), grads(dW2=np.ones((1, 3), complex)), 0.1), {})),
    case(U, "state", TypeError, r"db2 has dtype float16", lambda: ((P(), grads(db2=np.ones((1, 1), np.float16)), 0.1), {})),
    case(U, "type", TypeError, r"grads\['dW1'\] must be a NumPy array, got \[\[", lambda: ((P(), grads(dW1=np.zeros((3, 2)).tolist()), 0.1), {})),
    case(U, "non-finite", ValueError, r"db2 holds 1 NaN", lambda: ((P(), grads(db2=np.full((1, 1), np.nan)), 0.1), {})),
    case(U, "non-finite", ValueError, r"dW2 holds 0 NaN and 1 infinite", lambda: ((P(), grads(dW2=with_entry(grads()["dW2"], (0, 2), np.inf)), 0.1), {})),
    case(U, "structure", ValueError, r"grads has keys \['dW3'\] that match no parameter", lambda: ((P(), grads(dW3=np.zeros((1, 1))), 0.1), {})),
    case(U, "structure", ValueError, r"grads has keys \['W1'\]", lambda: ((P(), {**grads(), "W1": np.zeros((3, 2))}, 0.1), {})),
    case(U, "type", TypeError, r"grads must be a dict", lambda: ((P(), list(grads().values()), 0.1), {})),
    case(U, "state", ValueError, r"W2 is read-only: update changes the parameters in place", lambda: ((P(W2=read_only(P()["W2"])), grads(), 0.1), {})),
    case(U, "type", TypeError, r"W1 has dtype int64", lambda: ((P(W1=np.ones((3, 2), np.int64)), grads(), 0.1), {})),
    case(U, "structure", ValueError, r"params is missing b2", lambda: ((P(b2=DROP), grads(), 0.1), {})),
]

C = sn.cost
COST = [
    case(C, "shape", ValueError, r"AL must be a 2-D array \(rows × columns\), got shape \(4,\)", lambda: ((np.full(4, 0.5), np.array([1, 0, 1, 0])), {})),
    case(C, "shape", ValueError, r"Y has shape \(4,\) but the output Aᴸ has shape \(1, 4\)", lambda: ((np.full((1, 4), 0.5), np.array([1, 0, 1, 0])), {})),
    case(C, "shape", ValueError, r"Y has shape \(4, 1\) but the output Aᴸ has shape \(1, 4\)", lambda: ((np.full((1, 4), 0.5), np.ones((4, 1))), {})),
    case(C, "empty", ValueError, r"AL has shape \(1, 0\): no examples \(m = 0\)", lambda: ((np.zeros((1, 0)), np.zeros((1, 0))), {})),
    case(C, "non-finite", ValueError, r"AL must hold predicted probabilities in \[0, 1\], found 1 NaN",
         lambda: ((with_entry(np.full((1, 4), 0.5), (0, 2), np.nan), np.ones((1, 4))), {})),
    case(C, "non-finite", ValueError, r"AL must hold predicted probabilities in \[0, 1\], found values in \[0\.5, inf\]",
         lambda: ((with_entry(np.full((1, 4), 0.5), (0, 2), np.inf), np.ones((1, 4))), {})),
    case(C, "shape", ValueError, r"found values in \[-0\.1, 0\.5\]", lambda: ((with_entry(np.full((1, 4), 0.5), (0, 0), -0.1), np.ones((1, 4))), {})),
    case(C, "type", TypeError, r"AL must hold real numbers", lambda: (([["0.5"]], [[1]]), {})),
    case(C, "labels", ValueError, r"labels must be 0 or 1, found 0\.5$", lambda: ((np.full((1, 2), 0.5), np.array([[0.5, 1]])), {})),
    case(C, "labels", ValueError, r"one-hot.*columns \[1\]", lambda: ((np.full((2, 2), 0.5), np.array([[1, 0], [0, 0]])), {"output": "softmax"})),
    case(C, "name", ValueError, r"output activation must be one of .*got 'tanh'", lambda: ((np.full((1, 2), 0.5), np.array([[0, 1]])), {"output": "tanh"})),
    case(C, "name", ValueError, r"output activation must be one of .*got \['softmax'\]", lambda: ((np.full((1, 2), 0.5), np.array([[0, 1]])), {"output": ["softmax"]})),
]

LOSSES = [
    case(losses.binary_cross_entropy, "shape", ValueError, r"Y has shape \(2,\)", lambda: ((np.full((1, 2), 0.5), np.array([0, 1])), {})),
    case(losses.binary_cross_entropy, "labels", ValueError, r"found 2$", lambda: ((np.full((1, 3), 0.5), np.array([[0, 1, 2]])), {})),
    case(losses.categorical_cross_entropy, "labels", ValueError, r"one-hot", lambda: ((np.full((2, 2), 0.5), np.array([[1, 1], [0, 1]])), {})),
    case(losses.categorical_cross_entropy, "empty", ValueError, r"no examples", lambda: ((np.zeros((2, 0)), np.zeros((2, 0))), {})),
    case(losses.binary_cross_entropy_from_logits, "shape", ValueError, r"ZL must be a 2-D array", lambda: ((np.zeros(3), np.zeros(3)), {})),
    case(losses.binary_cross_entropy_from_logits, "labels", ValueError, r"found 0\.3$", lambda: ((np.zeros((1, 2)), np.array([[0.3, 1]])), {})),
    case(losses.categorical_cross_entropy_from_logits, "shape", ValueError, r"Y has shape \(2, 3\), expected \(3, 2\) \(the shape of ZL\)",
         lambda: ((np.zeros((3, 2)), np.ones((2, 3))), {})),
    case(losses.categorical_cross_entropy_from_logits, "type", TypeError, r"ZL must hold real numbers.*complex", lambda: ((np.zeros((2, 2)) + 1j, np.eye(2)), {})),
    case(losses.clip, "type", TypeError, r"AL must hold real numbers", lambda: ((["a"],), {})),
    case(losses.clip, "type", TypeError, r"AL must hold real numbers.*complex", lambda: ((np.array([0.5 + 1j]),), {})),
]

A = sn.accuracy
ACCURACY = [
    case(A, "shape", ValueError, r"Y has shape \(1, 5\) but the output Aᴸ has shape \(1, 4\)", lambda: ((np.full((1, 4), 0.7), np.ones((1, 5))), {})),
    case(A, "shape", ValueError, r"Y has shape \(1,\) but the output Aᴸ has shape \(1, 4\)", lambda: ((np.full((1, 4), 0.7), np.ones(1)), {})),
    case(A, "shape", ValueError, r"Y has shape \(4,\) but the output Aᴸ has shape \(3, 4\); class indices\? make a one-hot Y with sn\.data\.one_hot",
         lambda: ((np.full((3, 4), 1 / 3), np.array([0, 1, 2, 0])), {"output": "softmax"})),
    case(A, "shape", ValueError, r"Y has shape \(4,\).*a row of labels is written Y\[None, :\]", lambda: ((np.full((1, 4), 0.7), np.array([1, 0, 1, 1])), {})),
    case(A, "labels", ValueError, r"labels must be 0 or 1, found 2$", lambda: ((np.full((3, 2), 1 / 3), np.array([[0, 2], [1, 0], [0, 0]])), {"output": "softmax"})),
    case(A, "labels", ValueError, r"one-hot.*columns \[1\]", lambda: ((np.full((2, 2), 0.5), np.array([[1, 1], [0, 1]])), {"output": "softmax"})),
    case(A, "non-finite", ValueError, r"AL must hold predicted probabilities in \[0, 1\], found 1 NaN", lambda: ((np.array([[np.nan, 0.2]]), np.array([[0, 0]])), {})),
    case(A, "name", ValueError, r"output activation must be one of .*'relu'", lambda: ((np.full((1, 2), 0.5), np.array([[0, 1]])), {"output": "relu"})),
    case(A, "empty", ValueError, r"no examples", lambda: ((np.zeros((1, 0)), np.zeros((1, 0))), {})),
]

R = sn.relative_error
RELATIVE_ERROR = [
    case(R, "shape", ValueError, r"a has shape \(3,\) but b has shape \(3, 1\): expected the same shape \(they are not broadcast\)",
         lambda: ((np.ones(3), np.ones((3, 1))), {})),
    case(R, "shape", ValueError, r"a has shape \(2, 2\) but b has shape \(1,\)", lambda: ((np.ones((2, 2)), np.ones(1)), {})),
    case(R, "non-finite", ValueError, r"a holds 1 NaN", lambda: ((np.array([1.0, np.nan]), np.ones(2)), {})),
    case(R, "non-finite", ValueError, r"b holds 0 NaN and 1 infinite", lambda: ((np.ones(2), np.array([1.0, np.inf])), {})),
    case(R, "type", TypeError, r"a must hold real numbers.*complex", lambda: ((np.ones(2) + 1j, np.ones(2)), {})),
    case(R, "type", TypeError, r"b must hold real numbers", lambda: ((np.ones(2), {"dW1": 1}), {})),
    case(R, "type", ValueError, r"a must be an array of numbers", lambda: (([[1.0], [1.0, 2.0]], np.ones(2)), {})),
]

N = sn.numerical_gradients
NUMERICAL = [
    case(N, "number", ValueError, r"eps must be a positive finite number, got 0", lambda: ((P(), X(), Y()), {"eps": 0})),
    case(N, "number", ValueError, r"eps must be a positive finite number, got -1e-06", lambda: ((P(), X(), Y()), {"eps": -1e-6})),
    case(N, "non-finite", ValueError, r"eps must be a positive finite number, got nan", lambda: ((P(), X(), Y()), {"eps": float("nan")})),
    case(N, "type", ValueError, r"eps must be a positive finite number, got '1e-6'", lambda: ((P(), X(), Y()), {"eps": "1e-6"})),
    case(N, "shape", ValueError, r"Y has shape \(5,\), expected \(1, 5\)", lambda: ((P(), X(), Y()[0]), {})),
    case(N, "labels", ValueError, r"labels must be 0 or 1, found 3$", lambda: ((P(), X(), with_entry(Y(), (0, 0), 3)), {})),
    case(N, "non-finite", ValueError, r"X holds 1 NaN", lambda: ((P(), with_entry(X(), (0, 0), np.nan), Y()), {})),
    case(N, "non-finite", ValueError, r"W1 holds 1 NaN", lambda: ((P(W1=with_entry(P()["W1"], (0, 0), np.nan)), X(), Y()), {})),
    case(N, "type", TypeError, r"W1 has dtype int64", lambda: ((P(W1=np.ones((3, 2), np.int64)), X(), Y()), {})),
    case(N, "shape", ValueError, r"layer 1: X has shape \(3, 5\)", lambda: ((P(), X(3), Y()), {})),
    case(N, "name", ValueError, r"output activation must be one of", lambda: ((P(), X(), Y()), {"output": ["sigmoid"]})),
    case(N, "structure", ValueError, r"params has keys \['Wextra'\]", lambda: ((P(Wextra=np.ones((1, 1))), X(), Y()), {})),
]


def TR(**changes):
    """Valid arguments of train, with some replaced."""
    kwargs = dict(X=X(), Y=Y(), layer_dims=[2, 3, 1], learning_rate=0.1, epochs=2, rng=np.random.default_rng(3))
    kwargs.update(changes)
    return (), kwargs


T = sn.train
TRAIN = [
    case(T, "empty", ValueError, r"X has shape \(2, 0\): no examples \(m = 0\)", lambda: TR(X=np.zeros((2, 0)), Y=np.zeros((1, 0)))),
    case(T, "empty", ValueError, r"X must be a 2-D array.*got shape \(0,\)", lambda: TR(X=[], Y=[])),
    *[case(T, "number", ValueError, r"batch_size must be an integer ≥ 1 or None, got " + repr_, (lambda b=b: TR(batch_size=b)))
      for b, repr_ in [(-1, "-1"), (0, "0"), (2.5, "2.5"), ("8", "'8'"), (True, "True"), (float("nan"), "nan")]],
    *[case(T, "number", ValueError, r"epochs must be an integer ≥ 1, got", (lambda e=e: TR(epochs=e))) for e in [0, -3, 2.5, "10", None]],
    *[case(T, "non-finite" if isinstance(s, float) else "number", ValueError, r"scale must be a positive finite number, got", (lambda s=s: TR(scale=s)))
      for s in [float("nan"), float("inf"), -0.5, 0, None]],
    case(T, "name", ValueError, r"unknown scale 'big'; use a number, 'he' or 'xavier'", lambda: TR(scale="big")),
    case(T, "name", TypeError, r"rng must be None, an int seed ≥ 0, a numpy\.random\.Generator or a RandomState, got 'abc'", lambda: TR(rng="abc")),
    case(T, "name", TypeError, r"rng must be None, an int seed.*got 2\.5", lambda: TR(rng=2.5)),
    case(T, "name", ValueError, r"rng must be a seed ≥ 0, got -1", lambda: TR(rng=-1)),
    case(T, "name", ValueError, r"output activation must be one of \('sigmoid', 'softmax'\).*\['sigmoid'\]", lambda: TR(output=["sigmoid"])),
    case(T, "name", ValueError, r"hidden activation must be elementwise", lambda: TR(hidden="softmax")),
    case(T, "name", ValueError, r"unknown activation 'ReLU'", lambda: TR(hidden="ReLU")),
    *[case(T, "type", TypeError, r"dtype must be float32 or float64.*got " + name, (lambda d=d: TR(dtype=d)))
      for d, name in [(int, "int64"), (bool, "bool"), (np.float16, "float16"), (complex, "complex128"), (np.int32, "int32")]],
    case(T, "type", TypeError, r"dtype must be a NumPy dtype", lambda: TR(dtype="abc")),
    case(T, "non-finite", ValueError, r"X holds 1 NaN", lambda: TR(X=with_entry(X(), (1, 1), np.nan))),
    case(T, "non-finite", ValueError, r"X holds 0 NaN and 1 infinite", lambda: TR(X=with_entry(X(), (1, 1), np.inf))),
    case(T, "non-finite", ValueError, r"X holds values beyond the range of float32", lambda: TR(X=with_entry(X(), (1, 1), 1e300), dtype=np.float32)),
    case(T, "type", TypeError, r"X must hold real numbers.*complex", lambda: TR(X=X() * 1j)),
    case(T, "shape", ValueError, r"X has shape \(3, 5\), expected 2 rows", lambda: TR(X=X(3))),
    case(T, "shape", ValueError, r"X must be a 2-D array.*got shape \(5,\)", lambda: TR(X=X()[0], layer_dims=[1, 3, 1])),
    case(T, "shape", ValueError, r"Y has shape \(2, 5\), expected \(1, 5\) \(n⁽ᴸ⁾ = 1 outputs × m = 5 examples\)", lambda: TR(Y=np.zeros((2, 5)))),
    case(T, "shape", ValueError, r"Y has shape \(5,\), expected \(1, 5\).*a row of labels", lambda: TR(Y=Y()[0])),
    case(T, "labels", ValueError, r"labels must be 0 or 1, found -1, 3$", lambda: TR(Y=np.array([[0, -1, 3, 1, 0]]))),
    case(T, "labels", ValueError, r"labels must be 0 or 1, found 0\.99999999", lambda: TR(Y=with_entry(Y(), (0, 1), 0.99999999), dtype=np.float32)),
    case(T, "labels", ValueError, r"labels must be 0 or 1, found 0\.9999$", lambda: TR(Y=with_entry(Y(), (0, 1), 0.9999))),
    case(T, "non-finite", ValueError, r"labels must be 0 or 1, found nan", lambda: TR(Y=with_entry(Y(), (0, 1), np.nan))),
    case(T, "labels", ValueError, r"one-hot.*columns \[1, 2\]", lambda: TR(Y=np.array([[1, 0, 1, 0, 1], [0, 0, 1, 1, 0]]), layer_dims=[2, 3, 2], output="softmax")),
    case(T, "number", ValueError, r"a softmax output needs at least 2 classes", lambda: TR(output="softmax", Y=np.ones((1, 5)))),
    case(T, "non-finite", ValueError, r"W1 holds 1 NaN", lambda: TR(params=P(W1=with_entry(P()["W1"], (0, 0), np.nan)))),
    case(T, "shape", ValueError, r"params has layer sizes \[2, 3, 1\], but layer_dims is \[2, 4, 1\]", lambda: TR(params=P(), layer_dims=[2, 4, 1])),
    case(T, "type", TypeError, r"W1 has dtype int64", lambda: TR(params=P(W1=np.ones((3, 2), np.int64)))),
    case(T, "structure", ValueError, r"params has keys \['Wx'\]", lambda: TR(params=P(Wx=np.ones((1, 1))))),
    case(T, "structure", ValueError, r"params is missing b1", lambda: TR(params=P(b1=DROP))),
    case(T, "type", TypeError, r"params must be a dict", lambda: TR(params=[1, 2])),
    *[case(T, "number", ValueError, message, (lambda d=d: TR(layer_dims=d)))
      for d, message in [([3], r"at least two sizes.*\[3\]"), ([], r"at least two sizes"), ([2, 0, 1], r"n⁽1⁾ must be an integer ≥ 1, got 0"),
                         ([2, 2.5, 1], r"n⁽1⁾.*got 2\.5"), ([2, True, 1], r"n⁽1⁾.*got True"), ([2, -3, 1], r"n⁽1⁾.*got -3")]],
    case(T, "type", TypeError, r"layer_dims must be a list of layer sizes such as \[2, 4, 1\], got '231'", lambda: TR(layer_dims="231")),
    case(T, "type", TypeError, r"layer_dims must be a list of layer sizes.*got 3", lambda: TR(layer_dims=3)),
    *[case(T, "number" if not isinstance(lr, float) else "non-finite", ValueError, r"learning_rate must be a positive finite number, got",
           (lambda lr=lr: TR(learning_rate=lr))) for lr in [0, -0.1, float("nan"), float("inf"), "0.1", None]],
    case(T, "number", ValueError, r"print_every must be an integer ≥ 1 or None, got 0", lambda: TR(print_every=0)),
    case(T, "number", ValueError, r"print_every must be an integer ≥ 1 or None, got 2\.5", lambda: TR(print_every=2.5)),
    case(T, "type", ValueError, r"progress must be True or False, got 'yes'", lambda: TR(progress="yes")),
]

I = sn.init_params
INIT = [
    *[case(I, "type", TypeError, r"dtype must be float32 or float64 \(parameters take small real steps\), got " + name, (lambda d=d: (([2, 3, 1],), {"dtype": d})))
      for d, name in [(int, "int64"), (bool, "bool"), (np.float16, "float16"), (np.complex64, "complex64"), (np.uint8, "uint8")]],
    *[case(I, "non-finite" if isinstance(s, float) else "number", ValueError, r"scale must be a positive finite number, got",
           (lambda s=s: (([2, 3, 1],), {"scale": s, "rng": np.random.default_rng(0)}))) for s in [float("nan"), -np.inf, -0.01, 0, [0.1]]],
    case(I, "name", ValueError, r"unknown scale 'He'", lambda: (([2, 3, 1],), {"scale": "He", "rng": np.random.RandomState(0)})),
    case(I, "name", TypeError, r"rng must be None, an int seed.*got 'abc'", lambda: (([2, 3, 1],), {"rng": "abc"})),
    case(I, "name", ValueError, r"rng must be a seed ≥ 0, got -3", lambda: (([2, 3, 1],), {"rng": -3})),
    case(I, "number", ValueError, r"n⁽2⁾ must be an integer ≥ 1, got 0", lambda: (([2, 3, 0],), {"rng": np.random.default_rng(0)})),
    case(I, "number", ValueError, r"at least two sizes", lambda: (([2],), {})),
    case(I, "type", TypeError, r"layer_dims must be a list of layer sizes", lambda: ((None,), {})),
    case(I, "type", TypeError, r"layer_dims must be a list of layer sizes", lambda: (({"n0": 2, "n1": 1},), {})),
]

COUNT = [
    case(sn.count_params, "number", ValueError, r"n⁽0⁾ must be an integer ≥ 1, got 0", lambda: (([0, 1],), {})),
    case(sn.count_params, "number", ValueError, r"n⁽1⁾ must be an integer ≥ 1, got -1", lambda: (([2, -1],), {})),
    case(sn.count_params, "type", TypeError, r"layer_dims must be a list", lambda: ((None,), {})),
    case(sn.step_flops, "number", ValueError, r"m must be an integer ≥ 1, got 0", lambda: (([2, 3, 1], 0), {})),
    case(sn.step_flops, "number", ValueError, r"m must be an integer ≥ 1, got 2\.5", lambda: (([2, 3, 1], 2.5), {})),
    case(sn.step_flops, "number", ValueError, r"n⁽1⁾ must be an integer ≥ 1, got 0", lambda: (([2, 0, 1], 8), {})),
]

ACTIVATIONS = [case(g, kind, error, message, build)
               for name, pair in activations.ACTIVATIONS.items() for g in pair
               for kind, error, message, build in [
                   ("type", TypeError, r"Z must hold real numbers.*dtype <U", lambda: (([["a", "b"]],), {})),
                   ("type", TypeError, r"Z must hold real numbers.*complex", lambda: ((np.ones((2, 2)) * 1j,), {})),
                   ("type", ValueError, r"Z must be an array of numbers", lambda: (([[1.0], [1.0, 2.0]],), {}))]]
ACTIVATIONS += [case(activations.get, "name", ValueError, r"unknown activation \['relu'\]; known activations", lambda: ((["relu"],), {})),
                case(activations.get, "name", ValueError, r"unknown activation None", lambda: ((None,), {}))]

DATA = [
    case(data.one_hot, "number", ValueError, r"k must be an integer ≥ 2, got 1", lambda: (([0, 0], 1), {})),
    case(data.one_hot, "number", ValueError, r"k must be an integer ≥ 2, got 2\.5", lambda: (([0, 1], 2.5), {})),
    case(data.one_hot, "labels", ValueError, r"class indices in 0\.\.2, found values from 0 to 3", lambda: (([0, 3], 3), {})),
    case(data.one_hot, "labels", ValueError, r"class indices in 0\.\.2, found values from -1", lambda: (([-1, 2], 3), {})),
    case(data.one_hot, "labels", ValueError, r"class indices \(integers\) in 0\.\.2, got dtype float64", lambda: (([0.5, 1], 3), {})),
    case(data.one_hot, "labels", ValueError, r"class indices \(integers\).*bool", lambda: (([True, False], 3), {})),
    case(data.one_hot, "empty", ValueError, r"labels is empty", lambda: (([], 3), {})),
    case(data.one_hot, "shape", ValueError, r"labels must be a 1-D array, got shape \(1, 2\)", lambda: (([[0, 1]], 3), {})),
    case(data.one_hot, "type", TypeError, r"labels must hold real numbers", lambda: ((["a"], 3), {})),
    *[case(make, "empty" if m == 0 else "number", ValueError, r"m must be an integer ≥ 2, got " + repr(m), (lambda make=make, m=m: ((), {"m": m})))
      for make in (data.moons, data.circles) for m in (0, 1, -5)],
    *[case(make, "number", ValueError, r"m must be an integer ≥ 2, got 2\.5", (lambda make=make: ((), {"m": 2.5}))) for make in (data.moons, data.circles)],
    *[case(make, "non-finite" if isinstance(noise, float) else "number", ValueError, r"noise must be a non-negative finite number, got",
           (lambda make=make, noise=noise: ((), {"noise": noise, "rng": np.random.default_rng(0)})))
      for make in (data.moons, data.circles, data.spirals) for noise in (float("nan"), float("inf"), -0.1, "0.1")],
    *[case(make, "name", TypeError, r"rng must be None, an int seed.*got 'abc'", (lambda make=make: ((), {"rng": "abc"})))
      for make in (data.moons, data.circles, data.spirals)],
    case(data.circles, "number", ValueError, r"factor \(the inner circle's radius\) must be in \[0, 1\), got 1\.0", lambda: ((), {"factor": 1.0})),
    case(data.circles, "number", ValueError, r"factor must be a non-negative finite number, got -0\.1", lambda: ((), {"factor": -0.1})),
    case(data.circles, "non-finite", ValueError, r"factor must be a non-negative finite number, got nan", lambda: ((), {"factor": float("nan")})),
    case(data.spirals, "number", ValueError, r"k must be an integer ≥ 2, got 1", lambda: ((), {"k": 1})),
    case(data.spirals, "number", ValueError, r"k must be an integer ≥ 2, got 0", lambda: ((), {"k": 0})),
    case(data.spirals, "number", ValueError, r"k must be an integer ≥ 2, got 2\.5", lambda: ((), {"k": 2.5})),
    case(data.spirals, "number", ValueError, r"m must be an integer ≥ 3, got 2", lambda: ((), {"m": 2, "k": 3})),
    case(data.spirals, "empty", ValueError, r"m must be an integer ≥ 3, got 0", lambda: ((), {"m": 0})),
    case(data.labels_for, "number", ValueError, r"k must be an integer ≥ 2, got 1", lambda: ((np.array([0, 0]), 1), {})),
]

PLOTTING = [
    case(plotting.plot_activation, "name", ValueError, r"plot_activation draws elementwise activations.*'softmax'", lambda: (("softmax",), {})),
    case(plotting.plot_activation, "name", ValueError, r"unknown activation 'swish'", lambda: (("swish",), {})),
    case(plotting.plot_activation, "non-finite", ValueError, r"z holds 1 NaN", lambda: (("relu", np.array([0.0, np.nan, 1.0])), {})),
    case(plotting.plot_activation, "shape", ValueError, r"z must be a 1-D array, got shape \(1, 3\)", lambda: (("relu", np.zeros((1, 3))), {})),
    case(plotting.plot_activation, "empty", ValueError, r"z must hold at least 2 points", lambda: (("relu", []), {})),
    case(plotting.plot_activation, "type", TypeError, r"ax must be a matplotlib Axes or None, got 'left'", lambda: (("relu",), {"ax": "left"})),
    case(plotting.plot_history, "type", TypeError, r"history must be the dict train returns", lambda: (([0.7, 0.5],), {})),
    case(plotting.plot_history, "structure", TypeError, r"history must be the dict train returns, with a 'cost' list", lambda: (({"loss": [1.0]},), {})),
    case(plotting.plot_history, "empty", ValueError, r"history\['cost'\] is empty", lambda: (({"cost": []},), {})),
    case(plotting.plot_history, "type", TypeError, r"history\['cost'\] must hold real numbers", lambda: (({"cost": ["a"]},), {})),
    case(plotting.plot_decision_boundary, "shape", ValueError, r"layer 1: X has shape \(3, 5\) but W1 has shape \(3, 2\)", lambda: ((X(3), Y(), P()), {})),
    case(plotting.plot_decision_boundary, "shape", ValueError, r"a decision boundary is drawn in the plane, for 2 features",
         lambda: ((X(3), Y(), P((3, 3, 1))), {})),
    case(plotting.plot_decision_boundary, "non-finite", ValueError, r"X holds 1 NaN", lambda: ((with_entry(X(), (0, 0), np.nan), Y(), P()), {})),
    case(plotting.plot_decision_boundary, "shape", ValueError, r"Y has shape \(5,\), expected \(1, 5\)", lambda: ((X(), Y()[0], P()), {})),
    case(plotting.plot_decision_boundary, "labels", ValueError, r"labels must be 0 or 1, found 7", lambda: ((X(), with_entry(Y(), (0, 0), 7), P()), {})),
    case(plotting.plot_decision_boundary, "shape", ValueError, r"W2 has 2 rows: the decision boundary of a sigmoid output needs one output",
         lambda: ((X(), Y(2), P((2, 3, 2))), {})),
    case(plotting.plot_decision_boundary, "empty", ValueError, r"no examples", lambda: ((np.zeros((2, 0)), np.zeros((1, 0)), P()), {})),
    case(plotting.draw_network, "number", ValueError, r"n⁽1⁾ must be an integer ≥ 1, got 0", lambda: (([2, 0, 1],), {})),
    case(plotting.draw_network, "number", ValueError, r"at least two sizes", lambda: (([3],), {})),
    case(plotting.draw_network, "type", TypeError, r"layer_dims must be a list of layer sizes", lambda: (("2-3-1",), {})),
    case(plotting.draw_network, "type", TypeError, r"title must be a string or None, got 5", lambda: (([2, 3, 1],), {"title": 5})),
]

TABLES = {"forward": FORWARD, "predict": PREDICT, "backward": BACKWARD, "update": UPDATE, "cost": COST, "losses": LOSSES,
          "accuracy": ACCURACY, "relative_error": RELATIVE_ERROR, "numerical_gradients": NUMERICAL, "train": TRAIN,
          "init_params": INIT, "count_params/step_flops": COUNT, "activations": ACTIVATIONS, "data": DATA, "plotting": PLOTTING}
ALL = [c for table in TABLES.values() for c in table]


def run_case(fn, error, match, build):
    args, kwargs = build()
    before = snapshot((args, kwargs))
    figures = plt.get_fignums()
    with pytest.raises(error, match=match):
        fn(*args, **kwargs)
    assert_same(before, (args, kwargs))
    assert plt.get_fignums() == figures, "a failed call opened a figure"


@pytest.mark.parametrize("fn, category, error, match, build", ALL)
def test_bad_input_gets_a_clear_error_and_changes_nothing(fn, category, error, match, build):
    run_case(fn, error, match, build)


def test_the_tables_cover_every_public_function():
    covered = {c.values[0] for c in ALL}
    public = {getattr(sn, name) for name in sn.network.__all__ if callable(getattr(sn, name))} - {sn.TrainingDiverged}
    public |= {f for name, f in vars(activations).items() if callable(f) and getattr(f, "__module__", "") == activations.__name__}
    public |= {getattr(losses, name) for name in ("clip", "binary_cross_entropy", "categorical_cross_entropy",
                                                  "binary_cross_entropy_from_logits", "categorical_cross_entropy_from_logits")}
    public |= {data.one_hot, data.moons, data.circles, data.spirals, data.labels_for}
    public |= {plotting.plot_activation, plotting.plot_history, plotting.plot_decision_boundary, plotting.draw_network}
    assert public - covered == set()
    assert len(ALL) >= 300


# ---- the cases that need more than a table ----

def test_the_checks_know_the_elementwise_activations():
    assert sn.checks.HIDDEN == activations.HIDDEN


def test_backward_reads_only_what_it_uses_from_the_cache():
    # the backpropagation chapter logs the keys backward reads: the checks must not add to them
    class ReadLog(dict):
        def __init__(self, *args):
            super().__init__(*args)
            self.reads = []

        def __getitem__(self, key):
            self.reads.append(key)
            return super().__getitem__(key)

    logged = ReadLog(cache())
    del logged["Z2"]  # not needed: δᴸ = Aᴸ − Y
    sn.backward(P(), logged, Y())
    assert logged.reads == ["A2", "hidden", "A1", "Z1", "A0"]


def test_update_validates_every_gradient_before_stepping_any_layer():
    # the last layer's gradient is bad: with the old update, layer 1 had already stepped
    params, g = P((2, 4, 3, 1)), grads((2, 4, 3, 1))
    g["db3"] = g["db3"].astype(np.int64)
    before = snapshot(params)
    with pytest.raises(TypeError, match="db3 has dtype int64"):
        sn.update(params, g, 0.1)
    assert_same(before, params)


def test_numerical_gradients_leave_params_unchanged_even_when_forward_raises(monkeypatch):
    params = P()
    before = snapshot(params)
    calls = {"n": 0}
    forward = sn.network.forward

    def failing_forward(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 3:  # in the middle of nudging W1[0, 1]
            raise RuntimeError("forward failed")
        return forward(*args, **kwargs)

    monkeypatch.setattr(sn.network, "forward", failing_forward)
    with pytest.raises(RuntimeError, match="forward failed"):
        sn.numerical_gradients(params, X(), Y())
    assert calls["n"] == 3
    assert_same(before, params)


def test_numerical_gradients_of_float32_params_are_float64_and_change_nothing():
    params = P(dtype=np.float32)
    before = snapshot(params)
    numeric = sn.numerical_gradients(params, X(), Y())
    assert_same(before, params)
    assert all(G.dtype == np.float64 and G.shape == params[k[1:]].shape for k, G in numeric.items())
    grads32 = sn.backward(params, sn.forward(X(), params)[1], Y())
    assert max(sn.relative_error(grads32[k], numeric[k]) for k in numeric) < 1e-5  # float32 backward


def test_numerical_gradients_meet_the_documented_accuracy():
    # the docstring: with the default ε, an absolute error of about 1e-10, so relative error < 1e-7
    # for gradients of size 1e-3 and more; smaller gradients need the absolute test
    params = sn.init_params([2, 4, 1], rng=0, scale=0.01)
    rng = np.random.default_rng(1)
    Xs, Ys = rng.normal(size=(2, 7)), rng.integers(0, 2, size=(1, 7)).astype(float)
    exact = sn.backward(params, sn.forward(Xs, params, "tanh")[1], Ys)
    numeric = sn.numerical_gradients(params, Xs, Ys, "tanh")
    assert np.abs(exact["dW1"]).max() < 1e-3                      # small gradients ...
    assert max(np.abs(exact[k] - numeric[k]).max() for k in exact) < 1e-10   # ... still within 1e-10
    assert sn.relative_error(exact["db2"], numeric["db2"]) < 1e-7   # db2 is large (≈ 0.07)


def test_a_kink_makes_the_gradient_check_disagree_and_is_documented():
    # W1 = 0 and b1 = 0: every hidden pre-activation is exactly at relu's kink
    params = P(W1=np.zeros((3, 2)), b1=np.zeros((3, 1)))
    exact = sn.backward(params, sn.forward(X(), params)[1], Y())
    numeric = sn.numerical_gradients(params, X(), Y())
    assert sn.relative_error(exact["dW1"], numeric["dW1"]) > 0.1
    assert "kink" in sn.numerical_gradients.__doc__ and "1e-3" in sn.numerical_gradients.__doc__


def test_predict_never_maps_nan_to_class_0():
    # finite X and weights whose products overflow: inf − inf = nan inside the network
    params = {"W1": np.ones((2, 2)), "b1": np.zeros((2, 1)), "W2": np.array([[1.0, -1.0]]), "b2": np.zeros((1, 1))}
    Xbig = np.array([[1e308, 1.0], [1e308, 1.0]])
    with np.errstate(over="ignore", invalid="ignore"), pytest.raises(ValueError, match=r"output is NaN for 1 of 2 examples"):
        sn.predict(Xbig, params)
    with np.errstate(over="ignore", invalid="ignore"), pytest.raises(ValueError, match=r"output is NaN"):
        sn.plotting.plot_decision_boundary(Xbig, np.array([[0.0, 1.0]]), params)
    plt.close("all")


def test_label_check_comes_before_the_cast():
    # 0.99999999 is 1.0 in float32: checked after the cast it would pass as a label
    assert np.float32(0.99999999) == 1
    with pytest.raises(ValueError, match="found 0.99999999"):
        sn.train(X(), with_entry(Y(), (0, 0), 0.99999999), [2, 3, 1], 0.1, 1, dtype=np.float32)


# ---- property tests: a failed call changes nothing, whatever the corruption ----

def corrupt_array(A, how, index):
    A = np.array(A)
    i = tuple(j % n for j, n in zip(index, A.shape))
    if how in ("nan", "inf", "-inf"):
        A = A.astype(np.float64) if A.dtype.kind != "f" else A
        A[i] = float(how)
    elif how == "half":
        A = A.astype(float)
        A[i] = 0.5
    elif how in ("int64", "bool", "complex128", "float16"):
        A = A.astype(how)
    elif how == "transpose":
        A = A.T if A.shape[0] != A.shape[1] else A[:, :-1] if A.shape[1] > 1 else A[:0]
    elif how == "ravel":
        A = A.ravel() if A.shape[0] > 1 or A.ndim > 1 else A[None]
    return A


ARRAY_CORRUPTIONS = ["nan", "inf", "-inf", "int64", "bool", "complex128", "float16", "transpose", "ravel"]


@st.composite
def failing_calls(draw):
    """A valid call of a random public function with one argument corrupted so that it must fail."""
    output = draw(st.sampled_from(["sigmoid", "softmax"]))
    dims = draw(st.lists(st.integers(1, 4), min_size=2, max_size=4))
    if output == "softmax":
        dims[-1] = max(2, dims[-1])
    m = draw(st.integers(1, 6))
    rng = np.random.default_rng(draw(st.integers(0, 100)))
    params = sn.init_params(dims, rng=rng, scale=0.5)
    Xv = rng.normal(size=(dims[0], m))
    Yv = sn.data.one_hot(rng.integers(0, dims[-1], m), dims[-1]) if output == "softmax" else \
        rng.integers(0, 2, (dims[-1], m)).astype(float)
    fn = draw(st.sampled_from(["forward", "predict", "backward", "update", "train", "numerical_gradients", "cost", "accuracy"]))
    AL, cache_ = sn.forward(Xv, params, "tanh", output)
    g = sn.backward(params, cache_, Yv)
    calls = {
        "forward": lambda: (sn.forward, [Xv, params, "tanh", output]),
        "predict": lambda: (sn.predict, [Xv, params, "tanh", output]),
        "backward": lambda: (sn.backward, [params, cache_, Yv]),
        "update": lambda: (sn.update, [params, g, 0.1]),
        "train": lambda: (sn.train, [Xv, Yv, dims, 0.1, 2, "tanh", output, np.random.default_rng(0)]),
        "numerical_gradients": lambda: (sn.numerical_gradients, [params, Xv, Yv, "tanh", output]),
        "cost": lambda: (sn.cost, [AL, Yv, output]),
        "accuracy": lambda: (sn.accuracy, [AL, Yv, output]),
    }
    f, args = calls[fn]()
    # which argument to corrupt, and how
    targets = {"forward": ["X", "params"], "predict": ["X", "params"], "backward": ["params", "Y"],
               "update": ["params", "grads", "lr"], "train": ["X", "Y", "lr"], "numerical_gradients": ["X", "params", "Y"],
               "cost": ["AL", "Y"], "accuracy": ["AL", "Y"]}[fn]
    target = draw(st.sampled_from(targets))
    index = draw(st.tuples(st.integers(0, 9), st.integers(0, 9)))
    if target == "lr":
        args[2 if fn == "update" else 3] = draw(st.sampled_from([0, -1.0, math.nan, math.inf, "0.1", None, True]))
    elif target in ("params", "grads"):
        where = 1 if target == "grads" or fn in ("forward", "predict") else 0
        d = dict(args[where])
        key = draw(st.sampled_from(sorted(d)))
        how = draw(st.sampled_from(["drop", "extra", "readonly"] + ARRAY_CORRUPTIONS
                                   if target == "params" and fn == "update" else ["drop", "extra"] + ARRAY_CORRUPTIONS))
        if how in ("nan", "inf", "-inf") and fn in ("backward", "update") and target == "params":
            how = "int64"  # backward and update do not look at parameter values
        if how == "transpose" and d[key].shape == (1, 1):
            how = "drop"
        if how == "drop":
            del d[key]
        elif how == "extra":
            d["W" + draw(st.sampled_from(["x", "_1", "0", "out"]))] = np.ones((1, 1))
        elif how == "readonly":
            d[key] = read_only(d[key])
        else:
            d[key] = corrupt_array(d[key], how, index)
        args[where] = d
    else:
        position = {"X": 0, "AL": 0, "Y": 2 if fn in ("backward", "numerical_gradients") else 1}[target]
        hows = ARRAY_CORRUPTIONS[:4] + ["complex128", "transpose", "ravel"] if target != "Y" else ["nan", "half", "transpose", "ravel", "complex128"]
        if target == "AL":
            hows = ["nan", "inf", "complex128", "ravel", "transpose"]
        how = draw(st.sampled_from(hows))
        A = corrupt_array(args[position], how, index)
        if how == "transpose" and A.shape == np.shape(args[position]):
            A = A[:, :0]
        if target == "Y" and how == "ravel" and output == "sigmoid" and A.ndim == 2:
            A = A.ravel()
        args[position] = A
    return f, args


@SETTINGS
@given(call=failing_calls())
def test_property_a_failed_call_changes_nothing(call):
    f, args = call
    before = snapshot(args)
    with pytest.raises((ValueError, TypeError)) as caught:
        f(*args)
    assert not isinstance(caught.value, sn.TrainingDiverged)
    assert "learning rate than" not in str(caught.value)
    assert_same(before, args)


@SETTINGS
@given(Z=st.lists(st.lists(st.one_of(st.floats(allow_nan=False), st.sampled_from([1e308, -1e308])), min_size=3, max_size=3),
                  min_size=1, max_size=4))
def test_property_softmax_columns_are_distributions_for_any_input(Z):
    Z = np.array(Z).T
    with np.errstate(all="raise"):
        S = activations.softmax(Z)
    assert np.all(np.isfinite(S)) and np.all(S >= 0)
    np.testing.assert_allclose(S.sum(axis=0), 1.0, rtol=1e-12)
    # the largest entry of each column gets the largest share
    np.testing.assert_array_equal(np.take_along_axis(S, Z.argmax(axis=0)[None, :], axis=0)[0], S.max(axis=0))


# ---- extreme inputs ----

def test_softmax_of_inf_is_its_limit():
    Z = np.array([[np.inf, 1.0, np.inf, -np.inf, 0.0],
                  [0.0, np.inf, np.inf, -np.inf, 1e308],
                  [1e308, -1e308, 3.0, -np.inf, -1e308]])
    S = activations.softmax(Z)
    expected = np.array([[1, 0, 0.5, 1 / 3, 0], [0, 1, 0.5, 1 / 3, 1], [0, 0, 0, 1 / 3, 0]])
    np.testing.assert_array_equal(S[:, :3], expected[:, :3])
    np.testing.assert_allclose(S[:, 3:], expected[:, 3:], rtol=1e-15)
    assert np.isnan(activations.softmax(np.array([[np.nan], [1.0]]))).all()   # NaN stays NaN, never a class


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_spans_over_the_float_range_give_no_warning(dtype):
    big = np.finfo(dtype).max
    Z = np.array([[big, -big], [-big, big]], dtype=dtype)
    np.testing.assert_array_equal(activations.softmax(Z), np.eye(2, dtype=dtype))
    J = activations.softmax_prime(Z)
    assert np.all(np.isfinite(J))
    assert sn.relative_error(np.array([1e308, -1e308]), np.array([1e308, 1e308])) == pytest.approx(1 / np.sqrt(2))


EXTREMES = np.array([[-np.inf, -1e308, -1000.0, -50.0, -5e-324, 0.0, 5e-324, 1e-300, 50.0, 1000.0, 1e308, np.inf]])


@pytest.mark.parametrize("name", list(activations.ACTIVATIONS))
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_activations_do_not_raise_under_seterr_raise(name, dtype):
    g, g_prime = activations.ACTIVATIONS[name]
    Z = EXTREMES.astype(dtype) if dtype == np.float64 else np.clip(EXTREMES, -3e38, 3e38).astype(dtype)
    old = np.seterr(all="raise")
    try:
        outs = [g(Z), g_prime(Z), g(Z.T), g_prime(Z.T)]
    finally:
        np.seterr(**old)
    for out in outs:
        assert out.dtype == dtype and not np.isnan(out).any()


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
def test_the_finiteness_test_warns_and_raises_nothing_when_its_sum_overflows(dtype):
    big = np.full((3, 4), np.finfo(dtype).max / 2, dtype=dtype)
    old = np.seterr(all="raise")
    try:
        assert sn.checks.finite(big, "X") is big                  # Σ x² overflows: every entry looked at
        with pytest.raises(ValueError, match=r"X holds 0 NaN and 1 infinite"):
            sn.checks.finite(with_entry(big, (2, 3), np.inf), "X")
        sn.forward(big[:2].astype(np.float64) * 0 + 1e300, P())  # finite X near the float range
    finally:
        np.seterr(**old)


def test_sigmoid_and_softmax_limits_at_infinity():
    s = activations.sigmoid(np.array([[-np.inf, np.inf]]))
    np.testing.assert_array_equal(s, [[0.0, 1.0]])
    np.testing.assert_array_equal(activations.softmax(np.array([[np.inf], [5.0]])), [[1.0], [0.0]])


def test_costs_from_logits_are_unclipped_and_stable():
    Z = np.array([[-1e300, -800.0, 0.0, 800.0, 1e300]])
    Yv = np.array([[1.0, 1.0, 1.0, 0.0, 0.0]])
    J = losses.binary_cross_entropy_from_logits(Z, Yv)
    assert J == pytest.approx((1e300 + 800 + np.log(2) + 800 + 1e300) / 5)   # |z| each, not −log 1e-15 ≈ 34.5
    assert losses.binary_cross_entropy_from_logits(np.array([[1e308, 1e308]]), np.zeros((1, 2))) == np.inf
    assert losses.binary_cross_entropy(activations.sigmoid(Z), Yv) < 35
    Zs = np.array([[1000.0, -1000.0], [0.0, 0.0]])
    assert losses.categorical_cross_entropy_from_logits(Zs, np.array([[0.0, 1.0], [1.0, 0.0]])) == pytest.approx(1000)
    rng = np.random.default_rng(0)
    Z = rng.normal(size=(3, 6))
    Yc = sn.data.one_hot(np.arange(6) % 3, 3)
    assert losses.categorical_cross_entropy_from_logits(Z, Yc) == pytest.approx(
        losses.categorical_cross_entropy(activations.softmax(Z), Yc), rel=1e-14)
    Yb = (np.arange(18).reshape(3, 6) % 2).astype(float)
    assert losses.binary_cross_entropy_from_logits(Z, Yb) == pytest.approx(
        losses.binary_cross_entropy(activations.sigmoid(Z), Yb), rel=1e-14)


# ---- divergence ----

def diverge(**changes):
    kwargs = dict(X=sn.data.moons(100, noise=0.2, rng=0)[0], Y=sn.data.moons(100, noise=0.2, rng=0)[1],
                  layer_dims=[2, 16, 16, 1], learning_rate=10.0, epochs=300, hidden="leaky_relu",
                  rng=np.random.default_rng(0), scale="he")
    kwargs.update(changes)
    with pytest.raises(sn.TrainingDiverged) as caught:
        sn.train(**kwargs)
    return caught.value, kwargs


def test_divergence_is_reported_in_the_epoch_it_happens():
    error, _ = diverge()
    costs = error.history["cost"]
    threshold = sn.network.EXPLODED * max(costs[0], np.log(2))
    assert error.epoch == len(costs) - 1
    assert not (math.isfinite(costs[-1]) and costs[-1] <= threshold)      # this epoch is bad ...
    assert all(math.isfinite(J) and J <= threshold for J in costs[:-1])    # ... and every one before was fine
    assert error.cause == "step" and "smaller learning rate than 10.0" in str(error)


def test_a_cost_that_jumps_and_stays_is_reported():
    # relu with a huge step: units die and the cost freezes far above log 2 instead of becoming nan;
    # the clipped cost would sit at a finite value forever and never be reported
    error, _ = diverge(hidden="relu", learning_rate=30.0)
    assert error.epoch <= 5 and error.history["cost"][0] == pytest.approx(np.log(2), abs=0.2)


def test_divergence_carries_the_last_good_parameters():
    error, kwargs = diverge(epochs=50)
    assert error.good_epoch == error.epoch - 1 >= 0
    # the parameters at the start of epoch good_epoch: what good_epoch epochs of training give
    again, history = sn.train(**{**kwargs, "epochs": error.good_epoch, "rng": np.random.default_rng(0)}) \
        if error.good_epoch else (None, None)
    if again is not None:
        for key in again:
            np.testing.assert_array_equal(error.params[key], again[key])
    _, cache_ = sn.forward(kwargs["X"], error.params, "leaky_relu")
    assert losses.binary_cross_entropy_from_logits(cache_["Z3"], kwargs["Y"]) == pytest.approx(
        error.history["cost"][error.good_epoch], rel=1e-12)


def test_training_diverged_is_picklable():
    error, _ = diverge()
    again = pickle.loads(pickle.dumps(error))
    assert type(again) is sn.TrainingDiverged and str(again) == str(error) and again.args == error.args
    assert (again.epoch, again.good_epoch, again.cause, again.learning_rate) == (error.epoch, error.good_epoch, error.cause, 10.0)
    assert again.history == error.history or np.array_equal(again.history["cost"], error.history["cost"], equal_nan=True)
    for key in error.params:
        np.testing.assert_array_equal(again.params[key], error.params[key])


def test_too_large_data_is_blamed_not_the_learning_rate():
    X_big, Y_moons = sn.data.moons(40, rng=0)
    with pytest.raises(sn.TrainingDiverged, match="the data X or the weights are too large") as caught:
        sn.train(X_big * 1e200, Y_moons, [2, 4, 1], 0.1, 5, rng=0)
    assert caught.value.cause == "inputs" and caught.value.epoch == 0 and caught.value.params is None
    assert "learning rate" not in str(caught.value)


@pytest.mark.parametrize("changes, message", [
    ({"X": np.full((2, 4), np.nan)}, "X holds 8 NaN"),
    ({"scale": float("nan")}, "scale must be a positive finite number"),
    ({"X": np.zeros((2, 0)), "Y": np.zeros((1, 0))}, "no examples"),
    ({"batch_size": -1}, "batch_size must be an integer"),
    ({"params": {"W1": np.full((3, 2), np.nan), "b1": np.zeros((3, 1)), "W2": np.ones((1, 3)), "b2": np.zeros((1, 1))}}, "W1 holds 6 NaN"),
])
def test_bad_inputs_are_not_reported_as_divergence(changes, message):
    kwargs = dict(X=np.zeros((2, 4)), Y=np.array([[0.0, 1.0, 1.0, 0.0]]), layer_dims=[2, 3, 1], learning_rate=0.1, epochs=3)
    kwargs.update(changes)
    with pytest.raises(ValueError, match=message) as caught:
        sn.train(**kwargs)
    assert not isinstance(caught.value, FloatingPointError) and "learning rate" not in str(caught.value)


def test_train_under_seterr_raise_reports_divergence_not_a_bare_floating_point_error():
    old = np.seterr(all="raise")
    try:
        with pytest.raises(sn.TrainingDiverged):
            sn.train(*sn.data.moons(60, rng=0), [2, 8, 8, 1], 50.0, 200, hidden="leaky_relu", rng=0, scale="he")
        params, history = sn.train(*sn.data.moons(60, rng=0), [2, 8, 1], 0.5, 50, hidden="sigmoid", rng=0, scale=1.0)
        assert all(np.isfinite(history["cost"]))
        sn.train(*sn.data.spirals(60, rng=0), [2, 8, 3], 0.5, 20, output="softmax", rng=0, scale="he", batch_size=16)
    finally:
        np.seterr(**old)


def test_history_cost_is_the_unclipped_cost_of_each_epoch():
    Xv, Yv = sn.data.xor()
    params, history = sn.train(Xv, Yv, [2, 4, 1], 0.5, 3, hidden="tanh", rng=0, scale=1.0)
    start = sn.init_params([2, 4, 1], rng=0, scale=1.0)
    assert history["cost"][0] == pytest.approx(sn.cost(sn.forward(Xv, start, "tanh")[0], Yv), rel=1e-14)


if __name__ == "__main__":  # the counts for the closing note
    counts = Counter(c.values[1] for c in ALL)
    print(f"{len(ALL)} bad inputs in {len(TABLES)} tables across the API; by category:")
    for category, n in counts.most_common():
        print(f"  {n:4d} {category}: {CATEGORIES[category]}")
    for name, table in TABLES.items():
        print(f"  {len(table):4d} {name}")
    sys.exit(0)


def test_parameters_must_be_plain_arrays_not_subclasses():
    params = sn.init_params([2, 3, 1], rng=0)
    X = np.ones((2, 4))
    for subclass in (params["W1"].view(np.memmap), params["W1"].view(np.recarray)):
        with pytest.raises(TypeError, match=r"params\['W1'\] is a \w+, a subclass of np.ndarray"):
            sn.forward(X, {**params, "W1": subclass})


@pytest.mark.parametrize("call", [lambda X, Y: sn.train(X, Y, [2, 3, 1], 10 ** 400, 1),
                                  lambda X, Y: sn.init_params([2, 3, 1], scale=10 ** 400)])
def test_an_int_too_large_for_a_float_is_a_value_error(call):
    X, Y = sn.data.moons(10, rng=0)
    with pytest.raises(ValueError, match="must be a positive finite number"):
        call(X, Y)


def test_a_label_error_names_its_argument():
    X, Y = sn.data.moons(10, rng=0)
    with pytest.raises(ValueError, match=r"^Y_val: labels must be 0 or 1, found 0\.5$"):
        sn.train(X, Y, [2, 3, 1], 0.1, 1, validation=(X, np.full((1, 10), 0.5)))
