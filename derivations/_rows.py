"""The cells and rows every format shares: numbers, a derivation's four tables, the catalogue's.

Text and Markdown print the same rows; ``esc`` escapes the cells that hold symbols and prose
(``str`` for text, the Markdown escape for Markdown). LaTeX reads the same numbers, labels and
headers, and builds its own cells (math or text). Nothing here knows a format's syntax.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterator

import numpy as np

from ._model import Catalog, CatalogRow, Check, Derivation, Step, Value, shape_text

__all__ = [
    "CATALOG_HEADERS",
    "CHECK_HEADERS",
    "COMPUTED_HEADING",
    "DEGENERATE",
    "FACTOR_HEADERS",
    "GRADIENT_SHOWN",
    "ORDER_HEADERS",
    "ORDER_LABELS",
    "STEP_HEADERS",
    "VALUES_COLUMNS",
    "VALUES_SHOWN",
    "array_shown",
    "catalog_groups",
    "check_rows",
    "degenerate_text",
    "diff",
    "display_width",
    "factor_rows",
    "gradient_instance",
    "gradient_shown",
    "grid",
    "inputs_heading",
    "ljust",
    "matrix_lines",
    "order_rows",
    "point_lines",
    "reshape_label",
    "result",
    "sci",
    "step_rows",
    "step_text",
    "structure_cell",
    "value_label",
    "value_number",
    "value_shape",
    "value_shown",
    "value_stats",
    "value_summary",
]

GRADIENT_SHOWN = 100  # entries of the gradient printed in text, Markdown and LaTeX
# An input or computed value (W, x, z, ∂C/∂z, …) is printed whole when it has at most
# VALUES_SHOWN entries in at most VALUES_COLUMNS columns (a vector prints as one row), else
# summarised as its shape, min, max and norm, in every format (JSON too). Eight columns of
# numbers like -0.004454 fit a LaTeX page (about 450 pt) and a terminal.
VALUES_SHOWN = 36
VALUES_COLUMNS = 8
COMPUTED_HEADING = "computed at these inputs: the forward pass, then the rows of the product"
DEGENERATE = "Degenerate point."  # the lead of the paragraph that says why

ORDER_LABELS = {
    "left": "left to right (reverse mode, backprop)",
    "right": "right to left (forward mode)",
    "cheapest": "cheapest (matrix-chain order)",
}

FACTOR_HEADERS = ["factor", "closed form", "shape", "here", "structure"]
STEP_HEADERS = ["product, left to right (reverse mode)", "shape", "here"]
CHECK_HEADERS = ["check", "max difference", "tolerance", "result"]
ORDER_HEADERS = ["chain order", "multiply-adds"]
CATALOG_HEADERS = ["operation", "definition", "Jacobian", "closed form", "shape", "structure"]


# ----- numbers -----


def _num(v: float, digits: int = 4) -> str:
    if v == 0:
        return "0"
    return f"{v:.{digits}g}"


def sci(v: float | None) -> str:
    """A difference or tolerance as 1.2e-16; a check not run as —."""
    return "—" if v is None else f"{v:.1e}"


def diff(v: float | None, floor: float | None) -> str:
    """A check's difference; below ``floor`` only the bound (stable across machines and BLAS)."""
    if v is not None and floor is not None and v < floor:
        return f"< {floor:.0e}"
    return sci(v)


def grid(M: np.ndarray, digits: int = 4) -> list[list[str]]:
    """The entries of a matrix (a vector as one row) to ``digits`` significant digits."""
    M = np.atleast_2d(np.asarray(M))
    return [[_num(float(v), digits) for v in row] for row in M]


def display_width(s: str) -> int:
    """The columns a terminal gives ``s`` (len() counts x̂ two): a combining or zero-width mark
    none, a wide East Asian character two.

    >>> display_width("x̂"), display_width("σ′(z)"), display_width("行")
    (1, 5, 2)
    """
    wide = ("W", "F")
    zero = ("Mn", "Me", "Cf")
    return sum(
        0 if unicodedata.category(c) in zero else 1 + (unicodedata.east_asian_width(c) in wide)
        for c in s
    )


