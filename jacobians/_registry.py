"""The registry: one definition per operation, read by the chain, the tables, net and the tests.

An :class:`Operation` holds its value (``prepare`` checks the arguments and returns a typed
:class:`Context` with the output and what the rules need), the inputs its tests draw
(``examples``) and one :class:`Rule` per input: the Jacobian's closed form, written once as a
:class:`~jacobians._notation.Form`, its symbolic shape, and the named builder that makes it from
the context. The structure of a Jacobian is never declared: it is the class the builder returns,
read off a built example (:meth:`Operation.structures`). Adding an operation is one definition,
and every test parametrized over :data:`OPERATIONS` covers it at once.

Calling an operation is ``op.result(op.prepare(*args, **op.options))``: the :class:`Result`
(:mod:`jacobians._result`, with :class:`Context`) wraps the context, and its ``.jacobians[name]``
is ``op.rules[name].build(context)``, labelled. A caller that wants only the numbers (``net``'s
gradient) may take the two steps itself and skip the labels.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from reshape import InputError, InputTypeError, describe

from ._jacobian import Jacobian
from ._notation import Form
from ._result import Context, JacobianMap, Result

__all__ = [
    "ACTIVATIONS",
    "COSTS",
    "OPERATIONS",
    "Context",
    "Operation",
    "Param",
    "Result",
    "Rule",
    "operation",
    "unregister",
]


class _Family(dict):
    """A family of the registry: a dict whose missing name is refused by the toolkit's error,
    naming it (a network made with an activation that ``unregister`` removed since reads it by
    name at every call)."""

    def __init__(self, family: str) -> None:
        super().__init__()
        self.family = family

    def __missing__(self, name: object) -> Operation:
        known = ", ".join(map(repr, self)) or "none"
        raise InputError(
            f"the {self.family} registry",
            "name",
            f"a registered {self.family}, one of {known}",
            f"{name!r}, not registered (never, or removed by unregister since)",
            f"register it again (jacobians.register_{self.family})"
            if self.family == "activation"
            else None,
        )


OPERATIONS: dict[str, Operation] = {}
ACTIVATIONS: dict[str, Operation] = _Family("activation")  # kept in step with OPERATIONS
COSTS: dict[str, Operation] = _Family("cost")
_FAMILIES = {"activation": ACTIVATIONS, "cost": COSTS}

# Set by jacobians.expressions: (the Expression type, the function that makes an operation's node).
# An operation applied to an Expression builds a node of the graph instead of computing.
EXPRESSIONS: list[Any] = []

# (rng, n, m, d, batch) -> the keyword arguments of one valid call; n, m are sizes, d the samples
Examples = Callable[[np.random.Generator, int, int, int, bool], dict[str, np.ndarray]]


@dataclass(frozen=True)
class Param:
    """An input of an operation: its name and symbolic shape (``"n×m"``, ``"n"``)."""

    name: str
    shape: str
    doc: str = ""


@dataclass(frozen=True)
class Rule:
    """∂(output)/∂(wrt): the closed form (a Form; text and LaTeX), symbolic shape and builder."""

    wrt: str
    form: Form
    shape: str
    build: Callable[[Any], Jacobian]
    analytic: bool = True  # False where complex-step differentiation does not apply (relu's kink)
    operation: str = ""  # the operation's name, to find the structure its builder gives
    # For expressions (jacobians.expressions): ``expression(node)`` is this Jacobian as an
    # Expression (its value the matrix, rows vec(output), columns vec(wrt), row-major), and
    # ``adjoint(G, node)`` the Expression Gᵀ·J folded to the input's shape (G shaped like the
    # output): the two symbolic forms of the same rule, built from the node's own arguments.
    expression: Callable[..., Any] | None = None
    adjoint: Callable[..., Any] | None = None
    closed_form: str = field(init=False)
    latex: str = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "closed_form", self.form.text())
        object.__setattr__(self, "latex", self.form.latex())

    @property
    def structure(self) -> str:
        """The kind of the Jacobian built for one sample (see :meth:`Operation.structures`)."""
        return OPERATIONS[self.operation].structures(self.wrt)[0]


@dataclass(eq=False)
class Operation:
    """One operation: its value, the inputs its tests draw, and a rule per input.

    Attributes besides the definition's: ``fn`` is the value without the argument checks (a = fn(z)
    for an activation, C = fn(a, y) for a cost); ``deriv(z)`` is σ′(z) of an elementwise map;
    ``vjp(z, a, g)`` is g·∂a/∂z of an activation as an array shaped like z (the shortcut's step,
    no Jacobian made); ``gradient(a, y)`` is a cost's ∇ₐC shaped like a; ``unchecked(*inputs,
    **options)`` is the Context that ``prepare`` returns after its checks, for a caller whose
    arrays are already checked and shaped (a network's forward pass: X as (m, d) columns, b as
    (n,); an expression's replayed gradient: vectors as columns, a scalar 0-D), so that one
    forward pass gives the values and everything the rules need.
    """

    name: str
    family: str
    output: str
    formula: str
    formula_latex: str
    params: tuple[Param, ...]
    out_shape: str
    prepare: Callable[..., Context]
    examples: Examples
    rules: dict[str, Rule] = field(default_factory=dict)
    options: dict[str, Any] = field(default_factory=dict)
    doc: str = ""
    fn: Callable[..., Any] | None = None
    deriv: Callable[..., np.ndarray] | None = None
    vjp: Callable[[np.ndarray, np.ndarray, np.ndarray], np.ndarray] | None = None
    gradient: Callable[[np.ndarray, np.ndarray], np.ndarray] | None = None
    unchecked: Callable[..., Context] | None = None
    # expressions: the output's shape from the inputs' (``shape_of(same, *shapes, **options)``,
    # ``same(a, b)`` equating two sizes), and how the expression language writes the operation:
    # ("call", "tr"), ("infix", "+"), ("prefix", "-") or ("postfix", "'")
    shape_of: Callable[..., tuple[Any, ...]] | None = None
    syntax: tuple[str, str] | None = None
    formula_form: Form | None = None  # the formula as a template, for renamed variables
    stable_for: float | None = None  # |input| up to which value and Jacobians stay finite
    _names: list[str] = field(init=False, repr=False)  # the inputs' names, in order
    _kinds: dict[str, tuple[str, str]] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._names = [p.name for p in self.params]
        self._kinds = {}

    def rule(
        self,
        wrt: str,
        closed_form: str,
        shape: str,
        *,
        latex: str | None = None,
        analytic: bool = True,
        expression: Callable[..., Any] | None = None,
        adjoint: Callable[..., Any] | None = None,
    ) -> Callable[[Callable[[Any], Jacobian]], Callable[[Any], Jacobian]]:
        """Register the builder of ∂(output)/∂``wrt``, directly under the operation.

        ``closed_form`` is a :class:`~jacobians._notation.Form` template (``"I_$n ⊗ $xᵀ"``); its
        LaTeX is derived unless ``latex`` overrides it. ``expression`` and ``adjoint`` are its
        symbolic forms for expressions (see :class:`Rule`).
        """
        if wrt not in self._names:
            raise AssertionError(f"{self.name}: rule for unknown input {wrt!r}")
        form = Form(closed_form, latex)

        def register(build: Callable[[Any], Jacobian]) -> Callable[[Any], Jacobian]:
            self.rules[wrt] = Rule(
                wrt, form, shape, build, analytic, self.name, expression, adjoint
            )
            self._kinds.clear()
            return build

        return register

    def structures(self, wrt: str) -> tuple[str, str]:
        """The kind of ∂(output)/∂``wrt`` as built for one sample and for a batch of two, from the
        operation's own examples: what the catalogue reports, never a declared string.

        >>> from jacobians import OPERATIONS
        >>> OPERATIONS["linear"].structures("x")
        ('dense', 'kronecker')
        """
        if not self._kinds:
            one, batch = (
                self.prepare(
                    **self.examples(np.random.default_rng(0), 3, 4, d, d > 1), **self.options
                )
                for d in (1, 2)
            )
            self._kinds = {
                name: (r.build(one).kind, r.build(batch).kind) for name, r in self.rules.items()
            }
        return self._kinds[wrt]

    def __call__(self, *args: Any, **kwargs: Any) -> Result:
        names = self._names
        if EXPRESSIONS and any(isinstance(a, EXPRESSIONS[0]) for a in (*args, *kwargs.values())):
            return EXPRESSIONS[1](self, args, kwargs)  # an Expression node, not a Result
        if not kwargs and len(args) == len(names) and not self.options:  # the common call
            return self.result(self.prepare(*args))
        given, opts = self.bind(args, kwargs)
        return self.result(self.prepare(**given, **opts))

    def bind(self, args: tuple[Any, ...], kwargs: dict[str, Any]) -> tuple[dict, dict]:
        """A call's arguments as (inputs by name, options with their defaults), checked: at most
        one value per input, every input given, no unknown keyword. Calling the operation on
        arrays and building its node on expressions bind alike."""
        names = self._names
        if len(args) > len(names):
            raise InputError(
                self.name, "arguments", f"at most {len(names)}: {', '.join(names)}", f"{len(args)}"
            )
        given = dict(zip(names, args, strict=False))
        for key, val in kwargs.items():
            if key in given:
                raise InputError(self.name, key, "one value", "it both by position and by name")
            if key not in names and key not in self.options:
                known = ", ".join(names + list(self.options))
                raise InputError(self.name, key, f"one of the arguments {known}", repr(key))
            given[key] = val
        missing = [n for n in names if n not in given]
        if missing:
            raise InputError(
                self.name, missing[0], f"all of {', '.join(names)}", f"no value for {missing[0]!r}"
            )
        return given, {k: given.pop(k, v) for k, v in self.options.items()}

    def result(self, ctx: Context) -> Result:
        """The :class:`Result` of a context that ``prepare`` returned: what calling the operation
        returns, its Jacobians built from ``ctx`` on first access."""
        return Result(self, ctx.value, JacobianMap(self, ctx))

    def value(self, *args: Any, **kwargs: Any) -> np.ndarray:
        """The output alone."""
        return self(*args, **kwargs).value

    def __repr__(self) -> str:
        return f"<operation {self.name}: {self.formula}>"


def operation(
    family: str,
    output: str,
    formula: str,
    formula_latex: str,
    params: dict[str, str],
    out_shape: str,
    examples: Examples,
    options: dict[str, Any] | None = None,
    **extra: Any,
) -> Callable[[Callable[..., Context]], Operation]:
    """Declare an operation; the decorated function checks its inputs and returns its Context.

    ``formula`` is a Form template (``"C = ½‖$a − $y‖²"``) with ``formula_latex`` its LaTeX.

    ``extra`` sets the optional attributes of :class:`Operation` (``fn``, ``deriv``, ``vjp``,
    ``gradient``). The operation joins :data:`OPERATIONS` (and :data:`ACTIVATIONS` or
    :data:`COSTS` by family) under the function's name.
    """

    form = Form(formula, formula_latex)

    def declare(prepare: Callable[..., Context]) -> Operation:
        op = Operation(
            name=prepare.__name__,
            family=family,
            output=output,
            formula=form.text(),
            formula_latex=form.latex(),
            params=tuple(Param(n, s) for n, s in params.items()),
            out_shape=out_shape,
            prepare=prepare,
            examples=examples,
            options=dict(options or {}),
            doc=prepare.__doc__ or "",
            formula_form=form,
            **extra,
        )
        op.__doc__ = prepare.__doc__
        OPERATIONS[op.name] = op
        if family in _FAMILIES:
            _FAMILIES[family][op.name] = op
        return op

    return declare


def unregister(name: str) -> Operation:
    """Remove an operation from the registry (a test's own activation, when the test ends)."""
    expected = f"the name of a registered operation, one of {', '.join(map(repr, OPERATIONS))}"
    if not isinstance(name, str):
        raise InputTypeError("unregister", "name", expected, f"{name!r} ({describe(name)})")
    if name not in OPERATIONS:
        raise InputError("unregister", "name", expected, f"unknown operation {name!r}")
    op = OPERATIONS.pop(name)
    _FAMILIES.get(op.family, {}).pop(name, None)
    return op


def catalog() -> Iterator[tuple[Operation, Rule]]:
    """Every (operation, rule) pair, in registration order."""
    for op in OPERATIONS.values():
        for p in op.params:
            yield op, op.rules[p.name]
