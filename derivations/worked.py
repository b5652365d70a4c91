"""The three worked derivations, generated: ``python -m derivations.worked`` rewrites them.

Each document is prose around tables and numbers taken from the same objects the code computes
with (:func:`single_layer`, :func:`mlp`, :func:`softmax_cross_entropy`, ``net.MLP``), so a test can
regenerate them and fail when the files in ``derivations/`` differ: they never go stale. Differences
below 1e-12 are written as "< 1e-12", so the files do not depend on the machine's last bits.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np

from jacobians import compose
from net import MLP

from ._layer import single_layer
from ._network import mlp, sample
from ._softmax import softmax_cross_entropy
from ._worked_text import HEADER, SINGLE, SOFTMAX, SUMMARY_HEAD, THREE, conventions

__all__ = ["FILES", "FLOOR", "documents", "main"]

FLOOR = 1e-12
FILES = ("single_layer.md", "three_layer.md", "softmax_cross_entropy.md")
HERE = Path(__file__).parent


def _bound(v: float) -> str:
    return f"< {FLOOR:.0e}" if v < FLOOR else f"{v:.1e}"


def single_layer_doc() -> str:
    """Worked derivation 1: a = σ(Wx + b), C = ½‖a − y‖², n = 3, m = 4 (the first write-up)."""
    d = single_layer(n=3, m=4, show_matrices=True)
    n, m = d.sizes["n"], d.sizes["m"]
    F = {f.symbol: f for f in d.factors}
    costs = d.multiply_adds
    shortcut, numeric = (c for c in d.checks)
    return SINGLE.format(
        header=HEADER,
        n=n,
        m=m,
        conventions=conventions(),
        cf_a=F["∂C/∂a"].closed_form,
        cf_z=F["∂a/∂z"].closed_form,
        cf_W=F["∂z/∂W"].closed_form,
        shortcut=_bound(shortcut.value or 0.0),
        numeric=_bound(numeric.value or 0.0),
        table=d.render("markdown", heading="###", floor=FLOOR),
        left=costs["left"],
        right=costs["right"],
    )


def three_layer_doc() -> str:
    """Worked derivation 2: a three-layer network and the three backprop equations."""
    sizes, acts, loss, seed = [2, 3, 3, 1], ["tanh", "tanh", "identity"], "squared_error", 0
    net = MLP(sizes, acts, loss, seed=seed)
    x, t = sample(sizes, loss, seed)
    bp = net.backprop(x, t)
    f1 = net.factors(x, t, "W1")
    d = mlp(sizes, acts, loss, wrt="W1", seed=seed)
    # Equation 1 along the chain of W⁽¹⁾: the running product meets ∂C/∂y⁽²⁾ and ∂C/∂y⁽¹⁾.
    rows, P = {}, f1[0]
    for J in list(f1)[1:]:
        P = compose(P, J)
        if P.wrt in ("y⁽²⁾", "y⁽¹⁾"):
            rows[P.wrt] = P.matrix[0]
    eq1 = max(
        float(np.max(np.abs(rows["y⁽²⁾"] - bp.dC_dy[2].ravel()))),
        float(np.max(np.abs(rows["y⁽¹⁾"] - bp.dC_dy[1].ravel()))),
    )
    summary = []
    lemma2 = 0.0
    for name in ("W1", "b1", "W2", "b2", "W3", "b3"):
        dn = mlp(sizes, acts, loss, wrt=name, seed=seed)
        sc, nu = dn.checks
        shapes = " · ".join(f"{r}×{c}" for r, c in (F.instance for F in dn.factors))
        summary.append(
            f"| {dn.wrt} | {len(dn.factors)} | {shapes} | {dn.row_shape[0]} → {dn.param_shape} "
            f"| {_bound(sc.value or 0.0)} | {_bound(nu.value or 0.0)} |"
        )
        if name[0] == "W":
            k = int(name[1])
            y_prev = bp.y[k - 1].ravel()
            delta = bp.dC_dz[k].ravel()
            # Lemma 2 / the write-up's second equation: y⁽ᵏ⁻¹⁾ (∂C/∂y⁽ᵏ⁾ ∇σ_k) is l_{k−1}×l_k.
            lemma = np.outer(y_prev, delta)
            lemma2 = max(lemma2, float(np.max(np.abs(lemma.T - dn.gradient))))
    table = "\n".join(summary)
    return THREE.format(
        header=HEADER,
        widths=", ".join(map(str, sizes)),
        acts=", ".join(acts),
        sizes=sizes,
        acts_json=json.dumps(acts),
        loss=loss,
        seed=seed,
        conventions=conventions("W⁽ᵏ⁾"),
        table=d.render("markdown", heading="###", floor=FLOOR),
        eq1=_bound(eq1),
        summary=SUMMARY_HEAD + "\n" + table,
        lemma2=_bound(lemma2),
    )


def softmax_doc() -> str:
    """Worked derivation 3: softmax with cross-entropy (the third write-up)."""
    d = softmax_cross_entropy(n=4, m=3, show_matrices=True)
    n, m = d.sizes["n"], d.sizes["m"]
    checks = {c.name: c for c in d.checks}
    return SOFTMAX.format(
        header=HEADER,
        n=n,
        m=m,
        conventions=conventions(),
        case_ii=_bound(checks["case i = j"].value or 0.0),
        case_ij=_bound(checks["case i ≠ j"].value or 0.0),
        fused=_bound(checks["fused"].value or 0.0),
        shortcut=_bound(checks["shortcut"].value or 0.0),
        numeric=_bound(checks["numeric"].value or 0.0),
        table=d.render("markdown", heading="###", floor=FLOOR),
    )


def documents() -> dict[str, str]:
    """File name -> content of the three worked derivations.

    >>> sorted(documents())
    ['single_layer.md', 'softmax_cross_entropy.md', 'three_layer.md']
    """
    return {
        "single_layer.md": single_layer_doc(),
        "three_layer.md": three_layer_doc(),
        "softmax_cross_entropy.md": softmax_doc(),
    }


def main(directory: str | Path = HERE) -> int:
    """Write the three documents into ``directory`` (default: the derivations package)."""
    for name, text in documents().items():
        path = Path(directory) / name
        path.write_text(text, encoding="utf-8")
        print(f"wrote {path}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
