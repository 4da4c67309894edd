"""Checks of the arguments of scratchnet's public functions: one function per kind of input.

Every public function calls these first, in one line, so that a mistake gets an error that
names the argument, what it holds and what was expected, before any work is done and before
anything is changed. A wrong *type* (a params that is not a dict, an array of strings or of
complex numbers, a weight matrix of integers) raises TypeError; a wrong *value* (a shape, a
label 0.9999, a NaN, a batch size of 0) raises ValueError.

NaN and ±inf are rejected in data and parameters with a cheap test first (as scikit-learn's
input checks do): the sum of a finite array is finite unless it overflows, and only then is
every entry looked at.

`train` checks its arguments once and then runs its mini-batch steps inside `trusted()`,
where the per-call checks of forward, backward, update and the costs are skipped.
"""
import contextlib
import functools
import contextvars
import math
from collections.abc import Mapping

import numpy as np

OUTPUTS = ("sigmoid", "softmax")
PARAM_DTYPES = (np.dtype(np.float32), np.dtype(np.float64))
_TRUSTED = contextvars.ContextVar("scratchnet_trusted", default=False)


@contextlib.contextmanager
def trusted():
    """Skip the per-call checks of forward, backward, update and the costs (train's inner loop,
    whose arguments were checked once, before it started)."""
    token = _TRUSTED.set(True)
    try:
        yield
    finally:
        _TRUSTED.reset(token)


def describe(value):
    """A short description of a value for an error message: shape and dtype for arrays."""
    if isinstance(value, np.ndarray):
        return f"an array of shape {value.shape} and dtype {value.dtype}"
    text = repr(value)
    text = text if len(text) <= 60 else text[:57] + "..."
    return f"{text} (a {type(value).__name__})"


# ---- arrays ----

def array(value, name, ndim=None):
    """value as a NumPy array of real numbers (bool, int or float), not copied if it already is one."""
    try:
        A = np.asarray(value)
    except (ValueError, TypeError) as error:  # ragged nested lists
        raise ValueError(f"{name} must be an array of numbers, got {describe(value)} ({error})") from None
    if A.dtype.kind not in "biuf":
        what = "complex numbers (the imaginary part would be lost)" if A.dtype.kind == "c" else f"dtype {A.dtype}"
        raise TypeError(f"{name} must hold real numbers, got {describe(value)} with {what}")
    if ndim is not None and A.ndim != ndim:
        expected = {1: "a 1-D array", 2: "a 2-D array (rows × columns)"}.get(ndim, f"{ndim}-D")
        raise ValueError(f"{name} must be {expected}, got shape {A.shape}")
    return A


def floats(value, name):
    """A real array as floats: bool and int arrays become float64, float arrays keep their dtype."""
    A = array(value, name)
    return A if A.dtype.kind == "f" else A.astype(np.float64)


def finite(A, name):
    """A itself; ValueError naming the first NaN or ±inf entry if there is one."""
    all_finite([(name, A)])
    return A


def all_finite(named):
    """ValueError naming the first NaN or ±inf entry of the first (name, array) pair that has one.

    The cheap test first: Σ x² (np.vdot, one BLAS pass) is finite unless an entry is NaN or ±inf
    or the sum overflows; only then are the entries looked at. (np.vdot, unlike np.sum and np.dot,
    reports no floating-point condition, so an overflowing sum warns and raises nothing, even under
    np.seterr(all="raise"); tests/test_checks.py checks that.)
    """
    for name, A in named:
        if A.dtype.kind == "f" and A.size and not math.isfinite(np.vdot(A, A)) and not np.isfinite(A).all():
            break
    else:
        return
    bad = ~np.isfinite(A)
    first = tuple(int(i) for i in np.argwhere(bad)[0])
    raise ValueError(f"{name} holds {int(np.isnan(A).sum())} NaN and {int(np.isinf(A).sum())} infinite "
                     f"values (the first, {A[first]}, at index {first}): expected finite numbers")


