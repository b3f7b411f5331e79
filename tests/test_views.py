"""model_view, neuron_view/show (BertViz signatures and call forms), the views and heads traits,
and the selection trait (round trip, merge, rejection of values that do not fit the data)."""

import inspect

import numpy as np
import pytest
from traitlets import TraitError

import attnscope
from attnscope import AttentionWidget, from_model, head_view, model_view
from attnscope.wire.codec import from_wire
from conftest import displayed_model_ids, sent_state, state_updates, wait_for_score_threads

PAIR = ("The cat sat on the mat.", "The cat lay on the rug.")


def softmax(shape, seed=0):
    x = np.random.default_rng(seed).normal(size=shape)
    e = np.exp(x - x.max(-1, keepdims=True))
    return (e / e.sum(-1, keepdims=True)).astype(np.float32)


TOKENS = ["[CLS]", "a", "b", "[SEP]", "c", "[SEP]"]


def test_model_view_include_layers_and_heads_are_real_indices(recording_comm, no_display):
    a = softmax((4, 6, 6, 6))
    w = model_view(a, TOKENS, include_layers=[3, 1], include_heads=[5, 0, 2])
    assert displayed_model_ids(no_display) == [w.model_id]
    state = sent_state(w)
    sec = state["sections"][0]
    assert state["views"] == ["model"] and state["layer"] == 3 and state["heads"] == [0, 2, 5]
    assert sec["layers"] == [3, 1] and sec["heads"] == [5, 0, 2]
    assert "queries" not in sec and "keys" not in sec
    sent = from_wire(sec["attention"])
    assert sent.shape == (2, 3, 6, 6)
    np.testing.assert_allclose(sent, a[[3, 1]][:, [5, 0, 2]], rtol=1e-3, atol=1e-4)
    w.heads = [2, 5]  # real ids
    assert w.heads == [2, 5]
    with pytest.raises(TraitError, match=r"heads: \[1\] not among section 'self'.s heads \[5, 0, 2\]"):
        w.heads = [1]


def test_model_view_errors():
    a = softmax((2, 3, 4, 4))
    with pytest.raises(ValueError, match=r"include_heads: head 3 is out of range; expected 0..2"):
        model_view(a, list("abcd"), include_heads=[3])
    with pytest.raises(ValueError, match="include_heads: got an empty list"):
        model_view(a, list("abcd"), include_heads=[])
    with pytest.raises(ValueError, match="display_mode: got 'blue'"):
        model_view(a, list("abcd"), display_mode="blue")
    with pytest.raises(TypeError, match="model_view: got no attention"):
        model_view()


def test_model_view_encoder_decoder_with_different_layer_counts(recording_comm):
    enc, dec, cross = softmax((2, 4, 5, 5)), softmax((3, 4, 3, 3)), softmax((3, 4, 3, 5))
    w = model_view(encoder_attention=enc, decoder_attention=dec, cross_attention=cross,
                   encoder_tokens=list("abcde"), decoder_tokens=list("xyz"), include_heads=[1, 3])
    secs = sent_state(w)["sections"]
    assert [s["key"] for s in secs] == ["encoder", "decoder", "cross"]
    assert [s["layers"] for s in secs] == [[0, 1], [0, 1, 2], [0, 1, 2]]
    assert all(s["heads"] == [1, 3] for s in secs)
    assert [from_wire(s["attention"]).shape for s in secs] == [(2, 2, 5, 5), (3, 2, 3, 3), (3, 2, 3, 5)]


