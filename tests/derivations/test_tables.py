"""The tables' content: factors, shapes, products and checks, read from the registry and net."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import jacobians
from derivations import catalog, mlp, single_layer, softmax_cross_entropy
from derivations._build import MATRIX_LIMIT
from jacobians import ACTIVATIONS, OPERATIONS, to_gradient

LAYER_ACTIVATIONS = list(ACTIVATIONS)


def _instantiate(symbolic: str, sizes: dict[str, int]) -> tuple[int, int]:
    """'n×nm' with n=3, m=4 -> (3, 12): a product of the size letters."""
    out = []
    for part in symbolic.split("×"):
        value = 1
        for letter in part:
            if letter != "1":
                value *= sizes[letter]
        out.append(value)
    return tuple(out)


def test_single_layer_is_the_first_write_up():
    d = single_layer()
    assert [F.symbol for F in d.factors] == ["∂C/∂a", "∂a/∂z", "∂z/∂W"]
    assert [F.closed_form for F in d.factors] == [
        "(a − y)ᵀ",
        OPERATIONS["sigmoid"].rules["z"].closed_form,
        "I_n ⊗ xᵀ",
    ]
    assert [F.shape for F in d.factors] == ["1×n", "n×n", "n×nm"]
    assert [F.instance for F in d.factors] == [(1, 3), (3, 3), (3, 12)]
    assert [F.structure for F in d.factors] == ["row", "diagonal", "kronecker"]
    assert [(s.result, s.shape, s.instance) for s in d.steps] == [
        ("∂C/∂z", "1×n", (1, 3)),
        ("∂C/∂W", "1×nm", (1, 12)),
    ]
    assert d.row_shape == ("1×nm", (1, 12)) and d.param_shape == "n×m"
    assert d.gradient.shape == (3, 4)
    assert d.multiply_adds == {"left": 15, "right": 72, "cheapest": 15}
    assert [c.name for c in d.checks] == ["shortcut", "numeric"] and d.passed


def test_single_layer_numbers_are_the_tour():
    """The same draw as the README's tour: the gradient is the tour's."""
    rng = np.random.default_rng(0)
    W, x, b, y = rng.normal(size=(3, 4)), rng.normal(size=4), rng.normal(size=3), rng.random(3)
    a = 1 / (1 + np.exp(-(W @ x + b)))
    np.testing.assert_allclose(
        single_layer().gradient, np.outer((a - y) * a * (1 - a), x), rtol=1e-12
    )


@given(
    n=st.integers(1, 6),
    m=st.integers(1, 6),
    activation=st.sampled_from(LAYER_ACTIVATIONS),
    cost=st.sampled_from(["squared_error", "cross_entropy", "binary_cross_entropy"]),
    wrt=st.sampled_from(["W", "b", "x"]),
    seed=st.integers(0, 2**16),
)
def test_single_layer_any_combination(n, m, activation, cost, wrt, seed):
    allowed = {"cross_entropy": ("sigmoid", "softmax"), "binary_cross_entropy": ("sigmoid",)}
    if cost in allowed and activation not in allowed[cost]:
        with pytest.raises(ValueError, match="needs probabilities"):
            single_layer(n, m, activation, cost, wrt, seed)
        return
    d = single_layer(n, m, activation, cost, wrt, seed)
    sizes = {"n": n, "m": m}
    for F in d.factors:
        assert _instantiate(F.shape, sizes) == F.instance, F
        assert F.jacobian.shape == F.instance
    for s in d.steps:
        assert _instantiate(s.shape, sizes) == s.instance
    assert d.gradient.shape == {"W": (n, m), "b": (n,), "x": (m,)}[wrt]
    # the product of the dense matrices, folded back, is the table's gradient
    dense = np.linalg.multi_dot(
        [F.jacobian.matrix for F in d.factors] + [np.eye(d.row_shape[1][1])]
    )
    np.testing.assert_allclose(to_gradient(dense, d.gradient.shape), d.gradient, atol=1e-13)
    for c in d.checks:
        assert c.passed, c


@given(n=st.integers(1, 6), m=st.integers(1, 5), wrt=st.sampled_from(["W", "b", "x"]))
def test_softmax_cases_and_fused_rule(n, m, wrt):
    d = softmax_cross_entropy(n, m, wrt)
    assert [c.condition for c in d.cases] == ["i = j", "i ≠ j"]
    assert {c.name for c in d.checks} == {
        "case i = j",
        "case i ≠ j",
        "fused",
        "shortcut",
        "numeric",
    }
    assert d.passed, d.checks
    assert d.factors[1].closed_form == OPERATIONS["softmax"].rules["z"].closed_form


def test_a_wrong_shortcut_fails_its_check(monkeypatch):
    """The checks can fail: break σ′ in the shortcut and the shortcut check reports it."""
    import derivations._layer as layer

    # ∇ₐC = a + y where a − y is meant, in the shortcut's δ only
    broken = lambda act, cost, z, a, y: act.vjp(z, a, a + y)
    monkeypatch.setattr(layer, "_delta", broken)
    d = single_layer()
    shortcut = next(c for c in d.checks if c.name == "shortcut")
    assert not shortcut.passed and not d.passed
    assert "FAILED" in d.render("text")


@pytest.mark.parametrize("wrt", ["W1", "b1", "W2", "b2", "W3", "b3"])
def test_mlp_every_parameter(wrt):
    d = mlp([2, 3, 3, 1], wrt=wrt)
    k = int(wrt[1])
    # ∂C/∂y⁽³⁾, then ∇σ and W for each layer above k, then ∇σ_k and ∂z⁽ᵏ⁾/∂wrt
    assert len(d.factors) == 1 + 2 * (3 - k) + 2
    assert d.factors[0].symbol == "∂C/∂y⁽³⁾" and d.factors[0].shape == "1×l₃"
    assert d.factors[-1].symbol == f"∂z⁽{'¹²³'[k - 1]}⁾/∂{wrt[0]}⁽{'¹²³'[k - 1]}⁾"
    assert (
        d.gradient.shape
        == ((3, 2), (3,), (3, 3), (3,), (1, 3), (1,))[
            ["W1", "b1", "W2", "b2", "W3", "b3"].index(wrt)
        ]
    )
    assert d.passed, d.checks


@pytest.mark.parametrize(
    "sizes, acts, loss",
    [
        ([3, 4, 2], ["relu", "identity"], "softmax_cross_entropy"),
        ([2, 3, 3], ["sigmoid", "softmax"], "cross_entropy"),
        ([1, 2, 2, 2, 1], ["tanh", "softplus", "leaky_relu", "identity"], "squared_error"),
    ],
)
def test_mlp_architectures(sizes, acts, loss):
    d = mlp(sizes, acts, loss, wrt="W1")
    widths = {f"l{'₀₁₂₃₄'[i]}": s for i, s in enumerate(sizes)}
    for F in d.factors:
        rows, cols = F.shape.split("×")
        size = lambda text: int(
            np.prod([widths["l" + c] for c in text.replace("l", "")]) if text != "1" else 1
        )
        assert (size(rows), size(cols)) == F.instance, F
    assert d.passed, d.checks


def test_catalog_is_the_registry():
    rows = catalog().rows
    pairs = list(jacobians.catalog())
    assert len(rows) == len(pairs) == sum(len(op.params) for op in OPERATIONS.values())
    for row, (op, rule) in zip(rows, pairs, strict=True):
        assert row.operation == op.name and row.formula == op.formula
        assert row.symbol == f"∂{op.output}/∂{rule.wrt}"
        assert (row.closed_form, row.closed_form_latex, row.shape, row.structure) == (
            rule.closed_form,
            rule.latex,
            rule.shape,
            rule.structure,
        )


def test_show_matrices_are_the_jacobians():
    d = single_layer(2, 3, show_matrices=True)
    text = d.render("text")
    assert "∂z/∂W = I_n ⊗ xᵀ (2×6):" in text
    M = d.factors[2].jacobian.matrix
    assert np.count_nonzero(M) == 6 and M.shape == (2, 6)  # I_2 ⊗ xᵀ: x in block i of row i
    np.testing.assert_array_equal(M[0, 3:], 0)


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: single_layer(n=0), "size n must be between 1"),
        (lambda: single_layer(m=-2), "size m must be between 1"),
        (lambda: single_layer(n=2.5), "whole number"),
        (lambda: single_layer(activation="swish"), "unknown activation 'swish'"),
        (lambda: single_layer(cost="hinge"), "unknown cost 'hinge'"),
        (lambda: single_layer(wrt="V"), "unknown parameter 'V'"),
        (lambda: single_layer(n=MATRIX_LIMIT[0] + 1, show_matrices=True), "choose smaller sizes"),
        (lambda: softmax_cross_entropy(n=0), "size n"),
        (lambda: mlp([2, 3, 1], wrt="W7"), "unknown parameter 'W7'"),
        (lambda: mlp([2], wrt="W1"), "at least two widths"),
        (lambda: mlp([2, 0, 1]), "sizes\\[1\\] must be between"),
    ],
)
def test_bad_input(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_numeric_check_is_skipped_not_silent_for_huge_parameters(monkeypatch):
    import derivations._build as build

    monkeypatch.setattr(build, "NUMERIC_LIMIT", 5)
    d = single_layer(3, 4)
    num = next(c for c in d.checks if c.name == "numeric")
    assert num.value is None and "12 parameters" in num.skipped
    assert "skipped: 12 parameters" in d.render("text")


def test_catalog_reports_the_structures_built():
    """One sample's structure, and a batch's only where it differs: both built, never declared."""
    rows = {(r.operation, r.symbol): r for r in catalog().rows}
    softmax = rows["softmax", "∂a/∂z"]
    assert (softmax.structure, softmax.batch_structure) == ("diagonal-plus-low-rank", None)
    assert (rows["linear", "∂z/∂x"].structure, rows["linear", "∂z/∂x"].batch_structure) == (
        "dense",
        "kronecker",
    )
    assert rows["linear", "∂z/∂W"].batch_structure is None
    for r in rows.values():
        single, batch = OPERATIONS[r.operation].structures(r.symbol.split("/∂")[1])
        assert (r.structure, r.batch_structure) == (single, None if batch == single else batch)
    text = catalog().render("text").splitlines()
    differ = [r for r in rows.values() if r.batch_structure]
    assert sum("; batch: " in line for line in text) == len(differ) > 0
    assert any(line.endswith("dense; batch: kronecker") for line in text)