def examples(A, name):
    """A 2-D array with at least one column (example)."""
    if A.shape[1] == 0:
        raise ValueError(f"{name} has shape {A.shape}: no examples (m = 0); expected at least one column")
    return A


def features(X, n_rows=None, dtype=None, name="X"):
    """X: n × m real, finite, m ≥ 1 (and n = n_rows), as `dtype` if given (its values checked before the cast)."""
    X = finite(examples(array(X, name, ndim=2), name), name)
    if n_rows is not None and X.shape[0] != n_rows:
        raise ValueError(f"{name} has shape {X.shape}, expected {n_rows} rows (features) × m columns (examples)")
    if dtype is not None and X.dtype != dtype:
        with np.errstate(over="ignore", invalid="ignore"):
            cast = X.astype(dtype)
            too_large = not np.isfinite(np.add.reduce(cast, axis=None)) and not np.isfinite(cast).all()
        if too_large:
            raise ValueError(f"{name} holds values beyond the range of {np.dtype(dtype)}, the parameters' dtype "
                             f"(largest |x| = {np.abs(X).max():g})")
        X = cast
    return X


def labels(Y, output, name="Y"):
    """Y as given (no cast): 0/1 entries, and one-hot columns for a softmax output."""
    Y = array(Y, name)
    is_label = (Y == 0) | (Y == 1)
    if not is_label.all():
        bad = np.unique(Y[~is_label])[:5]
        raise ValueError(f"{name}: labels must be 0 or 1, found {', '.join(f'{v:.15g}' for v in bad)}")
    if output == "softmax" and Y.ndim == 2 and not (Y.sum(axis=0) == 1).all():
        cols = np.flatnonzero(Y.sum(axis=0) != 1)[:5]
        raise ValueError(f"{name}'s columns must be one-hot (a single 1), columns {cols.tolist()} are not")
    return Y


def targets(Y, shape, output, name="Y", expected=None):
    """Labels Y of exactly `shape` (never broadcast), checked before any cast. `expected` explains
    the shape in the message; by default it is the shape of the output Aᴸ."""
    Y = array(Y, name)
    if Y.shape != shape:
        hint = ""
        if Y.ndim == 1 and output == "softmax":
            hint = "; class indices? make a one-hot Y with sn.data.one_hot(labels, k)"
        elif Y.ndim == 1:
            hint = "; a row of labels is written Y[None, :] or Y.reshape(1, -1)"
        said = f", expected {shape} ({expected})" if expected else f" but the output Aᴸ has shape {shape}"
        raise ValueError(f"{name} has shape {Y.shape}{said}{hint}")
    return labels(Y, output, name)


def probabilities(AL, name="AL"):
    """Predictions Aᴸ: 2-D, m ≥ 1, floats in [0, 1] (no NaN)."""
    AL = examples(floats(array(AL, name, ndim=2), name), name)
    if AL.size and not (AL.min() >= 0 and AL.max() <= 1):  # NaN fails both comparisons
        nan = np.isnan(AL).sum()
        found = f"{nan} NaN" if nan else f"values in [{AL.min():g}, {AL.max():g}]"
        raise ValueError(f"{name} must hold predicted probabilities in [0, 1], found {found}")
    return AL


def predictions_and_labels(AL, Y, output):
    """The arguments of a cost or of accuracy: Aᴸ (probabilities) and Y of the same shape."""
    if _TRUSTED.get():
        return AL, Y
    AL = probabilities(AL)
    return AL, targets(Y, AL.shape, output)


def logits_and_labels(ZL, Y, output):
    """The arguments of a cost from logits: Z⁽ᴸ⁾ (2-D floats, m ≥ 1, ±inf and NaN allowed) and Y."""
    if _TRUSTED.get():
        return ZL, Y
    ZL = examples(floats(array(ZL, "ZL", ndim=2), "ZL"), "ZL")
    return ZL, targets(Y, ZL.shape, output, expected="the shape of ZL")


