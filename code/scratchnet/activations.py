"""Activation functions g and their derivatives g′ (Section 3.7.2), in one table.

Every function takes Z of shape n × m (one column per example) and returns an array of
the same shape and dtype. All are elementwise except softmax, which normalises each
column; its derivative is therefore a Jacobian per column, of shape n × n × m.
Z may be a list or an int array (it is converted to float64); ±inf give the limits and a
NaN stays NaN. No function warns or raises on underflow, even under np.seterr(all="raise").
"""
import numpy as np

from . import checks

LEAKY_SLOPE = 0.01


def step(Z):
    """Binary step: 1 where z ≥ 0, else 0."""
    Z = checks.pre_activation(Z)
    return (Z >= 0).astype(Z.dtype)


def step_prime(Z):
    """0 everywhere (undefined at 0): the step gives gradient descent nothing to follow."""
    Z = checks.pre_activation(Z)
    return np.zeros_like(Z)


def relu(Z):
    """max(0, z)."""
    Z = checks.pre_activation(Z)
    return np.maximum(Z, 0)


def relu_prime(Z):
    """1 where z > 0, else 0 (we take 0 at the kink z = 0)."""
    Z = checks.pre_activation(Z)
    return (Z > 0).astype(Z.dtype)


def leaky_relu(Z):
    """z where z > 0, else 0.01 z; that is max(z, 0.01 z), since 0.01 < 1."""
    Z = checks.pre_activation(Z)
    with np.errstate(under="ignore"):
        return np.maximum(Z, LEAKY_SLOPE * Z)


def leaky_relu_prime(Z):
    """1 where z > 0, else 0.01."""
    Z = checks.pre_activation(Z)
    return LEAKY_SLOPE + (1 - LEAKY_SLOPE) * (Z > 0).astype(Z.dtype)


def sigmoid(Z):
    """1 / (1 + e⁻ᶻ), computed stably as e^min(z, 0) / (1 + e^(−|z|)): both exponents are ≤ 0,
    so nothing overflows. For z ≥ 0 this is 1 / (1 + e⁻ᶻ); for z < 0 the equal eᶻ / (1 + eᶻ).
    """
    Z = checks.pre_activation(Z)
    with np.errstate(under="ignore"):  # e^(−|z|) rounds to 0 for |z| > 745: the right answer
        return np.exp(np.minimum(Z, 0)) / (1 + np.exp(-np.abs(Z)))


def sigmoid_prime(Z):
    """σ(z) (1 − σ(z))."""
    Z = checks.pre_activation(Z)
    S = sigmoid(Z)
    with np.errstate(under="ignore"):
        return S * (1 - S)


def tanh(Z):
    """Hyperbolic tangent."""
    Z = checks.pre_activation(Z)
    return np.tanh(Z)


def tanh_prime(Z):
    """1 − tanh²(z)."""
    Z = checks.pre_activation(Z)
    with np.errstate(under="ignore"):
        return 1 - np.tanh(Z) ** 2


def softmax(Z):
    """e^(z_i) / Σ_j e^(z_j) over each column. Subtracting the column's maximum first
    changes nothing mathematically and keeps every exponent ≤ 0, so nothing overflows.
    The maximum itself gets exponent 0, also when it is +inf: a column holding +inf gives
    the limit, 1 on its +inf entries (shared equally if there are several), 0 elsewhere."""
    Z = checks.pre_activation(Z)
    M = Z.max(axis=0, keepdims=True)
    with np.errstate(all="ignore"):  # z − max may be −∞ (a span over 1.8e308): e^(−∞) = 0
        E = np.exp(np.where(Z == M, 0, Z - M))  # the maximum gets e^0 = 1, also when it is +∞
        return E / E.sum(axis=0, keepdims=True)


def softmax_prime(Z):
    """Jacobian of softmax for each column: J[j, k, i] = ∂s_j/∂z_k = s_j ([j = k] − s_k) for
    example i, where [j = k] is 1 if j = k and 0 otherwise (an Iverson bracket).

    Shape n × n × m. Never needed in training: with cross-entropy, δ = A − Y.
    """
    S = softmax(Z)
    n = S.shape[0]
    with np.errstate(under="ignore"):
        return np.eye(n, dtype=S.dtype)[:, :, None] * S[:, None, :] - S[:, None, :] * S[None, :, :]


# name → (g, g′). Everything else looks activations up here, by name.
ACTIVATIONS = {
    "step": (step, step_prime),
    "relu": (relu, relu_prime),
    "leaky_relu": (leaky_relu, leaky_relu_prime),
    "sigmoid": (sigmoid, sigmoid_prime),
    "tanh": (tanh, tanh_prime),
    "softmax": (softmax, softmax_prime),
}

# Activations whose derivative is elementwise, so δ⁽ˡ⁾ = (W⁽ˡ⁺¹⁾)ᵀ δ⁽ˡ⁺¹⁾ ⊙ g′(Z⁽ˡ⁾) applies.
HIDDEN = ("step", "relu", "leaky_relu", "sigmoid", "tanh")


def get(name):
    """(g, g′) for an activation name; a clear error listing the known names otherwise."""
    try:
        return ACTIVATIONS[name]
    except (KeyError, TypeError):
        raise ValueError(
            f"unknown activation {name!r}; known activations: {', '.join(ACTIVATIONS)}"
        ) from None
