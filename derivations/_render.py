"""Renderers: plain text for terminals, Markdown (GitHub tables), LaTeX, and JSON.

Each renderer reads a :class:`Derivation` or :class:`Catalog` and nothing else. LaTeX comes in two
flavours: for a paper (``tabular`` plus an ``align*`` block; needs amsmath, and amssymb for the
catalogue's indicator 1[z > 0]) and, with ``mathjax=True``, for a notebook (``array`` inside
\\[ \\], which MathJax renders). Every LaTeX string is pure ASCII: notation goes through ``_tex``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from . import _tex
from ._model import FORMAT_ALIASES, FORMATS, Catalog, Derivation, Step, shape_text

__all__ = ["SCHEMA_ID", "catalog_dict", "derivation_dict", "render"]

SCHEMA_ID = "https://github.com/jacobians/jacobians/derivations/schema.json"
SCHEMA_VERSION = 1
GRADIENT_SHOWN = 100  # entries of the gradient printed in text, Markdown and LaTeX

ORDER_LABELS = {
    "left": "left to right (reverse mode, backprop)",
    "right": "right to left (forward mode)",
    "cheapest": "cheapest (matrix-chain order)",
}


def render(table: Derivation | Catalog, fmt: str, **options: Any) -> str:
    """Render ``table`` as ``"text"``, ``"markdown"``, ``"latex"`` or ``"json"`` (md, tex, txt)."""
    name = FORMAT_ALIASES.get(fmt, fmt)
    if name not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}: choose one of {', '.join(FORMATS)}")
    if name == "json":
        return json.dumps(table.to_dict(), indent=2, ensure_ascii=False) + "\n"
    kind = "derivation" if isinstance(table, Derivation) else "catalog"
    if kind == "catalog":
        options.pop("floor", None)  # the catalogue has no numbers
    return _RENDERERS[(kind, name)](table, **options)


# ----- numbers -----


def _num(v: float, digits: int = 4) -> str:
    if v == 0:
        return "0"
    return f"{v:.{digits}g}"


def _sci(v: float | None) -> str:
    return "—" if v is None else f"{v:.1e}"


def _diff(v: float | None, floor: float | None) -> str:
    """A check's difference; below ``floor`` only the bound (stable across machines and BLAS)."""
    if v is not None and floor is not None and v < floor:
        return f"< {floor:.0e}"
    return _sci(v)


def _grid(M: np.ndarray, digits: int = 4) -> list[list[str]]:
    M = np.atleast_2d(np.asarray(M))
    return [[_num(float(v), digits) for v in row] for row in M]


def _gradient_shown(d: Derivation) -> bool:
    return d.gradient.size <= GRADIENT_SHOWN


# ----- plain text -----


def _text_table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    widths = [max(len(str(c)) for c in col) for col in zip(headers, *rows, strict=True)]
    line = lambda cells: "  ".join(
        str(c).ljust(w) for c, w in zip(cells, widths, strict=True)
    ).rstrip()
    return [line(headers), line(["-" * w for w in widths]), *(line(r) for r in rows)]


def _text_matrix(M: np.ndarray, indent: str = "  ", digits: int = 4) -> list[str]:
    cells = _grid(M, digits)
    width = max(len(c) for row in cells for c in row)
    return [indent + "[ " + "  ".join(c.rjust(width) for c in row) + " ]" for row in cells]


def _step_text(s: Step) -> str:
    return f"{s.left} · {s.right} = {s.result}"


def _reshape_label(d: Derivation) -> str:
    return f"reshape to the gradient, shaped like {d.wrt}"


def _gradient_instance(d: Derivation) -> str:
    return shape_text(d.gradient.shape)


# The rows of the four tables, shared by the text and Markdown renderers; ``esc`` escapes the
# cells that hold symbols and prose (``str`` for text, ``_md`` for Markdown).
_FACTOR_HEADERS = ["factor", "closed form", "shape", "here", "structure"]
_STEP_HEADERS = ["product, left to right (reverse mode)", "shape", "here"]
_CHECK_HEADERS = ["check", "max difference", "tolerance", "result"]
_ORDER_HEADERS = ["chain order", "multiply-adds"]


