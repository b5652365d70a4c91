"""Operations that return their full Jacobians, the structured `Jacobian` type, and the chain.

Every operation returns ``.value`` and ``.jacobians[name]`` for each input: explicit Jacobians in
numerator layout (rows index the output's entries, columns the input's, both flattened row-major),
kept structured (identity, diagonal, Kronecker, block-diagonal, diagonal plus low rank,
permutation, sum, dense) until ``.matrix`` is asked for. The same operations applied to a
:class:`Variable` build an expression graph (``jacobians.parse`` reads one from text), whose
Jacobians, gradients and closed forms the graph gives (:mod:`jacobians.expressions`).

>>> import numpy as np
>>> from jacobians import linear, sigmoid, squared_error, chain, to_gradient
>>> W, x, b, y = np.ones((3, 4)) / 4, np.arange(4.0), np.zeros(3), np.zeros(3)
>>> z = linear(W, x, b); a = sigmoid(z.value); C = squared_error(a.value, y)
>>> to_gradient(chain(C.jacobian, a.jacobian, z.jacobians["W"]), W.shape).shape
(3, 4)
"""

from reshape import InputError, InputTypeError, ShapeError, assume_finite

from ._activations import (
    Domain,
    Elementwise,
    identity,
    leaky_relu,
    register_activation,
    relu,
    sigmoid,
    softmax,
    softplus,
    tanh,
)
from ._affine import hadamard, linear, matmul
from ._arith import add, divide, multiply, negate, power, subtract
from ._attention import attention
from ._chain import ORDERS, chain, chain_costs, to_gradient
from ._column_major import column_major
from ._compose import compose
from ._conv import conv1d, conv2d
from ._costs import cross_entropy, softmax_cross_entropy, squared_error
from ._costs_binary import binary_cross_entropy, sigmoid_binary_cross_entropy
from ._embedding import embedding
from ._functions import abs, arccos, arcsin, arctan, cos, exp, log, sign, sin, sqrt, tan
from ._inverse import det, inv, logdet
from ._jacobian import Jacobian
from ._kron import kron
from ._limit import DenseLimitError, dense_limit, set_dense_limit
from ._linalg import diag, tr, transpose, vec
from ._lowrank import DiagonalPlusLowRank
from ._normalize import batchnorm, layernorm
from ._norms import norm1, norm2
from ._notation import Form
from ._planner import STRUCTURE_KINDS, plan
from ._product import Product
from ._recurrent import rnn_step
from ._reductions import logsumexp, mean, sum
from ._registry import (
    ACTIVATIONS,
    COSTS,
    OPERATIONS,
    Context,
    Operation,
    Param,
    Result,
    Rule,
    catalog,
    unregister,
)
from ._structure_args import Structure
from ._structures import BlockDiagonal, Dense, Diagonal, Identity, Kronecker, Permutation
from ._sum import Sum, add_jacobians
from ._toeplitz import Toeplitz
from .checking import Diagnosis, Layer, NumericJacobian, Report, numeric, verify, verify_file
from .expressions import Expression, ParseError, Variable, parse


def __getattr__(name: str) -> str:
    """``jacobians.__version__``: the installed distribution's version (pyproject.toml's, through
    the package metadata; a source checkout that is not installed reads its pyproject.toml). It
    is looked up on first use, so an import that never asks does not pay the ~20 ms."""
    if name == "__version__":
        from ._distribution import installed_version

        globals()["__version__"] = version = installed_version()
        return version
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "ACTIVATIONS",
    "COSTS",
    "OPERATIONS",
    "ORDERS",
    "STRUCTURE_KINDS",
    "BlockDiagonal",
    "Context",
    "Dense",
    "DenseLimitError",
    "Diagnosis",
    "Diagonal",
    "DiagonalPlusLowRank",
    "Domain",
    "Elementwise",
    "Expression",
    "Form",
    "Identity",
    "InputError",
    "InputTypeError",
    "Jacobian",
    "Kronecker",
    "Layer",
    "NumericJacobian",
    "Operation",
    "Param",
    "ParseError",
    "Permutation",
    "Product",
    "Report",
    "Result",
    "Rule",
    "ShapeError",
    "Structure",
    "Sum",
    "Toeplitz",
    "Variable",
    "abs",
    "add",
    "add_jacobians",
    "arccos",
    "arcsin",
    "arctan",
    "assume_finite",
    "attention",
    "batchnorm",
    "binary_cross_entropy",
    "catalog",
    "chain",
    "chain_costs",
    "column_major",
    "compose",
    "conv1d",
    "conv2d",
    "cos",
    "cross_entropy",
    "dense_limit",
    "det",
    "diag",
    "divide",
    "embedding",
    "exp",
    "hadamard",
    "identity",
    "inv",
    "kron",
    "layernorm",
    "leaky_relu",
    "linear",
    "log",
    "logdet",
    "logsumexp",
    "matmul",
    "mean",
    "multiply",
    "negate",
    "norm1",
    "norm2",
    "numeric",
    "parse",
    "plan",
    "power",
    "register_activation",
    "relu",
    "rnn_step",
    "set_dense_limit",
    "sigmoid",
    "sigmoid_binary_cross_entropy",
    "sign",
    "sin",
    "softmax",
    "softmax_cross_entropy",
    "softplus",
    "sqrt",
    "squared_error",
    "subtract",
    "sum",
    "tan",
    "tanh",
    "to_gradient",
    "tr",
    "transpose",
    "unregister",
    "vec",
    "verify",
    "verify_file",
]
