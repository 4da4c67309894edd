"""A fully connected network in the column convention of Definition 3.7.3.

X is n⁽⁰⁾ × m (one column per example), W⁽ˡ⁾ is n⁽ˡ⁾ × n⁽ˡ⁻¹⁾, b⁽ˡ⁾ is n⁽ˡ⁾ × 1, and
    Z⁽ˡ⁾ = W⁽ˡ⁾ A⁽ˡ⁻¹⁾ + b⁽ˡ⁾,   A⁽ˡ⁾ = g(Z⁽ˡ⁾),   A⁽⁰⁾ = X.
Parameters live in a dict {"W1", "b1", ..., "WL", "bL"}; gradients in {"dW1", "db1", ...}.
"""
import math
import sys

import numpy as np

from . import activations, checks
from .losses import FROM_LOGITS, LOSSES

__all__ = [
    "init_params", "count_params", "step_flops", "forward", "cost", "backward", "update",
    "train", "predict", "accuracy", "numerical_gradients", "relative_error",
    "TrainingDiverged",
]


def check_layer_dims(layer_dims, m=None):
    """At least two layer sizes, each an integer ≥ 1 (and m, if given, an integer ≥ 1)."""
    if m is not None:
        checks.positive_int(m, "m")
    return checks.layer_sizes(layer_dims)


def init_params(layer_dims, rng=None, scale=0.01, dtype=np.float64):
    """Weights W⁽ˡ⁾ = scale · N(0, 1) of shape n⁽ˡ⁾ × n⁽ˡ⁻¹⁾, drawn layer by layer; biases 0.

    scale: a positive number, "he" (√(2 / n⁽ˡ⁻¹⁾), for ReLU) or "xavier" (√(2 / (n⁽ˡ⁻¹⁾ + n⁽ˡ⁾))).
    dtype: float32 or float64. rng: an int seed ≥ 0, a Generator, a RandomState or None.
    init_params([2, 4, 1], rng=np.random.RandomState(42)) gives the original notes' weights.
    """
    layer_dims, rng, scale, dtype = checks.init_args(layer_dims, rng, scale, dtype)
    scales = {"he": lambda n_in, n_out: math.sqrt(2 / n_in),
              "xavier": lambda n_in, n_out: math.sqrt(2 / (n_in + n_out))}
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
    check_layer_dims(layer_dims, m)
    products = [n_in * n_out for n_in, n_out in zip(layer_dims, layer_dims[1:])]
    return 2 * m * (3 * sum(products) - products[0])


def num_layers(params):
    """L, after checking that params holds W1, b1, ..., WL, bL (and nothing else) with consistent
    shapes, one float dtype and finite values."""
    return checks.parameters(params)


def forward(X, params, hidden="relu", output="sigmoid"):
    """Forward propagation. Returns (Aᴸ, cache).

    X: n⁽⁰⁾ × m, checked, then converted to the parameters' dtype. The cache memoises the pass
    for backward: "A0" = X, then "Z1", "A1", ..., "ZL", "AL", and the activation names.
    """
    X, L = checks.forward_args(X, params, hidden, output)  # every argument, before any work
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
    """The cross-entropy that goes with the output activation, from the predictions Aᴸ (clipped)."""
    checks.output_name(output)
    return LOSSES[output](AL, Y)


def backward(params, cache, Y):
    """Backpropagation (Section 3.7.4), reading every Z and A from the forward pass's cache.

    δᴸ = Aᴸ − Y (sigmoid with binary, softmax with categorical cross-entropy), then
    dW⁽ˡ⁾ = δ⁽ˡ⁾ A⁽ˡ⁻¹⁾ᵀ / m,  db⁽ˡ⁾ = δ⁽ˡ⁾ 𝟏 / m,  δ⁽ˡ⁻¹⁾ = W⁽ˡ⁾ᵀ δ⁽ˡ⁾ ⊙ g′(Z⁽ˡ⁻¹⁾).
    The recursion is linear in δ, so `delta` carries δ⁽ˡ⁾ / m: the 1/m of every dW and db
    is applied once, to δᴸ (n⁽ᴸ⁾ × m), instead of to every dW⁽ˡ⁾ (n⁽ˡ⁾ × n⁽ˡ⁻¹⁾).
    Returns {"dW1", "db1", ...}, each shaped like its parameter. (∂J/∂X is not computed.)
    """
    L, Y = checks.backward_args(params, cache, Y)  # every argument; Y before it is cast
    AL = cache[f"A{L}"]
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


