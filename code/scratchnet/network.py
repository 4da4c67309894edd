"""A fully connected network in the column convention of Definition 3.7.3.

X is n⁽⁰⁾ × m (one column per example), W⁽ˡ⁾ is n⁽ˡ⁾ × n⁽ˡ⁻¹⁾, b⁽ˡ⁾ is n⁽ˡ⁾ × 1, and
    Z⁽ˡ⁾ = W⁽ˡ⁾ A⁽ˡ⁻¹⁾ + b⁽ˡ⁾,   A⁽ˡ⁾ = g(Z⁽ˡ⁾),   A⁽⁰⁾ = X.
Parameters live in a dict {"W1", "b1", ..., "WL", "bL"}; gradients in {"dW1", "db1", ...}.
"""
import math
import sys

import numpy as np

from . import activations
from .losses import LOSSES, check_labels, check_targets

__all__ = [
    "init_params", "count_params", "step_flops", "forward", "cost", "backward", "update",
    "train", "predict", "accuracy", "numerical_gradients", "relative_error",
    "TrainingDiverged",
]


def as_rng(rng):
    """An int seed, a Generator, a legacy RandomState, or None (fresh entropy)."""
    if isinstance(rng, (np.random.Generator, np.random.RandomState)):
        return rng
    return np.random.default_rng(rng)


def check_layer_dims(layer_dims):
    if len(layer_dims) < 2:
        raise ValueError(f"layer_dims needs at least two sizes (input and output), got {list(layer_dims)}")
    for l, n in enumerate(layer_dims):
        if not isinstance(n, (int, np.integer)) or n < 1:
            raise ValueError(f"layer size n⁽{l}⁾ must be an integer ≥ 1, got {n!r} in {list(layer_dims)}")


def init_params(layer_dims, rng=None, scale=0.01, dtype=np.float64):
    """Weights W⁽ˡ⁾ = scale · N(0, 1) of shape n⁽ˡ⁾ × n⁽ˡ⁻¹⁾, drawn layer by layer; biases 0.

    scale: a number, "he" (√(2 / n⁽ˡ⁻¹⁾), for ReLU) or "xavier" (√(2 / (n⁽ˡ⁻¹⁾ + n⁽ˡ⁾))).
    init_params([2, 4, 1], rng=np.random.RandomState(42)) gives the original notes' weights.
    """
    check_layer_dims(layer_dims)
    rng = as_rng(rng)
    scales = {"he": lambda n_in, n_out: math.sqrt(2 / n_in),
              "xavier": lambda n_in, n_out: math.sqrt(2 / (n_in + n_out))}
    if isinstance(scale, str) and scale not in scales:
        raise ValueError(f"unknown scale {scale!r}; use a number, 'he' or 'xavier'")
    params = {}
    for l in range(1, len(layer_dims)):
        n_in, n_out = layer_dims[l - 1], layer_dims[l]
        s = scales[scale](n_in, n_out) if isinstance(scale, str) else scale
        params[f"W{l}"] = (rng.standard_normal((n_out, n_in)) * s).astype(dtype)
        params[f"b{l}"] = np.zeros((n_out, 1), dtype=dtype)
    return params


def count_params(layer_dims):
    """Σₗ n⁽ˡ⁾ n⁽ˡ⁻¹⁾ weights + Σₗ n⁽ˡ⁾ biases, as (weights, biases, total)."""
    check_layer_dims(layer_dims)
    weights = sum(n_in * n_out for n_in, n_out in zip(layer_dims, layer_dims[1:]))
    biases = sum(layer_dims[1:])
    return weights, biases, weights + biases


def step_flops(layer_dims, m):
    """Floating-point operations of one training step's matrix products on m examples:
    2 m n⁽ˡ⁾ n⁽ˡ⁻¹⁾ each for W⁽ˡ⁾A⁽ˡ⁻¹⁾ and δ⁽ˡ⁾A⁽ˡ⁻¹⁾ᵀ, and for W⁽ˡ⁾ᵀδ⁽ˡ⁾ when l ≥ 2."""
    check_layer_dims(layer_dims)
    products = [n_in * n_out for n_in, n_out in zip(layer_dims, layer_dims[1:])]
    return 2 * m * (3 * sum(products) - products[0])