def test_bertviz_signatures():
    def params(f):
        return [(p.name, p.default) for p in inspect.signature(f).parameters.values()]

    E = inspect.Parameter.empty
    assert params(model_view) == [
        ("attention", None), ("tokens", None), ("sentence_b_start", None), ("prettify_tokens", True),
        ("display_mode", "dark"), ("encoder_attention", None), ("decoder_attention", None),
        ("cross_attention", None), ("encoder_tokens", None), ("decoder_tokens", None),
        ("include_layers", None), ("include_heads", None), ("html_action", "view"), ("lazy", None),
        ("rollout", False), ("flow", False), ("score", None), ("sort", "none"), ("top", None), ("min_score", None),
        ("chart", None)]  # BertViz's arguments, then attnscope's, after them
    assert params(head_view)[-5:] == [("include_layers", None), ("html_action", "view"), ("lazy", None),
                                      ("rollout", False), ("flow", False)]
    from attnscope.neuron_view import show

    assert params(show)[:9] == [
        ("model", E), ("model_type", E), ("tokenizer", E), ("sentence_a", E), ("sentence_b", None),
        ("display_mode", "dark"), ("layer", None), ("head", None), ("html_action", "view")]
    assert params(show)[9:] == [("views", ("neuron",)), ("lazy", None)]
    assert attnscope.neuron_view.show is show  # BertViz's neuron-view show; attnscope.show takes arrays
    assert attnscope.show is not show and params(attnscope.show)[:3] == [
        ("attention", None), ("tokens", None), ("views", ("head", "model"))]
    assert params(attnscope.neuron_view)[:6] == [
        ("model", E), ("tokenizer", E), ("text", E), ("text_pair", None), ("layer", None), ("head", None)]
    assert inspect.signature(attnscope.neuron_view).parameters["views"].kind is inspect.Parameter.KEYWORD_ONLY


@pytest.mark.slow
def test_bertviz_call_forms(minilm, recording_comm, no_display):
    import torch

    model, tok = minilm
    # from bertviz.neuron_view import show; show(model, model_type, tokenizer, a, b, layer=, head=)
    from attnscope.neuron_view import show

    w = show(model, "bert", tok, *PAIR, layer=2, head=0)
    state = sent_state(w)
    sec = state["sections"][0]
    assert state["views"] == ["neuron"] and state["layer"] == 2 and state["heads"] == [0]
    b = state["sentence_b_start"]
    assert sec["query_tokens"][b - 1:b + 3] == ["[SEP]", "the", "cat", "lay"]
    assert sec["queries"]["shape"] == [6, 12, len(sec["query_tokens"]), 32] and sec["causal"] is False
    with pytest.warns(UserWarning, match="model_type 'gpt2' names GPT-2 but BertModel is BERT"):
        show(model, "gpt2", tok, PAIR[0])
    with pytest.raises(TypeError, match="model_type: got int"):
        show(model, 1, tok, PAIR[0])
    # model_view(outputs.attentions, tokens, sentence_b_start): a Hugging Face tuple [1, H, Q, K] per layer
    att = from_model(model, tok, *PAIR)
    n = len(att.tokens)
    w2 = model_view(tuple(torch.from_numpy(att.attention[i:i + 1]) for i in range(6)), att.tokens,
                    att.sentence_b_start)
    assert w2.sentence_b_start == att.sentence_b_start and w2.views == ["model"]
    assert sent_state(w2)["sections"][0]["attention"]["shape"] == [6, 12, n, n]
    shown = displayed_model_ids(no_display)
    assert len(shown) == 3 and shown[0] == w.model_id and shown[2] == w2.model_id


@pytest.mark.slow
def test_neuron_view_and_attentions_show(minilm, recording_comm):
    model, tok = minilm
    w = attnscope.neuron_view(model, tok, PAIR[0], layer=4, head=7, views=("head", "neuron"),
                              include_heads=[7, 8])
    state = sent_state(w)
    assert state["views"] == ["head", "neuron"] and state["layer"] == 4 and state["heads"] == [7]
    assert state["sections"][0]["heads"] == [7, 8]
    assert state["sections"][0]["queries"]["shape"][:2] == [6, 2]
    with pytest.raises(ValueError, match=r"heads: \[3\] not among include_heads \[7, 8\]"):
        attnscope.neuron_view(model, tok, PAIR[0], head=3, include_heads=[7, 8])
    with pytest.raises(ValueError, match="views: \\['grid'\\] unknown"):
        attnscope.neuron_view(model, tok, PAIR[0], views=("grid",))
    att = from_model(model, tok, *PAIR, with_vectors=True)
    dash = att.show()
    assert dash.views == ["head", "model", "neuron"] and "queries" in dash.sections[0]
    assert att.model_view(include_layers=[5]).views == ["model"]
    nv = att.neuron_view(layer=1, head=2)
    assert nv.views == ["neuron"] and nv.layer == 1 and nv.heads == [2]
    plain = from_model(model, tok, PAIR[0]).show()  # no vectors: the neuron view explains how to get them
    assert plain.views == ["head", "model", "neuron"] and "queries" not in plain.sections[0]


