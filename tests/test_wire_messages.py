"""Every custom message is built by attnscope.wire.messages exactly as tests/fixtures/messages.json has it
(the TypeScript side reads the same file)."""

import json
from pathlib import Path

import numpy as np
import pytest

from attnscope.api import dashboard
from attnscope.wire import messages
from attnscope.wire.codec import from_wire

DOC = json.loads((Path(__file__).parent / "fixtures" / "messages.json").read_text(encoding="utf-8"))
INPUT = DOC["input"]
EXAMPLES = {e["name"]: e for e in DOC["examples"]}


@pytest.fixture
def widget(recording_comm):
    """A lazy widget of the fixture's input, its statistics computed."""
    def make(with_vectors):
        vectors = dict(queries=np.array(INPUT["queries"]), keys=np.array(INPUT["keys"]), scale=INPUT["scale"],
                       causal=INPUT["causal"]) if with_vectors else {}
        w = dashboard(("head",), np.array(INPUT["attention"]), INPUT["tokens"], lazy=True, prettify_tokens=False,
                      **vectors)
        assert w._stats_job.wait(30)
        return w
    return make


def frames(buffers):
    return [bytes(memoryview(b).cast("B")).hex() for b in buffers]


def reply_to(w, request):
    """What the widget sends back to ``request``: its reply, not the statistics message."""
    w.comm.messages.clear()
    w._handle_msg({"content": {"data": {"method": "custom", "content": request}}, "buffers": []})
    (msg,) = [m for m in w.comm.messages if m["data"]["content"].get("type") in (messages.SLICE, messages.ERROR)]
    return msg["data"]["content"], msg["buffers"]


def test_every_message_has_an_example():
    assert set(EXAMPLES) == {"fetch", "slice", "slice with vectors", "error", "error without id", "stats",
                             "saved slice"}
    assert EXAMPLES["fetch"]["content"]["type"] == messages.FETCH
    for e in DOC["examples"]:  # each frame's bytes are its values in its dtype
        for f in e["buffers"]:
            raw = bytes.fromhex(f["hex"])
            arr = np.frombuffer(raw, dtype={"float16": "<f2", "float32": "<f4"}[f["dtype"]]).reshape(f["shape"])
            np.testing.assert_allclose(arr, np.array(f["values"]), rtol=1e-6)


@pytest.mark.parametrize("name", ["slice", "slice with vectors"])
def test_a_fetch_gets_the_slice(widget, name):
    e = EXAMPLES[name]
    w = widget(e.get("with_vectors", False))
    c = e["content"]
    request = {**EXAMPLES["fetch"]["content"], "id": c["id"], "layer": c["layer"], "heads": c["heads"]}
    assert messages.parse_fetch(request, w._kept) == ("self", c["layer"], c["heads"])
    content, buffers = reply_to(w, request)
    assert content == c and frames(buffers) == [f["hex"] for f in e["buffers"]]


@pytest.mark.parametrize("name", ["error", "error without id"])
def test_a_bad_fetch_gets_an_error(widget, name):
    e = EXAMPLES[name]
    assert reply_to(widget(False), e["request"]) == (e["content"], [])
    assert messages.error_message(e["content"]["id"], e["content"]["message"]) == (e["content"], [])


def test_the_stats_message(widget):
    e = EXAMPLES["stats"]
    w = widget(False)
    (msg,) = [m for m in w.comm.messages if m["msg_type"] == "comm_msg"
              and m["data"]["content"].get("type") == messages.STATS]  # sent by the statistics thread
    content, buffers = msg["data"]["content"], msg["buffers"]
    scores = content.pop("scores")  # the head scores ride along (buffer 1), in attnscope.wire.scores' form
    assert content == e["content"]
    assert scores["values"] == {"dtype": "float32", "shape": [2, 2, len(scores["names"])], "buffer": 1}
    assert scores["names"][:5] == content["stat_names"] and len(buffers) == 2
    assert len(scores["labels"]) == 2 and all(len(row) == 2 for row in scores["labels"])
    assert {r["label"] for r in scores["rules"]} >= {"previous-token", "induction", "first-token/sink"}
    (f,) = e["buffers"]
    got = from_wire({**content["stats"], "buffer": buffers[0]})
    np.testing.assert_allclose(got, np.array(f["values"]), rtol=1e-5, atol=1e-6)
    assert messages.stats_message("self", messages.stats_wire(np.array(f["values"], np.float32))) == (
        e["content"], [bytes.fromhex(f["hex"])])


def test_the_saved_slice(widget):
    e = EXAMPLES["saved slice"]
    w = widget(False)
    c = e["content"]
    saved = messages.saved_slice(w._kept["self"], c["layer"], c["heads"])
    buffer = saved["attention"].pop("buffer")
    assert saved == c and e["buffer_paths"] == [["attention", "buffer"]]
    assert frames([buffer]) == [e["buffers"][0]["hex"]]
    # as it travels in the widget state (the slice of the shown layer goes with it): bytes at buffer_paths
    shown = dashboard(("head",), np.array(INPUT["attention"]), INPUT["tokens"], lazy=True, prettify_tokens=False,
                      layer=c["layer"])
    (msg,) = [m for m in shown.comm.messages if m["msg_type"] == "comm_open"]
    (travelled,) = msg["data"]["state"]["sections"][0]["fetched"]
    assert travelled == {**c, "heads": [0, 1], "attention": {**c["attention"], "shape": [2, 3, 3]}}
    paths = [p for p in msg["data"]["buffer_paths"] if "fetched" in p]
    assert [p[-len(e["buffer_paths"][0]):] for p in paths] == e["buffer_paths"]
