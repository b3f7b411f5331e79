"""A section's score table on the wire: what the model view colours, sorts and filters by and what the heads
chart plots (attnscope.analysis.head_scores computes the scores, attnscope.analysis.labels the labels).

``scores`` (a field of a wire section, and of the "stats" message of a lazy section) is::

    {"names": [N score names],
     "values": {"dtype": "float32", "shape": [L, H, N], "buffer"},   # NaN where a score is not defined
     "labels": [[[{"label", "text"}, ...] per head slot] per layer slot],
     "rules": [{"label", "score", "threshold", "meaning"}, ...],
     "similarity": {"order": [[head slots per layer]], "redundant": [[layer slot, head slot, head slot, sim]],
                    "collapsed": [layer slots], "threshold", "measure"}}   # optional

``similarity`` is the within-layer head similarity (attnscope.analysis.similarity.layer_similarity): the
model view's "similar heads together" order, its redundant pairs and collapsed layers.

``labels`` are the labels each head earned with the default thresholds (``text`` says the rule and the
value: "previous-token: previous 0.62 >= 0.4"), ``rules`` every rule, so that the page shows the rule
where it shows a label. A section whose ``Section.scores`` is set (a comparison's change scores) sends
those, without labels; attention from a model sends its head scores (attnscope.widget.scoring); other
derived sections (rollout, flow) send none.
"""

from __future__ import annotations

import numpy as np

from ..analysis.labels import RULES, head_labels
from .codec import from_wire, to_wire


def scores_wire(scores: dict | None, *, with_labels: bool = True, similarity: dict | None = None) -> dict | None:
    """The wire form (module doc) of a score table {name: [L, H]}; None stays None."""
    if not scores:
        return None
    names = list(scores)
    values = np.stack([np.asarray(scores[n], np.float32) for n in names], axis=-1)
    out = {"names": names, "values": to_wire(values, "float32"), "labels": [], "rules": []}
    if with_labels and any(rule[0] in scores for rule in RULES.values()):
        out["labels"] = [[[{"label": lab.label, "text": lab.text} for lab in head] for head in row]
                         for row in head_labels(scores)]
        out["rules"] = [{"label": label, "score": score, "threshold": float(threshold), "meaning": meaning}
                        for label, (score, threshold, meaning) in RULES.items() if score in scores]
    if similarity is not None:
        out["similarity"] = similarity
    return out


def scores_of_wire(wire: dict | None) -> dict | None:
    """{name: float32 [L, H]} back from the wire form (a saved or restored state), or None."""
    if not wire:
        return None
    values = from_wire(wire["values"])
    return {name: np.ascontiguousarray(values[..., i]) for i, name in enumerate(wire["names"])}
