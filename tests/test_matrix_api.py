"""The Python side of issue 11 at the widget: matrix_view / text_view, the rollout and flow sections on the
wire (the contract's fields), view_options, lazy fetches of a derived section, Attentions' methods."""

import json

import numpy as np
import pytest
from inputs_helpers import has, message, softmax
from test_lazy_fetch import ask, decode, fetch

import attnscope
from attnscope import Attentions
from attnscope.analysis import flow as flow_module
from attnscope.widget import StateError
from attnscope.wire.codec import from_wire
from conftest import sent_state

torch = pytest.importorskip("torch")
A = softmax((3, 2, 5, 5), seed=7)
TOK = ["[CLS]", "play", "##ing", "ball", "[SEP]"]
CONTRACT = {"derived", "derived_from", "params", "head_labels", "same_positions", "words"}


def section(widget, key):
    return next(s for s in widget.sections if s["key"] == key)


def test_rollout_section_on_the_wire(recording_comm):
    w = attnscope.matrix_view(A, TOK, rollout=True)
    state = sent_state(w)
    json.dumps({k: v for k, v in state.items() if k != "sections"})
    assert [s["key"] for s in state["sections"]] == ["self", "rollout"]
    sec = state["sections"][1]
    assert CONTRACT <= set(sec) and "causal" not in sec  # the source has no vectors: causal unknown
    assert sec["label"] == "Rollout" and sec["derived"] == "rollout" and sec["derived_from"] == "self"
    assert sec["params"] == {"residual": 0.5, "head_fusion": "mean", "discard_ratio": 0.0}
    assert sec["head_labels"] == ["rollout"] and sec["heads"] == [0] and sec["layers"] == [0, 1, 2]
    assert sec["query_tokens"] == sec["key_tokens"] == state["sections"][0]["query_tokens"]
    assert sec["words"] == state["sections"][0]["words"] and sec["words"]["query"] == [0, 1, 1, 2, 3]
    wire = dict(sec["attention"], buffer=memoryview(sec["attention"]["buffer"]))
    got = from_wire(wire).astype(np.float32)
    assert got.shape == (3, 1, 5, 5)
    np.testing.assert_allclose(got[:, 0], attnscope.rollout(A), rtol=2 ** -10, atol=6e-8)  # float16 precision
    assert "derived" not in state["sections"][0] and state["views"] == ["matrix"]


def test_rollout_parameters_include_layers_and_flow(recording_comm):
    w = attnscope.show(A, TOK, views=("head", "matrix", "text"), include_layers=[0, 2], include_heads=[1],
                       rollout=dict(residual=0.3, head_fusion="max"), flow=True)
    assert [s["key"] for s in w.sections] == ["self", "rollout", "flow"]
    roll, flow = section(w, "rollout"), section(w, "flow")
    assert roll["layers"] == flow["layers"] == [0, 2]
    assert roll["params"] == {"residual": 0.3, "head_fusion": "max", "discard_ratio": 0.0}
    want = attnscope.rollout(A[[0, 2]][:, [1]], residual=0.3, head_fusion="max")  # the shown layers and heads
    np.testing.assert_allclose(from_wire(roll["attention"])[:, 0], want, rtol=2 ** -10, atol=6e-8)
    assert flow["label"] == "Attention flow" and flow["head_labels"] == ["flow"]
    np.testing.assert_allclose(from_wire(flow["attention"])[:, 0], attnscope.attention_flow(A[[0, 2]][:, [1]]),
                               rtol=2 ** -10, atol=6e-8)


