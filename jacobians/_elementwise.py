"""Elementwise maps a = σ(z) as table rows: what one row holds, and how it becomes an operation.

An elementwise map is one :class:`Elementwise` entry: its value, its derivative (from z and, where
cheaper, from the value a), the derivative's closed form written once, the inputs its tests draw
and how large an input it stays finite for. :func:`register_activation` makes the entry an
operation with ∂a/∂z = diag(σ′(z)). The tables are in :mod:`jacobians._activations` (the family
"activation": in :data:`jacobians.ACTIVATIONS`, the catalogue, ``net.MLP``, the tables and every
registry-wide test) and :mod:`jacobians._functions` (the family "function": sin, log, …,
operations too, but not activations: net does not draw them). Every row takes any shape, a
scalar (0-D) included, and is written in expressions as ``name(x)``, its Jacobian
diag(vec(σ′(x))) and its adjoint G ⊙ σ′(x). A value or σ′ that leaves floating-point range at a
finite z (leaky_relu's αz, log′ = 1/z at a subnormal z) is refused, naming z, never returned.

>>> Elementwise("cube", lambda z: z**3, lambda z, a: 3 * z**2, "z³", "3$z²", "z cubed.").family
'activation'
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from reshape import InputError, InputTypeError, as_array, describe

from ._checks import domain, finite_result, option, quiet
from ._expr_helpers import partial_adjoint, partial_expression
from ._jacobian import Jacobian
from ._notation import to_latex
from ._registry import OPERATIONS, Context, Operation, operation
from ._structure_args import products_are_tested
from ._structures import Diagonal, Identity

__all__ = [
    "Domain",
    "Elementwise",
    "ElementwiseContext",
    "away_from_zero",
    "column_draw",
    "register_activation",
]


def away_from_zero(z: np.ndarray) -> np.ndarray:
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

    def __post_init__(self) -> None:
        _field(
            "Domain", "bad", self.bad, callable, "a function of the real parts, re -> bool array"
        )
        _field("Domain", "expected", self.expected, _is_text, "text: what is allowed ('z > 0')")
        _field("Domain", "hint", self.hint, _is_text, "text: how to stay inside ('' for none)")

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

    def __post_init__(self) -> None:
        # checked when the row is written, so a bad row never reaches the registry or a table
        for arg, test, expected in _ELEMENTWISE_FIELDS:
            _field("Elementwise", arg, getattr(self, arg), test, expected)
        if not self.name.isidentifier():
            raise InputError(
                "Elementwise",
                "name",
                "an identifier, as expressions write name(x)",
                repr(self.name),
            )
        if self.family not in ("activation", "function"):
            raise InputError(
                "Elementwise", "family", "'activation' or 'function'", repr(self.family)
            )
        if not 0 < self.large < float("inf"):
            raise InputError("Elementwise", "large", "a finite number > 0", repr(self.large))


def _is_text(x: Any) -> bool:
    return isinstance(x, str)


def _is_number(x: Any) -> bool:
    return isinstance(x, (int, float, np.integer, np.floating)) and not isinstance(x, bool)


def _is_flag(x: Any) -> bool:
    return isinstance(x, (bool, np.bool_))


def _maybe(test: Callable[[Any], bool]) -> Callable[[Any], bool]:
    return lambda x: x is None or test(x)


def _field(op: str, arg: str, value: Any, test: Callable[[Any], bool], expected: str) -> None:
    """Refuse a field of a row that is not of its kind (a name that is no text, a value that
    cannot be called), naming the field."""
    if not test(value):
        raise InputTypeError(op, arg, expected, f"{value!r} ({describe(value)})")


_ELEMENTWISE_FIELDS: tuple[tuple[str, Callable[[Any], bool], str], ...] = (
    ("name", _is_text, "text: the operation's name"),
    ("value", callable, "a function z -> σ(z)"),
    ("derivative", callable, "a function (z, a) -> σ′(z)"),
    ("formula", _is_text, "text: the definition after 'a = '"),
    ("derivative_form", _is_text, "text: σ′ as a Form template with a slot $z"),
    ("doc", _is_text, "text: one line for the docstring"),
    ("draw", callable, "a function of standard normal inputs"),
    ("large", _is_number, "a number"),
    ("analytic", _is_flag, "True or False"),
    ("options", lambda x: isinstance(x, Mapping), "a mapping of option names to defaults"),
    ("formula_latex", _maybe(_is_text), "None or text"),
    ("derivative_latex", _maybe(_is_text), "None or text"),
    ("identity", _is_flag, "True or False"),
    ("family", _is_text, "'activation' or 'function'"),
    ("domain", _maybe(lambda x: isinstance(x, Domain)), "None or a Domain"),
    ("derivative_domain", _maybe(lambda x: isinstance(x, Domain)), "None or a Domain"),
    ("derivative_expression", _maybe(callable), "None or a function of an Expression"),
)


@dataclass(slots=True)
class ElementwiseContext(Context):
    """An elementwise activation's context: z and the options of the call."""

    z: np.ndarray
    opts: dict[str, float]


