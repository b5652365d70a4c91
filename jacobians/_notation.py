"""Notation: closed forms written once as templates, and the one text-to-LaTeX converter.

A closed form is written once, in the text notation tables print (``σ($z) ⊙ (1 − σ($z))``), with
a ``$`` before each variable the reader may rename: a network names the z of an activation
z⁽²⁾, and the y of a cost its target t. :class:`Form` fills those slots, in text and in LaTeX; the
LaTeX is derived from the text by :func:`to_latex`, unless an override is given where typography
needs one (``\\frac{1}{1 + e^{-z}}`` for ``1/(1 + e^(−z))``). Renaming fills slots and never
searches the text for letters, so an operation's own letters (the t of ``tanh``, a subscript
``I_n``) stay.

The superscripts and subscripts of layer numbers (``y⁽²⁾``, ``∇σ₂``) have one table here too.
"""

from __future__ import annotations

import re
from typing import Any

from reshape import InputError, InputTypeError, describe

__all__ = ["Form", "sub", "sup", "to_latex", "unscript", "var"]

_DIGITS = "0123456789()"
_SUPERSCRIPTS = "⁰¹²³⁴⁵⁶⁷⁸⁹⁽⁾"
_SUBSCRIPTS = "₀₁₂₃₄₅₆₇₈₉₍₎"
_TO_SUP = str.maketrans(_DIGITS, _SUPERSCRIPTS)
_TO_SUB = str.maketrans(_DIGITS, _SUBSCRIPTS)
# read back too: a generic layer j and its predecessor (W⁽ʲ⁾, y⁽ʲ⁻¹⁾), as notes write them
_READ_SUPERSCRIPTS = _SUPERSCRIPTS + "ʲ⁻"
_FROM_SUP = str.maketrans(_READ_SUPERSCRIPTS, _DIGITS + "j-")
_FROM_SUB = str.maketrans(_SUBSCRIPTS, _DIGITS)


def sup(k: int) -> str:
    """The layer superscript: ``sup(3)`` is ``⁽³⁾``."""
    return f"({k})".translate(_TO_SUP)


def sub(k: int) -> str:
    """A subscript: ``sub(3)`` is ``₃``."""
    return str(k).translate(_TO_SUB)


def unscript(text: str) -> str:
    """Superscript and subscript digits back to plain ones: ``unscript("y⁽¹²⁾")`` is ``y(12)``."""
    return text.translate(_FROM_SUP).translate(_FROM_SUB)


def var(name: str, k: int) -> tuple[str, str]:
    """A layer variable as (text, LaTeX): ``var("y", 2)`` is ``("y⁽²⁾", "y^{(2)}")``."""
    return f"{name}{sup(k)}", to_latex(f"{name}{sup(k)}")


