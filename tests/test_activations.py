"""Every activation's derivative against central differences, and stability at ±1000."""
import numpy as np
import pytest

from scratchnet import activations
from scratchnet.activations import ACTIVATIONS, HIDDEN, softmax, softmax_prime

H = 1e-6
# A grid from −1000 to 1000 that includes extreme and ordinary values but keeps clear of the
# kinks at 0 (relu, leaky_relu, step), where the derivative is not defined.
GRID = np.concatenate([-np.logspace(-3, 3, 40), np.logspace(-3, 3, 40)])[None, :]


@pytest.mark.parametrize("name", HIDDEN)
def test_derivative_matches_central_differences(name):
    g, g_prime = ACTIVATIONS[name]
    numeric = (g(GRID + H) - g(GRID - H)) / (2 * H)
    np.testing.assert_allclose(g_prime(GRID), numeric, rtol=1e-6, atol=1e-8)


def test_softmax_jacobian_matches_central_differences():
    Z = np.random.default_rng(0).normal(size=(4, 3)) * 3
    J = softmax_prime(Z)
    assert J.shape == (4, 4, 3)
    for j in range(4):
        dZ = np.zeros_like(Z)
        dZ[j] = H
        np.testing.assert_allclose(J[:, j, :], (softmax(Z + dZ) - softmax(Z - dZ)) / (2 * H), atol=1e-9)


@pytest.mark.parametrize("name", list(ACTIVATIONS))
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_extreme_inputs_are_finite_and_keep_dtype(name, dtype):
    # pytest.ini turns warnings into errors: an overflow warning fails this test.
    g, g_prime = ACTIVATIONS[name]
    Z = np.array([[-1000.0, -50.0, 0.0, 50.0, 1000.0]], dtype=dtype).T  # one column, 5 "classes"
    for out in (g(Z), g_prime(Z), g(Z.T), g_prime(Z.T)):
        assert np.all(np.isfinite(out)) and out.dtype == dtype


def test_sigmoid_limits_and_symmetry():
    z = np.array([[-1000.0, -40.0, 0.0, 40.0, 1000.0]])
    s = activations.sigmoid(z)
    np.testing.assert_array_equal(s[0, [0, 2, 4]], [0.0, 0.5, 1.0])
    np.testing.assert_allclose(s + activations.sigmoid(-z), 1.0)
    x = np.linspace(-30, 30, 61)[None, :]
    np.testing.assert_allclose(activations.sigmoid(x), 1 / (1 + np.exp(-x)), rtol=1e-15)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_sigmoid_is_the_two_stable_cases_exactly(dtype):
    # 1 / (1 + e⁻ᶻ) for z ≥ 0 and eᶻ / (1 + eᶻ) for z < 0: the tiny values of the left tail keep
    # full relative precision (σ(−40) ≈ 4.2e-18 is not rounded to 0 as 1 − σ(40) would be).
    z = np.concatenate([-np.logspace(-8, 3, 200), [0.0], np.logspace(-8, 3, 200)]).astype(dtype)[None, :]
    E = np.exp(-np.abs(z))
    cases = np.where(z >= 0, 1 / (1 + E), E / (1 + E))
    np.testing.assert_array_equal(activations.sigmoid(z), cases)


def test_softmax_columns_are_distributions_and_shift_invariant():
    Z = np.array([[2.0, 1.0, 0.1], [1.0, 3.0, 0.2], [0.2, 0.5, 2.0]])
    S = softmax(Z)
    np.testing.assert_allclose(S.sum(axis=0), 1.0)
    np.testing.assert_allclose(S, np.exp(Z) / np.exp(Z).sum(axis=0))
    np.testing.assert_allclose(softmax(Z + np.array([[1000.0, -1000.0, 7.0]])), S)
    np.testing.assert_allclose(softmax(np.array([[1000.0], [-1000.0]])), [[1.0], [0.0]])


def test_values_on_the_outline_inputs():
    x = np.array([[-2.0, -1.0, 0.0, 1.0, 2.0]])
    np.testing.assert_array_equal(activations.step(x), [[0, 0, 1, 1, 1]])
    np.testing.assert_array_equal(activations.relu(x), [[0, 0, 0, 1, 2]])
    np.testing.assert_allclose(activations.leaky_relu(x), [[-0.02, -0.01, 0, 1, 2]])
    np.testing.assert_array_equal(activations.relu_prime(x), [[0, 0, 0, 1, 1]])
    np.testing.assert_array_equal(activations.leaky_relu_prime(x), [[0.01, 0.01, 0.01, 1, 1]])
    np.testing.assert_allclose(activations.tanh(x), np.tanh(x))
    assert not activations.step_prime(x).any()


def test_unknown_activation_lists_the_known_ones():
    with pytest.raises(ValueError, match="unknown activation 'swish'.*relu.*softmax"):
        activations.get("swish")
