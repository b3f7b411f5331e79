"""The model view's head-triage options (score, sort, top, min_score, chart): the view_options they make,
and clear errors naming the argument."""

import pytest
from inputs_helpers import has, message, softmax

import attnscope
from attnscope.widget import StateError

A = softmax((2, 3, 5, 5), seed=3)
TOK = list("abcde")


def test_the_options_reach_the_view_options(recording_comm):
    w = attnscope.model_view(A, TOK, score="induction", sort="rank", top=5, min_score=0.25,
                             chart=("entropy_norm", "induction"))
    assert {k: w.view_options[k] for k in ("score", "sort", "top", "min_score", "chart")} == {
        "score": "induction", "sort": "rank", "top": 5, "min_score": 0.25, "chart": ["entropy_norm", "induction"]}
    shown = attnscope.show(A, TOK, views=("head", "model"), score="previous", sort="layer")
    assert (shown.view_options["score"], shown.view_options["sort"]) == ("previous", "layer")
    w.view_options = {**w.view_options, "sort": "layer", "top": None}  # what the view may change, Python may too
    assert w.view_options["sort"] == "layer" and w.view_options["top"] is None
    has(message(StateError, setattr, w, "view_options", {**w.view_options, "sort": "best"}), "sort: got 'best'")


@pytest.mark.parametrize("kwargs,fragments", [
    (dict(score="inductive"), ["score: got 'inductive'", "'induction'"]),
    (dict(score=3), ["score: got 3"]),
    (dict(sort="rank"), ["sort: 'rank' needs a score to sort by", "score="]),
    (dict(score="max", sort="desc"), ["sort: got 'desc'", "['none', 'layer', 'rank', 'similarity']"]),
    (dict(score="max", top=0), ["top: got 0", "positive int"]),
    (dict(score="max", top=True), ["top: got True"]),
    (dict(score="max", min_score="high"), ["min_score: got 'high'", "a number"]),
    (dict(min_score=0.5), ["min_score: needs a score"]),
    (dict(chart="induction"), ["chart: got 'induction'", "two score names (x, y)"]),
    (dict(chart=("entropy", "bogus")), ["chart[1]: got 'bogus'"]),
])
def test_bad_triage_options_name_the_argument(recording_comm, kwargs, fragments):
    has(message(ValueError, attnscope.model_view, A, TOK, **kwargs), *fragments)