def update(params, grads, learning_rate):
    """Gradient descent, in place: W⁽ˡ⁾ ← W⁽ˡ⁾ − α dW⁽ˡ⁾, b⁽ˡ⁾ ← b⁽ˡ⁾ − α db⁽ˡ⁾. Returns params.

    Every gradient (key, shape, float dtype, finite values) and every parameter (writable) is
    checked before the first layer steps: an update that fails changes nothing.
    """
    L = checks.update_args(params, grads, learning_rate)
    for key in (f"{p}{l}" for l in range(1, L + 1) for p in "Wb"):
        dP = grads["d" + key]
        # α in the gradient's dtype: even a NumPy float64 α then keeps a float32 step in float32
        params[key] -= dP.dtype.type(learning_rate) * dP
    return params


def predictions(AL, output):
    """0/1 at threshold 0.5 for sigmoid outputs; the class index (shape (m,)) for softmax.
    A NaN in Aᴸ (an overflow inside the network) is an error, never a prediction of class 0."""
    if np.isnan(np.add.reduce(AL, axis=None)):
        columns = np.flatnonzero(np.isnan(AL).any(axis=0))
        raise ValueError(f"the network's output is NaN for {columns.size} of {AL.shape[1]} examples (the first: "
                         f"column {columns[0]}): its values overflowed, the inputs or weights are too large")
    return AL.argmax(axis=0) if output == "softmax" else (AL > 0.5).astype(int)


def predict(X, params, hidden="relu", output="sigmoid"):
    """Predicted labels: 0/1 (n_out × m) for a sigmoid output, class indices (m,) for softmax."""
    return predictions(forward(X, params, hidden, output)[0], output)


def accuracy(AL, Y, output="sigmoid"):
    """Fraction of correct predictions. Y has Aᴸ's shape: 0/1 labels, or one-hot columns for softmax."""
    AL, Y = checks.predictions_and_labels(AL, Y, checks.output_name(output))
    target = Y.argmax(axis=0) if output == "softmax" else Y
    return float((predictions(AL, output) == target).mean())


EXPLODED = 10  # a cost above EXPLODED × max(first epoch's cost, chance level's cost) has diverged


class TrainingDiverged(FloatingPointError):
    """The cost became nan or inf, or exploded, or the weights overflowed, at epoch `epoch`.

    history: the costs and accuracies up to and including that epoch. cause: "step" (the
    starting weights give a sensible cost, so the steps did it: use a smaller learning rate) or
    "inputs" (already the starting weights give a non-finite cost, or one EXPLODED times chance
    level's: the data or the weights are too large). params: the parameters at the start of
    epoch good_epoch, the last epoch whose cost was fine (None and None if the first epoch
    diverged or the inputs are to blame); with early stopping, those of the best epoch
    (good_epoch = history["best_epoch"] + 1). Picklable.
    """

    def __init__(self, epoch, learning_rate, history, cause="step", params=None, good_epoch=None, reason=None):
        self.epoch, self.learning_rate, self.history = epoch, learning_rate, history
        self.cause, self.params, self.good_epoch = cause, params, good_epoch
        self.reason = reason or f"cost became {history['cost'][-1]}"
        advice = (f"gradient descent diverged; try a smaller learning rate than {learning_rate}" if cause == "step"
                  else "already the starting weights give a non-finite or huge cost: the data X or the weights "
                       "are too large; scale X (e.g. to [0, 1]) or start from smaller weights")
        super().__init__(f"{self.reason} at epoch {epoch}: {advice}")

    def __reduce__(self):
        return type(self), (self.epoch, self.learning_rate, self.history, self.cause, self.params,
                            self.good_epoch, self.reason)


def check_divergence(epoch, history, params, starts, X, Y, learning_rate, hidden, output):
    """Raise TrainingDiverged if epoch's cost is not finite or exploded, or the weights overflowed.
    starts: the parameters the previous epoch and this one started from. The cause is "inputs"
    when the starting weights give a non-finite cost or a first cost EXPLODED times chance level's
    (only too large data or weights do that), "step" otherwise."""
    J, J_first = history["cost"][-1], history["cost"][0]
    chance = Y.shape[0] * math.log(2) if output == "sigmoid" else math.log(Y.shape[0])
    if not math.isfinite(J):
        reason = f"cost became {J}"
    elif J > EXPLODED * max(J_first, chance):
        reason = f"cost exploded to {J:.4g} (over {EXPLODED} × {max(J_first, chance):.4g})"
    elif not all(math.isfinite(np.vdot(P, P)) for P in params.values()):
        reason = f"weights overflowed (cost {J:.4g})"
    else:
        return
    if epoch == 0:
        with np.errstate(all="ignore"), checks.trusted():
            J_first = FROM_LOGITS[output](forward(X, starts[0], hidden, output)[1][f"Z{len(params) // 2}"], Y)
    cause = "step" if math.isfinite(J_first) and J_first <= EXPLODED * chance else "inputs"
    raise TrainingDiverged(epoch, learning_rate, history, cause, starts[-2] if epoch else None,
                           epoch - 1 if epoch else None, reason)


