"""Check a hand-derived Jacobian against numeric differentiation, and name the mistake.

:func:`verify` compares the claimed Jacobian (or gradient) with :func:`jacobians.numeric` and, when
they differ, tries each common mistake in turn; a diagnosis is given only when the mistake explains
the difference exactly (to the same tolerance as a match):

==========================  ===========================================================
diagnosis (``kind``)        the claimed array, read this way, equals …
==========================  ===========================================================
``shape``                   the Jacobian, but in another form than ``form=`` asked for
``transposed``              Jᵀ: denominator layout, or ∂C/∂W shaped like Wᵀ (Lemma 2)
``column-major``            J with an input/output flattened column-major (a commutation)
``factor``                  c·J for a constant c (reported as ½, 2, 1/d, −1, …)
``activation-derivative``   J with σ′(z) left out, taken at a = σ(z), or applied twice
                            (needs ``layer=``, a :class:`Layer`)
``entries``                 J except on a few entries (listed)
==========================  ===========================================================

The transposed and column-major readings are combined with the factor and activation tests, so
"transposed and twice too large" is named too.
"""

from __future__ import annotations

import runpy
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from math import prod
from pathlib import Path
from typing import Any

import numpy as np

from reshape import InputError, InputTypeError, ShapeError, as_array, describe, reorder

from ._jacobian import Jacobian, _fmt
from ._numeric import NumericJacobian, bind, function_name, numeric
from ._registry import OPERATIONS, Operation
from ._report import Diagnosis, Entry, Report, entry_label

__all__ = ["FORMS", "Diagnosis", "Entry", "Layer", "Report", "verify", "verify_file"]

FORMS = ("matrix", "tensor", "gradient")

# σ′ written in terms of the output a, for the slip of feeding it z instead of a.
_DERIV_OF_OUTPUT: dict[str, tuple[str, Callable[[np.ndarray], np.ndarray]]] = {
    "sigmoid": ("a(1 − a)", lambda t: t * (1 - t)),
    "tanh": ("1 − a²", lambda t: 1 - t**2),
}


@dataclass(frozen=True)
class Layer:
    """Where an elementwise activation sits in f: f(x) = post(σ(pre(x))).

    Tells :func:`verify` how to build the Jacobians of the activation-derivative slips: σ′(z) left
    out, σ′ evaluated at a = σ(z) instead of z (the slip in the second write-up's code), σ′ applied
    twice, or σ′ written for a but fed z.

    Attributes:
        activation: an elementwise activation's name (``"sigmoid"``) or the operation itself.
        pre: the pre-activation z as a function of f's arguments (called like f).
        post: what f does with a = σ(z) (a cost, a further layer); None if f returns a itself.
        options: the activation's options (``{"alpha": 0.1}`` for leaky_relu).

    Shapes: pre(x) of any shape; post maps a (the shape of z) to f's output.

    >>> W, x = np.ones((2, 3)), np.arange(3.0)
    >>> Layer("sigmoid", pre=lambda W: W @ x, post=lambda a: a.sum()).activation
    'sigmoid'
    """

    activation: str | Operation
    pre: Callable[..., Any]
    post: Callable[[np.ndarray], Any] | None = None
    options: dict[str, float] = field(default_factory=dict)


# ----- readings of the claimed array -----


@dataclass(frozen=True)
class _Reading:
    name: str  # "as given", "transposed", "column-major (input)", …
    M: np.ndarray
    kind: str | None  # the diagnosis kind if this reading alone explains it
    summary: str
    fix: str


def _forms(out_shape: tuple, in_shape: tuple) -> dict[str, list[tuple[int, ...]]]:
    n_out, n_in = prod(out_shape), prod(in_shape)
    forms: dict[str, list[tuple[int, ...]]] = {
        "matrix": [(n_out, n_in)],
        "tensor": [out_shape + in_shape],
        "gradient": [],
    }
    if n_out == 1:
        forms["matrix"].append((n_in,)) if len(in_shape) == 1 else None
        forms["gradient"] = [in_shape, _col(in_shape)]
    return forms


def _col(shape: tuple) -> tuple:
    return (shape[0], 1) if len(shape) == 1 else shape


