"""What a derivation table holds: factors, the running product, the reshape, the checks.

A :class:`Derivation` is plain data (strings, shapes, numbers) plus the :class:`jacobians.Jacobian`
objects it was read from, so every renderer (Markdown, LaTeX, text, JSON, the figure) draws on one
object and none recomputes anything. :class:`Catalog` is the table of every operation's Jacobians.

The tables render through :data:`RENDERERS`, a dispatch table that the renderer modules (``_text``,
``_markdown``, ``_latex``, ``_json``) fill with :func:`renders` when the package imports them. The
model imports none of them: the renderers sit above it, and no import ever goes back down to up.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

import numpy as np

from jacobians import Jacobian
from reshape import InputError, InputTypeError, describe

__all__ = [
    "FORMATS",
    "FORMAT_ALIASES",
    "RENDERERS",
    "Case",
    "Catalog",
    "CatalogRow",
    "Check",
    "Degenerate",
    "Derivation",
    "Factor",
    "Step",
    "Value",
    "renders",
    "shape_text",
]

FORMATS = ("text", "markdown", "latex", "json")
FORMAT_ALIASES = {"md": "markdown", "tex": "latex", "txt": "text"}

# (table class, format) -> the function that renders it; the format "dict" is the JSON document
# as a dict (``to_dict``), which the "json" format prints.
RENDERERS: dict[tuple[type, str], Callable[..., Any]] = {}

_R = TypeVar("_R", bound=Callable[..., Any])


def renders(table: type, fmt: str) -> Callable[[_R], _R]:
    """Register the decorated function as the ``fmt`` renderer of ``table`` (a class)."""

    def register(fn: _R) -> _R:
        RENDERERS[(table, fmt)] = fn
        return fn

    return register


def shape_text(shape: tuple[int, ...]) -> str:
    """(3, 12) -> "3×12"; a vector (3,) -> "3"; a scalar () -> "1"."""
    return "×".join(map(str, shape)) if shape else "1"


class _Rendered:
    """What every table does: render to a format, convert to the JSON dict, show in a notebook."""

    def render(self, fmt: str = "text", **options: Any) -> str:
        """The table as ``"text"``, ``"markdown"``, ``"latex"`` or ``"json"`` (md, tex, txt).

        >>> from derivations import single_layer
        >>> print(single_layer().render("markdown").splitlines()[0])
        ### ∂C/∂W for z = Wx + b, a = σ(z), C = ½‖a − y‖² (n = 3, m = 4)
        """
        op = f"{type(self).__name__}.render"
        expected = f"one of {', '.join(map(repr, (*FORMATS, *FORMAT_ALIASES)))}"
        if not isinstance(fmt, str):
            raise InputTypeError(
                op, "fmt", f"a format name, {expected}", f"{fmt!r} ({describe(fmt)})"
            )
        name = FORMAT_ALIASES.get(fmt, fmt)
        if name not in FORMATS:
            raise InputError(op, "fmt", expected, f"unknown format {fmt!r}")
        return RENDERERS[(type(self), name)](self, **options)

    def to_dict(self) -> dict[str, Any]:
        """The JSON document (schema ``derivations/schema.json``) as a dict."""
        return RENDERERS[(type(self), "dict")](self)

    def _repr_markdown_(self) -> str:
        return self.render("markdown")

    def _repr_latex_(self) -> str:
        return self.render("latex", mathjax=True)

    def __str__(self) -> str:
        return self.render("text")


@dataclass(frozen=True)
class Factor:
    """One factor of the chain: ∂C/∂a = (a − y)ᵀ, 1×n symbolically, 1×3 here, a row."""

    symbol: str
    symbol_latex: str
    closed_form: str
    closed_form_latex: str
    shape: str
    instance: tuple[int, int]
    structure: str
    jacobian: Jacobian = field(repr=False, compare=False)


@dataclass(frozen=True)
class Step:
    """One multiplication of the running product, left to right: ∂C/∂a · ∂a/∂z = ∂C/∂z (1×n)."""

    left: str
    right: str
    result: str
    result_latex: str
    shape: str
    instance: tuple[int, int]


@dataclass(frozen=True)
class Check:
    """A largest difference against an independent computation, with the tolerance it must meet."""

    name: str
    description: str
    value: float | None  # None: not run (the reason is in ``skipped``)
    tolerance: float
    skipped: str = ""
    latex: str = ""  # the description as LaTeX text (math in $…$); empty: converted from the text

    @property
    def passed(self) -> bool:
        """True when the difference is within the tolerance (or the check was not run)."""
        return self.value is None or bool(self.value <= self.tolerance)


@dataclass(frozen=True)
class Case:
    """A case of an entrywise formula, e.g. softmax's ∂a_i/∂z_j = a_i(1 − a_i) when i = j."""

    condition: str
    formula: str
    formula_latex: str
    condition_latex: str


