"""verify names the slip that matches what was passed, and every fix it suggests works when
applied, as code, to the claim exactly as it was passed."""

import subprocess
import sys
import textwrap
import warnings
from types import SimpleNamespace

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import jacobians
import reshape
from jacobians import Layer, verify
from jacobians.testing import assert_jacobian_close


def sig(t):
    return 1 / (1 + np.exp(-t))


def problem(n, m, seed=0):
    """C = ½‖σ(Wx + b) − y‖² with W n×m: the cost, the point and the right gradient δ xᵀ."""
    rng = np.random.default_rng(seed)
    W, x, b, y = rng.normal(size=(n, m)), rng.normal(size=m), rng.normal(size=n), rng.random(n)

    def cost(W):
        return 0.5 * np.sum((sig(W @ x + b) - y) ** 2)

    a = sig(W @ x + b)
    delta = (a - y) * a * (1 - a)
    return SimpleNamespace(cost=cost, W=W, x=x, b=b, y=y, a=a, delta=delta)


def applied(code, claimed):
    """The suggested fix, run as written on the claim as it was passed."""
    return eval(code, {"claimed": claimed, "np": np, "reshape": reshape, "jacobians": jacobians})


def assert_fix_works(f, x, claimed, **options):
    r = verify(f, x, claimed, **options)
    assert not r.matches and r.diagnosis is not None, str(r)
    d = r.diagnosis
    assert d.code is not None and d.fix.endswith(f": {d.code}"), d
    fixed = applied(d.code, np.array(claimed, copy=True))
    again = verify(f, x, fixed, **options)
    assert again.matches, f"{d.code} gives\n{again}"
    return r


# ----- a square parameter's gradient, transposed -----


@pytest.mark.parametrize("n", [3, 4])
def test_square_gradient_transposed_is_named_transposed_with_a_fix_that_works(n):
    p = problem(n, n)
    cost, W, x, delta = p.cost, p.W, p.x, p.delta
    r = assert_fix_works(cost, W, np.outer(x, delta))  # x δᵀ where δ xᵀ is meant
    d = r.diagnosis
    assert d.kind == "transposed" and d.data["reading"] == "transposed"
    assert d.code == "claimed.T" and "reorder" not in d.fix
    assert d.summary.startswith("claimed is the gradient transposed")
    assert "W is square, so only the numbers tell" in d.summary
    # the other reading of the same numbers is mentioned, not named
    assert "the same numbers are also the gradient flattened column-major" in d.summary


def test_square_jacobian_in_denominator_layout_is_named():
    rng = np.random.default_rng(1)
    A, v = rng.normal(size=(3, 3)), rng.normal(size=3)
    r = assert_fix_works(lambda v: A @ v, v, A.T)
    assert r.diagnosis.kind == "transposed" and "denominator layout" in r.diagnosis.summary


def test_a_gradient_flattened_column_major_in_a_row_keeps_its_reorder_fix():
    p = problem(3, 3)
    row = np.outer(p.delta, p.x).reshape(1, -1, order="F")
    r = assert_fix_works(p.cost, p.W, row)
    assert r.diagnosis.kind == "column-major" and "reshape.reorder(claimed" in r.diagnosis.code


# ----- every suggested fix works on what was passed -----


