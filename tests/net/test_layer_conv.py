"""Conv1d and Conv2d layers: the Jacobian backward pass (rows times the registry's structures)
against the hand-written shortcut to 1e-10 relative and against complex-step numerics to 1e-6,
for C = Σ R ⊙ layer(X), on hypothesis-drawn sizes, strides and paddings, one sample and
batches; the labelled factors; and each bad argument refused naming the layer."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jacobians import DenseLimitError, InputError, InputTypeError, ShapeError, numeric
from net import Dense, Flatten, Network
from net._layer_conv import Conv1d, Conv2d

from .layer_checks import relative


@st.composite
def layers(draw):
    n = draw(st.sampled_from([1, 2]))
    kernel = tuple(draw(st.integers(1, 3)) for _ in range(n))
    padding = tuple(draw(st.integers(0, k - 1)) for k in kernel)
    stride = tuple(draw(st.integers(1, 3)) for _ in range(n))
    size = tuple(
        draw(st.integers(max(1, k - 2 * p), 6)) for k, p in zip(kernel, padding, strict=True)
    )
    C_in, C_out = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    if n == 1:
        layer = Conv1d(C_out, kernel[0], stride[0], padding[0])
    else:
        layer = Conv2d(C_out, kernel, stride, padding)
    d = draw(st.sampled_from([1, 1, 2, 4]))  # one sample, and batches
    return layer, (C_in, *size), d, draw(st.integers(0, 2**32 - 1))


@settings(max_examples=40)
@given(case=layers())
def test_jacobian_backward_equals_the_shortcut_and_complex_step(case):
    layer, in_shape, d, seed = case
    rng = np.random.default_rng(seed)
    P, out_shape = layer.init(rng, in_shape, f"{layer.name}(layer 1)")
    X = rng.normal(size=(*in_shape, d))
    cache = layer.forward(P, X)
    assert cache.value.shape == (*out_shape, d)
    R = rng.normal(size=cache.value.shape)  # C = Σ R ⊙ layer(X): ∂C/∂output = R
    grads, dX = layer.jacobian_backward(P, cache, R)
    short, dX_short = layer.shortcut_backward(P, cache, R)
    assert dX.shape == X.shape and {k: g.shape for k, g in grads.items()} == {
        k: p.shape for k, p in P.items()
    }
    assert relative(dX, dX_short) <= 1e-10
    for k in P:
        assert relative(grads[k], short[k]) <= 1e-10, k

    def cost(**changed):
        return np.sum(R * layer.forward({**P, **changed.get("P", {})}, changed.get("X", X)).value)

    N = numeric(lambda v: cost(X=v), X, method="complex").matrix.reshape(X.shape)
    np.testing.assert_allclose(dX, N, rtol=1e-6, atol=1e-6 * max(1, np.abs(N).max()))
    for k in P:
        N = numeric(lambda v: cost(P={k: v}), P[k], method="complex").matrix  # noqa: B023
        scale = max(1, np.abs(N).max())
        np.testing.assert_allclose(grads[k], N.reshape(P[k].shape), rtol=1e-6, atol=1e-6 * scale)


def test_init_draws_the_documented_shapes_and_scales():
    layer = Conv1d(64, 5, padding=2)
    P, out = layer.init(np.random.default_rng(0), (40, 100), "Conv1d(layer 1)")
    assert out == (64, 100) and P["w"].shape == (64, 40, 5) and P["b"].shape == (64,)
    assert abs(P["w"].std() * np.sqrt(40 * 5) - 1) < 0.05 and abs(P["b"].std() / 0.1 - 1) < 0.3
    P2, out2 = Conv2d(3, (3, 2), stride=(2, 1), padding=1).init(
        np.random.default_rng(0), (2, 7, 5), "Conv2d(layer 1)"
    )
    assert out2 == (3, 4, 6) and P2["w"].shape == (3, 2, 3, 2)
    assert Conv1d(4, 3).kind == "conv1d" and Conv2d(4, 3).kind == "conv2d"
    assert repr(Conv1d(4, 3, padding=1)) == "Conv1d(4, 3, padding=1)"
    assert repr(Conv2d(4, (3, 2), stride=2)) == "Conv2d(4, (3, 2), stride=(2, 2))"


def test_factors_are_the_labelled_structured_jacobians():
    layer = Conv1d(2, 3, padding=1)
    rng = np.random.default_rng(0)
    P, _ = layer.init(rng, (3, 8), "Conv1d(layer 1)")
    cache = layer.forward(P, rng.normal(size=(3, 8, 4)))
    factors = layer.factors(P, cache)
    assert [(name, J.symbol, J.kind) for name, J in factors] == [
        ("∂y/∂x", "∂y/∂x", "toeplitz"),
        ("∂y/∂w", "∂y/∂w", "kronecker"),
        ("∂y/∂b", "∂y/∂b", "kronecker"),
    ]
    Jx, Jw, Jb = (J for _, J in factors)
    assert Jx.closed_form.startswith("T(w)") and Jw.closed_form.startswith("I_O ⊗ im2col(x)")
    assert Jb.latex == r"I_{O} \otimes \mathbf{1}"
    assert Jx.in_shape == (3, 8, 4) and Jw.in_shape == (2, 3, 3) and Jb.in_shape == (2,)


@pytest.mark.parametrize(
    ("error", "where", "arg", "call"),
    [
        (InputError, "Conv1d", "channels", lambda: Conv1d(0, 3)),
        (InputTypeError, "Conv1d", "channels", lambda: Conv1d(2.0, 3)),
        (InputTypeError, "Conv1d", "kernel", lambda: Conv1d(2, 2.5)),
        (InputError, "Conv1d", "kernel", lambda: Conv1d(2, 0)),
        (InputError, "Conv1d", "stride", lambda: Conv1d(2, 3, stride=0)),
        (InputError, "Conv1d", "padding", lambda: Conv1d(2, 3, padding=-1)),
        (InputTypeError, "Conv2d", "kernel", lambda: Conv2d(2, (3, True))),
        (InputError, "Conv2d", "kernel", lambda: Conv2d(2, (3, 3, 3))),
        (InputError, "Conv2d", "stride", lambda: Conv2d(2, 3, stride=(1, 0))),
        (ShapeError, "Conv1d(layer 2)", "in_shape", lambda: _init(Conv1d(2, 3), (5,))),
        (ShapeError, "Conv2d(layer 2)", "in_shape", lambda: _init(Conv2d(2, 3), (1, 5))),
        (InputError, "Conv1d(layer 2)", "in_shape", lambda: _init(Conv1d(2, 3), (0, 5))),
        (ShapeError, "Conv1d(layer 2)", "kernel", lambda: _init(Conv1d(2, 6), (1, 5))),
        (ShapeError, "Conv2d(layer 2)", "kernel", lambda: _init(Conv2d(2, (2, 4)), (1, 5, 1), 1)),
        (InputError, "Conv1d(layer 2)", "padding", lambda: _init(Conv1d(2, 3, padding=3), (1, 5))),
    ],
)
def test_bad_arguments_are_refused_naming_the_layer(error, where, arg, call):
    with pytest.raises(error) as info:
        call()
    assert str(info.value).startswith(f"{where}: bad argument '{arg}'"), str(info.value)


def _init(layer, in_shape, padding=None):
    if padding is not None:
        layer.padding = (padding,) * layer.n
    name = f"{layer.name}(layer 2)"
    return layer.init(np.random.default_rng(0), in_shape, name)


def test_the_message_of_a_kernel_larger_than_the_padded_input():
    with pytest.raises(ShapeError) as info:
        _init(Conv1d(2, 8, padding=1), (3, 5))
    text = str(info.value)
    assert "a kernel no longer than the padded input: length 8 ≤ 5 + 2·1" in text
    assert "pad the input" in text


@pytest.mark.parametrize(
    ("layer", "shape"), [(Conv1d(2, 1), (10**20, 3)), (Conv2d(2, 1), (10**20, 2, 2))]
)
def test_channels_past_int64_are_refused_by_the_draws_limit_naming_the_layer(layer, shape):
    """The draw's scale 1/√(C_in·ΠK) is taken of a float: numpy's sqrt fails on an int past
    int64, before the limit could refuse the draw."""
    with pytest.raises(DenseLimitError, match=rf"{type(layer).__name__}\(layer 1\)"):
        Network([layer, Flatten(), Dense(1)], shape)
