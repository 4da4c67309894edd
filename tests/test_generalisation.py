"""train's validation history and early stopping, and the per-layer diagnostics (chapter 3.7.7)."""
import pickle
import re

import numpy as np
import pytest

import scratchnet as sn


def split(m=120, seed=0):
    X, Y = sn.data.moons(m, noise=0.3, rng=seed)
    return (X[:, :40], Y[:, :40]), (X[:, 40:], Y[:, 40:])


def overfitting_run(**options):
    (X, Y), validation = split()
    return sn.train(X, Y, [2, 32, 32, 1], 0.2, 400, rng=1, scale="he", validation=validation, **options)


def test_validation_history_measures_each_epochs_params():
    (X, Y), (X_val, Y_val) = split()
    _, history = sn.train(X, Y, [2, 8, 1], 0.3, 5, rng=2, scale="he", validation=(X_val, Y_val))
    assert len(history["val_cost"]) == len(history["val_accuracy"]) == len(history["cost"]) == 5
    # the same 5 epochs, one at a time: val_cost[i] is the cost of the params after epoch i
    params = sn.init_params([2, 8, 1], rng=np.random.default_rng(2), scale="he")
    for epoch in range(5):
        params, _ = sn.train(X, Y, [2, 8, 1], 0.3, 1, params=params)
        AL = sn.forward(X_val, params)[0]
        assert history["val_cost"][epoch] == pytest.approx(sn.cost(AL, Y_val))
        assert history["val_accuracy"][epoch] == pytest.approx(sn.accuracy(AL, Y_val))
    assert history["best_epoch"] == int(np.argmin(history["val_cost"]))


def test_without_validation_the_history_is_unchanged():
    (X, Y), _ = split()
    _, history = sn.train(X, Y, [2, 4, 1], 0.1, 3, rng=0)
    assert sorted(history) == ["accuracy", "cost"]


def test_this_run_overfits():
    """The data for the early-stopping tests: the validation cost has a minimum well before the end."""
    _, history = overfitting_run()
    best = history["best_epoch"]
    assert 10 < best < 300 and history["val_cost"][-1] > 1.2 * history["val_cost"][best]
    assert history["cost"][-1] < history["cost"][best]


def test_early_stopping_returns_the_best_epochs_params():
    _, full = overfitting_run()
    params, history = overfitting_run(patience=25)
    best = history["best_epoch"]
    assert best == full["best_epoch"]                         # same run, same epochs until it stops
    assert len(history["cost"]) == best + 25 + 1              # stopped after 25 epochs without improvement
    assert history["val_cost"] == full["val_cost"][:best + 26]
    (_, _), (X_val, Y_val) = split()
    assert sn.cost(sn.forward(X_val, params)[0], Y_val) == pytest.approx(history["val_cost"][best])
    # they are the params after epoch `best`: training best + 1 epochs from the start gives them
    (X, Y), _ = split()
    again, _ = sn.train(X, Y, [2, 32, 32, 1], 0.2, best + 1, rng=1, scale="he")
    assert all(np.array_equal(params[key], again[key]) for key in again)


def test_patience_longer_than_training_keeps_the_best():
    params, history = overfitting_run(patience=1000)
    assert len(history["cost"]) == 400
    (_, _), (X_val, Y_val) = split()
    assert sn.cost(sn.forward(X_val, params)[0], Y_val) == pytest.approx(min(history["val_cost"]))


@pytest.mark.parametrize("validation, error, message", [
    ("data", TypeError, "validation must be a pair"),
    ((np.zeros((2, 5)),), TypeError, "validation must be a pair"),
    ((np.zeros((3, 5)), np.zeros((1, 5))), ValueError, "X_val has shape (3, 5), expected 2 rows"),
    ((np.zeros((2, 0)), np.zeros((1, 0))), ValueError, "X_val has shape (2, 0)"),
    ((np.zeros((2, 5)), np.zeros((1, 4))), ValueError, "Y_val has shape (1, 4), expected (1, 5)"),
    ((np.zeros((2, 5)), np.full((1, 5), 0.5)), ValueError, "labels must be 0 or 1, found 0.5"),
    ((np.full((2, 5), np.nan), np.zeros((1, 5))), ValueError, "X_val"),
])
def test_bad_validation_data(validation, error, message):
    (X, Y), _ = split()
    with pytest.raises(error, match=re.escape(message)):
        sn.train(X, Y, [2, 3, 1], 0.1, 2, validation=validation)


def test_validation_labels_must_fit_a_softmax_output():
    X, Y = sn.data.spirals(60, k=3)
    bad = Y[:, :20].copy()
    bad[:, 0] = 0
    with pytest.raises(ValueError, match="one-hot"):
        sn.train(X, Y, [2, 5, 3], 0.1, 2, output="softmax", validation=(X[:, :20], bad))


@pytest.mark.parametrize("patience", [0, -3, 2.5, True, "5"])
def test_bad_patience(patience):
    (X, Y), validation = split()
    with pytest.raises(ValueError, match="patience must be an integer ≥ 1"):
        sn.train(X, Y, [2, 3, 1], 0.1, 2, validation=validation, patience=patience)


def test_patience_needs_validation():
    (X, Y), _ = split()
    with pytest.raises(ValueError, match=r"patience \(early stopping\) needs validation"):
        sn.train(X, Y, [2, 3, 1], 0.1, 2, patience=5)


# --- diagnostics -------------------------------------------------------------------------

