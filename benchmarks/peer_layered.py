"""The layered networks of cases 13–15 (``net.Network``) written in jax and in torch, for the
peers' worker (peer_worker.py), in the toolkit's conventions exactly:

- samples last: a dense layer's X is (m, d); for a sequence the columns are its tokens;
  a conv1d batch is (C, L, d), an rnn's (m, T, d);
- dense: σ(W X + b); layer norm over each column (its n features), population variance,
  x̂ = (x − μ)/√(var + eps), y = γ ⊙ x̂ + β;
- attention: per head h, the rows of block h of Wq, Wk, Wv (d_k = d_model/heads each),
  O_h = V_h softmax_columns(K_hᵀQ_h/√d_k) (with the causal mask, key i is hidden from query j
  where i > j), y = Σ_h Wo[:, block h] O_h;
- conv1d: cross-correlation, y[o, t] = Σ_{c,k} w[o, c, k] xpad[c, s·t + k] + b[o], zero padding p
  on both ends; flatten: each sample's (C, L) row-major as one column;
- rnn: h_t = tanh(W h_{t−1} + U x_t + b) from h₀ = 0, its output h_T;
- residual: x + f(x).

A network comes as the list of layer descriptions that layered.py's ``describe`` makes from our
Network (its kinds, options and the names of its parameters), so the peer runs the very network
ours does, with our parameters.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

Layers = list[dict[str, Any]]


def _run(ops: dict[str, Callable], layers: Layers, P: dict[str, Any], X: Any) -> Any:
    """The layers in order; ``ops`` holds each kind's forward pass in the peer's own arrays."""
    for spec in layers:
        kind = spec["kind"]
        if kind == "residual":
            X = X + _run(ops, spec["layers"], P, X)
        elif kind == "flatten":
            X = X.reshape(-1, X.shape[-1])
        elif kind in ops:
            X = ops[kind](spec, P, X)
        else:
            raise ValueError(f"peer_layered: no rule for a {kind!r} layer")
    return X


def _dense(act: dict[str, Callable]) -> Callable:
    return lambda s, P, X: act[s["activation"]](P[s["W"]] @ X + P[s["b"]][:, None])


def _attention(softmax_keys: Callable, where: Callable) -> Callable:
    """Heads batched: (Wq X) reshaped to (heads, d_k, s) holds Q_h of each head."""

    def forward(s: dict, P: dict, X: Any) -> Any:
        n, tokens = X.shape
        h = s["heads"]
        dk = n // h
        Q, K, V = ((P[s[w]] @ X).reshape(h, dk, tokens) for w in ("Wq", "Wk", "Wv"))
        S = (K.swapaxes(1, 2) @ Q) / math.sqrt(dk)  # (heads, keys, queries)
        if s["causal"]:
            S = where(tokens, S)
        return P[s["Wo"]] @ (V @ softmax_keys(S)).reshape(n, tokens)

    return forward


def _layernorm(sqrt: Callable) -> Callable:
    def forward(s: dict, P: dict, X: Any) -> Any:
        mu = X.mean(axis=0, keepdims=True)
        C = X - mu
        xhat = C / sqrt((C * C).mean(axis=0, keepdims=True) + s["eps"])
        return P[s["gamma"]][:, None] * xhat + P[s["beta"]][:, None]

    return forward


# ----- jax -----
def jax_ops(jax: Any) -> dict[str, Callable]:
    jnp, lax = jax.numpy, jax.lax
    act = {"relu": jax.nn.relu, "tanh": jnp.tanh, "sigmoid": jax.nn.sigmoid}
    act["identity"] = lambda z: z

    def causal(t: int, S: Any) -> Any:
        keep = jnp.arange(t)[:, None] <= jnp.arange(t)[None, :]
        return jnp.where(keep, S, -jnp.inf)

    def conv1d(s: dict, P: dict, X: Any) -> Any:
        p = s["padding"]
        y = lax.conv_general_dilated(
            X.transpose(2, 0, 1), P[s["w"]], (s["stride"],), [(p, p)]
        )  # (d, C_out, L_out): lax's convolution is a cross-correlation, as ours
        return y.transpose(1, 2, 0) + P[s["b"]][:, None, None]

    def rnn(s: dict, P: dict, X: Any) -> Any:
        W, U, b = P[s["W"]], P[s["U"]], P[s["b"]][:, None]

        def step(h: Any, x: Any) -> tuple[Any, None]:
            return jnp.tanh(W @ h + U @ x + b), None

        h0 = jnp.zeros((W.shape[0], X.shape[2]), dtype=X.dtype)
        return lax.scan(step, h0, X.transpose(1, 0, 2))[0]

    return {
        "dense": _dense(act),
        "activation": lambda s, P, X: act[s["name"]](X),
        "layernorm": _layernorm(jnp.sqrt),
        "attention": _attention(lambda S: jax.nn.softmax(S, axis=1), causal),
        "conv1d": conv1d,
        "rnn": rnn,
    }


def _parameters(p: dict, a: dict) -> list[str]:
    """The names of the network's parameters among the task's arrays (all but X and T)."""
    if p["loss"] != "squared_error":
        raise ValueError(f"peer_layered: no rule for the loss {p['loss']!r}")
    return [k for k in a if k not in ("X", "T")]


def jax_grad(jax: Any, p: dict, a: dict) -> Callable[[], Any]:
    """``jax.jit(jax.grad)`` of the network's mean ½‖y − t‖² over the samples."""
    jnp, ops, names = jax.numpy, jax_ops(jax), _parameters(p, a)

    def loss(P: dict, X: Any, T: Any) -> Any:
        y = _run(ops, p["layers"], P, X)
        return 0.5 * ((y - T) ** 2).sum() / T.shape[1]

    P = {k: jnp.asarray(a[k]) for k in names}
    X, T = jnp.asarray(a["X"]), jnp.asarray(a["T"])
    grad = jax.jit(jax.grad(loss))
    return lambda: jax.block_until_ready(grad(P, X, T))