def same_shape(a, b, names=("a", "b")):
    """Two real, finite arrays of exactly the same shape (no broadcasting), as floats."""
    a, b = (finite(floats(v, n), n) for v, n in zip((a, b), names))
    if a.shape != b.shape:
        raise ValueError(f"{names[0]} has shape {a.shape} but {names[1]} has shape {b.shape}: "
                         f"expected the same shape (they are not broadcast)")
    return a, b


def pre_activation(Z, name="Z"):
    """An activation's input: a real array (any shape) as floats; ±inf give the limits, NaN stays NaN."""
    if type(Z) is np.ndarray and Z.dtype.kind == "f":  # the common case, from forward: nothing to do
        return Z
    return floats(Z, name)


# ---- parameters and gradients ----

def mapping(value, expected):
    """value if it is a dict or another Mapping; else TypeError: `expected`, got what it is."""
    if type(value) is not dict and not isinstance(value, Mapping):  # the dict test first: it is faster
        raise TypeError(f"{expected}, got {describe(value)}")
    return value


def is_param_key(key):
    """'W1', 'b12', ...: a W or b followed by a layer number ≥ 1 (so 'W_extra' or 'Wout' is not)."""
    return (isinstance(key, str) and len(key) > 1 and key[0] in "Wb" and key[1:].isascii()
            and key[1:].isdigit() and key[1] != "0")


@functools.lru_cache(maxsize=64)
def param_keys(L):
    """{"W1", "b1", ..., "WL", "bL"}."""
    return frozenset(f"{p}{l}" for l in range(1, L + 1) for p in "Wb")


def parameters(params, name="params", finite_values=True, writable=False):
    """L, after checking that params is a dict of W1, b1, ..., WL, bL: NumPy arrays of one dtype,
    float32 or float64, W⁽ˡ⁾ n⁽ˡ⁾ × n⁽ˡ⁻¹⁾ and b⁽ˡ⁾ n⁽ˡ⁾ × 1, finite, writable if asked."""
    mapping(params, f"{name} must be a dict {{'W1': W⁽¹⁾, 'b1': b⁽¹⁾, ...}}")
    L = len(params) // 2
    if not L or params.keys() != param_keys(L):  # not exactly W1, b1, ..., WL, bL: find what is wrong
        other = [key for key in params if not is_param_key(key)]
        if other:
            raise ValueError(f"{name} has keys {other} that are not W1, b1, ..., WL, bL "
                             f"(expected only weights W⁽ˡ⁾ and biases b⁽ˡ⁾ of layers l = 1, ..., L)")
        if not params:
            raise ValueError(f"{name} holds no layers: expected keys W1, b1, ...")
        L = max(int(key[1:]) for key in params)
        for l in range(1, L + 1):
            for key in (f"W{l}", f"b{l}"):
                if key not in params:
                    raise ValueError(f"{name} is missing {key} (it has {sorted(params)})")
    pairs = layer_keys(L)
    if not fast_parameters(params, pairs, writable):
        describe_parameters(params, name, L, writable)
    if finite_values:
        all_finite((key, params[key]) for pair in pairs for key in pair)
    return L


@functools.lru_cache(maxsize=64)
def layer_keys(L):
    """(("W1", "b1"), ..., ("WL", "bL"))."""
    return tuple((f"W{l}", f"b{l}") for l in range(1, L + 1))


def fast_parameters(params, pairs, writable):
    """True if the parameters are certainly well formed (the common case, checked quickly)."""
    W1 = params["W1"]
    if type(W1) is not np.ndarray or W1.dtype not in PARAM_DTYPES or W1.ndim != 2 or not W1.shape[1]:
        return False
    dtype, rows = W1.dtype, W1.shape[1]
    for kW, kb in pairs:
        W, b = params[kW], params[kb]
        if (type(W) is not np.ndarray or type(b) is not np.ndarray or W.dtype != dtype or b.dtype != dtype
                or W.ndim != 2 or W.shape[1] != rows or not W.shape[0] or b.shape != (W.shape[0], 1)
                or writable and not (W.flags.writeable and b.flags.writeable)):
            return False
        rows = W.shape[0]
    return True


