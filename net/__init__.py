"""A multilayer network whose gradients come three ways, and training.

``MLP(sizes, activations, loss)`` computes ∂C/∂W⁽ᵏ⁾ and ∂C/∂b⁽ᵏ⁾ as an explicit product of full
Jacobians from the ``jacobians`` operations (``"jacobian"``), as classic backprop with Hadamard
products (``"shortcut"``) and numerically (``"numeric"``); ``compare`` puts them side by side,
``factors`` lists the chain for one parameter, ``train`` runs gradient descent (and warns, with
:class:`LossGrowthWarning`, when the loss grows far past its start), ``sine_demo`` fits sin(x) on
[−π, π] with a small tanh network.

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
from ._train import LossGrowthWarning, NonFiniteLossError, train

__all__ = [
    "ACTIVATION_RULES",
    "LOSSES",
    "METHODS",
    "MLP",
    "Backprop",
    "Comparison",
    "Factors",
    "LossGrowthWarning",
    "NonFiniteLossError",
    "compare",
    "param_name",
    "parse_param",
    "sine_data",
    "sine_demo",
    "train",
]