def _read_as(shape: tuple, out_shape: tuple, in_shape: tuple, wrt: str) -> str | None:
    n_out, n_in = prod(out_shape), prod(in_shape)
    shape = tuple(shape)
    if n_out == 1 and shape in (in_shape, _col(in_shape)):
        return f"the gradient, shaped like {wrt}"
    if n_out == 1 and shape in ((1, n_in), (n_in,)):
        return f"the 1×{n_in} row"
    if shape == (n_out, n_in):
        return "the matrix"
    if shape == out_shape + in_shape:
        return "the tensor"
    return None


def _readings(G: np.ndarray, out_shape: tuple, in_shape: tuple, wrt: str) -> list[_Reading]:
    n_out, n_in = prod(out_shape), prod(in_shape)
    accepted = {s for shapes in _forms(out_shape, in_shape).values() for s in shapes}
    base = [_Reading("as given", G.reshape(n_out, n_in), None, "", "")]
    if G.ndim == 2 and G.shape[::-1] in accepted and G.shape not in accepted:
        if n_out == 1 and G.shape == in_shape[::-1]:
            summary = (
                f"claimed is shaped like {wrt}ᵀ {_fmt(G.shape)}: the numerator-layout derivative "
                f"d f/d{wrt} (as in Lemma 2, d f(Wx)/dW = x ∇f(Wx)ᵀ), whose transpose is the "
                f"gradient shaped like {wrt} {_fmt(in_shape)}"
            )
            fix = f"transpose it (.T) to get the gradient shaped like {wrt}"
        else:
            summary = (
                f"claimed is {G.shape[0]}×{G.shape[1]}, in denominator layout (one row per input "
                f"entry); numerator layout has one row per output entry ({n_out}×{n_in})"
            )
            fix = "transpose it (.T)"
        base.append(_Reading("transposed", G.T.reshape(n_out, n_in), "transposed", summary, fix))
    if G.shape == in_shape + out_shape and G.shape != out_shape + in_shape and len(G.shape) > 2:
        k = len(in_shape)
        T = np.moveaxis(G, list(range(k)), list(range(len(out_shape), len(out_shape) + k)))
        base.append(
            _Reading(
                "transposed",
                T.reshape(n_out, n_in),
                "transposed",
                f"claimed is the tensor {_fmt(G.shape)}, input axes first (denominator layout); "
                f"numerator layout puts the output's axes first: {_fmt(out_shape + in_shape)}",
                "move the input axes last: np.moveaxis(T, range(k), range(-k, 0))",
            )
        )
    out = [r for r in base]
    sides = {
        "output": len([s for s in out_shape if s > 1]) > 1,
        "input": len([s for s in in_shape if s > 1]) > 1,
    }
    variants = []
    if sides["output"] and sides["input"]:
        variants.append(("both sides", out_shape, in_shape))
    if sides["input"]:
        variants.append(("the input", (n_out,), in_shape))
    if sides["output"]:
        variants.append(("the output", out_shape, (n_in,)))
    for r in base:
        for side, o, i in variants:
            M = reorder(r.M, o, i, src="F", dst="C")
            what = f"{wrt} {_fmt(in_shape)}" if side == "the input" else side
            if side == "the output":
                what = f"the output {_fmt(out_shape)}"
            summary = (
                f"flattened column-major (the vec of Magnus & Neudecker) on {what}, where this "
                "toolkit flattens row-major: it differs from the Jacobian by a commutation matrix "
                "K (e.g. xᵀ ⊗ I_n instead of I_n ⊗ xᵀ)"
            )
            fix = (
                f"reshape.reorder(J, {o}, {i}, src='F', dst='C'), or build it with row-major vec "
                "(vec(AXB) = (A ⊗ Bᵀ) vec(X))"
            )
            if r.kind == "transposed":
                summary = f"{r.summary}, and {summary}"
                fix = f"{r.fix}, then {fix}"
            out.append(
                _Reading(f"{r.name}, column-major ({side})", M, "column-major", summary, fix)
            )
    unique: list[_Reading] = []
    for r in out:
        if not any(np.array_equal(r.M, u.M) for u in unique):
            unique.append(r)
    return unique


# ----- the hypotheses -----


def _nice_factor(c: float, out_shape: tuple, in_shape: tuple) -> str:
    fr = Fraction(c).limit_denominator(1000)
    if abs(float(fr) - c) > 1e-9 * max(1.0, abs(c)):
        return f"{c:.6g}"
    text = str(fr.numerator) if fr.denominator == 1 else f"{fr.numerator}/{fr.denominator}"
    return {"1/2": "½", "-1/2": "−½", "-1": "−1"}.get(text, text.replace("-", "−"))