def describe_parameters(params, name, L, writable):
    """The error for parameters that fast_parameters did not accept."""
    dtype = None
    for l in range(1, L + 1):
        W, b = params[f"W{l}"], params[f"b{l}"]
        for key, P in ((f"W{l}", W), (f"b{l}", b)):
            if not isinstance(P, np.ndarray):
                raise TypeError(f"{name}[{key!r}] must be a NumPy array, got {describe(P)}")
            if type(P) is not np.ndarray:  # np.matrix's * is a matrix product; a memmap changes its file
                raise TypeError(f"{name}[{key!r}] is a {type(P).__name__}, a subclass of np.ndarray: "
                                f"parameters must be plain arrays; pass np.array({name}[{key!r}])")
            if P.dtype not in PARAM_DTYPES:
                why = " (float16 cannot hold small steps: 1 + 1e-4 rounds to 1)" if P.dtype == np.float16 else ""
                raise TypeError(f"{key} has dtype {P.dtype}: parameters must be float32 or float64{why}")
            if P.ndim != 2:
                raise ValueError(f"layer {l}: {key} must be 2-D, got shape {P.shape}")
            dtype = dtype or P.dtype
            if P.dtype != dtype:
                raise TypeError(f"{key} has dtype {P.dtype} but W1 has {dtype}: all parameters must have one dtype")
        if 0 in W.shape:
            raise ValueError(f"layer {l}: W{l} has shape {W.shape}: every layer needs at least one neuron")
        if b.shape != (W.shape[0], 1):
            raise ValueError(f"layer {l}: b{l} has shape {b.shape}, expected {(W.shape[0], 1)} to match W{l} {W.shape}")
        if l > 1 and W.shape[1] != params[f"W{l - 1}"].shape[0]:
            raise ValueError(f"layer {l}: W{l} has shape {W.shape}, expected {W.shape[1]} columns to be "
                             f"{params[f'W{l - 1}'].shape[0]}, the rows of W{l - 1}")
        for key, P in ((f"W{l}", W), (f"b{l}", b)):
            if writable and not P.flags.writeable:
                raise ValueError(f"{key} is read-only: update changes the parameters in place "
                                 f"(pass writable arrays, e.g. {{k: v.copy() for k, v in params.items()}})")
    raise AssertionError("fast_parameters and describe_parameters disagree")  # pragma: no cover


@functools.lru_cache(maxsize=64)
def grad_keys(L):
    """{"dW1": "W1", "db1": "b1", ...}."""
    return {"d" + key: key for pair in layer_keys(L) for key in pair}


def layer_sizes_of(params, L):
    """[n⁽⁰⁾, n⁽¹⁾, ..., n⁽ᴸ⁾] of checked params."""
    return [params["W1"].shape[1]] + [params[f"W{l}"].shape[0] for l in range(1, L + 1)]


