"""Sums of Jacobians: the lazy :class:`Sum`, and :func:`add_jacobians`, which keeps a structure.

Where a variable reaches an output along several paths, its Jacobian is the sum of the products
along them. :func:`add_jacobians` adds two Jacobians in a structure of their own where the
mathematics gives one (I + diag(d) = diag(1 + d), L ⊗ R₁ + L ⊗ R₂ = L ⊗ (R₁ + R₂), two batches of
blocks add block by block); a dense term makes the sum dense (it already holds that many numbers),
and anything else is kept as a :class:`Sum` of its terms, applied term by term and never made dense
unless ``.matrix`` is asked for.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import reduce
from operator import add
from typing import ClassVar

import numpy as np

from reshape import InputTypeError, ShapeError, describe

from ._jacobian import Jacobian, Structure, given_shapes
from ._kronecker import Factor, fdims
from ._limit import DenseLimitError
from ._structures import BlockDiagonal, Dense, Diagonal, Identity, Kronecker

__all__ = ["Sum", "add_jacobians"]


def _flat(terms: Iterable[Jacobian]) -> list[Jacobian]:
    """The terms with every nested Sum replaced by its own terms."""
    return [u for t in terms for u in (t.terms if isinstance(t, Sum) else (t,))]


class Sum(Jacobian):
    """J₁ + J₂ + …, kept as its terms (all of one shape), each applied in its own structure.

    Shapes: terms, each r×c -> out_shape and in_shape of the first term unless given (with r and
    c entries); ``.matrix`` is r×c.

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
        if isinstance(terms, Jacobian) or not isinstance(terms, Sequence):
            raise InputTypeError("Sum", "terms", "a sequence of Jacobians", describe(terms))
        for i, t in enumerate(terms):
            if not isinstance(t, Jacobian):
                raise InputTypeError("Sum", f"terms[{i}]", "a Jacobian", describe(t))
        flat = _flat(terms)
        if not flat:
            raise ShapeError("Sum", "terms", "at least one Jacobian", "none")
        first = flat[0]
        for i, t in enumerate(flat):
            if t.shape != first.shape:
                raise ShapeError(
                    "Sum",
                    f"term {i + 1}",
                    f"a {first.shape[0]}×{first.shape[1]} Jacobian, like term 1 ({first.symbol})",
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

    @property
    def dtype(self) -> np.dtype:
        return np.result_type(*[t.dtype for t in self.terms])

    def _structure_of(self) -> Structure:
        rows, cols = self.terms[0].shape
        return Structure(self.kind, rows, cols, terms=tuple(t.structure for t in self.terms))

    def _dense(self) -> np.ndarray:
        # Each term is the size of the sum, whose limit Jacobian.dense has checked.
        return reduce(add, (t._dense() for t in self.terms))

    @staticmethod
    def dense_cost(s: Structure) -> int:
        """The terms' dense forms, then one addition per entry for each term after the first."""
        terms = s.terms or ()
        made = sum(Sum.classes[t.kind].dense_cost(t) for t in terms)
        return made + (len(terms) - 1) * s.rows * s.cols

    def transpose(self) -> Sum:
        """(Σ Jᵢ)ᵀ = Σ Jᵢᵀ, each term in its own structure."""
        terms = [t.transpose() for t in self.terms]
        return Sum(terms, closed_form=None, latex=None)._as_transpose_of(self)

    def left(self, M: np.ndarray) -> np.ndarray:
        """Σ Jᵢ · M, one term at a time."""
        return reduce(add, (t.left(M) for t in self.terms))

    @staticmethod
    def left_cost(s: Structure, k: int) -> int:
        terms = s.terms or ()
        applied = sum(Sum.classes[t.kind].left_cost(t, k) for t in terms)
        return applied + (len(terms) - 1) * s.rows * k

    def right(self, M: np.ndarray) -> np.ndarray:
        """Σ M · Jᵢ, one term at a time."""
        return reduce(add, (t.right(M) for t in self.terms))

    @staticmethod
    def right_cost(s: Structure, k: int) -> int:
        terms = s.terms or ()
        applied = sum(Sum.classes[t.kind].right_cost(t, k) for t in terms)
        return applied + (len(terms) - 1) * k * s.cols


# ----- the sums that keep a structure -----
def _diagonal_of(J: Jacobian) -> np.ndarray | None:
    """The diagonal, flattened, of a Jacobian that is diagonal in its structure; else None."""
    if isinstance(J, Identity):
        return np.ones(J.shape[0], dtype=J.dtype)
    if isinstance(J, Diagonal):
        return J.diagonal
    if isinstance(J, Kronecker) and isinstance(J.L, int) and isinstance(J.R, int):
        return np.ones(J.shape[0])
    return None


def _as_kronecker(J: Jacobian, like: Kronecker) -> Kronecker | None:
    """J as a Kronecker product with the factor sizes of ``like``: I_ap = I_a ⊗ I_p."""
    if isinstance(J, Kronecker):
        return J
    (a, b, _), (p, q, _) = fdims(like.L), fdims(like.R)
    if isinstance(J, Identity) and a == b and p == q:
        return Kronecker(a, p)
    return None


def _same(F: Factor, G: Factor) -> bool:
    if isinstance(F, int) or isinstance(G, int):
        return F == G if isinstance(F, int) and isinstance(G, int) else False
    return F is G or (F.shape == G.shape and np.array_equal(F, G))


def _plus(F: Factor, G: Factor) -> np.ndarray:
    """F + G for Kronecker factors of one shape, an int k standing for I_k."""
    eye = lambda k: np.eye(k)
    return (eye(F) if isinstance(F, int) else F) + (eye(G) if isinstance(G, int) else G)


def _kron_plus(A: Kronecker, B: Kronecker) -> Kronecker | None:
    """L ⊗ R₁ + L ⊗ R₂ = L ⊗ (R₁ + R₂) and L₁ ⊗ R + L₂ ⊗ R = (L₁ + L₂) ⊗ R."""
    if fdims(A.L)[:2] != fdims(B.L)[:2] or fdims(A.R)[:2] != fdims(B.R)[:2]:
        return None
    same_l, same_r = _same(A.L, B.L), _same(A.R, B.R)
    # Both equal: 2(L ⊗ R), the 2 put into a factor that is a matrix already where there is one.
    if same_r and (not same_l or isinstance(A.R, int)):
        return Kronecker(_plus(A.L, B.L), A.R)
    if same_l:
        return Kronecker(A.L, _plus(A.R, B.R))
    return None


def _blocks_plus(A: Jacobian, B: Jacobian) -> BlockDiagonal | None:
    """Blocks of one size add block by block; a diagonal adds into the blocks' diagonals."""
    if isinstance(B, BlockDiagonal) and not isinstance(A, BlockDiagonal):
        A, B = B, A
    if not isinstance(A, BlockDiagonal):
        return None
    if isinstance(B, BlockDiagonal):
        return BlockDiagonal(A.B + B.B) if A.B.shape == B.B.shape else None
    d = _diagonal_of(B)
    if d is None:
        return None
    k, n, _ = A.B.shape  # entry (i, j) of the (n, k) batch sits on block j's diagonal at i
    blocks = A.B.astype(np.result_type(A.B, d), copy=True)
    blocks[:, np.arange(n), np.arange(n)] += d.reshape(n, k).T
    return BlockDiagonal(blocks)


def _combined(A: Jacobian, B: Jacobian) -> Jacobian | None:
    """A + B in one structure (a fresh object), or None where they have none in common."""
    if isinstance(A, Dense) or isinstance(B, Dense):
        try:
            return Dense(A.dense() + B.dense())
        except DenseLimitError:
            return None
    da, db = _diagonal_of(A), _diagonal_of(B)
    if da is not None and db is not None:
        return Diagonal(da + db)
    blocks = _blocks_plus(A, B)
    if blocks is not None:
        return blocks
    like = A if isinstance(A, Kronecker) else B if isinstance(B, Kronecker) else None
    if like is not None:
        ka, kb = _as_kronecker(A, like), _as_kronecker(B, like)
        if ka is not None and kb is not None:
            return _kron_plus(ka, kb)
    return None


def _joined(S: Jacobian, A: Jacobian, B: Jacobian) -> Jacobian:
    """Label the new sum S as A + B, with A's names and shapes."""
    cf, tex = f"{A.closed_form} + {B.closed_form}", f"{A.latex} + {B.latex}"
    return S.label(A.of, A.wrt, cf, tex, A.out_shape, A.in_shape)


def add_jacobians(A: Jacobian, B: Jacobian) -> Jacobian:
    """A + B, in a structure where the sum has one, else a :class:`Sum` of structured terms.

    identity or diagonal + identity or diagonal -> Diagonal; L ⊗ R₁ + L ⊗ R₂ -> L ⊗ (R₁ + R₂) (and
    I + I_a ⊗ R -> I_a ⊗ (I + R)); blocks + blocks of one size, or + a diagonal -> BlockDiagonal;
    dense + anything -> Dense within the dense limit; anything else -> Sum, nested sums flattened
    and each new term added into a term it has a structure in common with. The closed form is
    ``A + B``, the names and shapes A's.

    Shapes: A (r×c), B (r×c) -> r×c.

    >>> S = add_jacobians(Identity((2,)), Diagonal(np.array([1.0, 2.0])))
    >>> S.kind, S.d, S.closed_form
    ('diagonal', array([2., 3.]), 'I_2 + ∂f/∂x')
    """
    for name, J in (("A", A), ("B", B)):
        if not isinstance(J, Jacobian):
            raise InputTypeError("add_jacobians", name, "a Jacobian", describe(J))
    if A.shape != B.shape:
        raise ShapeError(
            "add_jacobians",
            "B",
            f"a {A.shape[0]}×{A.shape[1]} Jacobian, like A = {A.symbol}",
            f"{B.symbol}, {B.shape[0]}×{B.shape[1]}",
            "a sum needs both terms to map the same input to the same output",
        )
    terms, more = _flat([A]), _flat([B])
    if any(isinstance(t, Dense) for t in terms + more):
        try:  # a dense term holds as many numbers as the sum: add the rest into it
            return _joined(Dense(A.dense() + B.dense()), A, B)
        except DenseLimitError:
            pass  # over the limit: add what has a structure in common, keep the rest apart
    for t in more:
        for i, u in enumerate(terms):
            both = _combined(u, t)
            if both is not None:
                terms[i] = _joined(both, u, t)
                break
        else:
            terms.append(t)
    # One term left is a fresh object: B's terms were all added into A's single term.
    return _joined(terms[0] if len(terms) == 1 else Sum(terms), A, B)
