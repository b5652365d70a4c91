"""transpose, vec, diag, kron, tr, det, logdet, inv, and the symbolic forms of matmul and linear.

The registry-wide tests (test_core_ops) check every rule against central differences and the
complex step on each operation's own examples. Here: hypothesis-drawn shapes (1×1, rows and
columns included), the structures and textbook identities, the symbolic forms of every rule
against the Jacobian it builds, and the inputs refused with their wording.
"""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import jacobians as J
from jacobians import OPERATIONS, InputError, ShapeError, numeric
from jacobians.expressions import Variable
from reshape import commutation
from tests.jacobians.symbolic_forms import check_forms

sizes = st.integers(1, 4)
seeds = st.integers(0, 2**32 - 1)


def well_conditioned(rng, n):
    """Strictly diagonally dominant with a positive diagonal: det > 0 (logdet's domain), and
    well conditioned (a normal draw below −3 made a 1×1 one negative)."""
    return np.clip(rng.normal(size=(n, n)), -1, 1) + (n + 2) * np.eye(n)


def assert_numeric(name, args, wrt, method="complex", **options):
    op = OPERATIONS[name]
    got = op(**args, **options).jacobians[wrt]
    N = numeric(lambda v: op(**{**args, wrt: v}, **options).value, args[wrt], method=method)
    assert got.shape == N.shape
    tol = 1e-12 if method == "complex" else 1e-6
    scale = max(1.0, np.abs(N.matrix).max())
    np.testing.assert_allclose(got.matrix, N.matrix, rtol=tol, atol=tol * scale)


# ----- numerics on drawn shapes -----
@given(p=sizes, q=sizes, r=sizes, s=sizes, seed=seeds)
def test_kron_against_the_complex_step(p, q, r, s, seed):
    rng = np.random.default_rng(seed)
    args = {"A": rng.normal(size=(p, q)), "B": rng.normal(size=(r, s))}
    np.testing.assert_array_equal(J.kron(**args).value, np.kron(args["A"], args["B"]))
    assert J.kron(**args).jacobians["A"].kind == "kronecker"
    for wrt in "AB":
        assert_numeric("kron", args, wrt)


@given(m=sizes, n=sizes, seed=seeds)
def test_transpose_is_the_commutation_matrix_kept_as_a_permutation(m, n, seed):
    X = np.random.default_rng(seed).normal(size=(m, n))
    Jx = J.transpose(X).jacobian
    kind = "identity" if 1 in (m, n) else "permutation"  # K_{n,1} = I: a vector's
    assert Jx.kind == kind and (Jx.out_shape, Jx.in_shape) == ((n, m), (m, n))
    np.testing.assert_array_equal(Jx.matrix, commutation(n, m))
    assert_numeric("transpose", {"X": X}, "X")


@pytest.mark.parametrize("name", ["tr", "det", "logdet", "inv"])
@given(n=sizes, seed=seeds)
def test_square_maps_against_the_complex_step(name, n, seed):
    assert_numeric(name, {"X": well_conditioned(np.random.default_rng(seed), n)}, "X")


@given(n=sizes, seed=seeds, matrix=st.booleans())
def test_diag_and_vec_against_the_complex_step(n, seed, matrix):
    rng = np.random.default_rng(seed)
    v = rng.normal(size=(n, n) if matrix else (n, 1))
    assert_numeric("diag", {"v": v}, "v")
    assert_numeric("vec", {"X": rng.normal(size=(n, n + 1))}, "X")


# ----- structures and identities -----
def test_inverse_jacobian_is_minus_inverse_kron_inverse_transposed():
    X = well_conditioned(np.random.default_rng(1), 3)
    Jx = J.inv(X).jacobian
    Y = np.linalg.inv(X)
    assert Jx.kind == "kronecker" and Jx.closed_form == "−X⁻¹ ⊗ X⁻ᵀ"
    np.testing.assert_allclose(Jx.matrix, -np.kron(Y, Y.T), rtol=1e-14, atol=1e-15)


