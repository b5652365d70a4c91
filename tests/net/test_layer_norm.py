"""LayerNorm, BatchNorm and Embedding: the Jacobian backward pass against the shortcut (1e-10
relative) and complex-step numerics (1e-6) for C = sum(R ⊙ layer(X)), on drawn sizes, one
column and batches; batch norm's coupling; their factors; bad input named by the layer."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jacobians import InputError, ShapeError
from net import Network
from net._layer_norm import BatchNorm, Embedding, LayerNorm

from .layer_checks import check_three_ways

seeds = st.integers(0, 2**32 - 1)


def _terms(P, cache, R):
    """The size of the terms γ ⊙ g/σ that a norm's input gradient sums and cancels."""
    return np.abs(P["gamma"].reshape(-1, 1) * R / cache.sigma).max()


def drawn(layer, n, d, seed):
    rng = np.random.default_rng(seed)
    P, out = layer.init(rng, (n,), f"{type(layer).__name__}(layer 1)")
    assert out == (n,) and P["gamma"].shape == P["beta"].shape == (n,)
    return P, rng.normal(size=(n, d)) * 2 + 1


@settings(max_examples=25)
@given(n=st.integers(1, 6), d=st.integers(1, 5), seed=seeds, eps=st.sampled_from([1e-5, 0.3]))
def test_layernorm_three_ways(n, d, seed, eps):
    layer = LayerNorm(eps=eps)
    P, X = drawn(layer, n, d, seed)
    check_three_ways(layer, P, X, seed, terms=_terms)


@settings(max_examples=25)
@given(n=st.integers(1, 6), d=st.integers(2, 5), seed=seeds, eps=st.sampled_from([1e-5, 0.3]))
def test_batchnorm_three_ways(n, d, seed, eps):
    layer = BatchNorm(eps=eps)
    P, X = drawn(layer, n, d, seed)
    check_three_ways(layer, P, X, seed, terms=_terms)


@settings(max_examples=25)
@given(
    vocab=st.integers(1, 7),
    dim=st.integers(1, 5),
    s=st.integers(1, 6),
    seed=seeds,
    as_float=st.booleans(),
)
def test_embedding_three_ways(vocab, dim, s, seed, as_float):
    layer = Embedding(vocab, dim)
    rng = np.random.default_rng(seed)
    P, out = layer.init(rng, (), "Embedding(layer 1)")
    assert out == (dim,) and P["E"].shape == (dim, vocab)
    ids = rng.integers(0, vocab, size=s)
    X = ids.astype(float) if as_float else ids  # a network carries its input as floats
    np.testing.assert_array_equal(layer.forward(P, X).value, P["E"][:, ids])
    check_three_ways(layer, P, X, seed, differentiable_input=False)


def test_a_repeated_token_adds_its_gradients():
    layer = Embedding(3, 2)
    P = {"E": np.zeros((2, 3))}
    cache = layer.forward(P, np.array([1, 1, 2]))
    G = np.array([[1.0, 10.0, 100.0], [2.0, 20.0, 200.0]])
    want = np.array([[0.0, 11.0, 100.0], [0.0, 22.0, 200.0]])
    for step in (layer.jacobian_backward, layer.shortcut_backward):
        np.testing.assert_array_equal(step(P, cache, G)[0]["E"], want)


# ----- structure: batch norm couples the samples, layer norm does not -----
def test_batchnorm_factor_couples_samples_and_layernorm_factor_does_not():
    n, d = 3, 4
    P, X = drawn(BatchNorm(), n, d, 5)
    for layer, coupled in ((BatchNorm(), True), (LayerNorm(), False)):
        (name, J), *_ = layer.factors(P, layer.forward(P, X))
        assert name == "∂y/∂x" and J.kind == "diagonal-plus-low-rank"
        M = J.matrix.reshape(n, d, n, d)
        between = max(np.abs(M[:, j, :, m]).max() for j in range(d) for m in range(d) if j != m)
        assert bool(between > 1e-6) is coupled
        assert J.structure.low_rank == (2, 2 if coupled else 1)


