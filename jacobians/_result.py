"""What calling an operation returns: its :class:`Result`, whose ``.jacobians`` are built on
first access from the :class:`Context` that the operation's ``prepare`` returned.

The registry (:mod:`jacobians._registry`) makes them: ``op.result(op.prepare(*args))``. A Result
reads of its operation only the names of the inputs, the output and the rules (:class:`Operated`,
what :class:`~jacobians.Operation` provides), so this module does not import the registry.

>>> from jacobians import tanh
>>> r = tanh(np.zeros(2))
>>> list(r.jacobians), r.jacobian.kind
(['z'], 'diagonal')
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np

from ._jacobian import Jacobian
from ._structure_args import from_checked

__all__ = ["Context", "JacobianMap", "Operated", "Result"]


@dataclass(slots=True)
class Context:
    """What ``prepare`` returns: the output, the checked inputs as the caller shaped them, and (in
    each operation's subclass) the named fields its rules read."""

    value: Any
    given: dict[str, np.ndarray]


class Operated(Protocol):
    """What a :class:`Result` reads of the operation that made it (an
    :class:`~jacobians.Operation`): its name, output, inputs (``_names`` in order) and rules."""

    name: str
    output: str
    params: tuple[Any, ...]
    rules: dict[str, Any]
    _names: list[str]


class JacobianMap(Mapping[str, Jacobian]):
    """An operation's Jacobians by input name, each built on first access and then kept: a chain
    that needs ∂z/∂W of ``linear`` does not pay for ∂z/∂x."""

    __slots__ = ("_built", "_ctx", "_op", "_out_shape")

    def __init__(self, op: Operated, ctx: Context) -> None:
        self._op, self._ctx, self._built = op, ctx, {}
        v = ctx.value  # an array, or a numpy scalar (a cost); np.shape costs two calls more
        self._out_shape = v.shape if isinstance(v, (np.ndarray, np.generic)) else np.shape(v)

    def __getitem__(self, name: str) -> Jacobian:
        J = self._built.get(name)
        if J is None:
            r = self._op.rules[name]  # KeyError for a name that is not an input, as a dict
            # the context's arrays were checked by prepare, so the structure's constructor need
            # not check them again; what a builder computes is proved finite by the registry-wide
            # test of every Jacobian at huge and tiny inputs
            with from_checked():
                built = r.build(self._ctx)
            J = built.label(  # a fresh object: labelled in place
                self._op.output,
                name,
                r.closed_form,
                r.latex,
                self._out_shape,
                self._ctx.given[name].shape,
            )
            J.made_by = self._op.name  # a lazy product's late refusal names the operation
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

    op: Operated
    value: np.ndarray
    jacobians: Mapping[str, Jacobian]

    @property
    def jacobian(self) -> Jacobian:
        """The Jacobian with respect to the first input (z of an activation, a of a cost)."""
        return self.jacobians[self.op.params[0].name]
