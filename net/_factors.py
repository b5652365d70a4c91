"""The chain of a parameter's gradient labelled in the network's notation, and :class:`Factors`.

The closed forms are the registry's Forms (``jacobians.OPERATIONS``) with their slots filled with
the network's names: the ``a`` of ``squared_error`` becomes y⁽ᴸ⁾ and its ``y`` the target t; the
``z`` of an activation becomes z⁽ᵏ⁾. So a table shows ``diag(σ(z⁽²⁾) ⊙ (1 − σ(z⁽²⁾)))`` and the
formula still lives in one place. The network itself (:class:`net.MLP`) computes in numbers only;
this module gives its factors their names.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np

from jacobians import Dense, Jacobian, Result, chain, to_gradient
from jacobians._notation import sub, var

from ._names import parse_param

_Item = tuple[Jacobian, str, str]  # a factor, its short name, and the name in LaTeX


def _mean(d: int) -> _Item:
    """The 1×1 factor ∂C/∂ℓ = 1/d of a batch's mean."""
    J = Dense(np.array([[1.0 / d]]), (), ()).label("C", "ℓ", "1/d", r"\frac{1}{d}")
    return J, "∂C/∂ℓ", r"\frac{\partial C}{\partial \ell}"


def _head(cost: Result, L: int, d: int) -> list[_Item]:
    """∂C/∂y⁽ᴸ⁾ (with ∂C/∂ℓ = 1/d first for a batch): the cost's row, its a named y⁽ᴸ⁾, its y t."""
    yL, yL_tex = var("y", L)
    first = cost.op.params[0].name
    form = cost.op.rules[first].form
    of, of_tex = ("C", "C") if d == 1 else ("ℓ", r"\ell")
    row = cost.jacobian.labelled(
        of,
        yL,
        form.text(**{first: yL, "y": "t"}),
        form.latex(**{first: f"{{{yL_tex}}}", "y": "t"}),
    )
    item = (row, f"∂{of}/∂{yL}", rf"\frac{{\partial {of_tex}}}{{\partial {yL_tex}}}")
    return [_mean(d), item] if d > 1 else [item]


def _layer(k: int, n: int, lin: Result, act: Result, d: int) -> dict[str, _Item]:
    """Layer k's factors: ∇σ_k, ∂z⁽ᵏ⁾/∂W⁽ᵏ⁾, ∂z⁽ᵏ⁾/∂b⁽ᵏ⁾ and W⁽ᵏ⁾ = ∂z⁽ᵏ⁾/∂y⁽ᵏ⁻¹⁾."""
    (yk, yk_tex), (zk, zk_tex) = var("y", k), var("z", k)
    (Wk, Wk_tex), (bk, bk_tex) = var("W", k), var("b", k)
    prev, prev_tex = ("x", "x") if k == 1 else var("y", k - 1)
    A, form = act.jacobian, act.op.rules["z"].form
    text = form.text(z=zk, a=yk, n=str(A.shape[0]))
    tex = form.latex(z=f"{{{zk_tex}}}", a=f"{{{yk_tex}}}", n=f"{{{A.shape[0]}}}")
    # a batch's layer Jacobians carry ⊗ I_d (samples side by side) or ⊗ 1_d (b added to each)
    batch, batch_tex = ("", "") if d == 1 else (f" ⊗ I_{d}", rf" \otimes I_{{{d}}}")
    ones, ones_tex = ("", "") if d == 1 else (f" ⊗ 1_{d}", rf" \otimes \mathbf{{1}}_{{{d}}}")
    rules = lin.op.rules
    W_cf, W_tex = (
        rules["W"].form.text(n=str(n), x=prev),
        rules["W"].form.latex(n=f"{{{n}}}", x=f"{{{prev_tex}}}"),
    )
    b_cf, b_tex = rules["b"].form.text(n=str(n)), rules["b"].form.latex(n=f"{{{n}}}")
    x_cf, x_tex = rules["x"].form.text(W=Wk), rules["x"].form.latex(W=Wk_tex)
    Jw, Jb, Jx = (lin.jacobians[p] for p in ("W", "b", "x"))

    def dz(of: str, of_tex: str) -> tuple[str, str]:
        return f"∂{zk}/∂{of}", rf"\frac{{\partial {zk_tex}}}{{\partial {of_tex}}}"

    return {
        "act": (A.labelled(yk, zk, text, tex), f"∇σ{sub(k)}", rf"\nabla\sigma_{{{k}}}"),
        "W": (Jw.labelled(zk, Wk, W_cf, W_tex), *dz(Wk, Wk_tex)),
        "b": (Jb.labelled(zk, bk, b_cf + ones, b_tex + ones_tex), *dz(bk, bk_tex)),
        "x": (Jx.labelled(zk, prev, x_cf + batch, x_tex + batch_tex), Wk, Wk_tex),
    }


