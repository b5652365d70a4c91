"""rnn_step: its rules against complex step, its structures, and its refusals (the registry-wide
tests cover it too)."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jacobians import InputError, Product, numeric, rnn_step

PARAMS = ("W", "U", "b", "h", "x")


def draw(seed, n, m, d):
    return rnn_step.examples(np.random.default_rng(seed), n, m, d, d > 1)


@settings(max_examples=25)
@given(
    n=st.integers(1, 5), m=st.integers(1, 5), d=st.integers(1, 4), seed=st.integers(0, 2**16),
    wrt=st.sampled_from(PARAMS),
)  # fmt: skip
def test_rules_equal_complex_step(n, m, d, seed, wrt):
    args = draw(seed, n, m, d)
    J = rnn_step(**args).jacobians[wrt]
    N = numeric(lambda v: rnn_step(**{**args, wrt: v}).value, args[wrt], method="complex")
    np.testing.assert_allclose(J.matrix, N.matrix, rtol=1e-12, atol=1e-13)


def test_closed_forms_by_hand():
    args = draw(3, 3, 2, 1)
    r = rnn_step(**args)
    s = 1 - r.value**2
    np.testing.assert_allclose(
        r.value, np.tanh(args["W"] @ args["h"] + args["U"] @ args["x"] + args["b"])
    )
    np.testing.assert_allclose(r.jacobians["h"].matrix, np.diag(s) @ args["W"])
    np.testing.assert_allclose(
        r.jacobians["W"].matrix, np.diag(s) @ np.kron(np.eye(3), args["h"][None])
    )
    assert r.jacobians["W"].kind == "product" and r.jacobians["b"].kind == "diagonal"


def test_a_batch_keeps_the_slope_times_the_affine_map():
    """diag(vec(1 − A²)) times the affine map's Jacobian, never multiplied out: no (nd)² or
    nd×n² numbers, and a row through it is backprop's step."""
    args = draw(0, 4, 3, 5)
    r = rnn_step(**args)
    for wrt, inner in (("h", "kronecker"), ("x", "kronecker"), ("W", "kronecker")):
        J = r.jacobians[wrt]
        assert isinstance(J, Product) and [F.kind for F in J.factors] == ["diagonal", inner]
    assert r.jacobians["h"].shape == (20, 20) and r.jacobians["x"].shape == (20, 15)
    g = np.random.default_rng(1).normal(size=(4, 5))
    delta = g * (1 - r.value**2)
    np.testing.assert_allclose(r.jacobians["h"].right(g.reshape(1, -1)).reshape(4, 5),
                               args["W"].T @ delta, rtol=1e-13)  # fmt: skip
    np.testing.assert_allclose(r.jacobians["W"].right(g.reshape(1, -1)).reshape(4, 4),
                               delta @ args["h"].T, rtol=1e-13)  # fmt: skip


@pytest.mark.parametrize(
    ("change", "arg"),
    [
        ({"W": np.ones((3, 4))}, "W"),
        ({"U": np.ones((4, 2))}, "U"),
        ({"h": np.ones(4)}, "h"),
        ({"x": np.ones(5)}, "x"),
        ({"b": np.ones((3, 2))}, "b"),
        ({"x": np.ones((2, 3))}, "x"),  # 3 samples of x for 1 state
    ],
)
def test_bad_shapes_are_named(change, arg):
    args = {**draw(0, 3, 2, 1), **change}
    with pytest.raises(InputError) as info:
        rnn_step(**args)
    assert info.value.arg == arg and "rnn_step" in str(info.value)


def test_an_overflowing_sum_is_refused_by_name():
    args = {
        **draw(0, 2, 2, 1),
        "b": np.full(2, 1e308),
        "W": np.full((2, 2), 1e308),
        "h": np.ones(2),
    }
    with pytest.raises(InputError, match="rnn_step"):
        rnn_step(**args)
