"""The multilayer network y⁽ᵏ⁾ = σ_k(W⁽ᵏ⁾ y⁽ᵏ⁻¹⁾ + b⁽ᵏ⁾), y⁽⁰⁾ = x, and its gradients three ways.

The cost is the mean over the d samples (the columns of X and T) of a loss ℓ summed per sample:
C = (1/d) Σᵢ ℓ(y⁽ᴸ⁾(sᵢ), tᵢ); for squared error C = 1/(2d) Σᵢ ‖tᵢ − y⁽ᴸ⁾(sᵢ)‖² (the ½ makes the
gradient of one sample's loss y⁽ᴸ⁾ − t).

How activations and losses combine (checked when the network is built):

- ``"squared_error"``: the output y⁽ᴸ⁾ is the prediction; any last activation.
- ``"softmax_cross_entropy"``: the output is the logits and the loss applies softmax (fused and
  stable); the last activation is usually ``"identity"``; ``"softmax"`` is refused (it would apply
  softmax twice).
- ``"cross_entropy"``: the output must be a probability vector, so the last activation must be
  ``"softmax"``.

Targets for both cross-entropies must be probability vectors (entries in [0, 1], each column
summing to 1).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from itertools import pairwise
from typing import Any

import numpy as np

from jacobians import ACTIVATIONS, COSTS, OPERATIONS, linear, numeric
from jacobians import to_gradient as _to_gradient
from reshape import InputError, InputTypeError, ShapeError, as_array, check_bytes, describe

from . import _checks as check
from ._chain import gradients_at
from ._factors import Factors, labelled_chain
from ._forward import loss_value, point, run
from ._shortcut import Backprop, backprop

__all__ = ["METHODS", "MLP", "Backprop"]

METHODS = ("jacobian", "shortcut", "numeric", "central", "complex")


def _check_parameter_bytes(sizes: Sequence[int]) -> None:
    """Refuse, before drawing any, parameters that would pass the session's limit on memory."""
    shapes = [(int(n), int(m)) for m, n in pairwise(sizes)]
    count = sum(n * m + n for n, m in shapes)  # Python ints: no overflow
    k = max(range(len(shapes)), key=lambda i: shapes[i][0] * shapes[i][1])
    check_bytes(
        "MLP",
        f"the {count:,} parameters of sizes {list(sizes)} (float64; the largest, W{k + 1}, is"
        f" {shapes[k][0]}×{shapes[k][1]})",
        8 * count,
        "choose smaller sizes",
    )