def test_encoder_decoder_rollout_and_no_cross_rollout(recording_comm):
    enc, dec, cross = softmax((2, 2, 4, 4)), softmax((2, 2, 3, 3), 1), softmax((2, 2, 3, 4), 2)
    w = attnscope.show(encoder_attention=enc, decoder_attention=dec, cross_attention=cross,
                       encoder_tokens=list("abcd"), decoder_tokens=list("xyz"), views=("matrix",), rollout=True)
    assert [(s["key"], s["label"]) for s in w.sections] == [
        ("encoder", "Encoder"), ("encoder_rollout", "Encoder rollout"), ("decoder", "Decoder"),
        ("decoder_rollout", "Decoder rollout"), ("cross", "Cross")]
    assert section(w, "decoder_rollout")["derived_from"] == "decoder"
    result = Attentions(encoder_attention=enc, decoder_attention=dec, cross_attention=cross,
                        encoder_tokens=list("abcd"), decoder_tokens=list("xyz"))
    np.testing.assert_array_equal(result.rollout(section="decoder"), attnscope.rollout(dec))
    np.testing.assert_array_equal(attnscope.rollout(result, section="encoder"), attnscope.rollout(enc))
    has(message(ValueError, result.rollout, section="cross"), "cross attention", "same positions")
    has(message(ValueError, result.rollout), "section missing", "section='encoder'")
    has(message(ValueError, attnscope.attention_flow, result, section="self"), "section got 'self'",
        "['encoder', 'decoder']")
    has(message(ValueError, attnscope.rollout, enc, section="encoder"), "applies to an Attentions")


def test_causal_flag_follows_the_source(recording_comm):
    q = np.random.default_rng(0).normal(size=(3, 2, 5, 4)).astype(np.float32)
    causal = np.tril(np.ones((5, 5), bool))
    logits = np.where(causal, np.einsum("lhqd,lhkd->lhqk", q, q) * 0.5, -np.inf)
    att = np.exp(logits - logits.max(-1, keepdims=True))
    att = (att / att.sum(-1, keepdims=True)).astype(np.float32)
    w = attnscope.show(att, TOK, views=("matrix",), queries=q, keys=q, scale=0.5, causal=True, rollout=True)
    assert section(w, "rollout")["causal"] is True
    assert np.all(np.triu(from_wire(section(w, "rollout")["attention"])[:, 0], 1) == 0)


NO_TRIAGE = {"score": None, "sort": "none", "top": None, "min_score": None, "chart": None}


def test_view_options(recording_comm):
    w = attnscope.matrix_view(A, TOK)
    assert sent_state(w)["view_options"] == {"colormap": None, "scale": None, "group": "token", **NO_TRIAGE}
    w = attnscope.text_view(A, TOK, colormap="Magma", scale="log", group="word")
    assert w.view_options == {"colormap": "magma", "scale": "log", "group": "word", **NO_TRIAGE}
    w.view_options = {"scale": "sqrt"}
    assert w.view_options == {"colormap": None, "scale": "sqrt", "group": "token", **NO_TRIAGE}
    has(message(StateError, setattr, w, "view_options", {"colour": "x"}), "unknown key(s) ['colour']")
    payload = json.loads(attnscope.matrix_view(A, TOK, colormap="greys", html_action="return").data.split(
        'type="application/json"', 1)[1].split(">", 1)[1].split("</script>", 1)[0])
    assert payload["view_options"]["colormap"] == "greys"
    assert "view_options" in w._state()  # saved with the widget state (STATE_TRAITS)


@pytest.mark.parametrize("kwargs,exc,fragments", [
    (dict(colormap="jet"), ValueError, ["'jet' is a rainbow map", "Sequential maps only", "'viridis'"]),
    (dict(colormap="rainbow"), ValueError, ["rainbow map"]),
    (dict(colormap="plasma"), ValueError, ["colormap: got 'plasma'", "['viridis', 'blues', 'magma', 'greys']"]),
    (dict(scale="exp"), ValueError, ["scale: got 'exp'", "['linear', 'sqrt', 'log']"]),
    (dict(group="sentence"), ValueError, ["group: got 'sentence'", "['token', 'word']"]),
    (dict(group=None), ValueError, ["group: got None"]),
    (dict(rollout="yes"), TypeError, ["rollout: got str", "False, True or a dict"]),
    (dict(rollout={"alpha": 1}), ValueError, ["rollout: unknown parameters ['alpha']"]),
    (dict(rollout={"residual": 2}), ValueError, ["rollout: residual got 2"]),
    (dict(flow={"head_fusion": "sum"}), ValueError, ["flow: head_fusion got 'sum'"]),
])
def test_bad_view_arguments(kwargs, exc, fragments):
    has(message(exc, attnscope.matrix_view, A, TOK, **kwargs), *fragments)


