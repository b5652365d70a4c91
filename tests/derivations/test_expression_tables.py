"""Derivation tables of matrix expressions: every format, the checks' values, the command."""

import json
import re

import jsonschema
import numpy as np
import pytest

from derivations import ExpressionTable, cli, expression, schema
from jacobians.expressions import ParseError, parse
from reshape import InputError
from tests.derivations.test_latex_compile import ENGINE, PREAMBLE, _compile

CASES = {
    "quadratic": ("x'*A*x", "x"),
    "trace": ("tr(A*X'*B*X*C)", "X"),
    "sandwich": ("A*X*B", "X"),
    "least_squares": ("norm2(A*x - y)^2", "x"),
}


@pytest.fixture(scope="module", params=list(CASES))
def table(request) -> ExpressionTable:
    text, wrt = CASES[request.param]
    return expression(text, wrt)


# ----- what the tables hold -----


def test_checks_pass_and_are_small(table):
    assert table.passed, [c for c in table.checks if not c.passed]
    by = {c.name: c for c in table.checks}
    assert by["closed form"].value <= 1e-12 * (1 + np.abs(table.jacobian).max())
    assert by["local closed forms"].value <= 1e-12 * 10
    assert by["numeric"].value <= 1e-10 and "complex step" in by["numeric"].description
    assert all(L.check is not None and L.check <= L.tolerance for L in table.locals)


def test_closed_form_reads_back_to_the_result(table):
    shapes = {i.name: i.instance for i in table.inputs}
    values = {i.name: i.value for i in table.inputs}
    got = parse(table.closed_form, shapes).evaluate(values)
    want = table.gradient if table.gradient is not None else table.jacobian
    np.testing.assert_allclose(got.reshape(want.shape), want, rtol=1e-12, atol=1e-12)


def test_nodes_are_in_evaluation_order_and_locals_cover_every_path(table):
    symbols = [n.symbol for n in table.nodes]
    assert symbols[-1] == "f" and table.wrt in symbols
    for n in table.nodes:  # a definition names only nodes defined above it
        for s in re.findall(r"u[₀-₉]+", n.definition):
            assert symbols.index(s) < symbols.index(n.symbol)
    edges = {f for p in table.paths for f in p.factors}
    assert edges <= {L.symbol.split(" ")[0] for L in table.locals}
    assert all(p.nodes[0] == table.wrt and p.nodes[-1] == "f" for p in table.paths)


def test_textbook_results():
    assert expression("norm2(A*x - y)^2", "x").closed_form == "2*A'*(A*x - y)"
    assert expression("A*X*B", "X").closed_form == "kron(A, B')"
    q = expression("x'*A*x", "x")
    assert sorted(q.closed_form.split(" + ")) == ["A'*x", "A*x"]
    assert len(q.paths) == 2  # x reaches f through x' and directly: fan-out


def test_fourth_order_jacobian_is_shown_flattened():
    t = expression("A*X*B", "X", shapes=["A=2x3", "X=3x4", "B=4x2"])
    assert t.gradient is None and t.jacobian.shape == (4, 12) and t.result_structure == "kronecker"
    text = t.render("text")
    assert "Jacobian ∂f/∂X (4×12; the order-4 tensor flattened, row-major vec):" in text
    assert text.count("\n  [") == 4  # its four rows


def test_node_symbols_never_read_as_a_users_name():
    t = expression("f*x + sum(u_1)", "u_1", ["x=3", "u_1=3"])  # LaTeX would set u₁ as u_1 too
    nodes = [r.symbol for r in t.nodes]
    assert "u_1" in nodes and not any(s.startswith("u") and s != "u_1" for s in nodes), nodes
    # a rule's own letters are the node's: softmax's a is not the user's scalar a
    rows = {r.symbol: r.rule for r in expression("softmax(a*x)", "x", ["x=3"]).locals}
    assert rows["∂f/∂u₁"] == "diag(f) − f fᵀ"


def test_rules_read_in_the_tables_own_sizes_and_alternative():
    rows = {r.symbol: r.rule for r in expression("x'*A*x", "x").locals}
    # matmul's I_n is the rows of its left operand, here the row u₁ (1×n): I_1, not the table's n
    assert rows["∂u₂/∂u₁"] == "I_1 ⊗ Aᵀ" and rows["∂f/∂x"] == "u₂ ⊗ I_1"
    assert rows["∂u₁/∂x"] == "K_{1,n}"  # transpose of x (n×1)
    kron = {r.symbol: r.rule for r in expression("kron(A, B)", "A", ["A=2x3", "B=2x2"]).locals}
    assert kron["∂f/∂A"] == "(I_2 ⊗ K_{2,3} ⊗ I_2)(I_{6} ⊗ vec(B))"
    # a user's name is no size's subscript, and only the alternative that applies is shown
    rows = {r.symbol: r.rule for r in expression("sum(W_n*x) + a*sum(x)", "x", ["x=3"]).locals}
    assert rows["∂u₁/∂x"] == "W_n ⊗ I_1" and "for a scalar" not in "".join(rows.values())


