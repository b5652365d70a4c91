"""attention: O = V softmax(KᵀQ/√d_k), its three Jacobians against complex step (with and without
the causal mask, t ≠ s), the causal mask's zero blocks, the structures kept, and bad input."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import jacobians as J
from jacobians import InputError, ShapeError, attention, numeric


def draw(seed, k, v, s, t, scale=1.0):
    r = np.random.default_rng(seed)
    return {
        "Q": scale * r.normal(size=(k, s)),
        "K": scale * r.normal(size=(k, t)),
        "V": r.normal(size=(v, t)),
    }


def softmax_columns(S):
    E = np.exp(S - S.max(axis=0))
    return E / E.sum(axis=0)


@settings(max_examples=15)
@given(
    k=st.integers(1, 4),
    v=st.integers(1, 4),
    s=st.integers(1, 5),
    extra=st.integers(0, 2),
    causal=st.booleans(),
    seed=st.integers(0, 2**32 - 1),
)
def test_every_rule_equals_complex_step(k, v, s, extra, causal, seed):
    t = s if causal else s + extra
    args = draw(seed, k, v, s, t, 2.0)
    r = attention(**args, causal=causal)
    for w in ("Q", "K", "V"):

        def f(x, w=w):
            return attention(**{**args, w: x}, causal=causal).value

        N = numeric(f, args[w], "complex")
        Jw = r.jacobians[w]
        assert Jw.out_shape == (v, s) and Jw.in_shape == args[w].shape
        scale = max(1.0, np.abs(N.matrix).max())
        np.testing.assert_allclose(Jw.matrix, N.matrix, rtol=1e-12, atol=1e-12 * scale)


def test_the_value_is_v_times_the_softmax_of_each_column_of_scores():
    args = draw(1, 3, 2, 4, 5)
    Q, K, V = args["Q"], args["K"], args["V"]
    P = softmax_columns(K.T @ Q / np.sqrt(3))
    np.testing.assert_allclose(attention(Q, K, V).value, V @ P, rtol=1e-14)
    # one query, keys e₀ and e₁ (d_k = 2): weights softmax([q₀, q₁]/√2)
    q = np.array([[np.sqrt(2) * np.log(3)], [0.0]])
    out = attention(q, np.eye(2), np.array([[1.0, 5.0]])).value
    np.testing.assert_allclose(out, [[0.75 * 1 + 0.25 * 5]])


def test_the_structures_kept():
    r = attention(**draw(2, 3, 2, 4, 6))
    JQ, JK, JV = (r.jacobians[w] for w in "QKV")
    assert (JQ.kind, JK.kind, JV.kind) == ("product", "product", "kronecker")
    # (V ⊗ I_s) · J · ∂S/∂(Q or K): the softmax's columns kept as a diagonal plus rank one
    kinds = [F.kind for F in JQ.factors], [F.kind for F in JK.factors]
    assert kinds[0] == ["kronecker", "diagonal-plus-low-rank", "kronecker"]
    assert kinds[1] == ["kronecker", "diagonal-plus-low-rank", "kronecker", "permutation"]
    assert JQ.shape == (8, 12)
    # dense, ∂O/∂Q is one v×k block per query: zero between different queries
    M = JQ.matrix.reshape(2, 4, 3, 4)
    assert all(np.abs(M[:, j, :, i]).max() == 0 for j in range(4) for i in range(4) if i != j)
    np.testing.assert_array_equal(JV.matrix, np.kron(np.eye(2), r.jacobians["V"].R))
    assert "diag(p_j) − p_j p_jᵀ" in JQ.closed_form and "⊗" in JK.closed_form
    assert JV.closed_form == "I_v ⊗ Pᵀ, P = softmax(KᵀQ/√d_k)"


@pytest.mark.parametrize("s", [1, 2, 5])
def test_the_causal_mask_has_its_zero_blocks(s):
    args = draw(3, 2, 3, s, s, 3.0)
    r = attention(**args, causal=True)
    P = r.jacobians["V"].R.T  # ∂O/∂V = I_v ⊗ Pᵀ
    below = np.tril(np.ones((s, s), dtype=bool), -1)  # key i > query j
    assert (P[below] == 0).all() and (P[~below] > 0).all()
    np.testing.assert_allclose(P.sum(axis=0), 1)
    TK, TV = r.jacobians["K"].tensor, r.jacobians["V"].tensor  # (v, s, k, t), (v, s, v, t)
    for j in range(s):
        for i in range(j + 1, s):
            assert (TK[:, j, :, i] == 0).all() and (TV[:, j, :, i] == 0).all()
    # query 0 sees key 0 only: its output is V's column 0, whatever Q and K
    np.testing.assert_array_equal(r.value[:, 0], args["V"][:, 0])
    # and where the mask allows, the blocks are not zero
    if s > 1:
        assert np.abs(TK[:, 1, :, 0]).max() > 0 and np.abs(TV[:, 1, :, 1]).max() > 0


def test_the_causal_mask_is_finite_and_exact_for_huge_scores():
    args = draw(4, 2, 2, 4, 4, 1e150)  # scores near 1e300: the softmax is a hard max
    r = attention(**args, causal=True)
    assert np.isfinite(r.value).all()
    for w in "QKV":
        assert np.isfinite(r.jacobians[w].matrix).all()


def test_overflow_in_a_jacobian_is_refused_by_name():
    # weights ½, ½ (tiny scores), V J Kᵀ ≈ 5e307 · 1e10
    Q, K, V = np.full((1, 2), 1e-20), np.array([[0.0, 1e10]]), np.array([[1e308, -1e308]])
    r = attention(Q, K, V)
    with pytest.raises(InputError, match=r"(?s)attention.*'arguments'.*range.*∂O/∂Q"):
        _ = r.jacobians["Q"].matrix  # kept as a product until then


def test_float32_and_scalars():
    args = {k: a.astype(np.float32) for k, a in draw(5, 2, 2, 3, 3).items()}
    r = attention(**args, causal=True)
    assert r.value.dtype == np.float32
    assert all(r.jacobians[w].matrix.dtype == np.float32 for w in "QKV")
    assert attention(0.5, 2.0, 3.0).value.tolist() == [[3.0]]


@pytest.mark.parametrize(
    ("args", "opts", "arg", "words"),
    [
        ((np.ones((3, 2)), np.ones((2, 2)), np.ones((1, 2))), {}, "K", "d_k = 3"),
        ((np.ones((3, 2)), np.ones((3, 4)), np.ones((1, 3))), {}, "V", "(v, 4)"),
        ((np.ones((3, 2)), np.ones((3, 4)), np.ones((1, 4))), {"causal": True}, "K", "4 keys"),
        ((np.ones(3), np.ones((3, 2)), np.ones((1, 2))), {}, "Q", "2-D"),
        ((np.ones((3, 2)), np.ones((3, 2, 1)), np.ones((1, 2))), {}, "K", "2-D"),
        ((np.ones((3, 2)), np.ones((3, 2)), np.ones((1, 2))), {"causal": "yes"}, "causal", "True"),
    ],
)
def test_bad_input_is_named(args, opts, arg, words):
    with pytest.raises(InputError) as info:
        attention(*args, **opts)
    assert info.value.arg == arg and "attention" in str(info.value) and words in str(info.value)


@pytest.mark.parametrize("arg", ["Q", "K", "V"])
@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_nan_and_infinity_are_refused_by_name(arg, bad):
    args = draw(8, 2, 2, 3, 3)
    args[arg][1, 2] = bad
    with pytest.raises(InputError) as info:
        attention(**args)
    assert info.value.arg == arg and "attention" in str(info.value)


def test_mismatched_dk_is_a_shape_error():
    with pytest.raises(ShapeError, match="as many rows"):
        attention(np.ones((4, 2)), np.ones((3, 2)), np.ones((2, 2)))


def test_a_row_times_the_jacobians_is_the_hand_written_backward_pass():
    args = draw(6, 3, 2, 5, 5)
    r = attention(**args, causal=True)
    G = np.random.default_rng(7).normal(size=r.value.shape)
    Q, K, V = args["Q"], args["K"], args["V"]
    P = r.jacobians["V"].R.T
    dP = V.T @ G
    dS = P * (dP - (P * dP).sum(axis=0)) / np.sqrt(3)
    want = {"Q": K @ dS, "K": Q @ dS.T, "V": G @ P.T}
    for w in "QKV":
        got = r.jacobians[w].right(G.reshape(1, -1)).reshape(args[w].shape)
        np.testing.assert_allclose(got, want[w], rtol=1e-12, atol=1e-14)


def test_it_is_in_the_registry_and_the_catalogue_with_its_structures():
    op = J.OPERATIONS["attention"]
    assert op.options == {"causal": False} and [p.name for p in op.params] == ["Q", "K", "V"]
    assert op.structures("Q") == ("product", "product")
    assert op.structures("K") == ("product", "product")
    assert op.structures("V") == ("kronecker", "kronecker")