def batches(m, batch_size, rng):
    """Column indices of each mini-batch of one epoch, shuffled by rng; one full batch if batch_size is None."""
    if batch_size is None or batch_size >= m:
        return [slice(None)]
    order = rng.permutation(m)
    return [order[i:i + batch_size] for i in range(0, m, batch_size)]


def train_epoch(X, Y, params, learning_rate, hidden, output, batch_size, rng):
    """One pass over the data, updating params; returns the mean cost and accuracy of its batches.

    The cost is computed from Z⁽ᴸ⁾ (log-sum-exp / softplus form, unclipped), so an overflow or a
    confidently wrong network shows; the epoch stops at the first batch whose cost is not finite.
    """
    costs, accuracies, L = [], [], len(params) // 2
    for cols in batches(X.shape[1], batch_size, rng):
        AL, cache = forward(X[:, cols], params, hidden, output)
        costs.append(FROM_LOGITS[output](cache[f"Z{L}"], Y[:, cols]))
        if not math.isfinite(costs[-1]):
            return costs[-1], math.nan
        accuracies.append(accuracy(AL, Y[:, cols], output))
        update(params, backward(params, cache, Y[:, cols]), learning_rate)
    return float(np.mean(costs)), float(np.mean(accuracies))


def record_validation(X_val, Y_val, params, hidden, output, history):
    """Append the validation cost of params (from Z⁽ᴸ⁾, unclipped, like the training cost) and
    accuracy to history; True if that cost is the lowest so far (history["best_epoch"] updated)."""
    AL, cache = forward(X_val, params, hidden, output)
    J_val = FROM_LOGITS[output](cache[f"Z{len(params) // 2}"], Y_val)
    history["val_cost"].append(J_val)
    history["val_accuracy"].append(accuracy(AL, Y_val, output) if math.isfinite(J_val) else math.nan)
    best = history["best_epoch"]
    if math.isfinite(J_val) and (best is None or J_val < history["val_cost"][best]):
        history["best_epoch"] = len(history["val_cost"]) - 1
        return True
    return False


def train(X, Y, layer_dims, learning_rate, epochs, hidden="relu", output="sigmoid",
          rng=None, scale=0.01, dtype=np.float64, params=None, batch_size=None,
          print_every=None, progress=False, validation=None, patience=None):
    """Gradient descent (Section 3.7.5): forward, cost, backward, update, for each mini-batch.

    Starts from init_params(layer_dims, rng, scale, dtype), or from a copy of `params`.
    batch_size=None uses all m examples in every step; otherwise each epoch shuffles the
    columns with rng. history["cost"][i] and history["accuracy"][i] are epoch i's mean over
    its batches, each computed before that batch's update; the cost from Z⁽ᴸ⁾, unclipped.
    print_every=k prints them every k epochs; progress=True shows a progress line on stderr.
    validation=(X_val, Y_val) (n⁽⁰⁾ × m_val, n⁽ᴸ⁾ × m_val) adds history["val_cost"][i] and
    history["val_accuracy"][i], measured after epoch i, and history["best_epoch"], the epoch of
    the lowest validation cost. patience=k stops early, after k epochs without a lower
    validation cost, and returns the parameters of the best epoch (otherwise: of the last).
    The validation cost, like the training cost, is computed from Z⁽ᴸ⁾; cost[i] is measured
    during epoch i (before each batch's update), val_cost[i] after it.
    Returns (params, history). Every argument is checked before any work. A cost that is not
    finite or explodes (EXPLODED times the first epoch's or chance level's), or weights that
    overflow, raise TrainingDiverged in that epoch, with its cause and the last good parameters
    (X, Y and a given params are never changed; a Generator given as rng has advanced).
    """
    X, Y, rng, layer_dims = checks.train_args(X, Y, layer_dims, learning_rate, epochs, hidden, output, rng,
                                              scale, dtype, params, batch_size, print_every, progress)
    X_val, Y_val = checks.validation_args(validation, patience, layer_dims, X.dtype, output)
    if params is None:
        params = init_params(layer_dims, rng, scale, dtype)
    else:
        params = {key: np.array(value) for key, value in params.items()}
    history = {"cost": [], "accuracy": []}
    if validation is not None:
        history |= {"val_cost": [], "val_accuracy": [], "best_epoch": None}
    best_params = None  # with patience: a copy of the best epoch's parameters
    starts = [{key: P.copy() for key, P in params.items()}]  # what the last two epochs started from
    for epoch in range(epochs):
        # Overflow on the way to nan is reported once, below, with the epoch and its cause.
        with np.errstate(over="ignore", invalid="ignore", under="ignore"), checks.trusted():
            epoch_cost, epoch_accuracy = train_epoch(X, Y, params, learning_rate, hidden, output, batch_size, rng)
        history["cost"].append(epoch_cost)
        history["accuracy"].append(epoch_accuracy)
        try:
            check_divergence(epoch, history, params, starts, X, Y, learning_rate, hidden, output)
        except TrainingDiverged as error:  # with early stopping, the best epoch's parameters
            if best_params is not None:
                error.params, error.good_epoch = best_params, history["best_epoch"] + 1
            raise
        starts = [starts[-1], {key: P.copy() for key, P in params.items()}]
        if validation is not None:
            with np.errstate(over="ignore", invalid="ignore", under="ignore"), checks.trusted():
                if record_validation(X_val, Y_val, params, hidden, output, history) and patience is not None:
                    best_params = starts[-1]
            if not math.isfinite(history["val_cost"][-1]):
                raise TrainingDiverged(epoch, learning_rate, history, "inputs",
                                       reason=f"validation cost became {history['val_cost'][-1]}")
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


