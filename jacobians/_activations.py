"""Activations: a table of elementwise maps a = σ(z), each one row, and softmax.

An elementwise activation is one :class:`Elementwise` entry: its value, its derivative (from z and,
where cheaper, from the value a), the derivative's closed form written once, the inputs its tests
draw and how large an input it stays finite for. :func:`register_activation` makes the entry an
operation with ∂a/∂z = diag(σ′(z)); from there it is in :data:`jacobians.ACTIVATIONS`, the
catalogue, ``net.MLP``, the tables and every registry-wide test. A row of the family "function"
(sin, log, …: ``jacobians._functions``) is an operation too, but not an activation: net does not
draw it. Every row takes any shape, a scalar (0-D) included, and is written in expressions as
``name(x)``, its Jacobian diag(vec(σ′(x))) and its adjoint G ⊙ σ′(x).

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
from ._checks import column, domain, option
from ._expr_helpers import call
from ._jacobian import Jacobian
from ._notation import to_latex
from ._registry import OPERATIONS, Context, Operation, operation
from ._stable import sigmoid_of, softplus_of
from ._structures import Dense, Diagonal, Identity

__all__ = ["Domain", "Elementwise", "register_activation"]


def _away_from_zero(z: np.ndarray) -> np.ndarray:
    """Push values away from a kink at 0, further than any finite-difference step."""
    return np.where(np.abs(z) < 0.05, np.sign(z + 1e-300) * 0.05 + z, z)


def column_draw(rng: np.random.Generator, n: int, d: int, batch: bool) -> np.ndarray:
    """Standard normal test input: a batch (n, d) or a vector (n,)."""
    return rng.normal(size=(n, d)) if batch else rng.normal(size=n)


@dataclass(frozen=True)
class Domain:
    """Where an elementwise map, or its derivative, is defined: ``bad(re)`` marks the entries
    outside it from the real parts (so complex steps pass), ``expected`` says what is allowed."""

    bad: Callable[[np.ndarray], np.ndarray]
    expected: str
    hint: str = ""

    def check(self, op: str, z: np.ndarray) -> None:
        """Refuse ``z`` (named as the argument z of ``op``) if an entry is outside."""
        domain(op, "z", z, self.bad(np.real(z)), self.expected, self.hint)


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
        family: "activation" (in ACTIVATIONS, for net) or "function" (an operation only).
        domain: where the value is defined, checked by ``prepare`` (log: z > 0).
        derivative_domain: where σ′ is, checked when ∂a/∂z is built (sqrt: z > 0).
        derivative_expression: σ′(x) written with operations on an Expression x (and the
            options): ``lambda x: 1 - tanh(x) ** 2``; the rule's expression and adjoint.
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
    family: str = "activation"
    domain: Domain | None = None
    derivative_domain: Domain | None = None
    derivative_expression: Callable[..., Any] | None = None


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
        if entry.domain is not None:
            entry.domain.check(name, z)
        return unchecked(z, **opts)

    def unchecked(z: np.ndarray, **opts: Any) -> ElementwiseContext:
        # a scalar is computed as one entry: the stable formulas write into arrays (out=)
        a = fn(z, **opts) if z.ndim else fn(z.reshape(1), **opts).reshape(())
        return ElementwiseContext(a, {"z": z}, z, opts or defaults)

    def dz(c: ElementwiseContext) -> Jacobian:
        if entry.derivative_domain is not None:
            entry.derivative_domain.check(name, c.z)
        if c.z.ndim:
            return Diagonal(deriv(c.z, c.value, **c.opts))
        return Diagonal(deriv(c.z.reshape(1), c.value.reshape(1), **c.opts).reshape(()))

    prepare.__name__ = name
    kind = "identity" if entry.identity else "diagonal"
    prepare.__doc__ = (
        f"{entry.doc}\n\n    Shapes: z of any shape, a scalar () too -> a of the same shape; "
        f"∂a/∂z is n×n, {kind}.\n\n    >>> {name}(np.full(2, 0.5)).jacobian.kind\n    {kind!r}\n"
    )
    opts = defaults = dict(entry.options)
    latex = entry.formula_latex or to_latex(entry.formula)
    activation = entry.family == "activation"  # fn and deriv mark what net may draw
    op = operation(
        entry.family,
        "a",
        f"a = {entry.formula}",
        f"a = {latex}",
        {"z": "n"},
        "n",
        lambda r, n, m, d, bt: {"z": entry.draw(column_draw(r, n, d, bt))},
        opts,
        fn=fn if activation else None,
        deriv=(lambda z, **o: deriv(z, fn(z, **o), **o)) if activation else None,
        vjp=lambda z, a, g: g * deriv(z, a, **opts),
        stable_for=entry.large,
        unchecked=unchecked,
        shape_of=lambda same, shape, **o: shape,
        syntax=("call", name),
    )(prepare)
    forms = _forms(entry)
    if entry.identity:
        op.rule("z", "I_$n", "n×n", **forms)(_identity_dz)
    else:
        override = (
            entry.derivative_latex
            and rf"\operatorname{{diag}}\left({entry.derivative_latex}\right)"
        )
        op.rule(
            "z",
            f"diag({entry.derivative_form})",
            "n×n",
            latex=override,
            analytic=entry.analytic,
            **forms,
        )(dz)
    return op


def _forms(entry: Elementwise) -> dict[str, Any]:
    """The rule's expression diag(vec(σ′(x))) and adjoint G ⊙ σ′(x), from the row's σ′(x)."""
    sigma = entry.derivative_expression
    if sigma is None:
        return {}

    def form(name: str, node: Any, *G: Any) -> Any:
        from . import _arith  # imported when used: the activations register before arithmetic

        d = sigma(node.args[0], **{**entry.options, **node.options})
        return getattr(_arith, name)(*G, node, 0, d)

    return {
        "expression": lambda node: form("partial_expression", node),
        "adjoint": lambda G, node: form("partial_adjoint", node, G),
    }


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
        derivative_expression=lambda x: call("sigmoid", x) * (1 - call("sigmoid", x)),
    ),
    Elementwise(
        "tanh",
        np.tanh,
        lambda z, a: 1 - a * a,
        "tanh(z)",
        "1 − tanh²($z)",
        "The hyperbolic tangent.",
        draw=lambda z: 2 * z,
        derivative_expression=lambda x: 1 - call("tanh", x) ** 2,
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
        derivative_expression=lambda x: call("sign", call("relu", x)),  # 0 at 0, as relu′(0)
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
        derivative_expression=lambda x, alpha=0.01: (
            alpha + (1 - alpha) * call("sign", call("relu", x))
        ),
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
        derivative_expression=lambda x: call("sigmoid", x),
    ),
    Elementwise(
        "identity",
        lambda z: z,
        lambda z, a: np.ones_like(z),
        "z",
        "1",
        "The identity activation (a linear output layer).",
        identity=True,
        derivative_expression=lambda x: 1,
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
    """softmax's context: z (n,) or (n, d), and the axis (1: each column, 2: each row)."""

    z: np.ndarray
    axis: int = 1