@dataclass(frozen=True)
class Value:
    """An array of the point a table is computed at, shown so the gradient can be checked by
    hand: an input (``role`` "input": W, x, b, y, given by the caller or drawn from the seed), a
    value of the forward pass ("forward": z = Wx + b, a = σ(z), C) or a row of the running
    product ("backward": ∂C/∂a = (a − y)ᵀ, ∂C/∂z = ∂C/∂a · ∂a/∂z).

    Shapes: ``value`` as the table holds it: a matrix (n, m), a vector (n,) (a column, printed
    as its transpose), a row (n,) of the product, or a scalar ().
    """

    name: str  # W, x, z, ∂C/∂z, W⁽¹⁾
    name_latex: str
    role: str  # "input", "forward" or "backward"
    value: np.ndarray = field(repr=False, compare=False)
    origin: str = ""  # inputs: "given" or "drawn"
    argument: str = ""  # inputs: the argument (and --values name) that gives it: W, W1, x
    definition: str = ""  # computed values: what they are computed from, "Wx + b"
    definition_latex: str = ""
    column: bool = False  # a column vector (x, b, z), printed transposed as [ … ]ᵀ


@dataclass(frozen=True)
class Degenerate:
    """What makes the point degenerate, said rather than hidden: ``kind`` "zero_gradient" (the
    gradient vanishes) or "inactive_layer" (no unit of a layer passes a change back: relu with
    every z ≤ 0); ``layer`` is the layer's number (1 for the single layer), None for the
    gradient."""

    kind: str
    text: str
    layer: int | None = None
    latex: str = ""  # the text as LaTeX text (math in $…$)


@dataclass(frozen=True)
class Derivation(_Rendered):
    """A derivation table for ∂C/∂(parameter) as a chain of Jacobians, at a point: its inputs
    (given or drawn) and the values computed at them are in ``values``, and what makes the point
    degenerate, if anything, in ``degenerate``.

    Render it with :meth:`render` (``"text"``, ``"markdown"``, ``"latex"``, ``"json"``); ``print``
    shows the text, the REPL a one-line ``repr``, and a notebook the Markdown or LaTeX.

    Shapes: factors (1×n)(n×k)…(l×N) multiply to the 1×N row, folded to the parameter's shape.
    """

    source: str
    title: str
    title_latex: str
    setup: tuple[tuple[str, str], ...]  # (text, latex) definitions: z = Wx + b, …
    sizes: dict[str, int]
    options: dict[str, Any]
    wrt: str
    wrt_latex: str
    param_shape: str
    factors: tuple[Factor, ...]
    steps: tuple[Step, ...]
    gradient: np.ndarray = field(repr=False, compare=False)
    checks: tuple[Check, ...]
    multiply_adds: dict[str, int]
    cases: tuple[Case, ...] = ()
    cases_of: str = ""
    notes: tuple[str, ...] = ()
    show_matrices: bool = False
    values: tuple[Value, ...] = ()  # the point: inputs, forward values, rows of the product
    degenerate: tuple[Degenerate, ...] = ()

    def __repr__(self) -> str:
        """<Derivation single_layer: ∂C/∂W, n = 3, m = 4, sigmoid, squared_error; …>: what is
        differentiated, at which sizes; ``print`` shows the table itself."""
        sizes = ", ".join(f"{k} = {v}" for k, v in self.sizes.items())
        kinds = [
            "/".join(v) if isinstance(v, (list, tuple)) else v
            for k, v in self.options.items()
            if k in ("activation", "cost", "activations", "loss")
        ]
        status = "checks passed" if self.passed else "a check FAILED"
        extra = "; degenerate point" if self.degenerate else ""
        return (
            f"<Derivation {self.source}: ∂C/∂{self.wrt}, {', '.join([sizes, *kinds])}; "
            f"gradient {shape_text(self.gradient.shape)}; {status}{extra}>"
        )

    @property
    def row_shape(self) -> tuple[str, tuple[int, int]]:
        """The 1×N row the chain multiplies to: (symbolic shape, instance shape)."""
        last = self.steps[-1] if self.steps else self.factors[0]
        return last.shape, last.instance

    @property
    def passed(self) -> bool:
        """True when every check meets its tolerance."""
        return all(c.passed for c in self.checks)


@dataclass(frozen=True)
class CatalogRow:
    """One operation's Jacobian with respect to one input, read from the registry.

    ``structure`` is the kind of the Jacobian built for one sample and ``batch_structure`` the kind
    built for a batch, where it differs (linear's ∂z/∂x: dense, and a Kronecker for a batch); both
    are read off Jacobians the operation builds, never declared.
    """

    operation: str
    family: str
    formula: str
    formula_latex: str
    symbol: str
    symbol_latex: str
    closed_form: str
    closed_form_latex: str
    shape: str
    structure: str
    params: tuple[tuple[str, str], ...]
    batch_structure: str | None = None  # None: a batch's Jacobian has the same structure


@dataclass(frozen=True)
class Catalog(_Rendered):
    """Every operation of :data:`jacobians.OPERATIONS`: each Jacobian's closed form and shape.

    >>> from derivations import catalog
    >>> catalog().rows[0].symbol, catalog().rows[0].shape
    ('∂a/∂z', 'n×n')
    """

    rows: tuple[CatalogRow, ...]

    def __repr__(self) -> str:
        """<Catalog: 27 Jacobians of 20 operations>; ``print`` shows the table itself."""
        operations = len({r.operation for r in self.rows})
        return f"<Catalog: {len(self.rows)} Jacobians of {operations} operations>"
