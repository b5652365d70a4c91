"""The expression parser: precedence, spans, every error with its column, printing and shapes."""

import ast
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jacobians.expressions import _lex, _parse
from jacobians.expressions._parse import (
    FUNCTIONS,
    MAX_DEPTH,
    PRECEDENCE,
    Binary,
    Call,
    Name,
    Num,
    ParseError,
    Transpose,
    Unary,
    default_kind,
    parse_shapes,
    parse_tree,
    to_text,
)
from reshape import InputError, InputTypeError


# ----- shorthand for expected trees -----
def B(op, left, right):
    return Binary(op, left, right)


def U(operand):
    return Unary("-", operand)


def T(operand):
    return Transpose(operand)


def C(func, *args):
    return Call(func, args)


a, b, c, x, y, w = map(Name, "abcxyw")
A, X, BB, CC = Name("A"), Name("X"), Name("B"), Name("C")
two = Num(2.0)


def nodes(tree):
    """Every node of ``tree``, the root first."""
    todo = [tree]
    while todo:
        node = todo.pop()
        yield node
        todo.extend(_parse._children(node))


# ----- exact trees: precedence and associativity -----
TREES = [
    ("a-b-c", B("-", B("-", a, b), c), "a - b - c"),
    ("a^b^c", B("^", a, B("^", b, c)), "a^b^c"),
    ("-x^2", U(B("^", x, two)), "-x^2"),
    ("A'*x", B("*", T(A), x), "A'*x"),
    ("x'*A*x", B("*", B("*", T(x), A), x), "x'*A*x"),
    ("2*A'*(A*x - y)", B("*", B("*", two, T(A)), B("-", B("*", A, x), y)), "2*A'*(A*x - y)"),
    ("norm2(A*x - y)^2", B("^", C("norm2", B("-", B("*", A, x), y)), two), "norm2(A*x - y)^2"),
    (
        "sum(log(exp(-y.*(X*w)) + vector(1)))",
        C("sum", C("log", B("+", C("exp", B(".*", U(y), B("*", X, w))), C("vector", Num(1.0))))),
        "sum(log(exp(-y.*(X*w)) + vector(1)))",
    ),
    (
        "tr(A*X'*B*X*C)",
        C("tr", B("*", B("*", B("*", B("*", A, T(X)), BB), X), CC)),
        "tr(A*X'*B*X*C)",
    ),
    ("X + eye", B("+", X, C("eye")), "X + eye"),
    # beyond the brief's list
    ("x'^2", B("^", T(x), two), "x'^2"),
    ("x^2'", T(B("^", x, two)), "(x^2)'"),  # as in MATLAB: a number has no transpose
    ("x.^-2'", T(B(".^", x, U(two))), "(x.^(-2))'"),
    ("x^(2')", B("^", x, T(two)), "x^(2')"),  # where the user puts it on the number
    ("(x^2)'", T(B("^", x, two)), "(x^2)'"),
    ("-A*x", B("*", U(A), x), "-A*x"),
    ("-(A*x)", U(B("*", A, x)), "-(A*x)"),
    ("a^-b", B("^", a, U(b)), "a^(-b)"),
    ("a - -b", B("-", a, U(b)), "a - (-b)"),
    ("+x", x, "x"),
    ("--x", U(U(x)), "-(-x)"),
    ("a/b*c", B("*", B("/", a, b), c), "a/b*c"),
    ("a/(b*c)", B("/", a, B("*", b, c)), "a/(b*c)"),
    ("a+b*c", B("+", a, B("*", b, c)), "a + b*c"),
    ("(a+b)*c", B("*", B("+", a, b), c), "(a + b)*c"),
    ("a - (b - c)", B("-", a, B("-", b, c)), "a - (b - c)"),
    ("(a^b)^c", B("^", B("^", a, b), c), "(a^b)^c"),
    ("a.*b./c", B("./", B(".*", a, b), c), "a.*b./c"),
    ("x.^2", B(".^", x, two), "x.^2"),
    ("2.*x", B(".*", two, x), "2.*x"),  # 2 .* x, not 2. * x
    ("2./x", B("./", two, x), "2./x"),
    ("(A*x)'", T(B("*", A, x)), "(A*x)'"),
    ("x''", T(T(x)), "x''"),
    ("eye(3)", C("eye", Num(3.0)), "eye(3)"),
    ("kron(A, B')", C("kron", A, T(BB)), "kron(A, B')"),
    ("sum(X, 1)", C("sum", X, Num(1.0)), "sum(X, 1)"),
    ("Aᵀ*x", B("*", T(A), x), "A'*x"),
    ("a − b", B("-", a, b), "a - b"),
    ("\tA *\n x_1 ", B("*", A, Name("x_1")), "A*x_1"),
    ("0.5*x", B("*", Num(0.5), x), "0.5*x"),
    (".5", Num(0.5), "0.5"),
    ("1e-3", Num(0.001), "0.001"),
    ("2.5E+4", Num(25000.0), "25000"),
    ("1e-10", Num(1e-10), "1e-10"),
    ("2.", two, "2"),
]


