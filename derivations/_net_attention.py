"""Attention in a network's table: the softmax's Jacobian as a row of its own, and how Q, K and V
enter, from the registry's rules.

The registry keeps attention's ∂O/∂Q and ∂O/∂K as products (:class:`jacobians.Product`):
(V ⊗ I_s) · J · ∂S/∂Q, and (V ⊗ I_s) · J · ∂S/∂Kᵀ · ∂Kᵀ/∂K, J the Jacobian of the softmax of
each column of S = KᵀQ/√d_k, diag(p_j) − p_j p_jᵀ (a diagonal plus a rank-one term per column).
Where a table's chain runs through one of them, :func:`split_products` puts each of its factors
on a row of its own, labelled with the registry's forms (matmul's for the linear steps,
softmax's for J, transpose's for Kᵀ), so the running product shows ∂C/∂P, ∂C/∂S and ∂C/∂Q as
backprop computes them. :func:`attention_notes` says, for each attention layer, how Q, K and V
enter: the three rules' closed forms, shapes and structures.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import numpy as np

from jacobians import Jacobian, Product, attention, matmul, softmax, transpose
from jacobians._notation import to_latex
from net import Attention, Layer, Residual

__all__ = ["attention_notes", "split_products"]


def _names(J: Jacobian) -> dict[str, tuple[str, str]]:
    """The arrays of the head ∂O/∂(Q or K) belongs to, in text and LaTeX: O₁⁽²⁾ gives P₁⁽²⁾,
    S₁⁽²⁾, Q₁⁽²⁾, K₁⁽²⁾, V₁⁽²⁾ (the head's number and the layer's kept)."""
    rest = J.of[1:]
    out = {}
    for letter in "OPSQKV":
        text = f"{letter}{rest}"
        out[letter] = (text, f"{{{to_latex(text)}}}")
    return out


def _split(J: Product) -> list[Jacobian]:
    """∂O/∂Q or ∂O/∂K as its factors, each labelled (see the module's docstring)."""
    n = _names(J)
    by_P, J_softmax, by_S, *rest = J.factors
    t, s = tuple(by_P.in_shape)
    mB, mA = matmul.rules["B"].form, matmul.rules["A"].form
    sm = softmax.rules["z"].form
    per = f" per column j of {n['P'][0]}"
    out = [
        by_P.labelled(n["O"][0], n["P"][0], mB.text(A=n["V"][0], p=str(s)),
                      mB.latex(A=n["V"][1], p=f"{{{s}}}")),
        J_softmax.labelled(n["P"][0], n["S"][0], sm.text(a="p_j") + per,
                           sm.latex(a="p_j") + rf"\text{{ per column $j$ of ${n['P'][1]}$}}"),
    ]  # fmt: skip
    scaled = {
        "Q": (f"{n['K'][0]}ᵀ/√d_k", rf"{{{n['K'][1]}^{{\top}}/\sqrt{{d_k}}}}"),
        "K": (f"({n['Q'][0]}/√d_k)", rf"\left({n['Q'][1]}/\sqrt{{d_k}}\right)"),
    }
    if not rest:  # S = (Kᵀ/√d_k) Q: matmul's ∂/∂B
        text, latex = scaled["Q"]
        out.append(by_S.labelled(n["S"][0], n["Q"][0], mB.text(A=text, p=str(s)),
                                 mB.latex(A=latex, p=f"{{{s}}}")))  # fmt: skip
    else:  # S = Kᵀ (Q/√d_k): matmul's ∂/∂A, then Kᵀ from K (transpose's permutation)
        k = tuple(by_S.in_shape)[1]
        Kt = f"{n['K'][0]}ᵀ"
        text, latex = scaled["K"]
        out.append(by_S.labelled(n["S"][0], Kt, mA.text(n=str(t), B=text),
                                 mA.latex(n=f"{{{t}}}", B=latex)))  # fmt: skip
        form = transpose.rules["X"].form.text().replace("n,m", f"{t},{k}")
        out.append(rest[0].labelled(Kt, n["K"][0], form, to_latex(form)))
    return out


def _is_attention_product(J: Jacobian) -> bool:
    return (
        isinstance(J, Product)
        and J.of[:1] == "O"
        and J.wrt[:1] in ("Q", "K")
        and len(J.factors) in (3, 4)
        and J.factors[1].kind == "diagonal-plus-low-rank"
    )


def split_products(factors: Sequence[Jacobian]) -> list[Jacobian]:
    """The factors, attention's ∂O/∂Q and ∂O/∂K each replaced by its factors (the same
    product)."""
    out: list[Jacobian] = []
    for J in factors:
        out += _split(J) if _is_attention_product(J) else [J]  # type: ignore[arg-type]
    return out


def _attention_layers(layers: Sequence[Layer], path: str = "") -> Iterator[tuple[str, Attention]]:
    for k, layer in enumerate(layers, 1):
        here = f"{path}.{k}" if path else str(k)
        if isinstance(layer, Attention):
            yield here, layer
        elif isinstance(layer, Residual):
            yield from _attention_layers(layer.layers, here)


def _structure(J: Jacobian) -> str:
    if isinstance(J, Product):
        return f"a product: {' · '.join(F.kind for F in J.factors)}"
    return J.kind


def attention_notes(layers: Sequence[Layer]) -> list[str]:
    """One note per attention layer: how Q, K and V enter O = V softmax(KᵀQ/√d_k), from the
    registry's rules (closed form, shape, structure), and the softmax's Jacobian J."""
    found = list(_attention_layers(layers))
    if not found:
        return []
    # the structures, read off Jacobians the rules build (any small point has the same)
    c = attention.unchecked(np.eye(2), np.eye(2), np.ones((1, 2)))  # type: ignore[misc]
    enters = "; ".join(
        f"∂O/∂{n} = {attention.rules[n].form.text()} ({attention.rules[n].shape}, "
        f"{_structure(attention.rules[n].build(c))})"
        for n in "QKV"
    )
    J = softmax.rules["z"].form.text(a="p_j")
    out = []
    for path, layer in found:
        heads = "one head" if layer.heads == 1 else f"{layer.heads} heads; per head"
        mask = ", causal (P is 0 above the diagonal)" if layer.causal else ""
        out.append(
            f"Attention (layer {path}, {heads}): {attention.formula}{mask}, with Q = Wq X, "
            f"K = Wk X, V = Wv X, and y = Wo O. Q, K and V enter through {enters}. J is the "
            f"Jacobian of the softmax of each column p_j of P: {J}, a diagonal plus a rank-one "
            "term per column (diagonal-plus-low-rank)."
        )
    return out