def _factor_rows(d: Derivation, esc: Callable[[str], str]) -> list[list[str]]:
    return [
        [esc(F.symbol), esc(F.closed_form), F.shape, shape_text(F.instance), F.structure]
        for F in d.factors
    ]


def _step_rows(d: Derivation, esc: Callable[[str], str]) -> list[list[str]]:
    """Each product of the chain, then the reshape of the row to the gradient."""
    row_shape, row_inst = d.row_shape
    reshape = [
        esc(_reshape_label(d)),
        f"{row_shape} → {d.param_shape}",
        f"{shape_text(row_inst)} → {_gradient_instance(d)}",
    ]
    return [[esc(_step_text(s)), s.shape, shape_text(s.instance)] for s in d.steps] + [reshape]


def _check_rows(d: Derivation, floor: float | None, esc: Callable[[str], str]) -> list[list[str]]:
    return [
        [
            esc(c.description),
            _diff(c.value, floor),
            _sci(None if c.value is None else c.tolerance),
            esc(_result(c)),
        ]
        for c in d.checks
    ]


def _order_rows(d: Derivation) -> list[list[str]]:
    return [[ORDER_LABELS[k], str(v)] for k, v in d.multiply_adds.items()]


def _derivation_text(d: Derivation, floor: float | None = None) -> str:
    out = [d.title, ""]
    out += _text_table(_FACTOR_HEADERS, _factor_rows(d, str))
    if d.show_matrices:
        for F in d.factors:
            out += ["", f"{F.symbol} = {F.closed_form} ({shape_text(F.instance)}):"]
            out += _text_matrix(F.jacobian.matrix)
    if d.cases:
        out += ["", f"{d.cases_of}, entry by entry:"]
        out += [f"  {c.formula}  when {c.condition}" for c in d.cases]
    out += [""]
    out += _text_table(_STEP_HEADERS, _step_rows(d, str))
    out += [""]
    if _gradient_shown(d):
        out += [f"gradient ∂C/∂{d.wrt} ({_gradient_instance(d)}):"]
        out += _text_matrix(d.gradient, digits=6)
    else:
        out += [f"gradient ∂C/∂{d.wrt}: {d.gradient.size} entries (--format json lists them)"]
    out += [""]
    out += _text_table(_CHECK_HEADERS, _check_rows(d, floor, str))
    out += [""]
    out += _text_table(_ORDER_HEADERS, _order_rows(d))
    if d.notes:
        out += ["", *d.notes]
    return "\n".join(out) + "\n"


def _result(c: Any) -> str:
    if c.value is None:
        return f"skipped: {c.skipped}"
    return "ok" if c.passed else "FAILED"


def _catalog_text(c: Catalog) -> str:
    rows = []
    last = None
    for r in c.rows:
        first = r.operation != last
        rows.append(
            [
                r.operation if first else "",
                r.formula if first else "",
                r.symbol,
                r.closed_form,
                r.shape,
                r.structure,
            ]
        )
        last = r.operation
    head = f"Every operation's Jacobians ({len(c.rows)} rules, numerator layout, row-major vec)"
    return (
        "\n".join(
            [
                head,
                "",
                *_text_table(
                    ["operation", "definition", "Jacobian", "closed form", "shape", "structure"],
                    rows,
                ),
            ]
        )
        + "\n"
    )


# ----- Markdown -----


def _md(s: str) -> str:
    for ch in "\\|*_`":
        s = s.replace(ch, "\\" + ch)
    return s


def _md_table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    out = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
    out += ["| " + " | ".join(row) + " |" for row in rows]
    return out


def _md_matrix(M: np.ndarray, digits: int = 4) -> list[str]:
    return ["```", *(line.strip() for line in _text_matrix(M, "", digits)), "```"]


