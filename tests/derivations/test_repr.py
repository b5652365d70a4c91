"""At the REPL: a table's repr is one short line (what is differentiated, at which sizes), and
print shows the table itself."""

from derivations import Derivation, catalog, mlp, single_layer, softmax_cross_entropy


def test_a_derivation_has_a_short_repr_and_prints_its_table():
    d = single_layer()
    assert repr(d) == (
        "<Derivation single_layer: ∂C/∂W, n = 3, m = 4, sigmoid, squared_error; "
        "gradient 3×4; checks passed>"
    )
    assert str(d) == d.render("text") and f"{d}" == d.render("text")
    r = repr(mlp([2, 3, 1], ["relu", "identity"], wrt="b2"))
    assert r.startswith("<Derivation mlp: ∂C/∂b⁽²⁾, l₀ = 2, l₁ = 3, l₂ = 1, relu/identity,")
    assert len(repr(softmax_cross_entropy(show_matrices=True))) < 120
    dead = single_layer(activation="relu", W=[[-1.0]], x=[1.0], b=[0.0], y=[1.0])
    assert repr(dead).endswith("; degenerate point>")
    assert isinstance(d, Derivation)


def test_the_catalog_has_a_short_repr_and_prints_its_table():
    c = catalog()
    operations = len({r.operation for r in c.rows})
    assert repr(c) == f"<Catalog: {len(c.rows)} Jacobians of {operations} operations>"
    assert str(c) == c.render("text")


def test_an_expression_table_has_a_short_repr_and_prints_its_table():
    from derivations import expression

    t = expression("x'*A*x", "x", ["A=3x3"])
    assert (
        repr(t) == "<ExpressionTable ∂f/∂x of x'*A*x (x: 3×1, A: 3×3); gradient 3×1; checks passed>"
    )
    assert str(t) == t.render("text")
    assert repr(expression("A*X", "X", ["A=2x2", "X=2x3"])).endswith(
        "; jacobian 6×6; checks passed>"
    )