def test_trace_jacobian_is_vec_of_the_identity():
    Jx = J.tr(np.arange(9.0).reshape(3, 3)).jacobian
    assert Jx.kind == "row" and Jx.closed_form == "vec(I_n)ᵀ"
    np.testing.assert_array_equal(Jx.matrix, np.eye(3).reshape(1, -1))


def test_axb_through_matmul_twice_is_a_kron_b_transposed():
    rng = np.random.default_rng(2)
    A, X, B = rng.normal(size=(2, 3)), rng.normal(size=(3, 4)), rng.normal(size=(4, 5))
    inner = J.matmul(A, X)
    outer = J.matmul(inner.value, B)
    total = J.chain(outer.jacobians["A"], inner.jacobians["B"])
    np.testing.assert_allclose(total.matrix, np.kron(A, B.T), rtol=1e-14, atol=1e-14)


def test_det_jacobian_is_the_adjugate_also_where_x_is_singular():
    rng = np.random.default_rng(3)
    for n, rank in ((2, 1), (3, 2), (4, 3), (4, 2), (3, 0)):
        X = rng.normal(size=(n, rank)) @ rng.normal(size=(rank, n))
        cof = [
            [(-1) ** (i + j) * np.linalg.det(np.delete(np.delete(X, i, 0), j, 1)) for j in range(n)]
            for i in range(n)
        ]
        np.testing.assert_allclose(
            J.det(X).jacobian.matrix, np.reshape(cof, (1, -1)), rtol=1e-10, atol=1e-12
        )


def test_scalars_are_their_own_trace_determinant_and_transpose():
    a = np.asarray(2.0)
    assert J.tr(a).value == J.det(a).value == J.transpose(a).value == 2.0
    assert J.inv(a).value == 0.5 and J.inv(a).jacobian.matrix[0, 0] == -0.25
    assert J.logdet(a).value == pytest.approx(np.log(2.0))


def test_kron_of_two_vectors_is_a_vector_and_vectors_are_columns():
    assert J.kron(np.ones(2), np.arange(3.0)).value.shape == (6,)
    assert J.kron(np.ones((2, 2)), np.arange(3.0)).value.shape == (6, 2)  # (3,) is a column
    assert J.transpose(np.arange(3.0)).value.shape == (1, 3)
    assert J.vec(np.ones((2, 3))).value.shape == (6, 1)


# ----- the symbolic forms of every rule -----
def _matrix(rng, shape):
    return rng.normal(size=shape)


@given(m=sizes, n=sizes, seed=seeds)
def test_symbolic_forms_of_transpose_vec_diag(m, n, seed):
    rng = np.random.default_rng(seed)
    check_forms("transpose", {"X": _matrix(rng, (m, n))})
    check_forms("vec", {"X": _matrix(rng, (m, n))})
    check_forms("diag", {"v": _matrix(rng, (n, 1))})
    check_forms("diag", {"v": _matrix(rng, (n, n))})


@given(p=sizes, q=sizes, r=sizes, s=sizes, seed=seeds)
def test_symbolic_forms_of_kron(p, q, r, s, seed):
    rng = np.random.default_rng(seed)
    check_forms("kron", {"A": _matrix(rng, (p, q)), "B": _matrix(rng, (r, s))})


@pytest.mark.parametrize("name", ["tr", "det", "logdet", "inv"])
@given(n=sizes, seed=seeds)
def test_symbolic_forms_of_the_square_maps(name, n, seed):
    check_forms(name, {"X": well_conditioned(np.random.default_rng(seed), n)})


@given(n=sizes, m=sizes, p=sizes, seed=seeds)
def test_symbolic_forms_of_matmul(n, m, p, seed):
    rng = np.random.default_rng(seed)
    A, B = _matrix(rng, (n, m)), _matrix(rng, (m, p))
    if A.size == 1 or B.size == 1:
        return  # a 1×1 operand is a scalar: its product is multiply (tested below)
    check_forms("matmul", {"A": A, "B": B})


