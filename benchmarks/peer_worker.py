"""One peer's side of the benchmarks, in a process of its own (started by peers.py):

    python peer_worker.py PEER SPEC.json INPUTS.npz OUT.json

PEER is jax, torch or numpy (bare numpy by hand, the floor the issue measures against). Each task
names a kind below; its builder returns the function to time and the checks of its result, which
must agree with the parent's ``expected`` before anything is timed. The layered networks of cases
13–15 (kind ``layered_grad``) are written in peer_layered.py.
"""

from __future__ import annotations

import json
import os
import sys
import traceback
from collections.abc import Callable
from typing import Any

import numpy as np
import peer_layered
from report import agree
from timing import rounds

Built = tuple[Callable[[], Any], Callable[[Any], dict[str, Any]]]


def _one_cpu() -> str:
    """Hold this process (and the threads it starts later) to one CPU, as taskset does."""
    if not hasattr(os, "sched_setaffinity"):
        return "not held to one CPU (no sched_setaffinity here)"
    cpus = sorted(os.sched_getaffinity(0))
    os.sched_setaffinity(0, {cpus[0]})
    return f"held to CPU {cpus[0]} of {len(cpus)}"


def _forward(xp: Any, act: dict[str, Callable], W: list, b: list, acts: list[str], X: Any) -> Any:
    y = X
    for Wk, bk, a in zip(W, b, acts, strict=True):
        y = act[a](Wk @ y + bk[:, None])
    return y


def _loss(xp: Any, log_softmax: Callable, loss: str, y: Any, T: Any) -> Any:
    """Our losses: the mean over the d samples (columns) of each sample's loss."""
    d = T.shape[1]
    if loss == "softmax_cross_entropy":
        return -(T * log_softmax(y)).sum() / d
    if loss == "cross_entropy":
        return -(T * xp.log(y)).sum() / d
    return 0.5 * ((y - T) ** 2).sum() / d


def _network(a: dict[str, Any]) -> tuple[list[str], list[str]]:
    L = sum(1 for k in a if k.startswith("W"))
    return [f"W{k}" for k in range(1, L + 1)], [f"b{k}" for k in range(1, L + 1)]


# ----- jax -----
def _jax() -> tuple[Any, str]:
    import jax

    jax.config.update("jax_enable_x64", True)
    jax.config.update("jax_platforms", "cpu")
    return jax, f"jax {jax.__version__}"


def jax_kinds(jax: Any) -> dict[str, Callable[[dict, dict], Built]]:
    jnp = jax.numpy
    act = {
        "sigmoid": jax.nn.sigmoid,
        "tanh": jnp.tanh,
        "relu": jax.nn.relu,
        "identity": lambda z: z,
        "softmax": lambda z: jax.nn.softmax(z, axis=0),
    }

    def mlp_grad(p: dict, a: dict) -> Built:
        Ws, bs = _network(a)

        def loss(P: dict, X: Any, T: Any) -> Any:
            y = _forward(jnp, act, [P[w] for w in Ws], [P[b] for b in bs], p["activations"], X)
            return _loss(jnp, lambda z: jax.nn.log_softmax(z, axis=0), p["loss"], y, T)

        P = {k: jnp.asarray(a[k]) for k in Ws + bs}
        X, T = jnp.asarray(a["X"]), jnp.asarray(a["T"])
        grad = jax.jit(jax.grad(loss))
        return (lambda: jax.block_until_ready(grad(P, X, T))), (lambda g: dict(g))

    def dense_jacrev(p: dict, a: dict) -> Built:
        W, x, b = (jnp.asarray(a[k]) for k in ("W", "x", "b"))
        jac = jax.jit(jax.jacrev(lambda W_: W_ @ x + b))
        return (lambda: jax.block_until_ready(jac(W))), lambda M: _probes(M, a)

    def structured_jacrev(p: dict, a: dict) -> Built:
        A, X, B = (jnp.asarray(a[k]) for k in ("A", "X", "B"))
        f = (lambda X_: A @ X_ @ B) if p["text"] == "AXB" else jnp.linalg.inv
        jac = jax.jit(jax.jacrev(f))
        return (lambda: jax.block_until_ready(jac(X))), lambda M: _probes(M, a)

    def loss_grad(p: dict, a: dict) -> Built:
        M, v, y = (jnp.asarray(a[k]) for k in ("M", "v", "y"))
        if p["loss"] == "least_squares":
            f = lambda v_, M_, y_: jnp.sum((M_ @ v_ - y_) ** 2)
        else:
            f = lambda v_, M_, y_: jnp.sum(jnp.log(jnp.exp(-y_ * (M_ @ v_)) + 1))
        grad = jax.jit(jax.grad(f))
        return (lambda: jax.block_until_ready(grad(v, M, y))), lambda g: {"grad": g}

    def fan_out(p: dict, a: dict) -> Built:
        x, A, B = (jnp.asarray(a[k]) for k in ("x", "A", "B"))
        transform = jax.jacrev if p["transform"] == "jacrev" else jax.jacfwd
        jac = jax.jit(transform(lambda x_, A_, B_: jnp.tanh(A_ @ jnp.tanh(B_ @ x_)) + x_))
        return (lambda: jax.block_until_ready(jac(x, A, B))), lambda M: {"J": M}

    def layered_grad(p: dict, a: dict) -> Built:
        return peer_layered.jax_grad(jax, p, a), lambda g: dict(g)

    return {
        "mlp_grad": mlp_grad,
        "layered_grad": layered_grad,
        "dense_jacrev": dense_jacrev,
        "structured_jacrev": structured_jacrev,
        "loss_grad": loss_grad,
        "fan_out": fan_out,
    }


