"""Small synthetic data sets, made on the fly from a seed (no downloads).

Every function returns (X, Y) in the column convention: X is 2 × m; Y is 1 × m with
0/1 labels for two classes, or one-hot k × m for k > 2 classes.
"""
import numpy as np

from . import checks


def one_hot(labels, k):
    """Class indices of shape (m,) → one-hot Y of shape k × m (k ≥ 2 classes, m ≥ 1)."""
    labels = checks.class_indices(labels, k)
    return np.eye(k)[:, labels]


def xor():
    """The four corners of the unit square, labelled x₁ XOR x₂ (0, 1, 1, 0): not linearly separable."""
    X = np.array([[0.0, 0.0, 1.0, 1.0], [0.0, 1.0, 0.0, 1.0]])
    return X, np.array([[0.0, 1.0, 1.0, 0.0]])


def labels_for(classes, k):
    """0/1 row for two classes, one-hot otherwise."""
    classes = checks.class_indices(classes, k)
    return classes[None, :].astype(float) if k == 2 else one_hot(classes, k)


def moons(m=200, noise=0.1, rng=0):
    """Two interleaving half circles, m points (m // 2 per class)."""
    rng = checks.data_args(m, noise, rng)
    classes = np.arange(m) % 2
    t = rng.uniform(0, np.pi, m)
    X = np.where(classes == 0, [np.cos(t), np.sin(t)], [1 - np.cos(t), 0.5 - np.sin(t)])
    return X + noise * rng.standard_normal(X.shape), labels_for(classes, 2)


def circles(m=200, noise=0.05, factor=0.5, rng=0):
    """Two concentric circles: class 1 inside, of radius `factor` (0 ≤ factor < 1); class 0 outside, radius 1."""
    rng = checks.data_args(m, noise, rng, factor=factor)
    classes = np.arange(m) % 2
    t = rng.uniform(0, 2 * np.pi, m)
    r = np.where(classes == 1, factor, 1.0)
    X = r * np.array([np.cos(t), np.sin(t)])
    return X + noise * rng.standard_normal(X.shape), labels_for(classes, 2)


def spirals(m=300, k=3, noise=0.2, rng=0):
    """k interleaved spiral arms, one class each, m points in all (m ≥ k ≥ 2)."""
    rng = checks.data_args(m, noise, rng, k=k)
    classes = np.arange(m) % k
    r = rng.uniform(0.05, 1, m)
    t = 4 * r + 2 * np.pi * classes / k + noise * rng.standard_normal(m)
    X = r * np.array([np.sin(t), np.cos(t)])
    return X, labels_for(classes, k)
