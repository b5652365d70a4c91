"""The vec/unvec isomorphism and the flattening of Jacobian tensors, as visible einops patterns.

The lowest layer: it imports only numpy and einops. It also holds the argument checks and error
types that every other layer raises, and the one limit on memory (``dense_limit``,
``check_bytes``, ``DenseLimitError``) that every builder of a large array consults first.
"""

from ._errors import (
    InputError,
    InputTypeError,
    ShapeError,
    as_array,
    as_real,
    as_size,
    assume_finite,
    check_finite,
    describe,
    finite_assumed,
    is_whole,
)
from ._limit import DenseLimitError, check_bytes, dense_limit
from ._vec import commutation, flatten, kron_matrix, reorder, unflatten, unvec, vec

__all__ = [
    "DenseLimitError",
    "InputError",
    "InputTypeError",
    "ShapeError",
    "as_array",
    "as_real",
    "as_size",
    "assume_finite",
    "check_bytes",
    "check_finite",
    "commutation",
    "dense_limit",
    "describe",
    "finite_assumed",
    "flatten",
    "is_whole",
    "kron_matrix",
    "reorder",
    "unflatten",
    "unvec",
    "vec",
]
