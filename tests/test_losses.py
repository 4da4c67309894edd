"""Cross-entropies: values, clipping, stability at extreme predictions, bad labels."""
import numpy as np
import pytest

from scratchnet.activations import sigmoid
from scratchnet.losses import binary_cross_entropy, categorical_cross_entropy, clip


def test_binary_cross_entropy_on_the_outline_example():
    AL = sigmoid(np.array([[0.9, 0.2, 0.8, 0.4]]))
    Y = np.array([[1, 0, 1, 0]])
    expected = -np.mean(np.log(AL[0, [0, 2]]).tolist() + np.log(1 - AL[0, [1, 3]]).tolist())
    assert binary_cross_entropy(AL, Y) == pytest.approx(expected, rel=1e-14)


def test_categorical_cross_entropy_is_mean_negative_log_of_true_class():
    AL = np.array([[0.7, 0.1], [0.2, 0.3], [0.1, 0.6]])
    Y = np.array([[1, 0], [0, 0], [0, 1]])
    assert categorical_cross_entropy(AL, Y) == pytest.approx(-(np.log(0.7) + np.log(0.6)) / 2)


def test_two_class_softmax_equals_binary_cross_entropy():
    p = np.array([[0.2, 0.9, 0.6]])
    y = np.array([[0, 1, 1]])
    assert categorical_cross_entropy(np.vstack([p, 1 - p]), np.vstack([y, 1 - y])) == pytest.approx(
        binary_cross_entropy(p, y))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_predictions_of_exactly_0_and_1_give_finite_cost(dtype):
    AL = np.array([[0.0, 1.0, 0.0, 1.0]], dtype=dtype)
    cost = binary_cross_entropy(AL, np.array([[0, 1, 1, 0]]))
    eps = max(1e-15, np.finfo(dtype).eps)   # two of four confidently wrong: each costs −log ε
    assert cost == pytest.approx(-2 * np.log(eps) / 4, rel=1e-4)
    assert binary_cross_entropy(AL, np.array([[0, 1, 0, 1]])) < 1e-6
    assert np.isfinite(categorical_cross_entropy(np.array([[1.0, 0.0], [0.0, 1.0]], dtype=dtype),
                                                 np.array([[0, 0], [1, 1]])))


def test_clip_keeps_predictions_strictly_inside_0_1():
    for dtype in (np.float32, np.float64):
        A = clip(np.array([0.0, 1.0], dtype=dtype))
        assert 0 < A[0] and A[1] < 1 and A.dtype == dtype


def test_shape_mismatch_names_both_shapes():
    with pytest.raises(ValueError, match=r"Y has shape \(4,\).*\(1, 4\)"):
        binary_cross_entropy(np.full((1, 4), 0.5), np.array([1, 0, 1, 0]))


def test_binary_labels_must_be_0_or_1():
    with pytest.raises(ValueError, match=r"labels must be 0 or 1, found 2$"):
        binary_cross_entropy(np.full((1, 3), 0.5), np.array([[0, 1, 2]]))


def test_categorical_labels_must_be_one_hot():
    with pytest.raises(ValueError, match=r"one-hot.*columns \[1\]"):
        categorical_cross_entropy(np.full((2, 2), 0.5), np.array([[1, 1], [0, 1]]))
