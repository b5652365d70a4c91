"""The table's rows for ``reshape`` and for the structures, the chain and the limit of
``jacobians``: for each public callable a valid call and the role of each argument."""

from __future__ import annotations

from typing import Any

import numpy as np

import jacobians as J
import reshape as R

from .spec import Entry, arg, exempt

rng = np.random.default_rng(0)
_M = rng.normal(size=(6, 4))


def _error(why: str = "an error type: raised, not called") -> Entry:
    return exempt(why)


RESHAPE: dict[str, Entry] = {
    "reshape.InputError": _error(),
    "reshape.InputTypeError": _error(),
    "reshape.ShapeError": _error(),
    "reshape.DenseLimitError": _error(),
    "reshape.as_array": Entry(
        lambda x: R.as_array(x, "fuzz", "x"),
        lambda: {"x": [1.0, 2.0]},
        (arg("x", "array", skip="3d wrong_shape wrong_rows"),),
    ),
    "reshape.as_size": Entry(
        lambda n: R.as_size(n, "fuzz", "n"), lambda: {"n": 3}, (arg("n", "size", skip="huge_size"),)
    ),
    "reshape.as_real": Entry(
        lambda x: R.as_real(x, "fuzz", "x", "a number > 0", lambda v: v > 0),
        lambda: {"x": 0.5},
        (arg("x", "real"),),
    ),
    "reshape.assume_finite": Entry(R.assume_finite, why="takes no arguments"),
    "reshape.is_whole": Entry(
        lambda: R.is_whole(3), why="a predicate: any value is a question it answers, not bad input"
    ),
    "reshape.check_bytes": Entry(
        lambda nbytes: R.check_bytes("fuzz", "a test array", nbytes),
        lambda: {"nbytes": 800},
        (arg("nbytes", "size", named="nbytes|fuzz"),),
    ),
    "reshape.check_finite": Entry(
        lambda a: R.check_finite(a, "fuzz", "a"),
        lambda: {"a": np.ones(3)},
        (arg("a", "array", skip="3d wrong_shape wrong_rows"),),
    ),
    "reshape.commutation": Entry(
        R.commutation, lambda: {"m": 3, "n": 2}, (arg("m", "size"), arg("n", "size"))
    ),
    "reshape.dense_limit": Entry(R.dense_limit, why="takes no arguments"),
    "reshape.describe": Entry(R.describe, lambda: {"x": 1}, why="describes any value at all"),
    "reshape.finite_assumed": Entry(R.finite_assumed, why="takes no arguments"),
    "reshape.flatten": Entry(
        R.flatten,
        lambda: {"T": np.ones((2, 3, 4)), "out_ndim": 1, "order": "C"},
        (
            arg("T", "array", skip="3d wrong_shape wrong_rows"),
            arg("out_ndim", "size", skip="zero"),
            arg("order", "choice"),
        ),
    ),
    "reshape.kron_matrix": Entry(
        R.kron_matrix,
        lambda: {"A": np.ones((2, 3)), "B": np.ones((3, 2)), "order": "C"},
        (
            arg("A", "array", skip="wrong_shape wrong_rows"),
            arg("B", "array", skip="wrong_shape wrong_rows"),
            arg("order", "choice"),
        ),
    ),
    "reshape.reorder": Entry(
        R.reorder,
        lambda: {"M": _M.copy(), "out_shape": (2, 3), "in_shape": (4,), "src": "C", "dst": "F"},
        (
            arg("M", "array"),
            arg("out_shape", "shape"),
            arg("in_shape", "shape"),
            arg("src", "choice"),
            arg("dst", "choice"),
        ),
    ),
    "reshape.unflatten": Entry(
        R.unflatten,
        lambda: {"M": _M.copy(), "out_shape": (2, 3), "in_shape": (4,), "order": "C"},
        (
            arg("M", "array"),
            arg("out_shape", "shape"),
            arg("in_shape", "shape"),
            arg("order", "choice"),
        ),
    ),
    "reshape.unvec": Entry(
        R.unvec,
        lambda: {"v": np.arange(6.0), "shape": (2, 3), "order": "C"},
        (arg("v", "array"), arg("shape", "shape"), arg("order", "choice")),
    ),
    "reshape.vec": Entry(
        R.vec,
        lambda: {"A": np.ones((2, 3)), "order": "C"},
        (arg("A", "array", skip="3d wrong_shape wrong_rows"), arg("order", "choice")),
    ),
}