def _derivation_markdown(d: Derivation, heading: str = "###", floor: float | None = None) -> str:
    out = [f"{heading} {_md(d.title)}", ""]
    out += _md_table(_FACTOR_HEADERS, _factor_rows(d, _md))
    if d.show_matrices:
        for F in d.factors:
            out += ["", f"{_md(F.symbol)} = {_md(F.closed_form)} ({shape_text(F.instance)}):", ""]
            out += _md_matrix(F.jacobian.matrix)
    if d.cases:
        out += ["", f"{_md(d.cases_of)}, entry by entry:", ""]
        out += _md_table(["case", "entry"], [[_md(c.condition), _md(c.formula)] for c in d.cases])
    out += [""]
    out += _md_table(_STEP_HEADERS, _step_rows(d, _md))
    out += [""]
    if _gradient_shown(d):
        out += [f"Gradient {_md('∂C/∂' + d.wrt)} ({_gradient_instance(d)}):", ""]
        out += _md_matrix(d.gradient, 6)
    else:
        out += [f"Gradient {_md('∂C/∂' + d.wrt)}: {d.gradient.size} entries (JSON lists them)."]
    out += [""]
    out += _md_table(_CHECK_HEADERS, _check_rows(d, floor, _md))
    out += [""]
    out += _md_table(_ORDER_HEADERS, _order_rows(d))
    if d.notes:
        out += ["", *(_md(n) for n in d.notes)]
    return "\n".join(out) + "\n"


def _catalog_markdown(c: Catalog, heading: str = "###") -> str:
    out = [f"{heading} Every operation's Jacobians", ""]
    out += _md_table(
        ["operation", "definition", "Jacobian", "closed form", "shape", "structure"],
        [
            [
                f"`{r.operation}`",
                _md(r.formula),
                _md(r.symbol),
                _md(r.closed_form),
                r.shape,
                r.structure,
            ]
            for r in c.rows
        ],
    )
    return "\n".join(out) + "\n"


# ----- LaTeX -----


def _cell(kind: str, content: str, mathjax: bool) -> str:
    """A table cell: math goes in $…$ in a tabular, bare in a MathJax array; text the other way."""
    if kind == "math":
        return content if mathjax else f"${content}$"
    return rf"\text{{{content}}}" if mathjax else content


def _tex_table(
    headers: Sequence[str], rows: Sequence[Sequence[tuple[str, str]]], mathjax: bool
) -> list[str]:
    cols = "l" * len(headers)
    env = "array" if mathjax else "tabular"
    out = [r"\[" if mathjax else r"\begin{center}", rf"\begin{{{env}}}{{{cols}}}", r"\hline"]
    out.append(" & ".join(_cell("text", _tex.text(h), mathjax) for h in headers) + r" \\")
    out.append(r"\hline")
    for row in rows:
        out.append(" & ".join(_cell(k, v, mathjax) for k, v in row) + r" \\")
    out += [r"\hline", rf"\end{{{env}}}", r"\]" if mathjax else r"\end{center}"]
    return out


def _tex_matrix(M: np.ndarray, digits: int = 4) -> str:
    cells = [[c.replace("−", "-") for c in row] for row in _grid(M, digits)]
    cols = "r" * len(cells[0])
    body = r" \\ ".join(" & ".join(row) for row in cells)
    return rf"\left[\begin{{array}}{{{cols}}} {body} \end{{array}}\right]"


def _underbrace(content: str, under: str) -> str:
    return rf"\underbrace{{{content}}}_{{{_tex.shape(under)}}}"


def _chain_lines(items: Sequence[str], per_line: int = 3) -> list[str]:
    lines = []
    for i in range(0, len(items), per_line):
        lines.append(r" \, ".join(items[i : i + per_line]))
    return lines


