"""Per-head scores of float32 blocks ``w`` [n heads, Q, K] (numpy, or CPU torch tensors: torch then runs
the work on every core), one block at a time: :class:`BlockScores` returns float64 [n] per score name.

Definitions (every mean is over query rows; a row is a distribution over keys):
- the five of attnscope.analysis.head_stats (entropy in nats, max, first, previous, distance);
- entropy_norm: each row's entropy over ln(keys that row can see), then the mean over rows. A head whose
  weights above the diagonal are all 0 (a causal head of a same-positions section) has row q see q + 1
  keys; any other head sees K. Rows that see one key have no choice and are left out (NaN if all are);
- top3: the sum of the three largest weights of a row;
- self: w[q, q]; local: the mass within LOCAL_WINDOW positions of the query (|q - k| <= window);
- offset / offset_mass: for each diagonal offset d in -MAX_OFFSET..MAX_OFFSET but 0 and -1 (self and
  previous have their own scores), the mean over every query row of w[q, q + d] (a row without a key at
  q + d counts 0, so that the few rows of a far diagonal do not outweigh the rest); offset is the d of
  the largest (as a float), offset_mass that mean;
- special: the mass on the key positions given (special tokens, optionally punctuation);
- pattern scores (duplicate, induction, user patterns): TransformerLens ``detect_head`` with
  error_measure "mul": sum(A * P) / sum(A) per head, where A is w with the first column and/or the
  diagonal set to 0 when excluded (see attnscope.analysis.patterns).
Scores that compare query and key positions are NaN when the section's queries and keys are not the same
positions (cross-attention): previous, distance, self, local, offset, offset_mass, duplicate, induction.
"""

from __future__ import annotations

import numpy as np

from .head_stats import STAT_NAMES, HeadStats

#: |q - k| <= LOCAL_WINDOW counts as local
LOCAL_WINDOW = 2
#: the diagonal offsets searched for a positional-offset head
MAX_OFFSET = 8
OFFSETS = tuple(d for d in range(-MAX_OFFSET, MAX_OFFSET + 1) if d not in (0, -1))
#: positional scores: NaN when queries and keys are not the same positions
POSITIONAL = ("previous", "distance", "self", "local", "offset", "offset_mass", "duplicate", "induction")
#: the scores every section gets, in order (then "special", "duplicate", "induction" and user patterns
#: when their inputs are known)
BASE_NAMES = STAT_NAMES + ("entropy_norm", "top3", "self", "local", "offset", "offset_mass")
#: weights above the diagonal summing to at most this per row make a head causal
_CAUSAL_TOL = 1e-6


def _is_torch(w) -> bool:
    return type(w).__module__.startswith("torch")


