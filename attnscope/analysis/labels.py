"""Pattern labels: each head gets the labels its scores earn, with the rule and the threshold that gave
each one (so a view can show "previous-token: previous 0.62 >= 0.4").

A rule is ``label: score >= threshold`` on one score of attnscope.analysis.head_scores; the defaults are
DEFAULT_THRESHOLDS (pass ``thresholds={label: value}`` to change any). A NaN score (a positional score of
cross-attention, a score not computed) earns nothing. The positional-offset label reads "offset k" with k
the head's best diagonal offset (scores "offset" / "offset_mass").
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

#: label -> (score it reads, default threshold, what it means)
RULES = {
    "previous-token": ("previous", 0.4, "mean weight on the previous token"),
    "first-token/sink": ("first", 0.5, "mean weight on the first token"),
    "self": ("self", 0.4, "mean weight on the query's own position"),
    "separator": ("special", 0.4, "mean weight on special tokens (separators, BOS/EOS)"),
    "induction": ("induction", 0.4, "induction score (TransformerLens detect_head)"),
    "positional offset": ("offset_mass", 0.4, "mean weight at the best diagonal offset k (k != 0, -1)"),
    "local/block": ("local", 0.8, "mean weight within 2 positions of the query"),
    "broad": ("entropy_norm", 0.8, "entropy over ln(keys each query sees)"),
    "peaked": ("max", 0.8, "mean of each row's largest weight"),
}
DEFAULT_THRESHOLDS = {label: rule[1] for label, rule in RULES.items()}


@dataclass(frozen=True)
class Label:
    """One label a head earned: ``text`` is what a view shows."""

    label: str  # e.g. "previous-token", "offset -3"
    score: str  # the score the rule reads
    value: float
    threshold: float
    rule: str  # "previous >= 0.4"

    @property
    def text(self) -> str:
        return f"{self.label}: {self.score} {self.value:.3g} >= {self.threshold:g}"


def check_thresholds(thresholds) -> dict:
    """DEFAULT_THRESHOLDS updated with ``thresholds`` (errors name the unknown label or the bad value)."""
    out = dict(DEFAULT_THRESHOLDS)
    if thresholds is None:
        return out
    if not isinstance(thresholds, dict):
        raise TypeError(f"thresholds: got {type(thresholds).__name__}; expected a dict label -> number, "
                        f"labels among {list(RULES)}.")
    for label, value in thresholds.items():
        if label not in RULES:
            raise ValueError(f"thresholds: unknown label {label!r}; expected one of {list(RULES)}.")
        if isinstance(value, bool) or not isinstance(value, (int, float, np.floating, np.integer)) \
                or not np.isfinite(value):
            raise TypeError(f"thresholds[{label!r}]: got {value!r}; expected a finite number.")
        out[label] = float(value)
    return out


def head_labels(scores: dict, thresholds=None) -> list:
    """``labels[layer slot][head slot]``: the list of :class:`Label` each head of ``scores`` ({name: [L, H]},
    attnscope.head_scores) earns, in the order of RULES."""
    limits = check_thresholds(thresholds)
    first = next(iter(scores.values()))
    n_l, n_h = np.asarray(first).shape
    out = [[[] for _ in range(n_h)] for _ in range(n_l)]
    for label, (score, _default, _meaning) in RULES.items():
        if score not in scores:
            continue
        values = np.asarray(scores[score], np.float64)
        limit = limits[label]
        for i, j in zip(*np.nonzero(np.nan_to_num(values, nan=-np.inf) >= limit)):
            name = label
            if label == "positional offset":
                name = f"offset {int(scores['offset'][i, j]):+d}"
            out[i][j].append(Label(name, score, float(values[i, j]), limit, f"{score} >= {limit:g}"))
    return out


def label_counts(labels) -> dict:
    """{label: number of heads} over a head_labels result (offsets counted per k)."""
    counts: dict = {}
    for row in labels:
        for head in row:
            for lab in head:
                counts[lab.label] = counts.get(lab.label, 0) + 1
    return counts