def _tex_align(d: Derivation) -> list[str]:
    lhs = _tex.frac_symbol("C", d.wrt)
    symbolic = [_underbrace(F.symbol_latex, F.shape) for F in d.factors]
    closed = [_underbrace(F.closed_form_latex, shape_text(F.instance)) for F in d.factors]
    row_shape, row_inst = d.row_shape
    out = [r"\begin{align*}"]
    first = True
    for group in (symbolic, closed):
        for i, line in enumerate(_chain_lines(group)):
            lead = (lhs if first else "") + (" &= " if i == 0 else r" &\quad ")
            out.append(lead + line + r" \\")
            first = False
    reshape = (
        rf" &= {_underbrace(lhs, shape_text(row_inst))} \;\longmapsto\; "
        rf"\nabla_{{{d.wrt_latex}}} C \text{{, shaped like }} {d.wrt_latex}: "
        rf"{_tex.shape(row_shape)} \to {_tex.shape(d.param_shape)}"
    )
    if _gradient_shown(d):
        out.append(reshape + r" \\")
        out.append(rf" &= {_tex_matrix(d.gradient, 6)}")
    else:
        out.append(reshape)
    if d.cases:
        cases = r" \\ ".join(
            rf"{c.formula_latex.split(' = ', 1)[1]} & {c.condition_latex}" for c in d.cases
        )
        lhs_case = d.cases[0].formula_latex.split(" = ", 1)[0]
        out.append(r" \\")
        out.append(rf"{lhs_case} &= \begin{{cases}} {cases} \end{{cases}}")
    out.append(r"\end{align*}")
    return out


def _tex_header(mathjax: bool) -> list[str]:
    return [] if mathjax else ["% generated by the jacobians toolkit; needs amsmath and amssymb"]


def _derivation_latex(
    d: Derivation, mathjax: bool = False, document: bool = False, floor: float | None = None
) -> str:
    out = []
    if not mathjax:
        out += [rf"\paragraph{{{d.title_latex}}}", ""]
    out += _tex_table(
        ["factor", "closed form", "shape", "here", "structure"],
        [
            [
                ("math", F.symbol_latex),
                ("math", F.closed_form_latex),
                ("math", _tex.shape(F.shape)),
                ("math", _tex.shape(shape_text(F.instance))),
                ("text", F.structure),
            ]
            for F in d.factors
        ],
        mathjax,
    )
    if d.show_matrices:
        mats = [rf"{F.symbol_latex} &= {_tex_matrix(F.jacobian.matrix)}" for F in d.factors]
        out += [r"\begin{align*}", " \\\\\n".join(mats), r"\end{align*}"]
    row_shape, row_inst = d.row_shape
    out += _tex_table(
        ["product, left to right (reverse mode)", "shape", "here"],
        [
            [
                ("math", rf"{_sym(d, s.left)} \, {_sym(d, s.right)} = {s.result_latex}"),
                ("math", _tex.shape(s.shape)),
                ("math", _tex.shape(shape_text(s.instance))),
            ]
            for s in d.steps
        ]
        + [
            [
                ("text", _tex.text(_reshape_label(d))),
                ("math", rf"{_tex.shape(row_shape)} \to {_tex.shape(d.param_shape)}"),
                (
                    "math",
                    rf"{_tex.shape(shape_text(row_inst))} \to "
                    rf"{_tex.shape(_gradient_instance(d))}",
                ),
            ]
        ],
        mathjax,
    )
    out += _tex_align(d)
    out += _tex_table(
        ["check", "max difference", "tolerance", "result"],
        [
            [
                ("text", c.latex or _tex.text(c.description)),
                ("text", _tex.text(_diff(c.value, floor))),
                ("text", _tex.text(_sci(None if c.value is None else c.tolerance))),
                ("text", _tex.text(_result(c))),
            ]
            for c in d.checks
        ]
        + [
            [
                ("text", _tex.text(f"multiply-adds, {ORDER_LABELS[k]}")),
                ("text", str(v)),
                ("text", ""),
                ("text", ""),
            ]
            for k, v in d.multiply_adds.items()
        ],
        mathjax,
    )
    return _wrap_document(_tex_header(mathjax) + out, document)


def _sym(d: Derivation, symbol: str) -> str:
    """The LaTeX of a symbol ∂of/∂wrt that appears in the table."""
    of, wrt = symbol[1:].split("/∂", 1)
    return _tex.frac_symbol(of, wrt)


def _catalog_latex(c: Catalog, mathjax: bool = False, document: bool = False) -> str:
    rows = []
    last = None
    for r in c.rows:
        first = r.operation != last
        rows.append(
            [
                ("text", _tex.text(r.operation) if first else ""),
                ("math", r.formula_latex if first else ""),
                ("math", r.symbol_latex),
                ("math", r.closed_form_latex),
                ("math", _tex.shape(r.shape)),
                ("text", r.structure),
            ]
        )
        last = r.operation
    out = _tex_header(mathjax) + _tex_table(
        ["operation", "definition", "Jacobian", "closed form", "shape", "structure"], rows, mathjax
    )
    return _wrap_document(out, document)


