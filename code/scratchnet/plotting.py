"""Figures for the book. Every function draws on `ax` (a new figure if None), gives it a
title and labelled axes, and returns the axes."""
import matplotlib.pyplot as plt
import numpy as np

from . import activations, checks
from .network import forward, predictions
from .style import PALETTE


def axes(ax, title, xlabel, ylabel, figsize=None):
    checks.plot_axes(ax)
    if ax is None:
        ax = plt.figure(figsize=figsize).add_subplot()
    ax.set(title=title, xlabel=xlabel, ylabel=ylabel)
    return ax


def plot_activation(name, z=None, ax=None):
    """g(z) and g′(z) of an elementwise activation, over z in [−5, 5] by default."""
    z = checks.plot_activation_args(name, z, ax)
    g, g_prime = activations.get(name)
    ax = axes(ax, f"{name} and its derivative", "z", "value")
    Z = z[None, :]
    ax.plot(z, g(Z)[0], label=f"{name}(z)")
    ax.plot(z, g_prime(Z)[0], "--", label=f"{name}′(z)")
    ax.axhline(0, color="gray", lw=0.5)
    ax.axvline(0, color="gray", lw=0.5)
    ax.legend()
    return ax


def plot_history(history, ax=None, label=None, title="Cost during training"):
    """The cost per epoch (log scale when it spans more than a factor of ten). A diverged run's
    history (from TrainingDiverged) may end in nan or inf: only its finite costs are drawn."""
    cost = checks.history_costs(history, ax)
    ax = axes(ax, title, "epoch", "cost J")
    ax.plot(cost, label=label)
    cost = cost[np.isfinite(cost)]
    if cost.size and np.all(cost > 0) and cost.max() > 10 * cost.min():
        ax.set_yscale("log")
    if label is not None:
        ax.legend()
    return ax


def plot_decision_boundary(X, Y, params, hidden="relu", output="sigmoid", ax=None, title="Decision boundary"):
    """The class the network predicts over the plane, with the data points on top. X: 2 × m."""
    X, Y = checks.decision_boundary_args(X, Y, params, hidden, output, ax)
    ax = axes(ax, title, "$x_1$", "$x_2$", figsize=(4.5, 4.5))
    pad = 0.5
    x1, x2 = np.meshgrid(np.linspace(X[0].min() - pad, X[0].max() + pad, 300),
                         np.linspace(X[1].min() - pad, X[1].max() + pad, 300))
    grid = np.vstack([x1.ravel(), x2.ravel()]).astype(params["W1"].dtype)
    classes = predictions(forward(grid, params, hidden, output)[0], output).reshape(x1.shape)
    labels = Y.argmax(axis=0) if output == "softmax" else Y[0]
    ax.contourf(x1, x2, classes, alpha=0.3, cmap="coolwarm", levels=np.arange(classes.max() + 2) - 0.5)
    ax.scatter(X[0], X[1], c=labels, cmap="coolwarm", edgecolors="k", s=20)
    return ax


def draw_network(layer_dims, ax=None, title=None):
    """A diagram of a fully connected network: one column of neurons per layer, every edge drawn."""
    layer_dims = checks.draw_network_args(layer_dims, ax, title)
    ax = axes(ax, title or f"A {'-'.join(map(str, layer_dims))} network", "", "",
              figsize=(1.1 * len(layer_dims) + 0.4, 3.4))
    L = len(layer_dims) - 1
    ys = [np.linspace(-(n - 1) / 2, (n - 1) / 2, n) for n in layer_dims]
    for l in range(L):
        for y0 in ys[l]:
            for y1 in ys[l + 1]:
                ax.plot([l, l + 1], [y0, y1], color="gray", lw=0.6, zorder=1)
    for l, y in enumerate(ys):
        color = PALETTE["green"] if l == 0 else PALETTE["vermillion"] if l == L else PALETTE["blue"]
        ax.scatter(np.full_like(y, l), y, s=500, color=color, edgecolors="k", zorder=2)
        name = "input" if l == 0 else "output" if l == L else "hidden"
        ax.text(l, ys[np.argmax(layer_dims)].min() - 0.9, f"layer {l}\n{name}\n$n^{{({l})}} = {layer_dims[l]}$",
                ha="center", va="top")
    ax.set_xlim(-0.6, L + 0.6)
    ax.set_ylim(min(y.min() for y in ys) - 2.2, max(y.max() for y in ys) + 0.7)
    ax.axis("off")
    return ax
