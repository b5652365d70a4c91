"""jacobians.numeric on one working buffer: the same numbers as a copy of x per entry, f called
a fixed number of times per entry on views of one buffer, and nothing f does with its argument
(keep it, write into it, return it) changes a result."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jacobians import numeric
from jacobians.checking._differences import tableau
from jacobians.checking._evaluate import WorkingPoint

EPS = float(np.finfo(np.float64).eps)


# ----- the reference: the arithmetic of numeric before the buffer, a copy of x per entry -----


def reference(f, x, method):
    """Each column from fresh copies of x (the old code's way of moving x; Ridders' extrapolation
    is the library's tableau, one definition, fed the copies' differences)."""
    flat = x.reshape(-1)
    f0 = np.asarray(f(x.copy()), dtype=float).reshape(-1)
    J = np.empty((f0.size, flat.size))
    for k in range(flat.size):
        if method == "complex":
            xc = flat.astype(complex)
            xc[k] += 1e-30j
            J[:, k] = np.asarray(f(xc.reshape(x.shape))).reshape(-1).imag / 1e-30
        elif method == "central":
            J[:, k] = _central(f, x, k, np.cbrt(EPS) * max(1.0, abs(flat[k])))
        else:
            J[:, k] = _ridders(f, x, k, 1e-2 * max(1.0, abs(flat[k])))
    return J


def _moved(f, x, k, h):
    up, down = x.copy().reshape(-1), x.copy().reshape(-1)
    up[k] += h
    down[k] -= h
    fp = np.asarray(f(up.reshape(x.shape)), dtype=float).reshape(-1)
    fm = np.asarray(f(down.reshape(x.shape)), dtype=float).reshape(-1)
    return fp, fm, up[k] - down[k]


def _central(f, x, k, h):
    fp, fm, d = _moved(f, x, k, h)
    return (fp - fm) / d


def _ridders(f, x, k, h):
    """Ridders' extrapolation (the library's one tableau) of differences at fresh copies."""
    return tableau(lambda step: _moved(f, x, k, step), h, shrink=False)[0]


def smooth(v):
    return np.tanh(v.sum(axis=-1, keepdims=True) * v) + np.exp(0.3 * v[..., ::-1])


@settings(max_examples=30)
@given(
    shape=st.sampled_from([(1,), (5,), (2, 3), (3, 1, 2)]),
    seed=st.integers(0, 2**32 - 1),
    method=st.sampled_from(["complex", "central", "richardson"]),
)
def test_the_buffer_gives_the_numbers_of_a_copy_per_entry(shape, seed, method):
    x = np.random.default_rng(seed).normal(size=shape)
    np.testing.assert_allclose(
        numeric(smooth, x, method).matrix, reference(smooth, x, method), rtol=1e-13, atol=1e-15
    )


# ----- cost: a fixed number of calls per entry, on views of one buffer -----


@pytest.mark.parametrize(("method", "per_entry"), [("complex", 1), ("central", 2)])
def test_f_is_called_a_fixed_number_of_times_per_entry_on_one_buffer(method, per_entry):
    seen = []

    def f(v):
        seen.append(v.__array_interface__["data"][0])  # where its numbers live
        return np.sin(v)

    x = np.linspace(0.1, 1.0, 40)
    numeric(f, x, method)
    moved = seen[2:]  # after the two calls at x itself (its shape; deterministic)
    assert len(moved) == per_entry * x.size
    assert len(set(moved)) == 1  # every moved point is the same buffer: no copy of x per call


def test_richardson_calls_f_ten_times_per_entry():
    calls = []
    numeric(lambda v: calls.append(1) or np.sin(v), np.linspace(0.1, 1.0, 7), "richardson")
    assert len(calls) == 2 + 10 * 7


# ----- what f does with its argument cannot change a result -----


def cached_square():
    """f with a cache of the inputs it has seen, compared by value: if f kept a buffer that
    moved later, every later call would find it "seen" and return a stale output."""
    seen = []

    def f(v):
        for old, out in seen:
            if np.array_equal(old, v):
                return out
        out = v**2
        seen.append((v, out))
        return out

    return f


X = np.array([1.0, 2.0, 3.0])


@pytest.mark.parametrize("method", ["central", "complex", "richardson", "auto"])
def test_f_that_keeps_its_argument_gets_the_right_jacobian(method):
    N = numeric(cached_square(), X, method)
    np.testing.assert_allclose(N.matrix, np.diag(2 * X), rtol=1e-9)


def test_without_the_guard_a_kept_buffer_would_corrupt_the_result(monkeypatch):
    """The control: the test above fails when the check for kept views is switched off."""
    monkeypatch.setattr(WorkingPoint, "kept", lambda self: False)
    N = numeric(cached_square(), X, "central")
    assert np.abs(N.matrix - np.diag(2 * X)).max() > 1


@pytest.mark.parametrize("method", ["central", "complex", "richardson"])
def test_f_that_keeps_its_first_argument_sees_it_unchanged(method):
    first = []

    def f(v):
        first.append(v)
        return v**2 + first[0]  # first[0] must stay x, as a copy would

    np.testing.assert_allclose(numeric(f, X, method).matrix, np.diag(2 * X), rtol=1e-9)


@pytest.mark.parametrize("method", ["central", "complex", "richardson"])
def test_f_that_writes_into_its_argument_gets_a_copy(method):
    def doubles(v):
        v *= 2
        return v

    def zeroes_first(v):
        v[0] = 0
        return v.sum()

    x = X.copy()
    np.testing.assert_allclose(numeric(doubles, x, method).matrix, 2 * np.eye(3), rtol=1e-9)
    np.testing.assert_allclose(numeric(zeroes_first, x, method).matrix, [[0, 1, 1]], atol=1e-9)
    np.testing.assert_array_equal(x, X)  # the caller's x is never touched


def test_f_cannot_make_its_view_writeable():
    def sneaky(v):
        v.flags.writeable = True  # numpy refuses: the memory is lent read-only
        return v

    with pytest.raises(ValueError, match="WRITEABLE"):
        numeric(sneaky, X)


@pytest.mark.parametrize("method", ["central", "complex", "richardson"])
@pytest.mark.parametrize(
    ("f", "J"),
    [
        (lambda v: v, np.eye(3)),  # its argument itself
        (lambda v: v[::2], np.eye(3)[::2]),  # a view of it
        (lambda v: v.reshape(3, 1), np.eye(3)),
    ],
)
def test_f_returning_its_argument_or_a_view(method, f, J):
    np.testing.assert_allclose(numeric(f, X, method).matrix, J, rtol=1e-9, atol=1e-12)


def test_a_kept_buffer_is_left_as_it_was_and_the_work_goes_on_in_a_copy():
    kept = []
    N = numeric(lambda v: kept.append(v) or v.sum(), X, "central")
    np.testing.assert_allclose(N.matrix, [[1.0, 1.0, 1.0]], rtol=1e-9)
    moved = kept[2:]  # each a view of a buffer frozen at the call that kept it
    h = np.cbrt(EPS) * np.maximum(1.0, X)
    for k in range(3):
        np.testing.assert_array_equal(moved[2 * k] - X, np.eye(3)[k] * ((X[k] + h[k]) - X[k]))
        np.testing.assert_array_equal(moved[2 * k + 1] - X, np.eye(3)[k] * ((X[k] - h[k]) - X[k]))