@given(n=sizes, m=sizes, d=sizes, seed=seeds)
def test_symbolic_forms_of_linear(n, m, d, seed):
    rng = np.random.default_rng(seed)
    W, x, b = _matrix(rng, (n, m)), _matrix(rng, (m, d)), _matrix(rng, (n, 1))
    check_forms("linear", {"W": W, "x": x, "b": b})


def test_the_symbolic_forms_read_as_their_formulas():
    A, B = Variable("A", (2, 3)), Variable("B", (3, 4))
    P = J.matmul(A, B)
    assert str(OPERATIONS["matmul"].rules["A"].expression(P)) == "kron(eye(2), B')"
    assert str(OPERATIONS["matmul"].rules["B"].expression(P)) == "kron(A, eye(4))"
    X = Variable("X", (3, 3))
    assert str(OPERATIONS["tr"].rules["X"].expression(J.tr(X))) == "vec(eye(3))'"
    assert str(OPERATIONS["inv"].rules["X"].expression(J.inv(X))) == "-kron(inv(X), inv(X)')"
    assert str(OPERATIONS["transpose"].rules["X"].expression(Variable("Y", (2, 3)).T)) == (
        "comm(3, 2)"
    )


# ----- refused, with the reason -----
def test_inv_refuses_a_singular_or_ill_conditioned_matrix():
    with pytest.raises(InputError, match="singular to working precision"):
        J.inv(np.ones((3, 3)))
    with pytest.raises(InputError, match="condition number"):
        J.inv(np.diag([1.0, 1e-17]))


def test_logdet_refuses_a_determinant_not_positive():
    with pytest.raises(InputError, match=r"det\(X\) > 0.*\n.*-2.*\n.*log\(abs\(det\(X\)\)\)"):
        J.logdet(np.diag([-1.0, 2.0]))
    with pytest.raises(InputError, match="det"):
        J.logdet(np.zeros((2, 2)))
    with pytest.raises(InputError, match="singular"):  # det > 0, but X⁻ᵀ is noise
        _ = J.logdet(np.diag([1e20, 1e-20])).jacobian


@pytest.mark.parametrize("name", ["tr", "det", "logdet", "inv"])
def test_square_maps_refuse_a_matrix_that_is_not_square(name):
    with pytest.raises(ShapeError, match=rf"{name}: .*'X'.*\n.*square"):
        OPERATIONS[name](np.ones((2, 3)))


def test_diag_refuses_a_row_and_a_rectangle():
    with pytest.raises(ShapeError, match="square"):
        J.diag(np.ones((2, 3)))
    with pytest.raises(ShapeError, match="not a row"):
        J.diag(Variable("x", (3, 1)).T)


def test_matmul_with_a_scalar_is_refused_in_favour_of_the_scalar_product():
    with pytest.raises(ShapeError, match=r"`\*` on the scalar"):
        J.matmul(Variable("a", ()), Variable("B", (2, 2)))


def test_three_dimensional_arrays_are_refused():
    for op in (J.transpose, J.vec, J.tr, J.inv):
        with pytest.raises(ShapeError, match="a scalar"):
            op(np.ones((2, 2, 2)))


def test_a_vectors_transpose_is_the_identity_and_keeps_a_products_structure():
    for v in (np.ones(3), np.ones((3, 1)), np.ones((1, 3))):
        assert J.transpose(v).jacobian.kind == "identity"
    n = 3000  # ∂(xyᵀ)/∂y = x ⊗ I: dense, it would take 201 GiB
    f = J.parse("x*y'", [f"x={n}", f"y={n}"])
    v = {"x": np.linspace(-1, 1, n), "y": np.ones(n)}
    for name in ("x", "y"):
        assert f.jacobian(name, v).kind == "kronecker"
    small = J.parse("x*y'", ["x=3", "y=4"])
    v = {"x": np.arange(3.0), "y": np.arange(4.0) + 1}
    np.testing.assert_array_equal(
        small.jacobian("y", v).matrix, np.kron(v["x"][:, None], np.eye(4))
    )
