"""Activations: a table of elementwise maps a = σ(z), each one row, and softmax.

An elementwise activation is one :class:`Elementwise` entry: its value, its derivative (from z and,
where cheaper, from the value a), the derivative's closed form written once, the inputs its tests
draw and how large an input it stays finite for. :func:`register_activation` makes the entry an
operation with ∂a/∂z = diag(σ′(z)); from there it is in :data:`jacobians.ACTIVATIONS`, the
catalogue, ``net.MLP``, the tables and every registry-wide test.

Every formula is written to be stable for |z| up to 1e4 and more (no overflow warning, no NaN) and
to stay analytic, so complex-step differentiation can check it: the sign tests read the real part,
and exp is only ever taken of a number whose real part is ≤ 0.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from reshape import InputError, as_array

from ._blocks import BlockDiagonal
from ._checks import column, option
from ._jacobian import Jacobian
from ._notation import to_latex
from ._registry import OPERATIONS, Context, Operation, operation
from ._stable import sigmoid_of, softplus_of
from ._structures import Dense, Diagonal, Identity

__all__ = ["Elementwise", "register_activation"]


def _away_from_zero(z: np.ndarray) -> np.ndarray:
    """Push values away from a kink at 0, further than any finite-difference step."""
    return np.where(np.abs(z) < 0.05, np.sign(z + 1e-300) * 0.05 + z, z)


def column_draw(rng: np.random.Generator, n: int, d: int, batch: bool) -> np.ndarray:
    """Standard normal test input: a batch (n, d) or a vector (n,)."""
    return rng.normal(size=(n, d)) if batch else rng.normal(size=n)


@dataclass(frozen=True)
class Elementwise:
    """One row of the activation table: everything the toolkit knows of a = σ(z).

    Attributes:
        name: the operation's name.
        value: σ(z, **options), analytic where the mathematics is (for complex step).
        derivative: σ′ from (z, a, **options), a = σ(z) (σ′ = a(1 − a) for the sigmoid).
        formula: the definition after ``a = ``, as text (``"σ(z) = 1/(1 + e^(−z))"``).
        derivative_form: σ′ as a Form template with a slot ``$z`` (and ``$a``).
        doc: one line for the operation's docstring.
        draw: the inputs its tests draw, from standard normal ones (a scale, or away from a kink).
        large: the |z| up to which value and σ′ stay finite with no warning (the stability test).
        analytic: whether complex-step differentiation applies (False at a kink).
        options: keyword options and their defaults (leaky_relu's slope ``alpha``).
        formula_latex, derivative_latex: LaTeX overrides, where typography needs one.
        identity: σ′ ≡ 1, so ∂a/∂z is the identity I_n rather than a diagonal.
    """

    name: str
    value: Callable[..., np.ndarray]
    derivative: Callable[..., np.ndarray]
    formula: str
    derivative_form: str
    doc: str
    draw: Callable[[np.ndarray], np.ndarray] = lambda z: z
    large: float = 1e4
    analytic: bool = True
    options: Mapping[str, float] = field(default_factory=dict)
    formula_latex: str | None = None
    derivative_latex: str | None = None
    identity: bool = False


@dataclass(slots=True)
class ElementwiseContext(Context):
    """An elementwise activation's context: z and the options of the call."""

    z: np.ndarray
    opts: dict[str, float]


def register_activation(entry: Elementwise) -> Operation:
    """Make an :class:`Elementwise` entry an operation: a = σ(z), ∂a/∂z = diag(σ′(z)).

    >>> tanh.rules["z"].closed_form, tanh(np.zeros(2)).jacobian.kind
    ('diag(1 − tanh²(z))', 'diagonal')
    """
    name, fn, deriv = entry.name, entry.value, entry.derivative
    if name in OPERATIONS:
        raise InputError(
            "register_activation",
            "entry",
            "a name no operation has yet",
            repr(name),
            "jacobians.unregister(name) removes the one registered before",
        )

    def prepare(z: np.ndarray, **opts: Any) -> ElementwiseContext:
        z = as_array(z, name, "z")
        if opts:
            opts = {k: option(name, k, v) for k, v in opts.items()}
        return unchecked(z, **opts)

    def unchecked(z: np.ndarray, **opts: Any) -> ElementwiseContext:
        return ElementwiseContext(fn(z, **opts), {"z": z}, z, opts or defaults)

    prepare.__name__ = name
    kind = "identity" if entry.identity else "diagonal"
    prepare.__doc__ = (
        f"{entry.doc}\n\n    Shapes: z of any shape (n,) | (n, d) -> a of the same shape; ∂a/∂z is "
        f"n×n, {kind}.\n\n    >>> {name}(np.zeros(2)).jacobian.kind\n    {kind!r}\n"
    )
    opts = defaults = dict(entry.options)
    latex = entry.formula_latex or to_latex(entry.formula)
    op = operation(
        "activation",
        "a",
        f"a = {entry.formula}",
        f"a = {latex}",
        {"z": "n"},
        "n",
        lambda r, n, m, d, bt: {"z": entry.draw(column_draw(r, n, d, bt))},
        opts,
        fn=fn,
        deriv=lambda z, **o: deriv(z, fn(z, **o), **o),
        vjp=lambda z, a, g: g * deriv(z, a, **opts),
        stable_for=entry.large,
        unchecked=unchecked,
    )(prepare)
    if entry.identity:
        op.rule("z", "I_$n", "n×n")(_identity_dz)
    else:
        override = (
            entry.derivative_latex
            and rf"\operatorname{{diag}}\left({entry.derivative_latex}\right)"
        )
        op.rule(
            "z", f"diag({entry.derivative_form})", "n×n", latex=override, analytic=entry.analytic
        )(lambda c: Diagonal(deriv(c.z, c.value, **c.opts)))
    return op


def _identity_dz(c: ElementwiseContext) -> Jacobian:
    return Identity(c.z.shape, c.z.dtype)


# ----- the table: one entry per elementwise activation -----
TABLE = (
    Elementwise(
        "sigmoid",
        sigmoid_of,
        lambda z, a: a * (1 - a),
        "σ(z) = 1/(1 + e^(−z))",
        "σ($z) ⊙ (1 − σ($z))",
        "The logistic sigmoid, stable for large |z|.",
        draw=lambda z: 3 * z,
        formula_latex=r"\sigma(z) = \frac{1}{1 + e^{-z}}",
    ),
    Elementwise(
        "tanh",
        np.tanh,
        lambda z, a: 1 - a * a,
        "tanh(z)",
        "1 − tanh²($z)",
        "The hyperbolic tangent.",
        draw=lambda z: 2 * z,
    ),
    Elementwise(
        "relu",
        lambda z: np.where(np.real(z) > 0, z, 0),
        lambda z, a: (np.real(z) > 0).astype(z.dtype),
        "max(z, 0)",
        "1[$z > 0]",
        "The rectifier. At z = 0 its derivative is the subgradient 0 (as in PyTorch and JAX).",
        draw=_away_from_zero,
        analytic=False,
        derivative_latex=r"\mathbb{1}[$z > 0]",
    ),
    Elementwise(
        "leaky_relu",
        lambda z, alpha=0.01: np.where(np.real(z) > 0, z, alpha * z),
        lambda z, a, alpha=0.01: np.where(np.real(z) > 0, 1, alpha).astype(z.dtype),
        "max(z, αz)",
        "1[$z > 0] + α·1[$z ≤ 0]",
        "The leaky rectifier with slope ``alpha`` (default 0.01) for z ≤ 0; at 0 the slope is "
        "alpha.",
        draw=_away_from_zero,
        analytic=False,
        options={"alpha": 0.01},
        derivative_latex=r"\mathbb{1}[$z > 0] + \alpha \mathbb{1}[$z \le 0]",
    ),
    Elementwise(
        "softplus",
        softplus_of,
        lambda z, a: sigmoid_of(z),
        "log(1 + e^z)",
        "σ($z)",
        "softplus(z) = log(1 + eᶻ), stable for large |z|; its derivative is the sigmoid.",
        draw=lambda z: 3 * z,
        formula_latex=r"\log(1 + e^{z})",
    ),
    Elementwise(
        "identity",
        lambda z: z,
        lambda z, a: np.ones_like(z),
        "z",
        "1",
        "The identity activation (a linear output layer).",
        identity=True,
    ),
)
ACTIVATION_OPS = {entry.name: register_activation(entry) for entry in TABLE}
sigmoid, tanh, relu, leaky_relu, softplus, identity = ACTIVATION_OPS.values()


# ----- softmax: a = e^z / 1ᵀe^z, ∂a/∂z = diag(a) − a aᵀ -----
def stable_softmax(z: np.ndarray) -> np.ndarray:
    """Softmax over axis 0 (the entries of each column), shifted by the real maximum."""
    e = np.exp(z - z.real.max(axis=0, keepdims=True))
    return e / e.sum(axis=0, keepdims=True)


@dataclass(slots=True)
class SoftmaxContext(Context):
    """softmax's context: z (n,) or (n, d)."""

    z: np.ndarray


@operation(
    "activation",
    "a",
    "a = softmax(z) = e^z / Σ_j e^(z_j)",
    r"a = \operatorname{softmax}(z) = \frac{e^{z}}{\sum_j e^{z_j}}",
    {"z": "n"},
    "n",
    lambda r, n, m, d, bt: {"z": 2 * column_draw(r, n, d, bt)},
    fn=stable_softmax,
    # g·(diag(a) − a aᵀ) per column, without the n×n matrix
    vjp=lambda z, a, g: a * (g - np.sum(a * g, axis=0, keepdims=True)),
    stable_for=1e4,
    unchecked=lambda z: SoftmaxContext(stable_softmax(z), {"z": z}, z),
)
def softmax(z: np.ndarray) -> SoftmaxContext:
    """Softmax of a vector, or of each column of a batch (n, d); stable for large |z|.

    Its Jacobian is dense: ∂a_i/∂z_j = a_i(δ_ij − a_j), i.e. a_i(1 − a_i) when i = j and −a_i a_j
    when i ≠ j; for a batch it is block-diagonal over samples, kept as a :class:`BlockDiagonal` of d
    blocks (its dense matrix, nd×nd, is built only for ``.matrix``).

    Shapes: z (n,) | (n, d) -> a of the same shape; ∂a/∂z is n×n (nd×nd).

    >>> softmax(np.zeros(2)).jacobian.matrix
    array([[ 0.25, -0.25],
           [-0.25,  0.25]])
    """
    return softmax.unchecked(column("softmax", "z", z))  # type: ignore[misc]


@softmax.rule("z", "diag($a) − $a $aᵀ", "n×n")
def softmax_dz(c: SoftmaxContext) -> Jacobian:
    """diag(a) − a aᵀ: one n×n block, or a block per sample of a batch (not (nd)²)."""
    s = c.value.reshape(c.z.shape[0], -1)  # (n, d)
    n, d = s.shape
    blocks = np.einsum("ik,ij->kij", s, np.eye(n, dtype=s.dtype)) - np.einsum(
        "ik,jk->kij", s, s
    )  # (d, n, n)
    return Dense(blocks[0]) if d == 1 else BlockDiagonal(blocks)
