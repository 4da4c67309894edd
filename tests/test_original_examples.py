"""The original notes' examples, run through the package, against independent computations."""
import numpy as np
import pytest
import torch

import scratchnet as sn

X = np.array([[1.0, 2.0, -1.0], [3.0, -1.0, 2.0]])
Y = np.array([[1.0, 0.0, 1.0]])
FIXED = {"W1": np.array([[0.1, -0.2], [0.4, 0.5], [-0.3, 0.2], [0.1, -0.5]]), "b1": np.zeros((4, 1)),
         "W2": np.array([[0.3, -0.1, 0.2, 0.4]]), "b2": np.zeros((1, 1))}


def test_example_3_7_1_forward_pass_by_hand():
    params = sn.init_params([2, 4, 1], rng=np.random.RandomState(42))
    AL, cache = sn.forward(X, params)
    A1 = np.maximum(params["W1"] @ X, 0)
    np.testing.assert_allclose(cache["A1"], A1)
    np.testing.assert_allclose(AL, 1 / (1 + np.exp(-(params["W2"] @ A1))))
    assert AL.shape == (1, 3) and np.all((0 < AL) & (AL < 1))   # a probability (defect 1 fixed)


def test_fixed_weights_gradients_equal_autograd():
    AL, cache = sn.forward(X, FIXED)
    grads = sn.backward(FIXED, cache, Y)
    P = {k: torch.tensor(v, requires_grad=True) for k, v in FIXED.items()}
    A2 = torch.sigmoid(P["W2"] @ torch.relu(P["W1"] @ torch.tensor(X) + P["b1"]) + P["b2"])
    torch.nn.functional.binary_cross_entropy(A2, torch.tensor(Y)).backward()
    for k in FIXED:
        np.testing.assert_allclose(grads["d" + k], P[k].grad.numpy(), atol=1e-15, rtol=1e-12)


def test_one_update_step_lowers_the_cost():
    params = sn.init_params([2, 4, 1], rng=np.random.RandomState(42))
    AL, cache = sn.forward(X, params)
    before = sn.cost(AL, Y)
    sn.update(params, sn.backward(params, cache, Y), 0.1)
    after = sn.cost(sn.forward(X, params)[0], Y)
    assert after < before == pytest.approx(np.log(2), abs=1e-3)