# ----- the structures: constructors, and the methods users call on any Jacobian -----
def _examples() -> dict[str, Any]:
    """One small Jacobian of each structure, 4×4 where it is square."""
    r = np.random.default_rng(1)
    return {
        "Dense": J.Dense(r.normal(size=(4, 4))),
        "Diagonal": J.Diagonal(r.normal(size=4)),
        "Identity": J.Identity((4,)),
        "Kronecker": J.Kronecker(2, r.normal(size=(2, 2))),
        "BlockDiagonal": J.BlockDiagonal(r.normal(size=(2, 2, 2))),
        "DiagonalPlusLowRank": J.DiagonalPlusLowRank(
            r.normal(size=(2, 2)), r.normal(size=(2, 2, 1)), r.normal(size=(2, 2, 1))
        ),
        "Permutation": J.Permutation([2, 0, 3, 1]),
        "Sum": J.Sum([J.Identity((4,)), J.Diagonal(r.normal(size=4))]),
        # a kernel of 3 over a length of 4, padded by 1: 4 outputs
        "Toeplitz": J.Toeplitz(r.normal(size=(1, 1, 3)), 4, padding=1),
        "Product": J.Product(J.Diagonal(r.normal(size=4)), J.Kronecker(2, r.normal(size=(2, 2)))),
    }


def _transposed(M: Any) -> Any:
    """M transposed where it is a matrix (an array or a list of rows); anything else as it is."""
    if isinstance(M, np.ndarray) and M.ndim == 2:
        return M.T
    if isinstance(M, list) and M and all(isinstance(r, list) for r in M):
        return [list(c) for c in zip(*M, strict=True)]
    return M


STRUCTURES: dict[str, Entry] = {
    "jacobians.Dense": Entry(
        J.Dense,
        lambda: {"M": np.ones((2, 3)), "out_shape": (2,), "in_shape": (3,)},
        (
            arg("M", "array"),
            arg("out_shape", "shape", skip="none", named="out_shape|M"),
            arg("in_shape", "shape", skip="none", named="in_shape|M"),
        ),
    ),
    "jacobians.Diagonal": Entry(
        J.Diagonal,
        lambda: {"d": np.ones(3)},
        (arg("d", "array", skip="3d wrong_shape wrong_rows"),),
    ),
    "jacobians.Identity": Entry(
        J.Identity,
        lambda: {"shape": (2, 3), "dtype": np.float64},
        (arg("shape", "shape", skip="wrong_shape huge_size"), arg("dtype", "dtype")),
    ),
    "jacobians.Kronecker": Entry(
        J.Kronecker,
        lambda: {"L": 2, "R": np.ones((1, 3)), "out_shape": (2,), "in_shape": (6,)},
        (
            arg("L", "factor"),
            arg("R", "factor"),
            arg("out_shape", "shape", skip="none"),
            arg("in_shape", "shape", skip="none"),
        ),
    ),
    "jacobians.BlockDiagonal": Entry(
        J.BlockDiagonal,
        lambda: {"B": np.ones((3, 2, 2)), "out_shape": (2, 3), "in_shape": (6,)},
        (
            arg("B", "array", skip="3d"),
            arg("out_shape", "shape", skip="none"),
            arg("in_shape", "shape", skip="none"),
        ),
    ),
    "jacobians.DiagonalPlusLowRank": Entry(
        J.DiagonalPlusLowRank,
        lambda: {
            "d": np.ones((2, 3)),
            "U": np.ones((2, 3, 1)),
            "V": np.ones((2, 3, 1)),
            "axis": 2,
            "out_shape": (2, 3),
            "in_shape": (6,),
        },
        (
            arg("d", "array", named="d|U"),  # d of another shape: U no longer fits it
            arg("U", "array", named="U|V"),  # U with a longer last axis: V no longer fits it
            arg("V", "array"),
            arg("axis", "axis"),
            arg("out_shape", "shape", skip="none"),
            arg("in_shape", "shape", skip="none"),
        ),
    ),
    "jacobians.Permutation": Entry(
        J.Permutation,
        lambda: {"index": [2, 0, 1], "out_shape": (3,), "in_shape": (3, 1), "dtype": np.float64},
        (
            arg("index", "index"),
            arg("out_shape", "shape", skip="none"),
            arg("in_shape", "shape", skip="none"),
            arg("dtype", "dtype"),
        ),
    ),
    "jacobians.Permutation.transpose_of": Entry(
        J.Permutation.transpose_of, lambda: {"m": 2, "n": 3}, (arg("m", "size"), arg("n", "size"))
    ),
    "jacobians.Sum": Entry(
        J.Sum,
        lambda: {"terms": [J.Identity((3,)), J.Diagonal(np.ones(3))], "out_shape": (3,)},
        (arg("terms", "terms"), arg("out_shape", "shape", skip="none")),
    ),
    "jacobians.Toeplitz": Entry(
        J.Toeplitz,
        lambda: {"w": np.ones((2, 1, 2)), "size": (4,), "stride": 1, "padding": 1, "d": 2},
        (
            # another kernel (more channels, a longer one; a 3-D array is a 1-D kernel) is valid
            arg("w", "array", skip="3d wrong_shape wrong_rows"),
            # a longer input is valid; the map is never made, so a huge size is a valid one
            arg("size", "shape", skip="wrong_shape huge_size"),
            arg("stride", "count"),
            arg("padding", "count", skip="zero"),
            arg("d", "size", skip="none huge_size"),  # None: one sample, no samples axis
        ),
    ),
    "jacobians.Product": Entry(
        lambda F, G, **shapes: J.Product(F, G, **shapes),
        lambda: {
            "F": J.Diagonal(np.ones(4)),
            "G": J.Kronecker(2, np.ones((2, 3))),
            "out_shape": (2, 2),
            "in_shape": (6,),
        },
        (
            arg("F", "jacobian", named="factors"),
            arg("G", "jacobian", named="factors"),
            arg("out_shape", "shape", skip="none"),
            arg("in_shape", "shape", skip="none"),
        ),
    ),
    "jacobians.Jacobian": _error("the abstract base: its methods are rows below"),
    "jacobians.Structure": _error("a record of a Jacobian's dimensions (fuzzed through plan)"),
}
for _name in _examples():
    STRUCTURES[f"{_name}.left"] = Entry(  # M given transposed: a wrong shape has other rows
        lambda J, M: J.left(_transposed(M)),
        lambda n=_name: {"J": _examples()[n], "M": np.ones((2, 4))},
        (arg("M", "array", skip="wrong_rows"),),  # any number of columns
    )
    STRUCTURES[f"{_name}.right"] = Entry(
        lambda J, M: J.right(M),
        lambda n=_name: {"J": _examples()[n], "M": np.ones((2, 4))},
        (arg("M", "array", skip="wrong_rows"),),  # any number of rows
    )
    STRUCTURES[f"{_name}.dense"] = Entry(
        lambda J, limit: J.dense(limit=limit),
        lambda n=_name: {"J": _examples()[n], "limit": 10**6},
        (arg("limit", "bytes"),),
    )
    STRUCTURES[f"{_name}.T"] = Entry(
        lambda J: J.T, lambda n=_name: {"J": _examples()[n]}, why="a property: no arguments"
    )


