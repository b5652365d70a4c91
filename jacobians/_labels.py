"""How a Jacobian's labels read: a string, None (the symbol), or a product's pair of its factors'
labels, rendered with the parentheses a product needs only when it is shown."""

from __future__ import annotations

from collections.abc import Callable

__all__ = ["Label", "at_top", "render", "transposed", "wrap", "wrap_latex"]

Label = str | tuple | None


def at_top(text: str, chars: str) -> bool:
    """Whether one of ``chars`` stands in ``text`` outside every bracket."""
    depth = 0
    for ch in text:
        depth += ch in "([{"
        depth -= ch in ")]}"
        if depth == 0 and ch in chars:
            return True
    return False


def wrap(text: str) -> str:
    """Parenthesise a closed form that is a sum or a Kronecker product, for a readable product."""
    return f"({text})" if at_top(text, "+−-⊗") else text


def wrap_latex(text: str) -> str:
    return rf"\left({text}\right)" if any(t in text for t in ("+", "-", r"\otimes")) else text


def render(node: Label, sep: str, wrap: Callable[[str], str]) -> str:
    """A product's label: its factors' labels, each parenthesised where needed, joined by sep."""
    if isinstance(node, str):
        return node
    return sep.join(wrap(render(part, sep, wrap)) for part in node)  # type: ignore[union-attr]


def transposed(text: str, mark: str, wrap: Callable[[str], str]) -> str:
    """``text`` followed by a transpose mark, parenthesised unless it is one term (no space or /
    outside brackets): ``Wᵀ``, ``diag(σ′(z))ᵀ``, ``(I_n ⊗ xᵀ)ᵀ``; one term's mark cancels."""
    if at_top(text, " /"):
        return wrap(text) + mark
    return text.removesuffix(mark) if text.endswith(mark) else text + mark
