"""Word boundaries of a token list: the word index of each token (0, 1, ... non-decreasing, every index
used) and each word's text, for the views' ``group="word"`` (the ``words`` field of a wire section).

Two sources, both before prettify_tokens changes the tokens:
- a fast tokenizer's ``word_ids()`` (from_model): a new word wherever the id changes; positions with no
  id (special tokens) are words of their own;
- the raw tokens' subword markers, by the scheme the list shows: WordPiece (BERT) marks continuations
  with a leading ``##``; byte-level BPE (GPT-2, RoBERTa) marks a word's start with ``Ġ`` (a space; ``Ċ``, a
  newline, starts one too) and its pre-tokenizer also splits where letters, digits and other characters
  meet, so a continuation of another kind starts a word (``Ġdidn`` + ``'t``: two words, as word_ids says);
  sentencepiece (T5, Llama) marks a word's start with ``▁``. Special tokens ([CLS], <s>, </s>, <|endoftext|>,
  <pad>...) are words of their own, and the token after one starts a word. A list with no marker at all
  tells no boundary: None (the page then treats each token as a word).
A word's text joins its tokens without the markers ("play ##ing" -> "playing"); byte-level tokens are not
decoded from their byte alphabet, so the text reads like the tokens the views show.
"""

from __future__ import annotations

import re

from .convert import short

_SPECIAL = re.compile(r"^(\[[A-Za-z_]+\]|<\|[^|]*\|>|<[^<>\s]+>)$")
_BYTE_STARTS = ("Ġ", "Ċ")
_STARTS = ("Ġ", "Ċ", "▁")


def is_special(token: str) -> bool:
    """[CLS]-, <s>- and <|endoftext|>-like tokens."""
    return bool(_SPECIAL.match(token))


def scheme(tokens) -> str | None:
    """"wordpiece", "byte" or "sentencepiece" from the markers the (raw) tokens carry, else None."""
    body = [t for t in tokens if not is_special(t)]
    if any(t.startswith("##") and len(t) > 2 for t in body):
        return "wordpiece"
    if any(t.startswith(_BYTE_STARTS) for t in body):
        return "byte"
    if any(t.startswith("▁") for t in body):
        return "sentencepiece"
    return None


def _kind(ch: str) -> str:
    return "letter" if ch.isalpha() else "digit" if ch.isdigit() else "other"


def _starts_word(scheme_name: str, token: str, prev: str) -> bool:
    if scheme_name == "wordpiece":
        return not token.startswith("##")
    if token.startswith(_STARTS):
        return True
    if scheme_name == "byte":
        body = prev[1:] if prev.startswith(_BYTE_STARTS) else prev
        return not body or not token or _kind(token[0]) != _kind(body[-1])
    return False


def _part(token: str, first: bool) -> str:
    """A token's share of its word's text: without its marker (a lone marker, a space or newline token,
    stays as it is)."""
    if is_special(token):
        return token
    if first:
        return token[1:] if token.startswith(_STARTS) and len(token) > 1 else token
    return token[2:] if token.startswith("##") else token


def _labels(tokens, index) -> list[str]:
    labels = []
    for i, (token, w) in enumerate(zip(tokens, index)):
        first = i == 0 or index[i - 1] != w
        if first:
            labels.append("")
        labels[-1] += _part(token, first)
    return labels


def marker_words(tokens) -> tuple[list[int], list[str]] | None:
    """(word index per token, word texts) from the raw tokens' markers (module doc), or None when the list
    carries no marker."""
    name = scheme(tokens)
    if name is None:
        return None
    index, word = [], -1
    for i, token in enumerate(tokens):
        prev = tokens[i - 1] if i else ""
        if i == 0 or is_special(token) or is_special(prev) or _starts_word(name, token, prev):
            word += 1
        index.append(word)
    return index, _labels(tokens, index)


def id_words(word_ids, tokens) -> tuple[list[int], list[str]]:
    """(word index per token, word texts) from a tokenizer's word_ids() (module doc)."""
    index, word = [], -1
    for i, wid in enumerate(word_ids):
        if i == 0 or wid is None or word_ids[i - 1] is None or wid != word_ids[i - 1]:
            word += 1
        index.append(word)
    return index, _labels(tokens, index)


def own_words(tokens) -> tuple[list[int], list[str]]:
    """Each token a word of its own (the side of a section whose boundaries are not known)."""
    return list(range(len(tokens))), [_part(t, True) for t in tokens]


def check_word_ids(value, name: str, n: int) -> list:
    """A tokenizer's word_ids(): a list of n ints >= 0 or None."""
    if not isinstance(value, (list, tuple)):
        raise TypeError(f"{name}: got {type(value).__name__} {short(value)}; expected a list of int or None per "
                        "token (a fast tokenizer's encoding.word_ids()).")
    if len(value) != n:
        raise ValueError(f"{name}: got {len(value)} word ids for {n} tokens; expected one per token.")
    for i, w in enumerate(value):
        if w is not None and (isinstance(w, bool) or not isinstance(w, int) or w < 0):
            raise TypeError(f"{name}: item {i} is {short(w)}; expected an int >= 0 or None.")
    return list(value)


def section_words(q_tokens, k_tokens, q_ids=None, k_ids=None, same_positions: bool = True) -> dict | None:
    """The ``words`` wire field of a section ({"query", "key", "query_labels", "key_labels"}) from its raw
    tokens and, when known, checked word ids; None when no boundary is known on either side."""
    q = id_words(q_ids, q_tokens) if q_ids is not None else marker_words(q_tokens)
    if same_positions:
        k = q if k_ids is None else id_words(k_ids, k_tokens)
    else:
        k = id_words(k_ids, k_tokens) if k_ids is not None else marker_words(k_tokens)
    if q is None and k is None:
        return None
    q, k = q or own_words(q_tokens), k or own_words(k_tokens)
    return {"query": q[0], "key": k[0], "query_labels": q[1], "key_labels": k[1]}
