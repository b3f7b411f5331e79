"""Bad input gets an error naming the argument, what was received and the fix (attnscope.inputs:
convert, weights, tokens, indices); cases with full messages in test_validation.py are not repeated."""


import numpy as np
import pytest
from inputs_helpers import TOK, A, has, message, softmax

from attnscope import Attentions, head_view, model_view
from conftest import sent_state


def test_tokens_match_neither_axis_of_cross_attention():
    msg = message(ValueError, head_view, cross_attention=softmax((1, 2, 2, 3)),
                  decoder_tokens=list("vwxyz"), encoder_tokens=list("abc"))
    has(msg, "decoder_tokens", "got 5 tokens", "query axis has 2", "pass the tokens of the same input")
    assert "swapped" not in msg


def test_cross_tokens_swapped_are_named():
    msg = message(ValueError, head_view, cross_attention=softmax((1, 2, 2, 3)),
                  decoder_tokens=list("xyz"), encoder_tokens=list("ab"))
    has(msg, "decoder_tokens", "got 3 tokens", "has 2", "are decoder_tokens and encoder_tokens swapped?")


@pytest.mark.parametrize("value, where", [
    ([[[[0.5, 0.5], [1.0]]]], "attention[0][0][1] has 1 items but attention[0][0][0] has 2"),
    ([[[[1.0]]], [[[1.0]], [[1.0]]]], "attention[1] has 2 items but attention[0] has 1"),
    ([[[[1.0], 0.5]]], "attention[0][0][1] is a number (0.5) where attention[0][0][0] is a list"),
])
def test_ragged_lists_say_where(value, where):
    msg = message(ValueError, head_view, value, ["a"])
    has(msg, "attention", "ragged", where, "pad or cut rows to one length")


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_nan_inf_name_place_and_fix(bad):
    a = A.copy()
    a[1, 0, 2, 3] = bad
    msg = message(ValueError, head_view, a, TOK)
    has(msg, "attention", f"contains {np.float32(bad)}", "layer 1, head 0 (query 2, key 3)", "must be finite",
        "Check the model's dtype")


def test_float16_overflow_from_torch_is_named():
    torch = pytest.importorskip("torch")
    t = torch.tensor(A).half()
    t[1, 2, 0, 3] = 1e5  # beyond the float16 range: inf
    has(message(ValueError, head_view, t, TOK), "attention", "inf", "layer 1, head 2 (query 0, key 3)",
        "float16 overflow")


def test_negative_weight_fix_says_scores():
    a = A.copy()
    a[0, 2, 1, 0] = -3.0
    has(message(ValueError, head_view, a, TOK), "attention", "negative weight -3", "layer 0, head 2 (query 1, key 0)",
        "Pass weights, not scores")


def test_rows_not_summing_to_one_warn_naming_worst_row_and_count():
    a = A.copy()
    a[0, 1, 3] *= 2.0
    a[1, 2, 0] *= 1.2
    with pytest.warns(UserWarning) as rec:
        head_view(a, TOK)
    (w,) = [r for r in rec if "sum to 1" in str(r.message)]
    has(str(w.message), "attention", "2 of 24 rows", "layer 0, head 1, query 3, sums to 2", "Pass softmax outputs")


def test_rows_of_cross_attention_warn_with_its_name():
    c = softmax((1, 1, 2, 3))
    c[0, 0, 1] *= 0.5
    with pytest.warns(UserWarning, match=r"cross_attention: .*layer 0, head 0, query 1, sums to 0\.5"):
        head_view(cross_attention=c, decoder_tokens=["x", "y"], encoder_tokens=list("abc"))


@pytest.mark.parametrize("value, received", [
    ((), "empty tuple"), ([], "empty list"), (np.zeros((2, 3, 0, 0)), "0 queries"),
    (np.zeros((0, 3, 4, 4)), "0 layers"), (np.zeros((2, 0, 4, 4)), "0 heads"),
])
def test_empty_inputs(value, received):
    msg = message(ValueError, head_view, value, TOK)
    has(msg, "attention", received)
    assert "expected at least one" in msg


def test_empty_torch_tensor():
    torch = pytest.importorskip("torch")
    has(message(ValueError, head_view, torch.zeros(2, 3, 0, 0), []), "attention", "(2, 3, 0, 0)", "0 queries",
        "expected at least one")


def test_empty_token_list_for_nonempty_attention():
    has(message(ValueError, head_view, A, []), "tokens", "got 0 tokens", "has 4")


@pytest.mark.parametrize("value, dtype", [
    (A.astype(np.complex64), "complex64"),
    (np.array(A.tolist(), dtype=object), "object"),
    (np.full((2, 3, 4, 4), "x"), "<U1"),
    (np.zeros((2, 3, 4, 4), "datetime64[s]"), "datetime64[s]"),
])
def test_non_numeric_numpy(value, dtype):
    has(message(TypeError, head_view, value, TOK), "attention", f"got dtype {dtype}", "expected real numbers",
        ".astype('float32')")


@pytest.mark.parametrize("dtype", ["bool", "complex64"])
def test_non_numeric_torch(dtype):
    torch = pytest.importorskip("torch")
    t = torch.zeros(2, 3, 4, 4, dtype=getattr(torch, dtype))
    has(message(TypeError, head_view, t, TOK), "attention", f"torch.{dtype}", "expected real numbers", ".float()")


