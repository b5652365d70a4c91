"""The multilayer network y⁽ᵏ⁾ = σ_k(W⁽ᵏ⁾ y⁽ᵏ⁻¹⁾ + b⁽ᵏ⁾), y⁽⁰⁾ = x, and its gradients three ways.

The cost is the mean over the d samples (the columns of X and T) of a loss ℓ summed per sample:
C = (1/d) Σᵢ ℓ(y⁽ᴸ⁾(sᵢ), tᵢ); for squared error C = 1/(2d) Σᵢ ‖tᵢ − y⁽ᴸ⁾(sᵢ)‖², as in the second
write-up.

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
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

import numpy as np

from jacobians import ACTIVATIONS, COSTS, OPERATIONS, Dense, Jacobian, Operation, linear, numeric
from jacobians import to_gradient as _to_gradient
from reshape import InputError, InputTypeError, ShapeError, as_array, assume_finite, describe

from ._factors import Factors, rename, sub, var
from ._layers import ACTIVATION_RULES, LOSSES

__all__ = ["METHODS", "MLP", "Backprop"]

METHODS = ("jacobian", "shortcut", "numeric", "central", "complex")


def _known(names: Sequence[str]) -> str:
    return ", ".join(repr(n) for n in names)


@dataclass(frozen=True)
class Backprop:
    """What the Hadamard-shortcut backward pass computes, layer by layer (keys are layers k).

    Attributes:
        cost: C, the mean loss over the samples.
        z, y: z⁽ᵏ⁾ (k = 1…L) and y⁽ᵏ⁾ (k = 0…L, y⁽⁰⁾ = X), each (n_k, d).
        dC_dy: ∂C/∂y⁽ᵏ⁾ (k = 1…L), shaped like y⁽ᵏ⁾: the transpose of the numerator-layout row.
        dC_dz: δ⁽ᵏ⁾ = ∂C/∂z⁽ᵏ⁾ (k = 1…L), shaped like z⁽ᵏ⁾.
        gradients: ∂C/∂W⁽ᵏ⁾ = δ⁽ᵏ⁾ y⁽ᵏ⁻¹⁾ᵀ and ∂C/∂b⁽ᵏ⁾ = δ⁽ᵏ⁾ 1, keyed W1, b1, …
    """

    cost: float
    z: dict[int, np.ndarray]
    y: dict[int, np.ndarray]
    dC_dy: dict[int, np.ndarray]  # noqa: N815 - the write-up's name
    dC_dz: dict[int, np.ndarray]  # noqa: N815
    gradients: dict[str, np.ndarray]


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
        self.sizes = _sizes(sizes)
        self.depth = len(self.sizes) - 1
        self.activations = _activations(activations, self.depth)
        self.loss = _loss(loss, self.activations[-1])
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
                f"exactly the parameters {_known(list(self._params))}",
                f"missing {missing}, unknown {unknown}",
            )
        checked = {k: self._check_param(k, new[k]) for k in self._params}
        self._params.update(checked)

    def __getitem__(self, name: str) -> np.ndarray:
        if name not in self._params:
            raise KeyError(f"MLP: no parameter {name!r}; the parameters are {_known(self._params)}")
        return self._params[name].copy()

    def __setitem__(self, name: str, value: Any) -> None:
        if name not in self._params:
            raise KeyError(f"MLP: no parameter {name!r}; the parameters are {_known(self._params)}")
        self._params[name] = self._check_param(name, value)

    def _check_param(self, name: str, value: Any) -> np.ndarray:
        a = _real(as_array(value, "MLP.params", name), "MLP.params", name)
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
        """X as an (m, d) batch; a vector is one sample."""
        m = self.sizes[start]
        name = "X" if start == 0 else f"y⁽{start}⁾"
        X = _real(as_array(X, op, name), op, name)
        if X.ndim not in (1, 2) or X.shape[0] != m:
            hint = "samples are columns: one sample as (m,) or (m, 1), d samples as (m, d)"
            if m == 1 and X.ndim == 1:
                hint = f"for {X.shape[0]} samples of one input give X.reshape(1, -1)"
            raise ShapeError(op, name, f"shape ({m},) or ({m}, d) with m = {m}", describe(X), hint)
        return X.reshape(m, -1)

    def _targets(self, op: str, T: Any, d: int) -> np.ndarray:
        n = self.sizes[-1]
        T = _real(as_array(T, op, "T"), op, "T")
        if not (T.shape == (n, d) or (d == 1 and T.shape == (n,))):
            one = f"({n},) or " if d == 1 else ""
            raise ShapeError(
                op,
                "T",
                f"shape {one}({n}, {d}): one target column of {n} per sample of X",
                describe(T),
                "nothing is broadcast: give one target column per column of X",
            )
        T = T.reshape(n, d)
        if LOSSES[self.loss].probabilities:
            _probabilities(op, T, self.loss)
        return T

    def _data(self, op: str, X: Any, T: Any) -> tuple[np.ndarray, np.ndarray]:
        X2 = self._inputs(op, X)
        return X2, self._targets(op, T, X2.shape[1])

    # ----- forward pass (the network's own rules) -----
    def _run(
        self, Y: np.ndarray, params: Mapping[str, np.ndarray], start: int = 0
    ) -> tuple[dict[int, np.ndarray], dict[int, np.ndarray]]:
        z, y = {}, {start: Y}
        for k in range(start + 1, self.depth + 1):
            z[k] = params[f"W{k}"] @ y[k - 1] + params[f"b{k}"][:, None]
            y[k] = ACTIVATION_RULES[self.activations[k - 1]].fn(z[k])
        return z, y

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
        z, y = self._run(Y, self._params, start)
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
    ) -> Any:
        _, y = self._run(X2, self._params if params is None else params, start)
        return LOSSES[self.loss].value(y[self.depth], T2) / X2.shape[1]

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
        return self._backprop(X2, T2)

    def _backprop(self, X2: np.ndarray, T2: np.ndarray) -> Backprop:
        L, d, P = self.depth, X2.shape[1], self._params
        z, y = self._run(X2, P)
        loss = LOSSES[self.loss]
        g = loss.grad(y[L], T2) / d
        dC_dy, dC_dz, grads = {L: g}, {}, {}
        for k in range(L, 0, -1):
            delta = ACTIVATION_RULES[self.activations[k - 1]].back(z[k], y[k], g)
            dC_dz[k] = delta
            # δ y⁽ᵏ⁻¹⁾ᵀ; for one sample an outer product, which numpy's broadcast multiply does in
            # under half the time BLAS takes for a matrix product of inner size 1 (137 µs
            # against 304 µs at 256×784)
            grads[f"W{k}"] = delta * y[k - 1].T if d == 1 else delta @ y[k - 1].T
            grads[f"b{k}"] = delta.sum(axis=1)
            if k > 1:
                g = P[f"W{k}"].T @ delta
                dC_dy[k - 1] = g
        cost = float(loss.value(y[L], T2) / d)
        order = {name: grads[name] for name in P}
        return Backprop(cost, z, y, dC_dy, dC_dz, order)

    # ----- the full-Jacobian chain, from the jacobians operations -----
    def _steps(self, X2: np.ndarray, T2: np.ndarray) -> list[tuple[Operation, SimpleNamespace]]:
        """The forward pass through the ``jacobians`` operations, as (operation, context) pairs:
        linear and the activation for layers 1 … L, then the cost. A context is what the
        operation's ``prepare`` returns (its value and what its rules need); ``op.result(ctx)``
        is what calling the operation would have returned."""
        P, Y, steps = self._params, X2, []
        for k in range(1, self.depth + 1):
            z = linear.prepare(P[f"W{k}"], Y, P[f"b{k}"])
            act = ACTIVATIONS[self.activations[k - 1]]
            a = act.prepare(z.value, **act.options)
            steps += [(linear, z), (act, a)]
            Y = a.value
        cost = COSTS[self.loss]
        steps.append((cost, cost.prepare(Y, T2, **cost.options)))
        return steps

    def _ops(self, X2: np.ndarray, T2: np.ndarray) -> tuple[list, list, Any]:
        """The forward pass as Results: linear's and the activation's per layer (index k), and
        the cost's."""
        res = [op.result(ctx) for op, ctx in self._steps(X2, T2)]
        return [None, *res[0:-1:2]], [None, *res[1:-1:2]], res[-1]

    def _labelled(self, lin: list, act: list, cr: Any, d: int) -> dict[str, Any]:
        """Every factor of every chain, labelled in the network's notation."""
        L = self.depth
        yL, yL_tex = var("y", L)
        head: list[tuple[Jacobian, str, str]] = []
        of = "C"
        if d > 1:
            mean = Dense(
                np.array([[1.0 / d]]),
                (),
                (),
                of="C",
                wrt="ℓ",
                closed_form="1/d",
                latex=r"\frac{1}{d}",
            )
            head.append((mean, "∂C/∂ℓ", r"\frac{\partial C}{\partial \ell}"))
            of = "ℓ"
        first = OPERATIONS[self.loss].params[0].name
        J = cr.jacobian
        row = J.labelled(
            of,
            yL,
            rename(J.closed_form, {first: yL, "y": "t"}),
            rename(J.latex, {first: f"{{{yL_tex}}}", "y": "t"}),
        )
        of_tex = "C" if d == 1 else r"\ell"
        head.append((row, f"∂{of}/∂{yL}", rf"\frac{{\partial {of_tex}}}{{\partial {yL_tex}}}"))
        layers = {}
        for k in range(1, L + 1):
            n = self.sizes[k]
            yk, yk_tex = var("y", k)
            zk, zk_tex = var("z", k)
            Wk, Wk_tex = var("W", k)
            bk, bk_tex = var("b", k)
            prev, prev_tex = ("x", "x") if k == 1 else var("y", k - 1)
            A = act[k].jacobian
            names = {"z": zk, "a": yk}
            tex_names = {"z": f"{{{zk_tex}}}", "a": f"{{{yk_tex}}}"}
            cf = rename(A.closed_form, names).replace("I_n", f"I_{A.shape[0]}")
            tex = rename(A.latex, tex_names).replace("I_n", f"I_{{{A.shape[0]}}}")
            batch = "" if d == 1 else f" ⊗ I_{d}"
            batch_tex = "" if d == 1 else rf" \otimes I_{{{d}}}"
            ones = "" if d == 1 else f" ⊗ 1_{d}"
            ones_tex = "" if d == 1 else rf" \otimes \mathbf{{1}}_{{{d}}}"
            Jw, Jb, Jx = (lin[k].jacobians[p] for p in ("W", "b", "x"))
            layers[k] = {
                "act": (A.labelled(yk, zk, cf, tex), f"∇σ{sub(k)}", rf"\nabla\sigma_{{{k}}}"),
                "W": (
                    Jw.labelled(
                        zk,
                        Wk,
                        f"I_{n} ⊗ {prev}ᵀ",
                        rf"I_{{{n}}} \otimes {{{prev_tex}}}^{{\top}}",
                    ),
                    f"∂{zk}/∂{Wk}",
                    rf"\frac{{\partial {zk_tex}}}{{\partial {Wk_tex}}}",
                ),
                "b": (
                    Jb.labelled(zk, bk, f"I_{n}{ones}", rf"I_{{{n}}}{ones_tex}"),
                    f"∂{zk}/∂{bk}",
                    rf"\frac{{\partial {zk_tex}}}{{\partial {bk_tex}}}",
                ),
                "x": (Jx.labelled(zk, prev, f"{Wk}{batch}", f"{Wk_tex}{batch_tex}"), Wk, Wk_tex),
            }
        return {"head": head, "layers": layers}

    def _chain_of(self, lab: dict[str, Any], wrt: str) -> list[tuple[Jacobian, str, str]]:
        kind, k = wrt[0], int(wrt[1:])
        out = list(lab["head"])
        for j in range(self.depth, k, -1):
            out += [lab["layers"][j]["act"], lab["layers"][j]["x"]]
        out += [lab["layers"][k]["act"], lab["layers"][k][kind]]
        return out

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
        if wrt not in self._params:
            raise InputError(
                "MLP.factors", "wrt", f"a parameter name, one of {_known(self._params)}", repr(wrt)
            )
        X2, T2 = self._data("MLP.factors", x, t)
        lin, act, cr = self._ops(X2, T2)
        items = self._chain_of(self._labelled(lin, act, cr, X2.shape[1]), wrt)
        return Factors(
            wrt,
            self._params[wrt].shape,
            tuple(i[0] for i in items),
            tuple(i[1] for i in items),
            tuple(i[2] for i in items),
        )

    def _jacobian(self, X2: np.ndarray, T2: np.ndarray) -> dict[str, np.ndarray]:
        """Reverse mode through the chain: the prefix ∂C/∂z⁽ᵏ⁾ is shared by W⁽ᵏ⁾ and b⁽ᵏ⁾ and
        extended by W⁽ᵏ⁾ · ∇σ_{k−1}. The factors are those of :meth:`factors`, each built by its
        operation's rule from the forward pass's context, unlabelled: a gradient shows no labels,
        and building them (and a Result per operation) costs more than the arithmetic of a small
        network. The prefix is a 1×N row, and each step is ``J.right(row)`` = row · J, exactly what
        ``row @ J`` (compose) computes for a row, without a Jacobian object per product; so nothing
        nd×nm is ever made dense. The last step's row has the parameter's entries in row-major
        order, so a reshape folds it into the gradient (what ``to_gradient`` does)."""
        with assume_finite():  # X, T and the parameters are checked, and each op feeds the next
            steps = self._steps(X2, T2)
        P, d, rules = self._params, X2.shape[1], linear.rules
        cost, c = steps[-1]
        row = cost.rules[cost.params[0].name].build(c).matrix  # ∂ℓ/∂y⁽ᴸ⁾ summed over the samples
        prefix = row if d == 1 else row * (1 / d)  # the 1×1 factor ∂C/∂ℓ = 1/d times the row
        grads = {}
        for k in range(self.depth, 0, -1):
            (_, z), (act, a) = steps[2 * k - 2], steps[2 * k - 1]
            dz = act.rules["z"].build(a).right(prefix)
            for p in ("W", "b"):
                name = f"{p}{k}"
                grads[name] = rules[p].build(z).right(dz).reshape(P[name].shape)
            if k > 1:
                prefix = rules["x"].build(z).right(dz)
        return {name: grads[name] for name in P}

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
            raise InputError("MLP.gradients", "method", f"one of {_known(METHODS)}", repr(method))
        X2, T2 = self._data("MLP.gradients", X, T)
        return self._gradients(X2, T2, method)

    def _gradients(self, X2: np.ndarray, T2: np.ndarray, method: str) -> dict[str, np.ndarray]:
        if method == "shortcut":
            return self._backprop(X2, T2).gradients
        if method == "jacobian":
            return self._jacobian(X2, T2)
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
        return self._numeric(X2, T2, method)