class BlockScores:
    """Scores of [n, Q, K] blocks of one section (module doc). ``special``: bool [K] of the special key
    positions, or None; ``patterns``: name -> attnscope.analysis.patterns.Pattern (the pattern scores);
    ``exclude``: (exclude_bos, exclude_current_token) for them. Nothing of size Q x K is kept but the
    dense user patterns (token patterns are kept as their non-zero entries)."""

    def __init__(self, n_q: int, n_k: int, same_positions: bool, special=None, patterns=None,
                 exclude=(False, False)):
        self.n_q, self.n_k = n_q, n_k
        self.stats = HeadStats(n_q, n_k, same_positions)
        self.same = self.stats.same
        self.special = None if special is None else np.asarray(special, np.float32)
        self.patterns = dict(patterns or {})
        self.exclude_bos, self.exclude_current = exclude
        self._log_causal = np.log(np.arange(2, n_q + 1, dtype=np.float64))  # rows 1.. of a causal head
        self._torch_cache = {}

    @property
    def names(self) -> tuple:
        extra = (("special",) if self.special is not None else ()) + tuple(self.patterns)
        return BASE_NAMES + extra

    def _vec(self, w, name, value):
        """``value`` (numpy) as w's kind (torch tensors made once)."""
        if not _is_torch(w):
            return value
        if name not in self._torch_cache:
            import torch

            self._torch_cache[name] = torch.from_numpy(np.ascontiguousarray(value))
        return self._torch_cache[name]

    def _pattern_mass(self, w, name, pattern) -> np.ndarray:
        """float64 [n] of sum_{q,k} w[i, q, k] * P[q, k] (P dense, or its non-zero entries)."""
        n = w.shape[0]
        flat = w.reshape(n, -1)
        if pattern.index is None:
            out = flat @ self._vec(w, ("dense", name), pattern.values.ravel())
        elif len(pattern.index) == 0:
            return np.zeros(n)
        else:
            out = flat[:, self._vec(w, ("index", name), pattern.index)] @ self._vec(w, ("values", name), pattern.values)
        return _np(out).astype(np.float64)

    def _counted(self, w) -> np.ndarray:
        """float64 [n] of sum(A): the total weight less the first column / the diagonal when excluded."""
        total = _sum_all(w)
        if self.exclude_bos:
            total -= _np(w[:, :, 0]).sum(axis=-1, dtype=np.float64)
        if self.exclude_current:
            total -= _np(w).diagonal(0, 1, 2).sum(axis=-1, dtype=np.float64)
            if self.exclude_bos:
                total += _np(w[:, 0, 0]).astype(np.float64)  # w[0, 0] was taken twice
        return total

    def __call__(self, w) -> dict:
        n, n_q, n_k = w.shape
        torch_block = _is_torch(w)
        out = dict(zip(STAT_NAMES, self.stats(w).T))
        rows = _row_entropy(w, self.stats._scratch_for(w, _maker(torch_block)), torch_block)  # float64 [n, Q]
        out["entropy_norm"] = self._entropy_norm(w, rows)
        out["top3"] = _top3(w, torch_block)
        nan = np.full(n, np.nan)
        if self.same:
            out["self"] = _mean_rows(np.diagonal(_np(w), 0, 1, 2))
            wn = _np(w)
            out["local"] = sum(_np(wn.diagonal(d, 1, 2)).sum(axis=-1, dtype=np.float64)
                               for d in range(-LOCAL_WINDOW, LOCAL_WINDOW + 1) if abs(d) < max(n_q, n_k)) / n_q
            offsets = np.stack([wn.diagonal(d, 1, 2).sum(axis=-1, dtype=np.float64) for d in OFFSETS], axis=1) / n_q
            best = np.argmax(np.nan_to_num(offsets, nan=-1.0), axis=1)
            out["offset"] = np.asarray(OFFSETS, np.float64)[best]
            out["offset_mass"] = offsets[np.arange(n), best]
        else:
            for name in ("previous", "distance", "self", "local", "offset", "offset_mass"):
                out[name] = nan
        if self.special is not None:
            k_mass = w @ self._vec(w, "special", self.special)  # [n, Q]
            out["special"] = _np(k_mass).astype(np.float64).mean(axis=-1)
        den = self._counted(w) if self.patterns else None
        for name, pattern in self.patterns.items():
            if not self.same and name in POSITIONAL:
                out[name] = nan
                continue
            num = self._pattern_mass(w, name, pattern)
            with np.errstate(invalid="ignore", divide="ignore"):
                out[name] = np.where(den > 0, num / np.where(den > 0, den, 1.0), np.nan)
        return {name: out[name] for name in self.names}

    def _entropy_norm(self, w, rows) -> np.ndarray:
        n, n_q = rows.shape
        full = rows.mean(axis=1) / np.log(self.n_k) if self.n_k > 1 else np.full(n, np.nan)
        if not self.same or n_q < 2:
            return full
        # causal: nothing on the key after the query, nor on the last key before the last query (an exact
        # zero there is what a causal mask gives; softmax over visible keys gives none)
        wn = _np(w)
        above = wn.diagonal(1, 1, 2).sum(axis=-1, dtype=np.float64) + wn[:, :-1, -1].sum(axis=-1, dtype=np.float64)
        causal = above <= _CAUSAL_TOL * n_q
        causal_norm = (rows[:, 1:] / self._log_causal).mean(axis=1)
        return np.where(causal, causal_norm, full)


def _np(x):
    return x.numpy() if _is_torch(x) else x


def _mean_rows(d) -> np.ndarray:
    """float64 [n] mean of d [n, m] over m (NaN when m = 0)."""
    if d.shape[-1] == 0:
        return np.full(d.shape[0], np.nan)
    return d.astype(np.float64).mean(axis=-1)


def _maker(torch_block: bool):
    if torch_block:
        import torch

        return lambda shape: torch.empty(shape, dtype=torch.float32)
    return lambda shape: np.empty(shape, np.float32)


def _sum_all(w) -> np.ndarray:
    return _np(w.sum(-1)).sum(axis=-1, dtype=np.float64)


def _row_entropy(w, scratch, torch_block: bool) -> np.ndarray:
    """float64 [n, Q] of -sum_k w ln w, in ``scratch`` (a buffer of w's shape)."""
    tiny = float(np.finfo(np.float32).tiny)
    if torch_block:
        import torch

        torch.clamp(w, min=tiny, out=scratch).log_().mul_(w)
        return -scratch.sum(dim=-1).numpy().astype(np.float64)
    np.log(np.maximum(w, tiny, out=scratch), out=scratch)
    return -np.multiply(scratch, w, out=scratch).sum(axis=-1, dtype=np.float64)


def _top3(w, torch_block: bool) -> np.ndarray:
    k = min(3, w.shape[-1])
    if torch_block:
        import torch

        top = torch.topk(w, k, dim=-1).values.sum(dim=-1)
        return top.numpy().astype(np.float64).mean(axis=-1)
    # one head at a time: np.partition copies what it sorts
    return np.array([np.partition(h, h.shape[-1] - k, axis=-1)[:, -k:].sum(axis=-1, dtype=np.float64).mean()
                     for h in w])