# ----- text to LaTeX -----
# Longest first, so "σ′" is matched before "σ".
_MATH = {
    # TeX's specials that a user's label may hold: as themselves, not a parameter, a tab or a
    # comment (which would end the math mode's line unseen)
    "#": r"\#",
    "&": r"\&",
    "%": r"\%",
    "∂": r"\partial ",
    "⊗": r"\otimes ",
    "⊙": r"\odot ",
    "⊘": r"\oslash ",
    "ᵀ": r"^{\top}",
    "−": "-",
    "×": r"\times ",
    "·": r"\cdot ",
    "σ′": r"\sigma'",
    "σ(": r"\sigma(",
    "′": "'",
    "σ": r"\sigma ",
    "δ": r"\delta ",
    "α": r"\alpha ",
    "β": r"\beta ",
    "γ": r"\gamma ",
    "μ": r"\mu ",
    "ε": r"\varepsilon ",
    "ℓ": r"\ell ",
    "Σ": r"\sum ",
    "½": r"\tfrac{1}{2}",
    "‖": r"\|",
    "→": r"\to ",
    "↦": r"\mapsto ",
    "≤": r"\le ",
    "≥": r"\ge ",
    "≠": r"\neq ",
    "≈": r"\approx ",
    "∇": r"\nabla ",
    "ₐ": "_{a}",
    "…": r"\dots ",
    "|": r"\lvert ",
    "∈": r"\in ",
    "√": r"\surd ",  # √d_k: the sign alone (a text closed form does not bracket the radicand)
    "∛": r"{}^{3}\!\surd ",
    "⋯": r"\cdots ",
}
_KEYS = sorted(_MATH, key=len, reverse=True)
# The indicator 1[z > 0] is a bold 1, as the ones vector 1ₙ is: amssymb's blackboard bold has
# capitals only, and \mathbb{1} prints a wrong glyph (a document would need bbm or dsfont).
_INDICATOR = re.compile(r"(?<![\w.])1\[")
_BLACKBOARD_DIGIT = re.compile(r"\\mathbb\{\s*(\d)\s*\}")
# a run of superscripts, a dot · between two of them kept (a layer inside a block: y⁽¹·²⁾)
_SUPER_RUN = re.compile(f"[{_READ_SUPERSCRIPTS}](?:·?[{_READ_SUPERSCRIPTS}])*")
_SUB_RUN = re.compile("[₀₁₂₃₄₅₆₇₈₉]+")
_HAT = re.compile("([A-Za-z])\u0302")  # x̂: a letter and the combining circumflex
_WORDS = re.compile(
    r"\b(diag|softmax|log|exp|tanh|max|min|vec|blockdiag|det|sin|cos|tan|sign|tr)\b(?=(.?))"
)
# LaTeX has these; the others are named with \operatorname
_OPERATORS = {"log", "exp", "tanh", "max", "min", "det", "sin", "cos", "tan"}


def _word(m: re.Match[str]) -> str:
    word, after = m.groups()
    command = rf"\{word}" if word in _OPERATORS else rf"\operatorname{{{word}}}"
    return command + " " if after.isalpha() else command


def _left_right(s: str) -> str:
    """diag(…) with brackets inside gets \\left( … \\right), so its parentheses grow."""
    head = r"\operatorname{diag}("
    start = s.find(head)
    while start >= 0:
        i, depth = start + len(head), 1
        while depth and i < len(s):
            depth += {"(": 1, ")": -1}.get(s[i], 0)
            i += 1
        inner = s[start + len(head) : i - 1]
        if depth == 0 and any(c in inner for c in "(["):
            s = f"{s[: start + len(head) - 1]}\\left({inner}\\right){s[i:]}"
        start = s.find(head, start + 1)
    return s


def _script(mark: str, digits: str) -> str:
    return f"{mark}{digits}" if len(digits) == 1 else f"{mark}{{{digits}}}"


# A user's name with an underscore and more than one character after it (W_in, x_a_b, x_): ASCII,
# so the loop below would pass it on as it stands, and W_in would set W with subscript i then
# "n", x_a_b a double subscript. I_n and W_1 are already right; a subscript the notation braces
# itself (K_{r,q}, I_{pq}) or a Form's slot (I_$n) is no name's.
_NAME = re.compile(r"(?<![A-Za-z0-9_\\])[A-Za-z][A-Za-z0-9]*_[A-Za-z0-9_]*(?![A-Za-z0-9_{$])")
# A word of two letters or more outside braces: a user's name or a word of a label where it
# reads as one (_is_word), set as one symbol (\mathit{Wq}, not W times q) or as the Greek letter
# it names (alpha, \alpha); else a product of sizes (nd, OT), as it stands.
_WORD = re.compile(r"(?<![A-Za-z0-9_\\{])[A-Za-z]{2,}[A-Za-z0-9]*(?![A-Za-z0-9_{$])")
_NOTATION_WORDS = frozenset(
    "diag softmax log exp tanh max min vec blockdiag det sin cos tan sign tr im2col".split()
)
_GREEK = frozenset(
    "alpha beta gamma delta epsilon varepsilon zeta eta theta vartheta iota kappa lambda mu nu "
    "xi pi rho sigma tau upsilon phi varphi chi psi omega Gamma Delta Theta Lambda Xi Pi Sigma "
    "Upsilon Phi Psi Omega".split()
)
_HIDDEN = re.compile("\x00(\\d+)\x01")


