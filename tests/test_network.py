"""The network: gradients against finite differences and PyTorch, shapes, dtypes, bad input."""
import re

import numpy as np
import pytest
import torch
from hypothesis import given, settings, strategies as st

import scratchnet as sn

GRADIENT_HIDDEN = ["relu", "leaky_relu", "sigmoid", "tanh"]
ARCHITECTURES = [[3, 1], [2, 4, 1], [3, 5, 4, 2], [4, 6, 5, 4, 3]]


def problem(layer_dims, output, m=7, seed=0):
    """Parameters large enough for a meaningful check, X, and valid labels Y."""
    rng = np.random.default_rng(seed)
    params = sn.init_params(layer_dims, rng=rng, scale=0.5)
    for l in range(1, len(layer_dims)):
        params[f"b{l}"] = rng.normal(size=params[f"b{l}"].shape) * 0.5
    X = rng.normal(size=(layer_dims[0], m))
    if output == "softmax":
        Y = sn.data.one_hot(rng.integers(0, layer_dims[-1], m), layer_dims[-1])
    else:
        Y = rng.integers(0, 2, size=(layer_dims[-1], m)).astype(float)
    return params, X, Y


def away_from_kinks(params, X, hidden):
    """True when no pre-activation is within 1e-4 of 0 (where relu and leaky_relu have a kink)."""
    _, cache = sn.forward(X, params, hidden)
    return all(np.abs(cache[k]).min() > 1e-4 for k in cache if k.startswith("Z"))


# every depth × every hidden activation with a gradient × both output/loss pairs (3 classes for softmax)
CASES = [(dims if output == "sigmoid" else dims[:-1] + [3], hidden, output)
         for dims in ARCHITECTURES for hidden in GRADIENT_HIDDEN for output in ("sigmoid", "softmax")]


@pytest.mark.parametrize("layer_dims, hidden, output", CASES)
def test_backward_matches_finite_differences(layer_dims, hidden, output):
    params, X, Y = problem(layer_dims, output)
    assert away_from_kinks(params, X, hidden)
    _, cache = sn.forward(X, params, hidden, output)
    grads = sn.backward(params, cache, Y)
    numeric = sn.numerical_gradients(params, X, Y, hidden, output)
    assert grads.keys() == numeric.keys() == {"d" + k for k in params}
    for key in grads:
        assert sn.relative_error(grads[key], numeric[key]) < 1e-7, key


TORCH_HIDDEN = {"relu": torch.relu, "leaky_relu": torch.nn.functional.leaky_relu,
                "sigmoid": torch.sigmoid, "tanh": torch.tanh}


def torch_cost_and_grads(params, X, Y, hidden, output):
    """The same network written independently in PyTorch; autograd computes the gradients."""
    P = {k: torch.tensor(v, requires_grad=True) for k, v in params.items()}
    A = torch.tensor(X)
    L = len(params) // 2
    for l in range(1, L + 1):
        Z = P[f"W{l}"] @ A + P[f"b{l}"]
        A = TORCH_HIDDEN[hidden](Z) if l < L else Z
    Yt, m = torch.tensor(Y), X.shape[1]
    if output == "softmax":
        J = -(Yt * torch.log_softmax(A, dim=0)).sum() / m
    else:
        J = torch.nn.functional.binary_cross_entropy_with_logits(A, Yt, reduction="sum") / m
    J.backward()
    return J.item(), {"d" + k: v.grad.numpy() for k, v in P.items()}


@pytest.mark.parametrize("layer_dims, hidden, output", CASES)
def test_cost_and_gradients_equal_pytorch_autograd(layer_dims, hidden, output):
    params, X, Y = problem(layer_dims, output, m=11, seed=1)
    AL, cache = sn.forward(X, params, hidden, output)
    grads = sn.backward(params, cache, Y)
    J_torch, grads_torch = torch_cost_and_grads(params, X, Y, hidden, output)
    assert abs(sn.cost(AL, Y, output) - J_torch) < 1e-10
    for key in grads:
        assert np.abs(grads[key] - grads_torch[key]).max() < 1e-10, key


def test_backward_reads_z_and_a_from_the_cache():
    # Poison the parameters after the forward pass: dW must come from the cached A and δ,
    # which depend on W only through the cache (and on W^(l) itself only in δ^(l-1)).
    params, X, Y = problem([2, 3, 1], "sigmoid")
    _, cache = sn.forward(X, params)
    expected = sn.backward(params, cache, Y)
    cache["A1"] = cache["A1"] * 2
    assert not np.allclose(sn.backward(params, cache, Y)["dW2"], expected["dW2"])


