"""jacobians.numeric: accuracy and error estimate of each method, several arguments, checks on f."""

import numpy as np
import pytest

from jacobians import OPERATIONS, Jacobian, NumericJacobian, numeric, sigmoid
from reshape import InputError, InputTypeError, ShapeError

rng = np.random.default_rng(7)
X = rng.normal(size=5)


def smooth(v):
    return np.exp(v) * np.sin(v[::-1])


def smooth_jacobian(v):
    n = v.size
    J = np.diag(np.exp(v) * np.sin(v[::-1]))
    J[np.arange(n), np.arange(n)[::-1]] += np.exp(v) * np.cos(v[::-1])
    return J


@pytest.mark.parametrize(
    ("method", "rel"), [("central", 1e-9), ("richardson", 1e-12), ("complex", 1e-15)]
)
def test_each_method_accuracy_and_error_estimate_bounds_the_true_error(method, rel):
    N = numeric(smooth, X, method)
    T = smooth_jacobian(X)
    true = np.abs(N.matrix - T)
    assert true.max() <= rel * np.abs(T).max()
    assert np.all(N.error >= true)  # the estimate is an upper bound here, entry by entry
    assert N.error_max <= 100 * rel * np.abs(T).max()
    assert N.method == method


def test_result_is_a_jacobian_with_shapes_of_f_and_x():
    W = rng.normal(size=(3, 4))
    N = numeric(lambda W: np.tanh(W).sum(axis=1), W)
    assert isinstance(N, Jacobian) and isinstance(N, NumericJacobian)
    assert (N.out_shape, N.in_shape, N.shape) == ((3,), (3, 4), (3, 12))
    assert N.tensor.shape == (3, 3, 4)
    assert "W" in N.symbol  # named after f's parameter
    L = N.labelled("z", "W")
    assert L.error.shape == N.matrix.shape


def test_scalar_output_and_scalar_input():
    N = numeric(lambda t: t**3, np.array(2.0), "complex")
    assert (N.out_shape, N.in_shape) == ((), ())
    assert N.matrix[0, 0] == pytest.approx(12.0, rel=1e-15)


@pytest.mark.parametrize(
    ("x", "wrt"),
    [
        ((np.eye(2), np.array([1.0, 2.0])), 0),
        ((np.eye(2), np.array([1.0, 2.0])), "W"),
        ({"W": np.eye(2), "v": np.array([1.0, 2.0])}, "W"),
    ],
)
def test_several_arguments_by_index_name_or_key(x, wrt):
    def f(W, v):
        return W @ v

    N = numeric(f, x, "complex", wrt=wrt)
    np.testing.assert_array_equal(N.matrix, np.kron(np.eye(2), [[1.0, 2.0]]))
    assert N.in_shape == (2, 2)
    N = numeric(f, x, wrt=1 if not isinstance(x, dict) else "v")
    np.testing.assert_allclose(N.matrix, np.eye(2), atol=1e-9)


@pytest.mark.parametrize(
    ("x", "wrt", "words"),
    [
        ({"W": np.eye(2)}, None, ["wrt", "'W'"]),
        ({"W": np.eye(2)}, "b", ["one of the arguments", "'b'"]),
        ((np.eye(2), np.ones(2)), 2, ["index"]),
        ((np.eye(2), np.ones(2)), "q", ["positional parameters", "W, v"]),
        ((np.eye(2), np.ones(2)), None, ["wrt="]),
        (np.eye(2), 0, ["tuple or dict"]),
    ],
)
def test_bad_wrt(x, wrt, words):
    with pytest.raises(InputError) as e:
        numeric(lambda W, v: W @ v, x, wrt=wrt)
    for w in words:
        assert w in str(e.value)


def test_operation_is_differentiated_through_its_value():
    z = rng.normal(size=3)
    N = numeric(sigmoid, z, "complex")
    np.testing.assert_allclose(N.matrix, sigmoid(z).jacobian.matrix, rtol=1e-15)


# ----- complex step on functions that are not complex-safe -----

UNSAFE = {
    "abs": lambda v: np.abs(v) ** 3,  # real output for complex input
    "cast": lambda v: np.asarray(v, dtype=float) ** 2,  # drops the imaginary part (warning)
    "conj": lambda v: (v * np.conj(v)).real + v.sum(),  # real part of an analytic-looking form
    "raises": lambda v: np.sqrt(v) if np.isrealobj(v) else [][1],
}


