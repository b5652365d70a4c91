"""Scaled dot-product attention, tokens as columns: O = V softmax(KᵀQ/√d_k), with an optional
causal mask.

Q (k, s) holds s queries, K (k, t) and V (v, t) t keys and their values; S = KᵀQ/√d_k is t×s,
and P = softmax of each COLUMN of S (column j: query j's weights over the keys), so O = V P is
v×s, one column per query. With the row-major vec of this project:

- ∂O/∂V = I_v ⊗ Pᵀ (vec(V P) = (I ⊗ Pᵀ) vec V), a Kronecker product;
- ∂O/∂Q = (V ⊗ I_s) J (Kᵀ ⊗ I_s)/√d_k, with J the Jacobian of softmax's columns, diag(p_j) −
  p_j p_jᵀ for column j: column j of O depends on column j of Q alone (dense, it is one v×k
  block V J_j Kᵀ/√d_k per query, block-diagonal over the queries);
- ∂O/∂K = (V ⊗ I_s) J (I_t ⊗ Qᵀ) K_(k,t)/√d_k, K_(k,t) the commutation matrix: every query's
  output moves with every key (dense, no block is zero), a coupling only attention has.

Both are kept as those products (:class:`~jacobians.Product`): a row through one costs
s·t·(v + k) multiply-adds and a few s·t more, what backprop's steps cost, where the dense
matrices would cost v·s·k·s and v·s·k·t to build and as much to apply.

The causal mask keeps key i from query j where i > j (it needs t = s): those entries of S are
−inf before the softmax, so P[i, j] = 0 exactly and no NaN arises (every column keeps key 0).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from reshape import InputError, ShapeError

from ._activations import stable_softmax
from ._checks import finite_product, finite_result, matrix, quiet, scalar_as
from ._jacobian import Jacobian
from ._kronecker import Kronecker
from ._lowrank import DiagonalPlusLowRank
from ._permutation import Permutation
from ._product import Product
from ._registry import Context, operation

__all__ = ["AttentionContext", "attention", "causal_mask"]


@dataclass(slots=True)
class AttentionContext(Context):
    """attention's context: Q (k, s), K (k, t), V (v, t), the masked scores S (t, s; −inf where
    masked), the weights P = softmax of S's columns, the scale 1/√d_k and the mask flag."""

    Q: np.ndarray
    K: np.ndarray
    V: np.ndarray
    S: np.ndarray
    P: np.ndarray
    scale: float
    causal: bool
    # the factors ∂O/∂Q and ∂O/∂K share, V ⊗ I_s and the softmax's J, made once per context
    shared: tuple[Jacobian, Jacobian] | None = field(default=None, repr=False, compare=False)


def causal_mask(t: int, s: int) -> np.ndarray:
    """The keys each query may see under the causal mask, (t, s): key i for query j where i ≤ j.

    >>> causal_mask(3, 3).astype(int)
    array([[1, 1, 1],
           [0, 1, 1],
           [0, 0, 1]])
    """
    return np.arange(t)[:, None] <= np.arange(s)[None, :]


@quiet  # S may be huge (its softmax is stable) and V P is tested by the caller
def _attention_context(
    Q: np.ndarray, K: np.ndarray, V: np.ndarray, causal: bool = False, KtQ: np.ndarray | None = None
) -> AttentionContext:
    """The context of checked 2-D Q, K, V (KᵀQ if computed): what ``unchecked`` returns."""
    scale = 1 / math.sqrt(Q.shape[0])  # a Python float: float32 stays float32
    S = (K.T @ Q if KtQ is None else KtQ) * scale
    if causal:
        S = np.where(causal_mask(*S.shape), S, -np.inf)  # exp(−inf − max) is exactly 0
    P = stable_softmax(S)
    given = {"Q": Q, "K": K, "V": V}
    return AttentionContext(V @ P, given, Q, K, V, S, P, scale, causal)


def _draw(r: np.random.Generator, n: int, m: int, d: int, bt: bool) -> dict[str, np.ndarray]:
    """k = n, v = m, s = d queries; t = d keys, or d + 2 for a batch (t ≠ s is allowed)."""
    t = d + 2 if bt else d
    return {
        "Q": r.normal(size=(n, d)),
        "K": r.normal(size=(n, t)),
        "V": r.normal(size=(m, t)),
    }