def _slips(n, m, seed):
    """(name, f, x, claimed, options): slips planted into the gradient and the Jacobian."""
    p = problem(n, m, seed)
    cost, W, x, b, delta = p.cost, p.W, p.x, p.b, p.delta
    G = np.outer(delta, x)
    J = np.kron(np.eye(n), x[None, :])  # ∂z/∂W, z = Wx + b

    def z(W):
        return W @ x + b

    T = J.reshape(n, n, m)
    return [
        ("gradient transposed", cost, W, G.T, {}),
        ("gradient, twice and transposed", cost, W, 2 * G.T, {}),
        ("gradient, halved", cost, W, G / 2, {}),
        ("gradient, sign", cost, W, -G, {}),
        ("gradient, a third", cost, W, G / 3, {}),
        ("gradient, column-major row", cost, W, G.reshape(1, -1, order="F"), {}),
        ("gradient, column-major folded", cost, W, G.reshape(-1, order="F").reshape(n, m), {}),
        ("jacobian, denominator", z, W, J.T, {}),
        ("jacobian, column-major", z, W, reshape.reorder(J, (n,), (n, m), "C", "F"), {}),
        (
            "jacobian, column-major, halved",
            z,
            W,
            reshape.reorder(J, (n,), (n, m), "C", "F") / 2,
            {},
        ),
        ("tensor, input axes first", z, W, np.moveaxis(T, 0, -1), {}),
        ("tensor where the matrix is asked", z, W, T, {"form": "matrix"}),
        ("matrix where the tensor is asked", z, W, J, {"form": "tensor"}),
        ("gradient where the row is asked", cost, W, G, {"form": "matrix"}),
        ("row where the gradient is asked", cost, W, G.reshape(1, -1), {"form": "gradient"}),
    ]


NAMES = [s[0] for s in _slips(3, 3, 0)]


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize(("n", "m"), [(3, 3), (4, 4), (3, 4), (2, 5)])
def test_each_suggested_fix_works_when_applied(name, n, m):
    _, f, x, claimed, options = next(s for s in _slips(n, m, 0) if s[0] == name)
    assert_fix_works(f, x, claimed, **options)


@given(n=st.integers(1, 4), m=st.integers(1, 4), seed=st.integers(0, 2**16), k=st.integers(0, 14))
def test_any_fix_given_as_code_works(n, m, seed, k):
    name, f, x, claimed, options = _slips(n, m, seed)[k]
    r = verify(f, x, claimed, **options)
    if r.matches:  # a slip that changes nothing at these sizes (a 1×1 transposed, say)
        return
    if r.diagnosis is not None and r.diagnosis.code is not None:
        assert verify(f, x, applied(r.diagnosis.code, claimed), **options).matches, name


def test_a_typed_closed_form_is_fixed_by_another_closed_form():
    r = verify("tr(A*X'*B*X*C)", None, "(B'*X*A'*C' + B*X*C*A)'", wrt="X", shapes=["X=3x4"])
    assert r.diagnosis.kind == "transposed" and r.diagnosis.code is None
    assert r.diagnosis.fix == "transpose it: B'*X*A'*C' + B*X*C*A"
    r = verify("x'*A*x", None, "2*(A*x + A'*x)", wrt="x")
    assert r.diagnosis.kind == "factor" and r.diagnosis.fix == "multiply by ½"


# ----- the σ′ slips: how to ask for them -----


def test_without_layer_the_report_says_how_to_ask_for_the_activation_checks():
    p = problem(3, 4)
    cost, W, x, b, y, a = p.cost, p.W, p.x, p.b, p.y, p.a
    claimed = np.outer(a - y, x)  # σ′ left out
    r = verify(cost, W, claimed)
    assert r.diagnosis is None
    text = str(r)
    assert "none of the common mistakes" in text and "layer=" in text
    assert "σ′ taken at a = σ(z) instead of at z" in r.hint
    assert r.example.startswith("verify(cost, W, claimed, layer=jacobians.Layer(")
    assert f"    {r.example}" in text.splitlines()
    # the example, run as written, asks for the checks, and they name the slip
    names = {"verify": verify, "jacobians": jacobians, "np": np, "cost": cost, "W": W}
    names.update(claimed=claimed, x=x, b=b, y=y)
    again = eval(r.example, names)
    assert again.diagnosis.kind == "activation-derivative"
    assert again.diagnosis.data["hypothesis"] == "left out"
    assert again.hint == "" and "hint" not in str(again)
    assert r.to_dict()["example"] == r.example
    assert f"`{r.example}`" in r._repr_markdown_() and "layer=" in r._repr_html_()


