"""Lazy widgets everywhere a widget's state is used: static picture, offline HTML, from_model and neuron_view."""

import re
import xml.etree.ElementTree as ET

import numpy as np
import pytest
from test_html import inflate, parse, stub_static  # noqa: F401 (a fixture)

import attnscope.validation as V
from attnscope import Attentions, from_model, head_view, model_view, neuron_view, save_html
from attnscope.output.static_svg import TARGET_BYTES
from attnscope.output.static_svg.head import _LINE_BYTES
from attnscope.output.static_svg.lines import head_lines
from attnscope.wire.codec import from_wire
from conftest import sent_state

_KEEP_LINES = TARGET_BYTES // _LINE_BYTES  # what the head picture keeps of each head

torch = pytest.importorskip("torch")
NS = "{http://www.w3.org/2000/svg}"


def softmax(shape, seed=0, scale=2.0):
    x = np.random.default_rng(seed).normal(size=shape) * scale
    e = np.exp(x - x.max(-1, keepdims=True))
    return (e / e.sum(-1, keepdims=True)).astype(np.float32)


A = softmax((4, 3, 6, 6)).astype(np.float16).astype(np.float32)  # float16 values: the wire loses nothing
TOK = ["[CLS]", "a", "b", "c", "d", "[SEP]"]


def svg(widget):
    text = widget._repr_mimebundle_()["image/svg+xml"]
    ET.fromstring(text)
    return text


# --- static picture -------------------------------------------------------------------------------------------

@pytest.mark.parametrize("view", [head_view, model_view])
def test_lazy_picture_is_the_eager_picture(view, recording_comm):
    assert svg(view(A, TOK, lazy=True)) == svg(view(A, TOK, lazy=False))


def test_lazy_head_picture_without_fetched_reads_the_kept_tensor(monkeypatch, recording_comm):
    monkeypatch.setattr(V, "LAZY_ABOVE_BYTES", 4)  # nothing goes with the state
    w = head_view(A, TOK, layer=2, heads=[1, 2], lazy=True)
    assert w.sections[0]["fetched"] == []
    eager = head_view(A, TOK, layer=2, heads=[1, 2], lazy=False)
    assert svg(w) == svg(eager)
    w.selection = {"pinned": {"side": "key", "index": 3}}
    eager.selection = {"pinned": {"side": "key", "index": 3}}
    assert svg(w) == svg(eager)


def test_lazy_model_picture_of_long_inputs_uses_the_summary(recording_comm):
    x = softmax((2, 3, 100, 100), seed=1)
    text = svg(model_view(x, [str(i) for i in range(100)], lazy=True))
    root = ET.fromstring(text)
    caption = [t.text for t in root.iter(f"{NS}text")][0]
    assert caption.startswith("attnscope · model view · Attention · 2 layers × 3 heads · 100 tokens")
    assert len(list(root.iter(f"{NS}path"))) > 3 * 2  # heatmap cells were drawn


def reference_lines(weights, head_slots):
    """The head picture's lines as before lazy mode: every head at once, one stable sort."""
    alpha = weights[head_slots] / max(1, len(head_slots))
    h, q, k = np.nonzero(alpha >= 1 / 255)
    a = alpha[h, q, k]
    order = np.argsort(-a, kind="stable")
    return np.asarray(head_slots)[h[order]], q[order], k[order], a[order]


@pytest.mark.parametrize("slots", [[1], [0, 2, 3]])
def test_strongest_lines_are_those_of_one_full_sort(slots):
    w = np.round(softmax((4, 60, 60), seed=2, scale=0.3) * 512) / 512  # coarse: many equal weights
    ref = reference_lines(w, slots)
    assert ref[0].size > len(slots) * _KEEP_LINES  # each head is cut
    assert ref[3][_KEEP_LINES - 1] == ref[3][_KEEP_LINES]  # by a tie
    *got, total = head_lines(lambda s: w[s].copy(), slots, None, keep=_KEEP_LINES)
    assert total == ref[0].size
    for g, r in zip(got, ref):
        np.testing.assert_array_equal(g[:_KEEP_LINES], r[:_KEEP_LINES])


# --- offline HTML --------------------------------------------------------------------------------------------------

def test_saved_page_holds_the_summary_and_the_shown_layer(stub_static, recording_comm):  # noqa: F811
    w = head_view(A, TOK, lazy=True)
    w.selection = {"layer": 3}
    _, data, _, _ = parse(w.to_html())
    (sec,) = data["sections"]
    assert sec["lazy"] is True and sec["shape"] == [4, 3, 6, 6] and "attention" not in sec
    assert set(sec["summary"]["pooled"]) == {"dtype", "shape", "deflate"}
    (f,) = sec["fetched"]
    assert (f["layer"], f["heads"]) == (3, [0, 1, 2])
    got = np.frombuffer(inflate(f["attention"]), np.float16).reshape(f["attention"]["shape"])
    np.testing.assert_array_equal(got, A[3])