@operation(
    "attention",
    "O",
    "O = $V softmax($Kᵀ$Q/√d_k)",
    r"O = $V \operatorname{softmax}\left($K^{\top} $Q/\sqrt{d_k}\right)",
    {"Q": "k×s", "K": "k×t", "V": "v×t"},
    "v×s",
    _draw,
    options={"causal": False},
    unchecked=lambda Q, K, V, causal=False: _attention_context(Q, K, V, causal),
)
def attention(
    Q: np.ndarray, K: np.ndarray, V: np.ndarray, causal: bool = False
) -> AttentionContext:
    """Scaled dot-product attention O = V softmax(KᵀQ/√d_k), the softmax down each column of
    scores (one column per query), with its Jacobians with respect to Q, K and V.

    ``causal=True`` lets query j see keys 0…j only (it needs as many keys as queries).

    Shapes: Q (k, s), K (k, t), V (v, t) -> O (v, s), with k = d_k; ∂O/∂Q is vs×ks
    (block-diagonal, one v×k block per query), ∂O/∂K is vs×kt (dense), ∂O/∂V is vs×vt
    (I_v ⊗ Pᵀ). A scalar is a 1×1 matrix.

    >>> r = attention(np.eye(2), np.eye(2), np.array([[1.0, 3.0]]), causal=True)
    >>> r.value  # query 0 sees key 0 only
    array([[1.        , 2.33023845]])
    >>> [r.jacobians[w].kind for w in ("Q", "K", "V")]
    ['block-diagonal', 'dense', 'kronecker']
    """
    if not isinstance(causal, (bool, np.bool_)):
        raise InputError("attention", "causal", "True or False", repr(causal))
    # Q and K are checked finite through KᵀQ below; V in full (it is the smallest of the work)
    Q, K, V = (matrix("attention", a, scalar_as(x, (1, 1)), finite=a == "V") for a, x in
               (("Q", Q), ("K", K), ("V", V)))  # fmt: skip
    (k, s), t = Q.shape, K.shape[1]
    if K.shape[0] != k:
        raise ShapeError(
            "attention",
            "K",
            f"shape ({k}, t): as many rows (d_k = {k}) as Q",
            f"shape {K.shape}",
            "queries and keys are the columns of Q and K, of one length d_k",
        )
    if V.shape[1] != t:
        raise ShapeError(
            "attention",
            "V",
            f"shape (v, {t}): one column per key (column of K)",
            f"shape {V.shape}",
        )
    if causal and t != s:
        raise ShapeError(
            "attention",
            "K",
            f"as many keys as queries ({s}) for causal=True",
            f"{t} keys (shape {K.shape})",
            "the causal mask lets query j see keys 0…j of one sequence",
        )
    KtQ = finite_product("attention", ("K", K.T), ("Q", Q))
    c = _attention_context(Q, K, V, bool(causal), KtQ)
    finite_result("attention", "V", "product O = V P", c.value, {"V": V})
    return c


def _through_scores(c: AttentionContext, S_by: Jacobian, *rest: Jacobian) -> Jacobian:
    """(V ⊗ I_s) · J · ∂S/∂(Q or K), kept as a product: O = V P is linear in P (V ⊗ I_s), P is
    the softmax of each column of S (J: diag(p_j) − p_j p_jᵀ per column, a diagonal plus rank
    one) and S = KᵀQ/√d_k is linear in Q and in K. A row through it costs s·t·(v + k) and a few
    s·t, what backprop's steps cost; multiplied out it would be a dense vs×ks or vs×kt matrix."""
    if c.shared is None:
        P = c.P
        (v, t), s = c.V.shape, P.shape[1]
        by_P = Kronecker(c.V, s, (v, s), (t, s))
        softmax = DiagonalPlusLowRank(P, -P[:, :, None], P[:, :, None], 1)
        c.shared = by_P, softmax
    return Product(*c.shared, S_by, *rest)


@attention.rule(
    "V",
    "I_$v ⊗ Pᵀ, P = softmax($Kᵀ$Q/√d_k)",
    "vs×vt",
    latex=r"I_$v \otimes P^{\top},\ P = \operatorname{softmax}\left($K^{\top} $Q/\sqrt{d_k}\right)",
)
def attention_dV(c: AttentionContext) -> Jacobian:
    """I_v ⊗ Pᵀ: each row of V weighted by every query's column of P."""
    return Kronecker(c.V.shape[0], c.P.T)


_J = "J = blockdiag_j(diag(p_j) − p_j p_jᵀ)"
_J_TEX = r"J = \operatorname{blockdiag}_j\left(\operatorname{diag}(p_j) - p_j p_j^{\top}\right)"


@attention.rule(
    "Q",
    f"($V ⊗ I_s) J ($Kᵀ ⊗ I_s)/√d_k, {_J}",
    "vs×ks",
    latex=rf"\left($V \otimes I_s\right) J \left($K^{{\top}} \otimes I_s\right)/\sqrt{{d_k}},"
    rf"\ {_J_TEX}",
)
def attention_dQ(c: AttentionContext) -> Jacobian:
    """(V ⊗ I_s) J (Kᵀ ⊗ I_s)/√d_k: query j's column of O moves with Q's column j alone (its
    dense form is block-diagonal over the queries, one v×k block V J_j Kᵀ/√d_k each)."""
    (k, t), s = c.K.shape, c.Q.shape[1]
    return _through_scores(c, Kronecker(c.K.T * c.scale, s, (t, s), (k, s)))


@attention.rule(
    "K",
    f"($V ⊗ I_s) J (I_t ⊗ $Qᵀ) K_(k,t)/√d_k, {_J}, K_(k,t) vec K ↦ vec Kᵀ",
    "vs×kt",
    latex=rf"\left($V \otimes I_s\right) J \left(I_t \otimes $Q^{{\top}}\right) "
    rf"K_{{(k,t)}}/\sqrt{{d_k}},\ {_J_TEX}",
)
def attention_dK(c: AttentionContext) -> Jacobian:
    """(V ⊗ I_s) J (I_t ⊗ Qᵀ) K_(k,t)/√d_k, K_(k,t) the commutation matrix taking vec K to
    vec Kᵀ (S = KᵀQ/√d_k is linear in Kᵀ): every query's output moves with every key, so its
    dense form has no zero block, but a row through the product costs what backprop's does."""
    (k, t), s = c.K.shape, c.Q.shape[1]
    by_Kt = Kronecker(t, c.Q.T * c.scale, (t, s), (t, k))
    to_Kt = Permutation.transpose_of(k, t, c.P.dtype)
    return _through_scores(c, by_Kt, to_Kt)
