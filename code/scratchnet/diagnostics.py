"""How large the signals in a network are, layer by layer: a look inside one training step.

Column convention: X is n⁽⁰⁾ × m and Y is n⁽ᴸ⁾ × m, one column per example. δ⁽ˡ⁾ is the layer
error ∂J/∂Z⁽ˡ⁾ of the mean cost J, an n⁽ˡ⁾ × m array: δ⁽ᴸ⁾ = (Aᴸ − Y) / m, then
    δ⁽ˡ⁾ = (W⁽ˡ⁺¹⁾)ᵀ δ⁽ˡ⁺¹⁾ ⊙ g′(Z⁽ˡ⁾),
so that ∂J/∂W⁽ˡ⁾ = δ⁽ˡ⁾ A⁽ˡ⁻¹⁾ᵀ (the 1/m is inside δ, as in `backward`).
"""
import numpy as np

from . import activations, checks
from .network import backward, forward, num_layers

__all__ = ["deltas", "layer_norms"]


def deltas(params, cache, Y):
    """[δ⁽¹⁾, ..., δ⁽ᴸ⁾], δ⁽ˡ⁾ = ∂J/∂Z⁽ˡ⁾ of shape n⁽ˡ⁾ × m, from a forward pass's cache."""
    L, Y = checks.backward_args(params, cache, Y)  # every argument; Y before it is cast
    AL = cache[f"A{L}"]
    g_prime = activations.get(cache["hidden"])[1]
    delta = (AL - Y) / Y.shape[1]
    found = [delta]
    for l in range(L, 1, -1):
        delta = (params[f"W{l}"].T @ delta) * g_prime(cache[f"Z{l - 1}"])
        found.append(delta)
    return found[::-1]


def layer_norms(params, X, Y, hidden="relu", output="sigmoid"):
    """Sizes per layer l = 1..L of one forward and backward pass on X (n⁽⁰⁾ × m), Y (n⁽ᴸ⁾ × m).

    Returns a dict of arrays of shape (L,):
    "delta": ‖δ⁽ˡ⁾‖ (Frobenius norm of the n⁽ˡ⁾ × m array ∂J/∂Z⁽ˡ⁾),
    "dW": ‖∂J/∂W⁽ˡ⁾‖ (Frobenius), from `backward`,
    "A_std": the standard deviation of the n⁽ˡ⁾ × m entries of A⁽ˡ⁾.
    """
    _, cache = forward(X, params, hidden, output)
    L = num_layers(params)
    grads = backward(params, cache, Y)
    return {"delta": np.array([np.linalg.norm(d) for d in deltas(params, cache, Y)]),
            "dW": np.array([np.linalg.norm(grads[f"dW{l}"]) for l in range(1, L + 1)]),
            "A_std": np.array([cache[f"A{l}"].std() for l in range(1, L + 1)])}
