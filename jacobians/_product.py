"""A product of structured Jacobians kept unmultiplied: F₁ F₂ ⋯ F_k, each action applying the
factors in turn.

Some rules are a product whose factors have structures of their own but whose product has none
that the other structures hold: the Jacobian of tanh(Wh + b) with respect to W for a batch is
diag(1 − a²) (I_n ⊗ Hᵀ), a diagonal times a Kronecker product; layer norm's with respect to γ is
diag(vec x̂)(I_n ⊗ 1_d). Multiplied out, each is a dense nd×n² (or nd×n) matrix; kept as a
product, a row times it costs what its factors cost, as backprop's Hadamard step and outer
product cost. The closed form says the same: the factors, written side by side.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

import numpy as np

from reshape import InputTypeError, ShapeError, describe

from ._jacobian import Jacobian, bare
from ._structure_args import Structure, all_finite, building, given_shapes
from ._vec_order import common_order

__all__ = ["Product"]


class Product(Jacobian):
    """F₁ F₂ ⋯ F_k for Jacobians F_i whose sizes meet (F_i's columns, F_{i+1}'s rows).

    ``left`` applies F_k first, ``right`` F₁ first; ``.matrix`` is F₁ applied to the rest made
    dense, only on request. Its shapes are F₁'s out_shape and F_k's in_shape unless given.

    >>> from jacobians import Diagonal, Kronecker
    >>> J = Product(Diagonal(np.array([1.0, 2.0])), Kronecker(2, np.array([[1.0, 3.0]])))
    >>> J.shape, J.right(np.ones((1, 2)))
    ((2, 4), array([[1., 3., 2., 6.]]))
    """

    kind = "product"
    short = "product"
    rank = 3  # its actions cost its factors'; made dense only where the other factor is denser
    classes: ClassVar[dict[str, type[Jacobian]]] = {}  # STRUCTURES, set by the planner

    def __init__(
        self,
        *factors: Jacobian,
        out_shape: Sequence[int] | None = None,
        in_shape: Sequence[int] | None = None,
        **labels: str,
    ) -> None:
        if not building():
            if len(factors) < 2:
                raise InputTypeError(
                    "Product", "factors", "two Jacobians or more", f"{len(factors)} given"
                )
            for i, F in enumerate(factors):
                if not isinstance(F, Jacobian):
                    raise InputTypeError("Product", f"factors[{i}]", "a Jacobian", describe(F))
            for i in range(len(factors) - 1):
                if factors[i].shape[1] != factors[i + 1].shape[0]:
                    raise ShapeError(
                        "Product",
                        f"factors[{i + 1}]",
                        f"{factors[i].shape[1]} rows, the columns of factors[{i}]",
                        f"{factors[i + 1].shape[0]} rows ({factors[i + 1]!r})",
                    )
        default = (factors[0].out_shape, factors[-1].in_shape)
        if building():
            out = default[0] if out_shape is None else out_shape
            inn = default[1] if in_shape is None else in_shape
        else:  # shapes checked (whole numbers ≥ 1) before their sizes are compared
            out, inn = given_shapes(
                "Product",
                out_shape,
                in_shape,
                default,
                lambda: (
                    f"{factors[0].shape[0]} entries out and {factors[-1].shape[1]} in, "
                    "the factors' sizes"
                ),
            )
        super().__init__(out, inn, **labels)
        self.factors = tuple(factors)
        if not building():
            order = common_order("Product", "factors", self.factors, "times")
            if order != "C":
                self.vec_order = order

    @property
    def dtype(self) -> np.dtype:
        return np.result_type(*(F.dtype for F in self.factors))

    def _structure_of(self) -> Structure:
        terms = tuple(F.structure for F in self.factors)
        return Structure(self.kind, *self.shape, terms=terms)

    def _dense(self) -> np.ndarray:
        *first, last = self.factors
        with np.errstate(over="ignore", invalid="ignore"):
            M = last.matrix
            for F in reversed(first):
                M = F._left(M)
        if not all_finite(M):  # finite factors whose product overflows: refused, never ±inf
            raise self._beyond(
                M,
                "factors",
                "factors whose product stays within floating-point range",
                f"{self.symbol} as a product",
                "scale the values the factors are made of down",
            )
        return M

    @staticmethod
    def dense_cost(s: Structure) -> int:
        """The last factor made dense, then each other factor applied to it."""
        *first, last = s.terms  # type: ignore[misc]
        cls = Product.classes
        cost = cls[last.kind].dense_cost(last)
        return cost + sum(cls[t.kind].left_cost(t, s.cols) for t in first)

    def _left(self, M: np.ndarray) -> np.ndarray:
        for F in reversed(self.factors):
            M = F._left(M)
        return M

    @staticmethod
    def left_cost(s: Structure, k: int) -> int:
        return sum(Product.classes[t.kind].left_cost(t, k) for t in s.terms)  # type: ignore[union-attr]

    def _right(self, M: np.ndarray) -> np.ndarray:
        for F in self.factors:
            M = F._right(M)
        return M

    @staticmethod
    def right_cost(s: Structure, k: int) -> int:
        return sum(Product.classes[t.kind].right_cost(t, k) for t in s.terms)  # type: ignore[union-attr]

    def transpose(self) -> Product:
        """(F₁ ⋯ F_k)ᵀ = F_kᵀ ⋯ F₁ᵀ."""
        factors = tuple(F.T for F in reversed(self.factors))  # .T keeps each one's vec order
        T = bare(Product, factors=factors)
        return T._as_transpose_of(self)
