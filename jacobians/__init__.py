"""Operations that return their full Jacobians, the structured `Jacobian` type, and the chain.

Every operation returns ``.value`` and ``.jacobians[name]`` for each input: explicit Jacobians in
numerator layout (rows index the output's entries, columns the input's, both flattened row-major),
kept structured (identity, diagonal, Kronecker, block-diagonal, dense) until ``.matrix`` is asked
for.

>>> import numpy as np
>>> from jacobians import linear, sigmoid, squared_error, chain, to_gradient
>>> W, x, b, y = np.ones((3, 4)) / 4, np.arange(4.0), np.zeros(3), np.zeros(3)
>>> z = linear(W, x, b); a = sigmoid(z.value); C = squared_error(a.value, y)
>>> to_gradient(chain(C.jacobian, a.jacobian, z.jacobians["W"]), W.shape).shape
(3, 4)
"""

from reshape import InputError, InputTypeError, ShapeError, assume_finite

from ._activations import identity, leaky_relu, relu, sigmoid, softmax, softplus, tanh
from ._affine import hadamard, linear, matmul
from ._chain import ORDERS, chain, chain_costs, to_gradient
from ._costs import (
    binary_cross_entropy,
    cross_entropy,
    sigmoid_binary_cross_entropy,
    softmax_cross_entropy,
    squared_error,
)
from ._jacobian import (
    BlockDiagonal,
    Dense,
    DenseLimitError,
    Diagonal,
    Identity,
    Jacobian,
    Kronecker,
    Structure,
    compose,
    dense_limit,
    plan,
    set_dense_limit,
)
from ._numeric import NumericJacobian, numeric
from ._registry import OPERATIONS, Operation, Param, Result, Rule, catalog
from ._verify import Diagnosis, Layer, Report, verify, verify_file

ACTIVATIONS = {name: op for name, op in OPERATIONS.items() if op.family == "activation"}
COSTS = {name: op for name, op in OPERATIONS.items() if op.family == "cost"}

__all__ = [
    "ACTIVATIONS",
    "COSTS",
    "OPERATIONS",
    "ORDERS",
    "BlockDiagonal",
    "Dense",
    "DenseLimitError",
    "Diagnosis",
    "Diagonal",
    "Identity",
    "InputError",
    "InputTypeError",
    "Jacobian",
    "Kronecker",
    "Layer",
    "NumericJacobian",
    "Operation",
    "Param",
    "Report",
    "Result",
    "Rule",
    "ShapeError",
    "Structure",
    "assume_finite",
    "binary_cross_entropy",
    "catalog",
    "chain",
    "chain_costs",
    "compose",
    "cross_entropy",
    "dense_limit",
    "hadamard",
    "identity",
    "leaky_relu",
    "linear",
    "matmul",
    "numeric",
    "plan",
    "relu",
    "set_dense_limit",
    "sigmoid",
    "sigmoid_binary_cross_entropy",
    "softmax",
    "softmax_cross_entropy",
    "softplus",
    "squared_error",
    "tanh",
    "to_gradient",
    "verify",
    "verify_file",
]
