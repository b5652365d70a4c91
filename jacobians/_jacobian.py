"""The `Jacobian` type: a linear map with the structure the mathematics gives it.

A Jacobian ∂f/∂x of an output of shape ``out_shape`` with respect to an input of shape ``in_shape``
is, in numerator layout, the prod(out_shape) × prod(in_shape) matrix whose rows index the output's
entries and whose columns index the input's, both flattened row-major. It is kept in one of five
structures and made dense only when ``.matrix`` is asked for:

==============  ===============================  ===================================
structure       class                            example
==============  ===============================  ===================================
identity        :class:`Identity`                ∂z/∂b = I_n
diagonal        :class:`Diagonal`                ∂a/∂z = diag(σ′(z))
kronecker       :class:`Kronecker` (L ⊗ R)       ∂z/∂W = I_n ⊗ xᵀ
block-diagonal  :class:`BlockDiagonal`           a batch's ∂A/∂Z for softmax
dense           :class:`Dense` ("row" if 1×N)    ∂z/∂x = W, ∂C/∂a = (a − y)ᵀ
==============  ===============================  ===================================

Products keep the structure where it has a closed form (row · diagonal is the Hadamard product,
row · (I_n ⊗ xᵀ) is an outer product, a row times a block-diagonal is one product per sample) and
fall back to dense otherwise. Every product is planned by :func:`plan` from the structures alone,
so the multiply-add count that :func:`jacobians.chain_costs` reports is the count of what
:func:`compose` then does.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from math import prod
from typing import ClassVar, NamedTuple, TypeVar

import numpy as np

from reshape import InputError, ShapeError, unflatten

__all__ = [
    "BlockDiagonal",
    "Dense",
    "DenseLimitError",
    "Diagonal",
    "Identity",
    "Jacobian",
    "Kronecker",
    "Structure",
    "compose",
    "dense_limit",
    "plan",
    "set_dense_limit",
]

# ----- the limit on dense matrices -----
DEFAULT_DENSE_LIMIT = 2 * 1024**3  # bytes
_ENV = "JACOBIANS_DENSE_LIMIT"


def _limit_from_env() -> int:
    text = os.environ.get(_ENV)
    if not text:
        return DEFAULT_DENSE_LIMIT
    try:
        return int(float(text))
    except ValueError:
        raise InputError(_ENV, "environment", "a number of bytes such as 4e9", repr(text)) from None


_dense_limit = _limit_from_env()


def dense_limit() -> int:
    """The largest dense Jacobian, in bytes, that ``.matrix`` builds (default 2 GiB).

    Set it with :func:`set_dense_limit` or the environment variable ``JACOBIANS_DENSE_LIMIT``
    (read at import), or per call with ``J.dense(limit=...)``.
    """
    return _dense_limit


def set_dense_limit(nbytes: float | None) -> int:
    """Set the limit on dense Jacobians in bytes (None restores 2 GiB); returns the previous one.

    >>> previous = set_dense_limit(8 * 1024**3)
    >>> _ = set_dense_limit(previous)
    """
    global _dense_limit
    if nbytes is not None and (isinstance(nbytes, bool) or not float(nbytes) > 0):
        raise InputError("set_dense_limit", "nbytes", "a positive number of bytes", repr(nbytes))
    previous, _dense_limit = _dense_limit, int(nbytes or DEFAULT_DENSE_LIMIT)
    return previous


def _size(nbytes: float) -> str:
    for unit in ("bytes", "KiB", "MiB", "GiB", "TiB"):
        if nbytes < 1024 or unit == "TiB":
            return f"{nbytes:.0f} {unit}" if unit == "bytes" else f"{nbytes:.1f} {unit}"
        nbytes /= 1024
    raise AssertionError


class DenseLimitError(MemoryError):
    """Building a dense Jacobian would take more memory than the limit allows."""


def _check_limit(what: str, rows: int, cols: int, dtype: np.dtype, limit: int | None) -> None:
    limit = _dense_limit if limit is None else limit
    need = rows * cols * np.dtype(dtype).itemsize
    if need > limit:
        raise DenseLimitError(
            f"{what}: the dense {rows}×{cols} matrix ({np.dtype(dtype)}) would take {_size(need)},"
            f" over the limit of {_size(limit)}.\n Raise it for one call with J.dense(limit=...),"
            f" for the session with jacobians.set_dense_limit(nbytes), or with the environment"
            f" variable {_ENV}; or keep the Jacobian structured (J.left, J.right, chain)."
        )


_J = TypeVar("_J", bound="Jacobian")

# A Kronecker factor is a 2-D array or an int k meaning the identity I_k.
Factor = np.ndarray | int


def _fdims(F: Factor) -> tuple[int, int, bool]:
    """(rows, cols, is_identity) of a Kronecker factor."""
    return (F, F, True) if isinstance(F, int) else (F.shape[0], F.shape[1], False)


def _given_shapes(
    op: str,
    out_shape: Sequence[int] | None,
    in_shape: Sequence[int] | None,
    default: tuple[tuple[int, ...], tuple[int, ...]],
    expected: Callable[[], str],
) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """(out_shape, in_shape), each None replaced by its default; refused unless each has as many
    entries as its default (a structure's matrix may stand for any shapes of those sizes).
    ``expected`` is worded only for the error: every gradient builds Kronecker factors."""
    out = default[0] if out_shape is None else tuple(out_shape)
    inn = default[1] if in_shape is None else tuple(in_shape)
    if prod(out) != prod(default[0]) or prod(inn) != prod(default[1]):
        raise ShapeError(op, "out_shape/in_shape", expected(), f"out_shape {out}, in_shape {inn}")
    return out, inn


def _squeezed(shape: tuple[int, ...]) -> tuple[int, ...]:
    return tuple(s for s in shape if s != 1)


def _fmt(shape: tuple[int, ...]) -> str:
    return "×".join(map(str, shape)) if shape else "scalar"


class Structure(NamedTuple):
    """What the product planner needs to know of a Jacobian: its kind and dimensions, no data."""

    kind: str
    rows: int
    cols: int
    left: tuple[int, int, bool] | None = None  # Kronecker L: (rows, cols, is_identity)
    right: tuple[int, int, bool] | None = None  # Kronecker R
    block: int | None = None  # block-diagonal: the size n of each sample's n×n block


class Jacobian:
    """The derivative ∂of/∂wrt as a structured linear map (abstract; see the four subclasses).

    Attributes:
        out_shape: shape of the differentiated output.
        in_shape: shape of the input it is differentiated by.
        of, wrt: names of output and input, giving the symbol ``∂of/∂wrt``.
        closed_form, latex: the closed form as text (``I_n ⊗ xᵀ``) and as LaTeX.

    Shapes: ``.matrix`` is (prod(out_shape), prod(in_shape)); ``.tensor`` is out_shape + in_shape.
    """

    kind: ClassVar[str] = "abstract"

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
        self.out_shape = tuple(map(int, out_shape))
        self.in_shape = tuple(map(int, in_shape))
        self.of, self.wrt = of, wrt
        # A label is a string, None (the symbol), or for a product the pair of its factors' labels,
        # rendered on first use: a chain pays for no text it does not show, and a product keeps
        # its factors' labels, never the factors themselves (their matrices can be freed).
        self._cf: _Label = closed_form
        self._tex: _Label = latex

    # ----- shape and labels -----
    @property
    def shape(self) -> tuple[int, int]:
        """(rows, cols) of the matrix: (prod(out_shape), prod(in_shape))."""
        return (prod(self.out_shape), prod(self.in_shape))

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
            self._cf = _render(self._cf, " · ", _wrap)
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
            self._tex = _render(self._tex, r" \, ", _wrap_latex)
        return self._tex

    @latex.setter
    def latex(self, text: str | None) -> None:
        self._tex = text

    def _label_node(self) -> tuple[_Label, _Label]:
        """What a product keeps of this factor: its labels (strings or pairs), no data."""
        cf = self.symbol if self._cf is None else self._cf
        return cf, self.latex if self._tex is None else self._tex

    @property
    def structure(self) -> Structure:
        s = self.__dict__.get("_structure")
        if s is None:
            s = self.__dict__["_structure"] = self._structure_of()
        return s

    def _structure_of(self) -> Structure:
        return Structure(self.kind, *self.shape)

    @property
    def dtype(self) -> np.dtype:
        raise NotImplementedError

    def labelled(
        self, of: str, wrt: str, closed_form: str | None = None, latex: str | None = None
    ) -> Jacobian:
        """A copy with other labels (same numbers, same structure)."""
        new = self._copy()
        new.of, new.wrt, new._cf, new._tex = of, wrt, closed_form, latex
        return new

    def _copy(self) -> Jacobian:
        new = object.__new__(type(self))
        new.__dict__.update(self.__dict__)
        return new

    def __repr__(self) -> str:
        return (
            f"<{type(self).__name__} {self.symbol} = {self.closed_form}: "
            f"{self.shape[0]}×{self.shape[1]} ({_fmt(self.out_shape)} by {_fmt(self.in_shape)})>"
        )

    # ----- dense views -----
    @property
    def matrix(self) -> np.ndarray:
        """The dense numerator-layout matrix, prod(out_shape) × prod(in_shape), built on demand.

        Raises DenseLimitError where it would take more than :func:`dense_limit` bytes.
        """
        return self.dense()

    def dense(self, limit: int | None = None) -> np.ndarray:
        """The dense matrix, refused with DenseLimitError above ``limit`` bytes (default: the
        session's :func:`dense_limit`)."""
        if self.kind not in ("dense", "row"):
            _check_limit(self.symbol, *self.shape, self.dtype, limit)
        return self._dense()

    @property
    def tensor(self) -> np.ndarray:
        """The Jacobian as a tensor, out_shape + in_shape: ``reshape.unflatten(.matrix)``."""
        M, out, inn = self.matrix, self.out_shape or (1,), self.in_shape or (1,)
        return unflatten(M, out, inn, check=False).reshape(self.out_shape + self.in_shape)

    def _dense(self) -> np.ndarray:
        raise NotImplementedError

    def __array__(self, dtype=None, copy=None) -> np.ndarray:  # noqa: ANN001 - numpy protocol
        return self.matrix if dtype is None else self.matrix.astype(dtype)

    # ----- action on dense matrices (what products fall back to) -----
    def left(self, M: np.ndarray) -> np.ndarray:
        """self · M for a dense M with prod(in_shape) rows."""
        raise NotImplementedError

    def right(self, M: np.ndarray) -> np.ndarray:
        """M · self for a dense M with prod(out_shape) columns."""
        raise NotImplementedError

    def __matmul__(self, other: Jacobian) -> Jacobian:
        if not isinstance(other, Jacobian):
            return NotImplemented
        return compose(self, other)


class Identity(Jacobian):
    """The identity I_n on an array of shape ``shape`` (n = prod(shape))."""

    kind = "identity"

    def __init__(self, shape: Sequence[int], dtype: np.dtype = np.float64, **labels: str) -> None:
        shape = tuple(shape)
        n = prod(shape)
        labels.setdefault("closed_form", f"I_{n}")
        labels.setdefault("latex", f"I_{{{n}}}")
        super().__init__(shape, shape, **labels)
        self._dtype = np.dtype(dtype)

    @property
    def dtype(self) -> np.dtype:
        return self._dtype

    def _dense(self) -> np.ndarray:
        return np.eye(self.shape[0], dtype=self._dtype)

    def left(self, M: np.ndarray) -> np.ndarray:
        return M

    def right(self, M: np.ndarray) -> np.ndarray:
        return M


class Diagonal(Jacobian):
    """diag(d) on an array of the shape of ``d``: the Jacobian of every elementwise map."""

    kind = "diagonal"

    def __init__(self, d: np.ndarray, **labels: str) -> None:
        super().__init__(d.shape, d.shape, **labels)
        self.d = d

    @property
    def dtype(self) -> np.dtype:
        return self.d.dtype

    @property
    def diagonal(self) -> np.ndarray:
        """The diagonal, flattened row-major."""
        return self.d.reshape(-1)

    def _dense(self) -> np.ndarray:
        return np.diag(self.diagonal)

    def left(self, M: np.ndarray) -> np.ndarray:
        return self.diagonal[:, None] * M

    def right(self, M: np.ndarray) -> np.ndarray:
        return M * self.diagonal


class Kronecker(Jacobian):
    """L ⊗ R, each factor a matrix or an int k standing for I_k; rows a·p, columns b·q.

    ∂z/∂W for z = Wx + b is ``Kronecker(n, x[None, :])`` = I_n ⊗ xᵀ (row-major vec), and its action
    on a row g is the outer product: gᵀ(I_n ⊗ xᵀ) = vec(g xᵀ)ᵀ.
    """

    kind = "kronecker"

    def __init__(
        self,
        L: Factor,
        R: Factor,
        out_shape: Sequence[int] | None = None,
        in_shape: Sequence[int] | None = None,
        **labels: str,
    ) -> None:
        left, right = _fdims(L), _fdims(R)
        (a, b, _), (p, q, _) = left, right
        out_shape, in_shape = _given_shapes(
            "Kronecker",
            out_shape,
            in_shape,
            ((a * p,), (b * q,)),
            lambda: f"{a * p} outputs and {b * q} inputs for L {a}×{b} ⊗ R {p}×{q}",
        )
        super().__init__(out_shape, in_shape, **labels)
        self.L, self.R = L, R
        self._structure = Structure(self.kind, a * p, b * q, left, right)

    @property
    def dtype(self) -> np.dtype:
        arrays = [F for F in (self.L, self.R) if not isinstance(F, int)]
        return np.result_type(*arrays) if arrays else np.dtype(np.float64)

    def _structure_of(self) -> Structure:
        L, R = _fdims(self.L), _fdims(self.R)
        return Structure(self.kind, L[0] * R[0], L[1] * R[1], L, R)

    def _dense(self) -> np.ndarray:
        (a, b, li), (p, q, ri) = _fdims(self.L), _fdims(self.R)
        if li or ri:
            # I_a ⊗ R (or L ⊗ I_p): write only the non-zero blocks into zeroed memory.
            out = np.zeros((a, p, b, q), dtype=self.dtype)
            if li:
                idx = np.arange(a)
                out[idx, :, idx, :] = self.R if not ri else np.eye(p, dtype=self.dtype)
            else:
                idx = np.arange(p)
                out[:, idx, :, idx] = self.L  # advanced axes first: (p, a, b) gets L broadcast
            return out.reshape(a * p, b * q)
        return np.kron(self.L, self.R)

    def left(self, M: np.ndarray) -> np.ndarray:
        s = self.structure
        (a, b, li), (p, q, ri) = s.left, s.right  # type: ignore[misc]
        k = M.shape[1]
        X = M.reshape(b, q, k)
        if li and ri:
            return M
        if li:
            return _apply_R_left(self.R, X).reshape(a * p, k)
        if ri:
            return _apply_L_left(self.L, X).reshape(a * p, k)
        if _left_l_first(a, b, p, q):
            return _apply_R_left(self.R, _apply_L_left(self.L, X)).reshape(a * p, k)
        return _apply_L_left(self.L, _apply_R_left(self.R, X)).reshape(a * p, k)

    def right(self, M: np.ndarray) -> np.ndarray:
        s = self.structure
        (a, b, li), (p, q, ri) = s.left, s.right  # type: ignore[misc]
        k = M.shape[0]
        if li and ri:
            return M
        if li:  # M · (I_a ⊗ R): each block of p columns times R (a gradient's δXᵀ and δ1_d)
            return _mm(M.reshape(k * a, p), self.R).reshape(k, b * q)
        if ri and k == 1:  # a row times L ⊗ I_p: Lᵀ · (the row as a×p), a batch's W ⊗ I_d
            return _mm(self.L.T, M.reshape(a, p)).reshape(1, b * q)
        G = M.reshape(k, a, p)
        if ri:
            return _apply_L_right(self.L, G).reshape(k, b * q)
        if _right_l_first(a, b, p, q):
            return _apply_R_right(self.R, _apply_L_right(self.L, G)).reshape(k, b * q)
        return _apply_L_right(self.L, _apply_R_right(self.R, G)).reshape(k, b * q)


def _mm(A: np.ndarray, B: np.ndarray) -> np.ndarray:
    """A @ B; an outer product (inner size 1) as a broadcast multiply, twice as fast as BLAS."""
    return A * B if A.shape[1] == 1 else A @ B


# Each apply is one BLAS call on a reshaped view; its multiply-adds are counted in _left_cost and
# _right_cost below. X is (b, q, k) for (L ⊗ R)·X, G is (k, a, p) for G·(L ⊗ R).
def _apply_L_left(L: np.ndarray, X: np.ndarray) -> np.ndarray:
    """Y[a, q, k] = Σ_b L[a, b] X[b, q, k]: a·b·q·k multiply-adds."""
    b, q, k = X.shape
    return _mm(L, X.reshape(b, q * k)).reshape(L.shape[0], q, k)


def _apply_R_left(R: np.ndarray, X: np.ndarray) -> np.ndarray:
    """Y[b, p, k] = Σ_q R[p, q] X[b, q, k]: b·p·q·k multiply-adds."""
    b, q, k = X.shape
    Y = _mm(R, X.transpose(1, 0, 2).reshape(q, b * k))
    return Y.reshape(R.shape[0], b, k).transpose(1, 0, 2)


def _apply_L_right(L: np.ndarray, G: np.ndarray) -> np.ndarray:
    """Y[k, b, p] = Σ_a G[k, a, p] L[a, b]: k·a·b·p multiply-adds."""
    k, a, p = G.shape
    Y = _mm(L.T, G.transpose(1, 0, 2).reshape(a, k * p))
    return Y.reshape(L.shape[1], k, p).transpose(1, 0, 2)


def _apply_R_right(R: np.ndarray, G: np.ndarray) -> np.ndarray:
    """Y[k, a, q] = Σ_p G[k, a, p] R[p, q]: k·a·p·q multiply-adds."""
    k, a, p = G.shape
    return _mm(G.reshape(k * a, p), R).reshape(k, a, R.shape[1])


class BlockDiagonal(Jacobian):
    """One n×n block per sample of a batch Z (n, d): J[(i, j), (k, l)] = δ_jl B[j, i, k].

    Over the row-major vec of Z (entry (i, j) at i·d + j) this is Σ_j B_j ⊗ e_j e_jᵀ, block-diagonal
    once the entries are ordered sample by sample: a batch's softmax Jacobian, whose d blocks are
    diag(a) − a aᵀ of each column. It keeps d·n² numbers where the dense matrix has (nd)².

    Shapes: B (d, n, n) -> out_shape = in_shape = (n, d) unless given (with n·d entries);
    ``.matrix`` is nd×nd.
    """

    kind = "block-diagonal"

    def __init__(
        self,
        B: np.ndarray,
        out_shape: Sequence[int] | None = None,
        in_shape: Sequence[int] | None = None,
        **labels: str,
    ) -> None:
        if B.ndim != 3 or B.shape[1] != B.shape[2]:
            raise ShapeError(
                "BlockDiagonal", "B", "d square blocks, shape (d, n, n)", f"shape {B.shape}"
            )
        d, n, _ = B.shape
        out_shape, in_shape = _given_shapes(
            "BlockDiagonal",
            out_shape,
            in_shape,
            ((n, d), (n, d)),
            lambda: f"{n * d} entries each for {d} blocks of {n}×{n}",
        )
        super().__init__(out_shape, in_shape, **labels)
        self.B = B

    @property
    def dtype(self) -> np.dtype:
        return self.B.dtype

    def _structure_of(self) -> Structure:
        d, n, _ = self.B.shape
        return Structure(self.kind, n * d, n * d, block=n)

    def _dense(self) -> np.ndarray:
        d, n, _ = self.B.shape
        J = np.zeros((n, d, n, d), dtype=self.dtype)  # only the d blocks are written
        k = np.arange(d)
        J[:, k, :, k] = self.B  # advanced axes first: J[:, k, :, k] has shape (d, n, n)
        return J.reshape(n * d, n * d)

    def left(self, M: np.ndarray) -> np.ndarray:
        """Y[(i, j), c] = Σ_k B[j, i, k] M[(k, j), c]: one batched product, d·n²·c multiply-adds."""
        d, n, _ = self.B.shape
        c = M.shape[1]
        Y = self.B @ M.reshape(n, d, c).transpose(1, 0, 2)  # (d, n, c)
        return Y.transpose(1, 0, 2).reshape(n * d, c)

    def right(self, M: np.ndarray) -> np.ndarray:
        """Y[r, (k, j)] = Σ_i M[r, (i, j)] B[j, i, k]: one batched product, r·d·n² multiply-adds."""
        d, n, _ = self.B.shape
        r = M.shape[0]
        Y = M.reshape(r, n, d).transpose(2, 0, 1) @ self.B  # (d, r, n)
        return Y.transpose(1, 2, 0).reshape(r, n * d)


class Dense(Jacobian):
    """A dense matrix; called a row when it has one row (the Jacobian of a scalar cost)."""

    def __init__(
        self,
        M: np.ndarray,
        out_shape: Sequence[int] | None = None,
        in_shape: Sequence[int] | None = None,
        **labels: str,
    ) -> None:
        M = M if M.ndim == 2 else M.reshape(1, -1)
        out_shape = (M.shape[0],) if out_shape is None else tuple(out_shape)
        in_shape = (M.shape[1],) if in_shape is None else tuple(in_shape)
        if (prod(out_shape), prod(in_shape)) != M.shape:
            raise ShapeError(
                "Dense",
                "M",
                f"a {prod(out_shape)}×{prod(in_shape)} matrix for {out_shape} by {in_shape}",
                f"shape {M.shape}",
            )
        super().__init__(out_shape, in_shape, **labels)
        self.M = M

    @property
    def kind(self) -> str:  # type: ignore[override]
        return "row" if self.M.shape[0] == 1 else "dense"

    def _structure_of(self) -> Structure:
        return Structure("dense", *self.M.shape)

    @property
    def dtype(self) -> np.dtype:
        return self.M.dtype

    @property
    def matrix(self) -> np.ndarray:
        return self.M  # nothing to build, so no limit to check

    def _dense(self) -> np.ndarray:
        return self.M

    def left(self, M: np.ndarray) -> np.ndarray:
        return self.M @ M

    def right(self, M: np.ndarray) -> np.ndarray:
        return M @ self.M


# ----- the product planner: one table of (structure, structure) -> cost, result, method -----


def _left_l_first(a: int, b: int, p: int, q: int) -> bool:
    """For (L ⊗ R)·X with two general factors: is applying L first the cheaper way?"""
    return a * b * q + a * p * q <= b * p * q + a * b * p


def _right_l_first(a: int, b: int, p: int, q: int) -> bool:
    """For G·(L ⊗ R) with two general factors: is applying L first the cheaper way?"""
    return a * b * p + b * p * q <= a * p * q + a * b * q


def _left_cost(s: Structure, k: int) -> int:
    """Multiply-adds of (L ⊗ R) · M for M with k columns, as Kronecker.left does it."""
    (a, b, li), (p, q, ri) = s.left, s.right  # type: ignore[misc]
    if li and ri:
        return 0
    if li:
        return b * p * q * k
    if ri:
        return a * b * q * k
    return min(a * b * q + a * p * q, b * p * q + a * b * p) * k


def _right_cost(s: Structure, k: int) -> int:
    """Multiply-adds of M · (L ⊗ R) for M with k rows, as Kronecker.right does it."""
    (a, b, li), (p, q, ri) = s.left, s.right  # type: ignore[misc]
    if li and ri:
        return 0
    if li:
        return k * a * p * q
    if ri:
        return k * a * b * p
    return min(a * b * p + b * p * q, a * p * q + a * b * q) * k


def _dense_cost(s: Structure) -> int:
    """Multiply-adds to materialise: only a Kronecker product of two general factors multiplies."""
    if s.kind == "kronecker" and not (s.left[2] or s.right[2]):  # type: ignore[index]
        return s.rows * s.cols
    return 0


def _factor_product(F: tuple[int, int, bool], G: tuple[int, int, bool]) -> tuple[int, tuple]:
    (a, b, fi), (_, c, gi) = F, G
    if fi:
        return 0, G
    if gi:
        return 0, F
    return a * b * c, (a, c, False)


def plan(sa: Structure, sb: Structure) -> tuple[int, Structure, str]:
    """Plan A · B from structures alone: (multiply-adds, structure of the product, method).

    The method names the routine :func:`compose` runs, so the cost is the cost of what is done.
    """
    r, c = sa.rows, sb.cols
    ka, kb = sa.kind, sb.kind
    if ka == "identity":
        return 0, sb, "keep_right"
    if kb == "identity":
        return 0, sa, "keep_left"
    if ka == "diagonal" and kb == "diagonal":
        return r, sa, "diag_diag"
    if ka == "block-diagonal" and kb == "block-diagonal" and sa.block == sb.block:
        return r * sa.block * sa.block, sa, "blocks_blocks"  # type: ignore[operator]
    if ka == "dense" and kb == "block-diagonal":  # a row times a batch's softmax Jacobian
        return r * sb.rows * sb.block, Structure("dense", r, c), "blocks_right"  # type: ignore[operator]
    if ka == "block-diagonal" and kb == "dense":
        return sa.rows * sa.block * c, Structure("dense", r, c), "blocks_left"  # type: ignore[operator]
    if ka == "kronecker" and kb == "kronecker":
        (_, b1, _), (_, q1, _) = sa.left, sa.right  # type: ignore[misc]
        (a2, _, _), (p2, _, _) = sb.left, sb.right  # type: ignore[misc]
        if b1 == a2 and q1 == p2:
            cl, L = _factor_product(sa.left, sb.left)  # type: ignore[arg-type]
            cr, R = _factor_product(sa.right, sb.right)  # type: ignore[arg-type]
            return cl + cr, Structure("kronecker", r, c, left=L, right=R), "kron_kron"
        return _dense_cost(sb) + _left_cost(sa, c), Structure("dense", r, c), "kron_left"
    if ka == "diagonal":
        return _dense_cost(sb) + sb.rows * c, Structure("dense", r, c), "diag_left"
    if kb == "diagonal":
        return _dense_cost(sa) + r * sa.cols, Structure("dense", r, c), "diag_right"
    if kb == "kronecker":  # ka dense
        return _right_cost(sb, r), Structure("dense", r, c), "kron_right"
    if ka == "kronecker":  # kb dense
        return _left_cost(sa, c), Structure("dense", r, c), "kron_left"
    return r * sa.cols * c, Structure("dense", r, c), "dense_dense"


_Method = Callable[["Jacobian", "Jacobian"], "Jacobian"]


def _bare(cls: type[_J], **data: object) -> _J:
    """A ``cls`` holding ``data`` and nothing else, unchecked: a product's factors were checked
    when they were made, and :func:`compose` sets its shapes and labels itself."""
    J = object.__new__(cls)
    J.__dict__.update(data)
    return J


def _kron_kron(A: Kronecker, B: Kronecker) -> Kronecker:
    def mul(F: Factor, G: Factor) -> Factor:
        return G if isinstance(F, int) else F if isinstance(G, int) else F @ G

    return _bare(Kronecker, L=mul(A.L, B.L), R=mul(A.R, B.R))


_METHODS: dict[str, _Method] = {
    "keep_right": lambda A, B: B._copy(),
    "keep_left": lambda A, B: A._copy(),
    "diag_diag": lambda A, B: _bare(Diagonal, d=A.d * B.d.reshape(A.d.shape)),  # type: ignore[attr-defined]
    "kron_kron": _kron_kron,  # type: ignore[dict-item]
    "blocks_blocks": lambda A, B: _bare(BlockDiagonal, B=A.B @ B.B),  # type: ignore[attr-defined]
    "blocks_left": lambda A, B: _bare(Dense, M=A.left(B.matrix)),
    "blocks_right": lambda A, B: _bare(Dense, M=B.right(A.matrix)),
    "kron_left": lambda A, B: _bare(Dense, M=A.left(B.matrix)),
    "kron_right": lambda A, B: _bare(Dense, M=B.right(A.matrix)),
    "diag_left": lambda A, B: _bare(Dense, M=A.left(B.matrix)),
    "diag_right": lambda A, B: _bare(Dense, M=B.right(A.matrix)),
    "dense_dense": lambda A, B: _bare(Dense, M=A.matrix @ B.matrix),
}


def _wrap(text: str) -> str:
    """Parenthesise a closed form that is a sum or a Kronecker product, for a readable product."""
    depth = 0
    for ch in text:
        depth += ch in "([{"
        depth -= ch in ")]}"
        if depth == 0 and ch in "+−-⊗":
            return f"({text})"
    return text


def _wrap_latex(text: str) -> str:
    return rf"\left({text}\right)" if any(t in text for t in ("+", "-", r"\otimes")) else text


_Label = str | tuple | None


def _render(node: _Label, sep: str, wrap: Callable[[str], str]) -> str:
    """A product's label: its factors' labels, each parenthesised where needed, joined by sep."""
    if isinstance(node, str):
        return node
    return sep.join(wrap(_render(part, sep, wrap)) for part in node)  # type: ignore[union-attr]


def meets(A: Jacobian, B: Jacobian) -> bool:
    """Whether B's output is A's input: the same shape, or the same up to axes of size 1."""
    if A.in_shape == B.out_shape:
        return True
    return A.shape[1] == B.shape[0] and _squeezed(A.in_shape) == _squeezed(B.out_shape)


def _dtype(A: Jacobian, B: Jacobian) -> np.dtype:
    return np.result_type(A.dtype, B.dtype)


def compose(A: Jacobian, B: Jacobian) -> Jacobian:
    """A · B: the Jacobian of the composition, keeping structure where the product has one.

    A's input must be B's output: the same number of entries, and the same shape up to axes of
    size 1 (so a column (n, 1) meets a vector (n,)).

    Shapes: (p × n) · (n × m) -> (p × m), with out_shape of A and in_shape of B.
    """
    if A.in_shape != B.out_shape and not meets(A, B):  # the common case without a call
        raise ShapeError(
            "compose",
            "B",
            f"a factor whose output ({A.wrt}) has A's input shape {A.in_shape} "
            f"({A.shape[1]} entries), to follow A = {A.symbol} ({A.shape[0]}×{A.shape[1]})",
            f"B = {B.symbol} ({B.shape[0]}×{B.shape[1]}) with output shape {B.out_shape}",
            "the inner sizes of a product must meet: check the order of the factors",
        )
    _, result, method = plan(A.structure, B.structure)
    if result.kind == "dense" and result.rows * result.cols * 16 > _dense_limit:
        _check_limit(f"{A.symbol} · {B.symbol}", result.rows, result.cols, _dtype(A, B), None)
    P = _METHODS[method](A, B)  # a fresh object: label it in place
    (a_cf, a_tex), (b_cf, b_tex) = A._label_node(), B._label_node()
    P.of, P.wrt, P._cf, P._tex = A.of, B.wrt, (a_cf, b_cf), (a_tex, b_tex)
    P.out_shape, P.in_shape = A.out_shape, B.in_shape
    P._structure = result  # what the plan made (tests hold it equal to P's own _structure_of)
    return P