def test_no_hint_where_a_slip_is_named_or_layer_was_given():
    p = problem(3, 4)
    cost, W, x, b, y, delta = p.cost, p.W, p.x, p.b, p.y, p.delta
    assert verify(cost, W, 2 * np.outer(delta, x)).hint == ""
    layer = Layer("sigmoid", pre=lambda W: W @ x + b, post=lambda a: 0.5 * np.sum((a - y) ** 2))
    other = np.random.default_rng(5).normal(size=(3, 4))
    r = verify(cost, W, other, layer=layer)
    assert r.diagnosis is None and r.hint == "" and r.example == ""
    assert verify("x'*A*x", None, "A*x", wrt="x").hint == ""  # an expression has no layer=


def test_report_text_names_no_document():
    p = problem(3, 4)
    cost, W, x, b, y, a, delta = p.cost, p.W, p.x, p.b, p.y, p.a, p.delta
    layer = Layer("sigmoid", pre=lambda W: W @ x + b, post=lambda a: 0.5 * np.sum((a - y) ** 2))
    slips = [np.outer(delta, x).T, np.outer((a - y) * sig(a) * (1 - sig(a)), x)]
    for claimed in slips:
        text = str(verify(cost, W, claimed, layer=layer))
        for word in ("Lemma", "write-up", "numerator-layout derivative"):
            assert word not in text
    r = verify(cost, W, slips[1], layer=layer)
    assert "evaluated at a = σ(z) instead of z" in r.diagnosis.summary


# ----- assert_jacobian_close: the report's first line is the summary -----


def test_assertion_message_starts_with_the_reports_first_line():
    p = problem(3, 4)
    cost, W, x, delta = p.cost, p.W, p.x, p.delta
    with pytest.raises(AssertionError) as e:
        assert_jacobian_close(cost, W, np.outer(delta, x).T)
    first = str(verify(cost, W, np.outer(delta, x).T)).splitlines()[0]
    assert str(e.value).splitlines()[0] == first
    assert first.startswith("FAIL ∂cost/∂W does NOT match")


def test_pytest_one_line_summary_shows_the_report(tmp_path):
    test = tmp_path / "test_slip.py"
    test.write_text(
        textwrap.dedent(
            """
            import numpy as np
            from jacobians.testing import assert_jacobian_close

            def test_slip():
                assert_jacobian_close(lambda W: np.sum(W ** 2), np.eye(3), np.eye(3))
            """
        )
    )
    r = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-rf", "-p", "no:cacheprovider", str(test)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=120,
    )
    summary = [s for s in r.stdout.splitlines() if s.startswith("FAILED")]
    assert len(summary) == 1, r.stdout
    assert "AssertionError: FAIL ∂f/∂W does NOT match" in summary[0]


def test_the_example_for_a_function_of_several_arguments_names_wrt():
    p = problem(2, 3)

    def cost(W, x, b):
        return 0.5 * np.sum((sig(W @ x + b) - p.y) ** 2)

    claimed = np.outer(p.a - p.y, p.x)  # σ′ left out
    r = verify(cost, (p.W, p.x, p.b), claimed, wrt=0)
    assert r.example.startswith("verify(cost, (W, x, b), claimed, wrt='W', layer=")
    names = {"verify": verify, "jacobians": jacobians, "np": np, "cost": cost, "claimed": claimed}
    names.update(W=p.W, x=p.x, b=p.b, y=p.y)
    assert eval(r.example, names).diagnosis.data["hypothesis"] == "left out"


def _w_cost():
    W, x = np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]), np.array([1.0, -1.0, 2.0])
    return (lambda W: 0.5 * np.sum((W @ x) ** 2)), W, np.outer(W @ x, x)