def test_deltas_by_hand():
    """A 1-2-1 network, ReLU hidden layer, sigmoid output, two examples, computed by hand:
    Z1 = W1 x: columns (1, -2) and (2, -4) for x = 1, 2; A1 = relu: (1, 0) and (2, 0);
    Z2 = 1·A1₁ + 3·A1₂ = 1 and 2; δ2 = (σ(Z2) − y) / 2; δ1 = W2ᵀ δ2 ⊙ [Z1 > 0]."""
    params = {"W1": np.array([[1.0], [-2.0]]), "b1": np.zeros((2, 1)),
              "W2": np.array([[1.0, 3.0]]), "b2": np.zeros((1, 1))}
    X, Y = np.array([[1.0, 2.0]]), np.array([[0.0, 1.0]])
    s1, s2 = 1 / (1 + np.exp(-1.0)), 1 / (1 + np.exp(-2.0))
    d2 = np.array([[s1 - 0, s2 - 1]]) / 2
    d1 = np.array([[d2[0, 0], d2[0, 1]], [0.0, 0.0]])       # second neuron inactive: g′ = 0
    _, cache = sn.forward(X, params)
    found = sn.deltas(params, cache, Y)
    assert [d.shape for d in found] == [(2, 2), (1, 2)]
    assert np.allclose(found[1], d2) and np.allclose(found[0], d1)
    norms = sn.layer_norms(params, X, Y)
    assert np.allclose(norms["delta"], [np.sqrt((d1 ** 2).sum()), np.sqrt((d2 ** 2).sum())])
    dW1 = d1 @ X.T                                          # ∂J/∂W1 = δ1 A0ᵀ
    dW2 = d2 @ np.array([[1.0, 2.0], [0.0, 0.0]]).T
    assert np.allclose(norms["dW"], [np.linalg.norm(dW1), np.linalg.norm(dW2)])
    assert np.allclose(norms["A_std"], [np.std([1.0, 2.0, 0.0, 0.0]), np.std([s1, s2])])


@pytest.mark.parametrize("hidden, output, n_out", [("tanh", "sigmoid", 1), ("sigmoid", "softmax", 3),
                                                   ("leaky_relu", "sigmoid", 2)])
def test_deltas_give_backwards_gradients(hidden, output, n_out):
    rng = np.random.default_rng(4)
    params = sn.init_params([3, 5, 4, n_out], rng=rng, scale=0.7)
    X = rng.normal(size=(3, 6))
    Y = sn.data.one_hot(rng.integers(0, 3, 6), 3) if output == "softmax" else rng.integers(0, 2, (n_out, 6)).astype(float)
    _, cache = sn.forward(X, params, hidden, output)
    grads = sn.backward(params, cache, Y)
    for l, delta in enumerate(sn.deltas(params, cache, Y), start=1):
        assert np.allclose(delta @ cache[f"A{l - 1}"].T, grads[f"dW{l}"])
        assert np.allclose(delta.sum(axis=1, keepdims=True), grads[f"db{l}"])


def test_deltas_check_their_input():
    params = sn.init_params([2, 3, 1], rng=0)
    _, cache = sn.forward(np.ones((2, 4)), params)
    with pytest.raises(ValueError, match=r"Y has shape \(1, 3\) but the output"):
        sn.deltas(params, cache, np.ones((1, 3)))
    with pytest.raises(ValueError, match="X has shape"):
        sn.layer_norms(params, np.ones((3, 4)), np.ones((1, 4)))


# --- validation and divergence -------------------------------------------------------------

def test_validation_without_patience_returns_the_last_epochs_params():
    (X, Y), validation = split()
    params, history = sn.train(X, Y, [2, 32, 32, 1], 0.2, 400, rng=1, scale="he", validation=validation)
    again, _ = sn.train(X, Y, [2, 32, 32, 1], 0.2, 400, rng=1, scale="he")
    assert history["best_epoch"] < 399  # this run overfits: the best epoch is not the last
    assert all(np.array_equal(params[key], again[key]) for key in again)


def test_a_validation_set_that_overflows_is_reported_and_changes_nothing():
    (X, Y), _ = split()
    X_val = np.array([[1e308, -1e308], [1e308, 1e308]])
    Y_val = np.array([[1.0, 0.0]])
    given = [a.copy() for a in (X, Y, X_val, Y_val)]
    with pytest.raises(sn.TrainingDiverged, match=r"validation cost became (inf|nan) at epoch 0") as caught:
        sn.train(X, Y, [2, 4, 4, 1], 0.1, 5, rng=0, scale="he", validation=(X_val, Y_val), patience=2)
    assert caught.value.cause == "inputs" and caught.value.params is None
    assert all(np.array_equal(a, b) for a, b in zip(given, (X, Y, X_val, Y_val)))


def test_a_diverged_run_with_early_stopping_carries_its_best_epochs_params():
    X, Y = sn.data.moons(80, noise=0.2, rng=0)
    with pytest.raises(sn.TrainingDiverged) as caught:
        sn.train(X, Y, [2, 16, 16, 1], 6.0, 300, rng=1, scale="he", validation=(X, Y), patience=50)
    error, best = caught.value, caught.value.history["best_epoch"]
    assert best is not None and error.good_epoch == best + 1 < error.epoch
    # the params after epoch `best`: training best + 1 epochs from the start gives them
    again, _ = sn.train(X, Y, [2, 16, 16, 1], 6.0, best + 1, rng=1, scale="he")
    assert all(np.array_equal(error.params[key], again[key]) for key in again)
    assert pickle.loads(pickle.dumps(error)).good_epoch == best + 1