def test_backward_does_not_compute_the_input_gradient():
    params, X, Y = problem([2, 3, 1], "sigmoid")
    _, cache = sn.forward(X, params)
    assert set(sn.backward(params, cache, Y)) == {"dW1", "db1", "dW2", "db2"}


@settings(max_examples=40, deadline=None)
@given(layer_dims=st.lists(st.integers(1, 6), min_size=2, max_size=5),
       m=st.integers(1, 9), hidden=st.sampled_from(list(sn.activations.HIDDEN)),
       output=st.sampled_from(["sigmoid", "softmax"]))
def test_shapes_over_random_architectures(layer_dims, m, hidden, output):
    if output == "softmax":  # a softmax output needs at least two classes
        layer_dims = layer_dims[:-1] + [max(2, layer_dims[-1])]
    params, X, Y = problem(layer_dims, output, m=m)
    AL, cache = sn.forward(X, params, hidden, output)
    assert AL.shape == (layer_dims[-1], m)
    for l, n in enumerate(layer_dims):
        assert cache[f"A{l}"].shape == (n, m)
        if l:
            assert cache[f"Z{l}"].shape == (n, m)
    grads = sn.backward(params, cache, Y)
    assert {k: v.shape for k, v in grads.items()} == {"d" + k: v.shape for k, v in params.items()}
    assert sn.predict(X, params, hidden, output).shape == ((m,) if output == "softmax" else (layer_dims[-1], m))


def test_float32_in_float32_out():
    params = sn.init_params([3, 5, 2], rng=0, dtype=np.float32)
    X = np.random.default_rng(0).normal(size=(3, 8))           # float64 data
    Y = sn.data.one_hot(np.arange(8) % 2, 2)                     # float64 labels
    AL, cache = sn.forward(X, params, output="softmax")
    grads = sn.backward(params, cache, Y)
    sn.update(params, grads, 0.1)
    arrays = [AL, *[v for v in cache.values() if isinstance(v, np.ndarray)], *grads.values(), *params.values()]
    assert all(a.dtype == np.float32 for a in arrays)
    trained, _ = sn.train(X, Y, [3, 5, 2], 0.1, 3, output="softmax", rng=0, dtype=np.float32, batch_size=3)
    assert all(v.dtype == np.float32 for v in trained.values())


def test_init_params_reproduces_the_original_stream():
    params = sn.init_params([2, 4, 1], rng=np.random.RandomState(42))
    np.random.seed(42)
    W1, W2 = np.random.randn(4, 2) * 0.01, np.random.randn(1, 4) * 0.01
    np.testing.assert_array_equal(params["W1"], W1)
    np.testing.assert_array_equal(params["W2"], W2)
    assert not params["b1"].any() and params["b2"].shape == (1, 1)


@pytest.mark.parametrize("scale, std", [("he", np.sqrt(2 / 400)), ("xavier", np.sqrt(2 / 600))])
def test_he_and_xavier_scales(scale, std):
    W = sn.init_params([400, 200], rng=0, scale=scale)["W1"]
    assert W.std() == pytest.approx(std, rel=0.02)


def test_rng_may_be_seed_generator_or_random_state():
    a = sn.init_params([2, 3, 1], rng=5)
    b = sn.init_params([2, 3, 1], rng=np.random.default_rng(5))
    np.testing.assert_array_equal(a["W1"], b["W1"])
    c = sn.init_params([2, 3, 1], rng=np.random.RandomState(5))
    assert c["W1"].shape == (3, 2)


def test_count_params_matches_the_2_3_2_1_table():
    assert sn.count_params([2, 3, 2, 1]) == (2 * 3 + 3 * 2 + 2 * 1, 3 + 2 + 1, 20)
    params = sn.init_params([5, 7, 3], rng=0)
    assert sn.count_params([5, 7, 3])[2] == sum(v.size for v in params.values())


def test_step_flops_counts_the_products():
    # 784-256-128-10, batch 256: forward and dW each 2·256·234752, δ for layers 2 and 3 2·256·34048
    assert sn.step_flops([784, 256, 128, 10], 256) == 2 * 256 * (2 * 234752 + 34048)


def test_update_is_gradient_descent_in_place():
    params, X, Y = problem([2, 3, 1], "sigmoid")
    before = {k: v.copy() for k, v in params.items()}
    _, cache = sn.forward(X, params)
    grads = sn.backward(params, cache, Y)
    out = sn.update(params, grads, 0.5)
    assert out is params
    for k in params:
        np.testing.assert_allclose(params[k], before[k] - 0.5 * grads["d" + k])


