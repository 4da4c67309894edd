"""Cost functions J(Aᴸ, Y) (Section 3.7.3). Aᴸ and Y have the same shape, n_out × m."""
import numpy as np


def clip(AL):
    """Keep predictions in [ε, 1 − ε] so that log never sees 0 (log 0 = −∞).

    ε = 1e-15, or the dtype's machine epsilon when that is larger (float32), so that
    1 − ε is still below 1.
    """
    eps = max(1e-15, float(np.finfo(AL.dtype).eps))
    return np.clip(AL, eps, 1 - eps)


def check_targets(AL, Y, output):
    """Y must match Aᴸ's shape and hold valid labels for the output (see check_labels)."""
    if Y.shape != AL.shape:
        raise ValueError(f"Y has shape {Y.shape} but the output Aᴸ has shape {AL.shape}")
    check_labels(Y, output)


def check_labels(Y, output):
    """0/1 labels for a "sigmoid" output, one-hot columns for "softmax"; ValueError otherwise."""
    is_label = (Y == 0) | (Y == 1)
    if not is_label.all():
        bad = np.unique(Y[~is_label])[:5]
        raise ValueError(f"labels must be 0 or 1, found {', '.join(f'{v:g}' for v in bad)}")
    if output == "softmax" and not (Y.sum(axis=0) == 1).all():
        cols = np.flatnonzero(Y.sum(axis=0) != 1)[:5]
        raise ValueError(f"Y's columns must be one-hot (a single 1), columns {cols.tolist()} are not")


def binary_cross_entropy(AL, Y):
    """J = −(1/m) Σ [y log ŷ + (1 − y) log(1 − ŷ)], for sigmoid outputs. AL, Y: n_out × m."""
    AL, Y = np.asarray(AL), np.asarray(Y)
    check_targets(AL, Y, "sigmoid")
    A = clip(AL)
    return float(-(Y * np.log(A) + (1 - Y) * np.log(1 - A)).sum() / Y.shape[1])


def categorical_cross_entropy(AL, Y):
    """J = −(1/m) Σ_examples Σ_classes y log ŷ, for softmax outputs; Y one-hot, n_classes × m."""
    AL, Y = np.asarray(AL), np.asarray(Y)
    check_targets(AL, Y, "softmax")
    return float(-(Y * np.log(clip(AL))).sum() / Y.shape[1])


# output activation → the loss it is paired with; for both pairs δᴸ = Aᴸ − Y.
LOSSES = {"sigmoid": binary_cross_entropy, "softmax": categorical_cross_entropy}
