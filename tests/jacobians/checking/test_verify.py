"""jacobians.verify: each mistake planted into a correct Jacobian is named; a correct one never."""

import json
import subprocess
import sys

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jacobians import (
    OPERATIONS,
    Layer,
    Report,
    linear,
    sigmoid,
    squared_error,
    verify,
)
from reshape import InputError, InputTypeError, ShapeError, reorder
from tests.jacobians.inputs import inputs

rng = np.random.default_rng(3)
n, m = 3, 4
W, x, b, y = rng.normal(size=(n, m)), rng.normal(size=m), rng.normal(size=n), rng.random(n)


def cost(W):
    """C = ½‖σ(Wx + b) − y‖², a function of W."""
    return squared_error(sigmoid(linear(W, x, b).value).value, y).value


def sig(t):
    return 1 / (1 + np.exp(-t))


z = W @ x + b
a = sig(z)
GRAD = np.outer((a - y) * a * (1 - a), x)  # the gradient, shaped like W
LAYER = Layer("sigmoid", pre=lambda W: W @ x + b, post=lambda a: squared_error(a, y).value)
DZ_DW = np.kron(np.eye(n), x[None, :])  # ∂z/∂W = I_n ⊗ xᵀ, n×nm


def z_of_W(W):
    return W @ x + b


# ----- a correct Jacobian, in every correct form -----


@pytest.mark.parametrize(
    ("claimed", "read_as"),
    [
        (GRAD, "gradient"),
        (GRAD.reshape(1, -1), "row"),
        (GRAD.reshape(-1), "row"),
        (lambda W: np.outer((sig(W @ x + b) - y) * sig(W @ x + b) * (1 - sig(W @ x + b)), x), ""),
    ],
)
def test_correct_gradient_matches_in_any_form(claimed, read_as):
    r = verify(cost, W, claimed)
    assert r.matches and bool(r) and r.diagnosis is None and r.n_differing == 0
    assert read_as in r.read_as
    assert r.max_abs_error < 1e-15


def test_correct_matrix_tensor_and_jacobian_object():
    for claimed in (DZ_DW, DZ_DW.reshape(n, n, m), linear(W, x, b).jacobians["W"]):
        r = verify(z_of_W, W, claimed)
        assert r.matches and r.diagnosis is None


# ----- each mistake, planted -----


def test_transposed_gradient_shaped_like_W_transpose():
    r = verify(cost, W, GRAD.T)  # x δᵀ for δ xᵀ: m×n
    assert not r.matches
    assert r.diagnosis.kind == "transposed" and r.diagnosis.code == "claimed.T"
    assert "the gradient transposed: shaped like Wᵀ 4×3" in r.diagnosis.summary


def test_transposed_denominator_layout_matrix_and_tensor():
    A = rng.normal(size=(3, 5))
    f = lambda v: A @ v
    v = rng.normal(size=5)
    r = verify(f, v, A.T)
    assert r.diagnosis.kind == "transposed" and "denominator" in r.diagnosis.summary
    r = verify(z_of_W, W, DZ_DW.reshape(n, n, m).transpose(1, 2, 0))  # (n, m, n): input first
    assert r.diagnosis.kind == "transposed" and "input axes first" in r.diagnosis.summary


def test_column_major_flattening():
    colmajor = np.kron(x[None, :], np.eye(n))  # xᵀ ⊗ I_n: Magnus & Neudecker's vec
    np.testing.assert_array_equal(colmajor, reorder(DZ_DW, (n,), (n, m), "C", "F"))
    r = verify(z_of_W, W, colmajor)
    assert r.diagnosis.kind == "column-major" and "commutation" in r.diagnosis.summary
    row = GRAD.reshape(-1, order="F")[None, :]
    assert verify(cost, W, row).diagnosis.kind == "column-major"
    B = rng.normal(size=(2, 3))  # both sides matrices: P = A B, ∂P/∂A flattened F on both
    f = lambda A: A @ B
    A = rng.normal(size=(4, 2))
    J = np.kron(np.eye(4), B.T)
    for o, i, side in [
        ((4, 3), (4, 2), "both"),
        ((12,), (4, 2), "input"),
        ((4, 3), (8,), "output"),
    ]:
        r = verify(f, A, reorder(J, o, i, "C", "F"))
        assert r.diagnosis.kind == "column-major", side
        assert side in r.diagnosis.data["reading"]


@pytest.mark.parametrize(
    ("c", "shown"), [(0.5, "½"), (2.0, "2"), (-1.0, "−1"), (1 / 3, "1/3"), (1 / 4, "1/4")]
)
def test_constant_factor_is_reported(c, shown):
    r = verify(cost, W, c * GRAD)
    assert r.diagnosis.kind == "factor"
    assert r.diagnosis.data["factor"] == pytest.approx(c)
    assert f"is {shown} ×" in r.diagnosis.summary
    if shown == "1/4":
        assert (
            "mean over 4" in r.diagnosis.summary and "size of this problem" in r.diagnosis.summary
        )


def test_factor_combined_with_transposition():
    r = verify(cost, W, 2 * GRAD.T)
    assert r.diagnosis.kind == "factor" and r.diagnosis.data["reading"] == "transposed"