def _probes(M: Any, a: dict) -> dict[str, Any]:
    """A dense Jacobian's products with the probes u (a row) and v (a column), which the parent
    computed with ours: the whole matrix need not travel back."""
    M = np.asarray(M).reshape(a["u"].size, a["v"].size)
    return {"uM": a["u"].reshape(1, -1) @ M, "Mv": M @ a["v"].reshape(-1, 1)}


# ----- torch -----
def _torch() -> tuple[Any, str]:
    import torch

    torch.set_num_threads(1)
    torch.set_num_interop_threads(1)
    return torch, f"torch {torch.__version__}"


def torch_kinds(torch: Any) -> dict[str, Callable[[dict, dict], Built]]:
    act = {
        "sigmoid": torch.sigmoid,
        "tanh": torch.tanh,
        "relu": torch.relu,
        "identity": lambda z: z,
        "softmax": lambda z: torch.softmax(z, dim=0),
    }

    def mlp_grad(p: dict, a: dict) -> Built:
        Ws, bs = _network(a)
        P = {k: torch.tensor(a[k], requires_grad=True) for k in Ws + bs}
        X, T = torch.tensor(a["X"]), torch.tensor(a["T"])

        def grad() -> Any:
            y = _forward(torch, act, [P[w] for w in Ws], [P[b] for b in bs], p["activations"], X)
            loss = _loss(torch, lambda z: torch.log_softmax(z, dim=0), p["loss"], y, T)
            return dict(zip(P, torch.autograd.grad(loss, list(P.values())), strict=True))

        return grad, lambda g: {k: v.numpy() for k, v in g.items()}

    def dense_jacrev(p: dict, a: dict) -> Built:
        W, x, b = (torch.tensor(a[k]) for k in ("W", "x", "b"))
        jac = torch.func.jacrev(lambda W_: W_ @ x + b)
        return (lambda: jac(W)), lambda M: _probes(M.numpy(), a)

    def layered_grad(p: dict, a: dict) -> Built:
        return peer_layered.torch_grad(torch, p, a), lambda g: {k: v.numpy() for k, v in g.items()}

    return {"mlp_grad": mlp_grad, "layered_grad": layered_grad, "dense_jacrev": dense_jacrev}


# ----- bare numpy, by hand -----
def numpy_kinds() -> dict[str, Callable[[dict, dict], Built]]:
    def mlp_grad(p: dict, a: dict) -> Built:
        """Backprop written out for sigmoid, tanh or identity layers under softmax with
        cross-entropy (fused) or squared error: the arithmetic without any checks."""
        Ws, bs = _network(a)
        W, b = [a[k] for k in Ws], [a[k] for k in bs]
        X, T, acts, loss = a["X"], a["T"], p["activations"], p["loss"]
        if loss not in ("softmax_cross_entropy", "squared_error") or not set(acts) <= {
            "sigmoid",
            "tanh",
            "identity",
        }:
            raise ValueError(f"numpy by hand: no rule for {acts} with {loss}")
        d = X.shape[1]

        def grad() -> dict[str, np.ndarray]:
            ys = [X]
            for Wk, bk, act in zip(W, b, acts, strict=True):
                z = Wk @ ys[-1]
                z += bk[:, None]
                if act == "sigmoid":
                    z = 1 / (1 + np.exp(-z))
                elif act == "tanh":
                    z = np.tanh(z)
                ys.append(z)
            y = ys[-1]
            if loss == "softmax_cross_entropy":
                e = np.exp(y - y.max(axis=0))
                delta = (e / e.sum(axis=0) - T) / d
            else:
                delta = (y - T) / d
            out = {}
            for k in range(len(W), 0, -1):
                act, yk = acts[k - 1], ys[k]
                if act == "sigmoid":
                    delta *= yk * (1 - yk)
                elif act == "tanh":
                    delta *= 1 - yk**2
                out[Ws[k - 1]] = delta @ ys[k - 1].T
                out[bs[k - 1]] = delta.sum(axis=1)
                if k > 1:
                    delta = W[k - 1].T @ delta
            return out

        return grad, lambda g: g

    return {"mlp_grad": mlp_grad}


def _load(peer: str) -> tuple[dict[str, Callable[[dict, dict], Built]], str]:
    if peer == "jax":
        jax, about = _jax()
        return jax_kinds(jax), about
    if peer == "torch":
        torch, about = _torch()
        return torch_kinds(torch), about
    if peer == "numpy":
        return numpy_kinds(), f"numpy {np.__version__}"
    raise SystemExit(f"peer_worker.py: unknown peer {peer!r}")


def main(argv: list[str]) -> int:
    peer, spec_path, inputs_path, out_path = argv
    where = _one_cpu()
    spec = json.loads(open(spec_path).read())
    with np.load(inputs_path) as npz:
        data = {k: npz[k] for k in npz.files}
    kinds, about = _load(peer)
    timings, out = [], {}
    try:
        for i, task in enumerate(spec["tasks"]):
            arrays = {
                k.split("/", 2)[2]: v for k, v in data.items() if k.startswith(f"{i}/arrays/")
            }
            expected = {
                k.split("/", 2)[2]: v for k, v in data.items() if k.startswith(f"{i}/expected/")
            }
            f, checks = kinds[task["kind"]](task["params"], arrays)
            got = checks(f())
            for name, want in expected.items():
                agree(got[name], want, f"{task['kind']} {task['params']} {name}")
            t = rounds([f], spec["quick"], spec["budget"])[0]
            timings.append(t.to_dict())
        out = {"about": f"{about}, one thread, {where}", "timings": timings}
    except AssertionError as e:
        out = {"disagree": str(e)}
    except Exception:
        traceback.print_exc()
        return 1
    with open(out_path, "w") as fh:
        json.dump(out, fh)
    return 0 if "timings" in out else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