def _wrap_document(lines: list[str], document: bool) -> str:
    body = "\n".join(lines) + "\n"
    if not document:
        return body
    pre = [
        r"\documentclass[10pt]{article}",
        r"\usepackage[margin=1.5cm]{geometry}",
        r"\usepackage{amsmath}",
        r"\usepackage{amssymb}",
        r"\begin{document}",
        "",
    ]
    return "\n".join(pre) + "\n" + body + "\\end{document}\n"


# ----- JSON -----


def _floats(M: np.ndarray) -> Any:
    return np.asarray(M, dtype=np.float64).tolist()


def derivation_dict(d: Derivation) -> dict[str, Any]:
    """The JSON document of a derivation; see ``derivations/schema.json``."""
    row_shape, row_inst = d.row_shape
    return {
        "schema": SCHEMA_ID,
        "version": SCHEMA_VERSION,
        "kind": "derivation",
        "source": d.source,
        "title": d.title,
        "setup": [{"text": t, "latex": tex} for t, tex in d.setup],
        "sizes": dict(d.sizes),
        "options": dict(d.options),
        "wrt": d.wrt,
        "factors": [
            {
                "symbol": F.symbol,
                "symbol_latex": F.symbol_latex,
                "closed_form": F.closed_form,
                "closed_form_latex": F.closed_form_latex,
                "shape": F.shape,
                "instance": list(F.instance),
                "structure": F.structure,
                **({"matrix": _floats(F.jacobian.matrix)} if d.show_matrices else {}),
            }
            for F in d.factors
        ],
        "cases": [
            {"condition": c.condition, "formula": c.formula, "latex": c.formula_latex}
            for c in d.cases
        ],
        "product": [
            {
                "left": s.left,
                "right": s.right,
                "result": s.result,
                "shape": s.shape,
                "instance": list(s.instance),
            }
            for s in d.steps
        ],
        "reshape": {
            "from": row_shape,
            "to": d.param_shape,
            "from_instance": list(row_inst),
            "to_instance": list(d.gradient.shape),
        },
        "gradient": _floats(d.gradient),
        "checks": [
            {
                "name": c.name,
                "description": c.description,
                "max_difference": c.value,
                "tolerance": c.tolerance,
                "passed": c.passed,
                **({"skipped": c.skipped} if c.value is None else {}),
            }
            for c in d.checks
        ],
        "multiply_adds": dict(d.multiply_adds),
        "passed": d.passed,
    }


def catalog_dict(c: Catalog) -> dict[str, Any]:
    """The JSON document of the catalogue; see ``derivations/schema.json``."""
    ops: dict[str, dict[str, Any]] = {}
    for r in c.rows:
        op = ops.setdefault(
            r.operation,
            {
                "name": r.operation,
                "family": r.family,
                "formula": r.formula,
                "formula_latex": r.formula_latex,
                "params": [{"name": n, "shape": s} for n, s in r.params],
                "jacobians": [],
            },
        )
        op["jacobians"].append(
            {
                "wrt": r.symbol.split("/∂", 1)[1],
                "symbol": r.symbol,
                "symbol_latex": r.symbol_latex,
                "closed_form": r.closed_form,
                "closed_form_latex": r.closed_form_latex,
                "shape": r.shape,
                "structure": r.structure,
            }
        )
    return {
        "schema": SCHEMA_ID,
        "version": SCHEMA_VERSION,
        "kind": "catalog",
        "operations": list(ops.values()),
    }


_RENDERERS: dict[tuple[str, str], Any] = {
    ("derivation", "text"): _derivation_text,
    ("derivation", "markdown"): _derivation_markdown,
    ("derivation", "latex"): _derivation_latex,
    ("catalog", "text"): _catalog_text,
    ("catalog", "markdown"): _catalog_markdown,
    ("catalog", "latex"): _catalog_latex,
}