def num_layers(params):
    """L, after checking that params holds W1, b1, ..., WL, bL with consistent shapes."""
    L = sum(1 for key in params if key.startswith("W"))
    for l in range(1, L + 1):
        for key in (f"W{l}", f"b{l}"):
            if key not in params:
                raise ValueError(f"params is missing {key} (it has {sorted(params)})")
        W, b = params[f"W{l}"], params[f"b{l}"]
        if b.shape != (W.shape[0], 1):
            raise ValueError(f"layer {l}: b{l} has shape {b.shape}, expected {(W.shape[0], 1)} to match W{l} {W.shape}")
        if l > 1 and W.shape[1] != params[f"W{l - 1}"].shape[0]:
            raise ValueError(f"layer {l}: W{l} has shape {W.shape}, expected {W.shape[1]} columns to be "
                             f"{params[f'W{l - 1}'].shape[0]}, the rows of W{l - 1}")
    if L == 0:
        raise ValueError("params holds no layers: expected keys W1, b1, ...")
    return L


def check_output(output):
    if output not in LOSSES:
        raise ValueError(f"output activation must be one of {tuple(LOSSES)} "
                         f"(each has its cross-entropy), got {output!r}")


def check_activations(hidden, output):
    activations.get(hidden)
    if hidden not in activations.HIDDEN:
        raise ValueError(f"hidden activation must be elementwise, one of {activations.HIDDEN}; got {hidden!r}")
    check_output(output)


def forward(X, params, hidden="relu", output="sigmoid"):
    """Forward propagation. Returns (Aᴸ, cache).

    X: n⁽⁰⁾ × m, converted to the parameters' dtype. The cache memoises the pass for
    backward: "A0" = X, then "Z1", "A1", ..., "ZL", "AL", and the activation names.
    """
    L = num_layers(params)
    check_activations(hidden, output)
    W1 = params["W1"]
    X = np.asarray(X, dtype=W1.dtype)
    if X.ndim != 2 or X.shape[0] != W1.shape[1]:
        raise ValueError(f"layer 1: X has shape {X.shape} but W1 has shape {W1.shape}: "
                         f"expected X with {W1.shape[1]} rows (features) and one column per example")
    g, g_out = activations.get(hidden)[0], activations.get(output)[0]
    cache = {"hidden": hidden, "output": output, "A0": X}
    A = X
    for l in range(1, L + 1):
        Z = params[f"W{l}"] @ A
        Z += params[f"b{l}"]  # b broadcast over the m columns; in place, no second n × m array
        A = g_out(Z) if l == L else g(Z)
        cache[f"Z{l}"], cache[f"A{l}"] = Z, A
    return A, cache


def cost(AL, Y, output="sigmoid"):
    """The cross-entropy that goes with the output activation."""
    check_output(output)
    return LOSSES[output](AL, Y)