@pytest.mark.parametrize(
    ("w", "key"),
    [
        (np.ones(n), "left out"),
        (sig(a) * (1 - sig(a)), "evaluated at a"),  # σ′(a) where σ′(z) is meant
        ((a * (1 - a)) ** 2, "applied twice"),
        (z * (1 - z), "output formula fed z"),
    ],
)
def test_activation_derivative_slips(w, key):
    planted = np.outer((a - y) * w, x)
    r = verify(cost, W, planted, layer=LAYER)
    assert r.diagnosis.kind == "activation-derivative"
    assert r.diagnosis.data["hypothesis"] == key
    assert verify(cost, W, np.outer((a - y) * a * (1 - a), x), layer=LAYER).diagnosis is None


def test_activation_slip_on_a_layer_output_and_transposed():
    r = verify(
        lambda W: sig(W @ x + b),
        W,
        np.kron(np.eye(n), x[None, :]),
        layer=Layer("sigmoid", pre=lambda W: W @ x + b),
    )
    assert r.diagnosis.kind == "activation-derivative" and "missing" in r.diagnosis.summary
    planted = np.outer((a - y) * sig(a) * (1 - sig(a)), x).T
    r = verify(cost, W, planted, layer=[LAYER])
    assert r.diagnosis.data == {"hypothesis": "evaluated at a", "reading": "transposed"}


def test_right_except_on_some_entries():
    bad = GRAD.copy()
    bad[1, 2] += 1.0
    r = verify(cost, W, bad)
    assert r.diagnosis.kind == "entries" and "∂cost/∂W[1, 2]" in r.diagnosis.summary
    assert r.diagnosis.data["entries"] == [[0, 6]]
    assert r.n_differing == 1 and r.entries[0].in_index == (1, 2)
    J = DZ_DW.copy()
    J[2, [0, 5]] = 7.0
    r = verify(z_of_W, W, J)
    assert r.diagnosis.kind == "entries" and "all in row 2" in r.diagnosis.summary


def test_shape_diagnosis_when_a_form_is_required():
    r = verify(z_of_W, W, DZ_DW.reshape(n, n, m), form="matrix")
    assert not r.matches and r.diagnosis.kind == "shape" and "tensor" in r.diagnosis.summary
    r = verify(z_of_W, W, DZ_DW, form="tensor")
    assert r.diagnosis.kind == "shape" and "unflatten" in r.diagnosis.fix
    r = verify(cost, W, GRAD, form="matrix")  # the gradient where the 1×nm row is compared
    assert r.diagnosis.kind == "shape" and "gradient" in r.diagnosis.summary
    assert verify(cost, W, GRAD, form="gradient").matches
    assert verify(cost, W, GRAD.reshape(1, -1), form="matrix").matches


def test_no_diagnosis_for_an_unrelated_error():
    r = verify(cost, W, rng.normal(size=(n, m)))
    assert not r.matches and r.diagnosis is None
    assert "none of the common mistakes" in str(r)


def test_several_arguments():
    def f(W, x, b):
        return W @ x + b

    r = verify(f, (W, x, b), W, wrt="x")
    assert r.matches and r.wrt == "x"
    r = verify(f, {"W": W, "x": x, "b": b}, lambda W, x, b: np.eye(n), wrt="b")
    assert r.matches


# ----- the property: a correct Jacobian from the registry never gets a diagnosis -----

RULES = [(op, w) for op in OPERATIONS for w in OPERATIONS[op].rules]


@settings(max_examples=40)
@given(
    rule=st.sampled_from(RULES),
    n=st.integers(1, 4),
    m=st.integers(1, 4),
    d=st.integers(1, 3),
    batch=st.booleans(),
    seed=st.integers(0, 2**32 - 1),
    c=st.sampled_from([2.0, -1.0, 0.5]),
)
def test_registry_jacobians_verify_and_planted_factors_are_named(rule, n, m, d, batch, seed, c):
    name, wrt = rule
    args = inputs(name, seed, n, m, d, batch)
    op = OPERATIONS[name]
    J = op(**args).jacobians[wrt]
    f = lambda v: op(**{**args, wrt: v}).value
    r = verify(f, args[wrt], J.matrix)
    assert r.matches and r.diagnosis is None, str(r)
    assert verify(f, args[wrt], J.tensor).matches
    if np.abs(J.matrix).max() > 1e-6:
        r = verify(f, args[wrt], c * J.matrix)
        assert r.diagnosis is not None and r.diagnosis.kind == "factor", str(r)
        assert r.diagnosis.data["factor"] == pytest.approx(c)


# ----- the report -----