@pytest.mark.parametrize("mode", ["full", "fast"])
def test_a_gradient_reshaped_where_a_transpose_was_meant_is_not_the_gradient(mode):
    cost, W, grad = _w_cost()
    r = verify(cost, W, grad.reshape(3, 2), mode=mode)  # W's entries in Wᵀ's shape, row-major
    assert not r.matches and r.diagnosis.kind == "shape"
    assert "like Wᵀ" in r.diagnosis.summary and r.diagnosis.code == "claimed.reshape(2, 3)"
    for same in (grad.reshape(6), grad.reshape(1, 6), grad.reshape(6, 1), grad.reshape(2, 3, 1)):
        assert verify(cost, W, same, mode=mode).matches  # the gradient, axes merged or split
    A = np.arange(1.0, 7.0).reshape(2, 3)
    assert verify(lambda v: A @ v, np.ones(3), A.reshape(3, 2), mode=mode).diagnosis.kind == "shape"


@pytest.mark.parametrize(
    ("shape", "form"), [((1, 6), "tensor"), ((6, 1), "gradient"), ((1, 2, 3), "gradient")]
)
def test_a_shape_fix_gives_the_form_asked_for(shape, form):
    W = np.arange(1.0, 7.0).reshape(2, 3)
    f = lambda W: np.sum(W**2) / 2
    claimed = W.reshape(shape)
    r = verify(f, W, claimed, form=form)
    assert r.diagnosis.kind == "shape"
    fixed = eval(
        r.diagnosis.code, {"claimed": claimed, "np": np, "reshape": reshape, "jacobians": jacobians}
    )
    assert verify(f, W, fixed, form=form).matches, r.diagnosis.code


@pytest.mark.parametrize("mode", ["full", "fast"])
def test_a_tensor_with_its_input_axes_first_is_named_where_input_and_output_shapes_agree(mode):
    r = np.random.default_rng(0)
    A, B, X = r.normal(size=(3, 3)), r.normal(size=(3, 3)), r.normal(size=(3, 3))
    T = np.einsum("ik,lj->ijkl", A, B)  # ∂(AXB)[i, j]/∂X[k, l]: both shapes 3×3
    claimed = T.transpose(2, 3, 0, 1)
    d = verify(lambda X: A @ X @ B, X, claimed, mode=mode).diagnosis
    assert d.kind == "transposed" and "input axes first" in d.summary
    fixed = eval(d.code, {"claimed": claimed, "np": np})
    assert verify(lambda X: A @ X @ B, X, fixed, mode=mode).matches


@pytest.mark.parametrize("mode", ["full", "fast"])
@pytest.mark.parametrize("scale", [1e160, 1e-170])
def test_slips_are_named_at_any_scale(mode, scale):
    x = np.array([[0.1, 0.2], [0.3, 0.4], [0.5, 0.6]])
    f = lambda x: scale * np.sum(np.sin(x))  # squares of its Jacobian leave the float range
    g = scale * np.cos(x)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert verify(f, x, g, mode=mode).matches
        for c in (-1.0, 2.0):
            r = verify(f, x, c * g, mode=mode)
            assert not r.matches and r.diagnosis.data["factor"] == c


def test_a_one_entry_jacobian_is_no_evidence_of_an_odd_factor():
    assert verify(np.sin, np.array(0.5), 0.3).diagnosis is None  # any claim is some multiple
    assert verify(np.sin, np.array(0.5), 2 * np.cos(0.5)).diagnosis.data["factor"] == 2


def test_an_odd_factor_keeps_the_hint_of_the_activation_checks():
    sig = lambda z: 1 / (1 + np.exp(-z))
    W, x, y = np.array([[0.5, -1.0, 2.0]]), np.array([1.0, 2.0, 0.5]), np.array([0.2])
    cost = lambda W: 0.5 * np.sum((sig(W @ x) - y) ** 2)
    r = verify(cost, W, np.outer(sig(W @ x) - y, x))  # one output: σ′ left out is a factor
    assert r.diagnosis.kind == "factor" and "σ′ left out" in r.hint
