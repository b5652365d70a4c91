"""What an expression's derivation table holds, and the cells its text and Markdown share.

:class:`ExpressionTable` is plain data read from the objects :mod:`jacobians.expressions`
computes with (:func:`derivations.expression` builds it): the inputs, the graph's nodes in
evaluation order, each local Jacobian on a path from the variable, the paths summed, the vertex
eliminations of the chosen order, the result's closed form, and the checks. The renderers
(``_text``, ``_markdown``, ``_latex``, ``_json``) register for it as for a :class:`Derivation`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from jacobians import Jacobian

from . import _rows as rows
from ._model import Check, _Rendered, shape_text

__all__ = [
    "ACCUMULATIONS",
    "LOCAL_HEADERS",
    "NODE_HEADERS",
    "NO_UPDATE",
    "PATH_HEADERS",
    "ExpressionTable",
    "Input",
    "Local",
    "Node",
    "Path",
    "Update",
    "input_label",
    "local_rows",
    "node_rows",
    "order_rows",
    "path_rows",
    "result_lines",
    "update_headers",
    "update_rows",
]

ACCUMULATIONS = {
    "reverse": "reverse (backprop: from the output back)",
    "forward": "forward (from the variable on)",
    "cheapest": "cheapest",
}
NODE_HEADERS = ["node", "definition", "operation", "shape", "here"]
LOCAL_HEADERS = ["local Jacobian", "rule", "closed form", "shape", "here", "structure", "check"]
PATH_HEADERS = ["path", "product summed", "times"]
NO_UPDATE = (
    "no vertex between the variable and the output: the Jacobian is the local one (their sum, "
    "where the output uses the variable more than once)"
)


@dataclass(frozen=True)
class Input:
    """A variable's value: given, or drawn (``how`` says from what)."""

    name: str
    shape: str  # symbolic: n×1
    instance: tuple[int, ...]
    how: str
    value: np.ndarray = field(repr=False, compare=False)


@dataclass(frozen=True)
class Node:
    """A node of the graph: u₂ = u₁*A (matmul), n×n symbolically, 3×3 here."""

    symbol: str
    symbol_latex: str
    definition: str  # language text with the nodes' symbols; "variable" or "constant" for leaves
    text: str  # the sub-expression in the user's names
    operation: str  # the registry's name; "" for a leaf
    shape: str
    instance: tuple[int, ...]


@dataclass(frozen=True)
class Local:
    """∂(node)/∂(one of its arguments): the rule's closed form in the nodes' symbols, the same
    Jacobian as language text in the user's names, and how far that text's value is from the
    built matrix (``check``; None where the rule has no expression)."""

    symbol: str
    symbol_latex: str
    rule: str
    rule_latex: str
    closed_form: str
    shape: str
    instance: tuple[int, int]
    structure: str
    check: float | None
    tolerance: float
    jacobian: Jacobian = field(repr=False, compare=False)


@dataclass(frozen=True)
class Path:
    """A path from the variable to the output (node symbols) and its product (output end
    first); ``count`` > 1 where a node uses the same argument more than once."""

    nodes: tuple[str, ...]
    factors: tuple[str, ...]
    count: int


@dataclass(frozen=True)
class Update:
    """One product of a vertex elimination: ∂w/∂u (+)= ∂w/∂v · ∂v/∂u."""

    vertex: str
    target: str
    left: str
    right: str
    accumulates: bool  # ∂w/∂u already held a path: the product is added to it
    shape: str
    instance: tuple[int, int]

    @property
    def text(self) -> str:
        sign = "+=" if self.accumulates else "="
        return f"eliminate {self.vertex}: {self.target} {sign} {self.left} · {self.right}"


