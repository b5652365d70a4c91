"""The cells and rows every format shares: numbers, a derivation's four tables, the catalogue's.

Text and Markdown print the same rows; ``esc`` escapes the cells that hold symbols and prose
(``str`` for text, the Markdown escape for Markdown). LaTeX reads the same numbers, labels and
headers, and builds its own cells (math or text). Nothing here knows a format's syntax.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import numpy as np

from ._model import Catalog, CatalogRow, Check, Derivation, Step, shape_text

__all__ = [
    "CATALOG_HEADERS",
    "CHECK_HEADERS",
    "FACTOR_HEADERS",
    "GRADIENT_SHOWN",
    "ORDER_HEADERS",
    "ORDER_LABELS",
    "STEP_HEADERS",
    "catalog_groups",
    "check_rows",
    "diff",
    "factor_rows",
    "gradient_instance",
    "gradient_shown",
    "grid",
    "matrix_lines",
    "order_rows",
    "reshape_label",
    "result",
    "sci",
    "step_rows",
    "step_text",
    "structure_cell",
]

GRADIENT_SHOWN = 100  # entries of the gradient printed in text, Markdown and LaTeX

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
    """The structure as the catalogue prints it: ``dense; batch: block-diagonal`` where a batch's
    Jacobian has another structure than one sample's, else the one kind."""
    if r.batch_structure is None:
        return r.structure
    return f"{r.structure}; batch: {r.batch_structure}"


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
