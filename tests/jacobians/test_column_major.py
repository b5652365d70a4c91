"""A Jacobian in column-major vec knows it: its tensor, its gradient and its products read it so."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import jacobians as J
from jacobians import Dense, Identity, column_major, compose, to_gradient
from jacobians._sum import add_jacobians
from jacobians.expressions import Variable
from reshape import InputTypeError, ShapeError, commutation

sizes = st.integers(2, 4)
seeds = st.integers(0, 2**16)


def _both(e, name, v):
    return e.jacobian(name, v), e.jacobian(name, v, order="F")


@given(n=sizes, m=sizes, seed=seeds)
def test_the_tensor_and_the_gradient_do_not_depend_on_the_vec(n, m, seed):
    r = np.random.default_rng(seed)
    A, X = Variable("A", (m, n)), Variable("X", (n, m))
    v = {"A": r.normal(size=(m, n)), "X": r.normal(size=(n, m))}
    for e in (A @ X, J.tanh(A @ X), A @ J.tanh(X), X.T, J.tr(A @ X)):
        for name in e.variables():
            Jc, Jf = _both(e, name, v)
            assert Jf.vec_order == "F" and Jc.vec_order == "C"
            np.testing.assert_allclose(Jf.tensor, Jc.tensor, rtol=1e-13, atol=1e-15)
            np.testing.assert_allclose(Jf.T.tensor, Jc.T.tensor, rtol=1e-13, atol=1e-15)
    Jc, Jf = _both(J.tr(A @ X), "X", v)
    np.testing.assert_allclose(to_gradient(Jf), v["A"].T, rtol=1e-13)  # ∇ tr(AX) = Aᵀ
    np.testing.assert_allclose(to_gradient(Jf), to_gradient(Jc), rtol=1e-13)


def test_the_closed_form_is_the_row_major_one_between_commutations():
    A, X, B = Variable("A", (2, 3)), Variable("X", (3, 4)), Variable("B", (4, 2))
    r = np.random.default_rng(0)
    v = {"A": r.normal(size=(2, 3)), "X": r.normal(size=(3, 4)), "B": r.normal(size=(4, 2))}
    Jc, Jf = _both(A @ X @ B, "X", v)
    assert Jf.closed_form == f"K_{{2,2}} · ({Jc.closed_form}) · K_{{4,3}}ᵀ"
    assert r"K_{4,3}^{\top}" in Jf.latex
    # the commutations it names: K_{c,r} takes vec_C(Y) to vec_F(Y) for Y r×c
    np.testing.assert_allclose(Jf.matrix, commutation(2, 2) @ Jc.matrix @ commutation(4, 3).T)
    np.testing.assert_allclose(Jf.matrix, np.kron(v["B"].T, v["A"]), rtol=1e-13)  # Bᵀ ⊗ A


def test_column_major_is_idempotent_and_leaves_vectors_alone():
    x = Variable("x", (3,))
    Jc, Jf = _both(J.tanh(x), "x", {"x": np.ones(3)})
    assert Jf.vec_order == "F"  # marked, as asked, but the numbers are the same: no commutation
    np.testing.assert_array_equal(Jf.matrix, Jc.matrix)
    assert Jf.closed_form == Jc.closed_form
    X = Variable("X", (2, 3))
    Jf = X.T.jacobian("X", {"X": np.ones((2, 3))}, order="F")
    assert column_major(Jf) is Jf
    with pytest.raises(InputTypeError, match="column_major"):
        column_major(np.eye(3))


def test_products_and_sums_refuse_a_mix_of_vecs():
    X = Variable("X", (2, 3))
    v = {"X": np.arange(6.0).reshape(2, 3)}
    Jc, Jf = _both(J.tanh(X), "X", v)
    with pytest.raises(ShapeError, match="column-major vec times"):
        compose(Jf, Jc)
    with pytest.raises(ShapeError, match="column-major"):
        J.chain(Jc, Jf)
    with pytest.raises(ShapeError, match="add_jacobians"):
        add_jacobians(Jc, Jf)
    P = compose(Jf, Jf)  # both column-major: so is the product
    assert P.vec_order == "F"
    np.testing.assert_allclose(P.tensor, compose(Jc, Jc).tensor, rtol=1e-13)
    S = add_jacobians(Jf, Jf)
    assert S.vec_order == "F"
    np.testing.assert_allclose(S.tensor, 2 * Jc.tensor, rtol=1e-13)


def _conv_chain():
    """∂s/∂w of s = Σ y ⊙ y, y = conv1d(x, w, b): a kernel of three axes, and factors whose sides
    are vectors (∂s/∂t), vectors of a matrix's entries (∂t/∂y) and a 3-D array (∂y/∂w)."""
    r = np.random.default_rng(0)
    x, w, b = r.normal(size=(2, 5)), r.normal(size=(3, 2, 2)), r.normal(size=3)
    y = J.conv1d(x, w, b)
    t = J.multiply(y.value, y.value)
    # through t's first factor only: ∂s/∂w[o, i, k] = Σ_t y[o, t] x[i, t + k]
    return [J.sum(t.value).jacobian, t.jacobians["u"], y.jacobians["w"]], np.einsum(
        "ot,ict->oic",
        y.value,
        np.stack([x[:, k : k + 4] for k in range(2)], axis=1),  # x's windows, (2, 2, 4)
    )


