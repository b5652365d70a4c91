"""Multi-head scaled dot-product self-attention over the tokens of one sequence (the columns).

X (d_model, s) holds s tokens. Head h projects them, Q_h = Wq_h X, K_h = Wk_h X, V_h = Wv_h X
(Wq_h the h-th block of d_k = d_model/heads rows of Wq, and so Wk_h, Wv_h), attends,
O_h = V_h softmax(K_hᵀQ_h/√d_k), and the heads are mixed by Wo: y = Wo concat_h(O_h) =
Σ_h Wo_h O_h, Wo_h the h-th block of d_k columns of Wo. Every factor is a registry Jacobian:
``matmul``'s for the projections and the mixing, ``attention``'s for each head, so X reaches y by
3·heads paths, whose rows the Jacobian backward pass sums.

The heads' projections are computed at once (Q = Wq X, whose rows b are Q_h) and their outputs
stacked, O = [O₁; …; O_H], are mixed by one product y = Wo O, as the backward passes use them.

The shortcut is the backward pass as course notes write it: dO = Woᵀ G, and per head with
G_h its rows, dV = G_h Pᵀ, dP = Vᵀ G_h, dS = P ⊙ (dP − 1(1ᵀ(P ⊙ dP)))/√d_k (softmax down each
column), dQ = K dS, dK = Q dSᵀ; then, the heads' stacked, dW = dQ Xᵀ for each projection,
dX = Σ Wᵀ dQ, and dWo = G Oᵀ.

>>> from net import Network
>>> net = Network([Attention(heads=2, causal=True)], (4,))
>>> sorted(net.shapes.items())
[('Wk1', (4, 4)), ('Wo1', (4, 4)), ('Wq1', (4, 4)), ('Wv1', (4, 4))]
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import numpy as np

from jacobians import Kronecker, attention, compose, matmul, softmax
from jacobians._affine import _matmul_context
from jacobians._attention import AttentionContext, causal_mask
from jacobians._notation import sub, to_latex, unscript
from reshape import InputError

from ._layer_base import Factor, Grads, Layer, vector_input

__all__ = ["Attention"]

PROJECTIONS = (("q", "Wq", "Q"), ("k", "Wk", "K"), ("v", "Wv", "V"))


@dataclass(frozen=True, slots=True)
class HeadCache:
    """One head's forward pass: the contexts of its projections Q_h, K_h, V_h (matmul; their
    values are rows of the whole projections') and of its attention."""

    q: Any
    k: Any
    v: Any
    att: AttentionContext


@dataclass(frozen=True, slots=True)
class AttentionCache:
    """The layer's forward pass: y (d_model, s), the input X, the whole projections Q = Wq X,
    K = Wk X, V = Wv X and the mixing y = Wo O (matmul contexts), and each head's contexts."""

    value: np.ndarray
    X: np.ndarray
    projections: tuple[Any, Any, Any]
    mixing: Any
    heads: tuple[HeadCache, ...]


def _through(factors: Any, row: np.ndarray) -> np.ndarray:
    """row · F₁ ⋯ F_k, each factor's own action in turn."""
    for F in factors:
        row = F._right(row)
    return row