@pytest.mark.parametrize("name", UNSAFE)
def test_complex_step_refuses_unsafe_f_and_auto_falls_back(name):
    f, x = UNSAFE[name], np.array([0.5, 1.5, 2.0])
    if name != "conj":  # conj is only caught by the direction check of auto
        with pytest.raises(InputError, match="complex") as e:
            numeric(f, x, "complex")
        assert "method='auto'" in str(e.value)
    N = numeric(f, x, "auto")
    assert N.method == "richardson" and N.fallback
    np.testing.assert_allclose(N.matrix, numeric(f, x, "richardson").matrix)
    np.testing.assert_allclose(N.matrix, numeric(f, x, "central").matrix, rtol=1e-7)


def test_auto_uses_complex_step_when_f_allows_it():
    N = numeric(smooth, X, "auto")
    assert N.method == "complex" and N.fallback is None


def test_richardson_shrinks_its_step_at_the_edge_of_the_domain():
    x = np.array([1e-3, 0.5])
    N = numeric(lambda a: np.log(a), x, "richardson")
    np.testing.assert_allclose(N.matrix, np.diag(1 / x), rtol=1e-9)


# ----- bad input: what f does, and x -----


def test_f_that_raises():
    with pytest.raises(InputError, match="raised ZeroDivisionError: boom"):
        numeric(lambda v: (_ for _ in ()).throw(ZeroDivisionError("boom")), X)


def test_f_returning_non_finite_at_x():
    with pytest.raises(InputError, match="NaN or infinite") as e:
        numeric(lambda v: np.where(v > 0, v, np.inf), np.array([1.0, -1.0]))
    assert "output index (1,)" in str(e.value)


def test_f_returning_non_finite_after_a_step():
    def f(v):
        return np.array([np.inf if v[0] != 1.0 else 1.0])

    with pytest.raises(InputError, match="moved by") as e:
        numeric(f, np.array([1.0]))
    assert "outside f's domain" in str(e.value)


@pytest.mark.parametrize(
    ("f", "what"),
    [
        (lambda v: None, "NoneType"),
        (lambda v: "text", "str"),
        (lambda v: {"a": 1}, "dict"),
        (lambda v: [v, v[:1]], "numeric array"),
        (lambda v: sigmoid(v), ".value"),
        (lambda v: v > 0, "bool"),
        (lambda v: v + 1j, "real-valued"),
        (lambda v: np.zeros(0), "non-empty"),
    ],
)
def test_f_returning_a_non_array(f, what):
    with pytest.raises(InputTypeError if what != "non-empty" else ShapeError) as e:
        numeric(f, X)
    assert what in str(e.value)


def test_f_changing_its_output_shape():
    with pytest.raises(ShapeError) as e:
        numeric(lambda v: v[v > 0.1], np.array([0.1, 1.0]))
    msg = str(e.value)
    assert "same shape at every point" in msg and "(1,)" in msg and "(2,)" in msg


def test_f_not_deterministic():
    noise = np.random.default_rng(0)
    with pytest.raises(InputError, match="deterministic"):
        numeric(lambda v: v + noise.normal(), X)


def test_f_not_callable_and_bad_options():
    with pytest.raises(InputTypeError, match="a function"):
        numeric(np.ones(2), X)
    with pytest.raises(InputError, match="'central' or 'complex'"):
        numeric(smooth, X, "forward")
    with pytest.raises(InputError, match="positive"):
        numeric(smooth, X, step=-1e-3)


@pytest.mark.parametrize("bad", [np.array([1.0, np.nan]), np.array([np.inf]), [], "x"])
def test_x_with_nan_inf_empty_or_text(bad):
    with pytest.raises(InputError) as e:
        numeric(smooth, bad)
    assert "'x'" in str(e.value)


def test_f_does_not_see_or_mutate_our_arrays():
    def f(v):
        v *= 2  # in place, on a copy
        return v

    x = np.array([1.0, 2.0])
    np.testing.assert_allclose(numeric(f, x).matrix, 2 * np.eye(2), rtol=1e-9)
    np.testing.assert_array_equal(x, [1.0, 2.0])


@pytest.mark.parametrize(
    "name", [n for n, op in OPERATIONS.items() if op.fn is not None and op.deriv is not None]
)
def test_richardson_on_every_elementwise_activation(name):
    z = np.array([-1.3, -0.4, 0.7, 2.1])
    N = numeric(OPERATIONS[name].value, z, "richardson")
    np.testing.assert_allclose(N.matrix, np.diag(OPERATIONS[name].deriv(z)), rtol=1e-10, atol=1e-12)