# ----- torch -----
def torch_ops(torch: Any) -> dict[str, Callable]:
    F = torch.nn.functional
    act = {"relu": torch.relu, "tanh": torch.tanh, "sigmoid": torch.sigmoid}
    act["identity"] = lambda z: z

    def causal(t: int, S: Any) -> Any:
        keep = torch.arange(t)[:, None] <= torch.arange(t)[None, :]
        return S.masked_fill(~keep, float("-inf"))

    def layernorm(s: dict, P: dict, X: Any) -> Any:  # torch's own, over each token's features
        n = X.shape[0]
        return F.layer_norm(X.T, (n,), P[s["gamma"]], P[s["beta"]], s["eps"]).T

    def conv1d(s: dict, P: dict, X: Any) -> Any:
        y = F.conv1d(X.permute(2, 0, 1), P[s["w"]], P[s["b"]], s["stride"], s["padding"])
        return y.permute(1, 2, 0)

    def rnn(s: dict, P: dict, X: Any) -> Any:
        """torch.nn.RNN (its fused loop) with our W, U, b as its parameters, b_hh = 0."""
        W, U, b = P[s["W"]], P[s["U"]], P[s["b"]]
        module = cells.setdefault(
            (U.shape[1], W.shape[0]),
            torch.nn.RNN(U.shape[1], W.shape[0], nonlinearity="tanh", dtype=torch.float64),
        )
        weights = {"weight_ih_l0": U, "weight_hh_l0": W, "bias_ih_l0": b}
        weights["bias_hh_l0"] = torch.zeros_like(b)
        h0 = torch.zeros((1, X.shape[2], W.shape[0]), dtype=X.dtype)
        _, hT = torch.func.functional_call(module, weights, (X.permute(1, 2, 0), h0))
        return hT[0].T

    cells: dict[tuple[int, int], Any] = {}
    return {
        "dense": _dense(act),
        "activation": lambda s, P, X: act[s["name"]](X),
        "layernorm": layernorm,
        "attention": _attention(lambda S: torch.softmax(S, dim=1), causal),
        "conv1d": conv1d,
        "rnn": rnn,
    }


def torch_grad(torch: Any, p: dict, a: dict) -> Callable[[], Any]:
    """torch autograd of the network's mean ½‖y − t‖² over the samples."""
    ops, names = torch_ops(torch), _parameters(p, a)
    P = {k: torch.tensor(a[k], requires_grad=True) for k in names}
    X, T = torch.tensor(a["X"]), torch.tensor(a["T"])

    def grad() -> dict[str, Any]:
        y = _run(ops, p["layers"], P, X)
        loss = 0.5 * ((y - T) ** 2).sum() / T.shape[1]
        return dict(zip(P, torch.autograd.grad(loss, list(P.values())), strict=True))

    return grad