def _softmax_shape(same: Any, s: tuple[Any, ...], axis: Any = 1) -> tuple[Any, ...]:
    from ._reductions import check_axis

    check_axis("softmax", axis, (1, 2))
    return s


def _softmax_expression(e: Any) -> Any:
    """diag(vec a) − (vec a)(vec a)ᵀ ⊙ M, M keeping the pairs in one column (row) of a."""
    from ._expr_helpers import eye, is_one, number, ones, row

    z, axis = e.args[0], e.options.get("axis", 1)
    if not z.shape:
        return number(0)  # the softmax of one number is 1
    n, d = z.shape
    if is_one(d if axis == 1 else n):  # one column (row): diag(a) − a aᵀ
        a = e if axis == 1 else e.T
        return call("diag", a) - a @ a.T
    a = row(e).T
    pairs = call("kron", ones((n, n)), eye(d)) if axis == 1 else call("kron", eye(n), ones((d, d)))
    return call("diag", a) - (a @ a.T) * pairs


def _softmax_adjoint(G: Any, e: Any) -> Any:
    """a ⊙ (g − 1·(1ᵀ(a ⊙ g))) for each column (row) of a."""
    from ._expr_helpers import is_one, mm, number, ones

    z, axis = e.args[0], e.options.get("axis", 1)
    if not z.shape:
        return number(0)
    n, d = z.shape
    if axis == 1:
        if is_one(d):
            return e * (G - e.T @ G)
        return e * (G - mm(ones((n, 1)), call("sum", e * G, axis=1)))
    if is_one(n):
        return e * (G - G @ e.T)
    return e * (G - mm(call("sum", e * G, axis=2), ones((d, 1)).T))


