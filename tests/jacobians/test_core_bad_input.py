"""Bad input: every error names the operation, the argument, what was expected and what came."""

import numpy as np
import pytest

import jacobians as J
from jacobians import InputError, InputTypeError, ShapeError

W, x, b = np.ones((3, 4)), np.ones(4), np.ones(3)

CASES = [
    # (call, error, words that must appear)
    (lambda: J.linear(np.ones(4), x, b), ShapeError, ["linear", "'W'", "2-D", "(4,)"]),
    (lambda: J.linear(W, np.ones(3), b), ShapeError, ["linear", "'x'", "m = 4", "(3,)"]),
    (lambda: J.linear(W, np.ones((4, 2, 1)), b), ShapeError, ["'x'", "(4, 2, 1)"]),
    (lambda: J.linear(W, x, np.ones(4)), ShapeError, ["linear", "'b'", "n = 3", "(4,)"]),
    (lambda: J.linear(W, x, np.ones((3, 2))), ShapeError, ["'b'", "(3, 2)"]),
    (lambda: J.linear(W, x), InputError, ["linear", "'b'", "no value"]),
    (lambda: J.linear(W, x, b, 1), InputError, ["at most 3"]),
    (lambda: J.linear(W, x, b, c=1), InputError, ["'c'", "W, x, b"]),
    (lambda: J.linear(W, x, W=W, b=b), InputError, ["'W'", "both"]),
    (lambda: J.linear(W, np.array([1, 2, np.nan, 4]), b), InputError, ["'x'", "finite", "(2,)"]),
    (lambda: J.linear(W, np.array([1, 2, np.inf, 4]), b), InputError, ["'x'", "finite"]),
    # a bad W is found through the small product Wx when x has no zeros ...
    (
        lambda: J.linear(np.where(np.eye(3, 4) > 0, np.nan, W), x, b),
        InputError,
        ["linear", "'W'", "finite", "(0, 0)"],
    ),
    # ... and by the full check when a zero of x would hide it from the product
    (
        lambda: J.linear(np.where(np.eye(3, 4) > 0, np.inf, W), np.array([0.0, 1, 1, 1]), b),
        InputError,
        ["linear", "'W'", "finite", "(0, 0)"],
    ),
    (
        lambda: J.linear(np.full((3, 4), 1e200), np.full(4, 1e200), b),
        InputError,
        ["linear", "'W'", "overflows", "1e+200"],
    ),
    (
        lambda: J.matmul(np.ones((2, 3)), np.array([1.0, np.nan, 1.0])),
        InputError,
        ["matmul", "'B'", "finite", "(1,)"],
    ),
    (lambda: J.linear(W.astype(bool), x, b), InputTypeError, ["linear", "'W'", "bool"]),
    (lambda: J.linear(W.astype(object), x, b), InputTypeError, ["'W'", "object"]),
    (lambda: J.linear("W", x, b), InputTypeError, ["'W'", "str"]),
    (lambda: J.linear([[1, 2], [3]], x, b), InputTypeError, ["'W'", "numeric"]),
    (lambda: J.linear(np.ones((0, 4)), x, b), ShapeError, ["'W'", "non-empty"]),
    (lambda: J.sigmoid(np.array([])), ShapeError, ["sigmoid", "'z'", "non-empty"]),
    (lambda: J.leaky_relu(x, alpha="big"), InputError, ["leaky_relu", "'alpha'", "real"]),
    (lambda: J.leaky_relu(x, alpha=np.nan), InputError, ["'alpha'", "finite"]),
    (lambda: J.softmax(np.ones((2, 2, 2))), ShapeError, ["softmax", "'z'", "(2, 2, 2)"]),
    (
        lambda: J.squared_error(np.ones((2, 3)), np.ones((3, 2))),
        ShapeError,
        ["squared_error", "'y'", "(2, 3)", "(3, 2)", "broadcast"],
    ),
    (lambda: J.squared_error(np.ones(3), np.ones(1)), ShapeError, ["'y'", "(3,)", "(1,)"]),
    (
        lambda: J.cross_entropy(np.array([0.0, 1.0]), np.array([0.5, 0.5])),
        InputError,
        ["cross_entropy", "'a'", "a > 0", "(0,)", "softmax_cross_entropy"],
    ),
    (
        lambda: J.binary_cross_entropy(np.array([1.0]), np.array([0.5])),
        InputError,
        ["binary_cross_entropy", "'a'", "a < 1", "sigmoid_binary_cross_entropy"],
    ),
    (lambda: J.matmul(np.ones((2, 3)), np.ones((2, 3))), ShapeError, ["matmul", "'B'", "m = 3"]),
    (lambda: J.hadamard(np.ones(3), np.ones(4)), ShapeError, ["hadamard", "'v'", "(3,)", "(4,)"]),
]


@pytest.mark.parametrize(("call", "error", "words"), CASES)
def test_bad_input(call, error, words):
    with pytest.raises(error) as info:
        call()
    msg = str(info.value)
    for word in words:
        assert word in msg, msg
    assert msg.splitlines()[0].endswith(".")  # "op: bad argument 'arg'." then expected/received


def test_errors_are_value_errors_and_type_errors_are_type_errors():
    assert issubclass(ShapeError, ValueError)
    with pytest.raises(TypeError):
        J.sigmoid(np.array([True]))


def test_column_and_vector_may_meet_but_nothing_broadcasts():
    # (n,) against (n, 1) is the same vector and is accepted ...
    r = J.squared_error(np.ones(3), np.zeros((3, 1)))
    assert r.value == 1.5
    # ... but a column bias added to a vector input does not make an n×n output
    assert J.linear(W, x, np.ones((3, 1))).value.shape == (3,)


@pytest.mark.parametrize(
    ("index", "says"),
    [
        ([0, 3, 1], "Received 3 out of range; 2 missing."),
        ([0, 0, 1], "Received 0 repeated; 2 missing."),
        ([-1, 5, 5, 0], "Received -1, 5 out of range; 1, 2, 3 missing."),
    ],
)
def test_a_permutation_that_is_not_one_says_which_entries_are_wrong(index, says):
    with pytest.raises(InputError, match="Permutation: bad argument 'index'") as err:
        J.Permutation(index)
    assert says in str(err.value)