def test_views_trait():
    w = head_view(softmax((1, 2, 3, 3)), list("abc"))
    w.views = ["neuron", "head", "model"]
    assert w.views == ["neuron", "head", "model"]
    for bad, msg in ((["grid"], "unknown"), ([], "non-empty"), (["head", "head"], "list each view once")):
        with pytest.raises(TraitError, match=msg):
            w.views = bad
    assert w.views == ["neuron", "head", "model"]


@pytest.fixture
def widget(recording_comm):
    return model_view(softmax((4, 6, 6, 6)), TOKENS, include_layers=[1, 3], include_heads=[4, 2, 0])


def test_selection_round_trip(widget):
    w = widget
    c = w.comm
    c.messages.clear()
    w.selection = {"layer": 3, "heads": [4, 0], "pinned": {"side": "query", "index": 5}}
    assert w.selection == {"layer": 3, "heads": [0, 4], "pinned": {"side": "query", "index": 5}}
    wait_for_score_threads()  # their progress and stats messages are sent too, and are not updates
    (update,) = state_updates(c)  # sent to the browser
    assert update["data"]["state"]["selection"] == w.selection
    w.selection = {"open_head": {"layer": 1, "head": 2}}  # missing keys: unchanged
    assert w.selection == {"layer": 3, "heads": [0, 4], "pinned": {"side": "query", "index": 5},
                           "open_head": {"layer": 1, "head": 2}}
    w.selection = {"pinned": None, "open_head": None, "heads": []}  # [] = all heads
    assert w.selection["pinned"] is None and w.selection["heads"] == [0, 2, 4]
    w.selection = {"layer": np.int64(1), "heads": [np.int64(2)], "pinned": {"side": "key", "index": np.int64(4)}}
    assert type(w.selection["layer"]) is int and type(w.selection["pinned"]["index"]) is int
    assert type(w.selection["heads"][0]) is int
    full = {"section": "self", "layer": 1, "heads": [2], "pinned": {"side": "key", "index": 0},
            "open_head": {"layer": 3, "head": 4}}
    w.set_state({"selection": full})  # what the browser writes on a click
    assert w.selection == full


@pytest.mark.parametrize("value, message", [
    ({"layr": 1}, r"unknown key\(s\) \['layr'\]"),
    ({"layer": 0}, r"selection\['layer'\]: 0 is not one of section 'self'.s layers \[1, 3\]"),
    ({"layer": True}, r"selection\['layer'\]: got bool"),
    ({"heads": [1]}, r"selection\['heads'\]: 1 is not one of section 'self'.s heads \[4, 2, 0\]"),
    ({"heads": [2, 2]}, "names a head twice"),
    ({"heads": 2}, "expected a list"),
    ({"pinned": {"side": "query", "index": 6}},
     r"selection\['pinned'\]\['index'\]: got 6; expected an int in 0..5"),
    ({"pinned": {"side": "left", "index": 0}}, "expected 'query' or 'key'"),
    ({"pinned": {"index": 0}}, "exactly the keys"),
    ({"open_head": {"layer": 1, "head": 3}}, r"open_head'\]\['head'\]: 3 is not one of"),
    ({"open_head": {"layer": 2, "head": 0}}, r"open_head'\]\['layer'\]: 2 is not one of"),
    ({"section": "cross"}, "'cross' is not one of the sections"),
])
def test_selection_rejects(widget, value, message):
    widget.selection = {"layer": 3}
    for error in (TraitError, ValueError):
        with pytest.raises(error, match=message):
            widget.selection = value
    assert widget.selection == {"layer": 3}
    with pytest.raises(TraitError, match="expected a dict"):
        widget.selection = [1]