def test_train_lowers_the_cost_and_learns_xor():
    X, Y = sn.data.xor()
    params, history = sn.train(X, Y, [2, 8, 1], 0.5, 3000, hidden="tanh", rng=0, scale=1.0)
    assert history["cost"][-1] < 0.05 < history["cost"][0]
    np.testing.assert_array_equal(sn.predict(X, params, "tanh"), Y)
    assert len(history["cost"]) == len(history["accuracy"]) == 3000


def test_train_prints_every_k_epochs(capsys):
    X, Y = sn.data.xor()
    sn.train(X, Y, [2, 3, 1], 0.1, 25, rng=0, print_every=10)
    lines = capsys.readouterr().out.splitlines()
    assert [int(re.search(r"epoch\s+(\d+)", line).group(1)) for line in lines] == [0, 10, 20]


def test_train_minibatches_are_seeded():
    X, Y = sn.data.moons(64, rng=1)
    runs = [sn.train(X, Y, [2, 6, 1], 0.3, 5, rng=3, batch_size=16)[1]["cost"] for _ in range(2)]
    assert runs[0] == runs[1]
    other = sn.train(X, Y, [2, 6, 1], 0.3, 5, rng=4, batch_size=16)[1]["cost"]
    assert other != runs[0]


def test_train_does_not_modify_given_params():
    params, X, Y = problem([2, 3, 1], "sigmoid")
    before = {k: v.copy() for k, v in params.items()}
    sn.train(X, Y, [2, 3, 1], 0.1, 5, params=params)
    for k in params:
        np.testing.assert_array_equal(params[k], before[k])


def test_original_example_3_7_3_costs():
    # Example 3.7.3 as the original notes ran it: [2, 4, 1], the seed-42 stream, lr 0.1.
    X = np.array([[1, 2, -1], [3, -1, 2]])
    Y = np.array([[1, 0, 1]])
    params, history = sn.train(X, Y, [2, 4, 1], 0.1, 10000, rng=np.random.RandomState(42))
    start = sn.init_params([2, 4, 1], rng=np.random.RandomState(42))
    assert history["cost"][0] == pytest.approx(sn.cost(sn.forward(X, start)[0], Y), rel=1e-15)
    assert history["cost"][0] == pytest.approx(np.log(2), abs=1e-3)
    assert all(a > b for a, b in zip(history["cost"][::1000], history["cost"][1000::1000]))
    np.testing.assert_array_equal(sn.predict(X, params), Y)


# ---- bad input: a clear error, raised before any work, naming what is wrong ----

def test_x_rows_must_match_w1_columns():
    params = sn.init_params([3, 2, 1], rng=0)
    with pytest.raises(ValueError, match=r"layer 1: X has shape \(2, 5\) but W1 has shape \(2, 3\)"):
        sn.forward(np.zeros((2, 5)), params)


def test_inconsistent_layers_name_the_layer():
    params = sn.init_params([3, 2, 1], rng=0)
    params["W2"] = np.zeros((1, 4))
    with pytest.raises(ValueError, match=r"layer 2: W2 has shape \(1, 4\)"):
        sn.forward(np.zeros((3, 5)), params)
    params = sn.init_params([3, 2, 1], rng=0)
    params["b1"] = np.zeros((3, 1))
    with pytest.raises(ValueError, match=r"layer 1: b1 has shape \(3, 1\), expected \(2, 1\)"):
        sn.forward(np.zeros((3, 5)), params)


def test_y_shape_must_match_the_output():
    params, X, _ = problem([2, 3, 1], "sigmoid", m=4)
    _, cache = sn.forward(X, params)
    with pytest.raises(ValueError, match=r"Y has shape \(4,\) but the output Aᴸ has shape \(1, 4\)"):
        sn.backward(params, cache, np.array([0, 1, 0, 1]))
    with pytest.raises(ValueError, match=r"Y has shape \(2, 4\), expected \(1, 4\)"):
        sn.train(X, np.zeros((2, 4)), [2, 3, 1], 0.1, 1)


def test_labels_outside_0_1_for_binary_cross_entropy():
    X = np.zeros((2, 3))
    with pytest.raises(ValueError, match=r"labels must be 0 or 1, found -1, 3$"):
        sn.train(X, np.array([[0, -1, 3]]), [2, 3, 1], 0.1, 1)


def test_columns_must_be_one_hot_for_categorical():
    X = np.zeros((2, 3))
    Y = np.array([[1, 0, 1], [0, 0, 1]])
    with pytest.raises(ValueError, match=r"one-hot.*columns \[1, 2\]"):
        sn.train(X, Y, [2, 3, 2], 0.1, 1, output="softmax")


