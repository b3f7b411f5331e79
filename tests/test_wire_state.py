"""What really goes over the comm (attnscope.wire.state): binary frames for weights, no JSON lists of floats."""

import json

import numpy as np
import pytest

from attnscope import AttentionWidget, head_view
from attnscope.wire.codec import from_wire
from conftest import state_updates, wait_for_score_threads


def softmax(shape, seed=0):
    x = np.random.default_rng(seed).normal(size=shape)
    e = np.exp(x - x.max(-1, keepdims=True))
    return (e / e.sum(-1, keepdims=True)).astype(np.float32)


def float_lists(obj, path="state"):
    """Paths of every list in obj that holds a float (a failure for the wire format)."""
    found = []
    if isinstance(obj, dict):
        for k, val in obj.items():
            found += float_lists(val, f"{path}.{k}")
    elif isinstance(obj, (list, tuple)):
        if any(isinstance(x, float) for x in obj):
            found.append(path)
        for i, x in enumerate(obj):
            found += float_lists(x, f"{path}[{i}]")
    return found


def test_float_list_walker_detects_floats():
    assert float_lists({"a": [{"b": [1, 2.5]}], "c": [1, 2]}) == ["state.a[0].b"]


def test_open_message_carries_binary_buffers(recording_comm):
    a = softmax((3, 4, 5, 5))
    toks = ["[CLS]", "a", "b", "c", "[SEP]"]
    w = head_view(a, toks, layer=2, heads=[1], sentence_b_start=3)
    c = w.comm
    assert c in recording_comm  # (the Layout child widget has its own comm)
    (msg,) = [m for m in c.messages if m["msg_type"] == "comm_open"]
    data = msg["data"]
    state = data["state"]
    json.dumps(data)  # the JSON part really is JSON
    assert float_lists(state) == []
    assert data["buffer_paths"] == [["sections", 0, "attention", "buffer"]]
    assert [len(memoryview(b).cast("B")) for b in msg["buffers"]] == [3 * 4 * 5 * 5 * 2]
    assert state["_model_name"] == "AttentionModel" and state["_view_name"] == "AttentionView"
    assert state["_model_module"] == state["_view_module"] == "attnscope"
    assert state["_model_module_version"] == state["_view_module_version"] == "^0.1.0"
    assert state["layer"] == 2 and state["heads"] == [1] and state["sentence_b_start"] == 3
    assert state["section"] == "self" and state["views"] == ["head"] and state["selection"] == {}
    sec = state["sections"][0]
    assert sec["attention"] == {"dtype": "float16", "shape": [3, 4, 5, 5]}
    assert sec["query_tokens"] == sec["key_tokens"] == toks and sec["layers"] == [0, 1, 2]
    decoded = from_wire({**sec["attention"], "buffer": msg["buffers"][0]})
    np.testing.assert_allclose(decoded, a, rtol=1e-3, atol=1e-4)


def test_encoder_decoder_buffers(recording_comm):
    enc, dec, cross = softmax((2, 3, 6, 6)), softmax((2, 3, 4, 4)), softmax((2, 3, 4, 6))
    w = head_view(encoder_attention=enc, decoder_attention=dec, cross_attention=cross,
                  encoder_tokens=list("abcdef"), decoder_tokens=list("wxyz"))
    msg = w.comm.messages[0]  # then the head scores, in messages of their own
    assert msg["msg_type"] == "comm_open"
    assert float_lists(msg["data"]["state"]) == []
    assert [p[1] for p in msg["data"]["buffer_paths"]] == [0, 1, 2]
    assert [memoryview(b).nbytes for b in msg["buffers"]] == [2 * 3 * 6 * 6 * 2, 2 * 3 * 4 * 4 * 2,
                                                             2 * 3 * 4 * 6 * 2]


def test_update_message_carries_binary_buffers(recording_comm):
    w = head_view(softmax((1, 2, 3, 3)), ["a", "b", "c"])
    c = w.comm
    c.messages.clear()
    new = AttentionWidget.from_arrays(
        [{"key": "self", "attention": softmax((2, 2, 7, 7)), "layers": [4, 9],
          "query_tokens": list("abcdefg"), "key_tokens": list("abcdefg")}])
    assert new.comm is not c
    wait_for_score_threads()  # new's scores are in its sections now: they travel as a buffer of their own
    with w.hold_sync():
        w.sections = new.sections
        w.layer = 9
    wait_for_score_threads()  # their progress and stats messages are sent too, and are not updates
    (update,) = state_updates(c)
    assert update["msg_type"] == "comm_msg"
    data = update["data"]
    assert data["method"] == "update"
    assert float_lists(data["state"]) == []
    assert data["state"]["layer"] == 9 and data["state"]["sections"][0]["layers"] == [4, 9]
    assert data["buffer_paths"] == [["sections", 0, "attention", "buffer"],
                                    ["sections", 0, "scores", "values", "buffer"]]
    n_scores = len(data["state"]["sections"][0]["scores"]["names"])
    assert [memoryview(b).nbytes for b in update["buffers"]] == [2 * 2 * 7 * 7 * 2, 2 * 2 * n_scores * 4]


def test_widget_rejects_inconsistent_state(recording_comm):
    w = head_view(softmax((2, 2, 3, 3)), ["a", "b", "c"], include_layers=[1])
    with pytest.raises(Exception, match="layer: 0 is not one of"):
        w.layer = 0
    with pytest.raises(Exception, match="section: 'cross'"):
        w.section = "cross"
    with pytest.raises(Exception, match="heads"):
        w.heads = [2]
