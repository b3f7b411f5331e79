"""Lazy fetch messages (attnscope.wire.messages): browser asks for (layer, heads), the kernel answers with buffers."""

import json

import numpy as np
import pytest

from attnscope import head_view, model_view
from attnscope.api import dashboard

torch = pytest.importorskip("torch")


def softmax(shape, seed=0):
    x = np.random.default_rng(seed).normal(size=shape) * 2
    e = np.exp(x - x.max(-1, keepdims=True))
    return (e / e.sum(-1, keepdims=True)).astype(np.float32)


A = softmax((4, 3, 6, 6))
TOK = ["[CLS]", "a", "b", "c", "d", "[SEP]"]


def replies(widget):
    """The widget's answers to fetches (slice or error messages), in order; not the "stats" message the
    statistics thread sends whenever it is done."""
    return [m for m in widget.comm.messages if m["msg_type"] == "comm_msg" and m["data"]["method"] == "custom"
            and m["data"]["content"].get("type") in ("slice", "error")]


def fetch(widget, content, buffers=()):
    """Deliver ``content`` as the browser does (a custom comm message) and return (reply, buffers) sent back.
    The reply is sent before _handle_msg returns: nothing to wait for, only the stats message to leave out."""
    widget.comm.messages.clear()
    widget._handle_msg({"content": {"data": {"method": "custom", "content": content}}, "buffers": list(buffers)})
    (msg,) = replies(widget)
    json.dumps(msg["data"])  # the JSON part is JSON: the bytes travel as buffers
    return msg["data"]["content"], msg["buffers"]


def decode(spec, buffers, dtype):
    assert spec["dtype"] == dtype
    return np.frombuffer(memoryview(buffers[spec["buffer"]]).cast("B"), dtype=dtype).reshape(spec["shape"])


def ask(i=1, section="self", layer=0, heads=(0,)):
    return {"type": "fetch", "id": i, "section": section, "layer": layer, "heads": list(heads)}


@pytest.mark.parametrize("make", [
    lambda: A,
    lambda: torch.tensor(A).half(),
    lambda: torch.tensor(A).to(torch.bfloat16)[:, None],  # [L, 1, H, Q, K]
    lambda: tuple(torch.tensor(A[i:i + 1]) for i in range(4)),  # Hugging Face tuple
    lambda: tuple(A[i] for i in range(4)),  # tuple of [H, Q, K] arrays
], ids=["numpy", "torch-f16", "torch-bf16-5d", "hf-tuple", "tuple-3d"])
def test_round_trip(make, recording_comm):
    w = head_view(make(), TOK, lazy=True)
    reply, buffers = fetch(w, ask(7, layer=2, heads=[2, 0]))
    assert {k: reply[k] for k in ("type", "id", "section", "layer", "heads")} == {
        "type": "slice", "id": 7, "section": "self", "layer": 2, "heads": [2, 0]}
    assert set(reply) == {"type", "id", "section", "layer", "heads", "attention"} and len(buffers) == 1
    got = decode(reply["attention"], buffers, "float16")
    assert got.shape == (2, 6, 6)
    np.testing.assert_allclose(got, A[2][[2, 0]], rtol=1e-2, atol=1e-3)  # bfloat16 keeps ~3 digits


def test_included_layers_and_heads_are_real_ids(recording_comm):
    w = model_view(A, TOK, include_layers=[3, 1], include_heads=[2, 0], lazy=True)
    reply, buffers = fetch(w, ask(layer=1, heads=[0, 2]))
    np.testing.assert_allclose(decode(reply["attention"], buffers, "float16"), A[1][[0, 2]], atol=1e-3)
    for layer, heads, fragment in [(0, [0], "layer: got 0; expected one of section 'self''s layers [3, 1]"),
                                   (3, [1], "heads: [1] not among section 'self''s heads [2, 0]")]:
        reply, buffers = fetch(w, ask(5, layer=layer, heads=heads))
        assert reply == {"type": "error", "id": 5, "message": fragment + "."} and buffers == []


def test_vectors_come_with_the_slice(recording_comm):
    q, k = softmax((4, 3, 6, 8), 3), softmax((4, 3, 6, 8), 4)
    w = dashboard(("neuron", "head"), A, TOK, queries=torch.tensor(q), keys=k, lazy=True)
    reply, buffers = fetch(w, ask(layer=3, heads=[1, 2]))
    assert [reply[n]["buffer"] for n in ("attention", "queries", "keys")] == [0, 1, 2] and len(buffers) == 3
    np.testing.assert_allclose(decode(reply["attention"], buffers, "float16"), A[3][[1, 2]], atol=1e-3)
    np.testing.assert_array_equal(decode(reply["queries"], buffers, "float32"), q[3][[1, 2]])
    np.testing.assert_array_equal(decode(reply["keys"], buffers, "float32"), k[3][[1, 2]])


