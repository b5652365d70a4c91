"""Matrix expressions in the input language of matrixcalculus.org: parsed, printed, evaluated,
differentiated along the graph (explicit structured Jacobians) and in closed form.

>>> from jacobians.expressions import parse
>>> e = parse("norm2(A*x - y)^2", ["A=3x2"])
>>> print(e.gradient_expression("x"))
2*A'*(A*x - y)
"""

from . import _accumulate, _evaluate, _print, _symbolic  # noqa: F401 - each adds its actions
from ._build import parse
from ._graph import Expression, Variable
from ._parse import ParseError

__all__ = ["Expression", "ParseError", "Variable", "parse"]
