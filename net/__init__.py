"""A multilayer network whose gradients come three ways, and training.

``MLP(sizes, activations, loss)`` computes ∂C/∂W⁽ᵏ⁾ and ∂C/∂b⁽ᵏ⁾ as an explicit product of full
Jacobians from the ``jacobians`` operations (``"jacobian"``), as classic backprop with Hadamard
products (``"shortcut"``) and numerically (``"numeric"``); ``compare`` puts them side by side,
``factors`` lists the chain for one parameter, ``train`` runs gradient descent (and warns, with
:class:`LossGrowthWarning`, when the loss grows far past its start), ``sine_demo`` fits sin(x) on
[−π, π] with a small tanh network.

``Network(layers, input_shape, loss)`` is the same for any layers (:class:`Dense`,
:class:`Activation`, :class:`Residual`, :class:`Flatten`, …), samples last, written as objects
or as a spec string (:func:`parse_layers`, e.g. ``"dense:8:tanh,residual(dense:8:relu,dense:8),
dense:1"``); ``compare`` and ``train`` take either.

>>> from net import MLP, compare
>>> net = MLP([1, 4, 1], ["tanh", "identity"], "squared_error")
>>> X = np.linspace(-1, 1, 5).reshape(1, -1)
>>> compare(net, X, np.sin(X)).worst("jacobian", "shortcut") < 1e-12
True
"""

from ._compare import Comparison, compare
from ._demo import sine_data, sine_demo
from ._dense import Activation, Dense, Flatten
from ._factors import Factors
from ._layer_attention import Attention
from ._layer_base import Layer
from ._layer_conv import Conv1d, Conv2d
from ._layer_norm import BatchNorm, Embedding, LayerNorm
from ._layer_rnn import RNN
from ._layers import ACTIVATION_RULES, LOSSES
from ._mlp import METHODS, MLP, Backprop
from ._names import param_name, parse_param
from ._network import Network
from ._residual import Residual
from ._spec import SpecError, parse_layers
from ._train import LossGrowthWarning, NonFiniteLossError, train

__all__ = [
    "ACTIVATION_RULES",
    "LOSSES",
    "METHODS",
    "MLP",
    "RNN",
    "Activation",
    "Attention",
    "Backprop",
    "BatchNorm",
    "Comparison",
    "Conv1d",
    "Conv2d",
    "Dense",
    "Embedding",
    "Factors",
    "Flatten",
    "Layer",
    "LayerNorm",
    "LossGrowthWarning",
    "Network",
    "NonFiniteLossError",
    "Residual",
    "SpecError",
    "compare",
    "param_name",
    "parse_layers",
    "parse_param",
    "sine_data",
    "sine_demo",
    "train",
]