def _factor_hint(c: float, out_shape: tuple, in_shape: tuple) -> str:
    fr = Fraction(c).limit_denominator(1000)
    hints = []
    if abs(float(fr) - c) <= 1e-9 * max(1.0, abs(c)):
        if fr == Fraction(1, 2) or fr == 2:
            hints.append("the ½ of ½‖a − y‖² dropped or doubled")
        if fr == -1:
            hints.append("a sign: (y − a) where (a − y) is meant, or a descent step folded in")
        k = (
            fr.denominator
            if fr.numerator in (1, -1)
            else fr.numerator
            if fr.denominator == 1
            else 0
        )
        if k > 2:
            sizes = [s for s in out_shape + in_shape if s == k]
            where = " (a size of this problem)" if sizes else ""
            hints.append(
                f"a mean over {k} samples or entries where a sum is meant, or the reverse{where}"
            )
    return "; ".join(hints)


def _activation(layer: Layer) -> tuple[str, Operation]:
    act = layer.activation
    if isinstance(act, str):
        op = OPERATIONS.get(act)
        name = act
    else:
        op, name = act, getattr(act, "name", repr(act))
    if not isinstance(op, Operation) or op.fn is None or op.deriv is None:
        elementwise = [n for n, o in OPERATIONS.items() if o.fn is not None and o.deriv is not None]
        raise InputError(
            "verify",
            "layer.activation",
            f"an elementwise activation: one of {', '.join(elementwise)}",
            repr(name),
        )
    return name, op


def _layer_hypotheses(
    layer: Layer,
    call: Callable[[Callable[..., Any], np.ndarray], Any],
    point: np.ndarray,
    f0: np.ndarray,
    n_out: int,
) -> list[tuple[str, str, np.ndarray]]:
    if not isinstance(layer, Layer):
        raise InputTypeError("verify", "layer", "a jacobians.Layer", describe(layer))
    name, op = _activation(layer)
    opts = dict(layer.options)
    try:
        z = as_array(call(layer.pre, point), "verify", "layer.pre(x)").astype(np.float64)
    except InputError:
        raise
    except Exception as exc:
        raise InputError("verify", "layer.pre", "a function called like f", str(exc)) from exc
    a = op.fn(z, **opts)
    post = layer.post if layer.post is not None else (lambda t: t)
    rebuilt = np.asarray(post(a), dtype=np.float64)
    if rebuilt.shape != f0.shape or not np.allclose(rebuilt, f0, rtol=1e-9, atol=1e-12):
        raise InputError(
            "verify",
            "layer",
            "a description that rebuilds f: post(σ(pre(x))) = f(x)",
            f"values {np.asarray(rebuilt).ravel()[:4]}… where f gives {f0.ravel()[:4]}…",
            "pre must give z of the layer, post what f does with a = σ(z)",
        )
    J_pre = numeric(lambda v: call(layer.pre, v), point, "auto").matrix
    J_post = (
        np.eye(a.size) if layer.post is None else numeric(layer.post, a, "auto").matrix
    ).reshape(n_out, a.size)
    s = op.deriv(z, **opts).reshape(-1)
    hyps = [
        ("left out", f"the factor ∂a/∂z = diag(σ′(z)) of {name} is missing", np.ones_like(s)),
        (
            "evaluated at a",
            f"σ′ of {name} is evaluated at a = σ(z) instead of z: diag(σ′(a)) where diag(σ′(z)) "
            "is meant (as in the second write-up's code, sigma_derivative(self.y[k]))",
            op.deriv(a, **opts).reshape(-1),
        ),
        ("applied twice", f"the factor diag(σ′(z)) of {name} appears twice", s * s),
    ]
    if name in _DERIV_OF_OUTPUT:
        form, g = _DERIV_OF_OUTPUT[name]
        hyps.append(
            (
                "output formula fed z",
                f"σ′ of {name} is written for the output, {form}, but fed z instead of a",
                g(z).reshape(-1),
            )
        )
    return [(key, text, J_post @ (w[:, None] * J_pre)) for key, text, w in hyps]


# ----- verify -----


