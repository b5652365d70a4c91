"""numeric's step: one that cannot be taken is refused naming it, before f sees a moved point;
no numpy warning escapes, and no infinite quotient is returned."""

import warnings

import numpy as np
import pytest

from jacobians import numeric
from reshape import InputError

X = np.array([1.0, 2.0, 3.0])


def refused(call, *words):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a numpy warning on the way fails the test
        with pytest.raises(InputError) as e:
            call()
    for w in words:
        assert w in str(e.value), str(e.value)
    return str(e.value)


def counting(g):
    calls = []

    def f(v):
        calls.append(np.array(v))
        return g(v)

    return f, calls


@pytest.mark.parametrize("method", ["central", "richardson"])
@pytest.mark.parametrize("step", [1e-17, 1e308])
def test_a_step_that_cannot_be_taken_is_refused_before_f_moves(step, method):
    f, calls = counting(np.tanh)
    msg = refused(lambda: numeric(f, X, method, step=step), "numeric", "'step'", repr(step))
    assert ("spacing" in msg) == (step < 1)
    assert ("overflows" in msg) == (step > 1)
    assert calls == []  # refused before any call of f


def test_richardson_refuses_a_step_whose_sixteenth_is_below_the_spacing():
    refused(lambda: numeric(np.tanh, X, "richardson", step=1e-15), "'step'", "h/16")
    assert numeric(np.tanh, X, "central", step=1e-14).matrix.shape == (3, 3)  # still moves x


def test_central_refuses_a_step_whose_double_overflows():
    refused(lambda: numeric(np.tanh, X, "central", step=1e308), "'step'", "2h")


def test_complex_step_has_no_spacing_to_respect():
    N = numeric(np.tanh, X, "complex", step=1e-17)
    assert np.allclose(np.diag(N.matrix), 1 - np.tanh(X) ** 2, rtol=1e-12)


@pytest.mark.parametrize("step", ["1e-5", np.array([1e-5, 1e-5]), 0.0, -1.0, np.inf, True])
def test_a_step_that_is_not_a_positive_number_is_refused(step):
    refused(lambda: numeric(np.tanh, X, step=step), "numeric", "'step'")


def test_a_default_step_past_the_float_range_names_the_point():
    refused(lambda: numeric(np.tanh, np.array([1.79e308]), "richardson"), "numeric", "'x'")


def jump(v):
    """Finite everywhere, but its difference at 0 is −2e308 − 2e308: past the float range."""
    return np.where(v > 0, 1.7e308, -1.7e308)


@pytest.mark.parametrize("method", ["central", "richardson"])
def test_a_non_finite_quotient_is_refused_never_returned(method):
    refused(lambda: numeric(jump, np.array([0.0]), method, step=1e-3), "'step'", "NaN")
    refused(lambda: numeric(jump, np.array([0.0]), method), "'f'", "floating-point range")


def test_a_large_step_is_taken_and_its_limit_documented():
    N = numeric(np.tanh, np.array([1.0]), "central", step=10.0)
    assert np.isfinite(N.matrix).all()
    assert "far too small" in numeric.__doc__  # the h² model fails past f's scale
