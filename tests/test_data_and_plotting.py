"""Synthetic data sets (shapes, labels, seeds) and the figures' titles and labels."""
import matplotlib
import numpy as np
import pytest

import scratchnet as sn

matplotlib.use("Agg")


@pytest.mark.parametrize("make, k", [(sn.data.moons, 2), (sn.data.circles, 2),
                                     (lambda **kw: sn.data.spirals(k=3, **kw), 3),
                                     (lambda **kw: sn.data.spirals(k=5, **kw), 5)])
def test_data_sets_are_columns_balanced_and_seeded(make, k):
    X, Y = make(m=60, rng=7)
    assert X.shape == (2, 60)
    if k == 2:
        assert Y.shape == (1, 60) and set(np.unique(Y)) == {0.0, 1.0} and Y.sum() == 30
    else:
        assert Y.shape == (k, 60) and (Y.sum(axis=0) == 1).all() and (Y.sum(axis=1) == 60 // k).all()
    X2, Y2 = make(m=60, rng=7)
    np.testing.assert_array_equal(X, X2)
    assert not np.array_equal(X, make(m=60, rng=8)[0])


def test_xor_labels():
    X, Y = sn.data.xor()
    np.testing.assert_array_equal(Y[0], np.logical_xor(X[0], X[1]))


def test_one_hot_rejects_out_of_range_labels():
    np.testing.assert_array_equal(sn.data.one_hot([2, 0], 3), [[0, 1], [0, 0], [1, 0]])
    with pytest.raises(ValueError, match=r"class indices in 0..2"):
        sn.data.one_hot([0, 3], 3)


def test_circles_separate_by_radius():
    X, Y = sn.data.circles(m=200, noise=0.0, factor=0.4, rng=0)
    r = np.linalg.norm(X, axis=0)
    np.testing.assert_allclose(r[Y[0] == 1], 0.4)
    np.testing.assert_allclose(r[Y[0] == 0], 1.0)


def test_figures_have_titles_and_axis_labels():
    X, Y = sn.data.spirals(m=60, k=3, rng=0)
    params, history = sn.train(X, Y, [2, 8, 3], 0.5, 20, output="softmax", rng=0, scale="he")
    for ax in [sn.plotting.plot_activation("tanh"), sn.plotting.plot_history(history),
               sn.plotting.plot_decision_boundary(X, Y, params, output="softmax")]:
        assert ax.get_title() and ax.get_xlabel() and ax.get_ylabel()
    ax = sn.plotting.draw_network([2, 3, 2, 1])
    assert ax.get_title() == "A 2-3-2-1 network" and len(ax.collections) == 4
    matplotlib.pyplot.close("all")
