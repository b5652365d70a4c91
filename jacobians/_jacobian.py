"""The abstract `Jacobian`: shapes, labels, dense views, and the helpers every structure shares.

A Jacobian ∂f/∂x of an output of shape ``out_shape`` with respect to an input of shape ``in_shape``
is, in numerator layout, the prod(out_shape) × prod(in_shape) matrix whose rows index the output's
entries and whose columns index the input's, both flattened row-major. It is kept in one of eight
structures and made dense only when ``.matrix`` is asked for:

======================  =================================  ==================================
structure               class                              example
======================  =================================  ==================================
identity                :class:`Identity`                  ∂z/∂b = I_n
diagonal                :class:`Diagonal`                  ∂a/∂z = diag(σ′(z))
kronecker               :class:`Kronecker` (L ⊗ R)         ∂z/∂W = I_n ⊗ xᵀ
block-diagonal          :class:`BlockDiagonal`             a per-sample map of a batch
diagonal-plus-low-rank  :class:`DiagonalPlusLowRank`       ∂a/∂z = diag(a) − a aᵀ (softmax)
permutation             :class:`Permutation`               ∂(Xᵀ)/∂X, a commutation matrix
sum                     :class:`Sum` (J₁ + J₂ + …)         ∂(XX)/∂X = I ⊗ Xᵀ + X ⊗ I
dense                   :class:`Dense` ("row" if 1×N)      ∂z/∂x = W, ∂C/∂a = (a − y)ᵀ
======================  =================================  ==================================

Each structure (``_structures``, ``_kronecker``, ``_blocks``, ``_lowrank``, ``_permutation``,
``_lazy_sum``) carries its action on dense matrices (``left``, ``right``), their multiply-add
counts, its dense form and its transpose side by side; products are planned and run by
``_planner``, sums by ``_sum``. This module holds what they share: the base class with its
labels (a product's are rendered only when shown); :class:`Structure`, the dimensions the planner
works on, sits with the structures' argument checks (``_structure_args``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from math import prod
from typing import ClassVar, TypeVar

import numpy as np

from reshape import InputError, unflatten

from ._display import DISPLAY_MAX, html_display, latex_display
from ._labelled import Labelled, checked_labels
from ._labels import Label
from ._limit import check_limit, checked_bytes
from ._structure_args import (
    _BUILDING,
    Structure,
    checked_operand,
    checked_shape,
    finite_result,
    fmt_shape,
)

__all__ = ["Jacobian", "Label", "bare"]


_J = TypeVar("_J", bound="Jacobian")


def bare(cls: type[_J], **data: object) -> _J:
    """A ``cls`` holding ``data`` and nothing else, unchecked: for a product or a transpose of
    Jacobians that were checked when they were made (the caller sets shapes and labels)."""
    J = object.__new__(cls)
    J.__dict__.update(data)
    return J


class Jacobian(Labelled):
    """The derivative ∂of/∂wrt as a structured linear map (abstract; one subclass per structure).

    Attributes:
        out_shape: shape of the differentiated output.
        in_shape: shape of the input it is differentiated by.
        of, wrt: names of output and input, giving the symbol ``∂of/∂wrt``.
        closed_form, latex: the closed form as text (``I_n ⊗ xᵀ``) and as LaTeX.

    Shapes: ``.matrix`` is (prod(out_shape), prod(in_shape)); ``.tensor`` is out_shape + in_shape.

    In a notebook a Jacobian shows its symbol, closed form, structure and shape, and its matrix
    when it has at most ``Jacobian.display_max`` (12) rows and columns; a larger one is shown
    without building its dense matrix.

    >>> from jacobians import Kronecker
    >>> J = Kronecker(2, np.ones((1, 3))).label("z", "W", "I_n ⊗ xᵀ", in_shape=(2, 3))
    >>> J, J.T
    (<Kronecker ∂z/∂W = I_n ⊗ xᵀ: 2×6 (2 by 2×3)>, <Kronecker ∂z/∂W = (I_n ⊗ xᵀ)ᵀ: 6×2 (2×3 by 2)>)
    """

    kind: ClassVar[str] = "abstract"
    # What the product planner reads of a structure; it plans from Structure records, not
    # objects, since chain(order="cheapest") plans products of products before making them.
    short: ClassVar[str] = "abstract"  # names its routines in plans: "diag_left", "kron_right"
    rank: ClassVar[int] = 99  # in a pair without a row of its own, the lower rank applies itself
    # How both sides are flattened: "C" (row-major vec, the toolkit's) or "F" (column-major, set
    # by column_major); .tensor and to_gradient unflatten in it, and products refuse a mix.
    vec_order: str = "C"
    made_by: str | None = None  # the operation whose result it is, for errors raised later

    def __init__(
        self,
        out_shape: Sequence[int],
        in_shape: Sequence[int],
        *,
        of: str = "f",
        wrt: str = "x",
        closed_form: str | None = None,
        latex: str | None = None,
    ) -> None:
        if _BUILDING.get():  # a rule builder's: shapes read off checked arrays, no labels given
            self.out_shape = out_shape if type(out_shape) is tuple else tuple(out_shape)
            self.in_shape = in_shape if type(in_shape) is tuple else tuple(in_shape)
        else:
            op = type(self).__name__
            self.out_shape = checked_shape(op, "out_shape", out_shape)
            self.in_shape = checked_shape(op, "in_shape", in_shape)
            checked_labels(op, of, wrt, closed_form, latex)
        self.of, self.wrt = of, wrt
        # A product keeps its factors' labels, never the factors themselves (their matrices can
        # be freed), and renders them on first use: a chain pays for no text it does not show.
        self._cf: Label = closed_form
        self._tex: Label = latex

    # ----- shape -----
    @property
    def shape(self) -> tuple[int, int]:
        """(rows, cols) of the matrix: (prod(out_shape), prod(in_shape))."""
        return (prod(self.out_shape), prod(self.in_shape))

    @property
    def structure(self) -> Structure:
        """Kind and dimensions, what :func:`jacobians.plan` plans products from."""
        s = self.__dict__.get("_structure")
        if s is None:
            s = self.__dict__["_structure"] = self._structure_of()
        return s

    def _structure_of(self) -> Structure:
        return Structure(self.kind, *self.shape)

    @property
    def dtype(self) -> np.dtype:
        raise NotImplementedError

    def _copy(self) -> Jacobian:
        new = object.__new__(type(self))
        new.__dict__.update(self.__dict__)
        return new

    def _dims(self) -> str:
        """``3×12 (3 by 3×4)``: the matrix's rows and columns, the output's and input's shapes."""
        rows, cols = self.shape
        return f"{rows}×{cols} ({fmt_shape(self.out_shape)} by {fmt_shape(self.in_shape)})"

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.symbol} = {self.closed_form}: {self._dims()}>"

    # ----- in a notebook (jacobians._display): the matrix only up to display_max -----
    display_max: ClassVar[int] = DISPLAY_MAX  # rows and columns; a session may change it

    def _repr_html_(self) -> str:
        return html_display(self)

    def _repr_latex_(self) -> str:
        return latex_display(self)

    # ----- dense views -----
    @property
    def matrix(self) -> np.ndarray:
        """The dense numerator-layout matrix, prod(out_shape) × prod(in_shape), built on demand.

        Raises DenseLimitError where it would take more than :func:`dense_limit` bytes.
        """
        return self.dense()

    def dense(self, limit: int | None = None) -> np.ndarray:
        """The dense matrix, refused with DenseLimitError above ``limit`` bytes (default: the
        session's :func:`dense_limit`; else a positive whole number of bytes)."""
        if limit is not None:
            limit = checked_bytes(f"{type(self).__name__}.dense", "limit", limit)
        check_limit(self.symbol, *self.shape, self.dtype, limit)
        return self._dense()

    @property
    def tensor(self) -> np.ndarray:
        """The Jacobian as a tensor, out_shape + in_shape: ``reshape.unflatten(.matrix)`` in the
        order the matrix is flattened in (``vec_order``), so entry [i, j, k, l] is ∂Y[i, j]/∂X[k, l]
        whichever vec the matrix uses."""
        M, out, inn = self.matrix, self.out_shape or (1,), self.in_shape or (1,)
        T = unflatten(M, out, inn, self.vec_order, check=False)
        return T.reshape(self.out_shape + self.in_shape)

    def _dense(self) -> np.ndarray:
        raise NotImplementedError

    def _beyond(self, M: np.ndarray, arg: str, expected: str, what: str, hint: str) -> InputError:
        """The refusal of a dense form M made of finite numbers whose products left the float
        range: named by the operation that made this Jacobian, if any (never ±inf returned)."""
        count = M.size - int(np.isfinite(M).sum())
        return InputError(
            self.made_by or type(self).__name__,
            arg if self.made_by is None else "arguments",
            expected,
            f"{what}, {count} entries beyond it",
            hint,
        )

    def __array__(self, dtype=None, copy=None) -> np.ndarray:  # noqa: ANN001 - numpy protocol
        """``.matrix`` for numpy (``np.array(J)``, ``np.asarray(J)``), in ``dtype`` if given.

        ``copy=True`` (``np.array``): an array of its own, writable, sharing no memory with the
        Jacobian (a Dense's matrix may be your own W). ``copy=None`` (``np.asarray``): the
        matrix, read-only where it is a Dense's own. ``copy=False``: only a Dense's own matrix
        in its own dtype can be given without a copy; any other is built (or converted), so it
        is refused with a ValueError, as numpy asks.
        """
        if copy is False and (
            self.kind not in ("dense", "row")
            or (dtype is not None and np.dtype(dtype) != self.dtype)
        ):
            made = "built from its structure" if self.kind not in ("dense", "row") else "converted"
            raise InputError(
                f"{type(self).__name__}.__array__",
                "copy",
                "copy=None or True: a dense matrix that is not held must be made",
                f"copy=False, but the matrix of {self.symbol} ({self.kind}) would be {made}",
                "use np.asarray(J) or J.matrix",
            )
        M = self.matrix
        if dtype is not None and M.dtype != np.dtype(dtype):
            return M.astype(dtype)  # a new array, writable
        # Every array a Jacobian holds is shown read-only (a Dense's M, a product's factor
        # passed through by identities), and every matrix built is new and writable.
        return M.copy() if copy and not M.flags.writeable else M

    @staticmethod
    def dense_cost(s: Structure) -> int:
        """Multiply-adds to make ``.matrix``: none unless a subclass says otherwise."""
        return 0

    # ----- the structure's own arithmetic and its cost, defined by each subclass -----
    # ``left`` and ``right`` check M (a user's argument); the planner and a sum's terms call
    # ``_left`` and ``_right``, each subclass's own arithmetic, on matrices already checked.
    def left(self, M: np.ndarray) -> np.ndarray:
        """self · M for a dense 2-D M with prod(in_shape) rows (a list is converted)."""
        op = f"{type(self).__name__}.left"
        M = checked_operand(op, M, self.shape[1], None)
        return finite_result(op, self._left, M, self._gain("left"))

    def _left(self, M: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    @staticmethod
    def left_cost(s: Structure, k: int) -> int:
        """Multiply-adds of :meth:`left` on a matrix with k columns."""
        raise NotImplementedError

    def right(self, M: np.ndarray) -> np.ndarray:
        """M · self for a dense 2-D M with prod(out_shape) columns (a list is converted)."""
        op = f"{type(self).__name__}.right"
        M = checked_operand(op, M, None, self.shape[0])
        return finite_result(op, self._right, M, self._gain("right"))

    def _gain(self, side: str) -> float | None:
        """A bound on how much :meth:`left` (or :meth:`right`) can grow the largest entry, when
        it costs far less than the product; None (the default) has the result scanned."""
        return None

    def _right(self, M: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    @staticmethod
    def right_cost(s: Structure, k: int) -> int:
        """Multiply-adds of :meth:`right` on a matrix with k rows."""
        raise NotImplementedError

    def transpose(self) -> Jacobian:
        """The transposed map, in the same structure: out_shape and in_shape swap."""
        raise NotImplementedError

    @property
    def T(self) -> Jacobian:
        """The transpose, :meth:`transpose` (in the same vec order)."""
        J = self.transpose()
        if self.vec_order != J.vec_order:
            J.vec_order = self.vec_order
        return J

    # jacobians.compose, installed by _compose: it imports every structure, so this module
    # cannot import it without a cycle.
    _compose: ClassVar[Callable[[Jacobian, Jacobian], Jacobian]]

    def __matmul__(self, other: Jacobian) -> Jacobian:
        if not isinstance(other, Jacobian):
            return NotImplemented
        return self._compose(self, other)