def test_factors_carry_the_registry_closed_forms():
    P, X = drawn(LayerNorm(), 3, 2, 1)
    layer = LayerNorm()
    factors = layer.factors(P, layer.forward(P, X))
    assert [name for name, _ in factors] == ["∂y/∂x", "∂y/∂γ", "∂y/∂β"]
    assert [J.closed_form for _, J in factors] == [
        "diag(γ/σ)(I_3 − 11ᵀ/3 − x̂x̂ᵀ/3)",
        "diag(vec x̂)(I_3 ⊗ 1_2)",
        "I_3 ⊗ 1_2",
    ]
    assert [J.symbol for _, J in factors] == ["∂y/∂x", "∂y/∂γ", "∂y/∂β"]
    one = layer.factors(P, layer.forward(P, X[:, :1]))
    assert [J.closed_form for _, J in one][1:] == ["diag(x̂)", "I_3"]
    emb = Embedding(4, 3)
    E = {"E": np.ones((3, 4))}
    [(name, J)] = emb.factors(E, emb.forward(E, np.array([0, 3])))
    assert (name, J.closed_form, J.kind) == ("∂y/∂E", "I_3 ⊗ S, S[j, ids[j]] = 1", "kronecker")


# ----- bad input, named by the layer -----
def test_batchnorm_refuses_one_sample_naming_the_layer():
    layer = BatchNorm()
    P, X = drawn(layer, 3, 1, 0)
    with pytest.raises(ShapeError, match="at least 2 samples") as e:
        layer.forward(P, X)
    assert (e.value.op, e.value.arg) == ("BatchNorm(layer 1)", "X")
    assert e.value.got == "one sample (an (n, 1) batch of shape (3, 1))"


def test_a_network_given_one_sample_before_batchnorm_says_so():
    network = Network("batchnorm,dense:1", (2,))
    with pytest.raises(ShapeError, match="one sample"):
        network.forward(np.ones(2))  # not described as the (2, 1) batch it was made into


@pytest.mark.parametrize("layer", [LayerNorm(), BatchNorm()])
def test_norms_take_one_vector_per_sample(layer):
    with pytest.raises(ShapeError) as e:
        layer.init(np.random.default_rng(0), (2, 3), "LayerNorm(layer 2)")
    assert (e.value.op, e.value.arg) == ("LayerNorm(layer 2)", "in_shape")


@pytest.mark.parametrize("eps", [0.0, -1.0, float("nan"), "1e-5"])
def test_eps_is_checked_when_the_layer_is_made(eps):
    with pytest.raises(InputError) as e:
        LayerNorm(eps=eps)
    assert (e.value.op, e.value.arg) == ("LayerNorm", "eps")


@pytest.mark.parametrize(
    ("X", "error", "text"),
    [
        (np.array([0, 4]), InputError, "ids[1] = 4"),
        (np.array([0.5, 1.0]), InputError, "whole numbers as token ids"),
        (np.array([[0, 1]]), ShapeError, "shape (1, 2)"),
    ],
)
def test_embedding_refuses_ids_naming_the_layer(X, error, text):
    layer = Embedding(4, 2)
    P, _ = layer.init(np.random.default_rng(0), (), "Embedding(layer 1)")
    with pytest.raises(error) as e:
        layer.forward(P, X)
    assert (e.value.op, e.value.arg) == ("Embedding(layer 1)", "X") and text in str(e.value)


def test_embedding_arguments_and_input_shape():
    for args in ((0, 3), (3, 2.0), (True, 3)):
        with pytest.raises(InputError):
            Embedding(*args)
    with pytest.raises(ShapeError, match=r"input_shape=\(\)") as e:
        Embedding(3, 2).init(np.random.default_rng(0), (3,), "Embedding(layer 2)")
    assert (e.value.op, e.value.arg) == ("Embedding(layer 2)", "in_shape")
    assert (
        repr(Embedding(10, 4)) == "Embedding(10, 4)"
        and repr(LayerNorm(eps=0.1)) == "LayerNorm(eps=0.1)"
    )