def gradients(grads, params, L):
    """grads holds dW1, db1, ..., dWL, dbL (and nothing else), each a finite float32 or float64
    array shaped like its parameter."""
    mapping(grads, "grads must be a dict {'dW1': ..., 'db1': ..., ...}")
    names = grad_keys(L)
    if grads.keys() == names.keys() and all(
            type(dP) is np.ndarray and dP.dtype in PARAM_DTYPES and dP.shape == params[key].shape
            for dP, key in ((grads[d], key) for d, key in names.items())):
        all_finite((d, grads[d]) for d in names)
        return grads
    keys = [f"{p}{l}" for l in range(1, L + 1) for p in "Wb"]
    other = sorted(set(grads) - {"d" + key for key in keys}, key=str)
    if other:
        raise ValueError(f"grads has keys {other} that match no parameter: expected exactly "
                         f"{', '.join('d' + key for key in keys)}")
    for key in keys:
        dP = grads.get("d" + key)
        if dP is not None and not isinstance(dP, np.ndarray):
            raise TypeError(f"grads['d{key}'] must be a NumPy array, got {describe(dP)}")
        shape = getattr(dP, "shape", None)
        if shape != params[key].shape:
            raise ValueError(f"grads must hold d{key} of shape {params[key].shape}, got {shape}")
        if dP.dtype not in PARAM_DTYPES:
            raise TypeError(f"d{key} has dtype {getattr(dP, 'dtype', type(dP).__name__)}: gradients must be "
                            f"float32 or float64 (an integer or bool gradient would silently change the step)")
    all_finite(("d" + key, grads["d" + key]) for key in keys)
    return grads


def cache(cache, params, L):
    """The cache of forward, as far as backward reads it: the activation names, A0 (= X), A1, ..., AL
    and Z1, ..., Z(L−1), each a float array of shape n⁽ˡ⁾ × m. (Z⁽ᴸ⁾ is not needed: δᴸ = Aᴸ − Y.)

    It looks with dict.get, not cache[key], so that a dict that logs its reads (the backpropagation
    chapter's ReadLog) records only what backward itself reads.
    """
    mapping(cache, "cache must be the dict that forward returns")
    peek = functools.partial(dict.get, cache) if isinstance(cache, dict) else cache.get
    layout = cache_layout(tuple(layer_sizes_of(params, L)))
    missing = [key for key in ("hidden", "output", *(key for key, _ in layout)) if key not in cache]
    if missing:
        raise ValueError(f"cache is missing {missing}: pass the cache that forward returned for these params")
    activation_names(peek("hidden"), peek("output"))
    m = getattr(peek("A0"), "shape", (None, None))[-1]
    for key, n in layout:
        A = peek(key)
        if type(A) is not np.ndarray or A.dtype.kind != "f" or A.shape != (n, m) or not m:
            raise ValueError(f"cache[{key!r}] is {describe(A)}, expected a float array of shape {(n, m)}: "
                             f"pass the cache that forward returned for these params")
    return peek


@functools.lru_cache(maxsize=64)
def cache_layout(sizes):
    """(key, rows) of the arrays backward reads from the cache: A0, ..., AL and Z1, ..., Z(L−1)."""
    L = len(sizes) - 1
    return tuple((f"{p}{l}", n) for l, n in enumerate(sizes) for p in "AZ" if p == "A" or 0 < l < L)


# ---- names and numbers ----

def output_name(output):
    if not isinstance(output, str) or output not in OUTPUTS:
        raise ValueError(f"output activation must be one of {OUTPUTS} (each has its cross-entropy), got {output!r}")
    return output


HIDDEN = ("step", "relu", "leaky_relu", "sigmoid", "tanh")  # = activations.HIDDEN (tested)


def activation_names(hidden, output):
    if type(hidden) is str and hidden in HIDDEN and type(output) is str and output in OUTPUTS:
        return output
    from . import activations  # here, not at the top: activations imports this module
    activations.get(hidden)
    if hidden not in activations.HIDDEN:
        raise ValueError(f"hidden activation must be elementwise, one of {activations.HIDDEN}; got {hidden!r}")
    return output_name(output)


def is_integer(value):
    return isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_))


def positive_number(value, name, zero=False):
    """A finite number > 0 (≥ 0 if zero=True); bool, str and None are not numbers."""
    ok = isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, (bool, np.bool_))
    if ok:
        try:
            v = float(value)
        except OverflowError:  # an int beyond float64's range, like 10**400
            v = math.inf
        ok = math.isfinite(v) and (v > 0 or (zero and v == 0))
    if not ok:
        kind = "non-negative" if zero else "positive"
        raise ValueError(f"{name} must be a {kind} finite number, got {value!r}")
    return value


