"""The Toeplitz structure (∂y/∂x of a convolution): its actions, dense form, transpose and costs
against a banded matrix written entry by entry from the definition, over sizes, strides, paddings
and samples drawn by hypothesis; the multiply-adds counted, not recomputed."""

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jacobians import Dense, Diagonal, InputError, InputTypeError, ShapeError, Toeplitz, compose
from jacobians import plan as plan_of
from jacobians._planner import STRUCTURES


def banded(w, size, stride, padding, d):
    """T ⊗ I_d over the row-major vec, entry by entry: T[(o, t), (c, s·t + k − p)] = w[o, c, k]."""
    C_out, C, *K = w.shape
    S_out = [(n + 2 * p - k) // s + 1 for n, k, s, p in zip(size, K, stride, padding, strict=True)]
    T = np.zeros((C_out, *S_out, d, C, *size, d))
    for o, c, j in itertools.product(range(C_out), range(C), range(d)):
        for t in itertools.product(*map(range, S_out)):
            for k in itertools.product(*map(range, K)):
                pos = tuple(
                    ti * s + ki - p for ti, s, ki, p in zip(t, stride, k, padding, strict=True)
                )
                if all(0 <= q < n for q, n in zip(pos, size, strict=True)):
                    T[(o, *t, j, c, *pos, j)] += w[(o, c, *k)]
    rows = C_out * int(np.prod(S_out)) * d
    return T.reshape(rows, -1)


@st.composite
def toeplitz_cases(draw):
    n = draw(st.sampled_from([1, 2]))
    C_out, C = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    kernel = tuple(draw(st.integers(1, 3)) for _ in range(n))
    padding = tuple(draw(st.integers(0, k - 1)) for k in kernel)
    size = tuple(
        draw(st.integers(max(1, k - 2 * p), 6)) for k, p in zip(kernel, padding, strict=True)
    )
    stride = tuple(draw(st.integers(1, 3)) for _ in range(n))
    d = draw(st.sampled_from([None, 1, 2, 3]))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    w = rng.normal(size=(C_out, C, *kernel))
    return Toeplitz(w, size, stride, padding, d), banded(w, size, stride, padding, d or 1), rng


@settings(max_examples=50)
@given(case=toeplitz_cases(), k=st.integers(1, 3))
def test_left_right_dense_and_transpose_are_the_banded_matrix(case, k):
    T, B, rng = case
    np.testing.assert_array_equal(T.matrix, B)
    assert T.shape == B.shape and T.kind == "toeplitz"
    M, G = rng.normal(size=(B.shape[1], k)), rng.normal(size=(k, B.shape[0]))
    np.testing.assert_allclose(T.left(M), B @ M, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(T.right(G), G @ B, rtol=1e-12, atol=1e-12)
    Tt = T.T
    assert (Tt.out_shape, Tt.in_shape, Tt.kind) == (T.in_shape, T.out_shape, "toeplitz")
    np.testing.assert_array_equal(Tt.matrix, B.T)
    np.testing.assert_allclose(Tt.left(G.T), B.T @ G.T, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(Tt.right(M.T), M.T @ B.T, rtol=1e-12, atol=1e-12)
    np.testing.assert_array_equal(Tt.T.matrix, B)
    # the bound that lets left/right skip the scan of their result
    for J, side, X in ((T, "left", M), (T, "right", G), (Tt, "left", G.T), (Tt, "right", M.T)):
        out = J.left(X) if side == "left" else J.right(X)
        assert np.abs(out).max() <= J._gain(side) * np.abs(X).max() * (1 + 1e-12)


# ----- the costs are what the arithmetic does -----
class Counted(np.ndarray):
    """Counts multiplications and additions: a matmul (m×q)·(q×n) does m·n·q of the one and
    m·n·(q − 1) of the other, an elementwise product or sum one per entry."""

    mul = add = 0

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        plain = [x.view(np.ndarray) if isinstance(x, Counted) else x for x in inputs]
        if "out" in kwargs:
            kwargs["out"] = tuple(x.view(np.ndarray) for x in kwargs["out"])
        result = getattr(ufunc, method)(*plain, **kwargs)
        assert method == "__call__", method
        if ufunc is np.matmul:
            q = np.shape(plain[0])[-1]
            Counted.mul += np.size(result) * q
            Counted.add += np.size(result) * (q - 1)
        elif ufunc is np.multiply:
            Counted.mul += np.size(result)
        elif ufunc is np.add:
            Counted.add += np.size(result)
        elif ufunc is not np.absolute:  # the gain's bound reads |w|
            raise AssertionError(f"uncounted ufunc {ufunc.__name__}")
        return result.view(Counted) if isinstance(result, np.ndarray) else result


def counted(f):
    Counted.mul = Counted.add = 0
    out = f()
    return np.asarray(out), Counted.mul, Counted.add


@settings(max_examples=30)
@given(case=toeplitz_cases(), k=st.integers(1, 3))
def test_costs_count_one_multiply_add_per_tap_of_each_output_entry(case, k):
    T, B, rng = case
    T.w = T.w.view(Counted)
    s, taps = T.structure, T.w[0].size
    assert s.block == T.shape[0] * taps  # C_in·ΠK per output entry, per column (row)
    M, G = rng.normal(size=(B.shape[1], k)), rng.normal(size=(k, B.shape[0]))
    out, mul, _ = counted(lambda: T._left(M))
    np.testing.assert_allclose(out, B @ M, atol=1e-12)
    assert mul == Toeplitz.left_cost(s, k) == k * T.shape[0] * taps
    # from the right, each product is followed by one addition into its place (the col2im sum)
    out, mul, add = counted(lambda: T._right(G))
    np.testing.assert_allclose(out, G @ B, atol=1e-12)
    assert mul == add == Toeplitz.right_cost(s, k)
    Tt = T.T
    assert Tt.structure.block == s.block
    _, mul, add = counted(lambda: Tt._left(G.T))
    assert mul == add == Toeplitz.left_cost(Tt.structure, k)
    _, mul, _ = counted(lambda: Tt._right(M.T))
    assert mul == Toeplitz.right_cost(Tt.structure, k)
    assert Toeplitz.dense_cost(s) == 0  # the taps are written, never multiplied


def test_the_planner_knows_it_and_it_applies_itself_to_a_dense_factor():
    assert STRUCTURES["toeplitz"] is Toeplitz
    rng = np.random.default_rng(0)
    w = rng.normal(size=(2, 3, 2))
    T = Toeplitz(w, 5, 1, 1, 2)  # 2×6×2 by 3×5×2
    D = Dense(rng.normal(size=(4, T.shape[0])), in_shape=T.out_shape)
    cost, out, method = plan_of(D.structure, T.structure)
    assert (method, out.kind, cost) == ("toeplitz_right", "dense", 4 * T.shape[0] * 6)
    np.testing.assert_allclose(compose(D, T).matrix, D.matrix @ T.matrix, atol=1e-12)
    E = Dense(rng.normal(size=(T.shape[1], 3)), out_shape=T.in_shape)
    assert plan_of(T.structure, E.structure)[2] == "toeplitz_left"
    np.testing.assert_allclose(compose(T, E).matrix, T.matrix @ E.matrix, atol=1e-12)
    # a diagonal (rank 1) applies itself to the band made dense: no arithmetic to make it
    Dg = Diagonal(rng.normal(size=T.out_shape))
    assert plan_of(Dg.structure, T.structure)[2] == "diag_left"
    np.testing.assert_allclose((Dg @ T).matrix, Dg.matrix @ T.matrix, atol=1e-12)
    np.testing.assert_allclose((T.T @ T).matrix, T.matrix.T @ T.matrix, atol=1e-12)


def test_a_small_band_written_out():
    T = Toeplitz(np.array([[[1.0, 2.0, 3.0]]]), 4, stride=2, padding=1)
    # rows t = 0, 1: positions 2t − 1 + k for k = 0, 1, 2 (−1 is the padding's zero)
    np.testing.assert_array_equal(T.matrix, [[2.0, 3.0, 0.0, 0.0], [0.0, 1.0, 2.0, 3.0]])
    assert (T.out_shape, T.in_shape) == ((1, 2), (1, 4))
    T2 = Toeplitz(np.ones((1, 1, 2, 2)), (2, 3), d=2)
    assert (T2.out_shape, T2.in_shape, T2.shape) == ((1, 1, 2, 2), (1, 2, 3, 2), (4, 12))


@pytest.mark.parametrize(
    ("error", "arg", "call"),
    [
        (ShapeError, "w", lambda: Toeplitz(np.ones((2, 2)), 3)),
        (InputTypeError, "w", lambda: Toeplitz("w", 3)),
        (InputError, "w", lambda: Toeplitz(np.full((1, 1, 2), np.nan), 3)),
        (ShapeError, "size", lambda: Toeplitz(np.ones((1, 1, 2)), (3, 3))),
        (InputTypeError, "size", lambda: Toeplitz(np.ones((1, 1, 2)), 2.5)),
        (InputError, "size", lambda: Toeplitz(np.ones((1, 1, 2)), 0)),
        (InputError, "stride", lambda: Toeplitz(np.ones((1, 1, 2)), 3, stride=0)),
        (InputTypeError, "stride", lambda: Toeplitz(np.ones((1, 1, 2)), 3, stride=1.0)),
        (InputTypeError, "stride", lambda: Toeplitz(np.ones((1, 1, 2)), 3, stride=True)),
        (InputError, "stride", lambda: Toeplitz(np.ones((1, 1, 2, 2)), (3, 3), stride=(1, 1, 1))),
        (InputError, "padding", lambda: Toeplitz(np.ones((1, 1, 2)), 3, padding=-1)),
        (InputError, "padding", lambda: Toeplitz(np.ones((1, 1, 2)), 3, padding=2)),
        (ShapeError, "w", lambda: Toeplitz(np.ones((1, 1, 5)), 2, padding=1)),
        (InputError, "d", lambda: Toeplitz(np.ones((1, 1, 2)), 3, d=0)),
        (InputTypeError, "d", lambda: Toeplitz(np.ones((1, 1, 2)), 3, d=2.0)),
    ],
)
def test_bad_arguments_are_refused_by_name(error, arg, call):
    with pytest.raises(error) as info:
        call()
    assert str(info.value).startswith(f"Toeplitz: bad argument '{arg}'"), str(info.value)