@pytest.mark.parametrize(("text", "tree", "printed"), TREES, ids=[t[0] for t in TREES])
def test_tree(text, tree, printed):
    parsed = parse_tree(text)
    assert parsed == tree
    assert to_text(parsed) == printed
    assert parse_tree(printed) == tree


@pytest.mark.parametrize("text", [t[0] for t in TREES])
def test_every_span_is_the_text_of_its_node(text):
    for node in nodes(parse_tree(text)):
        start, end = node.span
        assert parse_tree(text[start:end]) == node, (text, node)


def test_spans():
    tree = parse_tree("(A*x)' + tr(X)")
    assert tree.span == (0, 14)
    assert tree.left.span == (0, 6)  # the transpose holds its parentheses ...
    assert tree.left.operand.span == (1, 4)  # ... its operand does not
    assert tree.right.span == (9, 14)
    assert parse_tree(" 1e-3 ").text == "1e-3"
    assert parse_tree("2").span == (0, 1)
    assert hash(parse_tree("a + b")) == hash(parse_tree("a+b"))  # spans are not compared


# ----- the function table -----
@pytest.mark.parametrize("func", sorted(FUNCTIONS))
def test_function_counts(func):
    for n in range(4):
        text = f"{func}({', '.join(['x'] * n)})"
        if n in FUNCTIONS[func]:
            assert parse_tree(text) == Call(func, (x,) * n)
        else:
            with pytest.raises(ParseError) as info:
                parse_tree(text)
            assert info.value.column == 1
            assert f"{func} with " in info.value.expected
            assert f"{n} argument" in info.value.got


def test_bare_function_names():
    assert parse_tree("eye") == C("eye")
    for func in set(FUNCTIONS) - {"eye"}:
        with pytest.raises(ParseError, match=f"'\\(' after the function name '{func}'"):
            parse_tree(f"{func} + x")


def test_precedence_table_orders_the_operators():
    p = PRECEDENCE
    assert p["+"] == p["-"] < p["*"] == p["/"] == p[".*"] == p["./"] < p["neg"]
    assert p["neg"] < p["^"] == p[".^"] < p["'"] < p["atom"]


# ----- errors: the column, the caret, what was expected and what came -----
def test_the_message():
    with pytest.raises(ParseError) as info:
        parse_tree("A*x + )")
    assert str(info.value) == (
        "jacobians.parse: bad argument 'text'.\n"
        " Expected an operand (a name, a number, '(' or a function) at column 7.\n"
        " Received ')'.\n"
        "  A*x + )\n"
        "        ^"
    )
    assert isinstance(info.value, InputError) and isinstance(info.value, ValueError)
    assert (info.value.op, info.value.arg, info.value.text) == (
        "jacobians.parse",
        "text",
        "A*x + )",
    )


