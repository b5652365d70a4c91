"""The three worked derivations, generated: ``python -m derivations.worked --output-dir DIR``.

Each document is prose around tables and numbers taken from the same objects the code computes
with (:func:`single_layer`, :func:`mlp`, :func:`softmax_cross_entropy`, ``net.MLP``), so a test can
regenerate them and fail when the files in ``derivations/`` differ: they never go stale. Differences
below 1e-12 are written as "< 1e-12", so the files do not depend on the machine's last bits.

The command writes only into the directory it is given (``derivations`` in a checkout, to
regenerate the documents there), and with ``--check`` writes nothing: it says which files in
the directory differ from what would be generated, and exits 1 if any does.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from jacobians import compose
from net import MLP

from ._cmd_io import OutputPathError, check_output, error_line, write_text
from ._layer import single_layer
from ._network import mlp, sample
from ._softmax import softmax_cross_entropy
from ._worked_text import HEADER, SINGLE, SOFTMAX, SUMMARY_HEAD, THREE, conventions

__all__ = ["FILES", "FLOOR", "documents", "main"]

FLOOR = 1e-12
FILES = ("single_layer.md", "three_layer.md", "softmax_cross_entropy.md")
HERE = Path(__file__).parent  # where the documents of a checkout are, read by the staleness test


def _bound(v: float) -> str:
    return f"< {FLOOR:.0e}" if v < FLOOR else f"{v:.1e}"


_CODE_OR_UNDERSCORE = re.compile(r"(`[^`]*`)|_")


def _prose(text: str) -> str:
    """Markdown prose with its underscores escaped outside code spans: σ_k and [d/dW]_ij are
    mathematics, and CommonMark would read a pair of underscores as emphasis."""
    return _CODE_OR_UNDERSCORE.sub(lambda m: m.group(1) or r"\_", text)


def _fill(template: str, markdown: dict[str, str], **values: object) -> str:
    """``template`` filled: its prose, with ``values``, escaped by :func:`_prose`; the header
    and the ``markdown`` pieces (tables the renderer escaped already) put in as they are."""
    pieces = {"header": HEADER, **markdown}
    text = _prose(template.format(**values, **{k: f"\x00{k}\x00" for k in pieces}))
    for k, v in pieces.items():
        text = text.replace(f"\x00{k}\x00", v)
    return text


def single_layer_doc() -> str:
    """Worked derivation 1: one layer, a = σ(Wx + b), C = ½‖a − y‖², n = 3, m = 4."""
    d = single_layer(n=3, m=4, show_matrices=True)
    n, m = d.sizes["n"], d.sizes["m"]
    F = {f.symbol: f for f in d.factors}
    costs = d.multiply_adds
    shortcut, numeric = (c for c in d.checks)
    return _fill(
        SINGLE,
        {"table": d.render("markdown", heading="###", floor=FLOOR)},
        n=n,
        m=m,
        conventions=conventions(),
        cf_a=F["∂C/∂a"].closed_form,
        cf_z=F["∂a/∂z"].closed_form,
        cf_W=F["∂z/∂W"].closed_form,
        shortcut=_bound(shortcut.value or 0.0),
        numeric=_bound(numeric.value or 0.0),
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
    transposed = 0.0
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
            # the gradient written y⁽ᵏ⁻¹⁾ (∂C/∂y⁽ᵏ⁾ ∇σ_k), l_{k−1}×l_k: shaped like W⁽ᵏ⁾ᵀ
            as_transpose = np.outer(y_prev, delta)
            transposed = max(transposed, float(np.max(np.abs(as_transpose.T - dn.gradient))))
    table = "\n".join(summary)
    return _fill(
        THREE,
        {"table": d.render("markdown", heading="###", floor=FLOOR)},
        summary=SUMMARY_HEAD + "\n" + table,  # built here: escaped as the prose is
        widths=", ".join(map(str, sizes)),
        acts=", ".join(acts),
        sizes=sizes,
        acts_json=json.dumps(acts),
        loss=loss,
        seed=seed,
        conventions=conventions("W⁽ᵏ⁾"),
        eq1=_bound(eq1),
        transposed=_bound(transposed),
    )


def softmax_doc() -> str:
    """Worked derivation 3: an output layer, softmax with cross-entropy, n = 4, m = 3."""
    d = softmax_cross_entropy(n=4, m=3, show_matrices=True)
    n, m = d.sizes["n"], d.sizes["m"]
    checks = {c.name: c for c in d.checks}
    return _fill(
        SOFTMAX,
        {"table": d.render("markdown", heading="###", floor=FLOOR)},
        n=n,
        m=m,
        conventions=conventions(),
        case_ii=_bound(checks["case i = j"].value or 0.0),
        case_ij=_bound(checks["case i ≠ j"].value or 0.0),
        fused=_bound(checks["fused"].value or 0.0),
        shortcut=_bound(checks["shortcut"].value or 0.0),
        numeric=_bound(checks["numeric"].value or 0.0),
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


EPILOG = """\
examples:
  python -m derivations.worked --output-dir derivations           # in a checkout: regenerate
  python -m derivations.worked --output-dir derivations --check   # exit 1 if any is stale
  python -m derivations.worked --output-dir /tmp/worked           # read them anywhere

exit status: 0 written (or, with --check, up to date), 1 --check found a stale or missing file,
2 an error (one line on stderr)
"""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m derivations.worked",
        description=(
            f"Generate the three worked derivations ({', '.join(FILES[:2])},\n"
            f"{FILES[2]}): Markdown documents whose tables and numbers come\n"
            "from the code. They are written into --output-dir and nowhere else."
        ),
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--output-dir",
        "-o",
        metavar="DIR",
        required=True,
        help="an existing directory to write the documents into (derivations, in a checkout)",
    )
    parser.add_argument(
        "--check",
        action="store_true",
        help="write nothing: compare the documents in DIR with those generated now",
    )
    return parser


def _check(directory: Path, generated: dict[str, str]) -> int:
    stale = []
    for name, text in generated.items():
        path = directory / name
        if not path.is_file():
            stale.append(f"{path}: missing")
        elif path.read_text(encoding="utf-8") != text:
            stale.append(f"{path}: stale")
    for line in stale:
        print(line, file=sys.stderr)
    if stale:
        print(f"regenerate with: python -m derivations.worked --output-dir {directory}")
        return 1
    print(f"up to date: {', '.join(str(directory / n) for n in generated)}")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Write the three documents into ``--output-dir`` (or, with ``--check``, compare them with
    the files there); returns the exit status."""
    args = _parser().parse_args(argv)
    directory = Path(args.output_dir)
    try:
        if not directory.is_dir():
            raise OutputPathError(
                f"cannot write --output-dir {args.output_dir!r}: expected an existing directory"
            )
        if not args.check:  # refused before the work, as the jacobians command does
            for name in FILES:
                check_output(os.fspath(directory / name), "--output-dir")
        generated = documents()
        if args.check:
            return _check(directory, generated)
        for name, text in generated.items():
            write_text(os.fspath(directory / name), text)
            print(f"wrote {directory / name}", file=sys.stderr)
        return 0
    except KeyboardInterrupt:
        print("python -m derivations.worked: interrupted", file=sys.stderr)
        return 130
    except (OSError, ValueError) as exc:
        print(f"python -m derivations.worked: error: {error_line(exc)}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