def test_views_and_flow_limit(monkeypatch):
    has(message(ValueError, attnscope.show, A, TOK, views=("heatmap",)), "['heatmap'] unknown", "'matrix', 'text'")
    monkeypatch.setattr(flow_module, "MAX_FLOW_NODES", 10)
    has(message(ValueError, attnscope.show, A, TOK, flow=True), "3 layers x 5 tokens", "attnscope.rollout")


@pytest.mark.parametrize("make", [lambda a: a, lambda a: tuple(torch.tensor(a[i:i + 1]) for i in range(len(a)))],
                         ids=["numpy", "torch-tuple"])
def test_lazy_widget_serves_the_rollout_section(make, recording_comm):
    w = attnscope.show(make(A), TOK, views=("matrix",), rollout=True, lazy=True)
    sec = section(w, "rollout")
    assert sec["lazy"] is True and sec["shape"] == [3, 1, 5, 5] and CONTRACT <= set(sec)
    reply, buffers = fetch(w, ask(5, section="rollout", layer=2, heads=[0]))
    assert reply["type"] == "slice" and reply["section"] == "rollout"
    got = decode(reply["attention"], buffers, "float16").astype(np.float32)
    np.testing.assert_allclose(got[0], attnscope.rollout(A)[2], rtol=2 ** -10, atol=6e-8)
    eager = attnscope.show(A, TOK, views=("matrix",), rollout=True)
    np.testing.assert_allclose(from_wire(sec["summary"]["pooled"]).astype(np.float32),
                               from_wire(section(eager, "rollout")["attention"]).astype(np.float32), atol=1e-3)
    stats = w.head_statistics("rollout", timeout=60)
    assert stats["max"].shape == (3, 1)
    reply, _ = fetch(w, ask(6, section="rollout", layer=1, heads=[1]))
    assert reply["type"] == "error" and "heads" in reply["message"]


def test_static_picture_of_a_matrix_view(recording_comm):
    bundle = attnscope.matrix_view(A, TOK, rollout=True)._repr_mimebundle_()
    assert "image/svg+xml" in bundle  # a matrix- or text-only widget gets the head picture


@pytest.mark.slow
def test_attentions_methods_on_minilm(minilm, recording_comm):
    model, tokenizer = minilm
    result = attnscope.from_model(model, tokenizer, "The animal didn't cross the street because it was too tired")
    roll = result.rollout(head_fusion="max")
    np.testing.assert_array_equal(roll, attnscope.rollout(result.attention, head_fusion="max"))
    assert roll.shape == (6, 15, 15)
    np.testing.assert_allclose(roll.sum(-1), 1, atol=1e-5)
    flow = attnscope.attention_flow(result)
    np.testing.assert_allclose(flow[0], attnscope.rollout(result)[0], atol=1e-6)
    w = result.matrix_view(rollout=True, scale="sqrt")
    assert w.views == ["matrix"] and w.view_options["scale"] == "sqrt"
    assert [s["key"] for s in w.sections] == ["self", "rollout"]
    assert result.text_view(flow=True).views == ["text"]


@pytest.mark.parametrize("lazy", [False, True])
def test_section_shown_first(recording_comm, lazy):
    w = attnscope.matrix_view(A, TOK, rollout=True, section="rollout", layer=2, lazy=lazy)
    assert (w.section, w.layer, w.heads) == ("rollout", 2, [0])
    page = attnscope.text_view(A, TOK, rollout=True, section="rollout", html_action="return", lazy=lazy)
    assert '"section": "rollout"' in page.data or '"section":"rollout"' in page.data


def test_unknown_section_shown_first_says_what_exists(recording_comm):
    with pytest.raises(ValueError, match=r"section: expected one of 'self' .*pass rollout=True.* received 'rollout'"):
        attnscope.matrix_view(A, TOK, section="rollout")
    with pytest.raises(ValueError, match=r"section: expected one of 'self', 'rollout'.* received 'cross'"):
        attnscope.show(A, TOK, views=("matrix",), rollout=True, section="cross")