# ----- argument checks -----


def _real(a: np.ndarray, op: str, arg: str) -> np.ndarray:
    if np.iscomplexobj(a):
        raise InputTypeError(op, arg, "real numbers", describe(a))
    return a


def _sizes(sizes: Any) -> tuple[int, ...]:
    if isinstance(sizes, (str, bytes)) or not isinstance(sizes, Sequence | np.ndarray):
        raise InputTypeError("MLP", "sizes", "a list of widths like [1, 16, 1]", describe(sizes))
    out = []
    for i, s in enumerate(sizes):
        if isinstance(s, (bool, np.bool_)) or not isinstance(s, (int, np.integer)) or s < 1:
            raise InputError("MLP", "sizes", "positive integer widths", f"sizes[{i}] = {s!r}")
        out.append(int(s))
    if len(out) < 2:
        raise InputError(
            "MLP", "sizes", "at least two widths (input and output)", f"{list(sizes)!r}"
        )
    return tuple(out)


def _activations(activations: Any, depth: int) -> tuple[str, ...]:
    if isinstance(activations, str) or not isinstance(activations, Sequence):
        raise InputTypeError(
            "MLP",
            "activations",
            f"a list of {depth} activation names, one per layer",
            repr(activations),
            f"for the same activation everywhere write [{activations!r}] * {depth}",
        )
    if len(activations) != depth:
        raise InputError(
            "MLP",
            "activations",
            f"{depth} names, one per layer (len(sizes) − 1 = {depth})",
            f"{len(activations)}: {list(activations)!r}",
        )
    known = [a for a in ACTIVATIONS if a in ACTIVATION_RULES]
    for i, a in enumerate(activations):
        if a not in known:
            raise InputError(
                "MLP",
                "activations",
                f"activation names, one of {_known(known)}",
                f"activations[{i}] = {a!r}",
            )
    return tuple(activations)


