"""Cost functions J(Aᴸ, Y) (Section 3.7.3). Aᴸ and Y have the same shape, n_out × m.

Each cost also has a form that starts from Z⁽ᴸ⁾, the output layer's input (its "logits"):
the same J computed without clipping, in the stable softplus / log-sum-exp form. `train` uses
it, so that a confidently wrong network or an overflow shows in the cost instead of being
clipped to −log ε ≈ 34.5.
"""
import numpy as np

from . import checks


def clip(AL):
    """Keep predictions in [ε, 1 − ε] so that log never sees 0 (log 0 = −∞).

    ε = 1e-15, or the dtype's machine epsilon when that is larger (float32), so that
    1 − ε is still below 1.
    """
    AL = checks.floats(AL, "AL")
    eps = max(1e-15, float(np.finfo(AL.dtype).eps))
    return np.clip(AL, eps, 1 - eps)


def binary_cross_entropy(AL, Y):
    """J = −(1/m) Σ [y log ŷ + (1 − y) log(1 − ŷ)], for sigmoid outputs. AL, Y: n_out × m."""
    AL, Y = checks.predictions_and_labels(AL, Y, "sigmoid")
    A = clip(AL)
    return float(-(Y * np.log(A) + (1 - Y) * np.log(1 - A)).sum() / Y.shape[1])


def categorical_cross_entropy(AL, Y):
    """J = −(1/m) Σ_examples Σ_classes y log ŷ, for softmax outputs; Y one-hot, n_classes × m."""
    AL, Y = checks.predictions_and_labels(AL, Y, "softmax")
    return float(-(Y * np.log(clip(AL))).sum() / Y.shape[1])


def binary_cross_entropy_from_logits(ZL, Y):
    """binary_cross_entropy(σ(Z⁽ᴸ⁾), Y) without clipping: ℓ = log(1 + e^(−z)) for y = 1 and
    log(1 + eᶻ) for y = 0, that is log(1 + e^((1 − 2y) z)), by np.logaddexp (no overflow)."""
    ZL, Y = checks.logits_and_labels(ZL, Y, "sigmoid")
    with np.errstate(over="ignore", under="ignore"):  # a sum beyond 1.8e308 is J = inf, reported as such
        return float(np.logaddexp(0, (1 - 2 * Y) * ZL).sum() / Y.shape[1])


def categorical_cross_entropy_from_logits(ZL, Y):
    """categorical_cross_entropy(softmax(Z⁽ᴸ⁾), Y) without clipping: ℓ = log Σ_j e^(z_j) − z_true,
    with the column's maximum subtracted first (log-sum-exp), so nothing overflows."""
    ZL, Y = checks.logits_and_labels(ZL, Y, "softmax")
    with np.errstate(over="ignore", under="ignore", invalid="ignore"):
        S = ZL - ZL.max(axis=0, keepdims=True)
        true = np.take_along_axis(S, Y.argmax(axis=0)[None, :], axis=0)
        return float((np.log(np.exp(S).sum(axis=0)) - true[0]).sum() / Y.shape[1])


# output activation → the loss it is paired with; for both pairs δᴸ = Aᴸ − Y.
LOSSES = {"sigmoid": binary_cross_entropy, "softmax": categorical_cross_entropy}
FROM_LOGITS = {"sigmoid": binary_cross_entropy_from_logits, "softmax": categorical_cross_entropy_from_logits}
