"""Checks of token lists: a list of str per axis, lengths matching the attention, text that can travel as
UTF-8. Tokens are user data: kept as text, never escaped or interpreted here."""

from __future__ import annotations

import warnings

import numpy as np

from .convert import short


def tokens_list(tokens, name: str, expected: int, axis: str, other: int | None = None,
                other_name: str | None = None) -> list[str]:
    """Check tokens is a list of str whose length matches the attention's ``axis``.

    other / other_name: the length of the attention's other axis and the argument that belongs
    there (cross-attention), to say when the two token lists look swapped. Lone surrogates (which
    cannot travel as UTF-8) become U+FFFD with a warning; everything else is kept as is.
    """
    if tokens is None:
        raise TypeError(f"{name}: got None; expected a list of {expected} token strings.")
    if isinstance(tokens, np.ndarray) and tokens.ndim == 1 and tokens.dtype.kind == "U":
        tokens = [str(t) for t in tokens]
    if isinstance(tokens, str) or not isinstance(tokens, (list, tuple)):
        raise TypeError(
            f"{name}: got {type(tokens).__name__} {short(tokens)}; expected a list of str "
            "(e.g. tokenizer.convert_ids_to_tokens(input_ids))."
        )
    for i, t in enumerate(tokens):
        if not isinstance(t, str):
            raise TypeError(f"{name}: item {i} is {type(t).__name__} {t!r}; expected str.")
    if len(tokens) != expected:
        swapped = ""
        if other is not None and other != expected and len(tokens) == other:
            swapped = f" {len(tokens)} is the length of the other axis: are {name} and {other_name} swapped?"
        raise ValueError(
            f"{name}: got {len(tokens)} tokens but the attention's {axis} axis has {expected}; "
            f"pass the tokens of the same input (one per position, padding removed).{swapped}"
        )
    return [_utf8_safe(t, name, i) for i, t in enumerate(tokens)]


def _utf8_safe(token: str, name: str, i: int) -> str:
    try:
        token.encode("utf-8")
        return str(token)
    except UnicodeEncodeError:
        # surrogate pairs written as two code points join into one character; lone ones become U+FFFD
        fixed = token.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")
        if fixed.count("\ufffd") > token.count("\ufffd"):
            warnings.warn(f"{name}: token {i} {short(token)} contains lone surrogates (not valid Unicode text, "
                          f"it cannot be sent); shown as {short(fixed)}.", UserWarning, stacklevel=4)
        return fixed


def prettify(tokens: list[str]) -> list[str]:
    """Like BertViz format_special_chars: 'Ġ' and '▁' -> ' ', '</w>' dropped."""
    return [t.replace("Ġ", " ").replace("▁", " ").replace("</w>", "") for t in tokens]