def _is_word(w: str) -> bool:
    """Whether a run of letters is a name or a word, not a product of sizes: a Greek letter's
    name, a capital and small letters (Wq), or three letters or more with a vowel (foo, sample);
    sizes multiplied (nd, prqs, OCK) are none of these."""
    if w in _GREEK:
        return True
    letters = w.rstrip("0123456789")
    if len(letters) > 1 and letters[0].isupper() and letters[1:].islower():
        return True
    return len(letters) > 2 and letters.islower() and any(c in "aeiou" for c in letters)


def _head_latex(head: str) -> str:
    """The part of a name before its subscript: a Greek letter's name as the letter, a word of
    two letters or more as one italic symbol, one letter (and its digits) as itself."""
    if head in _GREEK:
        return "{\\" + head + "}"
    if len(head) > 1 and head[1].isalpha():
        return rf"\mathit{{{head}}}"
    return head


def name_latex(name: str) -> str:
    r"""A name of the expression language (letters, digits, ``_``, from a letter) in LaTeX math:
    the tail after the first underscore is one braced subscript, further underscores in it
    escaped; an underscore with nothing after it is escaped. The head is one symbol: a word
    (Wq, W_out's W is a letter) set as ``\mathit``, not as a product of letters, a Greek
    letter's name as the letter.

    >>> print(name_latex("W_in"), name_latex("W_1"), name_latex("x_a_b"), name_latex("x_"))
    W_{in} W_{1} x_{a\_b} x\_
    >>> print(name_latex("Wq_h"), name_latex("alpha"), name_latex("x1"))
    \mathit{Wq}_{h} {\alpha} x1
    """
    head, _, tail = name.partition("_")
    if not tail.strip("_"):  # x_, x__: no subscript to set, the underscores are the name's
        return _head_latex(head) + name[len(head) :].replace("_", r"\_")
    return _head_latex(head) + "_{" + tail.replace("_", r"\_") + "}"


def to_latex(text: str) -> str:
    """Text notation as LaTeX math (without the dollars), a user's names with underscores set by
    :func:`name_latex` (hidden from the rest, so x_log is no \\log); a character with no LaTeX
    command here is refused, so no Unicode reaches the LaTeX engine.

    Shapes: str -> str (ASCII only).

    >>> print(to_latex("∂f/∂x_a_b"))
    \\partial f/\\partial x_{a\\_b}
    """
    names: list[str] = []

    def hide(m: re.Match[str]) -> str:
        word = m.group()
        one = len(word) - word.find("_") == 2 and word[-1] != "_"  # I_n, W_1: right as it is
        if one and len(_head_latex(word.partition("_")[0])) == word.index("_"):
            return word
        if "_" not in word and (word in _NOTATION_WORDS or not _is_word(word)):
            return word  # diag, vec, …: the notation's own, set below; or sizes multiplied
        names.append(name_latex(word))
        return f"\x00{len(names) - 1}\x01"

    s = _notation_latex(_WORD.sub(hide, _NAME.sub(hide, text)))
    return _HIDDEN.sub(lambda m: names[int(m.group(1))], s) if names else s


def _notation_latex(text: str) -> str:
    """Text notation as LaTeX math (without the dollars); a character with no LaTeX command here
    is refused, so no Unicode reaches the LaTeX engine.

    Shapes: str -> str (ASCII only).

    >>> to_latex("∂C/∂y⁽²⁾")
    '\\\\partial C/\\\\partial y^{(2)}'
    >>> to_latex("I_n ⊗ xᵀ")
    'I_n \\\\otimes x^{\\\\top}'
    >>> to_latex("γ ⊙ x̂ + β")
    '\\\\gamma \\\\odot \\\\hat{x} + \\\\beta'
    >>> to_latex("1[z > 0] + α·1[z ≤ 0]")
    '\\\\mathbf{1}[z > 0] + \\\\alpha \\\\cdot \\\\mathbf{1}[z \\\\le 0]'
    """
    s = _SUPER_RUN.sub(
        lambda m: _script("^", m.group().translate(_FROM_SUP).replace("·", ".")), text
    )
    s = _SUB_RUN.sub(lambda m: "_{" + m.group().translate(_FROM_SUB) + "}", s)
    s = _HAT.sub(r"\\hat{\1}", s)
    s = _INDICATOR.sub(r"\\mathbf{1}[", s)
    s = _WORDS.sub(_word, s)
    out = []
    i = 0
    while i < len(s):
        for k in _KEYS:
            if s.startswith(k, i):
                out.append(_MATH[k])
                i += len(k)
                break
        else:
            ch = s[i]
            if not ch.isascii():
                raise ValueError(f"no LaTeX command for {ch!r} (U+{ord(ch):04X}) in {text!r}")
            out.append(ch)
            i += 1
    s = re.sub(r" +", " ", "".join(out)).replace(" ^", "^").replace(" _", "_").strip()
    return _left_right(s)


