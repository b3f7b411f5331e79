"""Token-based patterns [Q, K] for the pattern scores, with TransformerLens ``head_detector`` semantics,
the checks of the user's patterns, token ids and special positions, and punctuation positions.

- duplicate: P[i, j] = 1 when j < i and token[j] == token[i] (an earlier occurrence of the current token);
- induction: P[i, j] = 1 when j - 1 < i, j <= i and token[j - 1] == token[i] (the token after an earlier
  occurrence of the current token): the duplicate pattern shifted one key to the right, lower triangle;
- a user pattern: a [Q, K] array, or a callable(tokens) returning one; any finite real numbers (0/1 masks
  are usual).
The score of a pattern is sum(A * P) / sum(A) (the first column and/or the diagonal of A set to 0 when
``exclude_bos`` / ``exclude_current_token``): :func:`make_pattern` makes P with the exclusions applied once
per section, as its non-zero entries when they are few (token patterns), else dense.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

import numpy as np

#: the names head_scores computes itself; a user pattern may not take one
RESERVED = ("entropy", "max", "first", "previous", "distance", "entropy_norm", "top3", "self", "local",
            "offset", "offset_mass", "special", "duplicate", "induction")


def duplicate_pattern(ids) -> np.ndarray:
    """float32 [n, n] (module doc)."""
    ids = np.asarray(ids)
    return np.tril(ids[:, None] == ids[None, :], -1).astype(np.float32)


def induction_pattern(ids) -> np.ndarray:
    """float32 [n, n] (module doc)."""
    dup = duplicate_pattern(ids)
    out = np.zeros_like(dup)
    out[:, 1:] = dup[:, :-1]
    return np.tril(out)


def token_pattern(kind: str, ids, exclude_bos: bool, exclude_current_token: bool) -> Pattern:
    """The duplicate or induction Pattern of ``ids``, built from its non-zero entries (no [n, n] array)."""
    ids = np.asarray(ids)
    n = len(ids)
    order = np.argsort(ids, kind="stable")
    qs, ks = [], []
    sorted_ids = ids[order]
    starts = np.flatnonzero(np.r_[True, sorted_ids[1:] != sorted_ids[:-1]])
    for a, b in zip(starts, np.r_[starts[1:], n]):
        if b - a < 2:
            continue
        pos = order[a:b]
        q, k = np.meshgrid(pos, pos, indexing="ij")
        keep = k < q
        qs.append(q[keep])
        ks.append(k[keep])
    q = np.concatenate(qs) if qs else np.zeros(0, np.int64)
    k = np.concatenate(ks) if ks else np.zeros(0, np.int64)
    if kind == "induction":
        k = k + 1
        keep = k <= q
        q, k = q[keep], k[keep]
    keep = np.ones(len(q), bool)
    if exclude_bos:
        keep &= k != 0
    if exclude_current_token:
        keep &= k != q
    flat = np.sort(q[keep] * n + k[keep]).astype(np.int64)
    return Pattern(flat, np.ones(len(flat), np.float32))


@dataclass
class Pattern:
    """A [Q, K] pattern: ``index`` None and ``values`` dense float32 [Q, K], or the flat indices (q * K + k)
    of its non-zero entries and their float32 values."""

    index: np.ndarray | None
    values: np.ndarray


def make_pattern(pattern: np.ndarray, exclude_bos: bool, exclude_current_token: bool) -> Pattern:
    """``pattern`` with the excluded entries set to 0 (module doc)."""
    pattern = np.array(pattern, np.float32)
    if exclude_bos:
        pattern[:, 0] = 0
    if exclude_current_token:
        np.fill_diagonal(pattern, 0)
    flat = np.flatnonzero(pattern)
    if len(flat) * 4 < pattern.size:
        return Pattern(flat.astype(np.int64), pattern.ravel()[flat])
    return Pattern(None, pattern)


def check_token_ids(token_ids, n: int) -> np.ndarray | None:
    """int64 [n] token ids (a list, numpy or torch, [n] or [1, n]), or None."""
    if token_ids is None:
        return None
    if type(token_ids).__module__.startswith("torch"):
        token_ids = token_ids.detach().cpu().numpy()
    try:
        ids = np.asarray(token_ids)
    except (TypeError, ValueError):
        ids = np.asarray([], dtype=object)
    if ids.ndim == 2 and ids.shape[0] == 1:
        ids = ids[0]
    if ids.ndim != 1 or ids.dtype.kind not in "iu":
        raise TypeError(f"token_ids: got {type(token_ids).__name__} of shape {getattr(ids, 'shape', '?')} and "
                        f"dtype {ids.dtype}; expected {n} integer token ids (e.g. the model's input_ids[0]).")
    if len(ids) != n:
        raise ValueError(f"token_ids: got {len(ids)} ids; the attention has {n} positions (queries = keys).")
    return ids.astype(np.int64)


def ids_of_tokens(tokens) -> np.ndarray:
    """Token strings -> ids that are equal exactly when the strings are (when no token ids are given)."""
    table: dict = {}
    return np.asarray([table.setdefault(t, len(table)) for t in tokens], np.int64)


def special_mask(special_positions, n_k: int, tokens=None, punctuation: bool = False):
    """bool [K] of the special key positions, or None when neither positions nor punctuation are asked."""
    if special_positions is None and not punctuation:
        return None
    mask = np.zeros(n_k, bool)
    if special_positions is not None:
        pos = np.asarray(special_positions)
        if pos.dtype == bool and pos.shape == (n_k,):
            mask |= pos
        elif pos.ndim == 1 and (pos.size == 0 or pos.dtype.kind in "iu"):
            if pos.size and (pos.min() < -n_k or pos.max() >= n_k):
                raise ValueError(f"special_positions: got {pos.tolist()}; expected key positions in 0..{n_k - 1}.")
            mask[pos.astype(np.int64)] = True
        else:
            raise TypeError(f"special_positions: got {type(special_positions).__name__} {pos.shape}; expected a "
                            f"list of key positions (ints in 0..{n_k - 1}) or a bool mask of {n_k}.")
    if punctuation:
        if tokens is None:
            raise ValueError("punctuation: needs the tokens (tokens=...) to find the punctuation.")
        mask |= np.asarray([is_punctuation(t) for t in tokens], bool)
    return mask


def is_punctuation(token: str) -> bool:
    """True for a token made of punctuation only (after the tokenizers' word markers Ġ, ▁, ## are dropped)."""
    text = token.replace("\u0120", "").replace("\u2581", "").replace("##", "").strip()
    return bool(text) and all(unicodedata.category(c).startswith("P") for c in text)


def user_pattern(name, value, n_q: int, n_k: int, tokens) -> np.ndarray:
    """float32 [Q, K] of the user's pattern ``name`` (an array, or a callable(tokens) returning one)."""
    where = f"patterns[{name!r}]"
    if not isinstance(name, str) or not name:
        raise TypeError(f"patterns: got the key {name!r}; expected a non-empty str name.")
    if name in RESERVED:
        raise ValueError(f"{where}: {name!r} is a score head_scores computes; give the pattern another name.")
    if callable(value):
        try:
            value = value(tokens)
        except Exception as err:
            raise ValueError(f"{where}: the callable raised {type(err).__name__}: {err}") from err
    if type(value).__module__.startswith("torch"):
        value = value.detach().cpu().numpy()
    try:
        arr = np.asarray(value, dtype=np.float32)
    except (TypeError, ValueError):
        raise TypeError(f"{where}: got {type(value).__name__}; expected a [{n_q}, {n_k}] array of numbers "
                        "(or a callable(tokens) returning one).") from None
    if arr.shape != (n_q, n_k):
        raise ValueError(f"{where}: got shape {list(arr.shape)}; expected [{n_q}, {n_k}] (queries, keys).")
    if not np.isfinite(arr).all():
        raise ValueError(f"{where}: holds NaN or infinite values; expected finite numbers.")
    return arr