ERRORS = [
    # (text, column, words that must appear)
    ("", 1, ["an expression", "empty text"]),
    ("  \t", 1, ["an expression", "only whitespace"]),
    ("(A*x", 1, ["')' to close the '('", "end of the text"]),
    ("A*(x + y", 3, ["')' to close the '('"]),
    ("sin(x", 4, ["')' to close the '('"]),
    ("(((a)", 2, ["')' to close the '('"]),
    ("A*x)", 4, ["an operator or the end of the text", "closes no '('"]),
    ("(a b)", 4, ["an operator or ')'", "the name 'b'", "'*'"]),
    ("kron(A B)", 8, ["an operator, ',' or ')'", "the name 'B'"]),
    ("A#x", 2, ["'#'", "not part of the language"]),
    ("a + $", 5, ["'$'"]),
    ("A.x", 2, ["'.'", ".*"]),
    ("A*x +", 6, [_parse._OPERAND, "the end of the text"]),
    ("A*x + ", 6, [_parse._OPERAND, "the end of the text"]),  # just after the last non-space
    ("A*", 3, [_parse._OPERAND]),
    ("A*x + )", 7, [_parse._OPERAND, "')'"]),
    ("A x", 3, ["an operator", "the name 'x'", "a product is written with '*'"]),
    ("2x", 2, ["an operator", "the name 'x'"]),
    ("x' y", 4, ["an operator"]),
    ("a, b", 2, ["','", "commas separate the arguments"]),
    ("foo(x)", 1, ["a function before '('", "'foo', which is not a function", "kron, ", "log, "]),
    ("x (y)", 1, ["'x', which is not a function"]),
    ("x**2", 2, ["an operator", "'**'", "x^2"]),
    ("kron(A)", 1, ["kron with 2 arguments", "kron with 1 argument"]),
    ("sum(X, 1, 2)", 1, ["sum with 1 or 2 arguments", "3 arguments"]),
    ("a + tr()", 5, ["tr with 1 argument", "0 arguments"]),
    ("tr", 3, ["'(' after the function name 'tr'", "the end of the text"]),
    ("tr X", 4, ["'(' after the function name 'tr'", "the name 'X'"]),
    ("kron(A,)", 8, [_parse._OPERAND, "')'"]),
    ("f(,x)", 1, ["'f', which is not a function"]),
    ("1e999*x", 1, ["a finite number", "'1e999'"]),
    ("x^", 3, [_parse._OPERAND]),
    ("'x", 1, [_parse._OPERAND]),
    ("a\n + )", 6, [_parse._OPERAND]),
]


@pytest.mark.parametrize(("text", "column", "words"), ERRORS, ids=[repr(e[0]) for e in ERRORS])
def test_error(text, column, words):
    with pytest.raises(ParseError) as info:
        parse_tree(text)
    error, message = info.value, str(info.value)
    assert error.column == column
    assert f"at column {column}." in message
    for word in words:
        assert word in message, (word, message)
    # the caret sits under the column of its line (two spaces of indent)
    line_start = text.rfind("\n", 0, column - 1) + 1
    assert message.splitlines()[-1] == " " * (2 + column - 1 - line_start) + "^"


