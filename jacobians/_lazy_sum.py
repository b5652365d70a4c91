"""The structure :class:`Sum`: J₁ + J₂ + …, kept as its terms, each applied in its own structure.

Where a variable reaches an output along several paths, its Jacobian is the sum of the products
along them, and a sum whose terms share no structure is kept so: applied term by term and never
made dense unless ``.matrix`` is asked for. :func:`jacobians._sum.add_jacobians` decides when a
sum needs one (and re-exports the class, which is public as ``jacobians.Sum``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import reduce
from operator import add
from typing import ClassVar

import numpy as np

from reshape import InputTypeError, ShapeError, describe

from ._jacobian import Jacobian
from ._structure_args import Structure, given_shapes
from ._vec_order import common_order

__all__ = ["Sum", "flat_terms"]


def flat_terms(terms: Iterable[Jacobian]) -> list[Jacobian]:
    """The terms with every nested Sum replaced by its own terms."""
    return [u for t in terms for u in (t.terms if isinstance(t, Sum) else (t,))]


class Sum(Jacobian):
    """J₁ + J₂ + …, kept as its terms (all of one shape), each applied in its own structure.

    Shapes: terms, each r×c -> out_shape and in_shape of the first term unless given (with r and
    c entries); ``.matrix`` is r×c.

    >>> from jacobians import Identity, Kronecker
    >>> S = Sum([Identity((3,)), Kronecker(np.ones((1, 1)), np.ones((3, 3)))])
    >>> S.kind, S.closed_form, S.left(np.eye(3))[0]
    ('sum', 'I_3 + ∂f/∂x', array([2., 1., 1.]))
    """

    kind = "sum"
    short = "sum"
    rank = 4  # every pair with a sum has a row in PAIRS; on its ties, the other applies itself
    # kind -> class of every structure, installed by _planner (which imports this module): the
    # costs of a sum are those of its terms, planned from their Structure records.
    classes: ClassVar[dict[str, type[Jacobian]]] = {}

    def __init__(
        self,
        terms: Sequence[Jacobian],
        out_shape: Sequence[int] | None = None,
        in_shape: Sequence[int] | None = None,
        **labels: str,
    ) -> None:
        if isinstance(terms, (Jacobian, str, bytes)) or not isinstance(terms, Sequence):
            raise InputTypeError("Sum", "terms", "a sequence of Jacobians", describe(terms))
        for i, t in enumerate(terms):
            if not isinstance(t, Jacobian):
                raise InputTypeError("Sum", f"terms[{i}]", "a Jacobian", describe(t))
        flat = flat_terms(terms)
        if not flat:
            raise ShapeError("Sum", "terms", "at least one Jacobian", "none")
        first = flat[0]
        for i, t in enumerate(flat):
            if t.shape != first.shape:
                raise ShapeError(
                    "Sum",
                    f"terms[{i}]",
                    f"a {first.shape[0]}×{first.shape[1]} Jacobian, like terms[0] ({first.symbol})",
                    f"{t.symbol}, {t.shape[0]}×{t.shape[1]}",
                    "every term of a sum maps the same input to the same output",
                )
        out_shape, in_shape = given_shapes(
            "Sum",
            out_shape,
            in_shape,
            (first.out_shape, first.in_shape),
            lambda: f"{first.shape[0]} outputs and {first.shape[1]} inputs, as its terms",
        )
        labels.setdefault("of", first.of)
        labels.setdefault("wrt", first.wrt)
        labels.setdefault("closed_form", " + ".join(t.closed_form for t in flat))
        labels.setdefault("latex", " + ".join(t.latex for t in flat))
        super().__init__(out_shape, in_shape, **labels)
        self.terms = tuple(flat)
        order = common_order("Sum", "terms", flat, "plus")
        if order != "C":
            self.vec_order = order

    @property
    def dtype(self) -> np.dtype:
        return np.result_type(*[t.dtype for t in self.terms])

    def _structure_of(self) -> Structure:
        rows, cols = self.terms[0].shape
        return Structure(self.kind, rows, cols, terms=tuple(t.structure for t in self.terms))

    def _dense(self) -> np.ndarray:
        # Each term is the size of the sum, whose limit Jacobian.dense has checked. One term's
        # may be an array of the caller's (a Dense term's M): the sum's matrix is its own.
        if len(self.terms) == 1:
            return np.array(self.terms[0]._dense())
        return reduce(add, (t._dense() for t in self.terms))

    @staticmethod
    def dense_cost(s: Structure) -> int:
        """The terms' dense forms, then one addition per entry for each term after the first."""
        terms = s.terms or ()
        made = sum(Sum.classes[t.kind].dense_cost(t) for t in terms)
        return made + (len(terms) - 1) * s.rows * s.cols

    def transpose(self) -> Sum:
        """(Σ Jᵢ)ᵀ = Σ Jᵢᵀ, each term in its own structure."""
        terms = [t.T for t in self.terms]  # .T keeps each term's vec order
        return Sum(terms, closed_form=None, latex=None)._as_transpose_of(self)

    def _left(self, M: np.ndarray) -> np.ndarray:
        """Σ Jᵢ · M, one term at a time."""
        return reduce(add, (t._left(M) for t in self.terms))

    @staticmethod
    def left_cost(s: Structure, k: int) -> int:
        terms = s.terms or ()
        applied = sum(Sum.classes[t.kind].left_cost(t, k) for t in terms)
        return applied + (len(terms) - 1) * s.rows * k

    def _right(self, M: np.ndarray) -> np.ndarray:
        """Σ M · Jᵢ, one term at a time."""
        return reduce(add, (t._right(M) for t in self.terms))

    @staticmethod
    def right_cost(s: Structure, k: int) -> int:
        terms = s.terms or ()
        applied = sum(Sum.classes[t.kind].right_cost(t, k) for t in terms)
        return applied + (len(terms) - 1) * k * s.cols