def test_non_numeric_layer_in_hf_tuple():
    layers = (A[:1], np.full((1, 3, 4, 4), "x"))
    has(message(TypeError, head_view, layers, TOK), "attention[1]", "dtype <U1", "expected real numbers")


def test_meta_device_tensor_has_no_data():
    torch = pytest.importorskip("torch")
    t = torch.empty(2, 3, 4, 4, device="meta")
    has(message(ValueError, head_view, t, TOK), "attention", "'meta' device", "(2, 3, 4, 4)", "holds no data",
        "model.to('cpu')")


def test_meta_device_layer_in_hf_tuple():
    torch = pytest.importorskip("torch")
    layers = tuple(torch.empty(1, 3, 4, 4, device="meta") for _ in range(2))
    has(message(ValueError, head_view, layers, TOK), "attention[0]", "'meta' device", "holds no data")


def test_batch_above_one_in_hf_tuple_without_batch_index():
    torch = pytest.importorskip("torch")
    layers = tuple(torch.tensor(np.stack([A[i], A[i]])) for i in range(2))  # [batch=2, H, Q, K] per layer
    has(message(ValueError, head_view, layers, TOK), "attention", "batch of 2", "(2, 2, 3, 4, 4)",
        "a[i:i+1] for a in attentions", "batch_index=i")


@pytest.mark.parametrize("include, exc, fragment", [
    ([0, 3], ValueError, "head 3 is out of range; expected 0..2"),
    ([-1], ValueError, "head -1 is out of range"),
    ([2, 0, 2], ValueError, "repeats head [2]; list each head once"),
    ([0.0], TypeError, "item 0.0 is float; expected int head indices"),
])
def test_include_heads_invalid(include, exc, fragment):
    has(message(exc, model_view, A, TOK, include_heads=include), "include_heads", fragment)


def test_include_layers_negative():
    has(message(ValueError, head_view, A, TOK, include_layers=[-1]), "include_layers", "layer -1 is out of range",
        "expected 0..1 (2 layers)")


def test_include_layers_for_encoder_decoder_names_the_section():
    msg = message(ValueError, head_view, encoder_attention=A, decoder_attention=softmax((1, 3, 2, 2)),
                  encoder_tokens=TOK, decoder_tokens=["x", "y"], include_layers=[1])
    has(msg, "include_layers (for decoder attention)", "layer 1 is out of range", "expected 0..0")


def test_torch_float_tensor_as_include_list():
    torch = pytest.importorskip("torch")
    has(message(TypeError, model_view, A, TOK, include_heads=torch.tensor([0.0, 1.0])), "include_heads",
        "torch.float32", "expected int head indices")


@pytest.mark.parametrize("layer, fragment", [
    (np.int64(2), "layer: 2 is out of range; expected 0..1"),
    (np.float64(1.0), "got float64 np.float64(1.0); expected an int layer index")])
def test_layer_numpy_scalar_out_of_range_or_float(layer, fragment):
    has(message((ValueError, TypeError), head_view, A, TOK, layer=layer), fragment)


def test_heads_out_of_range_numpy():
    has(message(ValueError, head_view, A, TOK, heads=np.array([0, 7])), "heads", "head 7 is out of range",
        "expected 0..2 (3 heads)")


def test_neuron_head_out_of_range_names_head():
    att = Attentions(attention=A, tokens=TOK, queries=np.ones((2, 3, 4, 8), np.float32),
                     keys=np.ones((2, 3, 4, 8), np.float32), scale=0.5)
    has(message(ValueError, att.neuron_view, head=3), "head: 3 is out of range", "expected 0..2 (3 heads)")
    has(message(TypeError, att.neuron_view, head="1"), "head: got str", "expected an int head index")


def test_lone_surrogates_in_tokens_become_replacement_characters(recording_comm):
    from jupyter_client.session import json_packer

    toks = ["[CLS]", "x\ud800y", "\ud83d\ude00", "[SEP]"]  # a lone surrogate; a pair written as two code points
    with pytest.warns(UserWarning, match=r"tokens: token 1 .* lone surrogates .* shown as 'x\ufffdy'"):
        w = head_view(A, toks)
    assert w.sections[0]["query_tokens"] == ["[CLS]", "x\ufffdy", "\U0001F600", "[SEP]"]
    state = sent_state(w)
    json_packer({k: v for k, v in state.items() if k != "sections"} |
                {"tokens": state["sections"][0]["query_tokens"]})  # the kernel can send it


@pytest.mark.parametrize("empty", [(), []], ids=["tuple", "list"])
def test_an_empty_tuple_says_why_and_how_to_get_weights(empty):
    """What BertViz's notebooks get from DistilBERT in transformers 5 (outputs[-1] is the empty
    cross_attentions) and from models loaded with SDPA: the message says both, and the three fixes."""
    msg = message(ValueError, head_view, empty, TOK)
    has(msg, f"attention: got an empty {type(empty).__name__}; expected at least one layer.",
        "SDPA or flash attention", "outputs[-1]", "cross_attentions", "DistilBERT",
        'attn_implementation="eager"', "outputs.attentions", "attnscope.from_model")
    has(message(ValueError, model_view, encoder_attention=(), encoder_tokens=TOK), "encoder_attention: got an empty")
