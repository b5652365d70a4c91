"""The expression graph: variables, constants and the registry's operations applied to them.

An :class:`Expression` is a node: a registered :class:`~jacobians.Operation` with its argument
nodes and options, or a leaf (a :class:`Variable`, or a constant: a number, ``eye``, ``vector(c)``,
``matrix(c)``, ``comm(m, n)``). Nodes are immutable and shared: a variable used twice is one node
with two uses (fan-out), and a node's Jacobian sums the paths through its uses.

Every value is a scalar (shape ()) or a matrix (rows, cols), a vector being (n, 1); sizes may be
open (:mod:`._shapes`) until values fix them. Python operators work as on numpy arrays: ``*``,
``/`` and ``**`` elementwise (a scalar broadcasts), ``@`` the matrix product, ``+ -``, unary ``-``,
``.T``. A registered operation applied to an Expression builds a node (``jacobians.tanh(x)``).

>>> from jacobians.expressions import Variable
>>> A, x = Variable("A", (2, 3)), Variable("x", (3, 1))
>>> (A @ x).shape
(2, 1)
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

import numpy as np

from reshape import InputError, InputTypeError, ShapeError, describe

from .._registry import EXPRESSIONS, OPERATIONS, Operation
from ._lex import _NAME, FUNCTIONS
from ._shapes import Dim, Mismatch, Shape, Size, declared_shape, normal, same, show

__all__ = ["ACTIONS", "CONSTANTS", "Expression", "Variable", "constant", "node"]

# What the package's other modules give an Expression (evaluate, jacobian, text, …): each
# registers its function here on import, so they import this module and never the reverse.
ACTIONS: dict[str, Callable[..., Any]] = {}

# the leaves that are not variables: how each fills its value from its concrete shape
CONSTANTS = ("number", "eye", "vector", "matrix", "comm")


class Expression:
    """A node of a matrix expression; see the module docstring.

    Attributes:
        op: the registered operation, or None for a leaf.
        args: the argument nodes (empty for a leaf).
        options: the operation's options (``axis`` of a sum), or a constant's fill.
        shape: () or (rows, cols), sizes int or open.
        name: a variable's name, or the kind of a constant (``"number"``, ``"eye"``, …).
    """

    __slots__ = (
        "_order",
        "_origin",
        "_programs",
        "_variables",
        "args",
        "key",
        "name",
        "op",
        "options",
        "shape",
    )
    __array_ufunc__ = None  # numpy defers to our operators, which refuse arrays clearly

    def __init__(
        self,
        op: Operation | None,
        args: tuple[Expression, ...],
        shape: Shape,
        name: str = "",
        options: Mapping[str, Any] | None = None,
    ) -> None:
        self.op, self.args, self.shape, self.name = op, args, shape, name
        self.options = dict(options or {})
        self._order: tuple[Expression, ...] | None = None  # nodes(), kept: a node never changes
        self._variables: tuple[tuple[str, Expression], ...] | None = None  # variables(), kept
        self._programs: dict[tuple, Any] = {}  # gradients replayed without re-checking (_fast)
        # a derivative's: the variables of the expression it was taken of, whose values fix the
        # sizes of its constants (a*eye, the derivative of a*x, holds no x)
        self._origin: dict[str, Expression] = {}
        # identity in the graph: a variable by its name, any other node by itself
        self.key: object = ("variable", name) if self.is_variable else id(self)

    # ----- what a node is -----
    @property
    def is_variable(self) -> bool:
        return self.op is None and self.name not in CONSTANTS

    @property
    def is_constant(self) -> bool:
        return self.op is None and self.name in CONSTANTS

    @property
    def is_scalar(self) -> bool:
        return self.shape == ()

    def nodes(self) -> list[Expression]:
        """Every node once, arguments before their users (evaluation order)."""
        if self._order is None:
            self._order = tuple(self._walk())
        return list(self._order)

    def _walk(self) -> list[Expression]:
        order: list[Expression] = []
        seen: set[object] = set()
        stack: list[tuple[Expression, bool]] = [(self, False)]
        while stack:  # iterative: a deep expression must not hit Python's recursion limit
            e, expanded = stack.pop()
            if e.key in seen:
                continue
            if expanded or not e.args:
                seen.add(e.key)
                order.append(e)
                continue
            stack.append((e, True))
            stack.extend((a, False) for a in reversed(e.args) if a.key not in seen)
        return order

    def variables(self) -> dict[str, Expression]:
        """The variables by name, in order of first appearance."""
        if self._variables is None:
            self._variables = tuple((e.name, e) for e in self.nodes() if e.is_variable)
        return dict(self._variables)

    def __iter__(self) -> Iterator[Any]:
        raise TypeError("an Expression is not iterable; evaluate it first")

    # ----- Python operators, as on numpy arrays -----
    def __add__(self, other: Any) -> Expression:
        return node("add", self, other)

    def __radd__(self, other: Any) -> Expression:
        return node("add", other, self)

    def __sub__(self, other: Any) -> Expression:
        return node("subtract", self, other)

    def __rsub__(self, other: Any) -> Expression:
        return node("subtract", other, self)

    def __mul__(self, other: Any) -> Expression:
        return node("multiply", self, other)

    def __rmul__(self, other: Any) -> Expression:
        return node("multiply", other, self)

    def __truediv__(self, other: Any) -> Expression:
        return node("divide", self, other)

    def __rtruediv__(self, other: Any) -> Expression:
        return node("divide", other, self)

    def __pow__(self, other: Any) -> Expression:
        return node("power", self, other)

    def __rpow__(self, other: Any) -> Expression:
        return node("power", other, self)

    def __matmul__(self, other: Any) -> Expression:
        return node("matmul", self, other)

    def __rmatmul__(self, other: Any) -> Expression:
        return node("matmul", other, self)

    def __neg__(self) -> Expression:
        return node("negate", self)

    def __pos__(self) -> Expression:
        return self

    @property
    def T(self) -> Expression:
        return node("transpose", self)

    # ----- values, Jacobians and closed forms (each in its own module) -----
    def evaluate(self, values: Mapping[str, Any]) -> np.ndarray:
        """The value at ``values`` (a mapping of variable names to arrays; vectors as (n,) or
        (n, 1)): a 0-D array for a scalar, else (rows, cols), a vector as (n, 1)."""
        return ACTIONS["evaluate"](self, values)

    def jacobian(
        self,
        wrt: str | Expression,
        values: Mapping[str, Any],
        *,
        order: str = "C",
        method: str = "cheapest",
    ) -> Any:
        """The structured Jacobian of vec(self) w.r.t. vec(wrt) at ``values`` (numerator layout,
        row-major vec; ``order="F"`` column-major), summed over every path from wrt."""
        return ACTIONS["jacobian"](self, wrt, values, order=order, method=method)

    def gradient(self, wrt: str | Expression, values: Mapping[str, Any]) -> np.ndarray:
        """∇ of a scalar expression w.r.t. wrt at ``values``, shaped like wrt."""
        return ACTIONS["gradient"](self, wrt, values)

    def costs(self, wrt: str | Expression, values: Mapping[str, Any]) -> dict[str, Any]:
        """Multiply-adds of the Jacobian in reverse, forward and the cheapest elimination order."""
        return ACTIONS["costs"](self, wrt, values)

    def jacobian_expression(self, wrt: str | Expression) -> Expression:
        """The Jacobian as an expression (its value the matrix), composed from the operations'
        closed forms along the graph and simplified."""
        return self._derived(ACTIONS["jacobian_expression"](self, wrt))

    def gradient_expression(self, wrt: str | Expression) -> Expression:
        """The gradient of a scalar expression as an expression shaped like wrt, simplified."""
        return self._derived(ACTIONS["gradient_expression"](self, wrt))

    def _derived(self, d: Expression) -> Expression:
        """d, a derivative of this expression, told this one's variables (see _origin)."""
        if all(n.key != d.key for n in self.nodes()):  # a new node: never one of this graph's
            d._origin = {**self._origin, **self.variables()}
        return d

    def __repr__(self) -> str:
        return f"<Expression {self} : {show(self.shape)}>"

    def __str__(self) -> str:
        return ACTIONS["text"](self)


