"""Name the mistake: the slips :func:`jacobians.verify` tries, in turn, on a mismatched claim.

1. the same numbers read another way (transposed, column-major; see ``_readings``);
2. the activation-derivative slips, when the user described the layer with a :class:`Layer`;
3. a constant factor (½, 2, 1/d, −1, …), alone or on one of those readings;
4. a few wrong entries.

A diagnosis is given only when the slip explains the difference exactly; the table of kinds is in
:mod:`jacobians.checking._verify`. The activations are read from ``OPERATIONS`` when
called, not copied at import, so an activation registered later is diagnosed too.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import numpy as np

from reshape import InputError, InputTypeError, as_array, describe

from .._registry import (
    OPERATIONS,  # a live dict: activations registered later are found
    Operation,
)
from ._compare import dot
from ._numeric import numeric_jacobian
from ._readings import _readings
from ._report import Diagnosis, entry_label

__all__ = ["Layer"]

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

    def __post_init__(self) -> None:
        # checked when made, so a wrong Layer is refused even where verify never reads it; that
        # the operation is elementwise, verify checks (it may be registered between the two)
        act = self.activation
        if not isinstance(act, Operation) and not (isinstance(act, str) and act in OPERATIONS):
            names = [n for n, o in OPERATIONS.items() if o.fn is not None and o.deriv is not None]
            raise InputError(
                "Layer",
                "activation",
                f"an elementwise activation's name or operation: one of {', '.join(names)}",
                repr(act) if isinstance(act, str) and len(act) < 60 else describe(act),
            )
        if not callable(self.pre):
            raise InputTypeError("Layer", "pre", "a function called like f", describe(self.pre))
        if self.post is not None and not callable(self.post):
            raise InputTypeError(
                "Layer", "post", "None or a function of a = σ(z)", describe(self.post)
            )
        if not isinstance(self.options, dict) or not all(isinstance(k, str) for k in self.options):
            raise InputTypeError(
                "Layer", "options", "a dict of the activation's options", describe(self.options)
            )


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


def _activation(
    layer: Layer, caller: str = "verify", arg: str = "layer.activation"
) -> tuple[str, Operation]:
    act = layer.activation
    if isinstance(act, str):
        # the registry as it is now, not copied at import: activations registered later count
        op = OPERATIONS.get(act)
        name = act
    else:
        op, name = act, getattr(act, "name", repr(act))
    if not isinstance(op, Operation) or op.fn is None or op.deriv is None:
        elementwise = [n for n, o in OPERATIONS.items() if o.fn is not None and o.deriv is not None]
        raise InputError(
            caller,
            arg,
            f"an elementwise activation: one of {', '.join(elementwise)}",
            repr(name) if isinstance(name, str) and len(name) < 60 else describe(act),
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
    J_pre = numeric_jacobian(lambda v: call(layer.pre, v), point, "auto", op="verify").matrix
    # post None: f returns a itself, ∂f/∂a = I, applied as the identity, never built as np.eye
    J_post = (
        None
        if layer.post is None
        else numeric_jacobian(layer.post, a, "auto", op="verify").matrix.reshape(n_out, a.size)
    )
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
    if J_post is None:
        return [(key, text, (w[:, None] * J_pre).reshape(n_out, -1)) for key, text, w in hyps]
    return [(key, text, J_post @ (w[:, None] * J_pre)) for key, text, w in hyps]


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
    JJ = dot(J, J)
    if JJ > 0:
        for r in readings:
            c = dot(r.M, J) / JJ
            # a slip's factor is a small number (½, 2, 1/d, −1): not 1e300, not 1e-300
            plausible = 1e-8 < abs(c) < 1e8
            if plausible and close(r.M, J, c, c) and not close(r.M):
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