def verify(
    f: Callable[..., Any],
    x: Any,
    claimed: Any,
    *,
    wrt: int | str | None = None,
    layer: Layer | Sequence[Layer] | None = None,
    form: str | None = None,
    method: str = "auto",
    rtol: float = 1e-6,
    atol: float | None = None,
    max_entries: int = 5,
) -> Report:
    """Compare a claimed Jacobian with the numeric one and name the mistake if there is one.

    Args:
        f: the function (of one array; or of several, with ``x`` a tuple or dict and ``wrt``).
        x: the point, as for :func:`jacobians.numeric`.
        claimed: the Jacobian or gradient: an array, a :class:`Jacobian`, or a function called
            like f that returns one.
        wrt: the argument to differentiate when f has several (index, or name).
        layer: a :class:`Layer` (or several) saying where an activation sits in f; enables the
            activation-derivative diagnosis.
        form: ``None`` accepts every correct form (the numerator-layout matrix, the tensor
            out_shape + in_shape, and for a scalar f the gradient shaped like x or the 1×N row);
            ``"matrix"``, ``"tensor"`` or ``"gradient"`` require that one, and a claim with the
            right numbers in another form is a mismatch diagnosed as ``shape``.
        method: the numeric method (``"auto"``: complex step if f is complex-safe, else
            Richardson).
        rtol, atol: an entry matches when |claimed − numeric| ≤ atol + rtol·|numeric| + 2·(the
            numeric error estimate); atol defaults to rtol·max |numeric|.
        max_entries: how many differing entries the report lists.

    Returns:
        A :class:`Report`: ``bool(report)`` is ``report.matches``; print it, show it in a
        notebook, or ``report.to_dict()``.

    Shapes: claimed has prod(out_shape)·prod(in_shape) entries, in any of the forms above.

    >>> W, x = np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]), np.array([1.0, -1.0])
    >>> cost = lambda W: 0.5 * np.sum((W @ x) ** 2)
    >>> grad = np.outer(W @ x, x)                  # the gradient, shaped like W
    >>> verify(cost, W, grad).matches
    True
    >>> verify(cost, W, grad.T).diagnosis.kind     # Lemma 2's ∂C/∂W, shaped like Wᵀ
    'transposed'
    >>> verify(cost, W, 2 * grad).diagnosis.summary
    'claimed is 2 × the true Jacobian (the ½ of ½‖a − y‖² dropped or doubled)'
    """
    if form is not None and form not in FORMS:
        raise InputError(
            "verify", "form", "None or one of " + ", ".join(map(repr, FORMS)), repr(form)
        )
    for nm, v in (("rtol", rtol), ("atol", atol)):
        if v is not None and (
            isinstance(v, bool) or not isinstance(v, (int, float)) or not v >= 0 or v == np.inf
        ):
            raise InputError("verify", nm, "a finite number ≥ 0", repr(v))
    if isinstance(max_entries, bool) or not isinstance(max_entries, int) or max_entries < 0:
        raise InputError("verify", "max_entries", "an int ≥ 0", repr(max_entries))
    if not callable(f):
        raise InputTypeError("verify", "f", "a function", describe(f))
    if hasattr(f, "value") and hasattr(f, "rules"):
        f = f.value
    of = function_name(f)
    N: NumericJacobian = numeric(f, x, method, wrt=wrt)
    point, call, name = bind(f, x, wrt, "verify")
    point = point.real.astype(np.float64)
    J, err = N.matrix, N.error
    out_shape, in_shape = N.out_shape, N.in_shape
    n_out, n_in = J.shape
    G = _claimed_array(claimed, call, point, out_shape, in_shape, name)

    scale = float(np.abs(J).max()) or 1.0
    atol = rtol * scale if atol is None else float(atol)
    tol = atol + rtol * np.abs(J) + 2 * err

    def close(M: np.ndarray, T: np.ndarray = J, c: float = 1.0) -> bool:
        return bool(np.all(np.abs(M - T) <= tol * max(1.0, abs(c))))

    given = G.reshape(n_out, n_in)
    diff = np.abs(given - J)
    bad = diff > tol
    read_as = _read_as(G.shape, out_shape, in_shape, name)
    notes: list[str] = []
    if N.fallback:
        notes.append(f"complex step was not usable ({N.fallback}); Richardson was used")
    wanted = _forms(out_shape, in_shape)[form] if form else None
    if form == "gradient" and not wanted:
        raise InputError(
            "verify",
            "form",
            "'matrix' or 'tensor': a gradient exists only for a scalar f",
            f"form='gradient' with f's output of shape {out_shape}",
        )

    diagnosis: Diagnosis | None = None
    matches = not bad.any()
    if matches and wanted is not None and G.shape not in wanted:
        matches = False
        diagnosis = Diagnosis(
            "shape",
            f"the numbers are right but claimed is {read_as or 'shaped ' + _fmt(G.shape)} "
            f"{_fmt(G.shape)}, where the {form} {_fmt(wanted[0])} is compared",
            _shape_fix(form, out_shape, in_shape),
            {"claimed_shape": list(G.shape), "expected_shape": list(wanted[0])},
        )
    elif not matches:
        diagnosis = _diagnose(
            G, J, close, bad, out_shape, in_shape, name, layer, call, point, f, n_out, of
        )

    entries = []
    for r, c in np.argwhere(bad)[:max_entries]:
        entries.append(
            Entry(
                int(r),
                int(c),
                tuple(int(i) for i in np.unravel_index(r, out_shape)) if out_shape else (),
                tuple(int(i) for i in np.unravel_index(c, in_shape)) if in_shape else (),
                float(given[r, c]),
                float(J[r, c]),
            )
        )
    return Report(
        matches=matches,
        of=of,
        wrt=name,
        out_shape=out_shape,
        in_shape=in_shape,
        claimed_shape=tuple(G.shape),
        read_as=read_as or f"a {_fmt(G.shape)} array, row-major",
        max_abs_error=float(diff.max()),
        max_rel_error=float(diff.max() / scale),
        n_differing=int(bad.sum()),
        entries=entries,
        diagnosis=diagnosis,
        method={"complex": "complex step", "richardson": "Richardson extrapolation"}.get(
            N.method, "central differences"
        ),
        numeric_error=N.error_max,
        rtol=float(rtol),
        atol=float(atol),
        notes=notes,
        numeric=J,
        claimed=given,
    )


