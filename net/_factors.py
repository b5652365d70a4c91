"""Labels in the network's notation, and :class:`Factors`, a labelled chain of Jacobians.

The closed forms come from the registry (``jacobians.OPERATIONS``) with the operation's
variable names replaced by the network's: the ``a`` of ``squared_error`` becomes y⁽ᴸ⁾ and its ``y``
the target t; the ``z`` of an activation becomes z⁽ᵏ⁾. So a table shows
``diag(σ(z⁽²⁾) ⊙ (1 − σ(z⁽²⁾)))`` and the formula still lives in one place.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

import numpy as np

from jacobians import Jacobian, chain, to_gradient

_SUP = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")
_SUB = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")


def sup(k: int) -> str:
    """The layer superscript: ``sup(3)`` is ``⁽³⁾``."""
    return f"⁽{str(k).translate(_SUP)}⁾"


def sub(k: int) -> str:
    """A subscript: ``sub(3)`` is ``₃``."""
    return str(k).translate(_SUB)


def var(name: str, k: int) -> tuple[str, str]:
    """A layer variable as (text, LaTeX): ``var("y", 2)`` is ``("y⁽²⁾", "y^{(2)}")``."""
    return f"{name}{sup(k)}", f"{name}^{{({k})}}"


# a single-letter variable: not part of a word, a LaTeX command (\top) or a subscript (I_n)
_LETTER = re.compile(r"(?<![A-Za-z0-9_\\])([A-Za-z])(?![A-Za-z0-9_])")


def rename(text: str, names: Mapping[str, str]) -> str:
    """Replace single-letter variables of a registry closed form, all at once.

    >>> rename("(a − y)ᵀ", {"a": "y⁽²⁾", "y": "t"})
    '(y⁽²⁾ − t)ᵀ'
    """
    return _LETTER.sub(lambda m: names.get(m.group(1), m.group(1)), text)


@dataclass(frozen=True)
class Factors:
    """The chain of Jacobian factors of ∂C/∂(parameter), outermost first, with their names.

    Iterating gives the Jacobians, so ``jacobians.chain(*f)`` multiplies them. Each factor carries
    ``of``, ``wrt`` (its symbol ``∂of/∂wrt``), ``closed_form`` and ``latex`` in the network's
    notation; ``names`` gives the write-up's short names (``∂C/∂y⁽³⁾``, ``∇σ₃``, ``W⁽³⁾``,
    ``∂z⁽²⁾/∂W⁽²⁾``) and ``latex_names`` the same in LaTeX.

    Attributes:
        param: the parameter, e.g. ``"W2"``.
        shape: the parameter's shape (the gradient's shape).
        jacobians: the factors, outermost first.
        names, latex_names: one short name per factor.

    Shapes: factor i is rows_i × cols_i with cols_i = rows_(i+1); the product is 1 × size(param).

    >>> from net import MLP
    >>> f = MLP([2, 3, 1], ["relu", "identity"]).factors(np.ones(2), np.zeros(1), "b1")
    >>> f.names[-1], f[-1].closed_form, f.product().shape
    ('∂z⁽¹⁾/∂b⁽¹⁾', 'I_3', (1, 3))
    """

    param: str
    shape: tuple[int, ...]
    jacobians: tuple[Jacobian, ...]
    names: tuple[str, ...]
    latex_names: tuple[str, ...]

    def __iter__(self) -> Iterator[Jacobian]:
        return iter(self.jacobians)

    def __len__(self) -> int:
        return len(self.jacobians)

    def __getitem__(self, i: int) -> Jacobian:
        return self.jacobians[i]

    def product(self, order: str = "left") -> Jacobian:
        """The product of the factors, ∂C/∂(parameter) as a 1×N row (``order`` as in chain)."""
        return chain(*self.jacobians, order=order)

    def gradient(self, order: str = "left") -> np.ndarray:
        """The product folded back to the parameter's shape (``to_gradient``)."""
        return to_gradient(self.product(order), self.shape)

    def rows(self) -> list[dict[str, object]]:
        """One dict per factor, for tables: name, latex_name, symbol, closed_form, latex, shape,
        kind."""
        return [
            {
                "name": n,
                "latex_name": ln,
                "symbol": J.symbol,
                "closed_form": J.closed_form,
                "latex": J.latex,
                "shape": J.shape,
                "kind": J.kind,
            }
            for n, ln, J in zip(self.names, self.latex_names, self.jacobians, strict=True)
        ]

    def __str__(self) -> str:
        rows = self.rows()
        head = f"∂C/∂{self.param} = " + " · ".join(self.names)
        w = [max(len(str(r[k])) for r in rows) for k in ("name", "symbol", "closed_form")]
        lines = [head]
        for r in rows:
            shape = "×".join(map(str, r["shape"]))  # type: ignore[call-overload]
            lines.append(
                f"  {r['name']:<{w[0]}}  {r['symbol']:<{w[1]}}  {r['closed_form']:<{w[2]}}"
                f"  {shape:>9}  {r['kind']}"
            )
        return "\n".join(lines)

    def __repr__(self) -> str:
        return f"<Factors of ∂C/∂{self.param}: {' · '.join(self.names)}>"