def positive_int(value, name, none=False, minimum=1):
    """An integer ≥ minimum (None allowed if none=True); 2.5, True and "10" are not."""
    if none and value is None:
        return value
    if not is_integer(value) or value < minimum:
        extra = " or None" if none else ""
        raise ValueError(f"{name} must be an integer ≥ {minimum}{extra}, got {value!r}")
    return value


def seed(rng, name="rng"):
    """A Generator or RandomState as given, or a new Generator from None or an int seed ≥ 0."""
    if isinstance(rng, (np.random.Generator, np.random.RandomState)):
        return rng
    if rng is None or isinstance(rng, np.random.SeedSequence):
        return np.random.default_rng(rng)
    if is_integer(rng):
        if rng < 0:
            raise ValueError(f"{name} must be a seed ≥ 0, got {rng}")
        return np.random.default_rng(rng)
    raise TypeError(f"{name} must be None, an int seed ≥ 0, a numpy.random.Generator or a RandomState, "
                    f"got {describe(rng)}")


def layer_sizes(layer_dims, name="layer_dims"):
    """[n⁽⁰⁾, ..., n⁽ᴸ⁾] as a list: at least two integers ≥ 1."""
    if isinstance(layer_dims, (str, bytes, Mapping)) or not hasattr(layer_dims, "__iter__"):
        raise TypeError(f"{name} must be a list of layer sizes such as [2, 4, 1], got {describe(layer_dims)}")
    sizes = list(layer_dims)
    if len(sizes) < 2:
        raise ValueError(f"{name} needs at least two sizes (input and output), got {sizes}")
    for l, n in enumerate(sizes):
        if not is_integer(n) or n < 1:
            raise ValueError(f"layer size n⁽{l}⁾ must be an integer ≥ 1, got {n!r} in {sizes}")
    return sizes


def float_dtype(dtype, name="dtype"):
    """float32 or float64 (the dtypes parameters may have)."""
    try:
        dt = np.dtype(dtype)
    except TypeError:
        raise TypeError(f"{name} must be a NumPy dtype, float32 or float64, got {describe(dtype)}") from None
    if dt not in PARAM_DTYPES:
        raise TypeError(f"{name} must be float32 or float64 (parameters take small real steps), got {dt}")
    return dt


def init_scale(scale, names=("he", "xavier")):
    if isinstance(scale, str):
        if scale not in names:
            raise ValueError(f"unknown scale {scale!r}; use a number, 'he' or 'xavier'")
        return scale
    return positive_number(scale, "scale")


def init_args(layer_dims, rng, scale, dtype):
    """(sizes, rng, scale, dtype) for init_params, all checked before anything is drawn from rng."""
    sizes, scale, dtype = layer_sizes(layer_dims), init_scale(scale), float_dtype(dtype)
    return sizes, seed(rng), scale, dtype


# ---- the arguments of whole functions ----

def class_indices(labels, k):
    """labels: a non-empty 1-D array of integers in 0..k−1, for k ≥ 2 classes."""
    positive_int(k, "k", minimum=2)
    labels = array(labels, "labels", ndim=1)
    if labels.size == 0:
        raise ValueError("labels is empty: expected at least one class index")
    if labels.dtype.kind == "b" or (labels.dtype.kind == "f" and not np.array_equal(labels, np.round(labels))):
        raise ValueError(f"labels must be class indices (integers) in 0..{k - 1}, got dtype {labels.dtype}")
    if labels.min() < 0 or labels.max() >= k:
        raise ValueError(f"labels must be a 1-D array of class indices in 0..{k - 1}, "
                         f"found values from {labels.min():g} to {labels.max():g}")
    return labels.astype(np.intp)


