"""The chain: single layer vs the Hadamard shortcut, orders, structure vs dense, costs, gradient."""

from itertools import pairwise

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

import jacobians as J
from jacobians import (
    BlockDiagonal,
    Dense,
    Diagonal,
    Identity,
    Kronecker,
    chain,
    chain_costs,
    to_gradient,
)
from jacobians._sum import plan_sum

seeds = st.integers(0, 2**32 - 1)
sizes = st.integers(1, 8)


# ----- the referee: the Hadamard shortcut, written without the registry -----
def sig(z):
    return 1 / (1 + np.exp(-z))


DERIV = {  # σ′(z), by hand
    "sigmoid": lambda z: sig(z) * (1 - sig(z)),
    "tanh": lambda z: 1 - np.tanh(z) ** 2,
    "relu": lambda z: (z > 0).astype(float),
    "leaky_relu": lambda z: np.where(z > 0, 1.0, 0.01),
    "softplus": sig,
    "identity": np.ones_like,
}
DCOST = {  # ∂C/∂a as a vector, by hand
    "squared_error": lambda a, y: a - y,
    "cross_entropy": lambda a, y: -y / a,
    "binary_cross_entropy": lambda a, y: -y / a + (1 - y) / (1 - a),
}
COMBOS = (
    [(act, "squared_error") for act in [*DERIV, "softmax"]]
    + [(act, "cross_entropy") for act in ("sigmoid", "softplus", "softmax")]
    + [(act, "binary_cross_entropy") for act in ("sigmoid", "softmax")]
    + [("identity", "softmax_cross_entropy"), ("identity", "sigmoid_binary_cross_entropy")]
)


def shortcut_delta(act, cost, z, a, y):
    """δ = ∂C/∂z as a vector: g ⊙ σ′(z), or the softmax's s ⊙ (g − gᵀs)."""
    if cost == "softmax_cross_entropy":
        s = np.exp(z - z.max())
        return s / s.sum() - y
    if cost == "sigmoid_binary_cross_entropy":
        return sig(z) - y
    g = DCOST[cost](a, y)
    if act == "softmax":
        return a * (g - g @ a)
    return g * DERIV[act](z)


def layer(act, cost, n, m, seed):
    rng = np.random.default_rng(seed)
    W, x, b = rng.normal(size=(n, m)), rng.normal(size=m), rng.normal(size=n)
    y = rng.random(n)
    if cost in ("cross_entropy", "softmax_cross_entropy"):
        y /= y.sum()
    if act in ("relu", "leaky_relu"):  # keep z away from the kink
        z0 = W @ x + b
        b = b + np.where(np.abs(z0) < 0.05, 0.1, 0.0)
    return W, x, b, y


@pytest.mark.parametrize(("act", "cost"), COMBOS)
@given(n=sizes, m=sizes, seed=seeds, order=st.sampled_from(J.ORDERS))
def test_single_layer_chain_equals_hadamard_shortcut(act, cost, n, m, seed, order):
    assume(not (act == "softmax" and cost == "binary_cross_entropy" and n == 1))  # a = 1
    W, x, b, y = layer(act, cost, n, m, seed)
    z = J.linear(W, x, b)
    a = J.OPERATIONS[act](z.value)
    C = J.OPERATIONS[cost](a.value, y)
    delta = shortcut_delta(act, cost, z.value, a.value, y)
    want = {"W": np.outer(delta, x), "b": delta, "x": W.T @ delta}
    for wrt, expected in want.items():
        row = chain(C.jacobian, a.jacobian, z.jacobians[wrt], order=order)
        assert row.shape == (1, expected.size)
        grad = to_gradient(row, expected.shape)
        scale = max(np.abs(expected).max(), 1e-300)
        np.testing.assert_allclose(grad, expected, rtol=1e-12, atol=1e-12 * scale)


def test_single_layer_shapes_1xn_nxn_nxnm():
    n, m = 3, 4
    W, x, b, y = layer("sigmoid", "squared_error", n, m, 0)
    z = J.linear(W, x, b)
    a = J.sigmoid(z.value)
    C = J.squared_error(a.value, y)
    assert [F.shape for F in (C.jacobian, a.jacobian, z.jacobians["W"])] == [
        (1, n),
        (n, n),
        (n, n * m),
    ]
    row = chain(C.jacobian, a.jacobian, z.jacobians["W"])
    assert row.kind == "row" and row.shape == (1, n * m)
    assert row.symbol == "∂C/∂W"
    assert row.closed_form == "(a − y)ᵀ · diag(σ(z) ⊙ (1 − σ(z))) · (I_n ⊗ xᵀ)"
    assert to_gradient(row).shape == (n, m)  # the parameter's shape travels with the row
    assert chain_costs(C.jacobian, a.jacobian, z.jacobians["W"]) == {
        "left": n + n * m,  # row ⊙ diagonal, then the outer product
        "right": n * n * m + n * n * m,  # diag · (I_n ⊗ xᵀ) made dense, then a dense row product
        "cheapest": n + n * m,
    }