def test_saved_page_is_about_one_layer_in_size(stub_static, recording_comm):  # noqa: F811
    x = softmax((6, 4, 512, 512), seed=3)
    toks = [f"t{i}" for i in range(512)]
    lazy = head_view(x, toks, lazy=True).to_html()
    one_layer = head_view(x, toks, include_layers=[0], lazy=False).to_html()
    assert len(lazy) < 2 * len(one_layer)
    assert len(lazy) < 0.5 * len(head_view(x, toks, lazy=False).to_html())


def test_html_return_and_save_html(stub_static, recording_comm, tmp_path):  # noqa: F811
    page = head_view(A, TOK, layer=1, html_action="return", lazy=True)
    assert recording_comm == []  # no widget
    _, data, _, _ = parse(page.data)
    assert data["sections"][0]["lazy"] is True and [f["layer"] for f in data["sections"][0]["fetched"]] == [1]
    path = save_html(tmp_path / "a.html", Attentions(attention=A, tokens=TOK, lazy=True), views=["model"])
    _, data, _, _ = parse(path.read_text(encoding="utf-8"))
    assert data["views"] == ["model"] and data["sections"][0]["lazy"] is True


# --- from_model, Attentions, neuron_view -----------------------------------------------------------------------------

def test_attentions_pass_lazy_on(recording_comm):
    att = Attentions(attention=A, tokens=TOK, lazy=True)
    assert att.head_view().lazy and att.model_view().lazy and att.show(views=["head"]).lazy
    assert not att.head_view(lazy=False).lazy
    assert not Attentions(attention=A, tokens=TOK).head_view().lazy  # small: auto is eager


@pytest.mark.slow
def test_from_model_keeps_the_models_tuple(minilm, recording_comm):
    model, tok = minilm
    eager = from_model(model, tok, "The cat sat on the mat.")
    lazy = from_model(model, tok, "The cat sat on the mat.", lazy=True)
    assert isinstance(eager.attention, np.ndarray) and eager.lazy is None
    assert isinstance(lazy.attention, tuple) and lazy.lazy is True
    assert all(torch.is_tensor(t) and t.shape == (1, 12, 9, 9) for t in lazy.attention)
    np.testing.assert_allclose(torch.cat(lazy.attention).numpy(), eager.attention, atol=1e-6)
    w = lazy.show(views=["head", "model"], layer=2)
    assert w.lazy and w._kept["self"].source.value is lazy.attention
    np.testing.assert_allclose(from_wire(w.sections[0]["fetched"][0]["attention"]), eager.attention[2], atol=1e-3)


@pytest.mark.slow
@pytest.mark.parametrize("side", ["right", "left"])
def test_from_model_lazy_cuts_padding_with_views(minilm, side):
    model, tok = minilm
    texts = ["A much longer first sentence, with many more tokens in it.", "Short one."]
    old = tok.padding_side
    tok.padding_side = side
    try:
        eager = from_model(model, tok, texts, batch_index=1)
        lazy = from_model(model, tok, texts, batch_index=1, lazy=True)
    finally:
        tok.padding_side = old
    assert all(t._is_view() for t in lazy.attention)  # contiguous kept positions: no copy
    np.testing.assert_allclose(torch.cat(lazy.attention).numpy(), eager.attention, atol=1e-6)


@pytest.mark.slow
def test_from_model_auto_and_bad_lazy(minilm, monkeypatch):
    model, tok = minilm
    monkeypatch.setattr(V, "LAZY_ABOVE_BYTES", 100)
    assert isinstance(from_model(model, tok, "Hello there.").attention, tuple)  # above the threshold
    with pytest.raises(TypeError, match="lazy: got str"):
        from_model(model, tok, "Hello there.", lazy="yes")


@pytest.mark.slow
def test_neuron_view_lazy_fetches_vectors(minilm, recording_comm):
    model, tok = minilm
    eager = from_model(model, tok, "The cat sat on the mat.", with_vectors=True)
    w = neuron_view(model, tok, "The cat sat on the mat.", layer=4, head=7, lazy=True)
    assert w.lazy and (w.layer, w.heads) == (4, [7])
    s = sent_state(w)["sections"][0]
    assert s["head_dim"] == 32 and s["scale"] == pytest.approx(32 ** -0.5) and "queries" not in s
    reply, buffers = w._answer({"type": "fetch", "id": 1, "section": "self", "layer": 4, "heads": [7]})
    q = np.frombuffer(memoryview(buffers[reply["queries"]["buffer"]]).cast("B"), np.float32)
    np.testing.assert_allclose(q.reshape(reply["queries"]["shape"])[0], eager.queries[4, 7], atol=1e-6)
    assert re.fullmatch(r"\d+", str(reply["keys"]["buffer"]))