# ----- closed forms as templates -----
_SLOT = re.compile(r"\$(?:\{([A-Za-z_][A-Za-z0-9_]*)\}|([A-Za-z_][A-Za-z0-9_]*))")


def _parts(template: str) -> tuple[str | tuple[str], ...]:
    """The template as literal strings and 1-tuples naming a slot, split once."""
    parts: list[str | tuple[str]] = []
    last = 0
    for m in _SLOT.finditer(template):
        parts += [template[last : m.start()], (m.group(1) or m.group(2),)]
        last = m.end()
    parts.append(template[last:])
    if any("$" in p for p in parts if isinstance(p, str)):
        raise ValueError(f"Form: a '$' that starts no slot in {template!r}")
    return tuple(parts)


def _fill(parts: tuple[str | tuple[str], ...], names: dict[str, str]) -> str:
    return "".join(p if isinstance(p, str) else names[p[0]] for p in parts)


def _text_arg(arg: str, value: Any, expected: str) -> None:
    """Refuse anything but text for an argument of :class:`Form`."""
    if not isinstance(value, str):
        raise InputTypeError("Form", arg, expected, f"{value!r} ({describe(value)})")


class Form:
    """A closed form with named slots, ``$z`` (or ``${z}`` before a letter), written once.

    Args:
        text: the text notation, e.g. ``"($a − $y)ᵀ"``.
        latex: a LaTeX override with the same slots; by default :func:`to_latex` of ``text``.

    ``.text(**names)`` fills the slots with text, ``.latex(**names)`` with LaTeX (the caller braces
    a name that carries a superscript, ``{y^{(2)}}``, so that ``ᵀ`` applies to all of it); a slot
    not named keeps its own letter.

    >>> f = Form("($a − $y)ᵀ")
    >>> f.text(), f.text(a="y⁽²⁾", y="t"), f.latex(a="{y^{(2)}}", y="t")
    ('(a − y)ᵀ', '(y⁽²⁾ − t)ᵀ', '({y^{(2)}} - t)^{\\\\top}')
    """

    __slots__ = ("_latex", "_text", "slots", "source")

    def __init__(self, text: str, latex: str | None = None) -> None:
        _text_arg("text", text, "the closed form's text, e.g. '($a − $y)ᵀ'")
        if latex is not None:
            _text_arg("latex", latex, "None (derived from text) or the LaTeX with the same slots")
        self.source = text
        self._text = _parts(text)
        self.slots = tuple(dict.fromkeys(p[0] for p in self._text if not isinstance(p, str)))
        if latex is not None:  # the glyph no package of the template has, as to_latex writes it
            latex = _BLACKBOARD_DIGIT.sub(r"\\mathbf{\1}", latex)
        self._latex = _parts(to_latex(text) if latex is None else latex)
        extra = {p[0] for p in self._latex if not isinstance(p, str)} - set(self.slots)
        if extra:
            raise InputError(
                "Form",
                "latex",
                f"only the slots of text {text!r}: {', '.join(self.slots) or 'none'}",
                f"{latex!r}, with the slots {sorted(extra)} besides",
            )

    def text(self, **names: str) -> str:
        """The text with the slots filled (unnamed slots keep their letter)."""
        return _fill(self._text, {s: names.get(s, s) for s in self.slots})

    def latex(self, **names: str) -> str:
        """The LaTeX with the slots filled (unnamed slots keep their letter)."""
        return _fill(self._latex, {s: names.get(s, s) for s in self.slots})

    def __repr__(self) -> str:
        return f"Form({self.source!r})"