class Attention(Layer):
    """Multi-head self-attention y = Σ_h Wo_h V_h softmax(K_hᵀQ_h/√d_k), tokens as columns.

    Args:
        heads: the number of heads, a positive whole number dividing the model width d_model
            (each head has d_k = d_model/heads rows of Wq, Wk and Wv).
        causal: whether token j attends only to tokens 0…j.

    Parameters: Wq, Wk, Wv and Wo, each d_model × d_model, drawn N(0, 1/d_model).

    Shapes: X (d_model, s) -> y (d_model, s); the samples axis is the sequence's tokens.

    >>> Attention(heads=4, causal=True)
    Attention(heads=4, causal=True)
    """

    kind = "attention"

    def __init__(self, heads: int = 1, causal: bool = False) -> None:
        whole = isinstance(heads, (int, np.integer)) and not isinstance(heads, (bool, np.bool_))
        if not whole or heads < 1:
            raise InputError("Attention", "heads", "a positive whole number of heads", repr(heads))
        if not isinstance(causal, (bool, np.bool_)):
            raise InputError("Attention", "causal", "True or False", repr(causal))
        self.heads, self.causal = int(heads), bool(causal)

    def __repr__(self) -> str:
        return f"Attention(heads={self.heads}, causal={self.causal})"

    def init(self, rng: Any, in_shape: tuple[int, ...], where: str) -> tuple[dict, tuple]:
        d_model = vector_input(where, in_shape, "attention (one token of d_model features)")
        if d_model % self.heads:
            raise InputError(
                where,
                "heads",
                f"a number of heads dividing the model width d_model = {d_model}",
                f"heads = {self.heads}",
                f"each head takes d_model/heads rows of Wq, Wk and Wv: choose heads among the "
                f"divisors of {d_model}",
            )
        scale = 1.0 / np.sqrt(float(d_model))  # a float: a size past int64 reaches the limit
        P = {w: rng.normal(0.0, scale, size=(d_model, d_model)) for w in ("Wq", "Wk", "Wv", "Wo")}
        return P, (d_model,)

    def _blocks(self, P: dict[str, np.ndarray]) -> list[slice]:
        dk = P["Wq"].shape[0] // self.heads
        return [slice(h * dk, (h + 1) * dk) for h in range(self.heads)]

    def forward(self, P: dict[str, np.ndarray], X: np.ndarray) -> AttentionCache:
        # the heads' projections are the rows of the whole ones (Q_h = Wq_h X is rows b of
        # Q = Wq X), and their outputs, stacked, are mixed by one product y = Wo O: each is one
        # matmul, whose context also serves each head (its rows, a view)
        whole = tuple(matmul.unchecked(P[W], X) for _, W, _ in PROJECTIONS)  # type: ignore[misc]
        heads = []
        for b in self._blocks(P):
            q, k, v = (
                _matmul_context(P[W][b], X, c.value[b])
                for (_, W, _), c in zip(PROJECTIONS, whole, strict=True)
            )
            att = attention.unchecked(q.value, k.value, v.value, self.causal)  # type: ignore
            heads.append(HeadCache(q, k, v, att))
        stacked = np.concatenate([hc.att.value for hc in heads])  # O = [O₁; …; O_H]
        mixing = matmul.unchecked(P["Wo"], stacked)  # type: ignore[misc]
        return AttentionCache(mixing.value, X, whole, mixing, tuple(heads))  # type: ignore[arg-type]

    def inner(self, cache: AttentionCache) -> dict[str, np.ndarray]:
        """Each head's Q, K, V and its scores S (0 where masked), which may overflow."""
        out = {}
        for i, hc in enumerate(cache.heads):
            h = sub(i + 1)
            for c, name in ((hc.q, "Q"), (hc.k, "K"), (hc.v, "V")):
                out[f"{name}{h}"] = c.value
            S = hc.att.S
            out[f"S{h} = K{h}ᵀQ{h}/√d_k"] = (
                np.where(causal_mask(*S.shape), S, 0) if hc.att.causal else S
            )
        return out

    def jacobian_backward(self, P: dict[str, np.ndarray], cache: AttentionCache, G: Any) -> Grads:
        """Rows times the registry's Jacobians: ∂y/∂Wo = I ⊗ Oᵀ and ∂y/∂O = Wo ⊗ I_s (O the
        heads' outputs stacked, so the row for O is the heads' rows side by side); per head
        attention's ∂O_h/∂Q_h and ∂O_h/∂K_h (products through the softmax) and ∂O_h/∂V_h
        (I ⊗ Pᵀ); then the whole projections' I ⊗ Xᵀ and W ⊗ I_s, for the heads' rows side by
        side (vec Q stacks the heads' vec Q_h); X's rows from its three projections summed."""
        g = G.reshape(1, -1)
        mm, att = matmul.rules, attention.rules
        grads = {"Wo": mm["A"].build(cache.mixing)._right(g).reshape(P["Wo"].shape)}
        dO = mm["B"].build(cache.mixing)._right(g)
        size = dO.shape[1] // self.heads  # one head's entries of O, contiguous in vec O
        rows: dict[str, list[np.ndarray]] = {"Q": [], "K": [], "V": []}
        for h, hc in enumerate(cache.heads):
            dO_h = dO[:, h * size : (h + 1) * size]
            JQ, JK = att["Q"].build(hc.att), att["K"].build(hc.att)
            # ∂O/∂Q and ∂O/∂K share their first two factors, V ⊗ I_s and the softmax's J: the
            # row through them, ∂C/∂S, is made once, as backprop shares it
            dS = JQ.factors[1]._right(JQ.factors[0]._right(dO_h))
            rows["Q"].append(_through(JQ.factors[2:], dS))
            rows["K"].append(_through(JK.factors[2:], dS))
            rows["V"].append(att["V"].build(hc.att)._right(dO_h))
        dX = None
        for (_, W, name), c in zip(PROJECTIONS, cache.projections, strict=True):
            row = np.concatenate(rows[name], axis=1)
            grads[W] = mm["A"].build(c)._right(row).reshape(P[W].shape)
            dx = mm["B"].build(c)._right(row)
            dX = dx if dX is None else dX + dx
        order = {W: grads[W] for W in ("Wq", "Wk", "Wv", "Wo")}
        return order, dX.reshape(cache.X.shape)  # type: ignore[union-attr]

    def shortcut_backward(self, P: dict[str, np.ndarray], cache: AttentionCache, G: Any) -> Grads:
        """Backprop by hand as course notes write it: the heads' outputs stacked, then per head
        the softmax step down each column, then the three projections at once."""
        X, stacked = cache.X, cache.mixing.B
        dO = P["Wo"].T @ G
        parts: dict[str, list[np.ndarray]] = {"Q": [], "K": [], "V": []}
        for b, hc in zip(self._blocks(P), cache.heads, strict=True):
            Q, K, V, Pw = hc.q.value, hc.k.value, hc.v.value, hc.att.P
            dP = V.T @ dO[b]
            dS = Pw * (dP - (Pw * dP).sum(axis=0, keepdims=True)) / np.sqrt(Q.shape[0])
            parts["Q"].append(K @ dS)
            parts["K"].append(Q @ dS.T)
            parts["V"].append(dO[b] @ Pw.T)
        grads = {}
        dX = np.zeros_like(X, dtype=np.result_type(X, G))
        for _, W, name in PROJECTIONS:
            d = np.concatenate(parts[name])
            grads[W] = d @ X.T
            dX += P[W].T @ d
        grads["Wo"] = G @ stacked.T
        return grads, dX

    def chain(
        self, P: dict[str, np.ndarray], cache: AttentionCache, wrt: str | None = None
    ) -> list[Factor]:
        """The factors of ∂y/∂wrt: for X the sum of its 3·heads paths (:meth:`Layer.chain`).

        With several heads, each head reaches a parameter through its own block (rows of Wq,
        Wk, Wv; columns of Wo), so each head's last factor is taken against the whole parameter:
        ∂Q_h/∂Wq = (I_dk ⊗ Xᵀ)(E_h ⊗ I_m) = E_h ⊗ Xᵀ, E_h the h-th block of d_k rows of I_m
        (Wq_h = E_h Wq), and the chain is the sum of the heads' paths, one
        :class:`~jacobians.Sum` factor; Wo mixes the heads' outputs stacked, y = Wo O, so
        ∂y/∂Wo = I ⊗ Oᵀ, matmul's, one factor."""
        if wrt is None or self.heads == 1 or wrt not in ("Wq", "Wk", "Wv", "Wo"):
            return super().chain(P, cache, wrt)
        m = P[wrt].shape[0]
        if wrt == "Wo":  # y = Wo O, O the heads' outputs stacked: one factor, matmul's
            form = matmul.rules["A"].form
            heads = "; ".join(f"O{sub(h + 1)}" for h in range(self.heads))
            text = f"{form.text(n=str(m), B='O')}, O = [{heads}]"
            latex = form.latex(n=f"{{{m}}}", B="O") + rf",\ O = [{to_latex(heads)}]"
            J = matmul.result(cache.mixing).jacobians["A"]
            return [("∂y/∂Wo", J.labelled("y", "Wo", text, latex))]

        eye = np.eye(m, dtype=cache.value.dtype)
        items = []
        for name, J in self.factors(P, cache):
            whose = re.fullmatch(rf"{wrt}([₀-₉]+)", J.wrt)
            if whose is None:
                items.append((name, J))
                continue
            h = int(unscript(whose.group(1))) - 1
            b = self._blocks(P)[h]
            E = eye[b]  # Wq_h = E_h Wq
            k = E.shape[0]
            select = Kronecker(E, m, (k, m), (m, m))  # ∂Wq_h/∂Wq = E_h ⊗ I_m
            E_h = f"E{whose.group(1)}"
            text = f"{E_h} ⊗ Xᵀ, {E_h} = rows {b.start + 1}…{b.stop} of I_{m}"
            full = compose(J, select).labelled(J.of, wrt, text, to_latex(text))
            items.append((f"{name.rpartition('/∂')[0]}/∂{wrt}", full))
        return _Chained(items).chain(P, cache, wrt)

    def factors(self, P: dict[str, np.ndarray], cache: AttentionCache) -> list[Factor]:
        """Per head h: ∂y/∂O_h = Wo_h ⊗ I_s and ∂y/∂Wo_h = I ⊗ O_hᵀ (matmul's), ∂O_h/∂Q_h,
        ∂O_h/∂K_h, ∂O_h/∂V_h (attention's), the softmax columns' ∂P_h/∂S_h = diag(p_j) − p_j p_jᵀ,
        and each projection's ∂Q_h/∂Wq_h = I ⊗ Xᵀ and ∂Q_h/∂X = Wq_h ⊗ I_s (and for K, V)."""
        d_model, s = cache.X.shape
        one = self.heads == 1
        out: list[Factor] = []
        later: list[Factor] = []
        for i, hc in enumerate(cache.heads):
            h = "" if one else sub(i + 1)
            out_h, Wo = f"O{h}", f"Wo{h}"
            mine = {"O": out_h, "S": f"S{h}", "P": f"P{h}", **{n: f"{n}{h}" for n in "QKV"}}
            o = matmul.unchecked(P["Wo"][:, self._blocks(P)[i]], hc.att.value)  # type: ignore[misc]
            out += _matmul_factors(o, "y", Wo, out_h, d_model, s)
            res = attention.result(hc.att)
            for n in "QKV":
                rule = res.op.rules[n]
                names = {**{k: mine[k] for k in ("Q", "K", "V")}, "v": str(hc.att.V.shape[0])}
                J = res.jacobians[n].labelled(
                    out_h, mine[n], rule.form.text(**names), rule.form.latex(**_tex(names))
                )
                later.append((f"∂{out_h}/∂{mine[n]}", J))
            sm = softmax.result(softmax.unchecked(hc.att.S))  # type: ignore[misc]
            form = softmax.rules["z"].form
            later.append((
                f"∂{mine['P']}/∂{mine['S']}",
                sm.jacobian.labelled(
                    mine["P"],
                    mine["S"],
                    form.text(a="p_j") + f" per column j of {mine['P']}",
                    form.latex(a="p_j") + rf"\text{{ per column $j$ of }}{mine['P']}",
                ),
            ))  # fmt: skip
            for c, _, name in PROJECTIONS:
                later += _matmul_factors(getattr(hc, c), f"{name}{h}", f"W{c}{h}", "X", None, s)
        return out + later