def test_cross_section(recording_comm):
    cross = softmax((2, 3, 4, 5), 2)
    w = head_view(encoder_attention=softmax((2, 3, 5, 5)), cross_attention=cross, encoder_tokens=list("abcde"),
                  decoder_tokens=list("wxyz"), lazy=True)
    reply, buffers = fetch(w, ask(section="cross", layer=1, heads=[1]))
    assert reply["attention"]["shape"] == [1, 4, 5]
    np.testing.assert_allclose(decode(reply["attention"], buffers, "float16"), cross[1][[1]], atol=1e-3)


@pytest.mark.parametrize("content, fragment", [
    ("fetch", "fetch: got a str; expected a dict"),
    ([1, 2], "fetch: got a list"),
    ({"type": "fetch", "section": "self", "layer": 0, "heads": [0]}, "id: got None; expected an int."),
    ({**ask(), "id": True}, "id: got True; expected an int."),
    ({**ask(), "type": "gimme"}, "type: got 'gimme'; expected 'fetch'."),
    (ask(section="cross"), "section: got 'cross'; expected one of the lazy sections ['self']."),
    (ask(section=None), "section: got None"),
    (ask(layer=4), "layer: got 4; expected one of section 'self''s layers [0, 1, 2, 3]."),
    (ask(layer="0"), "layer: got '0'"),
    (ask(layer=1.0), "layer: got 1.0"),
    (ask(heads=[]), "heads: got []; expected a non-empty list"),
    ({**ask(), "heads": 0}, "heads: got 0; expected a non-empty list"),
    (ask(heads=[0, 3]), "heads: [3] not among section 'self''s heads [0, 1, 2]."),
    (ask(heads=[1, 1]), "heads: [1, 1] names a head twice"),
    (ask(heads=[0.0]), "heads: got [0.0]"),
])
def test_bad_messages_get_an_error_reply(content, fragment, recording_comm):
    w = head_view(A, TOK, lazy=True)
    reply, buffers = fetch(w, content)
    assert reply["type"] == "error" and fragment in reply["message"] and buffers == []
    expected_id = content.get("id") if isinstance(content, dict) and type(content.get("id")) is int else None
    assert reply["id"] == expected_id


def test_eager_widget_answers_not_lazy(recording_comm):
    w = head_view(A, TOK, lazy=False)
    reply, _ = fetch(w, ask(3))
    assert reply == {"type": "error", "id": 3, "message": "fetch: this widget is not lazy (it holds every weight "
                                                           "already); nothing to fetch."}


def test_a_failure_while_answering_is_a_reply_not_an_exception(recording_comm, monkeypatch):
    w = head_view(A, TOK, lazy=True)

    def boom(*args):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(w, "_saved_slice", boom)
    reply, _ = fetch(w, ask(9))
    assert reply == {"type": "error", "id": 9, "message": "fetch failed: RuntimeError: disk on fire"}


def test_weights_beyond_float16_are_refused_in_the_reply(recording_comm):
    a = softmax((2, 2, 128, 128))
    a[1, 0, 0, 0] = 1e5  # allowed (rows only warn), pooled 2 x 2 it fits float16, but alone it does not
    with pytest.warns(UserWarning, match="sum to 1"):
        w = head_view(a, [str(i) for i in range(128)], lazy=True)
    reply, _ = fetch(w, ask(2, layer=1, heads=[1, 0]))
    assert reply["type"] == "error" and "layer 1, head 0: weights beyond the float16 range" in reply["message"]


def test_send_failure_does_not_raise(recording_comm, monkeypatch):
    w = head_view(A, TOK, lazy=True)
    assert w._stats_job.wait(30)  # its statistics were sent before the comm "breaks"

    def closed(*args, **kwargs):
        raise RuntimeError("comm closed")

    monkeypatch.setattr(w, "send", closed)
    with pytest.warns(RuntimeWarning, match="could not answer a fetch"):
        w._handle_fetch(ask())


def test_closing_lets_go_of_the_tensors(recording_comm):
    w = head_view(A, TOK, lazy=True)
    store = w._kept
    w.close()
    assert not w.lazy and w._kept is None and store["self"].source.value is A


def test_one_head_of_2048_tokens_reads_only_that_head(recording_comm, monkeypatch):
    """The work of an answer, counted: the weights read from the kept tensor are those of the head asked."""
    from attnscope.data.source import KeptSource

    n = 2048
    x = torch.softmax(torch.randn(2, 2, n, n, generator=torch.Generator().manual_seed(1)), -1).half()
    w = head_view(x, [f"t{i}" for i in range(n)], lazy=True)
    assert w._stats_job.wait(60)  # its reads are done: only the fetches' reads are counted below
    reads = []
    original = KeptSource.read

    def spy(self, layer, heads, out=None):
        reads.append((layer, list(heads)))
        return original(self, layer, heads, out)

    monkeypatch.setattr(KeptSource, "read", spy)
    for h in (0, 1, 0):
        reads.clear()
        reply, buffers = fetch(w, ask(layer=1, heads=[h]))
        assert reply["type"] == "slice" and reads == [(1, [h])]
    np.testing.assert_array_equal(decode(reply["attention"], buffers, "float16")[0], x[1, 0].numpy())
