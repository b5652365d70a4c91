"""The vec isomorphism: round trips, the Kronecker identities, commutation, and bad input."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import reshape
from reshape import InputError, InputTypeError, ShapeError

sizes = st.integers(1, 6)
seeds = st.integers(0, 2**32 - 1)


def rand(seed, *shape):
    return np.random.default_rng(seed).normal(size=shape)


@given(n=sizes, m=sizes, seed=seeds, order=st.sampled_from("CF"))
def test_vec_unvec_are_inverse(n, m, seed, order):
    A = rand(seed, n, m)
    v = reshape.vec(A, order)
    assert v.shape == (n * m,)
    np.testing.assert_array_equal(reshape.unvec(v, (n, m), order), A)
    np.testing.assert_array_equal(reshape.vec(reshape.unvec(v, (n, m), order), order), v)


def test_vec_orders_are_numpy_orders():
    A = np.arange(6.0).reshape(2, 3)
    np.testing.assert_array_equal(reshape.vec(A), A.ravel(order="C"))
    np.testing.assert_array_equal(reshape.vec(A, "F"), A.ravel(order="F"))
    np.testing.assert_array_equal(reshape.vec(A, "F"), [0, 3, 1, 4, 2, 5])


@given(p=sizes, n=sizes, m=sizes, q=sizes, seed=seeds)
def test_kronecker_identities(p, n, m, q, seed):
    A, X, B = rand(seed, p, n), rand(seed + 1, n, m), rand(seed + 2, m, q)
    vec = reshape.vec
    np.testing.assert_allclose(vec(A @ X @ B, "F"), np.kron(B.T, A) @ vec(X, "F"), atol=1e-12)
    np.testing.assert_allclose(vec(A @ X @ B, "C"), np.kron(A, B.T) @ vec(X, "C"), atol=1e-12)
    for order in "CF":
        M = reshape.kron_matrix(A, B, order)
        np.testing.assert_allclose(vec(A @ X @ B, order), M @ vec(X, order), atol=1e-12)


@given(
    out_shape=st.lists(sizes, min_size=0, max_size=2).map(tuple),
    in_shape=st.lists(sizes, min_size=1, max_size=3).map(tuple),
    seed=seeds,
    order=st.sampled_from("CF"),
)
def test_flatten_unflatten_round_trip(out_shape, in_shape, seed, order):
    T = rand(seed, *out_shape, *in_shape)
    M = reshape.flatten(T, len(out_shape), order)
    assert M.shape == (int(np.prod(out_shape)), int(np.prod(in_shape)))
    np.testing.assert_array_equal(reshape.unflatten(M, out_shape, in_shape, order), T)


def test_flatten_dz_dW_is_n_by_nm():
    n, m = 3, 4
    x = np.arange(1.0, m + 1)
    T = np.einsum("ij,k->ijk", np.eye(n), x)  # ∂z_i/∂W_jk = δ_ij x_k
    M = reshape.flatten(T, 1)
    assert M.shape == (n, n * m)
    np.testing.assert_array_equal(M, np.kron(np.eye(n), x[None, :]))


@given(m=sizes, n=sizes, seed=seeds)
def test_commutation(m, n, seed):
    A = rand(seed, m, n)
    K = reshape.commutation(m, n)
    np.testing.assert_array_equal(K @ reshape.vec(A, "F"), reshape.vec(A.T, "F"))
    np.testing.assert_array_equal(K @ reshape.vec(A, "F"), reshape.vec(A, "C"))
    np.testing.assert_array_equal(K.T, reshape.commutation(n, m))
    np.testing.assert_array_equal(K @ K.T, np.eye(m * n))


@given(p=sizes, q=sizes, n=sizes, m=sizes, seed=seeds)
def test_reorder_is_a_commutation_sandwich(p, q, n, m, seed):
    J = rand(seed, p * q, n * m)  # a Jacobian of a p×q output by an n×m input, row-major
    JF = reshape.reorder(J, (p, q), (n, m), src="C", dst="F")
    K = reshape.commutation
    np.testing.assert_array_equal(JF, K(q, p) @ J @ K(n, m))
    np.testing.assert_array_equal(reshape.reorder(JF, (p, q), (n, m), "F", "C"), J)


@pytest.mark.parametrize(
    ("call", "error", "words"),
    [
        (lambda: reshape.vec(np.eye(2), order="K"), InputError, ["vec", "'order'", "'K'"]),
        (lambda: reshape.vec(np.array([True])), InputTypeError, ["vec", "'A'", "bool"]),
        (lambda: reshape.vec(np.array(["a"])), InputTypeError, ["vec", "numeric"]),
        (lambda: reshape.vec(np.array([1, None])), InputTypeError, ["object"]),
        (lambda: reshape.vec(np.array([1.0, np.inf])), InputError, ["finite", "(1,)"]),
        (lambda: reshape.vec(np.zeros((0, 2))), ShapeError, ["non-empty", "(0, 2)"]),
        (lambda: reshape.unvec(np.arange(5), (2, 3)), ShapeError, ["6 entries", "(5,)"]),
        (lambda: reshape.unvec(np.arange(6), (2, 0)), ShapeError, ["positive"]),
        (lambda: reshape.flatten(np.zeros((2, 2)), 3), ShapeError, ["out_ndim", "(2, 2)"]),
        (lambda: reshape.unflatten(np.zeros((3, 4)), (3,), (2, 3)), ShapeError, ["3×6", "(3, 4)"]),
        (lambda: reshape.kron_matrix(np.zeros(3), np.eye(2)), ShapeError, ["2-D", "'A'"]),
    ],
)
def test_bad_input_names_op_argument_expected_and_received(call, error, words):
    with pytest.raises(error) as info:
        call()
    for word in words:
        assert word in str(info.value)


def test_integers_are_promoted_to_float64():
    assert reshape.vec(np.arange(4).reshape(2, 2)).dtype == np.float64
    assert reshape.vec(np.ones((2, 2), dtype=np.float32)).dtype == np.float32


@given(n=sizes, m=sizes, seed=seeds, order=st.sampled_from("CF"))
def test_unchecked_unvec_is_the_same_fold(n, m, seed, order):
    v = rand(seed, n * m)
    np.testing.assert_array_equal(
        reshape.unvec(v, (n, m), order, check=False), reshape.unvec(v, (n, m), order)
    )