@operation(
    "activation",
    "a",
    "a = softmax(z) = e^z / Σ_j e^(z_j)",
    r"a = \operatorname{softmax}(z) = \frac{e^{z}}{\sum_j e^{z_j}}",
    {"z": "n"},
    "n",
    lambda r, n, m, d, bt: {"z": 2 * column_draw(r, n, d, bt)},
    options={"axis": 1},
    fn=stable_softmax,
    # g·(diag(a) − a aᵀ) per column, without the n×n matrix
    vjp=lambda z, a, g: a * (g - np.sum(a * g, axis=0, keepdims=True)),
    stable_for=1e4,
    unchecked=lambda z: SoftmaxContext(stable_softmax(z), {"z": z}, z),
    shape_of=_softmax_shape,
    syntax=("call", "softmax"),
)
def softmax(z: np.ndarray, axis: int = 1) -> SoftmaxContext:
    """Softmax of a vector, or of each column of a batch (n, d); stable for large |z|.

    ``axis=2`` takes the softmax of each row instead (axes numbered as in the expression
    language); a vector (n,) is a column, and a scalar's softmax is 1.

    Its Jacobian is dense: ∂a_i/∂z_j = a_i(δ_ij − a_j), i.e. a_i(1 − a_i) when i = j and −a_i a_j
    when i ≠ j; for a batch it is block-diagonal over samples, kept as a :class:`BlockDiagonal` of d
    blocks (its dense matrix, nd×nd, is built only for ``.matrix``). Along rows (``axis=2``) it is
    dense, one d×d block per row.

    Shapes: z (n,) | (n, d) -> a of the same shape; ∂a/∂z is n×n (nd×nd).

    >>> softmax(np.zeros(2)).jacobian.matrix
    array([[ 0.25, -0.25],
           [-0.25,  0.25]])
    >>> softmax(np.zeros((1, 2)), axis=2).value
    array([[0.5, 0.5]])
    """
    from ._reductions import check_axis

    axis = check_axis("softmax", axis, (1, 2))  # type: ignore[assignment]
    if isinstance(z, np.ndarray) and z.ndim == 0:
        z = z.reshape(1)  # one number, as the expression graph passes a scalar
    z = column("softmax", "z", z)
    if axis == 1:
        return softmax.unchecked(z)  # type: ignore[misc]
    a = stable_softmax(z.reshape(z.shape[0], -1).T).T.reshape(z.shape)
    return SoftmaxContext(a, {"z": z}, z, 2)


@softmax.rule(
    "z",
    "diag($a) − $a $aᵀ",
    "n×n",
    expression=_softmax_expression,
    adjoint=_softmax_adjoint,
)
def softmax_dz(c: SoftmaxContext) -> Jacobian:
    """diag(a) − a aᵀ: one n×n block, or a block per sample of a batch (not (nd)²); along rows,
    a d×d block per row, dense."""
    s = c.value.reshape(c.z.shape[0], -1)  # (n, d)
    if c.axis == 2:
        s = s.T  # the rows as columns: block j is that of row j
    n, d = s.shape
    blocks = np.einsum("ik,ij->kij", s, np.eye(n, dtype=s.dtype)) - np.einsum(
        "ik,jk->kij", s, s
    )  # (d, n, n)
    if d == 1:
        return Dense(blocks[0])
    if c.axis == 1:
        return BlockDiagonal(blocks)
    from ._limit import check_limit

    check_limit("∂a/∂z of softmax along rows", n * d, n * d, s.dtype, None)
    J = np.zeros((d, n, d, n), dtype=s.dtype)  # row-major vec of z (d rows of n here)
    J[np.arange(d), :, np.arange(d), :] = blocks
    return Dense(J.reshape(d * n, d * n))
