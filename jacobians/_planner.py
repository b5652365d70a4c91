"""The product planner: A · B planned from the two structures alone, then run by :func:`compose`.

:func:`plan` looks the pair of kinds up in :data:`PAIRS`, one row per pair with a rule of its own
(mostly products that keep a structure), and otherwise applies the generic rule: the factor of
lower ``rank`` applies itself to the other made dense (the left one on a tie), at the cost its
class states (``left_cost`` / ``right_cost`` plus the other's ``dense_cost``), giving a dense
result. "low-rank" is the diagonal plus low rank, D + U Vᵀ per sample
(:class:`~jacobians.DiagonalPlusLowRank`); its samples meet another's, or a block-diagonal's
blocks, where they have one size and run along one axis.

====================================  ========================================  ==============
pair                                  result                                    method
====================================  ========================================  ==============
identity · any                        the right factor                          keep_right
any · identity                        the left factor                           keep_left
diagonal · diagonal                   diagonal, n multiply-adds                 diag_diag
kronecker · kronecker, factors meet   (L₁L₂) ⊗ (R₁R₂)                           kron_kron
kronecker · kronecker, otherwise      generic: the left applies itself          kron_left
permutation · permutation             permutation, the indices composed         perm_perm
block-diag · block-diag, blocks meet  block-diagonal, one product per block     blocks_blocks
block-diag · block-diag, otherwise    both made dense, then multiplied          dense_dense
dense · dense                         dense                                     dense_dense
diagonal · low-rank, low-rank · diag  diagonal plus low rank, rank k            diag_lowrank,
                                                                                lowrank_diag
low-rank · low-rank, samples meet     diagonal plus low rank, rank k₁ + k₂      lowrank_lowrank
block-diag · low-rank, one per block  block-diagonal, one product per block     blocks_lowrank,
  (and low-rank · block-diag)                                                   lowrank_blocks
low-rank · kronecker, kronecker ·     dense, the cheaper way of the generic     lowrank_left or
  low-rank                            rule's two, the low-rank made dense only  kron_right (and
                                      where no larger than the product          the mirror)
sum · any, any · sum                  the cheapest of: a sum of the products    sum_distribute
                                      with each term (when each keeps a         or <short>_left
                                      structure), or the generic rule either    or <short>_right
                                      way
any other pair                        generic, by rank: permutation <           <short>_left/
                                      diagonal, low-rank < kronecker < blocks,  <short>_right
                                      toeplitz, product < dense (a product's
                                      costs are its factors')
====================================  ========================================  ==============

Every method names a routine in ``_RUN`` (:mod:`jacobians._compose`, which runs the plans), so the
multiply-adds that :func:`jacobians.chain_costs`
reports are those :func:`compose` then does. Adding a structure is one class (its ``left``,
``right``, their costs, ``dense_cost``, dense form, ``transpose``, ``short`` and ``rank``), its
entry in :data:`STRUCTURES`, and the rows of :data:`PAIRS` for its products that keep a structure.
"""

from __future__ import annotations

from collections.abc import Callable

from reshape import ShapeError

from ._blocks import block_sizes
from ._jacobian import Jacobian
from ._lowrank import DiagonalPlusLowRank
from ._planner_records import check_structure
from ._product import Product
from ._structure_args import Structure
from ._structures import BlockDiagonal, Dense, Diagonal, Identity, Kronecker, Permutation
from ._sum import Sum
from ._toeplitz import Toeplitz

__all__ = ["PAIRS", "STRUCTURES", "STRUCTURE_KINDS", "Structure", "plan"]

Plan = tuple[int, Structure, str]  # (multiply-adds, structure of the product, method)

# Structure.kind -> class ("row" is a Dense's own kind; its structure is "dense").
STRUCTURES: dict[str, type[Jacobian]] = {
    "identity": Identity,
    "diagonal": Diagonal,
    "kronecker": Kronecker,
    "block-diagonal": BlockDiagonal,
    "dense": Dense,
    "permutation": Permutation,
    "sum": Sum,
    "diagonal-plus-low-rank": DiagonalPlusLowRank,
    "toeplitz": Toeplitz,
    "product": Product,
}
LOW_RANK = DiagonalPlusLowRank.kind
# a sum's costs are its terms', a product's its factors': their modules cannot import this one
Sum.classes = Product.classes = STRUCTURES
# every kind a Jacobian reports (``.kind``): the structures, and "row", a Dense with one row
STRUCTURE_KINDS = (*STRUCTURES, "row")


# ----- the rows (a row returns None where the pair has no form of its own: the generic rule) -----
def _keep_right(sa: Structure, sb: Structure) -> Plan:
    return 0, sb, "keep_right"


def _keep_left(sa: Structure, sb: Structure) -> Plan:
    return 0, sa, "keep_left"


def _diag_diag(sa: Structure, sb: Structure) -> Plan:
    return sa.rows, sa, "diag_diag"


def _factor_product(F: tuple[int, int, bool], G: tuple[int, int, bool]) -> tuple[int, tuple]:
    (a, b, fi), (_, c, gi) = F, G
    if fi:
        return 0, G
    if gi:
        return 0, F
    return a * b * c, (a, c, False)


