"""attnscope.head_labels: each rule at its threshold's edge, the texts the views show, the errors."""

import numpy as np
import pytest

import attnscope
from attnscope.analysis.labels import DEFAULT_THRESHOLDS, RULES, check_thresholds, head_labels, label_counts


def scores_with(score: str, value: float, offset: float = -3.0) -> dict:
    """[1, 2] scores, all 0 but ``score`` of head 0 (head 1 keeps 0)."""
    names = {rule[0] for rule in RULES.values()} | {"offset"}
    out = {name: np.zeros((1, 2), np.float32) for name in names}
    out["offset"][:] = offset
    out[score][0, 0] = value
    return out


@pytest.mark.parametrize("label", list(RULES))
def test_each_rule_at_the_edge_of_its_threshold(label):
    score, limit, _ = RULES[label]
    above = head_labels(scores_with(score, limit + 1e-3))
    below = head_labels(scores_with(score, limit - 1e-3))
    (got,) = above[0][0]
    assert got.score == score and got.threshold == limit and got.rule == f"{score} >= {limit:g}"
    assert got.label == ("offset -3" if label == "positional offset" else label)
    assert below[0][0] == [] and above[0][1] == []
    assert head_labels(scores_with(score, limit))[0][0] != []  # >=: the threshold itself earns it


def test_thresholds_are_arguments():
    s = scores_with("previous", 0.3)
    assert head_labels(s)[0][0] == []
    (got,) = head_labels(s, thresholds={"previous-token": 0.25})[0][0]
    assert got.text == "previous-token: previous 0.3 >= 0.25"
    assert check_thresholds(None) == DEFAULT_THRESHOLDS


def test_nan_earns_nothing_and_offsets_name_k():
    s = scores_with("offset_mass", 0.9, offset=5.0)
    s["previous"][:] = np.nan
    (got,) = head_labels(s)[0][0]
    assert got.label == "offset +5" and got.text.startswith("offset +5: offset_mass 0.9 >= 0.4")
    assert label_counts(head_labels(s)) == {"offset +5": 1}


def test_labels_of_real_scores():
    q = np.arange(6)
    prev = np.zeros((6, 6), np.float32)
    prev[q, np.maximum(q - 1, 0)] = 1
    sink = np.zeros((6, 6), np.float32)
    sink[:, 0] = 1
    labels = attnscope.head_labels(attnscope.head_scores(np.stack([prev, sink])[None]))
    assert "previous-token" in [lab.label for lab in labels[0][0]]
    assert [lab.label for lab in labels[0][1]][:1] == ["first-token/sink"]


@pytest.mark.parametrize("thresholds, error, words", [
    ({"nope": 0.3}, ValueError, "thresholds: unknown label 'nope'"),
    ({"induction": "high"}, TypeError, "thresholds['induction']: got 'high'"),
    ({"induction": float("nan")}, TypeError, "thresholds['induction']: got nan"),
    ([0.3], TypeError, "thresholds: got list"),
])
def test_bad_thresholds_are_named(thresholds, error, words):
    with pytest.raises(error) as info:
        head_labels(scores_with("previous", 0.5), thresholds)
    assert words in str(info.value)
