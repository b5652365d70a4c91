"""conv1d and conv2d: values by hand, every rule against complex step with strides, paddings and
batches drawn by hypothesis (the registry-wide tests draw the default options only), structures
kept (no dense matrix built), and each bad argument refused by name."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import jacobians as J
from jacobians import InputError, InputTypeError, ShapeError, conv1d, conv2d, numeric


def test_a_worked_example_in_one_dimension():
    x = np.array([[1.0, 2.0, 3.0, 4.0]])  # one channel, L = 4
    w = np.array([[[1.0, -1.0]], [[2.0, 0.5]]])  # two output channels, K = 2
    r = conv1d(x, w, np.array([0.0, 1.0]), stride=2, padding=1)  # T = (4 + 2 − 2)//2 + 1 = 3
    # positions 2t − 1 + k: t = 0 sees (0, 1), t = 1 sees (2, 3), t = 2 sees (4, 0)
    np.testing.assert_array_equal(r.value, [[-1.0, -1.0, 4.0], [1.5, 6.5, 9.0]])
    Jx = r.jacobians["x"]
    assert (Jx.kind, Jx.shape, Jx.symbol) == ("toeplitz", (6, 4), "∂y/∂x")
    np.testing.assert_array_equal(
        Jx.matrix,
        [[-1, 0, 0, 0], [0, 1, -1, 0], [0, 0, 0, 1], [0.5, 0, 0, 0], [0, 2, 0.5, 0], [0, 0, 0, 2]],
    )
    Jw = r.jacobians["w"]  # I_2 ⊗ im2col(x), im2col(x) = [[0, 1], [2, 3], [4, 0]]
    assert Jw.kind == "kronecker" and Jw.tensor.shape == (2, 3, 2, 1, 2)
    np.testing.assert_array_equal(Jw.matrix, np.kron(np.eye(2), [[0, 1], [2, 3], [4, 0]]))
    np.testing.assert_array_equal(r.jacobians["b"].matrix, np.kron(np.eye(2), np.ones((3, 1))))
    assert Jw.closed_form.startswith("I_O ⊗ im2col(x)")
    assert r"\operatorname{im2col}(x)" in Jw.latex and "T(w)" in Jx.closed_form


@st.composite
def conv_cases(draw):
    n = draw(st.sampled_from([1, 2]))
    C_out, C = draw(st.integers(1, 3)), draw(st.integers(1, 2))
    kernel = tuple(draw(st.integers(1, 3)) for _ in range(n))
    padding = tuple(draw(st.integers(0, k - 1)) for k in kernel)
    size = tuple(
        draw(st.integers(max(1, k - 2 * p), 5)) for k, p in zip(kernel, padding, strict=True)
    )
    stride = tuple(draw(st.integers(1, 3)) for _ in range(n))
    d = draw(st.sampled_from([None, 1, 3]))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    x = rng.normal(size=(C, *size) + (() if d is None else (d,)))
    args = {"x": x, "w": rng.normal(size=(C_out, C, *kernel)), "b": rng.normal(size=C_out)}
    if n == 1:
        return conv1d, args, {"stride": stride[0], "padding": padding[0]}
    return conv2d, args, {"stride": stride, "padding": padding}


@settings(max_examples=40)
@given(case=conv_cases())
def test_every_rule_equals_complex_step_with_strides_paddings_and_batches(case):
    op, args, opts = case
    r = op(**args, **opts)
    for wrt in ("x", "w", "b"):
        N = numeric(lambda v: op(**{**args, wrt: v}, **opts).value, args[wrt], method="complex")  # noqa: B023
        Jm = r.jacobians[wrt]
        assert (Jm.out_shape, Jm.in_shape) == (r.value.shape, args[wrt].shape)
        np.testing.assert_allclose(Jm.matrix, N.matrix, rtol=1e-12, atol=1e-12)


@pytest.fixture
def no_dense(monkeypatch):
    def refuse(self, *a, **k):
        raise AssertionError(f"a dense matrix of {self!r} was built")

    monkeypatch.setattr(J.Jacobian, "dense", refuse)
    for cls in (J.Toeplitz, J.Kronecker):
        monkeypatch.setattr(cls, "_dense", refuse)


def test_a_batch_keeps_every_jacobian_in_its_structure(no_dense):
    rng = np.random.default_rng(0)
    x, w, b = rng.normal(size=(3, 64, 16)), rng.normal(size=(4, 3, 5)), rng.normal(size=4)
    r = conv1d(x, w, b, padding=2)
    G = rng.normal(size=(1, r.value.size))
    kinds = {wrt: r.jacobians[wrt].kind for wrt in ("x", "w", "b")}
    assert kinds == {"x": "toeplitz", "w": "kronecker", "b": "kronecker"}
    assert r.jacobians["x"].right(G).shape == (1, x.size)
    assert J.OPERATIONS["conv2d"].structures("x") == ("toeplitz", "toeplitz")


def test_dtypes_and_scalars():
    rng = np.random.default_rng(1)
    x, w, b = (rng.normal(size=s).astype(np.float32) for s in ((2, 3, 3), (2, 2, 2, 2), (2,)))
    r = conv2d(x, w, b)
    assert r.value.dtype == np.float32
    assert {r.jacobians[k].matrix.dtype for k in "xwb"} == {np.dtype(np.float32)}
    one = conv1d(2.0, 3.0, 1.0)  # one channel, one position, a kernel of one: y = wx + b
    assert one.value.tolist() == [[7.0]] and one.jacobians["x"].matrix.tolist() == [[3.0]]


def test_stride_and_padding_as_numpy_arrays_read_as_lists_do():
    x, w, b = np.arange(32.0).reshape(2, 4, 4), np.ones((3, 2, 2, 2)), np.zeros(3)
    as_list = conv2d(x, w, b, stride=[2, 1], padding=[1, 0])
    as_array = conv2d(x, w, b, stride=np.array([2, 1]), padding=np.array([1, 0]))
    assert np.array_equal(as_array.value, as_list.value)
    with pytest.raises(InputTypeError, match="'padding'"):
        conv2d(x, w, b, padding=np.array([0.5, 0]))  # never rounded, as in a list


X1, W1, B1 = np.ones((2, 5)), np.ones((3, 2, 3)), np.ones(3)
X2, W2 = np.ones((2, 4, 4)), np.ones((3, 2, 2, 2))


@pytest.mark.parametrize(
    ("error", "op", "arg", "call"),
    [
        (ShapeError, "conv1d", "x", lambda: conv1d(np.ones((3, 5)), W1, B1)),  # channels
        (ShapeError, "conv1d", "x", lambda: conv1d(np.ones((2, 5, 2, 2)), W1, B1)),
        (ShapeError, "conv1d", "w", lambda: conv1d(X1, np.ones((3, 2)), B1)),
        (ShapeError, "conv1d", "w", lambda: conv1d(X1, np.ones((3, 2, 6)), B1)),  # 6 > 5
        (ShapeError, "conv1d", "w", lambda: conv1d(X1, np.ones((3, 2, 8)), B1, padding=1)),
        (ShapeError, "conv1d", "b", lambda: conv1d(X1, W1, np.ones(2))),
        (ShapeError, "conv1d", "b", lambda: conv1d(X1, W1, np.ones((3, 2)))),
        (InputError, "conv1d", "stride", lambda: conv1d(X1, W1, B1, stride=0)),
        (InputTypeError, "conv1d", "stride", lambda: conv1d(X1, W1, B1, stride=1.5)),
        (InputError, "conv1d", "stride", lambda: conv1d(X1, W1, B1, stride=(1, 1))),
        (InputError, "conv1d", "padding", lambda: conv1d(X1, W1, B1, padding=-1)),
        (InputError, "conv1d", "padding", lambda: conv1d(X1, W1, B1, padding=3)),  # ≥ K
        (InputTypeError, "conv1d", "padding", lambda: conv1d(X1, W1, B1, padding=np.nan)),
        (InputError, "conv1d", "x", lambda: conv1d(np.full((2, 5), np.inf), W1, B1)),
        (InputTypeError, "conv1d", "w", lambda: conv1d(X1, W1 > 0, B1)),
        (InputError, "conv1d", "w", lambda: conv1d(X1 * 1e200, W1 * 1e200, B1)),  # overflow
        (InputError, "conv1d", "groups", lambda: conv1d(X1, W1, B1, groups=2)),
        (ShapeError, "conv2d", "x", lambda: conv2d(np.ones((1, 4, 4)), W2, B1)),
        (ShapeError, "conv2d", "x", lambda: conv2d(np.ones((2, 4)), W2, B1)),
        (ShapeError, "conv2d", "w", lambda: conv2d(X2, np.ones((3, 2, 5, 1)), B1)),
        (InputError, "conv2d", "stride", lambda: conv2d(X2, W2, B1, stride=(1, 0))),
        (InputError, "conv2d", "stride", lambda: conv2d(X2, W2, B1, stride=(1, 1, 1))),
        (InputTypeError, "conv2d", "padding", lambda: conv2d(X2, W2, B1, padding=(0, 0.5))),
        (InputError, "conv2d", "padding", lambda: conv2d(X2, W2, B1, padding=(0, 2))),
    ],
)
def test_bad_input_is_refused_naming_the_operation_and_argument(error, op, arg, call):
    with pytest.raises(error) as info:
        call()
    assert str(info.value).startswith(f"{op}: bad argument '{arg}'"), str(info.value)


def test_the_messages_say_what_was_expected_and_what_came():
    with pytest.raises(ShapeError) as info:
        conv1d(np.ones((3, 5)), W1, B1)
    assert "2 channels along axis 0, the C_in of w (3, 2, 3)" in str(info.value)
    assert "shape (3, 5), 3 channels" in str(info.value)
    with pytest.raises(ShapeError) as info:
        conv1d(X1, np.ones((3, 2, 8)), B1, padding=1)
    assert "length 8 ≤ 5 + 2·1" in str(info.value)


def test_a_row_costs_what_the_shortcut_does():
    """16 channels in and out, length 256, kernel 3, padding 1: a row times ∂y/∂x is one
    multiply-add per tap of each output entry, 16·3 per entry of y, as the hand-written transposed
    convolution (w's taps times G, then added into place) does."""
    rng = np.random.default_rng(0)
    x, w, b = rng.normal(size=(16, 256)), rng.normal(size=(16, 16, 3)), rng.normal(size=16)
    Jx = conv1d(x, w, b, padding=1).jacobians["x"]
    assert Jx.right_cost(Jx.structure, 1) == 16 * 256 * 16 * 3 == 196_608
    row = J.Dense(np.ones((1, Jx.shape[0])), in_shape=Jx.out_shape)
    assert J.chain_costs(row, Jx)["left"] == 196_608