# ----- random chains of every structure: orders agree and equal the dense product -----
def _divisors(k):
    return [i for i in range(1, k + 1) if k % i == 0]


@st.composite
def chains(draw):
    dims = draw(st.lists(st.sampled_from([1, 2, 3, 4, 6]), min_size=2, max_size=6))
    rng = np.random.default_rng(draw(seeds))
    factors = []
    for r, c in pairwise(dims):
        kinds = ["dense", "kron"] + (["identity", "diagonal", "blocks"] if r == c else [])
        kind = draw(st.sampled_from(kinds))
        if kind == "identity":
            factors.append(Identity((r,)))
        elif kind == "diagonal":
            factors.append(Diagonal(rng.normal(size=r)))
        elif kind == "blocks":
            n = draw(st.sampled_from(_divisors(r)))
            factors.append(BlockDiagonal(rng.normal(size=(r // n, n, n)), (r,), (r,)))
        elif kind == "dense":
            factors.append(Dense(rng.normal(size=(r, c))))
        else:
            a, b = draw(st.sampled_from(_divisors(r))), draw(st.sampled_from(_divisors(c)))
            L = a if a == b and draw(st.booleans()) else rng.normal(size=(a, b))
            p, q = r // a, c // b
            R = p if p == q and draw(st.booleans()) else rng.normal(size=(p, q))
            factors.append(Kronecker(L, R))
    return factors


@given(factors=chains())
def test_orders_agree_and_equal_the_dense_product(factors):
    dense = factors[0].matrix
    for F in factors[1:]:
        dense = dense @ F.matrix
    for order in J.ORDERS:
        P = chain(*factors, order=order)
        assert P.shape == dense.shape
        np.testing.assert_allclose(
            P.matrix, dense, rtol=1e-12, atol=1e-12 * max(1, np.abs(dense).max())
        )
    dense_path = chain(*[Dense(F.matrix) for F in factors])
    np.testing.assert_allclose(
        dense_path.matrix, dense, rtol=1e-12, atol=1e-12 * max(1, np.abs(dense).max())
    )
    costs = chain_costs(*factors)
    assert costs["cheapest"] <= min(costs["left"], costs["right"])


@given(dims=st.lists(sizes, min_size=2, max_size=6), seed=seeds)
def test_costs_of_dense_chains_are_the_textbook_counts(dims, seed):
    rng = np.random.default_rng(seed)
    factors = [Dense(rng.normal(size=(r, c))) for r, c in pairwise(dims)]
    left = sum(dims[0] * dims[k] * dims[k + 1] for k in range(1, len(dims) - 1))
    right = sum(dims[k - 1] * dims[k] * dims[-1] for k in range(1, len(dims) - 1))
    costs = chain_costs(*factors)
    assert (costs["left"], costs["right"]) == (left, right)


@given(
    a=st.integers(1, 4),
    b=st.integers(1, 4),
    p=st.integers(1, 4),
    q=st.integers(1, 4),
    li=st.booleans(),
    ri=st.booleans(),
    k=st.integers(1, 3),
    seed=seeds,
)
def test_kronecker_actions_equal_dense(a, b, p, q, li, ri, k, seed):
    rng = np.random.default_rng(seed)
    L = a if li else rng.normal(size=(a, b))
    R = p if ri else rng.normal(size=(p, q))
    b, q = (a if li else b), (p if ri else q)
    K = Kronecker(L, R)
    dense = np.kron(np.eye(a) if li else L, np.eye(p) if ri else R)
    np.testing.assert_array_equal(K.matrix, dense)
    M = rng.normal(size=(b * q, k))
    np.testing.assert_allclose(K.left(M), dense @ M, atol=1e-12)
    G = rng.normal(size=(k, a * p))
    np.testing.assert_allclose(K.right(G), G @ dense, atol=1e-12)


@given(n=st.integers(1, 4), d=st.integers(1, 4), k=st.integers(1, 3), seed=seeds)
def test_block_diagonal_actions_equal_dense(n, d, k, seed):
    rng = np.random.default_rng(seed)
    B = rng.normal(size=(d, n, n))
    J_ = BlockDiagonal(B)
    dense = np.zeros((n * d, n * d))  # entry (i, j) of the (n, d) batch sits at i·d + j
    for j in range(d):
        idx = np.arange(n) * d + j
        dense[np.ix_(idx, idx)] = B[j]
    np.testing.assert_array_equal(J_.matrix, dense)
    assert (J_.out_shape, J_.in_shape, J_.structure.block) == ((n, d), (n, d), n)
    M = rng.normal(size=(n * d, k))
    np.testing.assert_allclose(J_.left(M), dense @ M, atol=1e-12)
    G = rng.normal(size=(k, n * d))
    np.testing.assert_allclose(J_.right(G), G @ dense, atol=1e-12)


def test_block_diagonal_refuses_bad_blocks_and_shapes():
    with pytest.raises(J.ShapeError, match=r"(?s)BlockDiagonal.*'B'.*\(d, p, q\).*\(2, 3\)"):
        BlockDiagonal(np.ones((2, 3)))
    with pytest.raises(J.ShapeError, match="6 entries each"):
        BlockDiagonal(np.ones((2, 3, 3)), (7,), (6,))
    assert BlockDiagonal(np.ones((2, 3, 3)), (6,), (6,)).shape == (6, 6)
    # rectangular blocks (p×q): their shapes are checked against p·d rows and q·d columns
    with pytest.raises(J.ShapeError, match="6 entries out and 8 in for 2 blocks of 3×4"):
        BlockDiagonal(np.ones((2, 3, 4)), (6,), (6,))
    assert BlockDiagonal(np.ones((2, 3, 4)), (6,), (2, 4)).shape == (6, 8)


def test_rectangular_blocks_add_block_by_block_at_d_p_q_additions():
    rng = np.random.default_rng(0)
    A, B = (BlockDiagonal(rng.normal(size=(2, 3, 4))) for _ in range(2))
    S = J.add_jacobians(A, B)
    assert S.kind == "block-diagonal"
    np.testing.assert_array_equal(S.matrix, A.matrix + B.matrix)
    assert plan_sum(A.structure, B.structure) == (2 * 3 * 4, S.structure)


def test_batch_softmax_keeps_one_block_per_sample():
    # diag(a) − a aᵀ per sample, kept as its three vectors instead of a dense (nd)×(nd) or d
    # blocks of n×n: a batch of 3000 softmax columns of 10 would be 7.2 GB dense and 2.4 MB in
    # blocks; here it is 0.7 MB, and a row times it costs what a Hadamard step costs.
    rng = np.random.default_rng(2)
    n, d = 10, 3000
    z = rng.normal(size=(n, d))
    A = J.softmax(z).jacobian
    assert A.kind == "diagonal-plus-low-rank" and A.shape == (n * d, n * d)
    assert (A.d.shape, A.U.shape, A.structure.block) == ((n * d,), (1, n * d), n)
    with pytest.raises(J.DenseLimitError, match=r"30000×30000.*6\.7 GiB"):
        _ = A.matrix
    g = rng.normal(size=(1, n * d))
    s = J.softmax.value(z)
    G = g.reshape(n, d)
    np.testing.assert_allclose(A.right(g).reshape(n, d), s * (G - (s * G).sum(axis=0)), atol=1e-15)
    small = J.softmax(z[:, :3]).jacobian.matrix
    for j in range(3):  # each block is the one-sample Jacobian of its column (to rounding: a
        # batch's column sums run in another order)
        block = small[j::3, j::3]  # entry (i, j) of the (n, 3) batch sits at i·3 + j
        np.testing.assert_allclose(block, J.softmax(z[:, j]).jacobian.matrix, rtol=1e-14)


def test_batch_linear_keeps_kronecker_structure():
    rng = np.random.default_rng(1)
    n, m, d = 4, 3, 5
    W, X, b = rng.normal(size=(n, m)), rng.normal(size=(m, d)), rng.normal(size=n)
    r = J.linear(W, X, b)
    assert r.value.shape == (n, d)
    assert [r.jacobians[k].kind for k in "Wxb"] == ["kronecker"] * 3
    assert r.jacobians["W"].shape == (n * d, n * m)
    a = J.sigmoid(r.value)
    C = J.squared_error(a.value, rng.normal(size=(n, d)))
    row = chain(C.jacobian, a.jacobian, r.jacobians["W"], order="left")
    assert row.kind == "row"  # never a dense nd×nm matrix on the way
    g = (C.jacobian.matrix.reshape(n, d)) * a.value * (1 - a.value)
    np.testing.assert_allclose(to_gradient(row, W.shape), g @ X.T, rtol=1e-12)


def test_chain_error_names_both_factors_and_shapes():
    z = J.linear(np.ones((3, 4)), np.ones(4), np.ones(3))
    a = J.sigmoid(z.value)
    with pytest.raises(J.ShapeError) as info:
        chain(a.jacobian, z.jacobians["W"], a.jacobian)
    msg = str(info.value)
    for word in ("chain", "factors 2 and 3", "∂z/∂W", "3×12", "∂a/∂z", "3×3"):
        assert word in msg, msg


def test_chain_rejects_bad_arguments():
    z = J.linear(np.ones((3, 4)), np.ones(4), np.ones(3))
    with pytest.raises(J.InputError, match="order"):
        chain(z.jacobians["W"], order="fastest")
    with pytest.raises(J.InputError, match="factor 1"):
        chain(np.eye(3))
    with pytest.raises(J.InputError, match="at least one"):
        chain()
    with pytest.raises(J.ShapeError, match="inner sizes"):
        _ = Dense(np.ones((2, 3))) @ Dense(np.ones((2, 3)))


def test_to_gradient():
    np.testing.assert_array_equal(
        to_gradient(np.arange(6.0)[None], (2, 3)), np.arange(6.0).reshape(2, 3)
    )
    with pytest.raises(J.ShapeError, match="row"):
        to_gradient(Dense(np.ones((2, 6))), (2, 3))
    with pytest.raises(J.ShapeError, match="6 entries"):
        to_gradient(np.ones((1, 6)), (4, 2))
    with pytest.raises(J.InputError, match="shape"):
        to_gradient(np.ones((1, 6)))


def test_an_infinite_derivative_is_refused_not_returned():
    # ∂C/∂y = −(log a)ᵀ is +∞ where a = 0: no Jacobian holds an infinity (issue 15)
    C = J.cross_entropy(np.array([1.0, 0.0]), np.array([1.0, 0.0]))
    with pytest.raises(J.InputError, match="a > 0 everywhere for ∂C/∂y"):
        C.jacobians["y"]
    with pytest.raises(J.InputError):
        to_gradient(np.array([[0.0, np.inf]]), (2,))


# ----- the limit on dense matrices -----
def test_dense_limit_refuses_with_the_size_and_how_to_raise_it():
    z = J.linear(np.ones((64, 64)), np.ones(64), np.ones(64))
    JW = z.jacobians["W"]  # 64 × 4096 float64 = 2 MiB
    previous = J.set_dense_limit(1024**2)
    try:
        with pytest.raises(J.DenseLimitError) as info:
            _ = JW.matrix
        msg = str(info.value)
        for word in (
            "∂z/∂W",
            "64×4096",
            "2.0 MiB",
            "1.0 MiB",
            "set_dense_limit",
            "limit=",
            "JACOBIANS_DENSE_LIMIT",
        ):
            assert word in msg, msg
        assert JW.dense(limit=4 * 1024**2).shape == (64, 4096)
        # a product that would be dense and too large is refused before it is computed ...
        a = J.sigmoid(z.value)
        with pytest.raises(J.DenseLimitError, match="∂a/∂z · ∂z/∂W"):
            chain(a.jacobian, JW, order="left")
        # ... while the structured chain from the cost row needs no dense matrix at all
        C = J.squared_error(a.value, np.zeros(64))
        assert chain(C.jacobian, a.jacobian, JW).shape == (1, 4096)
    finally:
        J.set_dense_limit(previous)
    assert J.dense_limit() == previous


def test_set_dense_limit_validates():
    with pytest.raises(J.InputError, match="positive"):
        J.set_dense_limit(-1)
    previous = J.set_dense_limit(None)
    assert J.dense_limit() == 2 * 1024**3
    J.set_dense_limit(previous)


def test_dense_limit_from_the_environment():
    import subprocess
    import sys

    code = "import jacobians; print(jacobians.dense_limit())"
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env={**__import__("os").environ, "JACOBIANS_DENSE_LIMIT": "1e6"},
    )
    assert out.stdout.strip() == "1000000"


@given(factors=chains())
def test_a_product_keeps_the_structure_its_plan_made(factors):
    # compose stores the planner's structure instead of deriving it again: the two must agree.
    for A, B in pairwise(factors):
        P = J.compose(A, B)
        assert P.structure == P._structure_of()
        assert P.structure.kind == P.kind or (P.kind == "row" and P.structure.kind == "dense")
        assert (P.out_shape, P.in_shape) == (A.out_shape, B.in_shape)