def test_report_renders_in_terminal_notebook_and_dict():
    r = verify(cost, W, GRAD.T)
    text = str(r)
    assert text.startswith("FAIL ∂cost/∂W does NOT match")
    assert "diagnosis (transposed)" in text and "fix: transpose" in text
    assert "first differing entries" in text and "claimed" in text and "numeric" in text
    md = r._repr_markdown_()
    assert "**diagnosis (transposed)**" in md and "| entry | claimed | numeric |" in md
    html = r._repr_html_()
    assert "<table>" in html and "diagnosis (transposed)" in html
    d = r.to_dict()
    assert json.loads(json.dumps(d)) == d
    assert d["diagnosis"]["kind"] == "transposed" and d["matches"] is False
    assert d["in_shape"] == [n, m] and d["claimed_shape"] == [m, n]
    assert isinstance(r, Report) and "mismatch, transposed" in repr(r)
    ok = verify(cost, W, GRAD)
    assert str(ok).startswith("OK") and "diagnosis" not in str(ok)
    assert ok.to_dict()["entries"] == []


def test_report_lists_at_most_max_entries():
    r = verify(cost, W, -GRAD, max_entries=2)
    assert len(r.entries) == 2 and r.n_differing == n * m


# ----- bad input -----


def test_claimed_of_a_size_no_reading_fits():
    with pytest.raises(ShapeError) as e:
        verify(cost, W, np.ones(5))
    msg = str(e.value)
    assert "12 entries" in msg and "the gradient shaped like W, 3×4" in msg and "(5,)" in msg


def test_claimed_gradient_for_a_vector_output_gets_a_hint():
    with pytest.raises(ShapeError, match="give f the scalar cost"):
        verify(z_of_W, W, GRAD)


@pytest.mark.parametrize(
    ("claimed", "err", "words"),
    [
        (np.full((n, m), np.nan), InputError, ["'claimed'", "NaN"]),
        (np.ones((n, m)) * 1j, InputTypeError, ["real array"]),
        ("grad", InputTypeError, ["numeric array"]),
        (lambda W: 1 / 0, InputError, ["called like f", "ZeroDivisionError"]),
    ],
)
def test_bad_claimed(claimed, err, words):
    with pytest.raises(err) as e:
        verify(cost, W, claimed)
    for w in words:
        assert w in str(e.value)


@pytest.mark.parametrize(
    ("kwargs", "words"),
    [
        ({"form": "row"}, ["'matrix'"]),
        ({"rtol": -1}, ["rtol"]),
        ({"max_entries": 1.5}, ["max_entries"]),
        ({"layer": "sigmoid"}, ["jacobians.Layer"]),
        ({"layer": Layer("tanh", pre=lambda W: W @ x + b)}, ["rebuilds f"]),
    ],
)
def test_bad_options(kwargs, words):
    with pytest.raises(InputError) as e:
        verify(cost, W, 3 * GRAD, **kwargs)
    for w in words:
        assert w in str(e.value)


def test_gradient_form_needs_a_scalar_f():
    with pytest.raises(InputError, match="scalar"):
        verify(z_of_W, W, DZ_DW, form="gradient")


def test_f_bad_behaviour_is_reported_by_verify():
    with pytest.raises(ShapeError, match="same shape"):
        verify(lambda v: v[v > 0.1], np.array([0.1, 1.0]), np.eye(2))
    with pytest.raises(InputError, match="'x'"):
        verify(cost, np.full((n, m), np.nan), GRAD)


def test_importing_jacobians_never_needs_hypothesis():
    code = (
        "import sys; sys.modules['hypothesis'] = None\n"
        "import numpy as np, jacobians, jacobians.testing as t\n"
        "t.assert_jacobian_close(lambda v: v**2, np.array([1.0]), np.array([[2.0]]))\n"
        "try:\n    t.shapes()\nexcept ImportError as e:\n    print('ImportError', e)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "ImportError" in out.stdout and "pip install" in out.stdout


def test_verify_file_names_the_file_for_what_it_defines(tmp_path):
    from jacobians import verify_file

    path = tmp_path / "nan.py"
    path.write_text(
        "import numpy as np\nf = lambda x: x\nx = np.array([1.0, np.nan])\nclaimed = 1\n"
    )
    with pytest.raises(InputError, match=r"bad argument 'x, as .*nan\.py defines it'"):
        verify_file(path)
    path.write_text("f = lambda x: x\nx = 1.0\n")
    with pytest.raises(
        InputError, match=r"(?s)verify_file: bad argument 'path'.*defines no claimed"
    ):
        verify_file(path)


def test_a_report_where_f_is_not_smooth_says_unsure_not_fail():
    r = verify(lambda v: np.maximum(v, 0).sum(), np.array([0.0, 1.0]), np.array([1.0, 1.0]))
    assert not r.matches and r.diagnosis.kind == "not-smooth"
    text = str(r)
    assert text.startswith("UNSURE ") and "does NOT match" not in text
    assert "0 of 2 entries differ, 1 more where f is not smooth" in text
    assert r._repr_markdown_().startswith("**⚠️")


def test_a_hints_code_is_code_in_markdown_and_html():
    W, x = np.array([[0.5, -1.0], [2.0, 0.3]]), np.array([1.0, 2.0])
    r = verify(lambda W: 0.5 * np.sum(np.tanh(W @ x) ** 2), W, np.ones((2, 2)))
    assert "`jacobians verify`" in r._repr_markdown_() and "\\`" not in r._repr_markdown_()
    assert "<code>jacobians verify</code>" in r._repr_html_()
