"""A simple recurrent layer, h_t = tanh(W h_{t−1} + U x_t + b) unrolled over a sequence.

Each sample is a sequence X (m, T): m features at each of T steps; a batch is (m, T, d), samples
last. The layer starts from h₀ = 0 and gives its last state h_T (n,) per sample. Every step is
the registry's ``rnn_step``, so backprop through time multiplies a row by each step's explicit
Jacobians (∂h_t/∂h_{t−1} = diag(1 − h_t²) W, block-diagonal over a batch) and sums the rows for
W, U and b over the steps; the shortcut is BPTT as course notes write it.

>>> import numpy as np
>>> from net import Dense, Network
>>> net = Network([RNN(4), Dense(1)], (3, 5))
>>> net.shapes["W1"], net.shapes["U1"], net.forward(np.ones((3, 5))).shape
((4, 4), (4, 3), (1,))
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from jacobians import Context, Dense, add_jacobians, rnn_step
from jacobians._recurrent import _make as step_context
from jacobians._structure_args import from_checked
from reshape import InputError, ShapeError

from ._layer_base import Factor, Grads, Layer

__all__ = ["RNN", "RnnCache"]

_PARAMS = ("W", "U", "b")


@dataclass(frozen=True, slots=True)
class RnnCache:
    """The forward pass: h_T (n, d), the states h₀ … h_T (T + 1, n, d), the inputs X (m, T, d)
    and each step's context of ``rnn_step``."""

    value: np.ndarray
    states: np.ndarray
    X: np.ndarray
    steps: tuple[Context, ...]


def _after_slope(J: Any, delta: np.ndarray) -> np.ndarray:
    """row · J for J = diag(1 − a²) · (the affine map's Jacobian), given delta = row ·
    diag(1 − a²): the affine factor applied to delta (one column's ∂a/∂b is the diagonal
    alone: delta itself)."""
    return J.factors[1]._right(delta) if J.kind == "product" else delta


def _side_by_side(P: dict[str, np.ndarray], cache: RnnCache) -> Context:
    """``rnn_step``'s context of the T steps side by side, T·d columns (t, j): h_{t−1} and x_t
    in, h_t out (the values the forward pass made, not computed again)."""
    states, X = cache.states, cache.X
    T, n, d = states.shape[0] - 1, states.shape[1], states.shape[2]
    H = states[:-1].transpose(1, 0, 2).reshape(n, T * d)
    A = states[1:].transpose(1, 0, 2).reshape(n, T * d)
    Xs = X.reshape(X.shape[0], T * d)
    return step_context(A, P["W"], P["U"], P["b"], H, Xs, H, Xs)