def data_args(m, noise, rng, k=2, factor=None):
    """The arguments of the data sets: m ≥ k examples (one per class at least), k ≥ 2 classes,
    a finite noise ≥ 0, 0 ≤ factor < 1 (circles) and a seed; returns the generator."""
    positive_int(k, "k", minimum=2)
    positive_int(m, "m", minimum=k)
    positive_number(noise, "noise", zero=True)
    if factor is not None and not (positive_number(factor, "factor", zero=True) < 1):
        raise ValueError(f"factor (the inner circle's radius) must be in [0, 1), got {factor!r}")
    return seed(rng)


def forward_args(X, params, hidden, output):
    """(X as the parameters' dtype, L) for forward(X, params, hidden, output)."""
    if _TRUSTED.get():
        return X, len(params) // 2
    L = parameters(params)
    activation_names(hidden, output)
    if output == "softmax" and params[f"W{L}"].shape[0] < 2:
        raise ValueError(f"a softmax output needs at least 2 classes, but W{L} has shape {params[f'W{L}'].shape}")
    W1 = params["W1"]
    X0 = array(X, "X")
    if X0.ndim != 2 or X0.shape[0] != W1.shape[1]:
        raise ValueError(f"layer 1: X has shape {X0.shape} but W1 has shape {W1.shape}: "
                         f"expected X with {W1.shape[1]} rows (features) and one column per example")
    return features(X0, dtype=W1.dtype), L


def backward_args(params, cache_, Y):
    """(L, Y as Aᴸ's dtype) for backward(params, cache, Y); the labels are checked before the cast."""
    if _TRUSTED.get():
        L = len(params) // 2
        return L, Y
    L = parameters(params, finite_values=False)  # forward checked the values
    peek = cache(cache_, params, L)
    AL = peek(f"A{L}")
    Y = targets(Y, AL.shape, peek("output"))
    return L, np.asarray(Y, dtype=AL.dtype)


def gradient_check_args(params, X, Y, hidden, output, eps):
    """L for numerical_gradients(params, X, Y, hidden, output, eps), every argument checked."""
    L = parameters(params)
    X = forward_args(X, params, hidden, output)[0]
    positive_number(eps, "eps")
    targets(Y, (params[f"W{L}"].shape[0], X.shape[1]), output,
            expected=f"n⁽ᴸ⁾ = {params[f'W{L}'].shape[0]} outputs × m = {X.shape[1]} examples")
    return L


def update_args(params, grads, learning_rate):
    """L for update(params, grads, learning_rate): every gradient is checked before any layer steps."""
    if _TRUSTED.get():
        return len(params) // 2
    positive_number(learning_rate, "learning_rate")
    L = parameters(params, finite_values=False, writable=True)
    gradients(grads, params, L)
    return L


def train_args(X, Y, layer_dims, learning_rate, epochs, hidden, output, rng, scale, dtype, params,
               batch_size, print_every, progress):
    """(X, Y, rng, sizes) for train, every argument checked; X and Y in the parameters' dtype."""
    sizes = layer_sizes(layer_dims)
    positive_number(learning_rate, "learning_rate")
    activation_names(hidden, output)
    positive_int(epochs, "epochs")
    positive_int(batch_size, "batch_size", none=True)
    positive_int(print_every, "print_every", none=True)
    if not isinstance(progress, (bool, np.bool_)):
        raise ValueError(f"progress must be True or False, got {progress!r}")
    rng = seed(rng)
    if params is None:
        init_scale(scale)
        dtype = float_dtype(dtype)
    else:
        L = parameters(params)
        if layer_sizes_of(params, L) != sizes:
            raise ValueError(f"params has layer sizes {layer_sizes_of(params, L)}, but layer_dims is {sizes}")
        dtype = params["W1"].dtype
    if output == "softmax" and sizes[-1] < 2:
        raise ValueError(f"a softmax output needs at least 2 classes, but layer_dims ends in {sizes[-1]}")
    X = features(X, n_rows=sizes[0], dtype=dtype)
    Y = targets(Y, (sizes[-1], X.shape[1]), output,
                expected=f"n⁽ᴸ⁾ = {sizes[-1]} outputs × m = {X.shape[1]} examples")
    return X, np.asarray(Y, dtype=dtype), rng, sizes


