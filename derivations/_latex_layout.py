"""LaTeX layout for the renderer (:mod:`._latex`): cells, tables, matrices and the document.

A table is, for a paper, a ``tabular`` when it fits on a page and a ``longtable`` when it may
not, by its rows and their estimated height (it breaks across pages, its header repeated); a
column given a width wraps its text, and a table too wide for the narrowest line (the standard
article's) gives its ``fill`` columns what its other columns leave of the line, whatever the
page (widths estimated by ``_latex_widths``). With ``mathjax=True`` it is an ``array`` inside
\\[ \\] for a notebook, whose text MathJax reads with or without textmacros (``_mathjax``); a
cell is math, text or code (text of the expression language, in typewriter type), each placed
as its environment needs. A matrix wider or taller than a page is printed in blocks of columns
(rows), each line tagged with the part it holds. Every string is pure ASCII: notation goes
through ``_tex``.

>>> cell("math", "x", mathjax=False), cell("math", "x", mathjax=True)
('$x$', 'x')
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping, Sequence

import numpy as np

from . import _latex_columns as _columns
from . import _mathjax, _tex
from . import _rows as rows
from ._model import Check

__all__ = [
    "CHECK_FILL",
    "NARROWEST_PT",
    "PACKAGES",
    "TEXT_WIDTH_PT",
    "cell",
    "chain_lines",
    "check_cells",
    "code",
    "display",
    "header",
    "matrix",
    "matrix_lines",
    "sym",
    "table",
    "underbrace",
    "wrap_document",
]

# What the LaTeX needs: amsmath (align*, \text), amssymb (\mathbb{R}, \oslash), longtable and
# array (tables that break across pages, with columns that wrap).
PACKAGES = ("amsmath", "amssymb", "array", "longtable")
# The text width of the --document page (letter paper, 1.5 cm margins: 529 pt), less a little:
# matrices are cut into blocks that fit it. A narrower page needs a smaller font or more blocks.
TEXT_WIDTH_PT = 520.0
_ROWS_PER_BLOCK = 40  # a taller matrix is cut into blocks of rows that fit a page
_LONG_COLUMN = 12  # a column longer than this is written as its transpose, a row
# Room beside a matrix's entries: the left-hand side, "=" and the brackets; and a tag's.
_BESIDE_PT, _TAG_PT = 70.0, 80.0


def cell(kind: str, content: str, mathjax: bool, wraps: bool = False) -> str:
    """A table cell: math goes in $…$ in a tabular, bare in a MathJax array; text the other way;
    code (text of the expression language) in typewriter type either way. In a column that
    ``wraps``, math may break where :func:`._tex.math_breaks` lets it, and code after its
    operators, brackets and commas; an empty cell stays empty (an empty $$ would open a display
    there). For MathJax, no text in math holds a text-mode escape (:func:`._mathjax.mathjax`)."""
    if not content:
        return ""
    if mathjax:
        wrapped = {"math": "{}", "code": r"\texttt{{{}}}"}.get(kind, r"\text{{{}}}")
        return _mathjax.mathjax(wrapped.format(content))
    if kind == "math":
        return f"${_tex.math_breaks(content)}$" if wraps else f"${content}$"
    if kind == "code":
        return rf"\texttt{{{_tex.code_breaks(content) if wraps else content}}}"
    return content


def code(s: str) -> str:
    """Text of the expression language for \\texttt: u₁ written u_1, specials escaped."""
    return _tex.text(re.sub("[₀-₉]+", lambda m: "_" + m.group().translate(_FROM_SUB), s))


_FROM_SUB = str.maketrans("₀₁₂₃₄₅₆₇₈₉", "0123456789")


def _column(width: float | str | None) -> str:
    """A column: as wide as its cells (``None``), or wrapping in a width, a fraction of the line
    or a length."""
    if width is None:
        return "l"
    length = width if isinstance(width, str) else rf"{width:g}\linewidth"
    return rf">{{\raggedright\arraybackslash}}p{{{length}}}"


_ONE_PAGE = 24  # rows a table may have and still be a tabular, which never breaks across pages
NARROWEST_PT = _columns.NARROWEST_PT


def table(
    headers: Sequence[str],
    body: Sequence[Sequence[tuple[str, str]]],
    mathjax: bool,
    widths: Mapping[int, float] | None = None,
    small: bool = False,
    keep: Collection[int] = (),
    fill: Mapping[int, float] | None = None,
) -> list[str]:
    """A table; for a paper, ``widths`` maps a column to its width, a fraction of the line, in
    which its cells wrap, a ``small`` table is set a size smaller, and no page breaks after the
    rows in ``keep`` (a notebook's array is as wide as its cells, and never breaks). A table
    with ``fill`` columns that would not fit the narrowest line is as wide as the line, on any
    page: those columns share, in the proportions given, what is left of it once every other
    column is as wide as its widest piece (every column wraps); one that fits is as wide as its
    cells. A table that may be taller than a page is a longtable, which breaks across pages with
    its header repeated."""
    heads = " & ".join(cell("text", _tex.text(h), mathjax) for h in headers) + r" \\"
    layout = _columns.Layout(headers, body, small)
    given: dict[int, float | str] = dict(widths or {})
    if fill and not mathjax and not layout.fits():
        given = dict(layout.fill(fill))
    wraps = [not mathjax and i in given for i in range(len(headers))]
    lines = [
        " & ".join(cell(k, v, mathjax, w) for (k, v), w in zip(row, wraps, strict=True))
        + (r" \\*" if i in keep and not mathjax else r" \\")
        for i, row in enumerate(body)
    ]
    if mathjax:
        cols = "l" * len(headers)
        head = [r"\[", rf"\begin{{array}}{{{cols}}}", r"\hline", heads, r"\hline"]
        return [*head, *lines, r"\hline", r"\end{array}", r"\]"]
    cols = "".join(_column(given.get(i)) for i in range(len(headers)))
    # A little more height per row than a tabular's, so a fraction never touches its neighbours,
    # and a little less space between columns, so a wide table fits.
    start = [
        r"\begingroup\renewcommand{\arraystretch}{1.3}\setlength{\tabcolsep}{"
        + ("3pt}\\small" if small else "4pt}")
    ]
    if len(body) <= _ONE_PAGE and layout.height_pt(given) <= _columns.TABULAR_PT:
        # a tabular: right on the first pdflatex run (longtable needs two)
        lines = [line.removesuffix("*") for line in lines]
        return [
            *start, r"\par\medskip\begin{center}", rf"\begin{{tabular}}{{{cols}}}", r"\hline",
            heads, r"\hline", *lines, r"\hline", r"\end{tabular}", r"\end{center}\medskip",
            r"\endgroup",
        ]  # fmt: skip
    return [
        *start, rf"\begin{{longtable}}{{{cols}}}", r"\hline", heads, r"\hline", r"\endhead",
        r"\hline", r"\endfoot", *lines, r"\end{longtable}", r"\endgroup",
    ]  # fmt: skip


_EXPONENT = re.compile(r"e([+-])0*(\d+)$")


def _number(entry: str) -> str:
    """A table's number in LaTeX: 1.2e-05 written 1.2 \\times 10^{-5}."""
    return _EXPONENT.sub(
        lambda m: rf"\times 10^{{{'-' if m[1] == '-' else ''}{m[2]}}}", entry.replace("−", "-")
    )


def _entries(M: np.ndarray, digits: int) -> list[list[str]]:
    return [[_number(c) for c in row] for row in rows.grid(M, digits)]


def _array(cells: Sequence[Sequence[str]]) -> str:
    body = r" \\ ".join(" & ".join(row) for row in cells)
    return rf"\begin{{array}}{{{'r' * len(cells[0])}}} {body} \end{{array}}"


def matrix(M: np.ndarray, digits: int = 4) -> str:
    """A matrix in brackets, whole (for a notebook, or one that fits the page)."""
    return rf"\left[{_array(_entries(M, digits))}\right]"


# Widths in points of what a number is written with, in Computer Modern at 10 pt (math mode).
_GLYPH_PT = {".": 2.8, "-": 7.8, r"\times": 10.0, "^": 0.0, "{": 0.0, "}": 0.0}


def _width_pt(entry: str) -> float:
    """About how wide ``entry`` prints (an exponent's digits are small), with \\arraycolsep on
    both sides."""
    mantissa, _, power = entry.partition(r"\times")
    width = sum(_GLYPH_PT.get(ch, 5.0) for ch in mantissa)
    if power:
        width += _GLYPH_PT[r"\times"] + 10.0 + 3.5 * len(power.strip(" 10^{}"))
    return width + 10.0


def _column_blocks(cells: list[list[str]], budget: float) -> list[tuple[int, int]]:
    """Runs of columns [start, stop) whose entries fit ``budget`` points side by side: all of
    them, or runs of one length (a divisor of the columns where one is near, so that a Kronecker
    product's blocks stay whole), the last perhaps shorter."""
    widths = [max(_width_pt(row[j]) for row in cells) for j in range(len(cells[0]))]
    n = len(widths)
    if sum(widths) <= budget + _TAG_PT:  # no tag is needed when it is whole
        return [(0, n)]
    fits = 1
    while fits < n and all(sum(widths[j : j + fits + 1]) <= budget for j in range(n - fits)):
        fits += 1
    even = max((d for d in range(1, fits + 1) if n % d == 0), default=1)
    step = even if 2 * even > fits else fits
    return [(j, min(j + step, n)) for j in range(0, n, step)]


def _part(name: str, lo: int, hi: int) -> str:
    plural = "entries" if name == "entry" else f"{name}s"
    return f"{name} {lo + 1}" if hi - lo == 1 else f"{plural} {lo + 1}--{hi}"


def matrix_lines(lhs: str, M: np.ndarray, digits: int = 4, mathjax: bool = False) -> list[str]:
    """Lines of an ``align*``: ``lhs &= [M]``. For a paper, a long column is written as its
    transpose, a row; a matrix wider than the page is cut into blocks of columns, one a line,
    the bracket opening on the first and closing on the last, each tagged with its columns; a
    taller one into blocks of rows, each in its own brackets."""
    cells = _entries(M, digits)
    if mathjax:
        return [rf"{lhs} &= \left[{_array(cells)}\right]"]
    column = len(cells) > _LONG_COLUMN and len(cells[0]) == 1
    if column:
        cells = [[row[0] for row in cells]]
    n_rows = len(cells)
    row_runs = [(i, min(i + _ROWS_PER_BLOCK, n_rows)) for i in range(0, n_rows, _ROWS_PER_BLOCK)]
    col_runs = _column_blocks(cells, TEXT_WIDTH_PT - _BESIDE_PT - _TAG_PT)
    lines = []
    for r0, r1 in row_runs:
        for k, (c0, c1) in enumerate(col_runs):
            left = r"\left[" if k == 0 else r"\left."
            right = (
                r"\right." if k < len(col_runs) - 1 else r"\right]^{\top}" if column else r"\right]"
            )
            block = left + _array([row[c0:c1] for row in cells[r0:r1]]) + right
            parts = []
            if len(row_runs) > 1:
                parts.append(_part("row", r0, r1))
            if len(col_runs) > 1:
                parts.append(_part("entry" if column else "column", c0, c1))
            tag = rf" \tag*{{{', '.join(parts)}}}" if parts else ""
            lead = rf"{lhs} &= " if not lines else r"&\hphantom{{}={}} "
            lines.append(lead + block + tag)
    return lines


def display(lines: Sequence[str], mathjax: bool) -> list[str]:
    """Lines of math in ``align*``; for a paper, a page may break between them."""
    if not lines:
        return []
    if mathjax:
        return [r"\begin{align*}", " \\\\\n".join(map(_mathjax.mathjax, lines)), r"\end{align*}"]
    body = [" \\\\\n".join(lines)]
    return [
        r"\begingroup\allowdisplaybreaks",
        r"\begin{align*}",
        *body,
        r"\end{align*}",
        r"\endgroup",
    ]


def underbrace(content: str, under: str) -> str:
    return rf"\underbrace{{{content}}}_{{{_tex.shape(under)}}}"


def chain_lines(items: Sequence[str], per_line: int = 3) -> list[str]:
    return [r" \, ".join(items[i : i + per_line]) for i in range(0, len(items), per_line)]


def header(mathjax: bool) -> list[str]:
    needs = ", ".join(PACKAGES)
    return [] if mathjax else [f"% generated by the jacobians toolkit; needs {needs}"]


def sym(symbol: str) -> str:
    """The LaTeX of a symbol ∂of/∂wrt that appears in the table."""
    of, wrt = symbol[1:].split("/∂", 1)
    return _tex.frac_symbol(of, wrt)


_MATH_OPENS = {r"\[": r"\]", r"\begin{align*}": r"\end{align*}"}


def _for_mathjax(body: str) -> str:
    """A notebook's LaTeX, every line MathJax-safe: math by :func:`._mathjax.mathjax`, the text
    between displays by :func:`._mathjax.mathjax_prose`."""
    out, closing = [], None
    for line in body.split("\n"):
        if closing is None:
            closing = _MATH_OPENS.get(line.strip())
            out.append(line if closing else _mathjax.mathjax_prose(line))
        else:
            closing = None if line.strip() == closing else closing
            out.append(_mathjax.mathjax(line))
    return "\n".join(out)


def wrap_document(lines: list[str], document: bool, mathjax: bool = False) -> str:
    """The lines as one string: for a notebook (``mathjax``) made MathJax-safe, for a paper a
    fragment or a ``document`` of its own."""
    body = "\n".join(lines) + "\n"
    if mathjax:
        return _for_mathjax(body)
    if not document:
        return body
    pre = [
        r"\documentclass[10pt]{article}",
        r"\usepackage[margin=1.5cm]{geometry}",
        *(rf"\usepackage{{{p}}}" for p in PACKAGES),
        r"\setcounter{LTchunksize}{200}  % a table's widths right in one run",
        r"\setlength{\parindent}{0pt}",
        r"\begin{document}",
        "",
    ]
    return "\n".join(pre) + "\n" + body + "\\end{document}\n"


# The checks' descriptions and results (a skipped check says why) share what the numbers leave.
CHECK_FILL = {0: 1.0, 3: 1.0}


def check_cells(checks: Sequence[Check], floor: float | None) -> list[list[tuple[str, str]]]:
    """The rows of a checks table: description, difference (bounded below ``floor``), tolerance,
    result; the same for a derivation and an expression."""
    return [
        [
            ("text", c.latex or _tex.text(c.description)),
            ("text", _tex.text(rows.diff(c.value, floor))),
            ("text", _tex.text(rows.sci(None if c.value is None else c.tolerance))),
            ("text", _tex.text(rows.result(c))),
        ]
        for c in checks
    ]