class Variable(Expression):
    """A named input: ``Variable("A", (3, 4))``, ``Variable("x", (3,))`` (a column (3, 1)),
    ``Variable("a", ())``; a size may be None or a name (``("n", None)``): open until the
    variable's uses or the values fix it."""

    def __init__(self, name: str, shape: Sequence[int | str] | int | Dim = ()) -> None:
        if not isinstance(name, str) or not name.isidentifier():
            raise InputTypeError(
                "jacobians.Variable", "name", "a name like 'x' or 'W1'", repr(name)
            )
        if not _NAME.fullmatch(name) or name in FUNCTIONS or name in CONSTANTS:
            # the language could not print it back (nor tell it from the constant or function)
            raise InputError(
                "jacobians.Variable",
                "name",
                "a name of letters, digits and '_' starting with a letter, and not one of the"
                " language's functions or constants (sin, eye, vector, matrix, number, …)",
                repr(name),
            )
        super().__init__(None, (), declared_shape(name, shape), name)


def constant(kind: str, fill: float = 1.0, shape: Shape | None = None) -> Expression:
    """A constant leaf: ``"number"`` (shape ()), ``"eye"`` (n×n), ``"vector"`` (n×1),
    ``"matrix"`` (n×m), ``"comm"`` (the commutation matrix, mn×mn); open sizes unless given."""
    if kind == "number":
        if isinstance(fill, bool) or not isinstance(fill, (int, float, np.integer, np.floating)):
            raise InputTypeError("jacobians.Expression", "number", "a real number", describe(fill))
        if not np.isfinite(fill):
            raise InputError("jacobians.Expression", "number", "a finite number", repr(fill))
        return Expression(None, (), (), "number", {"fill": float(fill)})
    if shape is None:
        n = Size("n")  # open until where it stands fixes it
        shape = {"eye": (n, n), "vector": (n, 1), "matrix": (n, Size("m"))}[kind]
    # 1×1 is a scalar, as it is for variables and results: vector(c, 1), eye(1) combine so
    return Expression(None, (), normal(tuple(shape)), kind, {"fill": float(fill)})