def _shape_fix(form: str, out_shape: tuple, in_shape: tuple) -> str:
    n_out, n_in = prod(out_shape), prod(in_shape)
    if form == "matrix" and n_out == 1:
        return f"make it the row: .reshape(1, {n_in}) (row-major vec of the gradient)"
    if form == "matrix":
        return (
            f"flatten it row-major: reshape.flatten(T, out_ndim={len(out_shape)}), "
            f"or .reshape({n_out}, {n_in})"
        )
    if form == "tensor":
        return f"unflatten it: reshape.unflatten(M, {out_shape or (1,)}, {in_shape})"
    return f"fold the row back: jacobians.to_gradient(row, {in_shape})"


def _claimed_array(
    claimed: Any,
    call: Callable[[Callable[..., Any], np.ndarray], Any],
    point: np.ndarray,
    out_shape: tuple,
    in_shape: tuple,
    name: str,
) -> np.ndarray:
    if isinstance(claimed, Jacobian):
        claimed = claimed.matrix
    elif callable(claimed):
        try:
            claimed = call(claimed, point.copy())
        except Exception as exc:
            raise InputError(
                "verify",
                "claimed",
                "a function called like f that returns the Jacobian",
                f"it raised {type(exc).__name__}: {exc}",
            ) from exc
        if isinstance(claimed, Jacobian):
            claimed = claimed.matrix
    G = as_array(claimed, "verify", "claimed")
    if G.dtype.kind == "c":
        raise InputTypeError("verify", "claimed", "a real array", describe(G))
    G = G.astype(np.float64)
    n_out, n_in = prod(out_shape), prod(in_shape)
    if G.size != n_out * n_in:
        forms = [f"the matrix {n_out}×{n_in}", f"the tensor {_fmt(out_shape + in_shape)}"]
        if n_out == 1:
            forms.append(f"the gradient shaped like {name}, {_fmt(in_shape)}")
        hint = "check which output f returns and which argument is differentiated"
        if G.size == n_in and n_out > 1:
            hint = (
                f"{G.size} entries is the size of {name}: a gradient, but f's output has "
                f"{n_out} entries; give f the scalar cost, not the layer output"
            )
        elif G.size == n_out and n_in > 1:
            hint = f"{G.size} entries is the size of f's output, not of its Jacobian"
        raise ShapeError(
            "verify",
            "claimed",
            f"{n_out * n_in} entries (f's output {_fmt(out_shape)} by {name} "
            f"{_fmt(in_shape)}): {', '.join(forms)} or their transposes",
            f"shape {G.shape} ({G.size} entries)",
            hint,
        )
    return G