def ljust(s: str, width: int) -> str:
    """``s`` padded with spaces to ``width`` terminal columns."""
    return s + " " * (width - display_width(s))


def matrix_lines(M: np.ndarray, indent: str = "  ", digits: int = 4) -> list[str]:
    """A matrix as bracketed lines of right-aligned numbers, for text and Markdown code blocks."""
    cells = grid(M, digits)
    width = max(len(c) for row in cells for c in row)
    return [indent + "[ " + "  ".join(c.rjust(width) for c in row) + " ]" for row in cells]


# ----- labels -----


def gradient_shown(d: Derivation) -> bool:
    """Whether the gradient is small enough to print its numbers."""
    return d.gradient.size <= GRADIENT_SHOWN


def step_text(s: Step) -> str:
    """∂C/∂a · ∂a/∂z = ∂C/∂z."""
    return f"{s.left} · {s.right} = {s.result}"


def reshape_label(d: Derivation) -> str:
    """The last row of the product table: the fold back to the gradient."""
    return f"reshape to the gradient, shaped like {d.wrt}"


def gradient_instance(d: Derivation) -> str:
    """The gradient's shape here, 3×4."""
    return shape_text(d.gradient.shape)


def result(c: Check) -> str:
    """ok, FAILED, or why the check was skipped."""
    if c.value is None:
        return f"skipped: {c.skipped}"
    return "ok" if c.passed else "FAILED"


def structure_cell(r: CatalogRow) -> str:
    """The structure as the catalogue prints it: ``dense; batch: kronecker`` where a batch's
    Jacobian has another structure than one sample's, else the one kind."""
    if r.batch_structure is None:
        return r.structure
    return f"{r.structure}; batch: {r.batch_structure}"


# ----- the point: inputs and computed values -----


def value_shown(v: Value) -> bool:
    """Whether the value is printed whole (else summarised)."""
    return array_shown(v.value)


def array_shown(a: np.ndarray) -> bool:
    """Whether an array of values is printed whole: at most VALUES_SHOWN entries in at most
    VALUES_COLUMNS columns (the inputs of a table and of an expression's table alike)."""
    columns = a.shape[-1] if a.ndim else 1
    return a.size <= VALUES_SHOWN and columns <= VALUES_COLUMNS


def value_shape(v: Value) -> str:
    """3×4 for a matrix, 4 for a vector, 1×4 for a row of the product, 1 for a scalar."""
    if v.role == "backward":
        return f"1×{v.value.size}"
    return shape_text(v.value.shape)


def value_stats(v: Value) -> tuple[str, str, str]:
    """The min, max and norm (Frobenius for a matrix) of a value, as printed."""
    a = v.value
    return _num(float(a.min())), _num(float(a.max())), _num(float(np.linalg.norm(a)))


def value_summary(v: Value) -> str:
    """min -1.2, max 3.4, norm 5.6: a value too large to print."""
    low, high, norm = value_stats(v)
    return f"min {low}, max {high}, norm {norm}"


def value_number(v: Value) -> str:
    """A scalar value (the cost) as printed."""
    return _num(float(v.value))


def value_label(v: Value) -> str:
    """W (3×4, given) for an input; z = Wx + b for a computed value."""
    if v.role == "input":
        return f"{v.name} ({value_shape(v)}, {v.origin})"
    return f"{v.name} = {v.definition}" if v.definition else v.name


def inputs_heading(d: Derivation, name: Callable[[Value], str] = lambda v: v.name) -> str:
    """inputs (drawn with seed 0) / (given) / (W, x given; b, y drawn with seed 0), each input
    written by ``name`` (LaTeX writes them in math)."""
    ins = [v for v in d.values if v.role == "input"]
    given = ", ".join(name(v) for v in ins if v.origin == "given")
    drawn = ", ".join(name(v) for v in ins if v.origin != "given")
    seed = f"drawn with seed {d.options.get('seed', 0)}"
    if not given:
        return f"inputs ({seed})"
    if not drawn:
        return "inputs (given)"
    return f"inputs ({given} given; {drawn} {seed})"