def as_expression(x: Any, where: str) -> Expression:
    if isinstance(x, Expression):
        return x
    if isinstance(x, (int, float, np.integer, np.floating)) and not isinstance(x, bool):
        return constant("number", x)
    raise InputTypeError(
        f"jacobians.{where}",
        "operand",
        "an Expression or a number",
        describe(x),
        "arrays enter an expression as the values of a Variable: Variable('A', A.shape)",
    )


def node(op: str | Operation, *args: Any, **options: Any) -> Expression:
    """The node of a registered operation applied to argument nodes (numbers become constants);
    its shape is checked and its open sizes equated here, before any value exists."""
    if isinstance(op, str):
        if op not in OPERATIONS:
            raise AssertionError(f"no operation {op!r} is registered for expressions")
        op = OPERATIONS[op]
    nodes = tuple(as_expression(a, op.name) for a in args)
    if op.shape_of is None:
        raise InputError(
            f"jacobians.{op.name}",
            "arguments",
            "arrays (this operation has no shape rule for expressions yet)",
            "an Expression",
        )
    e = Expression(op, nodes, (), options=options)
    try:
        e.shape = normal(tuple(op.shape_of(same, *(a.shape for a in nodes), **options)))
    except Mismatch as why:
        parts = ", ".join(f"{a} is {show(a.shape)}" for a in nodes)
        raise ShapeError(
            "jacobians.Expression",
            str(e),
            f"operands whose shapes fit {op.name} ({why})",
            parts,
        ) from None
    return e


def _call(op: Operation, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Expression:
    """A registered operation called with an Expression among its arguments: a node."""
    given, options = op.bind(args, kwargs)
    return node(op, *(given[p.name] for p in op.params), **options)


EXPRESSIONS[:] = [Expression, _call]