EPS = 1e-5  # the step of numerical_gradients, where round-off and truncation error balance (measured)


def numerical_gradients(params, X, Y, hidden="relu", output="sigmoid", eps=EPS):
    """∂J/∂θ for every parameter θ by central differences, (J(θ + ε) − J(θ − ε)) / 2ε.

    Two forward passes per parameter: the slow, obviously correct check of backward. It works on
    a float64 copy of params (params itself is never changed, even by a call that fails) and
    differentiates the unclipped cost computed from Z⁽ᴸ⁾, the J whose gradient backward computes.
    Returns {"dW1", "db1", ...}, float64 arrays shaped like the parameters.

    When to trust it. The difference quotient has two errors: round-off in J(θ ± ε), about
    u·|J| / ε (u ≈ 1.1e-16 in float64), and truncation, about ε²·|∂³J/∂θ³| / 6. They balance
    near ε = 1e-5, the default: on the test suite's networks (J ≈ 0.5 to 3) the largest error of
    any entry was 7e-11 with ε = 1e-5, against 5e-10 with ε = 1e-6 and 5e-9 with ε = 1e-4. An
    absolute error of about 1e-10 means: relative_error(backward, numerical) < 1e-7 is a sound
    test for gradients of size about 1e-3 and larger; for smaller gradients (tiny initial
    weights, say) compare the absolute difference with about 1e-10 · max(1, |J|) instead.
    At a kink of relu or leaky_relu (a pre-activation within ε of 0) the quotient straddles the
    kink and agrees with neither one-sided derivative, however correct backward is: check at
    points whose pre-activations are all farther than ε from 0.
    """
    checks.gradient_check_args(params, X, Y, hidden, output, eps)  # every argument, before any work
    P64 = {key: P.astype(np.float64) for key, P in params.items()}  # params itself is never touched
    X, Y = np.asarray(X, dtype=np.float64), np.asarray(Y, dtype=np.float64)
    J, L = FROM_LOGITS[output], len(P64) // 2
    grads = {}
    with checks.trusted():
        for key, P in P64.items():
            G = np.zeros_like(P)
            for i in np.ndindex(P.shape):
                saved = P[i]
                P[i] = saved + eps
                J_plus = J(forward(X, P64, hidden, output)[1][f"Z{L}"], Y)
                P[i] = saved - eps
                J_minus = J(forward(X, P64, hidden, output)[1][f"Z{L}"], Y)
                P[i] = saved
                G[i] = (J_plus - J_minus) / (2 * eps)
            grads["d" + key] = G
    return grads


def relative_error(a, b):
    """‖a − b‖ / (‖a‖ + ‖b‖) for two finite arrays of the same shape (never broadcast); 0 when both are 0.

    A correct gradient check in float64 gives about 1e-7 or less when the gradients are of size
    1e-3 or more; for smaller gradients and at kinks, see numerical_gradients.
    """
    a, b = checks.same_shape(a, b)
    scale = max(np.abs(a).max(initial=0), np.abs(b).max(initial=0))  # divided out: no overflow at 1e308
    if scale == 0:
        return 0.0
    with np.errstate(under="ignore"):
        a, b = a / scale, b / scale
        return float(np.linalg.norm(a - b) / (np.linalg.norm(a) + np.linalg.norm(b)))