def _value_lines(v: Value, indent: str, width: int = 0) -> list[str]:
    """The lines of one value, its label padded to ``width`` when it fits on one line."""
    label = value_label(v)
    if not value_shown(v):
        shape = "" if v.role == "input" else f" ({value_shape(v)})"  # an input's is in its label
        return [f"{indent}{label}{shape}: {value_summary(v)}"]
    if v.value.ndim == 0:
        return [f"{indent}{ljust(label, width)} = {value_number(v)}"]
    if v.value.ndim == 1 or v.value.shape[0] == 1:  # a vector, or a matrix of one row
        line = matrix_lines(v.value, "")[0]
        return [f"{indent}{ljust(label, width)} = {line}{'ᵀ' if v.column else ''}"]
    return [f"{indent}{label} =", *matrix_lines(v.value, indent + "  ")]


def _group_lines(values: list[Value], indent: str) -> list[str]:
    """Values one under another, the = of the one-line ones aligned."""
    one_line = [
        display_width(value_label(v))
        for v in values
        if value_shown(v) and (v.value.ndim < 2 or v.value.shape[0] == 1)
    ]
    width = max(one_line, default=0)
    return [line for v in values for line in _value_lines(v, indent, width)]


def degenerate_text(d: Derivation) -> str:
    """The paragraph that says what makes the point degenerate ("" when nothing does)."""
    if not d.degenerate:
        return ""
    return " ".join([DEGENERATE, *(g.text for g in d.degenerate)])


def point_lines(d: Derivation, indent: str = "  ") -> list[str]:
    """The inputs and the computed values, as text and Markdown print them (monospace)."""
    if not d.values:
        return []
    out = [f"{inputs_heading(d)}:"]
    out += _group_lines([v for v in d.values if v.role == "input"], indent)
    computed = [v for v in d.values if v.role != "input"]
    if computed:
        out += ["", f"{COMPUTED_HEADING}:", *_group_lines(computed, indent)]
    return out


# ----- rows -----


def factor_rows(d: Derivation, esc: Callable[[str], str]) -> list[list[str]]:
    """Each factor: symbol, closed form, symbolic shape, shape here, structure."""
    return [
        [esc(F.symbol), esc(F.closed_form), F.shape, shape_text(F.instance), F.structure]
        for F in d.factors
    ]


def step_rows(d: Derivation, esc: Callable[[str], str]) -> list[list[str]]:
    """Each product of the chain, then the reshape of the row to the gradient."""
    row_shape, row_inst = d.row_shape
    reshape = [
        esc(reshape_label(d)),
        f"{row_shape} → {d.param_shape}",
        f"{shape_text(row_inst)} → {gradient_instance(d)}",
    ]
    return [[esc(step_text(s)), s.shape, shape_text(s.instance)] for s in d.steps] + [reshape]


def check_rows(d: Derivation, floor: float | None, esc: Callable[[str], str]) -> list[list[str]]:
    """Each check: description, difference (bounded below ``floor``), tolerance, result."""
    return [
        [
            esc(c.description),
            diff(c.value, floor),
            sci(None if c.value is None else c.tolerance),
            esc(result(c)),
        ]
        for c in d.checks
    ]


def order_rows(d: Derivation) -> list[list[str]]:
    """The multiply-adds of each chain order."""
    return [[ORDER_LABELS[k], str(v)] for k, v in d.multiply_adds.items()]


def catalog_groups(c: Catalog) -> Iterator[tuple[bool, CatalogRow]]:
    """Each row, with whether it is its operation's first (the name and definition print once)."""
    last = None
    for r in c.rows:
        yield r.operation != last, r
        last = r.operation
