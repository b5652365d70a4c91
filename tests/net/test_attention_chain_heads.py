"""Attention's chain to a parameter with several heads: each head's path taken against the whole
parameter (its block of rows, E_h ⊗ Xᵀ), summed; Wo as one factor I ⊗ Oᵀ. The product equals the
gradient for 1, 2 and 4 heads, causal or not, in a network and alone."""

import numpy as np
import pytest

from jacobians import chain, numeric
from net import Network
from net._layer_attention import Attention


@pytest.mark.parametrize("heads", [1, 2, 4])
@pytest.mark.parametrize("causal", [False, True])
@pytest.mark.parametrize("wrt", ["Wq1", "Wk1", "Wv1", "Wo1"])
def test_the_chain_is_the_gradient_for_any_number_of_heads(heads, causal, wrt):
    net = Network(f"attention:{heads}{':causal' if causal else ''},dense:2", (4,), seed=heads)
    rng = np.random.default_rng(7)
    X, T = rng.normal(size=(4, 3)), rng.normal(size=(2, 3))
    f = net.factors(X, T, wrt)
    grad = f.gradient()
    np.testing.assert_allclose(grad, net.gradients(X, T, "shortcut")[wrt], rtol=1e-10, atol=1e-14)
    np.testing.assert_allclose(grad, net.gradients(X, T, "numeric")[wrt], rtol=1e-6, atol=1e-10)
    kind = f[-1].kind
    if heads == 1 or wrt == "Wo1":
        assert kind == "kronecker"
    else:
        assert kind == "sum" and len(f[-1].terms) == heads


def test_each_heads_factor_is_against_the_whole_parameter():
    layer = Attention(heads=2)
    rng = np.random.default_rng(3)
    P, _ = layer.init(rng, (4,), "Attention(layer 1)")
    X = rng.normal(size=(4, 3))
    cache = layer.forward(P, X)
    [(name, J)] = layer.chain(P, cache, "Wq")
    assert name == "∂y/∂Wq" and J.shape == (12, 16)
    assert "∂Q₂/∂Wq" in J.closed_form
    N = numeric(lambda W: layer.forward({**P, "Wq": W}, X).value, P["Wq"], method="complex")
    np.testing.assert_allclose(J.matrix, N.matrix, rtol=1e-10, atol=1e-13)
    [(name, Jo)] = layer.chain(P, cache, "Wo")
    assert name == "∂y/∂Wo" and Jo.closed_form == "I_4 ⊗ Oᵀ, O = [O₁; O₂]"
    N = numeric(lambda W: layer.forward({**P, "Wo": W}, X).value, P["Wo"], method="complex")
    np.testing.assert_allclose(chain(Jo).matrix, N.matrix, rtol=1e-10, atol=1e-13)