def backward(params, cache, Y):
    """Backpropagation (Section 3.7.4), reading every Z and A from the forward pass's cache.

    δᴸ = Aᴸ − Y (sigmoid with binary, softmax with categorical cross-entropy), then
    dW⁽ˡ⁾ = δ⁽ˡ⁾ A⁽ˡ⁻¹⁾ᵀ / m,  db⁽ˡ⁾ = δ⁽ˡ⁾ 𝟏 / m,  δ⁽ˡ⁻¹⁾ = W⁽ˡ⁾ᵀ δ⁽ˡ⁾ ⊙ g′(Z⁽ˡ⁻¹⁾).
    The recursion is linear in δ, so `delta` carries δ⁽ˡ⁾ / m: the 1/m of every dW and db
    is applied once, to δᴸ (n⁽ᴸ⁾ × m), instead of to every dW⁽ˡ⁾ (n⁽ˡ⁾ × n⁽ˡ⁻¹⁾).
    Returns {"dW1", "db1", ...}, each shaped like its parameter. (∂J/∂X is not computed.)
    """
    L = num_layers(params)
    AL = cache[f"A{L}"]
    Y = np.asarray(Y, dtype=AL.dtype)
    check_targets(AL, Y, cache["output"])
    g_prime = activations.get(cache["hidden"])[1]
    m = Y.shape[1]
    delta = (AL - Y) / m
    ones = np.ones((m, 1), dtype=AL.dtype)  # 𝟏: δ𝟏 sums each row, in BLAS like the other products
    grads = {}
    for l in range(L, 0, -1):
        grads[f"dW{l}"] = delta @ cache[f"A{l - 1}"].T
        grads[f"db{l}"] = delta @ ones
        if l > 1:
            delta = params[f"W{l}"].T @ delta
            delta *= g_prime(cache[f"Z{l - 1}"])  # in place: no second n⁽ˡ⁻¹⁾ × m array
    return grads


def check_learning_rate(learning_rate):
    if isinstance(learning_rate, bool) or not isinstance(learning_rate, (int, float, np.floating, np.integer)) \
            or not math.isfinite(learning_rate) or learning_rate <= 0:
        raise ValueError(f"learning_rate must be a positive finite number, got {learning_rate!r}")


def update(params, grads, learning_rate):
    """Gradient descent, in place: W⁽ˡ⁾ ← W⁽ˡ⁾ − α dW⁽ˡ⁾, b⁽ˡ⁾ ← b⁽ˡ⁾ − α db⁽ˡ⁾. Returns params."""
    check_learning_rate(learning_rate)
    L = num_layers(params)
    keys = [f"{p}{l}" for l in range(1, L + 1) for p in "Wb"]
    for key in keys:
        shape = getattr(grads.get("d" + key), "shape", None)
        if shape != params[key].shape:
            raise ValueError(f"grads must hold d{key} of shape {params[key].shape}, got {shape}")
    for key in keys:
        dP = grads["d" + key]
        # α in the gradient's dtype: even a NumPy float64 α then keeps a float32 step in float32
        params[key] -= dP.dtype.type(learning_rate) * dP
    return params


def predictions(AL, output):
    """0/1 at threshold 0.5 for sigmoid outputs; the class index (shape (m,)) for softmax."""
    return AL.argmax(axis=0) if output == "softmax" else (AL > 0.5).astype(int)


def predict(X, params, hidden="relu", output="sigmoid"):
    """Predicted labels: 0/1 (n_out × m) for a sigmoid output, class indices (m,) for softmax."""
    return predictions(forward(X, params, hidden, output)[0], output)


def accuracy(AL, Y, output="sigmoid"):
    """Fraction of correct predictions."""
    target = Y.argmax(axis=0) if output == "softmax" else Y
    return float((predictions(AL, output) == target).mean())


class TrainingDiverged(FloatingPointError):
    """The cost became nan or inf. `epoch` says when; `history` holds the costs up to then."""

    def __init__(self, epoch, learning_rate, history):
        super().__init__(f"cost became {history['cost'][-1]} at epoch {epoch}: gradient descent diverged; "
                         f"try a smaller learning rate than {learning_rate}")
        self.epoch, self.history = epoch, history


def batches(m, batch_size, rng):
    """Column indices of each mini-batch of one epoch, shuffled by rng; one full batch if batch_size is None."""
    if batch_size is None or batch_size >= m:
        return [slice(None)]
    order = rng.permutation(m)
    return [order[i:i + batch_size] for i in range(0, m, batch_size)]


