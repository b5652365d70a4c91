"""Where an activation sits in f (:class:`Layer`), and the activation-derivative slips built
from it: σ′ left out, taken at a = σ(z) instead of at z, applied twice, or written for a and fed
z. :func:`jacobians.verify` tries them only when it is given a Layer; :func:`_layer_hint` says how
to give one, with an example call, when no other slip explains a mismatch.

The activations are read from ``OPERATIONS`` when called, not copied at import, so an activation
registered later is diagnosed too.
"""

from __future__ import annotations

import inspect
import numbers
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from reshape import InputError, InputTypeError, as_array, describe

from .._registry import (
    OPERATIONS,  # a live dict: activations registered later are found
    Operation,
)
from ._directional import along
from ._numeric import numeric_jacobian, prepare

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
    out, σ′ evaluated at a = σ(z) instead of at z (``sigma_prime(a)`` where ``sigma_prime(z)``
    is meant), σ′ applied twice, or σ′ written for a but fed z.

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
        # checked when made, so a wrong Layer is refused even where verify never reads it (and
        # verify checks the activation again: it may have been unregistered in between)
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
        name, op = _activation(self, "Layer", "activation")
        _check_options(name, op, self.options)


def _check_options(name: str, op: Operation, options: dict[str, Any]) -> None:
    """The options a Layer passes to its activation: known to it, and finite real numbers, as
    the activation checks its own keyword options when it is called."""
    known = ", ".join(op.options) or "none"
    for key, value in options.items():
        if key not in op.options:
            raise InputError(
                "Layer",
                "options",
                f"the options of {name}: {known}",
                f"an option {key!r}" if len(key) < 40 else describe(key),
                f"e.g. options={{{next(iter(op.options))!r}: 0.1}}" if op.options else None,
            )
        real = isinstance(value, numbers.Real) and not isinstance(value, (bool, np.bool_))
        if not real or not np.isfinite(value):
            shown = repr(value) if isinstance(value, (str, int, float)) else describe(value)
            raise (InputError if real else InputTypeError)(
                "Layer", "options", f"a finite number for {name}'s option {key!r}", shown
            )


def call_text(f: Callable[..., Any], wrt: str) -> tuple[str, str]:
    """(f's parameters, the point and claim as verify takes them): ``("W", "W, claimed")``, or
    ``("W, x, b", "(W, x, b), claimed, wrt='W'")`` for f of several arguments."""
    try:  # the arguments f needs: pre is called like f
        params = [
            p.name
            for p in inspect.signature(f).parameters.values()
            if p.default is p.empty and p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
        ]
    except (TypeError, ValueError):
        params = []
    if len(params) > 1:  # f(W, x, b): the point is the tuple, and wrt names the argument
        args = ", ".join(params)
        which = wrt
        if wrt not in params and wrt[2:-1].isdigit():  # "x[0]": wrt was an index
            which = params[min(int(wrt[2:-1]), len(params) - 1)]
        point = f"({args}), claimed, wrt={which!r}"
    else:
        args = params[0] if params else wrt
        point = f"{wrt if wrt.isidentifier() else args}, claimed"
    return args, point


def _layer_hint(f: Callable[..., Any], of: str, wrt: str) -> tuple[str, str]:
    """(hint, example): how to ask for the activation-derivative slips, which verify tries only
    when it is told where the activation sits (``layer=``)."""
    args, point = call_text(f, wrt)
    hint = (
        "σ′ left out, σ′ taken at a = σ(z) instead of at z, and σ′ applied twice are checked "
        "only when verify knows where the activation is: pass layer= (in a file for `jacobians "
        "verify`, define layer), pre giving z and post what f does with a = σ(z); for example"
    )
    example = (
        f'verify({of}, {point}, layer=jacobians.Layer("sigmoid", '
        f"pre=lambda {args}: W @ x + b, post=lambda a: 0.5 * np.sum((a - y) ** 2)))"
    )
    return hint, example


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
    directions: np.ndarray | None = None,
) -> list[tuple[str, str, np.ndarray]]:
    """(key, words, the Jacobian f would have with that slip) for each σ′ slip; with
    ``directions`` V (the fast check), that Jacobian times V, from J_pre·V (directional
    derivatives of pre, a few calls) and J_post (a call of post per entry of a)."""
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
    if directions is None:
        J_pre = numeric_jacobian(lambda v: call(layer.pre, v), point, "auto", op="verify").matrix
    else:
        J_pre = along(
            prepare(lambda v: call(layer.pre, v), point, None, "verify"), directions, "auto"
        )[0]
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
            f"σ′ of {name} is evaluated at a = σ(z) instead of z: diag(σ′(a)) where "
            "diag(σ′(z)) is meant (the layer's output passed where its input belongs)",
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
