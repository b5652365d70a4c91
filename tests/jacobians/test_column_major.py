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
    _, Jf = _both(J.tanh(x), "x", {"x": np.ones(3)})
    assert Jf.vec_order == "C"  # both vecs of a vector agree: nothing to record
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