def train_epoch(X, Y, params, learning_rate, hidden, output, batch_size, rng):
    """One pass over the data, updating params; returns the mean cost and accuracy of its batches."""
    costs, accuracies = [], []
    for cols in batches(X.shape[1], batch_size, rng):
        AL, cache = forward(X[:, cols], params, hidden, output)
        costs.append(cost(AL, Y[:, cols], output))
        accuracies.append(accuracy(AL, Y[:, cols], output))
        update(params, backward(params, cache, Y[:, cols]), learning_rate)
    return float(np.mean(costs)), float(np.mean(accuracies))


def validation_data(validation, layer_dims, dtype, output):
    """The pair (X_val, Y_val) as arrays of dtype, X_val n⁽⁰⁾ × m_val and Y_val n⁽ᴸ⁾ × m_val (checked)."""
    if not isinstance(validation, (tuple, list)) or len(validation) != 2:
        raise ValueError(f"validation must be a pair (X_val, Y_val), got {type(validation).__name__}")
    X_val, Y_val = (np.asarray(a, dtype=dtype) for a in validation)
    if X_val.ndim != 2 or X_val.shape[0] != layer_dims[0] or X_val.shape[1] == 0:
        raise ValueError(f"X_val has shape {X_val.shape}, expected {layer_dims[0]} rows (n⁽⁰⁾ features) × m_val ≥ 1 columns")
    if Y_val.shape != (layer_dims[-1], X_val.shape[1]):
        raise ValueError(f"Y_val has shape {Y_val.shape}, expected {(layer_dims[-1], X_val.shape[1])} "
                         f"(n⁽ᴸ⁾ = {layer_dims[-1]} outputs × m_val = {X_val.shape[1]} examples)")
    check_labels(Y_val, output)
    return X_val, Y_val


def check_patience(patience, validation):
    if patience is not None and (isinstance(patience, bool) or not isinstance(patience, (int, np.integer)) or patience < 1):
        raise ValueError(f"patience must be an integer ≥ 1 (epochs without a better validation cost), got {patience!r}")
    if patience is not None and validation is None:
        raise ValueError("patience (early stopping) needs validation=(X_val, Y_val) to watch")


def record_validation(X_val, Y_val, params, hidden, output, history, keep):
    """Append the validation cost and accuracy of params to history and update history["best_epoch"];
    returns a copy of params if keep and they are the best so far, else None."""
    AL = forward(X_val, params, hidden, output)[0]
    history["val_cost"].append(cost(AL, Y_val, output))
    history["val_accuracy"].append(accuracy(AL, Y_val, output))
    best = history["best_epoch"]
    if best is None or history["val_cost"][-1] < history["val_cost"][best]:
        history["best_epoch"] = len(history["val_cost"]) - 1
        return {key: P.copy() for key, P in params.items()} if keep else None
    return None