def _diagnose(
    G: np.ndarray,
    J: np.ndarray,
    close: Callable[..., bool],
    bad: np.ndarray,
    out_shape: tuple,
    in_shape: tuple,
    name: str,
    layer: Layer | Sequence[Layer] | None,
    call: Callable[[Callable[..., Any], np.ndarray], Any],
    point: np.ndarray,
    f: Callable[..., Any],
    n_out: int,
    of: str,
) -> Diagnosis | None:
    readings = _readings(G, out_shape, in_shape, name)
    # 1. the same numbers, read another way
    for r in readings[1:]:
        if close(r.M):
            return Diagnosis(r.kind or "", r.summary, r.fix, {"reading": r.name})
    # 2. the activation-derivative slips (the user said where the layer is)
    if layer is not None:
        layers = [layer] if isinstance(layer, Layer) else list(layer)
        f0 = np.asarray(call(f, point.copy()), dtype=np.float64)
        for ly in layers:
            for key, text, Jw in _layer_hypotheses(ly, call, point, f0, n_out):
                if close(Jw):
                    continue  # indistinguishable from the right Jacobian here
                for r in readings:
                    if close(r.M, Jw):
                        summary = text if r.name == "as given" else f"{r.summary}; and {text}"
                        fix = (
                            "use diag(σ′(z)) with z the pre-activation, once: ∂a/∂z of the "
                            "activation at z = pre(x)"
                        )
                        if r.name != "as given":
                            fix = f"{r.fix}; and {fix}"
                        return Diagnosis(
                            "activation-derivative",
                            summary,
                            fix,
                            {"hypothesis": key, "reading": r.name},
                        )
    # 3. a constant factor
    JJ = float(np.sum(J * J))
    if JJ > 0:
        for r in readings:
            c = float(np.sum(r.M * J) / JJ)
            if abs(c) > 1e-8 and np.isfinite(c) and close(r.M, c * J, c) and not close(r.M):
                nice = _nice_factor(c, out_shape, in_shape)
                hint = _factor_hint(c, out_shape, in_shape)
                summary = f"claimed is {nice} × the true Jacobian" + (f" ({hint})" if hint else "")
                fix = f"multiply by {_nice_factor(1 / c, out_shape, in_shape)}"
                if nice == "−1":
                    fix = "flip the sign"
                if r.name != "as given":
                    summary = f"{r.summary}; and it is {nice} × the true Jacobian"
                    fix = f"{r.fix}; and {fix}"
                return Diagnosis("factor", summary, fix, {"factor": c, "reading": r.name})
    # 4. right except on a few entries
    n = bad.size
    k = int(bad.sum())
    if n >= 2 and 1 <= k <= max(1, n // 4):
        cells = [(int(r), int(c)) for r, c in np.argwhere(bad)]
        rows, cols = {r for r, _ in cells}, {c for _, c in cells}
        where = ""
        if len(rows) == 1 and k > 1:
            where = f"; all in row {cells[0][0]} (one output entry)"
        elif len(cells) > 1 and len(cols) == 1:
            where = f"; all in column {cells[0][1]} (one entry of {name})"
        listed = ", ".join(
            entry_label(r, c, out_shape, in_shape, of, name) for r, c in cells[:12]
        ) + (" …" if k > 12 else "")
        return Diagnosis(
            "entries",
            f"right except on {k} of {n} entries: {listed}{where}",
            "recompute those entries; the others are right",
            {"entries": [list(rc) for rc in cells]},
        )
    return None


def verify_file(path: str | Path, **options: Any) -> Report:
    """Run a Python file that defines ``f``, ``x`` and ``claimed``, and :func:`verify` it.

    The file may also define ``wrt``, ``layer``, ``form``, ``method``, ``rtol`` and ``atol``;
    ``options`` (e.g. from the command line) take precedence over them.

    Shapes: as for :func:`verify`.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no such file: {path}")
    try:
        ns = runpy.run_path(str(path), run_name="__jacobians_verify__")
    except Exception as exc:
        raise InputError(
            "verify",
            str(path),
            "a Python file that runs and defines f, x and claimed",
            f"it raised {type(exc).__name__}: {exc}",
        ) from exc
    missing = [k for k in ("f", "x", "claimed") if k not in ns]
    if missing:
        raise InputError(
            "verify",
            str(path),
            "a file that defines f (the function), x (the point) and claimed (the Jacobian)",
            f"no {', '.join(missing)} defined",
        )
    kwargs = {k: ns[k] for k in ("wrt", "layer", "form", "method", "rtol", "atol") if k in ns}
    kwargs.update({k: v for k, v in options.items() if v is not None})
    return verify(ns["f"], ns["x"], ns["claimed"], **kwargs)