def test_selection_section_switch_drops_the_other_sections_state(recording_comm):
    w = head_view(encoder_attention=softmax((2, 2, 4, 4)), decoder_attention=softmax((3, 2, 2, 2)),
                  encoder_tokens=list("abcd"), decoder_tokens=list("xy"))
    w.selection = {"layer": 1, "pinned": {"side": "key", "index": 3}}
    w.selection = {"section": "decoder"}
    assert w.selection == {"section": "decoder"}
    w.selection = {"layer": 2, "pinned": {"side": "query", "index": 1}}
    assert w.selection == {"section": "decoder", "layer": 2, "pinned": {"side": "query", "index": 1}}
    with pytest.raises(ValueError, match="got 3; expected an int in 0..1"):
        w.selection = {"pinned": {"side": "key", "index": 3}}


def test_from_arrays_rejects_vectors_that_do_not_fit():
    sec = {"key": "self", "attention": softmax((1, 2, 3, 3)), "layers": [0], "query_tokens": list("abc"),
           "key_tokens": list("abc"), "queries": np.zeros((1, 2, 3, 4), np.float32),
           "keys": np.zeros((1, 2, 2, 4), np.float32), "scale": 0.5}
    with pytest.raises(ValueError, match="queries .* keys .* do not fit attention"):
        AttentionWidget.from_arrays([sec])
    with pytest.raises(ValueError, match="give both or neither"):
        attnscope.api.dashboard(("neuron",), softmax((1, 2, 3, 3)), list("abc"), queries=np.zeros((1, 2, 3, 4)))
    with pytest.raises(ValueError, match="scale: got -1"):
        attnscope.api.dashboard(("neuron",), softmax((1, 2, 3, 3)), list("abc"), queries=np.zeros((1, 2, 3, 4)),
                                keys=np.zeros((1, 2, 3, 4)), scale=-1)


def test_heads_reads_back_the_real_active_heads(recording_comm):
    """``w.layer, w.heads`` showed (0, []) while every head was active: [] meant "all" but read as "none"."""
    a = softmax((2, 4, 3, 3))
    w = head_view(a, list("abc"))
    assert (w.layer, w.heads) == (0, [0, 1, 2, 3])
    assert model_view(a, list("abc"), include_heads=[3, 1]).heads == [1, 3]
    assert head_view(a, list("abc"), heads=[2]).heads == [2]
    w.heads = []  # the form saved notebooks of version 0.1 hold: still every head
    assert w.heads == [0, 1, 2, 3]
    w.heads = [3, 1]
    assert w.heads == [1, 3]


def test_show_is_one_call_for_linked_views_of_arrays(recording_comm, no_display):
    a = softmax((3, 4, 5, 5))
    w = attnscope.show(a, list("abcde"), views=("model", "head"), layer=2, heads=[0, 3], include_layers=[0, 2])
    assert isinstance(w, AttentionWidget) and displayed_model_ids(no_display) == [w.model_id]
    assert (w.views, w.layer, w.heads, w.sections[0]["layers"]) == (["model", "head"], 2, [0, 3], [0, 2])
    assert attnscope.show(a, list("abcde")).views == ["head", "model"]
    q = np.zeros((3, 4, 5, 2), np.float32)
    assert "queries" in attnscope.show(a, list("abcde"), views=("neuron",), queries=q, keys=q).sections[0]
    page = attnscope.show(a, list("abcde"), html_action="return")
    assert page.data.startswith("<!DOCTYPE html>")
    with pytest.raises(ValueError, match="views: .'grid'. unknown"):
        attnscope.show(a, list("abcde"), views=("grid",))


def test_show_given_a_model_points_to_the_neuron_view_show():
    class Model:
        config = None

        def forward(self):
            pass

    with pytest.raises(TypeError, match="attention: got a model .Model.*from attnscope.neuron_view import show"):
        attnscope.show(Model(), "bert", None)