def register_activation(entry: Elementwise) -> Operation:
    """Make an :class:`Elementwise` entry an operation: a = σ(z), ∂a/∂z = diag(σ′(z)).

    >>> from jacobians import tanh
    >>> tanh.rules["z"].closed_form, tanh(np.zeros(2)).jacobian.kind
    ('diag(1 − tanh²(z))', 'diagonal')
    """
    if not isinstance(entry, Elementwise):
        raise InputTypeError(
            "register_activation",
            "entry",
            "an Elementwise row (name, value, derivative, formula, derivative_form, doc)",
            f"{entry!r} ({describe(entry)})",
        )
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
        c = quiet_unchecked(z, **opts)
        finite_result(name, "z", f"value {name}(z)", c.value, {"z": z, **opts})
        return c

    def unchecked(z: np.ndarray, **opts: Any) -> ElementwiseContext:
        # a scalar is computed as one entry: the stable formulas write into arrays (out=)
        a = fn(z, **opts) if z.ndim else fn(z.reshape(1), **opts).reshape(())
        return ElementwiseContext(a, {"z": z}, z, opts or defaults)

    quiet_unchecked = quiet(unchecked)  # a value out of range is refused by name, not warned of

    @quiet
    def slope(c: ElementwiseContext) -> np.ndarray:
        if c.z.ndim:  # without options, no empty dict to unpack: every layer of a gradient calls it
            return deriv(c.z, c.value, **c.opts) if c.opts else deriv(c.z, c.value)
        return deriv(c.z.reshape(1), c.value.reshape(1), **c.opts).reshape(())

    def dz(c: ElementwiseContext) -> Jacobian:
        if entry.derivative_domain is not None:
            entry.derivative_domain.check(name, c.z)
        if products_are_tested():  # the caller tests g ⊙ σ′, which a NaN or infinity in σ′ reaches
            return Diagonal(slope(c))
        d = finite_result(name, "z", f"derivative {name}′(z)", slope(c), {"z": c.z, **c.opts})
        return Diagonal(d)

    prepare.__name__ = name
    kind = "identity" if entry.identity else "diagonal"
    prepare.__doc__ = (
        f"{entry.doc}\n\n    Shapes: z of any shape, a scalar () too -> a of the same shape; "
        f"∂a/∂z is n×n, {kind}.\n\n    >>> {name}(np.full(2, 0.5)).jacobian.kind\n    {kind!r}\n"
    )
    opts = defaults = dict(entry.options)
    latex = entry.formula_latex or _latex(entry.formula, "formula")
    if not entry.identity and entry.derivative_latex is None:
        _latex(entry.derivative_form, "derivative_form")  # before anything is registered
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


def _latex(text: str, field: str) -> str:
    """The LaTeX of an entry's ``field``, or the error naming it and the character without one."""
    try:
        return to_latex(text)
    except ValueError as err:
        latex = "formula_latex" if field == "formula" else "derivative_latex"
        raise InputError(
            "register_activation",
            "entry",
            f"a {field} whose characters all have LaTeX, or {latex} given",
            f"{field} {text!r}",
            f"{err}; give {latex}= with the LaTeX to print",
        ) from None


def _forms(entry: Elementwise) -> dict[str, Any]:
    """The rule's expression diag(vec(σ′(x))) and adjoint G ⊙ σ′(x), from the row's σ′(x)."""
    sigma = entry.derivative_expression
    if sigma is None:
        return {}

    def local(node: Any) -> Any:
        return sigma(node.args[0], **{**entry.options, **node.options})

    return {
        "expression": lambda node: partial_expression(node, 0, local(node)),
        "adjoint": lambda G, node: partial_adjoint(G, node, 0, local(node)),
    }


def _identity_dz(c: ElementwiseContext) -> Jacobian:
    return Identity(c.z.shape, c.z.dtype)