def validation_args(validation, patience, sizes, dtype, output):
    """(X_val, Y_val) for train's validation pair (None, None without one), in `dtype`; patience
    an int ≥ 1 or None, and only with validation data to watch."""
    positive_int(patience, "patience", none=True)
    if validation is None:
        if patience is not None:
            raise ValueError("patience (early stopping) needs validation=(X_val, Y_val) to watch")
        return None, None
    if not isinstance(validation, (tuple, list)) or len(validation) != 2:
        raise TypeError(f"validation must be a pair (X_val, Y_val), got {describe(validation)}")
    X_val = features(validation[0], n_rows=sizes[0], dtype=dtype, name="X_val")
    Y_val = targets(validation[1], (sizes[-1], X_val.shape[1]), output, name="Y_val",
                    expected=f"n⁽ᴸ⁾ = {sizes[-1]} outputs × m_val = {X_val.shape[1]} examples")
    return X_val, np.asarray(Y_val, dtype=dtype)


# ---- figures ----

def plot_axes(ax):
    """None (a new figure) or a matplotlib Axes."""
    from matplotlib.axes import Axes
    if ax is not None and not isinstance(ax, Axes):
        raise TypeError(f"ax must be a matplotlib Axes or None, got {describe(ax)}")
    return ax


def plot_activation_args(name, z, ax):
    """z (default: 501 points in [−5, 5]) for plot_activation of an elementwise activation."""
    from . import activations
    activations.get(name)
    if name not in activations.HIDDEN:
        raise ValueError(f"plot_activation draws elementwise activations, one of {activations.HIDDEN}; "
                         f"got {name!r} (softmax is a function of a whole column)")
    plot_axes(ax)
    if z is None:
        return np.linspace(-5, 5, 501)
    z = finite(floats(array(z, "z", ndim=1), "z"), "z")
    if z.size < 2:
        raise ValueError(f"z must hold at least 2 points to draw a curve, got shape {z.shape}")
    return z


def history_costs(history, ax):
    """history["cost"] as a non-empty 1-D float array (nan and inf allowed: a diverged run)."""
    plot_axes(ax)
    if not isinstance(history, Mapping) or "cost" not in history:
        raise TypeError(f"history must be the dict train returns, with a 'cost' list, got {describe(history)}")
    cost = floats(array(history["cost"], "history['cost']", ndim=1), "history['cost']")
    if cost.size == 0:
        raise ValueError("history['cost'] is empty: nothing to plot")
    return cost


def decision_boundary_args(X, Y, params, hidden, output, ax):
    """(X, Y) for plot_decision_boundary: a network of 2 inputs, X 2 × m, Y its labels."""
    plot_axes(ax)
    X, L = forward_args(X, params, hidden, output)
    if X.shape[0] != 2:
        raise ValueError(f"X has shape {X.shape}: a decision boundary is drawn in the plane, for 2 features")
    n_out = params[f"W{L}"].shape[0]
    if output == "sigmoid" and n_out != 1:
        raise ValueError(f"W{L} has {n_out} rows: the decision boundary of a sigmoid output needs one output")
    Y = targets(Y, (n_out, X.shape[1]), output, expected=f"n⁽ᴸ⁾ = {n_out} outputs × m = {X.shape[1]} examples")
    return X, Y


def draw_network_args(layer_dims, ax, title):
    plot_axes(ax)
    if title is not None and not isinstance(title, str):
        raise TypeError(f"title must be a string or None, got {describe(title)}")
    return layer_sizes(layer_dims)