def _kron_kron(sa: Structure, sb: Structure) -> Plan | None:
    """(L₁ ⊗ R₁)(L₂ ⊗ R₂) = L₁L₂ ⊗ R₁R₂ when L₁'s columns meet L₂'s rows (and so R's)."""
    (_, b1, _), (_, q1, _) = sa.left, sa.right  # type: ignore[misc]
    (a2, _, _), (p2, _, _) = sb.left, sb.right  # type: ignore[misc]
    if b1 != a2 or q1 != p2:
        return None
    cl, L = _factor_product(sa.left, sb.left)  # type: ignore[arg-type]
    cr, R = _factor_product(sa.right, sb.right)  # type: ignore[arg-type]
    return cl + cr, Structure("kronecker", sa.rows, sb.cols, left=L, right=R), "kron_kron"


def _dense_dense(sa: Structure, sb: Structure) -> Plan:
    return Dense.left_cost(sa, sb.cols), Structure("dense", sa.rows, sb.cols), "dense_dense"


def _blocks_blocks(sa: Structure, sb: Structure) -> Plan:
    """d blocks of p×q times d blocks of q×r: d·p·q·r, d blocks of p×r."""
    (d, p, q), (e, _, r) = block_sizes(sa), block_sizes(sb)
    if d == e:
        out = Structure("block-diagonal", sa.rows, sb.cols, block=p)
        return d * p * q * r, out, "blocks_blocks"
    # Blocks of different sizes are multiplied dense, as they always have been (the generic rule
    # would apply the left factor's blocks to the right made dense, rows·block·cols).
    return _dense_dense(sa, sb)


def _perm_perm(sa: Structure, sb: Structure) -> Plan:
    return 0, sa, "perm_perm"  # (P₁P₂)[i] = P₂'s index at P₁'s: entries moved, none multiplied


# Diagonal plus low rank, D + U Vᵀ per sample (N entries, samples of n, rank k): products with
# a diagonal or with another of the same samples keep it; with blocks of its size, the blocks.
def _diag_lowrank(sa: Structure, sb: Structure) -> Plan:
    """G (D + U Vᵀ) = GD + (GU) Vᵀ: N + N·k."""
    return sb.rows * (1 + sb.low_rank[0]), sb, "diag_lowrank"  # type: ignore[index]


def _lowrank_diag(sa: Structure, sb: Structure) -> Plan:
    """(D + U Vᵀ) G = DG + U (GV)ᵀ: N + N·k."""
    return sa.rows * (1 + sa.low_rank[0]), sa, "lowrank_diag"  # type: ignore[index]


def _lowrank_lowrank(sa: Structure, sb: Structure) -> Plan | None:
    """(D₁ + U₁V₁ᵀ)(D₂ + U₂V₂ᵀ) = D₁D₂ + [D₁U₂ + U₁(V₁ᵀU₂), U₁][V₂, D₂V₁]ᵀ, rank k₁ + k₂, where
    the samples meet (the same size and axis): N·(1 + k₁ + 2k₂ + 4k₁k₂), as its routine does."""
    if sa.block != sb.block or sa.low_rank[1] != sb.low_rank[1]:  # type: ignore[index]
        return None
    (k1, axis), (k2, _) = sa.low_rank, sb.low_rank  # type: ignore[misc]
    out = sa._replace(low_rank=(k1 + k2, axis))
    return sa.rows * (1 + k1 + 2 * k2 + 4 * k1 * k2), out, "lowrank_lowrank"


def _meets_blocks(s: Structure, blocks: Structure) -> bool:
    """Whether each sample of s is one of the blocks: samples as columns, as many as blocks."""
    return s.rows // s.block == block_sizes(blocks)[0] and s.low_rank[1] == 1  # type: ignore


def _blocks_lowrank(sa: Structure, sb: Structure) -> Plan | None:
    """B (D + U Vᵀ) = BD + (BU) Vᵀ per p×q block: d·p·q·(2k + 2), block-diagonal."""
    if not _meets_blocks(sb, sa):
        return None
    d, p, q = block_sizes(sa)
    return d * p * q * (2 * sb.low_rank[0] + 2), sa, "blocks_lowrank"  # type: ignore[index]


def _lowrank_blocks(sa: Structure, sb: Structure) -> Plan | None:
    """(D + U Vᵀ) B = DB + U (VᵀB) per p×q block: d·p·q·(2k + 2), block-diagonal."""
    if not _meets_blocks(sa, sb):
        return None
    d, p, q = block_sizes(sb)
    return d * p * q * (2 * sa.low_rank[0] + 2), sb, "lowrank_blocks"  # type: ignore[index]


def _one_way(sa: Structure, sb: Structure, left: bool) -> Plan:
    """The generic rule's product with the left factor applying itself (or the right one)."""
    A, B = STRUCTURES[sa.kind], STRUCTURES[sb.kind]
    out = Structure("dense", sa.rows, sb.cols)
    if left:
        return B.dense_cost(sb) + A.left_cost(sa, sb.cols), out, f"{A.short}_left"
    return A.dense_cost(sa) + B.right_cost(sb, sa.rows), out, f"{B.short}_right"


