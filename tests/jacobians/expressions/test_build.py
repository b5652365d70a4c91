"""parse: the language's operators, its shapes, its round trip through str, and its errors."""

import numpy as np
import pytest

from jacobians.expressions import ParseError, parse
from reshape import InputError, ShapeError

ROUND_TRIP = [
    ("x'*A*x", ["A=3x3"]),
    ("norm2(A*x - y)^2", ["A=3x2"]),
    ("tr(A*X'*B*X*C)", ["A=2x2", "X=3x2", "B=3x3", "C=2x2"]),
    ("sum(log(exp(-y.*(X*w)) + vector(1)))", ["X=4x3"]),
    ("2*A'*(A*x - y)", ["A=3x2"]),
    ("det(X) + logdet(X) + tr(inv(X))", ["X=3x3"]),
    ("kron(A, B')", ["A=2x3", "B=2x2"]),
    ("X.^2 ./ (1 + X.*X)", ["X=2x3"]),
    ("sin(x) .* cos(x) - tanh(x)/3", ["x=4"]),
    ("X^3 + eye", ["X=3x3"]),
    ("softmax(x)'*y", ["x=4", "y=4"]),
    ("a*b^2 - c/a", None),
]


def _values(e, seed=0):
    rng = np.random.default_rng(seed)
    out = {}
    for name, v in e.variables().items():
        shape = tuple(int(d if isinstance(d, int) else d.value or 3) for d in v.shape)
        a = rng.normal(size=shape)
        if len(shape) == 2 and shape[0] == shape[1]:
            a = a + shape[0] * np.eye(shape[0])  # invertible, positive determinant
        out[name] = a if shape else float(abs(a) + 0.5)
    return out


@pytest.mark.parametrize(("text", "shapes"), ROUND_TRIP)
def test_str_reads_back_to_the_same_values(text, shapes):
    e = parse(text, shapes)
    values = _values(e)
    again = parse(str(e), shapes)
    np.testing.assert_allclose(again.evaluate(values), e.evaluate(values), rtol=1e-13)


def test_star_is_the_matrix_product_unless_an_operand_is_a_scalar():
    assert parse("A*x").op.name == "matmul"
    assert parse("2*x").op.name == "multiply"
    assert parse("a*x").op.name == "multiply"
    assert parse("x.*y").op.name == "multiply"
    assert parse("X^2", ["X=2x2"]).op.name == "matmul"
    assert parse("a^2").op.name == "power"


def test_shapes_fix_sizes_and_defaults_follow_the_first_letter():
    assert parse("a").shape == ()
    e = parse("A", ["A=3x4"])
    assert e.shape == (3, 4)
    assert parse("x", {"x": 5}).shape == (5, 1)


def test_a_shape_mismatch_names_the_sub_expression_and_both_shapes():
    with pytest.raises(ShapeError) as err:
        parse("y + A*x", ["A=2x3", "x=4"])
    msg = str(err.value)
    assert "A*x" in msg and "2×3" in msg and "4×1" in msg


def test_division_by_a_matrix_and_matrix_powers_are_refused_clearly():
    with pytest.raises(ShapeError, match=r"\./"):
        parse("x/y")
    with pytest.raises(InputError, match="power"):
        parse("X^0.5", ["X=2x2"])


@pytest.mark.parametrize(
    ("text", "shapes", "needles"),
    [
        ("x^2", ["x=3"], ["bad argument 'x^2'", "a square matrix", "x of shape 3×1", ".^"]),
        ("A^3", ["A=3x4"], ["bad argument 'A^3'", "A of shape 3×4"]),
        ("tr(A)", ["A=3x4"], ["fit tr (a square matrix: 3 ≠ 4)"]),
        ("inv(A)", ["A=3x4"], ["fit inv (a square matrix: 3 ≠ 4)"]),
        ("diag(A)", ["A=3x4"], ["a column vector or a square matrix: 3 ≠ 4"]),
        ("sum(A, 0)", None, ["from 1 to 2 as the axis of sum", "Received 0 at column 8"]),
        ("eye(0) + A", None, ["as the size of eye(n)", "Received 0 at column 5"]),
        ("eye(n)", None, ["a number as the size of eye(n)", "Received n at column 5"]),
    ],
)
def test_errors_say_what_the_user_wrote_and_what_it_needs(text, shapes, needles):
    with pytest.raises(InputError) as err:
        parse(text, shapes)
    for needle in needles:
        assert needle in str(err.value)


def test_user_text_is_never_evaluated():
    with pytest.raises(ParseError):
        parse("__import__('os').system('true')")
