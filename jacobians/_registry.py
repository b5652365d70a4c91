"""The registry: one definition per operation, read by the chain, the tables and the tests.

An :class:`Operation` holds the value (its prepare function validates the arguments and computes the
output) and one :class:`Rule` per input: the Jacobian's closed form as text and LaTeX, its symbolic
shape, its structure and the function that builds it. Adding an operation is one edit, and every
test parametrized over :data:`OPERATIONS` covers it at once.

Calling an operation is ``op.result(op.prepare(*args, **op.options))``: the :class:`Result` wraps
the context that prepare returns, and its ``.jacobians[name]`` is ``op.rules[name].build(context)``,
labelled. A caller that wants only the numbers (``net``'s gradient) may take the two steps itself
and skip the wrapping and the labels.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

import numpy as np

from reshape import InputError

from ._jacobian import Jacobian

__all__ = ["OPERATIONS", "Operation", "Param", "Result", "Rule", "operation"]

OPERATIONS: dict[str, Operation] = {}


@dataclass(frozen=True)
class Param:
    """An input of an operation: its name and symbolic shape (``"n×m"``, ``"n"``)."""

    name: str
    shape: str
    doc: str = ""


@dataclass(frozen=True)
class Rule:
    """∂(output)/∂(wrt): closed form (text and LaTeX), symbolic shape, structure, builder."""

    wrt: str
    closed_form: str
    latex: str
    shape: str
    structure: str
    build: Callable[[SimpleNamespace], Jacobian]
    analytic: bool = True  # False where complex-step differentiation does not apply (relu's kink)


class _Jacobians(Mapping[str, Jacobian]):
    """An operation's Jacobians by input name, each built on first access and then kept: a chain
    that needs ∂z/∂W of ``linear`` does not pay for ∂z/∂x (a gradient skips about a third)."""

    __slots__ = ("_built", "_ctx", "_op", "_out_shape")

    def __init__(self, op: Operation, ctx: SimpleNamespace) -> None:
        self._op, self._ctx, self._built = op, ctx, {}
        v = ctx.value  # an array, or a numpy scalar (a cost); np.shape costs two calls more
        self._out_shape = v.shape if isinstance(v, (np.ndarray, np.generic)) else np.shape(v)

    def __getitem__(self, name: str) -> Jacobian:
        J = self._built.get(name)
        if J is None:
            r = self._op.rules[name]  # KeyError for a name that is not an input, as a dict
            J = r.build(self._ctx)  # a fresh object: label it in place
            J.of, J.wrt, J._cf, J._tex = self._op.output, name, r.closed_form, r.latex
            J.out_shape, J.in_shape = self._out_shape, self._ctx.given[name].shape
            self._built[name] = J
        return J

    def __contains__(self, name: object) -> bool:
        return name in self._op._names  # without building it

    def __iter__(self) -> Iterator[str]:
        return iter(self._op._names)

    def __len__(self) -> int:
        return len(self._op._names)

    def __repr__(self) -> str:
        return f"<Jacobians of {self._op.name} by {', '.join(self._op._names)}>"


@dataclass(frozen=True)
class Result:
    """What an operation returns: ``.value`` and ``.jacobians[name]`` for every input.

    ``.jacobians`` is a read-only mapping whose entries are built on first access from the arrays
    of the call (not copies): change ``.value`` in place and a Jacobian not yet built sees it.
    """

    op: Operation
    value: np.ndarray
    jacobians: Mapping[str, Jacobian]

    @property
    def jacobian(self) -> Jacobian:
        """The Jacobian with respect to the first input (z of an activation, a of a cost)."""
        return self.jacobians[self.op.params[0].name]


@dataclass
class Operation:
    """One operation: its value and the closed-form Jacobian with respect to each input."""

    name: str
    family: str
    output: str
    formula: str
    formula_latex: str
    params: tuple[Param, ...]
    out_shape: str
    prepare: Callable[..., SimpleNamespace]
    rules: dict[str, Rule] = field(default_factory=dict)
    options: dict[str, Any] = field(default_factory=dict)
    doc: str = ""
    fn: Callable[..., np.ndarray] | None = None  # elementwise maps: a = fn(z)
    deriv: Callable[..., np.ndarray] | None = None  # and σ′(z) = deriv(z)
    _names: list[str] = field(init=False, repr=False)  # the inputs' names, in order

    def __post_init__(self) -> None:
        self._names = [p.name for p in self.params]

    def rule(
        self,
        wrt: str,
        closed_form: str,
        latex: str,
        shape: str,
        structure: str,
        analytic: bool = True,
    ) -> Callable[[Callable[[SimpleNamespace], Jacobian]], Callable[[SimpleNamespace], Jacobian]]:
        """Register the Jacobian with respect to ``wrt``, directly under the operation."""
        if wrt not in {p.name for p in self.params}:
            raise AssertionError(f"{self.name}: rule for unknown input {wrt!r}")

        def register(
            build: Callable[[SimpleNamespace], Jacobian],
        ) -> Callable[[SimpleNamespace], Jacobian]:
            self.rules[wrt] = Rule(wrt, closed_form, latex, shape, structure, build, analytic)
            return build

        return register

    def __call__(self, *args: Any, **kwargs: Any) -> Result:
        names = self._names
        if not kwargs and len(args) == len(names) and not self.options:  # the common call
            return self.result(self.prepare(*args))
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
        opts = {k: given.pop(k, v) for k, v in self.options.items()}
        return self.result(self.prepare(**given, **opts))

    def result(self, ctx: SimpleNamespace) -> Result:
        """The :class:`Result` of a context that ``prepare`` returned: what calling the operation
        returns, its Jacobians built from ``ctx`` on first access."""
        return Result(self, ctx.value, _Jacobians(self, ctx))

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
    options: dict[str, Any] | None = None,
) -> Callable[[Callable[..., SimpleNamespace]], Operation]:
    """Declare an operation; the decorated function validates its inputs and returns a namespace
    with ``value`` (the output), ``given`` (the validated inputs, shaped as the caller gave them)
    and whatever its rules need."""

    def declare(prepare: Callable[..., SimpleNamespace]) -> Operation:
        op = Operation(
            name=prepare.__name__,
            family=family,
            output=output,
            formula=formula,
            formula_latex=formula_latex,
            params=tuple(Param(n, s) for n, s in params.items()),
            out_shape=out_shape,
            prepare=prepare,
            options=dict(options or {}),
            doc=prepare.__doc__ or "",
        )
        op.__doc__ = prepare.__doc__
        OPERATIONS[op.name] = op
        return op

    return declare


def catalog() -> Iterator[tuple[Operation, Rule]]:
    """Every (operation, rule) pair, in registration order."""
    for op in OPERATIONS.values():
        for p in op.params:
            yield op, op.rules[p.name]
