"""A Jacobian's labels: its symbol ∂of/∂wrt and its closed form as text and LaTeX, the base
:class:`~jacobians._jacobian.Jacobian` builds on. A product keeps its factors' labels, never the
factors (their matrices can be freed), and renders them on first use, so a chain pays for no
text it does not show."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

from ._labels import Label, render, transposed, wrap, wrap_latex
from ._structure_args import checked_label, given_shapes

__all__ = ["Labelled", "checked_labels"]

_L = TypeVar("_L", bound="Labelled")
_LABEL = (str, type(None))  # a closed form or its LaTeX: text, or None for the symbol


def checked_labels(op: str, of: object, wrt: object, closed_form: object, latex: object) -> None:
    """Refuse labels that are not text (a closed form or its LaTeX may be None: the symbol)."""
    if not (type(of) is str and type(wrt) is str and type(closed_form) in _LABEL):
        checked_label(op, "of", of)
        checked_label(op, "wrt", wrt)
        checked_label(op, "closed_form", closed_form, optional=True)
    if type(latex) not in _LABEL:
        checked_label(op, "latex", latex, optional=True)


class Labelled:
    """The labels of a Jacobian and how they are set (see the module docstring)."""

    # A structure's labels until it is given its own: a rule builder's (inside from_checked) may
    # set only its shapes and data, as every gradient builds several per layer.
    of: str = "f"
    wrt: str = "x"
    _cf: Label = None
    _tex: Label = None
    out_shape: tuple[int, ...]  # the Jacobian's, as its shape and _copy are
    in_shape: tuple[int, ...]

    @property
    def symbol(self) -> str:
        """The symbol for tables, e.g. ``∂z/∂W``."""
        return f"∂{self.of}/∂{self.wrt}"

    @property
    def closed_form(self) -> str:
        """The closed form as text, e.g. ``I_n ⊗ xᵀ``; a product's is its factors' joined by ·."""
        if self._cf is None:
            return self.symbol
        if not isinstance(self._cf, str):
            self._cf = render(self._cf, " · ", wrap)
        return self._cf

    @closed_form.setter
    def closed_form(self, text: str | None) -> None:
        self._cf = text

    @property
    def latex(self) -> str:
        """The closed form as LaTeX, e.g. ``I_n \\otimes x^{\\top}``."""
        if self._tex is None:
            return rf"\frac{{\partial {self.of}}}{{\partial {self.wrt}}}"
        if not isinstance(self._tex, str):
            self._tex = render(self._tex, r" \, ", wrap_latex)
        return self._tex

    @latex.setter
    def latex(self, text: str | None) -> None:
        self._tex = text

    def label(
        self: _L,
        of: str,
        wrt: str,
        closed_form: Label = None,
        latex: Label = None,
        out_shape: Sequence[int] | None = None,
        in_shape: Sequence[int] | None = None,
    ) -> _L:
        """Label this Jacobian in place and return it: internal, unchecked. Use :meth:`labelled`.

        This is the toolkit's own form, for a Jacobian the caller has just made (a product, a
        sum, a transpose, often not yet given its shapes, so their sizes cannot be compared
        here): it runs on every product and is not checked, as a builder's arrays are not.
        ``closed_form`` and ``latex`` are strings, None for the symbol ∂of/∂wrt, or for a product
        the pair of its factors' labels, rendered on first use. The shapes, if given, must have
        the sizes of the matrix's rows and columns.

        >>> from jacobians import Identity
        >>> Identity((3,)).label("z", "b", "I_n").symbol
        '∂z/∂b'
        """
        self.of, self.wrt, self._cf, self._tex = of, wrt, closed_form, latex
        if out_shape is not None:
            self.out_shape = tuple(out_shape)
        if in_shape is not None:
            self.in_shape = tuple(in_shape)
        return self

    def labelled(
        self: _L,
        of: str,
        wrt: str,
        closed_form: str | None = None,
        latex: str | None = None,
        out_shape: Sequence[int] | None = None,
        in_shape: Sequence[int] | None = None,
    ) -> _L:
        """A copy with other labels, and other shapes of the same sizes if given (same numbers,
        same structure). The names are text, the closed form and its LaTeX text or None (the
        symbol ∂of/∂wrt), each shape whole numbers ≥ 1 with as many entries as the one it
        replaces.

        >>> from jacobians import Identity
        >>> J = Identity((6,)).labelled("z", "b", "I_6", out_shape=(2, 3), in_shape=(3, 2))
        >>> J.symbol, J.out_shape, J.in_shape
        ('∂z/∂b', (2, 3), (3, 2))
        """
        op = f"{type(self).__name__}.labelled"
        checked_labels(op, of, wrt, closed_form, latex)
        rows, cols = self.shape
        out, inn = given_shapes(
            op,
            out_shape,
            in_shape,
            (self.out_shape, self.in_shape),
            lambda: (
                f"shapes of {rows} and {cols} entries, the sizes of the matrix's rows and"
                f" columns ({self.symbol} is {rows}×{cols})"
            ),
        )
        return self._copy().label(of, wrt, closed_form, latex, out, inn)

    def _label_node(self) -> tuple[Label, Label]:
        """What a product keeps of this factor: its labels (strings or pairs), no data."""
        cf = self.symbol if self._cf is None else self._cf
        return cf, self.latex if self._tex is None else self._tex

    def _as_transpose_of(self: _L, J: Labelled) -> _L:
        """Label this new Jacobian as J transposed: J's names, shapes swapped, closed form ᵀ."""
        return self.label(
            J.of,
            J.wrt,
            transposed(J.closed_form, "ᵀ", lambda t: f"({t})"),
            transposed(J.latex, r"^{\top}", lambda t: rf"\left({t}\right)"),
            J.in_shape,
            J.out_shape,
        )