def _lowrank_kron(sa: Structure, sb: Structure) -> Plan:
    """(D + U Vᵀ) · (L ⊗ R): the cheaper of the generic rule's two ways, the diagonal plus low
    rank made dense (N×N) only where that is no larger than the product (N ≤ its columns)."""
    own = _one_way(sa, sb, True)
    return min(own, _one_way(sa, sb, False), key=lambda o: o[0]) if sa.rows <= sb.cols else own


def _kron_lowrank(sa: Structure, sb: Structure) -> Plan:
    """(L ⊗ R) · (D + U Vᵀ): as :func:`_lowrank_kron`, from the other side (N ≤ its rows)."""
    own = _one_way(sa, sb, False)
    return min(own, _one_way(sa, sb, True), key=lambda o: o[0]) if sb.cols <= sa.rows else own


def _sum_pair(sa: Structure, sb: Structure) -> Plan:
    """A product with a sum, the cheapest way: the sum of the products with each of its terms
    (when the other factor is not a sum, and each product keeps a structure: never a sum of
    dense terms), or the generic rule with either factor applying itself (on a tie, the one of
    lower rank: a permutation moves the entries of the other rather than being made dense)."""
    options = []
    if (sa.kind == "sum") != (sb.kind == "sum"):
        if sa.kind == "sum":
            parts = [_plan(t, sb) for t in sa.terms]  # type: ignore[union-attr]
        else:
            parts = [_plan(sa, t) for t in sb.terms]  # type: ignore[union-attr]
        if all(p[1].kind not in ("dense", "sum") for p in parts):
            terms = tuple(p[1] for p in parts)
            out = Structure("sum", sa.rows, sb.cols, terms=terms)
            options.append((sum(p[0] for p in parts), out, "sum_distribute"))
    first = STRUCTURES[sa.kind].rank <= STRUCTURES[sb.kind].rank
    options += [_one_way(sa, sb, first), _one_way(sa, sb, not first)]
    return min(options, key=lambda o: o[0])  # the first of the cheapest


PAIRS: dict[tuple[str, str], Callable[[Structure, Structure], Plan | None]] = {
    **{("identity", kind): _keep_right for kind in STRUCTURES},
    **{(kind, "identity"): _keep_left for kind in STRUCTURES if kind != "identity"},
    ("diagonal", "diagonal"): _diag_diag,
    ("kronecker", "kronecker"): _kron_kron,
    ("block-diagonal", "block-diagonal"): _blocks_blocks,
    ("dense", "dense"): _dense_dense,
    ("permutation", "permutation"): _perm_perm,
    ("diagonal", LOW_RANK): _diag_lowrank,
    (LOW_RANK, "diagonal"): _lowrank_diag,
    (LOW_RANK, LOW_RANK): _lowrank_lowrank,
    ("block-diagonal", LOW_RANK): _blocks_lowrank,
    (LOW_RANK, "block-diagonal"): _lowrank_blocks,
    (LOW_RANK, "kronecker"): _lowrank_kron,
    ("kronecker", LOW_RANK): _kron_lowrank,
    **{("sum", kind): _sum_pair for kind in STRUCTURES if kind != "identity"},
    **{(kind, "sum"): _sum_pair for kind in STRUCTURES if kind != "identity"},
}


def _generic(sa: Structure, sb: Structure) -> Plan:
    """The factor of lower rank applies itself to the other made dense; the left on a tie."""
    return _one_way(sa, sb, STRUCTURES[sa.kind].rank <= STRUCTURES[sb.kind].rank)


def plan(sa: Structure, sb: Structure) -> tuple[int, Structure, str]:
    """Plan A · B from structures alone: (multiply-adds, structure of the product, method).

    The method names the routine :func:`compose` runs, so the cost is the cost of what is done.
    The structures are checked: known kinds, the fields of each kind fitting its dimensions (a
    Kronecker product's factor sizes, a block size dividing them, a sum's terms, a product's
    factors meeting), and A's columns meeting B's rows; a bad one is refused naming sa or sb.

    >>> plan(Structure("diagonal", 3, 3), Structure("dense", 3, 5))
    (15, Structure(kind='dense', rows=3, cols=5, left=None, right=None, block=None, terms=None,
                   low_rank=None),
     'diag_left')
    """
    check_structure("sa", sa, STRUCTURES)
    check_structure("sb", sb, STRUCTURES)
    if sa.cols != sb.rows:
        raise ShapeError(
            "plan",
            "sb",
            f"a structure with {sa.cols} rows, sa's {sa.cols} columns",
            f"{sb.rows} rows",
            "the inner sizes of a product must meet: check the order of the factors",
        )
    return _plan(sa, sb)


def _plan(sa: Structure, sb: Structure) -> tuple[int, Structure, str]:
    """:func:`plan` without its checks, for the planner and the chain (structures they made)."""
    row = PAIRS.get((sa.kind, sb.kind))
    if row is not None:
        planned = row(sa, sb)
        if planned is not None:
            return planned
    return _generic(sa, sb)