def labelled_chain(
    sizes: Sequence[int], results: Sequence[Result], wrt: str, shape: tuple[int, ...], d: int
) -> Factors:
    """The factors of ∂C/∂wrt, outermost first, from the forward pass's Results (linear and the
    activation per layer, then the cost), each labelled in the network's notation."""
    L = len(sizes) - 1
    kind, k = parse_param(wrt)  # type: ignore[misc]
    lin, act = results[0:-1:2], results[1:-1:2]
    layers = {j: _layer(j, sizes[j], lin[j - 1], act[j - 1], d) for j in range(k, L + 1)}
    items = _head(results[-1], L, d)
    for j in range(L, k, -1):
        items += [layers[j]["act"], layers[j]["x"]]
    items += [layers[k]["act"], layers[k][kind]]
    return Factors(
        wrt,
        shape,
        tuple(i[0] for i in items),
        tuple(i[1] for i in items),
        tuple(i[2] for i in items),
    )


@dataclass(frozen=True)
class Factors:
    """The chain of Jacobian factors of ∂C/∂(parameter), outermost first, with their names.

    Iterating gives the Jacobians, so ``jacobians.chain(*f)`` multiplies them. Each factor carries
    ``of``, ``wrt`` (its symbol ``∂of/∂wrt``), ``closed_form`` and ``latex`` in the network's
    notation; ``names`` gives their short names (``∂C/∂y⁽³⁾``, ``∇σ₃``, ``W⁽³⁾``,
    ``∂z⁽²⁾/∂W⁽²⁾``) and ``latex_names`` the same in LaTeX.

    Attributes:
        param: the parameter, e.g. ``"W2"``.
        shape: the parameter's shape (the gradient's shape).
        jacobians: the factors, outermost first.
        names, latex_names: one short name per factor.

    Shapes: factor i is rows_i × cols_i with cols_i = rows_(i+1); the product is 1 × size(param).

    >>> from net import MLP
    >>> f = MLP([2, 3, 1], ["relu", "identity"]).factors(np.ones(2), np.zeros(1), "b1")
    >>> f.names[-1], f[-1].closed_form, f.product().shape
    ('∂z⁽¹⁾/∂b⁽¹⁾', 'I_3', (1, 3))
    """

    param: str
    shape: tuple[int, ...]
    jacobians: tuple[Jacobian, ...]
    names: tuple[str, ...]
    latex_names: tuple[str, ...]

    def __iter__(self) -> Iterator[Jacobian]:
        return iter(self.jacobians)

    def __len__(self) -> int:
        return len(self.jacobians)

    def __getitem__(self, i: int) -> Jacobian:
        return self.jacobians[i]

    def product(self, order: str = "left") -> Jacobian:
        """The product of the factors, ∂C/∂(parameter) as a 1×N row (``order`` as in chain)."""
        return chain(*self.jacobians, order=order)

    def gradient(self, order: str = "left") -> np.ndarray:
        """The product folded back to the parameter's shape (``to_gradient``)."""
        return to_gradient(self.product(order), self.shape)

    def rows(self) -> list[dict[str, object]]:
        """One dict per factor, for tables: name, latex_name, symbol, closed_form, latex, shape,
        kind."""
        return [
            {
                "name": n,
                "latex_name": ln,
                "symbol": J.symbol,
                "closed_form": J.closed_form,
                "latex": J.latex,
                "shape": J.shape,
                "kind": J.kind,
            }
            for n, ln, J in zip(self.names, self.latex_names, self.jacobians, strict=True)
        ]

    def __str__(self) -> str:
        rows = self.rows()
        head = f"∂C/∂{self.param} = " + " · ".join(self.names)
        w = [max(len(str(r[k])) for r in rows) for k in ("name", "symbol", "closed_form")]
        lines = [head]
        for r in rows:
            shape = "×".join(map(str, r["shape"]))  # type: ignore[call-overload]
            lines.append(
                f"  {r['name']:<{w[0]}}  {r['symbol']:<{w[1]}}  {r['closed_form']:<{w[2]}}"
                f"  {shape:>9}  {r['kind']}"
            )
        return "\n".join(lines)

    def __repr__(self) -> str:
        return f"<Factors of ∂C/∂{self.param}: {' · '.join(self.names)}>"