def test_gradient_is_reshaped_like_wrt():
    t = expression("tr(A*X'*B*X*C)", "X", shapes=["X=3x4", "A=4x4"])
    assert t.gradient.shape == (3, 4) and t.result_instance == (1, 12)
    assert "reshape to the gradient, shaped like X" in t.render("text")


def test_values_given_and_draws_for_inverse():
    A = np.eye(3)
    t = expression("x'*A*x", "x", values={"A": A, "x": [1.0, 2.0, 3.0]})
    assert {i.name: i.how for i in t.inputs} == {"x": "given", "A": "given"}
    np.testing.assert_allclose(t.gradient.ravel(), [2.0, 4.0, 6.0])
    inv = expression("logdet(X) + tr(inv(X))", "X")
    assert inv.inputs[0].how == "N(0, 1) + 3·I" and inv.passed


def test_an_exact_fit_shows_the_norms_missing_derivative_and_the_gradient_zero():
    v = {"A": np.eye(2), "x": [1.0, 1.0], "y": [1.0, 1.0]}  # Ax − y = 0: norm2 has no slope
    t = expression("norm2(A*x - y)^2", "x", shapes=["A=2x2"], values=v)
    assert t.passed
    np.testing.assert_array_equal(t.gradient.ravel(), [0.0, 0.0])
    assert any("does not exist at these values (norm2 at 0)" in note for note in t.notes)
    assert "slope 0" in t.render("text") and "slope 0" in t.render("markdown")


def test_matrices_are_shown_when_asked():
    t = expression("x'*A*x", "x", show_matrices=True)
    text = t.render("text")
    assert "∂u₁/∂x (3×3):" in text and "matrix" in json.loads(t.render("json"))["locals"][0]


def test_elimination_orders_agree():
    fwd = expression("tr(A*X'*B*X*C)", "X", method="forward")
    rev = expression("tr(A*X'*B*X*C)", "X", method="reverse")
    assert fwd.method == "forward" and rev.updates[0].vertex == "u₅"
    np.testing.assert_allclose(fwd.gradient, rev.gradient, rtol=1e-12)
    assert rev.multiply_adds["cheapest"] <= min(
        rev.multiply_adds["reverse"], rev.multiply_adds["forward"]
    )


@pytest.mark.parametrize(
    "call, error",
    [
        (lambda: expression("x'*A*x", "y"), InputError),
        (lambda: expression("x'*A*", "x"), ParseError),
        (lambda: expression("x'*A*x", "x", values={"z": 1.0}), InputError),
        (lambda: expression("x'*A*x", "x", values={"A": np.ones((2, 3))}), InputError),
        (lambda: expression("x'*A*x", "x", method="sideways"), InputError),
    ],
)
def test_bad_input(call, error):
    with pytest.raises(error):
        call()


# ----- every format -----


def test_text_and_markdown(table):
    text, md = table.render("text"), table.render("markdown")
    for needle in ("node", "local Jacobian", "path", "vertex elimination", table.closed_form):
        assert needle in text
    assert "FAILED" not in text and "FAILED" not in md
    assert str(table) == text and table._repr_markdown_() == md
    for block in md.split("\n\n"):  # a table's rows have as many cells as its header
        lines = [ln for ln in block.splitlines() if ln.startswith("|")]
        cells = {len(re.split(r"(?<!\\)\|", ln)) for ln in lines}
        assert len(cells) <= 1, block


def test_latex_is_ascii(table):
    for tex in (table.render("latex"), table._repr_latex_(), table.render("tex", document=True)):
        assert tex.isascii()


@pytest.mark.skipif(ENGINE is None, reason="no LaTeX engine: pdflatex is not installed")
def test_latex_compiles(tmp_path):
    tables = [expression(*CASES[k], show_matrices=k == "quadratic") for k in CASES]
    body = "\n\\clearpage\n".join(
        [t.render("latex") for t in tables] + [t._repr_latex_() for t in tables]
    )
    _compile(tmp_path, "fragments", PREAMBLE + "\\begin{document}\n" + body + "\\end{document}\n")
    _compile(tmp_path, "document", tables[1].render("latex", document=True))