@pytest.mark.parametrize("lr", [0, -0.1, float("nan"), float("inf"), "0.1", None, True])
def test_learning_rate_must_be_positive_finite(lr):
    params, X, Y = problem([2, 3, 1], "sigmoid")
    with pytest.raises(ValueError, match=r"learning_rate must be a positive finite number, got"):
        sn.train(X, Y, [2, 3, 1], lr, 1)
    _, cache = sn.forward(X, params)
    before = params["W1"].copy()
    with pytest.raises(ValueError, match="learning_rate"):
        sn.update(params, sn.backward(params, cache, Y), lr)
    np.testing.assert_array_equal(params["W1"], before)


@pytest.mark.parametrize("layer_dims, message", [
    ([3], r"at least two sizes.*\[3\]"), ([], r"at least two sizes"),
    ([2, 0, 1], r"n⁽1⁾ must be an integer ≥ 1, got 0"), ([2, 2.5, 1], r"n⁽1⁾.*got 2.5")])
def test_layer_sizes(layer_dims, message):
    with pytest.raises(ValueError, match=message):
        sn.init_params(layer_dims)
    with pytest.raises(ValueError, match=message):
        sn.train(np.zeros((2, 2)), np.zeros((1, 2)), layer_dims, 0.1, 1)


def test_unknown_activation_name_lists_the_known_ones():
    params, X, _ = problem([2, 3, 1], "sigmoid")
    with pytest.raises(ValueError, match=r"unknown activation 'relu6'; known activations: step, relu"):
        sn.forward(X, params, hidden="relu6")
    with pytest.raises(ValueError, match=r"output activation must be one of \('sigmoid', 'softmax'\).*'relu'"):
        sn.forward(X, params, output="relu")
    with pytest.raises(ValueError, match=r"hidden activation must be elementwise.*'softmax'"):
        sn.forward(X, params, hidden="softmax")


@pytest.mark.parametrize("missing", ["W2", "b1"])
def test_params_missing_a_weight_or_bias(missing):
    params, X, _ = problem([2, 3, 2, 1], "sigmoid")
    del params[missing]
    with pytest.raises(ValueError, match=f"params is missing {missing}"):
        sn.forward(X, params)


def test_grads_missing_a_key():
    params, X, Y = problem([2, 3, 1], "sigmoid")
    _, cache = sn.forward(X, params)
    grads = sn.backward(params, cache, Y)
    del grads["db2"]
    with pytest.raises(ValueError, match=r"grads must hold db2 of shape \(1, 1\), got None"):
        sn.update(params, grads, 0.1)


def test_divergence_stops_training_with_the_epoch_and_advice():
    X, Y = sn.data.moons(50, rng=0)
    with pytest.raises(sn.TrainingDiverged, match=r"at epoch \d+.*smaller learning rate") as caught:
        sn.train(X, Y, [2, 16, 16, 1], 1e10, 50, hidden="leaky_relu", rng=0, scale=1.0)
    assert caught.value.epoch == len(caught.value.history["cost"]) - 1
    assert all(np.isfinite(caught.value.history["cost"][:-1]))


def test_given_params_must_match_layer_dims():
    params, X, Y = problem([2, 3, 1], "sigmoid")
    with pytest.raises(ValueError, match=r"params has layer sizes \[2, 3, 1\], but layer_dims is \[2, 4, 1\]"):
        sn.train(X, Y, [2, 4, 1], 0.1, 5, params=params)


@pytest.mark.parametrize("epochs", [0, 2.5, "10"])
def test_epochs_must_be_a_positive_integer(epochs):
    X, Y = sn.data.xor()
    with pytest.raises(ValueError, match=r"epochs must be an integer ≥ 1"):
        sn.train(X, Y, [2, 3, 1], 0.1, epochs)


def test_progress_goes_to_stderr_and_is_off_by_default(capsys):
    X, Y = sn.data.xor()
    sn.train(X, Y, [2, 3, 1], 0.1, 3, rng=0)
    assert capsys.readouterr() == ("", "")
    sn.train(X, Y, [2, 3, 1], 0.1, 3, rng=0, progress=True)
    out, err = capsys.readouterr()
    assert out == "" and "epoch 3/3" in err


def test_cost_names_an_unknown_output():
    with pytest.raises(ValueError, match=r"output activation must be one of .*got 'tanh'"):
        sn.cost(np.full((1, 2), 0.5), np.array([[0, 1]]), output="tanh")