def _loss(loss: Any, last: str) -> str:
    if not isinstance(loss, str) or loss not in LOSSES:
        raise InputError("MLP", "loss", f"one of {_known(LOSSES)}", repr(loss))
    rule = LOSSES[loss]
    if rule.needs_last is not None and last != rule.needs_last:
        raise InputError(
            "MLP",
            "loss",
            f"{loss!r} with {rule.needs_last!r} as the last activation",
            f"last activation {last!r}",
            rule.doc + " On logits use 'softmax_cross_entropy' with 'identity' last.",
        )
    if last in rule.refuses:
        raise InputError(
            "MLP",
            "loss",
            f"{loss!r} with a last activation other than {_known(rule.refuses)}",
            f"last activation {last!r}",
            rule.doc + " With 'softmax' last use loss 'cross_entropy'.",
        )
    return loss


def _probabilities(op: str, T: np.ndarray, loss: str) -> None:
    bad = (T < 0) | (T > 1)
    if bad.any():
        i, j = (int(v) for v in np.argwhere(bad)[0])
        raise InputError(
            op,
            "T",
            f"probability vectors as columns for loss {loss!r} (entries in [0, 1])",
            f"T[{i}, {j}] = {float(T[i, j])!r}",
        )
    sums = T.sum(axis=0)
    off = np.abs(sums - 1) > 1e-8
    if off.any():
        j = int(np.argmax(off))
        raise InputError(
            op,
            "T",
            f"probability vectors as columns for loss {loss!r} (each column summing to 1)",
            f"column {j} summing to {float(sums[j])!r}",
            "one-hot targets: T = np.eye(n)[:, labels]",
        )