def test_json_is_complete(table):
    doc = json.loads(table.render("json"))
    assert doc["kind"] == "expression" and doc["result"]["closed_form"] == table.closed_form
    assert doc["passed"] and len(doc["nodes"]) == len(table.nodes)


def test_json_validates_against_the_schema(table):
    s = schema()
    errors = [
        e.message
        for e in jsonschema.Draft202012Validator(s).iter_errors(json.loads(table.render("json")))
    ]
    assert not errors, errors


# ----- the command -----


def _main(capsys, *args):
    code = cli.main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_derive_an_expression(capsys):
    code, out, err = _main(capsys, "derive", "x'*A*x", "--wrt", "x")
    assert code == 0 and err == "" and out.startswith("∂f/∂x for f = x'*A*x (x: 3×1, A: 3×3)")
    code, out, _ = _main(
        capsys,
        "derive",
        "A*X*B",
        "--wrt",
        "X",
        "--shape",
        "A=2x3",
        "--shape",
        "X=3x4",
        "--format",
        "json",
    )
    doc = json.loads(out)
    assert code == 0 and doc["result"]["closed_form"] == "kron(A, B')"
    assert doc["result"]["instance"] == [6, 12]


@pytest.mark.parametrize("suffix", [".npz", ".json"])
def test_derive_with_a_values_file(capsys, tmp_path, suffix):
    path = tmp_path / f"values{suffix}"
    A, x = np.arange(9.0).reshape(3, 3), np.array([1.0, 0.0, -1.0])
    if suffix == ".npz":
        np.savez(path, A=A, x=x)
    else:
        path.write_text(json.dumps({"A": A.tolist(), "x": x.tolist()}))
    code, out, _ = _main(
        capsys, "derive", "x'*A*x", "--wrt", "x", "--values", str(path), "-f", "json"
    )
    doc = json.loads(out)
    assert code == 0 and [i["drawn"] for i in doc["inputs"]] == ["given", "given"]
    np.testing.assert_allclose(np.ravel(doc["gradient"]), (A + A.T) @ x)


@pytest.mark.parametrize(
    "args, needle",
    [
        (["x'*A*", "--wrt", "x"], "at column 6"),
        (["x'*A*x", "--wrt", "y"], "a variable of x'*A*x (x, A)"),
        (["x'*A*x"], "needs --wrt NAME"),
        (["x'*A*x", "--wrt", "x", "--n", "3"], "--n applies to the named tables"),
        (["x'*A*x", "--wrt", "x", "--shape", "A=2x3"], "shape"),
        (["softmax", "--shape", "A=2x3"], "--shape applies to an expression"),
        (["A*X*B", "--wrt", "X", "--shape", "X=8x8", "--matrices"], "the matrices are shown"),
        # a shape for a name the expression does not have (a typo for A) leaves A's size open
        (["x'*A*x", "--wrt", "x", "--shape", "a=2x2"], "--shape: bad argument 'NAME=SHAPE'"),
        (["x'*A*x", "--wrt", "x", "--shape", "A=3by3"], "--shape: bad argument 'NAME=SHAPE'"),
        (["x'*A*x", "--wrt", "x", "--values", '{"Z": 1}'], "Received a value for 'Z'"),
    ],
)
def test_derive_errors(capsys, args, needle):
    code, out, err = _main(capsys, "derive", *args)
    assert code == 2 and out == "" and needle in err
    assert err.startswith("jacobians derive: error:")
    if "column" in needle:  # a syntax error keeps its caret under the column
        assert err.splitlines()[-1].strip() == "^"
    else:
        assert len(err.strip().splitlines()) == 1


def test_named_tables_still_work(capsys):
    code, out, _ = _main(capsys, "derive", "softmax")
    assert code == 0 and "i ≠ j" in out


def test_a_table_past_the_memory_limit_skips_checks_it_cannot_make():
    t = expression("tr(X'*X)", "X", shapes=["X=60x60"])  # comm(60, 60): 13 million entries
    assert t.passed and not [n for n in t.notes if "not checked" in n]
    t = expression("tr(W'*W)", "W", shapes=["W=200x200"])  # local Jacobians of 40000² entries
    assert t.passed
    np.testing.assert_allclose(t.gradient, 2 * t.inputs[0].value, rtol=1e-13)
    notes = " ".join(t.notes)
    assert "∂u₁/∂W is not checked: ∂u₁/∂W: the dense 40000×40000" in notes
    assert "the forward order is not run" in notes and "∂f/∂x" not in notes
    assert "Raise it" not in notes  # a command-line user has no J.dense(limit=...)