def _set_limit(nbytes: Any) -> int:
    previous = J.set_dense_limit(nbytes)
    J.set_dense_limit(previous)  # the session's limit is left as it was
    return previous


CHAIN: dict[str, Entry] = {
    "jacobians.chain": Entry(
        lambda A, B, order: J.chain(A, B, order=order),
        lambda: {"A": J.Dense(np.ones((1, 3))), "B": J.Diagonal(np.ones(3)), "order": "left"},
        (
            arg("A", "jacobian", named="factor 1|factors"),
            arg("B", "jacobian", named="factor 2|factors"),
            arg("order", "choice"),
        ),
    ),
    "jacobians.chain_costs": Entry(
        lambda A, B: J.chain_costs(A, B),
        lambda: {"A": J.Dense(np.ones((1, 3))), "B": J.Diagonal(np.ones(3))},
        (
            arg("A", "jacobian", named="factor 1|factors"),
            arg("B", "jacobian", named="factor 2|factors"),
        ),
    ),
    "jacobians.compose": Entry(
        J.compose,
        lambda: {"A": J.Dense(np.ones((1, 3))), "B": J.Diagonal(np.ones(3))},
        (arg("A", "jacobian", named="A|B"), arg("B", "jacobian")),
    ),
    "jacobians.add_jacobians": Entry(
        J.add_jacobians,
        lambda: {"A": J.Identity((3,)), "B": J.Diagonal(np.ones(3))},
        (arg("A", "jacobian", named="A|B"), arg("B", "jacobian")),
    ),
    "jacobians.column_major": Entry(
        J.column_major,
        lambda: {"J": J.Identity((2, 3))},
        (arg("J", "jacobian", skip="wrong_shape"),),  # any Jacobian has a column-major form
    ),
    "jacobians.plan": Entry(
        J.plan,
        lambda: {"sa": J.Structure("diagonal", 3, 3), "sb": J.Structure("dense", 3, 5)},
        (arg("sa", "structure"), arg("sb", "structure")),
    ),
    "jacobians.to_gradient": Entry(
        J.to_gradient,
        lambda: {"J": np.arange(6.0).reshape(1, 6), "shape": (2, 3)},
        (arg("J", "array", skip="3d", named="J|shape"), arg("shape", "shape")),
    ),
    "jacobians.to_gradient[Jacobian]": Entry(
        J.to_gradient,
        lambda: {"J": J.Dense(np.ones((1, 6))), "shape": (2, 3)},
        (arg("J", "jacobian", skip="array", named="J|shape"), arg("shape", "shape", skip="none")),
    ),
    "jacobians.set_dense_limit": Entry(
        _set_limit, lambda: {"nbytes": 2**30}, (arg("nbytes", "bytes"),)
    ),
    "jacobians.dense_limit": Entry(J.dense_limit, why="takes no arguments"),
    "jacobians.DenseLimitError": _error(),
    "jacobians.InputError": _error(),
    "jacobians.InputTypeError": _error(),
    "jacobians.ShapeError": _error(),
    "jacobians.assume_finite": Entry(J.assume_finite, why="takes no arguments"),
}