class RNN(Layer):
    """h_t = tanh(W h_{t−1} + U x_t + b) for t = 1 … T from h₀ = 0; the output is h_T.

    Parameters W (n, n) ~ N(0, 1/n), U (n, m) ~ N(0, 1/m), b (n,) = 0.

    Shapes: X (m, T, d) -> (n, d); the per-sample input is a sequence (m, T).

    >>> RNN(8)
    RNN(8)
    """

    kind = "rnn"

    def __init__(self, hidden: int) -> None:
        if (
            isinstance(hidden, (bool, np.bool_))
            or not isinstance(hidden, (int, np.integer))
            or hidden < 1
        ):
            raise InputError("RNN", "hidden", "a positive whole number of units", repr(hidden))
        self.n = int(hidden)
        self.where = "RNN"

    def __repr__(self) -> str:
        return f"RNN({self.n})"

    def init(self, rng: Any, in_shape: tuple[int, ...], where: str) -> tuple[dict, tuple]:
        self.where = where
        if len(in_shape) != 2:
            raise ShapeError(
                where,
                "in_shape",
                "a sequence (m, T) per sample: m features at each of T steps",
                f"per-sample shape {in_shape}",
                # an Embedding's tokens are its samples, (dim,) each: no layer regroups samples
                # into one sequence, so an RNN cannot follow it
                "give the network input_shape=(m, T) and X of shape (m, T, d), one sequence per"
                " sample; an RNN cannot follow an embedding, whose tokens are separate samples of"
                " shape (dim,): look the ids up beforehand (E[:, ids] is a (dim, T) sequence)",
            )
        m = in_shape[0]
        # float(): a size past int64 would stop numpy's sqrt before the draw refuses it by name
        W = rng.normal(0.0, 1.0 / np.sqrt(float(self.n)), size=(self.n, self.n))
        U = rng.normal(0.0, 1.0 / np.sqrt(float(m)), size=(self.n, m))
        return {"W": W, "U": U, "b": np.zeros(self.n)}, (self.n,)

    def forward(self, P: dict[str, np.ndarray], X: np.ndarray) -> RnnCache:
        W, U, b = P["W"], P["U"], P["b"]
        n, m = U.shape
        if X.ndim != 3 or X.shape[0] != m:
            raise ShapeError(
                self.where,
                "X",
                f"a sequence batch (m, T, d) with m = {m} features, as U has columns",
                f"shape {X.shape}",
            )
        T, d = X.shape[1], X.shape[2]
        states = np.zeros((T + 1, n, d), dtype=np.result_type(W, U, b, X))
        steps = []
        for t in range(T):
            c = rnn_step.unchecked(W, U, b, states[t], X[:, t, :])  # type: ignore[misc]
            states[t + 1] = c.value
            steps.append(c)
        return RnnCache(states[T], states, X, tuple(steps))

    def jacobian_backward(self, P: dict[str, np.ndarray], cache: RnnCache, G: Any) -> Grads:
        """Backprop through time by the registry's Jacobians. Back from h_T, each step's
        ∂h_t/∂h_{t−1} = diag(1 − h_t²)(W ⊗ I_d) (a Product): the row through its diagonal is
        δ_t, and through W ⊗ I_d the row for h_{t−1}. W, U and b are shared by the T steps, and
        the steps side by side (T·d columns, h₀ … h_{T−1} and x₁ … x_T) are one call of
        ``rnn_step``, whose ∂/∂W = diag(vec(1 − A²))(I_n ⊗ Hᵀ): the sum over t of the steps'
        rows is one row, (δ₁ … δ_T), through its second factor, as an MLP's ∂C/∂W sums its
        samples in I_n ⊗ Xᵀ; and ∂/∂x the same for the inputs, U ⊗ I."""
        rules, (_, T, d) = rnn_step.rules, cache.X.shape
        n = P["W"].shape[0]
        deltas = np.empty((n, T, d), dtype=np.result_type(G, cache.states))
        row = G.reshape(1, -1)
        with from_checked():
            for t in range(T - 1, -1, -1):
                slope, by_W = rules["h"].build(cache.steps[t]).factors
                delta = slope._right(row)
                deltas[:, t, :] = delta.reshape(n, d)
                if t:
                    row = by_W._right(delta)
            steps = _side_by_side(P, cache)
            row = deltas.reshape(1, -1)  # (i, t, j): the columns (t, j) of the steps side by side
            grads = {p: _after_slope(rules[p].build(steps), row) for p in _PARAMS}
            dX = _after_slope(rules["x"].build(steps), row)
        return {p: grads[p].reshape(P[p].shape) for p in _PARAMS}, dX.reshape(cache.X.shape)

    def shortcut_backward(self, P: dict[str, np.ndarray], cache: RnnCache, G: Any) -> Grads:
        """BPTT: δ_t = (∂C/∂h_t) ⊙ (1 − h_t²); ∂C/∂W = Σ δ_t h_{t−1}ᵀ, ∂C/∂U = Σ δ_t x_tᵀ,
        ∂C/∂b = Σ δ_t 1, ∂C/∂x_t = Uᵀ δ_t, and ∂C/∂h_{t−1} = Wᵀ δ_t."""
        W, U = P["W"], P["U"]
        H, X = cache.states, cache.X
        gW, gU, gb = np.zeros_like(W, dtype=G.dtype), np.zeros_like(U, dtype=G.dtype), 0.0
        dX = np.zeros(X.shape, dtype=G.dtype)
        dh = G
        for t in range(X.shape[1], 0, -1):
            delta = dh * (1 - H[t] ** 2)
            gW = gW + delta @ H[t - 1].T
            gU = gU + delta @ X[:, t - 1, :].T
            gb = gb + delta.sum(axis=1)
            dX[:, t - 1, :] = U.T @ delta
            dh = W.T @ delta
        return {"W": gW, "U": gU, "b": np.asarray(gb).reshape(P["b"].shape)}, dX

    def factors(self, P: dict[str, np.ndarray], cache: RnnCache) -> list[Factor]:
        """The last step's Jacobians, ∂h_T/∂h_{T−1} first, then ∂h_T/∂W, ∂h_T/∂U, ∂h_T/∂b and
        ∂h_T/∂x_T, with the registry's closed forms in the step's names."""
        T = len(cache.steps)
        r = rnn_step.result(cache.steps[-1])
        hT, hp = _h(T), _h(T - 1)
        names = {"h": hp[0], "x": f"x_{T}", "W": "W", "U": "U", "b": "b"}
        out = []
        for p in ("h", "W", "U", "b", "x"):
            form = rnn_step.rules[p].form
            slots = {"a": hT[0], "h": hp[0], "x": f"x_{T}", "W": "W", "U": "U", "n": str(self.n)}
            tex = {"a": f"{{{hT[1]}}}", "h": f"{{{hp[1]}}}", "x": f"x_{{{T}}}", "W": "W"}
            tex.update(U="U", n=f"{{{self.n}}}")
            J = r.jacobians[p].labelled(hT[0], names[p], form.text(**slots), form.latex(**tex))
            out.append((f"∂{hT[0]}/∂{names[p]}", J))
        return out

    def chain(self, P: dict[str, np.ndarray], cache: RnnCache, wrt: str | None = None) -> list:
        """∂h_T/∂wrt summed over the steps, one factor: Σ_t (Π_{τ>t} ∂h_τ/∂h_{τ−1}) ∂h_t/∂wrt
        for a parameter (made dense: for tables at small sizes), or ∂h_T/∂X for the input."""
        T, (m, _, d) = len(cache.steps), cache.X.shape
        back = None  # ∂h_T/∂h_t, the product of the later steps' Jacobians
        terms = []
        for t in range(T - 1, -1, -1):
            r = rnn_step.result(cache.steps[t])
            local = r.jacobians["x" if wrt is None else wrt]
            terms.append(local if back is None else back @ local)
            back = r.jacobians["h"] if back is None else back @ r.jacobians["h"]
        hT = _h(T)
        if wrt is None:  # the columns of step t are those of x_t in vec X (m, T, d)
            M = np.zeros((self.n * d, m, T, d), dtype=terms[0].dtype)
            for i, J in enumerate(terms):
                M[:, :, T - 1 - i, :] = J.matrix.reshape(-1, m, d)
            J = Dense(M.reshape(self.n * d, -1), (self.n, d), (m, T, d))
            text = f"[∂{hT[0]}/∂x_1 … ∂{hT[0]}/∂x_{T}]"
            return [(f"∂{hT[0]}/∂X", J.labelled(hT[0], "X", text, None))]
        total = terms[0]
        for J in terms[1:]:
            total = add_jacobians(total, J)
        form = f"Σ_t ∂{hT[0]}/∂h_t · ∂h_t/∂{wrt}"
        return [(f"∂{hT[0]}/∂{wrt}", total.labelled(hT[0], wrt, form, None))]


def _h(t: int) -> tuple[str, str]:
    """h_t as (text, LaTeX)."""
    return f"h_{t}", f"h_{{{t}}}"
