"""How a Jacobian's labels read: a string, None (the symbol), or a product's pair of its factors'
labels, rendered with the parentheses a product needs only when it is shown.

The one rule for a factor of a product, in text and in LaTeX alike (:func:`factors`): a sum or
difference, a Kronecker, Hadamard or entrywise quotient (⊗ ⊙ ⊘) outside every bracket is put in
parentheses, because juxtaposition binds tighter than all of them; a leading sign is left alone
at the head of the product and bracketed after it. Derivation tables write their chains with the
same function, so a chain reads the same wherever it is printed.

>>> factors(["−(y ⊘ a)ᵀ", "diag(a) − a aᵀ", "I_n ⊗ xᵀ"])
['−(y ⊘ a)ᵀ', '(diag(a) − a aᵀ)', '(I_n ⊗ xᵀ)']
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence

__all__ = ["Label", "at_top", "factors", "render", "transposed", "wrap", "wrap_latex"]

Label = str | tuple | None

_SIGNS = ("+", "−", "-")
# What binds looser than the juxtaposition of a product, in each notation.
_TEXT_LOOSE = (*_SIGNS, "⊗", "⊙", "⊘")
_LATEX_LOOSE = ("+", "-", r"\otimes", r"\odot", r"\oslash")


def _top(text: str) -> Iterator[int]:
    """The positions of ``text`` outside every bracket."""
    depth = 0
    for i, ch in enumerate(text):
        if ch in ")]}":
            depth -= 1
        elif ch in "([{":
            depth += 1
        elif depth == 0:
            yield i


def at_top(text: str, chars: str) -> bool:
    """Whether one of ``chars`` stands in ``text`` outside every bracket."""
    return any(text[i] in chars for i in _top(text))


def _needs_parentheses(text: str, loose: tuple[str, ...], first: bool) -> bool:
    s = text.strip()
    signed = s.startswith(_SIGNS)
    if signed:
        s = " " * len(s[:1]) + s[1:]  # the sign itself is not an operator between terms
    if any(s.startswith(op, i) for i in _top(s) for op in loose):
        return True
    return signed and not first


def wrap(text: str, first: bool = False) -> str:
    """``text`` as a factor of a product, parenthesised where precedence needs it.

    >>> wrap("I_n ⊗ xᵀ"), wrap("−W"), wrap("−W", first=True), wrap("diag(1 − a)")
    ('(I_n ⊗ xᵀ)', '(−W)', '−W', 'diag(1 − a)')
    """
    return f"({text})" if _needs_parentheses(text, _TEXT_LOOSE, first) else text


def wrap_latex(text: str, first: bool = False) -> str:
    r"""The LaTeX of :func:`wrap`: ``\left( … \right)`` where precedence needs it.

    >>> wrap_latex(r"\operatorname{diag}(a) - a a^{\top}"), wrap_latex(r"e^{-z}")
    ('\\left(\\operatorname{diag}(a) - a a^{\\top}\\right)', 'e^{-z}')
    """
    return rf"\left({text}\right)" if _needs_parentheses(text, _LATEX_LOOSE, first) else text


def factors(parts: Sequence[str], latex: bool = False) -> list[str]:
    """Each part as a factor of their product, left to right (the first may keep its sign)."""
    one = wrap_latex if latex else wrap
    return [one(p, i == 0) for i, p in enumerate(parts)]


def _leaves(node: Label) -> Iterator[str]:
    if isinstance(node, str):
        yield node
    else:
        for part in node:  # type: ignore[union-attr]
            yield from _leaves(part)


def render(node: Label, sep: str, wrap: Callable[[str, bool], str]) -> str:
    """A product's label: its factors' labels (the product is associative, so nested pairs are
    flattened), each parenthesised by ``wrap`` where needed, joined by ``sep``."""
    if isinstance(node, str):
        return node
    return sep.join(wrap(p, i == 0) for i, p in enumerate(_leaves(node)))


def transposed(text: str, mark: str, wrap: Callable[[str], str]) -> str:
    """``text`` followed by a transpose mark, parenthesised unless it is one term (no space or /
    outside brackets): ``Wᵀ``, ``diag(σ′(z))ᵀ``, ``(I_n ⊗ xᵀ)ᵀ``; one term's mark cancels."""
    if at_top(text, " /"):
        return wrap(text) + mark
    return text.removesuffix(mark) if text.endswith(mark) else text + mark
