"""The within-layer head similarity every widget sends with its scores (the model view's "similar heads
together" order, redundant pairs, collapsed layers), against a fixture built so the answer is known."""

import numpy as np
import pytest
from inputs_helpers import softmax

import attnscope
from attnscope.analysis.head_scores import attention_section
from attnscope.analysis.similarity import layer_similarity


def fixture():
    """[2 layers, 4 heads, 20, 20]: in layer 0 heads 0 and 2 are the same pattern, 1 and 3 two others; in
    layer 1 all four heads are the same pattern (a collapsed layer)."""
    a = softmax((2, 4, 20, 20), seed=5).astype(np.float32)
    a[0, 2] = a[0, 0]
    a[1, 1:] = a[1, 0]
    return a


def test_layer_similarity_orders_flags_and_collapses():
    sim = layer_similarity(attention_section(fixture(), None, "test"))
    order0 = sim["order"][0]
    assert sorted(order0) == [0, 1, 2, 3] and order0[:2] == [0, 2]  # the twin heads side by side
    assert [0, 0, 2] in [r[:3] for r in sim["redundant"]] and all(r[3] >= 0.9 for r in sim["redundant"])
    assert not any(r[0] == 0 and {r[1], r[2]} != {0, 2} for r in sim["redundant"])  # no other pair of layer 0
    assert sim["collapsed"] == [1]


def test_every_widget_sends_it_with_its_scores(recording_comm):
    w = attnscope.model_view(fixture(), [f"t{i}" for i in range(20)], sort="similarity")
    assert w.view_options["sort"] == "similarity"  # needs no score
    assert w._stats_job.wait(60)
    (msg,) = [m for m in w.comm.messages if m["msg_type"] == "comm_msg" and m["data"]["content"]["type"] == "stats"]
    sent = msg["data"]["content"]["scores"]["similarity"]
    assert sent["order"][0][:2] == [0, 2] and sent["collapsed"] == [1]
    assert w.sections[0]["scores"]["similarity"] == sent  # kept for a saved page
    page = attnscope.model_view(fixture(), [f"t{i}" for i in range(20)], html_action="return")
    assert '"collapsed":[1]' in page.data.replace(" ", "")  # an offline page computes it at once


def test_sort_by_a_score_still_needs_one():
    with pytest.raises(ValueError, match="sort: 'layer' needs a score"):
        attnscope.model_view(fixture(), [f"t{i}" for i in range(20)], sort="layer")


def test_a_page_made_while_the_job_is_stuck_does_not_wait_for_it(recording_comm, monkeypatch):
    """The "html" display mode makes the page inside the display call; joining the score job there hung
    (CI: the inline page never appeared). The page computes what the job has not delivered instead."""
    import threading

    from attnscope.widget import stats_job

    release = threading.Event()
    original = stats_job.head_statistics

    def stuck(section, **kwargs):
        release.wait(30)  # a job that does not finish while the page is made
        return original(section, **kwargs)

    monkeypatch.setattr(stats_job, "head_statistics", stuck)
    w = attnscope.model_view(fixture(), [f"t{i}" for i in range(20)])
    done = []
    maker = threading.Thread(target=lambda: done.append(w.to_html()))
    maker.start()
    maker.join(20)
    release.set()
    assert done, "to_html waited for the score job"
    assert '"collapsed":[1]' in done[0].replace(" ", "")  # the page still carries the scores
    w._stats_job.wait(30)


def test_html_display_mode_starts_no_job_and_its_page_has_the_scores(recording_comm):
    """In the "html" display mode (VS Code, Colab) the inline page is shown, not the widget: no score job
    (its progress bar would be a widget output those frontends cannot show; CI: display-html.spec saw it
    before the page), and the page computes the scores itself."""
    attnscope.set_display("html")
    try:
        w = attnscope.model_view(fixture(), [f"t{i}" for i in range(20)])
        assert w._stats_job is None
        page = w._repr_mimebundle_()["text/html"]
    finally:
        attnscope.set_display(None)
    assert "collapsed&quot;:[1]" in page.replace(" ", "") or '"collapsed":[1]' in page.replace(" ", "")
    assert w.head_statistics()["induction"].shape == (2, 4)
