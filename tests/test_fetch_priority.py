"""A fetch from the page pauses the head-scores job (issue 14): torch's threads are process-wide, so a job
reading blocks beside a fetch took its cores, and at 32 x 32 heads x 2,048 tokens the page waited seconds for
an opened head. The job finishes the block it is reading, waits while the answer is built, then goes on."""

import time

import numpy as np

from attnscope import model_view
from attnscope.widget import stats_job


def _slow_job(progress):
    """A stand-in for the scores' pass: many small blocks, each asking ``cancelled()`` first, as section_scores
    does between blocks; ``progress["n"]`` counts the blocks read."""

    def head_statistics(section, cancelled=lambda: False, bar=None, on_block=None):
        for i in range(100_000):
            if cancelled():
                return None
            progress["n"] = i
            time.sleep(0.001)
        return None

    return head_statistics


def _lazy_widget():
    x = np.random.default_rng(0).random((3, 2, 8, 8)).astype(np.float32)
    return model_view(x / x.sum(-1, keepdims=True), [str(i) for i in range(8)], lazy=True)


def test_a_fetch_pauses_the_head_scores_job_and_it_goes_on_after(monkeypatch, recording_comm):
    progress = {"n": -1}
    monkeypatch.setattr(stats_job, "head_statistics", _slow_job(progress))
    w = _lazy_widget()
    job = w._stats_job
    while progress["n"] < 5:
        time.sleep(0.001)
    during = {}
    answer = w._answer

    def slow_answer(content):  # the kernel reading a big slice
        time.sleep(0.05)  # the block in progress ends
        during["start"] = progress["n"]
        time.sleep(0.2)
        during["end"] = progress["n"]
        return answer(content)

    w._answer = slow_answer
    w._handle_fetch({"type": "fetch", "id": 1, "section": "attention", "layer": 0, "heads": [0]})
    assert during["end"] == during["start"], "the job read blocks while a fetch was answered"
    assert job.blocks_waited == 1
    after = progress["n"]
    time.sleep(0.1)
    assert progress["n"] > after + 10, "the job did not go on after the fetch"
    w.close()
    assert job.wait(5)


def test_closing_during_a_fetch_ends_a_paused_job(monkeypatch, recording_comm):
    progress = {"n": -1}
    monkeypatch.setattr(stats_job, "head_statistics", _slow_job(progress))
    w = _lazy_widget()
    job = w._stats_job
    while progress["n"] < 1:
        time.sleep(0.001)
    with job.paused():
        time.sleep(0.05)
        job.cancel()
        assert job.wait(5), "a cancelled job waited for the fetch to end"