class MLP:
    """A fully connected network whose gradient comes as a chain of full Jacobians, as backprop
    with Hadamard products, and numerically.

    Args:
        sizes: layer widths l⁽⁰⁾ … l⁽ᴸ⁾, input first: ``[1, 16, 16, 1]``.
        activations: one name per layer (L = len(sizes) − 1), from ``jacobians.ACTIVATIONS``.
        loss: ``"squared_error"``, ``"softmax_cross_entropy"`` or ``"cross_entropy"`` (see the
            module docstring for how losses and last activations combine).
        seed: the initialisation seed: W⁽ᵏ⁾ ~ N(0, 1/l⁽ᵏ⁻¹⁾) and b⁽ᵏ⁾ ~ N(0, 0.1²), drawn in
            order W1, b1, W2, … from ``numpy.random.default_rng(seed)``.

    Raises:
        DenseLimitError: before any parameter is drawn, when the parameters (8 bytes each) would
            pass the session's limit on memory (``jacobians.set_dense_limit``).

    Parameters are W1, b1, …, WL, bL with W⁽ᵏ⁾ of shape (l⁽ᵏ⁾, l⁽ᵏ⁻¹⁾) and b⁽ᵏ⁾ of shape (l⁽ᵏ⁾,);
    ``params`` reads copies and sets them all at once (validated), ``net["W1"]`` reads and sets one.

    Shapes: X (m,) | (m, d), T (n,) | (n, d) with m = sizes[0], n = sizes[-1], samples as columns.

    >>> net = MLP([2, 3, 1], ["tanh", "identity"], "squared_error")
    >>> net.forward(np.ones(2)).shape, net["W1"].shape
    ((1,), (3, 2))
    """

    def __init__(
        self,
        sizes: Sequence[int],
        activations: Sequence[str],
        loss: str = "squared_error",
        seed: int = 0,
    ) -> None:
        self.sizes = check.sizes(sizes)
        _check_parameter_bytes(self.sizes)
        self.depth = len(self.sizes) - 1
        self.activations = check.activations(activations, self.depth)
        self.loss = check.loss(loss, self.activations[-1])
        whole = isinstance(seed, (int, np.integer)) and not isinstance(seed, (bool, np.bool_))
        if not whole or seed < 0:
            raise InputError("MLP", "seed", "a non-negative integer", repr(seed))
        self.seed = int(seed)
        rng = np.random.default_rng(self.seed)
        self._params: dict[str, np.ndarray] = {}
        for k in range(1, self.depth + 1):
            n, m = self.sizes[k], self.sizes[k - 1]
            self._params[f"W{k}"] = rng.normal(0.0, 1.0 / np.sqrt(m), size=(n, m))
            self._params[f"b{k}"] = rng.normal(0.0, 0.1, size=n)
        self.z: dict[int, np.ndarray] = {}
        self.y: dict[int, np.ndarray] = {}
        # the jacobian gradient's factors that depend on W alone (net._chain), per layer; each
        # holds its W, so they are dropped when the parameters are replaced
        self._kept_factors: dict[int, dict[str, Any]] = {}

    # ----- parameters -----
    @property
    def shapes(self) -> dict[str, tuple[int, ...]]:
        """Each parameter's shape, in order W1, b1, …, WL, bL."""
        return {k: v.shape for k, v in self._params.items()}

    @property
    def params(self) -> dict[str, np.ndarray]:
        """Copies of the parameters, W1, b1, …; assigning a dict replaces all of them (validated:
        every name, the right shapes (b as (n,) or (n, 1)), finite real numbers)."""
        return {k: v.copy() for k, v in self._params.items()}

    @params.setter
    def params(self, new: Mapping[str, Any]) -> None:
        if not isinstance(new, Mapping):
            raise InputTypeError("MLP.params", "params", "a dict of arrays W1, …", describe(new))
        missing = [k for k in self._params if k not in new]
        unknown = [k for k in new if k not in self._params]
        if missing or unknown:
            raise InputError(
                "MLP.params",
                "params",
                f"exactly the parameters {check.known(list(self._params))}",
                f"missing {missing}, unknown {unknown}",
            )
        checked = {k: self._check_param(k, new[k]) for k in self._params}
        self._params.update(checked)
        self._kept_factors.clear()

    def __getitem__(self, name: str) -> np.ndarray:
        if name not in self._params:
            raise KeyError(
                f"MLP: no parameter {name!r}; the parameters are {check.known(self._params)}"
            )
        return self._params[name].copy()

    def __setitem__(self, name: str, value: Any) -> None:
        if name not in self._params:
            raise KeyError(
                f"MLP: no parameter {name!r}; the parameters are {check.known(self._params)}"
            )
        self._params[name] = self._check_param(name, value)
        self._kept_factors.clear()

    def _check_param(self, name: str, value: Any) -> np.ndarray:
        a = check.real(as_array(value, "MLP.params", name), "MLP.params", name)
        want = self._params[name].shape
        ok = a.shape == want or (name[0] == "b" and a.shape == (want[0], 1))
        if not ok:
            extra = f" or ({want[0]}, 1)" if name[0] == "b" else ""
            raise ShapeError("MLP.params", name, f"shape {want}{extra}", f"shape {a.shape}")
        return a.reshape(want).astype(np.float64)

    def __repr__(self) -> str:
        acts = ", ".join(self.activations)
        return f"MLP({list(self.sizes)}, [{acts}], loss={self.loss!r}, seed={self.seed})"

    # ----- data -----
    def _inputs(self, op: str, X: Any, start: int = 0) -> np.ndarray:
        return check.inputs(op, X, self.sizes[start], "X" if start == 0 else f"y⁽{start}⁾")

    def _data(self, op: str, X: Any, T: Any) -> tuple[np.ndarray, np.ndarray]:
        X2 = self._inputs(op, X)
        return X2, check.targets(op, T, self.sizes[-1], X2.shape[1], self.loss)

    # ----- the forward pass (net._forward.run, shared by every method) -----
    def forward(self, X: Any, start: int = 0) -> np.ndarray:
        """The output y⁽ᴸ⁾; keeps every z⁽ᵏ⁾ and y⁽ᵏ⁾ in ``self.z`` and ``self.y`` (keyed by k).

        Args:
            X: the input, one sample (m,) or a batch (m, d) of columns.
            start: run only layers start+1 … L, with X taken as y⁽ˢᵗᵃʳᵗ⁾ (0: the whole net).

        Shapes: X (m,) | (m, d) -> (n,) | (n, d); stored arrays have X's form ((k,) or (k, d)).

        >>> net = MLP([2, 3, 1], ["tanh", "identity"])
        >>> out = net.forward(np.ones((2, 5)))
        >>> out.shape, net.z[1].shape, net.y[0].shape
        ((1, 5), (3, 5), (2, 5))
        """
        if isinstance(start, bool) or not isinstance(start, (int, np.integer)):
            raise InputError("MLP.forward", "start", "a layer number", repr(start))
        if not 0 <= start < self.depth:
            raise InputError("MLP.forward", "start", f"a layer 0 … {self.depth - 1}", repr(start))
        raw = np.asarray(X) if not isinstance(X, np.ndarray) else X
        Y = self._inputs("MLP.forward", X, start)
        fwd = run(self.activations, self._params, Y, start)
        z, y = fwd.z, fwd.y
        shape = (lambda a: a.reshape(-1)) if raw.ndim == 1 else (lambda a: a)
        self.z = {k: shape(v) for k, v in z.items()}
        self.y = {k: shape(v) for k, v in y.items()}
        return self.y[self.depth]

    def _cost(
        self,
        X2: np.ndarray,
        T2: np.ndarray,
        params: Mapping[str, np.ndarray] | None = None,
        start: int = 0,
        op: str = "MLP.cost",
    ) -> Any:
        fwd = run(self.activations, self._params if params is None else params, X2, start, op)
        return loss_value(self, fwd, T2, op) / X2.shape[1]

    def cost(self, X: Any, T: Any) -> float:
        """C = (1/d) Σᵢ ℓ(y⁽ᴸ⁾(sᵢ), tᵢ), the mean loss over the d samples.

        Shapes: X (m,) | (m, d), T (n,) | (n, d) -> scalar.

        >>> MLP([1, 1], ["identity"]).cost(np.zeros((1, 3)), np.zeros((1, 3))) >= 0
        True
        """
        X2, T2 = self._data("MLP.cost", X, T)
        return float(self._cost(X2, T2))

    # ----- the shortcut: classic backprop with Hadamard products -----
    def backprop(self, X: Any, T: Any) -> Backprop:
        """The backward pass with Hadamard products, keeping every ∂C/∂y⁽ᵏ⁾ and δ⁽ᵏ⁾.

        δ⁽ᴸ⁾ = ∂C/∂y⁽ᴸ⁾ ⊙ σ′_L(z⁽ᴸ⁾), δ⁽ᵏ⁾ = (W⁽ᵏ⁺¹⁾ᵀ δ⁽ᵏ⁺¹⁾) ⊙ σ′_k(z⁽ᵏ⁾) (softmax: its
        vector-Jacobian product a ⊙ (g − aᵀg)), ∂C/∂W⁽ᵏ⁾ = δ⁽ᵏ⁾ y⁽ᵏ⁻¹⁾ᵀ, ∂C/∂b⁽ᵏ⁾ = δ⁽ᵏ⁾ 1.

        Shapes: X (m,) | (m, d), T (n,) | (n, d) -> arrays (n_k, d) and parameter-shaped gradients.

        >>> bp = MLP([2, 3, 1], ["tanh", "identity"]).backprop(np.ones(2), np.zeros(1))
        >>> bp.dC_dz[1].shape, bp.gradients["W1"].shape
        ((3, 1), (3, 2))
        """
        X2, T2 = self._data("MLP.backprop", X, T)
        return backprop(self, X2, T2)

    def factors(self, x: Any, t: Any, wrt: str) -> Factors:
        """The chain of Jacobian factors of ∂C/∂wrt, outermost first, labelled for tables.

        For W⁽ᵏ⁾: ∂C/∂y⁽ᴸ⁾ · ∇σ_L · W⁽ᴸ⁾ · ∇σ_{L−1} · … · W⁽ᵏ⁺¹⁾ · ∇σ_k · ∂z⁽ᵏ⁾/∂W⁽ᵏ⁾, each factor a
        Jacobian from a ``jacobians`` operation (∂C/∂y⁽ᴸ⁾ from the cost, ∇σ_k from the activation,
        W⁽ᵏ⁺¹⁾ = ∂z⁽ᵏ⁺¹⁾/∂y⁽ᵏ⁾ and ∂z⁽ᵏ⁾/∂W⁽ᵏ⁾ = I_n ⊗ y⁽ᵏ⁻¹⁾ᵀ from ``linear``). For b⁽ᵏ⁾ the last
        factor is ∂z⁽ᵏ⁾/∂b⁽ᵏ⁾ = I_n. Given a batch (d > 1 columns), the chain starts with the 1×1
        factor ∂C/∂ℓ = 1/d (the mean), ∂ℓ/∂y⁽ᴸ⁾ is the row over all samples, and the layer factors
        are the batch Jacobians (W ⊗ I_d, I_n ⊗ Xᵀ, I_n ⊗ 1_d).

        Args:
            x, t: one sample (m,) and its target (n,) (or a batch as columns).
            wrt: a parameter name, ``"W2"`` or ``"b1"``.

        Shapes: the product is 1 × (size of wrt); ``.gradient()`` has wrt's shape.

        >>> net = MLP([2, 3, 1], ["tanh", "identity"])
        >>> f = net.factors(np.ones(2), np.zeros(1), "W1")
        >>> f.names
        ('∂C/∂y⁽²⁾', '∇σ₂', 'W⁽²⁾', '∇σ₁', '∂z⁽¹⁾/∂W⁽¹⁾')
        >>> [J.shape for J in f], f.gradient().shape
        ([(1, 1), (1, 1), (1, 3), (3, 3), (3, 6)], (3, 2))
        """
        if not isinstance(wrt, str) or wrt not in self._params:
            error = InputError if isinstance(wrt, str) else InputTypeError
            known = check.known(self._params)
            raise error("MLP.factors", "wrt", f"a parameter name, one of {known}", repr(wrt))
        try:
            X2, T2 = self._data("MLP.factors", x, t)
            fwd, cost, _ = point(self, X2, T2, "MLP.factors")
        except InputError as err:  # the checks name X and T (and a point X): here they are x, t
            arg = {"X": "x", "T": "t"}.get(err.arg, err.arg)
            raise type(err)(err.op, arg, err.expected, err.got, err.hint) from None
        results = []
        for k in range(1, self.depth + 1):
            act = ACTIVATIONS[self.activations[k - 1]]
            results += [linear.result(fwd.linear[k]), act.result(fwd.activation[k])]
        results.append(COSTS[self.loss].result(cost))
        return labelled_chain(self.sizes, results, wrt, self._params[wrt].shape, X2.shape[1])

    # ----- numeric: central differences or complex step over every entry -----
    @property
    def analytic(self) -> bool:
        """Whether every layer is analytic (complex-step applies; relu and leaky_relu are not)."""
        return all(OPERATIONS[a].rules["z"].analytic for a in self.activations)

    def _numeric(self, X2: np.ndarray, T2: np.ndarray, method: str) -> dict[str, np.ndarray]:
        grads = {}
        for name, value in self._params.items():

            def f(p: np.ndarray, name: str = name) -> Any:
                return self._cost(X2, T2, {**self._params, name: p})

            try:
                J = numeric(f, value, method=method)
            except InputError:
                if method != "complex":
                    raise
                # jacobians.numeric may refuse complex step when the real part of f moves by
                # rounding (a cost that is identically 0); central differences still apply.
                J = numeric(f, value, method="central")
            grads[name] = _to_gradient(J, value.shape)
        return grads

    def gradients(self, X: Any, T: Any, method: str = "shortcut") -> dict[str, np.ndarray]:
        """∂C/∂W⁽ᵏ⁾ and ∂C/∂b⁽ᵏ⁾ for every layer, shaped like the parameters.

        Args:
            X, T: inputs and targets, samples as columns.
            method: ``"jacobian"`` (explicit product of full Jacobians, left to right as
                ``J.right(row)``, folded back as ``to_gradient`` does), ``"shortcut"`` (backprop
                with Hadamard products), ``"numeric"`` (complex step if every layer is analytic,
                else central differences), or ``"central"`` / ``"complex"`` to choose.

        Shapes: X (m,) | (m, d), T (n,) | (n, d) -> {"W1": (l1, l0), "b1": (l1,), …}.

        >>> net = MLP([2, 3, 1], ["tanh", "identity"])
        >>> g = net.gradients(np.ones(2), np.zeros(1), "jacobian")
        >>> bool(np.allclose(g["W1"], net.gradients(np.ones(2), np.zeros(1))["W1"]))
        True
        """
        if method not in METHODS:
            raise InputError(
                "MLP.gradients", "method", f"one of {check.known(METHODS)}", repr(method)
            )
        X2, T2 = self._data("MLP.gradients", X, T)
        return self._gradients(X2, T2, method)

    def _gradients(
        self, X2: np.ndarray, T2: np.ndarray, method: str, op: str = "MLP.gradients"
    ) -> dict[str, np.ndarray]:
        if method == "numeric":
            method = "complex" if self.analytic else "central"
        elif method == "complex" and not self.analytic:
            bad = [a for a in self.activations if not OPERATIONS[a].rules["z"].analytic]
            raise InputError(
                "MLP.gradients",
                "method",
                "'central' for a network with a non-analytic layer",
                f"'complex' with activations {bad}",
                "complex step needs every layer analytic; use 'numeric' to choose automatically",
            )
        return gradients_at(self, X2, T2, method, op)  # every method checks the point first