@dataclass(frozen=True)
class ExpressionTable(_Rendered):
    """The derivation table of ∂f/∂(variable) for a matrix expression f, by its graph.

    Render it with :meth:`render` (``"text"``, ``"markdown"``, ``"latex"``, ``"json"``); in a
    notebook it shows itself as Markdown or LaTeX.

    Shapes: the Jacobian is size(f) × size(wrt) (numerator layout, row-major vec); for a scalar
    f it is the 1×N row, folded to the gradient shaped like wrt.
    """

    text: str  # as the user typed it
    expression: str  # as printed back
    output: str  # the output's symbol (f)
    wrt: str
    title: str
    title_latex: str
    seed: int
    default_size: int
    inputs: tuple[Input, ...]
    nodes: tuple[Node, ...]
    locals: tuple[Local, ...]
    paths: tuple[Path, ...]
    method: str
    strategy: str
    updates: tuple[Update, ...]
    result_kind: str  # "gradient" or "jacobian"
    result_shape: str  # symbolic, rows×cols of the Jacobian
    result_instance: tuple[int, int]
    result_structure: str
    wrt_shape: str
    wrt_instance: tuple[int, ...]
    out_instance: tuple[int, ...]
    closed_form: str
    jacobian: np.ndarray = field(repr=False, compare=False)
    gradient: np.ndarray | None = field(repr=False, compare=False)
    checks: tuple[Check, ...] = ()
    multiply_adds: dict[str, int] = field(default_factory=dict)
    notes: tuple[str, ...] = ()
    show_matrices: bool = False

    @property
    def symbol(self) -> str:
        """∂f/∂X."""
        return f"∂{self.output}/∂{self.wrt}"

    def __repr__(self) -> str:
        """<ExpressionTable ∂f/∂x of x'*A*x (x: 3×1, A: 3×3); gradient 3×1; checks passed>;
        ``print`` shows the table itself."""
        shapes = ", ".join(f"{i.name}: {shape_text(i.instance) or 'scalar'}" for i in self.inputs)
        result = self.gradient.shape if self.gradient is not None else self.result_instance
        status = "checks passed" if self.passed else "a check FAILED"
        return (
            f"<ExpressionTable {self.symbol} of {self.expression} ({shapes}); "
            f"{self.result_kind} {shape_text(result) or 'scalar'}; {status}>"
        )

    @property
    def passed(self) -> bool:
        """True when every check meets its tolerance."""
        return all(c.passed for c in self.checks)

    @property
    def shown(self) -> np.ndarray | None:
        """The result's numbers when small enough to print: the gradient, or the Jacobian."""
        M = self.gradient if self.gradient is not None else self.jacobian
        return M if M.size <= rows.GRADIENT_SHOWN else None


# ----- the cells text and Markdown share (LaTeX builds its own from the same fields) -----


def _here(shape: tuple[int, ...]) -> str:
    return shape_text(shape) if shape else "scalar"


def node_rows(t: ExpressionTable, esc: Callable[[str], str]) -> list[list[str]]:
    """Each node: symbol, definition, operation, symbolic shape, shape here."""
    return [
        [esc(n.symbol), esc(n.definition), n.operation or "—", n.shape, _here(n.instance)]
        for n in t.nodes
    ]


def local_rows(
    t: ExpressionTable, floor: float | None, esc: Callable[[str], str]
) -> list[list[str]]:
    """Each local Jacobian: symbol, rule, closed form (text), shapes, structure, its check."""
    return [
        [
            esc(L.symbol),
            esc(L.rule),
            esc(L.closed_form or "—"),
            L.shape,
            shape_text(L.instance),
            L.structure,
            rows.diff(L.check, floor),
        ]
        for L in t.locals
    ]


def path_rows(t: ExpressionTable, esc: Callable[[str], str]) -> list[list[str]]:
    """Each path: its nodes, the product of its local Jacobians, how many times it is summed."""
    return [[esc(" → ".join(p.nodes)), esc(" · ".join(p.factors)), str(p.count)] for p in t.paths]


def update_headers(t: ExpressionTable) -> list[str]:
    """The header of the eliminations, naming the order."""
    how = t.method if t.method != "cheapest" else f"cheapest: {t.strategy}"
    return [f"vertex elimination ({how} order)", "shape", "here"]


def update_rows(t: ExpressionTable, esc: Callable[[str], str]) -> list[list[str]]:
    """Each product of the elimination, then (scalar f) the fold of the row to the gradient."""
    out = [[esc(u.text), u.shape, shape_text(u.instance)] for u in t.updates]
    if t.gradient is not None:
        out.append(
            [
                esc(f"reshape to the gradient, shaped like {t.wrt}"),
                f"{t.result_shape} → {t.wrt_shape}",
                f"{shape_text(t.result_instance)} → {_here(t.wrt_instance)}",
            ]
        )
    return out


def result_lines(t: ExpressionTable) -> tuple[str, str, str]:
    """(what the result is, its closed form's label, the label of the numbers shown)."""
    what = (
        f"{t.symbol}: {t.result_shape}, {shape_text(t.result_instance)} here, {t.result_structure}"
    )
    if t.gradient is not None:
        label = f"closed form of the gradient, shaped like {t.wrt}"
        numbers = f"gradient ∂{t.output}/∂{t.wrt}, shaped like {t.wrt} ({_here(t.wrt_instance)})"
    else:
        label = f"closed form of {t.symbol} (rows: vec {t.output}, columns: vec {t.wrt})"
        order = sum(s > 1 for s in (*t.out_instance, *t.wrt_instance))  # a vector: order 1
        numbers = (
            f"Jacobian {t.symbol} ({shape_text(t.result_instance)}"
            + (f"; the order-{order} tensor flattened, row-major vec" if order > 2 else "")
            + ")"
        )
    return what, label, numbers


def order_rows(t: ExpressionTable) -> list[list[str]]:
    """The multiply-adds of each accumulation order."""
    out = []
    for k, v in t.multiply_adds.items():
        label = ACCUMULATIONS.get(k, k)
        if k == "cheapest":
            label = f"cheapest ({t.strategy})"
        out.append([label, str(v)])
    return out


def input_label(i: Input) -> str:
    """x (3×1, N(0, 1))."""
    return f"{i.name} ({_here(i.instance)}, {i.how})"
