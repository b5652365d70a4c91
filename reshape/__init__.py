"""The vec/unvec isomorphism and the flattening of Jacobian tensors, as visible einops patterns.

The lowest layer: it imports only numpy and einops. It also holds the argument checks and error
types that every other layer raises.
"""

from ._errors import (
    InputError,
    InputTypeError,
    ShapeError,
    as_array,
    assume_finite,
    check_finite,
    describe,
    finite_assumed,
)
from ._vec import commutation, flatten, kron_matrix, reorder, unflatten, unvec, vec

__all__ = [
    "InputError",
    "InputTypeError",
    "ShapeError",
    "as_array",
    "assume_finite",
    "check_finite",
    "commutation",
    "describe",
    "finite_assumed",
    "flatten",
    "kron_matrix",
    "reorder",
    "unflatten",
    "unvec",
    "vec",
]