def test_arrays_of_three_axes_or_more_are_column_major_too():
    factors, grad = _conv_chain()
    Jw = factors[2]
    Fw = column_major(Jw)
    np.testing.assert_allclose(Fw.tensor, Jw.tensor, rtol=1e-13)  # vec_F of (3, 2, 2) ≠ vec_C
    assert Fw.closed_form.endswith("K_{2,2,3}ᵀ")  # the reversal of its axes, named by sizes
    D = Dense(np.arange(32.0).reshape(4, 8), out_shape=(2, 2), in_shape=(2, 2, 2))
    np.testing.assert_array_equal(column_major(D).tensor, D.tensor)
    odd = Dense(np.arange(36.0).reshape(6, 6), out_shape=(2, 1, 3), in_shape=(6,))
    np.testing.assert_array_equal(column_major(odd).tensor, odd.tensor)  # an axis of 1 between
    np.testing.assert_allclose(to_gradient(J.chain(*map(column_major, factors))), grad)
    np.testing.assert_allclose(to_gradient(J.chain(*factors)), grad)


def test_factors_whose_vecs_agree_mix_with_either_order():
    r = np.random.default_rng(0)
    W, x, b, y = r.normal(size=(3, 4)), r.normal(size=4), r.normal(size=3), r.random(3)
    z = J.linear(W, x, b)
    a = J.sigmoid(z.value)
    C = J.squared_error(a.value, y)
    factors = C.jacobian, a.jacobian, z.jacobians["W"]  # a row and a diagonal over vectors
    grad = to_gradient(J.chain(*factors))
    for mixed in (
        J.chain(*map(column_major, factors)),
        J.chain(*factors[:2], column_major(factors[2])),
    ):
        assert mixed.vec_order == "F"
        np.testing.assert_allclose(to_gradient(mixed), grad, rtol=1e-14)
    factors, _ = _conv_chain()  # ∂t/∂y is a diagonal over a 3×4 array's entries: its vec shows
    with pytest.raises(ShapeError, match="row-major vec times"):
        J.chain(*factors[:2], column_major(factors[2]))
    # an identity from a shape to itself is the same matrix in both (K I Kᵀ = I): a residual
    Id, R = Identity((2, 3)), column_major(J.Diagonal(np.arange(1.0, 7).reshape(2, 3)))
    for S in (add_jacobians(Id, R), add_jacobians(column_major(Id), R), compose(Id, R)):
        assert S.vec_order == "F"
    np.testing.assert_allclose(add_jacobians(Id, R).matrix, np.eye(6) + R.matrix)


def test_sums_and_products_made_directly_keep_their_terms_vec():
    D = J.Diagonal(np.arange(1.0, 7).reshape(2, 3))
    F, G = column_major(J.Sum([D, D])), column_major(J.Diagonal(np.ones((2, 3))))
    assert F.vec_order == "F" and {t.vec_order for t in F.T.terms} == {"F"}
    np.testing.assert_allclose(compose(F.T, G).matrix, F.T.matrix @ G.matrix)
    with pytest.raises(ShapeError, match="Sum: bad argument 'terms'"):
        J.Sum([D, column_major(D)])
    with pytest.raises(ShapeError, match="Product: bad argument 'factors'"):
        J.Product(D, column_major(D))
    P = J.Product(column_major(D), column_major(D))
    assert P.vec_order == P.T.vec_order == "F"
    np.testing.assert_allclose(P.tensor, compose(D, D).tensor)


def test_a_column_major_row_folds_into_the_same_gradient():
    row = Dense(np.arange(6.0).reshape(1, 6), out_shape=(), in_shape=(2, 3))
    F = column_major(row)
    for shape in ((2, 3), (6,), (2, 3, 1)):
        np.testing.assert_array_equal(to_gradient(F, shape), to_gradient(row, shape))


def test_to_gradient_refuses_another_shape_of_as_many_entries():
    W, x = Variable("W", (3, 4)), Variable("x", (4,))
    v = {"W": np.ones((3, 4)), "x": np.arange(4.0)}
    row = J.sum(W @ x).jacobian("W", v)
    assert to_gradient(row, (3, 4)).shape == (3, 4)
    with pytest.raises(ShapeError, match=r"shape of W, \(3, 4\)"):
        to_gradient(row, (4, 3))  # the transpose's shape: a misfolded array, not ∇ᵀ
    g = J.sum(W @ x).jacobian("x", v)
    assert to_gradient(g, (4, 1)).shape == (4, 1)  # a vector as a column: the same parameter
    flat = Dense(np.arange(6.0)[None, :])  # made from a bare row: only its length is known
    assert to_gradient(flat, (2, 3)).shape == to_gradient(flat, (3, 2)).shape[::-1]
    # the same row-major order with axes merged or split: W's rows as 2×2 blocks, or flat
    assert to_gradient(row, (3, 2, 2)).shape == (3, 2, 2) and to_gradient(row, (12,)).shape == (12,)
    with pytest.raises(ShapeError, match="merged or split"):
        to_gradient(row, (2, 6))
    assert to_gradient(Identity((1,)), ()) == 1.0
