"""A network of layers with a loss, whose gradients come three ways, as :class:`net.MLP`'s do.

``Network(layers, input_shape, loss, seed)`` runs the layers in order (samples last: X is
input_shape + (d,)), and its cost is the mean over the d samples of a loss from
``jacobians.COSTS`` applied to the output, a vector (n,) per sample, as MLP's. Layers are given
as objects (``[Dense(4, "tanh"), Dense(1)]``) or as a spec string (:mod:`net._spec`).
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from jacobians import InputError
from reshape import InputTypeError, ShapeError, as_array, describe

from . import _checks as check
from ._factors import Factors
from ._forward import cost_context
from ._layer_base import Layer, check_layers, qualified
from ._mlp import METHODS, MLP
from ._network_checks import checked_seed, inputs, last_activation, per_sample_shape
from ._network_run import Draws, _at_output, backward, cost_of, labelled_factors, run

__all__ = ["Network"]


def _parsed(text: str, op: str, arg: str) -> list[Layer]:
    """The layers of a spec, a spec that does not parse said of ``op``'s ``arg``."""
    from ._spec import SpecError, parse_layers  # the parser imports the layers, this module none

    try:
        return parse_layers(text)
    except SpecError as err:
        raise err.named(op, arg) from None


class Network:
    """Layers run in order with a loss; gradients by the layers' explicit Jacobians, by their
    hand-written shortcuts, or numerically.

    Args:
        layers: layer objects (``[Dense(4, "tanh"), Dense(1)]``), or a spec string such as
            ``"conv1d:3x5,relu,flatten,dense:2"``: comma-separated items ``kind[:args]``,
            ``dense:N`` (``dense:N:act``), an activation name, ``layernorm``, ``batchnorm``,
            ``attention:H`` (``attention:H:causal``), ``conv1d:CxK`` (``conv1d:CxK:sS:pP``),
            ``conv2d:CxK``, ``rnn:N``, ``embedding:VxN``, ``flatten``, ``residual(…items…)``
            (see ``net.parse_layers``).
        input_shape: the per-sample input shape, e.g. ``(2,)``, ``(C, L)``; an int m is (m,).
        loss: ``"squared_error"``, ``"softmax_cross_entropy"`` or ``"cross_entropy"`` (paired
            with the last activation as :class:`net.MLP` pairs them).
        seed: the parameters are drawn layer by layer from ``numpy.random.default_rng(seed)``.

    Parameters: layer k's parameter p is ``f"{p}{k}"`` (W1, b1, gamma3, Wq2 …); inside a residual
    block at layer k, sub-layer j's is ``f"{p}{k}.{j}"`` (W2.1). ``params`` reads copies and sets
    them all at once (validated), ``net["W1"]`` reads and sets one, ``shapes`` lists them.

    Raises:
        DenseLimitError: before a draw that would take the parameters (8 bytes each) past the
            session's limit on memory.

    Shapes: X input_shape + (d,), or input_shape for one sample; T (n,) | (n, d).

    >>> from net import Dense
    >>> net = Network([Dense(3, "tanh"), Dense(1)], (2,))
    >>> net.forward(np.ones(2)).shape, net.cost(np.ones((2, 4)), np.zeros((1, 4))) > 0
    ((1,), True)
    """

    def __init__(
        self,
        layers: Sequence[Layer] | str,
        input_shape: Any,
        loss: str = "squared_error",
        seed: int = 0,
    ) -> None:
        if isinstance(layers, str):
            layers = _parsed(layers, "Network", "layers")
        # copies: a layer remembers where it stands (its name in errors), and the same object
        # given to two networks would otherwise answer with the other's
        self.layers = [copy.deepcopy(layer) for layer in check_layers("Network", layers)]
        self.input_shape = per_sample_shape("Network", input_shape)
        self.seed = checked_seed("Network", seed)
        self.depth = len(self.layers)
        draws = Draws(np.random.default_rng(self.seed))
        self._params: dict[str, np.ndarray] = {}
        self._names: list[dict[str, str]] = []  # per layer: local name -> the network's
        self._where: list[str] = []
        self._owner: dict[str, tuple[int, str]] = {}  # name -> (layer, local name)
        shape = self.input_shape
        for k, layer in enumerate(self.layers, 1):
            where = f"{type(layer).__name__}(layer {k})"
            draws.start(where)
            P, shape = layer.init(draws, shape, where)
            draws.add(P)
            names = {local: qualified(local, k) for local in P}
            for local, name in names.items():
                if name in self._owner:  # "W1" of layer 1 and "W" of layer 11
                    first = self._where[self._owner[name][0] - 1]
                    raise InputError(
                        "Network",
                        "layers",
                        "distinct parameter names",
                        f"{name!r} from both {first} and {where}",
                    )
                self._owner[name] = (k, local)
                self._params[name] = np.asarray(P[local])
            self._names.append(names)
            self._where.append(where)
        self.output_shape = tuple(shape)
        if len(self.output_shape) != 1:
            raise ShapeError(
                "Network",
                "layers",
                "a last layer giving a vector (n,) per sample (the loss's input)",
                f"{self._where[-1]} giving per-sample shape {self.output_shape}",
                "end with Flatten() and a Dense layer",
            )
        self.loss = check.loss(loss, last_activation(self.layers[-1]), "Network")

    @classmethod
    def from_spec(
        cls, text: str, input_shape: Any, loss: str = "squared_error", seed: int = 0
    ) -> Network:
        """The network of the layers a spec string lists (``net.parse_layers``).

        >>> Network.from_spec("dense:3:tanh,dense:1", 2).shapes["W2"]
        (1, 3)
        """
        return cls(_parsed(text, "Network.from_spec", "text"), input_shape, loss, seed)

    # ----- parameters -----
    @property
    def shapes(self) -> dict[str, tuple[int, ...]]:
        """Each parameter's shape, layer by layer."""
        return {k: v.shape for k, v in self._params.items()}

    @property
    def params(self) -> dict[str, np.ndarray]:
        """Copies of the parameters; assigning a dict replaces all of them (validated: every
        name, each shape (a vector (n,) also as (n, 1)), finite real numbers)."""
        return {k: v.copy() for k, v in self._params.items()}

    @params.setter
    def params(self, new: Mapping[str, Any]) -> None:
        if not isinstance(new, Mapping):
            raise InputTypeError(
                "Network.params", "params", "a dict of arrays W1, …", describe(new)
            )
        missing = [k for k in self._params if k not in new]
        unknown = [k for k in new if k not in self._params]
        if missing or unknown:
            raise InputError(
                "Network.params",
                "params",
                f"exactly the parameters {check.known(list(self._params))}",
                f"missing {missing}, unknown {unknown}",
            )
        checked = {k: self._check_param(k, new[k]) for k in self._params}
        self._params.update(checked)

    def _known(self, name: Any) -> str:
        if not isinstance(name, str) or name not in self._params:
            raise KeyError(
                f"Network: no parameter {name!r}; the parameters are {check.known(self._params)}"
            )
        return name

    def __getitem__(self, name: str) -> np.ndarray:
        return self._params[self._known(name)].copy()

    def __setitem__(self, name: str, value: Any) -> None:
        self._params[self._known(name)] = self._check_param(name, value)

    def _check_param(self, name: str, value: Any) -> np.ndarray:
        a = check.real(as_array(value, "Network.params", name), "Network.params", name)
        want = self._params[name].shape
        column = len(want) == 1 and a.shape == (want[0], 1)
        if a.shape != want and not column:
            extra = f" or ({want[0]}, 1)" if len(want) == 1 else ""
            raise ShapeError("Network.params", name, f"shape {want}{extra}", f"shape {a.shape}")
        return a.reshape(want).astype(np.float64)

    def __repr__(self) -> str:
        layers = ", ".join(map(repr, self.layers))
        shape, loss = self.input_shape, self.loss
        return f"Network([{layers}], input_shape={shape}, loss={loss!r}, seed={self.seed})"

    # ----- data -----
    def _inputs(self, op: str, X: Any) -> np.ndarray:
        """X as input_shape + (d,); input_shape alone is one sample."""
        return inputs(op, X, self.input_shape)

    def _data(self, op: str, X: Any, T: Any) -> tuple[np.ndarray, np.ndarray]:
        X2 = self._inputs(op, X)
        return X2, check.targets(op, T, self.output_shape[0], X2.shape[-1], self.loss)

    # ----- values -----
    def forward(self, X: Any) -> np.ndarray:
        """The output: (n,) for one sample, (n, d) for d samples.

        Shapes: X input_shape | input_shape + (d,) -> (n,) | (n, d).
        """
        raw_one = np.ndim(X) == len(self.input_shape)
        _, out = run(self, self._params, self._inputs("Network.forward", X), "Network.forward")
        return out.reshape(-1) if raw_one else out

    def _cost(
        self,
        X2: np.ndarray,
        T2: np.ndarray,
        params: Mapping | None = None,
        op: str = "Network.cost",
    ) -> Any:
        return cost_of(self, self._params if params is None else dict(params), X2, T2, op)

    def cost(self, X: Any, T: Any) -> float:
        """C = (1/d) Σᵢ ℓ(y(sᵢ), tᵢ), the mean loss over the d samples.

        Shapes: X input_shape | input_shape + (d,), T (n,) | (n, d) -> scalar.
        """
        X2, T2 = self._data("Network.cost", X, T)
        return float(self._cost(X2, T2))

    # ----- gradients -----
    @property
    def analytic(self) -> bool:
        """Whether every layer is analytic (complex step applies; relu and leaky_relu are not)."""
        return all(layer.analytic for layer in self.layers)

    _numeric = MLP._numeric  # one definition: each parameter's entries by jacobians.numeric

    def gradients(self, X: Any, T: Any, method: str = "shortcut") -> dict[str, np.ndarray]:
        """∂C/∂p for every parameter p, shaped like it.

        Args:
            X, T: inputs and targets, samples last.
            method: ``"jacobian"`` (each layer's explicit Jacobians, top down, as row · J),
                ``"shortcut"`` (each layer's hand-written backward step), ``"numeric"`` (complex
                step if every layer is analytic, else central differences), or ``"central"`` /
                ``"complex"`` to choose.

        Shapes: X input_shape | input_shape + (d,), T (n,) | (n, d) -> {name: its shape}.

        >>> from net import Dense
        >>> net = Network([Dense(3, "tanh"), Dense(1)], (2,))
        >>> g = net.gradients(np.ones(2), np.zeros(1), "jacobian")
        >>> bool(np.allclose(g["W1"], net.gradients(np.ones(2), np.zeros(1))["W1"]))
        True
        """
        if method not in METHODS:
            raise InputError(
                "Network.gradients", "method", f"one of {check.known(METHODS)}", repr(method)
            )
        X2, T2 = self._data("Network.gradients", X, T)
        return self._gradients(X2, T2, method)

    def _cost_and_gradients(
        self, X2: np.ndarray, T2: np.ndarray, method: str, op: str
    ) -> tuple[float, dict]:
        if method in ("jacobian", "shortcut"):
            return backward(self, X2, T2, method, op)
        return float(self._cost(X2, T2, op=op)), self._gradients(X2, T2, method, op)

    def _gradients(
        self, X2: np.ndarray, T2: np.ndarray, method: str, op: str = "Network.gradients"
    ) -> dict[str, np.ndarray]:
        if method == "numeric":
            method = "complex" if self.analytic else "central"
        elif method == "complex" and not self.analytic:
            bad = [
                w for w, layer in zip(self._where, self.layers, strict=True) if not layer.analytic
            ]
            raise InputError(
                "Network.gradients",
                "method",
                "'central' for a network with a non-analytic layer",
                f"'complex' with {', '.join(bad)}",
                "complex step needs every layer analytic; use 'numeric' to choose automatically",
            )
        if method in ("jacobian", "shortcut"):
            return backward(self, X2, T2, method, op)[1]
        backward(self, X2, T2, "shortcut", op)  # the point refused as the other methods refuse it
        return check.finite_gradients(op, self._numeric(X2, T2, method))

    def factors(self, x: Any, t: Any, wrt: str) -> Factors:
        """The chain of labelled Jacobian factors of ∂C/∂wrt, outermost first.

        The cost's row ∂C/∂y⁽ᴸ⁾ (after ∂C/∂ℓ = 1/d for a batch), each layer's input Jacobian from
        the last down to wrt's layer, then that layer's chain to wrt. Factor names carry their
        layer in brackets ("∂z/∂W [2]", "[2.1]" inside a residual block); closed forms are the
        registry's, in the layer's own names (x its input, y its output).

        Shapes: the product is 1 × (size of wrt); ``.gradient()`` has wrt's shape.

        >>> from net import Dense
        >>> f = Network([Dense(3, "tanh"), Dense(1)], (2,)).factors(np.ones(2), np.zeros(1), "W1")
        >>> f.names
        ('∂C/∂y⁽²⁾', '∇σ [2]', '∂z/∂x [2]', '∇σ [1]', '∂z/∂W [1]')
        """
        if not isinstance(wrt, str) or wrt not in self._params:
            error = InputError if isinstance(wrt, str) else InputTypeError
            raise error(
                "Network.factors",
                "wrt",
                f"a parameter name, one of {check.known(self._params)}",
                repr(wrt),
            )
        op = "Network.factors"
        try:
            X2, T2 = self._data(op, x, t)
            caches, out = run(self, self._params, X2, op)
            ctx = cost_context(self, _at_output(self, out), T2, op)
        except InputError as err:  # the checks name X and T: here they are x, t
            arg = {"X": "x", "T": "t"}.get(err.arg, err.arg)
            raise type(err)(err.op, arg, err.expected, err.got, err.hint) from None
        return labelled_factors(self, caches, ctx, out.shape[1], wrt)