NESTS = {  # n levels of nesting, one way or another
    "parentheses": lambda n: "(" * n + "x" + ")" * n,
    "calls": lambda n: "sin(" * n + "x" + ")" * n,
    "products": lambda n: "a*(" * n + "x" + ")" * n,
    "sums of products": lambda n: "a+b*(" * (n // 2) + "x" + ")" * (n // 2),
    "minus signs": lambda n: "-" * n + "x",
    "transposes": lambda n: "x" + "'" * n,
    "a sum": lambda n: "+".join(["a"] * (n + 1)),
    "powers": lambda n: "^".join(["a"] * (n + 1)),
    "negative powers": lambda n: "a^-" * (n // 2) + "a",
}


@pytest.mark.parametrize("nest", NESTS)
def test_deep_nesting_is_a_parse_error(nest):
    for n in (MAX_DEPTH + 1, 1800):
        with pytest.raises(ParseError, match=f"at most {MAX_DEPTH} levels of nesting"):
            parse_tree(NESTS[nest](n))


@pytest.mark.parametrize("nest", NESTS)
def test_nesting_below_the_limit_parses_and_prints(nest):
    text = NESTS[nest](MAX_DEPTH - 2)

    def deeper(k):  # parse and print with 200 frames of stack already in use
        return to_text(parse_tree(text)) if k == 0 else deeper(k - 1)

    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(1000)  # Python's default, whatever the test runner set
    try:
        printed = deeper(200)
    finally:
        sys.setrecursionlimit(limit)
    assert parse_tree(printed) == parse_tree(text)


def test_too_long():
    with pytest.raises(InputError, match="at most 10000 characters") as info:
        parse_tree("x+" * 5000 + "x")
    assert "10001 characters" in str(info.value)


@pytest.mark.parametrize("text", [None, 3, b"A*x", ["A*x"]])
def test_text_must_be_a_str(text):
    with pytest.raises(InputTypeError, match="a str"):
        parse_tree(text)


def test_no_evaluation_and_only_allowed_imports():
    for module in (_lex, _parse):
        source = Path(module.__file__).read_text()
        assert "eval(" not in source and "exec(" not in source
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
                assert node.func.id not in {"eval", "exec", "compile", "__import__"}
            if isinstance(node, ast.ImportFrom) and node.level == 0:
                top = node.module.split(".")[0]
                assert top in sys.stdlib_module_names | {"__future__", "numpy", "reshape"}
            if isinstance(node, ast.Import):
                assert all(n.name.split(".")[0] in sys.stdlib_module_names for n in node.names)


# ----- printing -----
PRINTED = [
    (B("*", x, Num(-2.0)), "x*(-2)"),
    (B("^", Num(-2.0), x), "(-2)^x"),
    (B("-", Num(-2.0), x), "-2 - x"),
    (T(Num(-0.5)), "(-0.5)'"),
    (U(Num(-2.0)), "-(-2)"),
    (Num(1e20), "1e+20"),
    (Num(3), "3"),
    (Num(0.1 + 0.2), "0.30000000000000004"),
    (B("^", x, U(Num(1.0))), "x^(-1)"),
    (B("+", B("-", a, b), B("+", c, x)), "a - b + (c + x)"),
]


@pytest.mark.parametrize(("tree", "text"), PRINTED, ids=[p[1] for p in PRINTED])
def test_to_text(tree, text):
    assert to_text(tree) == text


@pytest.mark.parametrize(
    "tree",
    [
        Name("sin"),
        Name("2x"),
        Name(""),
        C("tr"),
        C("foo", x),
        C("kron", A),
        B("**", x, two),
        Unary("+", x),
        Num(float("nan")),
        Num(float("inf")),
        Num("2"),
        Num(True),
        "A*x",
        None,
    ],
    ids=repr,
)
def test_to_text_refuses_what_would_not_parse_back(tree):
    with pytest.raises(InputError, match=r"jacobians\.to_text"):
        to_text(tree)


# ----- round trip: random trees print and parse back -----
names = st.from_regex(r"[A-Za-z][A-Za-z0-9_]{0,2}", fullmatch=True).filter(
    lambda s: s not in FUNCTIONS
)
numbers = st.floats(min_value=0, max_value=1e300, allow_nan=False).map(abs) | st.integers(0, 99)
leaves = names.map(Name) | numbers.map(float).map(Num) | st.just(C("eye"))
BINARY_OPS = sorted(_lex._BINARY)


def calls(children):
    def with_args(func):
        return st.sampled_from(FUNCTIONS[func]).flatmap(
            lambda n: st.tuples(*[children] * n).map(lambda args: Call(func, args))
        )

    return st.sampled_from(sorted(FUNCTIONS)).flatmap(with_args)


def extend(children):
    return (
        st.builds(Unary, st.just("-"), children)
        | st.builds(Binary, st.sampled_from(BINARY_OPS), children, children)
        | st.builds(Transpose, children)
        | calls(children)
    )


trees = st.recursive(leaves, extend, max_leaves=16)


@given(trees)
def test_round_trip(tree):
    text = to_text(tree)
    parsed = parse_tree(text)
    assert parsed == tree, text
    assert to_text(parsed) == text
    for node in nodes(parsed):
        start, end = node.span
        assert parse_tree(text[start:end]) == node, (text, node)


@given(trees, st.sampled_from([" ", "  ", "\t", "\n"]))
def test_whitespace_between_tokens_changes_nothing(tree, space):
    text = to_text(tree)
    spaced = space.join(tok.text for tok in _lex.tokens(text))
    assert parse_tree(spaced) == tree


# ----- names and shapes -----
KINDS = {"scalar": ["a", "g2", "alpha"], "vector": ["h", "x", "z_0"], "matrix": ["A", "Zeta"]}


@pytest.mark.parametrize("kind", KINDS)
def test_default_kind(kind):
    for name in KINDS[kind]:
        assert default_kind(name) == kind


@pytest.mark.parametrize("name", ["", "2x", "_x", "x-y", "é", None, 3])
def test_default_kind_refuses(name):
    with pytest.raises(InputError, match="default_kind"):
        default_kind(name)


SHAPES = [
    (None, {}),
    ({}, {}),
    ({"A": (3, 4), "B": [2, 2], "x": 3, "y": (5,), "a": 1, "b": (), "c": "scalar"}, None),
    (["A=3x4", "x=3", "a=1", "b = scalar", "C= 2 X 3", "D=1x1"], None),
    ("A=3x4, x=3; a=scalar", {"A": (3, 4), "x": (3, 1), "a": ()}),
    ({"B": "3×4", "y": "7", "z": "1"}, {"B": (3, 4), "y": (7, 1), "z": ()}),
]
EXPECTED = {
    2: {"A": (3, 4), "B": (2, 2), "x": (3, 1), "y": (5, 1), "a": (), "b": (), "c": ()},
    3: {"A": (3, 4), "x": (3, 1), "a": (), "b": (), "C": (2, 3), "D": (1, 1)},
}


@pytest.mark.parametrize("i", range(len(SHAPES)))
def test_parse_shapes(i):
    shapes, expected = SHAPES[i]
    assert parse_shapes(shapes) == (expected if expected is not None else EXPECTED[i])


@pytest.mark.parametrize(
    ("shapes", "words"),
    [
        ({"A": 0}, ["'A'", "sizes from 1 to 1000000", "0"]),
        ({"A": (3, 10**6 + 1)}, ["sizes from 1 to 1000000", "1000001"]),
        ({"A": True}, ["a shape for 'A'", "True"]),
        ({"A": 3.0}, ["a shape for 'A'", "3.0"]),
        ({"A": (1, 2, 3)}, ["a shape for 'A'", "(1, 2, 3)"]),
        ({"A": "3x"}, ["a shape for 'A'", "'3x'"]),
        ({"A": None}, ["a shape for 'A'", "None"]),
        ({"A": "9" * 40}, ["a shape for 'A'"]),
        ({"sin": 3}, ["not functions", "'sin'"]),
        ({"2x": 3}, ["names of letters", "'2x'"]),
        ({1: 3}, ["names of letters", "1"]),
        (["A=3", "A=4"], ["each name once", "'A' twice"]),
        (["A3"], ["entries like 'A=3x4'", "'A3'"]),
        ([("A", 3)], ["entries like 'A=3x4'"]),
        (5, ["a mapping from names to shapes", "int"]),
    ],
    ids=repr,
)
def test_parse_shapes_refuses(shapes, words):
    with pytest.raises(InputError) as info:
        parse_shapes(shapes)
    message = str(info.value)
    assert message.startswith("jacobians.parse: bad argument 'shapes'.")
    for word in words:
        assert word in message, (word, message)
