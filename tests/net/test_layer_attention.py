"""Attention: the Jacobian backward pass against the shortcut (1e-10 relative) and complex-step
numerics (1e-6) for C = sum(R ⊙ layer(X)) on drawn sizes (tokens s, heads, d_k), single and
multi-head, causal or not; the causal mask seen through the layer; its factors and chains; bad
input named by the layer."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jacobians import InputError, ShapeError, numeric
from net import Network
from net._layer_attention import Attention

from .layer_checks import check_three_ways

seeds = st.integers(0, 2**32 - 1)


def drawn(layer, d_model, s, seed):
    rng = np.random.default_rng(seed)
    P, out = layer.init(rng, (d_model,), "Attention(layer 1)")
    assert out == (d_model,) and set(P) == {"Wq", "Wk", "Wv", "Wo"}
    assert all(W.shape == (d_model, d_model) for W in P.values())
    return P, rng.normal(size=(d_model, s)) * 1.5


@settings(max_examples=12)
@given(
    s=st.integers(1, 5),
    heads=st.integers(1, 3),
    dk=st.integers(1, 3),
    causal=st.booleans(),
    seed=seeds,
)
def test_attention_three_ways(s, heads, dk, causal, seed):
    layer = Attention(heads=heads, causal=causal)
    P, X = drawn(layer, heads * dk, s, seed)
    check_three_ways(layer, P, X, seed)


@pytest.mark.parametrize(("heads", "causal"), [(1, False), (1, True), (4, False), (2, True)])
def test_single_and_multi_head_three_ways(heads, causal):
    layer = Attention(heads=heads, causal=causal)
    P, X = drawn(layer, 8, 6, heads)
    check_three_ways(layer, P, X, 11)


def test_one_head_is_the_registry_attention_of_the_projections():
    layer = Attention()
    P, X = drawn(layer, 3, 4, 0)
    Q, K, V = P["Wq"] @ X, P["Wk"] @ X, P["Wv"] @ X
    S = K.T @ Q / np.sqrt(3)
    A = np.exp(S - S.max(axis=0))
    A /= A.sum(axis=0)
    np.testing.assert_allclose(layer.forward(P, X).value, P["Wo"] @ V @ A, rtol=1e-13)


def test_heads_split_the_rows_of_the_projections_and_the_columns_of_wo():
    layer = Attention(heads=2)
    P, X = drawn(layer, 4, 3, 1)
    y = layer.forward(P, X).value
    want = 0
    for b in (slice(0, 2), slice(2, 4)):
        Q, K, V = (P[w][b] @ X for w in ("Wq", "Wk", "Wv"))
        S = K.T @ Q / np.sqrt(2)
        A = np.exp(S - S.max(axis=0))
        want = want + P["Wo"][:, b] @ V @ (A / A.sum(axis=0))
    np.testing.assert_allclose(y, want, rtol=1e-13)


def test_causal_tokens_do_not_see_later_ones():
    layer = Attention(heads=2, causal=True)
    P, X = drawn(layer, 4, 5, 2)
    y = layer.forward(P, X).value
    X2 = X.copy()
    X2[:, 3:] += 10.0  # change the last two tokens
    y2 = layer.forward(P, X2).value
    np.testing.assert_array_equal(y[:, :3], y2[:, :3])
    assert np.abs(y[:, 3:] - y2[:, 3:]).min() > 0
    # the gradient of an early token's output reaches no later token
    G = np.zeros_like(y)
    G[:, 1] = 1.0
    _, dX = layer.jacobian_backward(P, layer.forward(P, X), G)
    assert (dX[:, 2:] == 0).all() and np.abs(dX[:, :2]).max() > 0
    for hc in layer.forward(P, X).heads:
        assert (np.tril(hc.att.P, -1) == 0).all()


def test_factors_show_the_softmax_columns_and_how_q_k_v_enter():
    layer = Attention(heads=2)
    P, X = drawn(layer, 4, 3, 3)
    cache = layer.forward(P, X)
    factors = dict(layer.factors(P, cache))
    assert factors["∂P₁/∂S₁"].closed_form == "diag(p_j) − p_j p_jᵀ per column j of P₁"
    assert factors["∂P₁/∂S₁"].kind == "diagonal-plus-low-rank"
    assert factors["∂O₂/∂Q₂"].kind == "product"
    assert "(V₂ ⊗ I_s) J (K₂ᵀ ⊗ I_s)" in factors["∂O₂/∂Q₂"].closed_form
    assert factors["∂O₁/∂K₁"].kind == "product"
    assert factors["∂O₁/∂V₁"].closed_form == "I_2 ⊗ Pᵀ, P = softmax(K₁ᵀQ₁/√d_k)"
    assert factors["∂y/∂Wo₁"].closed_form == "I_4 ⊗ O₁ᵀ"
    assert factors["∂Q₂/∂X"].closed_form == "Wq₂ ⊗ I_3"
    # X reaches y by 3·heads paths: their products summed, the layer's Jacobian ∂y/∂X
    [(name, JX)] = layer.chain(P, cache)
    assert name == "∂y/∂X" and JX.kind == "sum" and len(JX.terms) == 6
    N = numeric(lambda v: layer.forward(P, v).value, X, method="complex")
    np.testing.assert_allclose(JX.matrix, N.matrix, rtol=1e-12, atol=1e-14)
    # Wv's rows are the heads' blocks: its Jacobian is the sum of the heads' paths, one factor
    [(name, JWv)] = layer.chain(P, cache, "Wv")
    assert name == "∂y/∂Wv" and JWv.kind == "sum" and len(JWv.terms) == 2
    one = Attention()
    P1, X1 = drawn(one, 3, 2, 4)
    assert [n for n, _ in one.chain(P1, one.forward(P1, X1), "Wk")] == [
        "∂y/∂O",
        "∂O/∂K",
        "∂K/∂Wk",
    ]


def test_in_a_network_the_three_gradients_agree():
    net = Network([Attention(heads=2, causal=True)], (4,))
    rng = np.random.default_rng(5)
    X, T = rng.normal(size=(4, 6)), rng.normal(size=(4, 6))
    gj, gs = net.gradients(X, T, "jacobian"), net.gradients(X, T, "shortcut")
    gn = net.gradients(X, T, "numeric")
    assert set(gj) == {"Wq1", "Wk1", "Wv1", "Wo1"}
    for k in gj:
        np.testing.assert_allclose(gj[k], gs[k], rtol=1e-10, atol=1e-14)
        np.testing.assert_allclose(gj[k], gn[k], rtol=1e-6, atol=1e-9)


def test_heads_not_dividing_the_width_is_named():
    with pytest.raises(InputError) as info:
        Attention(heads=3).init(np.random.default_rng(0), (8,), "Attention(layer 2)")
    err = info.value
    assert err.arg == "heads" and "Attention(layer 2)" in str(err) and "d_model = 8" in str(err)
    assert "heads = 3" in str(err)
    with pytest.raises(InputError, match="heads = 3"):
        Network([Attention(heads=3)], (4,))


@pytest.mark.parametrize(
    ("kwargs", "arg"),
    [({"heads": 0}, "heads"), ({"heads": 1.5}, "heads"), ({"heads": True}, "heads"),
     ({"causal": "yes"}, "causal"), ({"causal": 1}, "causal")],
)  # fmt: skip
def test_bad_options_are_named(kwargs, arg):
    with pytest.raises(InputError) as info:
        Attention(**kwargs)
    assert info.value.arg == arg and "Attention" in str(info.value)


def test_a_per_sample_input_that_is_not_a_vector_is_named():
    with pytest.raises(ShapeError) as info:
        Attention().init(np.random.default_rng(0), (2, 3), "Attention(layer 1)")
    assert info.value.arg == "in_shape" and "Attention(layer 1)" in str(info.value)
