"""compare's figures: relative to the whole gradient's scale, so a gradient that is 0 in theory
shows rounding as rounding, and a wrong gradient still shows a large figure."""

from __future__ import annotations

import numpy as np
import pytest

from net import MLP, Network, compare
from net._compare import differences
from reshape import InputError


def _batchnorm_case():
    net = Network("dense:4,batchnorm,tanh,dense:2", 3, seed=0)
    X = np.random.default_rng(0).normal(size=(3, 8))  # as the report drew them
    return net, X, np.random.default_rng(0).normal(size=(2, 8))


def test_a_gradient_zero_in_theory_is_not_a_false_alarm():
    """∂C/∂b1 = 0: batch norm removes the bias before it. The methods' rounding there, divided
    by its own size, was about 1 (1.25, 1.0); over the whole gradient's scale it is rounding."""
    net, X, T = _batchnorm_case()
    c = compare(net, X, T)
    b1 = c.gradients["jacobian"]["b1"], c.gradients["shortcut"]["b1"]
    scale = max(np.abs(g).max() for g in c.gradients["jacobian"].values())
    assert max(np.abs(g).max() for g in b1) < 1e-14 * scale  # the case is the one reported
    assert differences(*b1)[1] > 0.1  # per parameter, rounding over rounding: a false alarm
    assert c.worst("jacobian", "shortcut") < 1e-12
    assert c.worst("shortcut", "numeric") < 1e-12 and c.worst("jacobian", "numeric") < 1e-12


def test_rel_is_each_parameters_difference_over_the_whole_gradients_largest_entry():
    net, X, T = _batchnorm_case()
    c = compare(net, X, T, ("jacobian", "shortcut"))
    g, h = c.gradients["jacobian"], c.gradients["shortcut"]
    scale = max(max(np.abs(g[p]).max(), np.abs(h[p]).max()) for p in g)
    for p, row in c.table.items():
        cell = row["jacobian vs shortcut"]
        assert cell["abs"] == np.abs(g[p] - h[p]).max()
        assert cell["rel"] == pytest.approx(cell["abs"] / scale, rel=1e-15, abs=0)
    whole = [np.concatenate([x[p].ravel() for p in x]) for x in (g, h)]
    norm = max(np.abs(whole[0]).max(), np.abs(whole[1]).max())
    assert c.worst("jacobian", "shortcut") == pytest.approx(
        np.abs(whole[0] - whole[1]).max() / norm, rel=1e-15, abs=0
    )


class _OneWrong(Network):
    """A network whose shortcut gets one parameter's gradient wrong: a slip, as a hand-written
    backward pass makes."""

    wrong, factor = "W4", -1.0

    def gradients(self, X, T, method="shortcut"):  # type: ignore[override]
        grads = super().gradients(X, T, method)
        if method == "shortcut":
            grads[self.wrong] = self.factor * grads[self.wrong]
        return grads


@pytest.mark.parametrize(("wrong", "factor"), [("W4", -1.0), ("gamma2", 1.5), ("W1", 0.0)])
def test_a_wrong_gradient_still_shows_a_large_figure(wrong, factor):
    _, X, T = _batchnorm_case()
    bad = _OneWrong("dense:4,batchnorm,tanh,dense:2", 3, seed=0)
    bad.wrong, bad.factor = wrong, factor
    c = compare(bad, X, T)
    assert c.worst("jacobian", "numeric") < 1e-12  # the two right methods agree
    assert c.worst("jacobian", "shortcut") > 0.05 and c.worst("shortcut", "numeric") > 0.05
    rows = {p: row["jacobian vs shortcut"]["rel"] for p, row in c.table.items()}
    assert max(rows, key=rows.get) == wrong  # the wrong parameter holds the worst figure
    assert c.worst("jacobian", "shortcut") == c.worst("shortcut", "jacobian")


def test_worst_names_the_pair_as_given_and_takes_a_network_without_parameters():
    c = compare(MLP([2, 2, 1], ["tanh", "identity"]), np.ones(2), np.zeros(1))
    for a, b in (("foo", "jacobian"), ("jacobian", "foo")):
        with pytest.raises(InputError, match=r"Comparison\.worst: bad argument 'a, b'") as err:
            c.worst(a, b)
        assert err.value.got == f"a = {a!r}, b = {b!r}"
    with pytest.raises(InputError, match="'kind'"):
        c.worst("jacobian", "shortcut", "max")
    empty = compare(Network("tanh", 3), np.ones((3, 2)), np.zeros((3, 2)))
    assert empty.table == {} and empty.worst("jacobian", "shortcut") == 0.0
    assert "jacobian vs shortcut: 0.0e+00" in repr(empty)