def train(X, Y, layer_dims, learning_rate, epochs, hidden="relu", output="sigmoid",
          rng=None, scale=0.01, dtype=np.float64, params=None, batch_size=None,
          print_every=None, progress=False, validation=None, patience=None):
    """Gradient descent (Section 3.7.5): forward, cost, backward, update, for each mini-batch.

    Starts from init_params(layer_dims, rng, scale, dtype), or from a copy of `params`.
    batch_size=None uses all m examples in every step; otherwise each epoch shuffles the
    columns with rng. history["cost"][i] and history["accuracy"][i] are epoch i's mean over
    its batches, each computed before that batch's update. print_every=k prints them every
    k epochs; progress=True shows a progress line on stderr.
    validation=(X_val, Y_val) (n⁽⁰⁾ × m_val, n⁽ᴸ⁾ × m_val) adds history["val_cost"][i] and
    history["val_accuracy"][i], measured after epoch i, and history["best_epoch"], the epoch of
    the lowest validation cost. patience=k stops early, after k epochs without a lower
    validation cost, and returns the parameters of the best epoch (otherwise: of the last).
    Returns (params, history).
    """
    check_layer_dims(layer_dims)
    check_learning_rate(learning_rate)
    check_activations(hidden, output)
    if not isinstance(epochs, (int, np.integer)) or epochs < 1:
        raise ValueError(f"epochs must be an integer ≥ 1, got {epochs!r}")
    rng = as_rng(rng)
    if params is None:
        params = init_params(layer_dims, rng, scale, dtype)
    else:
        params = {key: np.array(value) for key, value in params.items()}
        sizes = [params["W1"].shape[1]] + [params[f"W{l}"].shape[0] for l in range(1, num_layers(params) + 1)]
        if sizes != list(layer_dims):
            raise ValueError(f"params has layer sizes {sizes}, but layer_dims is {list(layer_dims)}")
    X = np.asarray(X, dtype=params["W1"].dtype)
    Y = np.asarray(Y, dtype=params["W1"].dtype)
    if X.ndim != 2 or X.shape[0] != layer_dims[0]:
        raise ValueError(f"X has shape {X.shape}, expected {layer_dims[0]} rows (n⁽⁰⁾ features) × m columns")
    if Y.shape != (layer_dims[-1], X.shape[1]):
        raise ValueError(f"Y has shape {Y.shape}, expected {(layer_dims[-1], X.shape[1])} "
                         f"(n⁽ᴸ⁾ = {layer_dims[-1]} outputs × m = {X.shape[1]} examples)")
    check_labels(Y, output)
    check_patience(patience, validation)
    history = {"cost": [], "accuracy": []}
    if validation is not None:
        X_val, Y_val = validation_data(validation, layer_dims, params["W1"].dtype, output)
        history |= {"val_cost": [], "val_accuracy": [], "best_epoch": None}
        best_params = None
    for epoch in range(epochs):
        # Overflow on the way to nan is reported once, below, with the epoch and advice.
        with np.errstate(over="ignore", invalid="ignore"):
            epoch_cost, epoch_accuracy = train_epoch(X, Y, params, learning_rate, hidden, output, batch_size, rng)
        history["cost"].append(epoch_cost)
        history["accuracy"].append(epoch_accuracy)
        if not math.isfinite(epoch_cost):
            raise TrainingDiverged(epoch, learning_rate, history)
        if validation is not None:
            best_params = record_validation(X_val, Y_val, params, hidden, output, history,
                                            patience is not None) or best_params
        if print_every and epoch % print_every == 0:
            val = f"  val_cost {history['val_cost'][-1]:.6f}" if validation is not None else ""
            print(f"epoch {epoch:>{len(str(epochs))}}  cost {epoch_cost:.6f}  accuracy {epoch_accuracy:.3f}{val}")
        if progress:
            print(f"\repoch {epoch + 1}/{epochs}  cost {epoch_cost:.4f}", end="", file=sys.stderr)
        if patience is not None and epoch - history["best_epoch"] >= patience:
            break
    if progress:
        print(file=sys.stderr)
    return (best_params if patience is not None else params), history


def numerical_gradients(params, X, Y, hidden="relu", output="sigmoid", eps=1e-6):
    """∂J/∂θ for every parameter θ by central differences, (J(θ + ε) − J(θ − ε)) / 2ε.

    Two forward passes per parameter: the slow, obviously correct check of backward.
    """
    grads = {}
    for key, P in params.items():
        G = np.zeros_like(P)
        for i in np.ndindex(P.shape):
            saved = P[i]
            P[i] = saved + eps
            J_plus = cost(forward(X, params, hidden, output)[0], Y, output)
            P[i] = saved - eps
            J_minus = cost(forward(X, params, hidden, output)[0], Y, output)
            P[i] = saved
            G[i] = (J_plus - J_minus) / (2 * eps)
        grads["d" + key] = G
    return grads


def relative_error(a, b):
    """‖a − b‖ / (‖a‖ + ‖b‖): about 1e-7 or less when a gradient check passes in float64."""
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    denom = np.linalg.norm(a) + np.linalg.norm(b)
    return 0.0 if denom == 0 else float(np.linalg.norm(a - b) / denom)
