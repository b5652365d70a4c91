"""A multilayer network whose gradients come three ways, and training.

``MLP(sizes, activations, loss)`` computes ∂C/∂W⁽ᵏ⁾ and ∂C/∂b⁽ᵏ⁾ as an explicit product of full
Jacobians from the ``jacobians`` operations (``"jacobian"``), as classic backprop with Hadamard
products (``"shortcut"``) and numerically (``"numeric"``); ``compare`` puts them side by side,
``factors`` lists the chain for one parameter, ``train`` runs gradient descent, ``sine_demo`` fits
sin(x) as in the second write-up.

>>> from net import MLP, compare
>>> net = MLP([1, 4, 1], ["tanh", "identity"], "squared_error")
>>> X = np.linspace(-1, 1, 5).reshape(1, -1)
>>> compare(net, X, np.sin(X)).worst("jacobian", "shortcut") < 1e-12
True
"""

from ._compare import Comparison, compare
from ._demo import sine_data, sine_demo
from ._factors import Factors
from ._layers import ACTIVATION_RULES, LOSSES
from ._mlp import METHODS, MLP, Backprop
from ._names import param_name, parse_param
from ._train import NonFiniteLossError, train

__all__ = [
    "ACTIVATION_RULES",
    "LOSSES",
    "METHODS",
    "MLP",
    "Backprop",
    "Comparison",
    "Factors",
    "NonFiniteLossError",
    "compare",
    "param_name",
    "parse_param",
    "sine_data",
    "sine_demo",
    "train",
]