class _Chained(Layer):
    """Given factors, for :meth:`Layer.chain`'s search of their paths."""

    def __init__(self, items: list[Factor]) -> None:
        self.items = items

    def factors(self, P: dict[str, np.ndarray], cache: Any) -> list[Factor]:
        return self.items


def _tex(names: dict[str, str]) -> dict[str, str]:
    return {k: f"{{{v}}}" for k, v in names.items()}


def _matmul_factors(c: Any, of: str, A: str, B: str, n: int | None, p: int) -> list[Factor]:
    """∂(AB)/∂B = A ⊗ I_p and ∂(AB)/∂A = I_n ⊗ Bᵀ, with matmul's closed forms in these names;
    the factor by the input X first where B is X (so the chain to X meets it first)."""
    res = matmul.result(c)
    rules = res.op.rules
    n = c.A.shape[0] if n is None else n
    fb = rules["B"].form
    fa = rules["A"].form
    JB = res.jacobians["B"].labelled(
        of, B, fb.text(A=A, p=str(p)), fb.latex(A=f"{{{A}}}", p=f"{{{p}}}")
    )
    JA = res.jacobians["A"].labelled(
        of, A, fa.text(n=str(n), B=B), fa.latex(n=f"{{{n}}}", B=f"{{{B}}}")
    )
    return [(f"∂{of}/∂{B}", JB), (f"∂{of}/∂{A}", JA)]
