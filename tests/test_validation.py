import warnings

import numpy as np
import pytest

from attnscope import head_view
from attnscope.inputs.tokens import prettify
from attnscope.inputs.weights import attention_array
from conftest import displayed_model_ids


def softmax(shape, seed=0):
    x = np.random.default_rng(seed).normal(size=shape)
    e = np.exp(x - x.max(-1, keepdims=True))
    return (e / e.sum(-1, keepdims=True)).astype(np.float32)


A = softmax((2, 3, 4, 4))
TOK = ["[CLS]", "a", "b", "[SEP]"]


def raises(exc, *fragments, **kwargs):
    """head_view(**kwargs) raises exc whose message contains every fragment."""
    with pytest.raises(exc) as info:
        head_view(**kwargs)
    msg = str(info.value)
    for f in fragments:
        assert f in msg, f"{f!r} not in {msg!r}"
    return msg


# --- accepted inputs --------------------------------------------------------------

def test_numpy_accepted_and_shown(no_display):
    w = head_view(A, TOK)
    assert displayed_model_ids(no_display) == [w.model_id]
    assert w.sections[0]["attention"]["shape"] == [2, 3, 4, 4]
    assert w.layer == 0 and w.heads == [0, 1, 2] and w.section == "self"


def test_nested_lists_accepted():
    w = head_view(A.tolist(), TOK)
    assert w.sections[0]["attention"]["shape"] == [2, 3, 4, 4]


@pytest.mark.parametrize("dtype", ["bfloat16", "float16", "float64"])
def test_torch_dtypes_accepted(dtype):
    torch = pytest.importorskip("torch")
    t = torch.tensor(A).to(getattr(torch, dtype))
    out = attention_array(t, "attention")
    assert out.dtype == np.float32 and out.shape == (2, 3, 4, 4)
    np.testing.assert_allclose(out, A, atol=1e-2)


def test_hf_tuple_accepted():
    torch = pytest.importorskip("torch")
    hf = tuple(torch.tensor(A[i : i + 1], requires_grad=True) for i in range(2))  # [1, H, Q, K] each
    out = attention_array(hf, "attention")
    np.testing.assert_array_equal(out, A)


def test_batch_of_one_5d_accepted():
    np.testing.assert_array_equal(attention_array(A[:, None], "attention"), A)


# --- errors ------------------------------------------------------------------------

def test_batch_bigger_than_one():
    raises(ValueError, "attention", "batch of 2", "(2, 2, 3, 4, 4)", "batch_index",
           attention=np.stack([A, A], axis=1), tokens=TOK)


@pytest.mark.parametrize("shape", [(3, 4, 4), (1, 1, 2, 3, 4, 4)])
def test_wrong_rank(shape):
    raises(ValueError, "attention", f"{len(shape)} dimensions", str(shape), "expected 4",
           attention=np.full(shape, 0.25), tokens=TOK)


def test_ragged_lists():
    raises(ValueError, "attention", "ragged", attention=[[[[1.0], [0.5, 0.5]]]], tokens=["a", "b"])


def test_ragged_hf_tuple():
    raises(ValueError, "attention", "layer 1", "(1, 3, 3, 3)", "(1, 3, 4, 4)",
           attention=(A[:1], softmax((1, 3, 3, 3))), tokens=TOK)


@pytest.mark.parametrize("value, dtype", [(np.array([[[["x"]]]]), "<U1"), (np.ones((1, 1, 1, 1), bool), "bool")])
def test_non_numeric(value, dtype):
    raises(TypeError, "attention", dtype, "expected real numbers", attention=value, tokens=["a"])


def test_non_numeric_nested_list():
    raises(TypeError, "attention", "dtype", attention=[[[["a", "b"]]]], tokens=["a"])


def test_unsupported_type():
    raises(TypeError, "attention", "got str", attention="weights", tokens=TOK)


@pytest.mark.parametrize("shape, axis", [((0, 3, 4, 4), "0 layers"), ((2, 0, 4, 4), "0 heads"),
                                         ((2, 3, 0, 0), "0 queries")])
def test_empty(shape, axis):
    raises(ValueError, "attention", axis, str(shape), attention=np.zeros(shape), tokens=TOK)


def test_empty_list():
    raises(ValueError, "attention", "empty list", attention=[], tokens=TOK)


@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_nan_inf_located(bad):
    a = A.copy()
    a[1, 2, 3, 0] = bad
    raises(ValueError, "attention", str(bad), "layer 1, head 2", attention=a, tokens=TOK)


def test_negative_located():
    a = A.copy()
    a[0, 1, 2, 3] = -0.5
    raises(ValueError, "attention", "negative weight -0.5", "layer 0, head 1", attention=a, tokens=TOK)


def test_not_square_self_attention():
    raises(ValueError, "attention", "4 queries and 3 keys", attention=A[..., :3], tokens=TOK)


@pytest.mark.parametrize("tokens, fragment", [("abcd", "got str 'abcd'"), (None, "got None"),
                                              (["a", 2, "b", "c"], "item 1 is int 2")])
def test_tokens_not_list_of_str(tokens, fragment):
    raises(TypeError, "tokens", fragment, attention=A, tokens=tokens)


def test_token_count_mismatch():
    raises(ValueError, "tokens", "got 3 tokens", "has 4", attention=A, tokens=TOK[:3])


def test_mixing_attention_and_encoder_decoder():
    raises(ValueError, "attention", "cross_attention", "encoder_tokens",
           attention=A, tokens=TOK, cross_attention=A, encoder_tokens=TOK)


def test_tokens_without_attention():
    raises(ValueError, "tokens", "encoder_tokens", encoder_attention=A, encoder_tokens=TOK, tokens=TOK)


def test_nothing_given():
    raises(TypeError, "no attention", tokens=TOK)


def test_cross_without_encoder_tokens():
    raises(ValueError, "encoder_tokens", "missing", "cross_attention",
           cross_attention=A, decoder_tokens=TOK)


def test_encoder_tokens_without_attention():
    raises(ValueError, "encoder_tokens", "given but", decoder_attention=A, decoder_tokens=TOK,
           encoder_tokens=TOK)


def test_encoder_decoder_token_axes():
    cross = softmax((2, 3, 2, 4))
    raises(ValueError, "decoder_tokens", "got 4 tokens", "has 2",
           cross_attention=cross, decoder_tokens=TOK, encoder_tokens=TOK)


@pytest.mark.parametrize("layer, fragment", [(2, "2 is out of range"), (-1, "-1 is out of range"),
                                             ("1", "got str '1'"), (1.0, "got float 1.0"), (True, "got bool")])
def test_layer_invalid(layer, fragment):
    raises((ValueError, TypeError), "layer", fragment, attention=A, tokens=TOK, layer=layer)


def test_layer_not_in_include_layers():
    raises(ValueError, "layer", "1 is not in include_layers [0]", attention=A, tokens=TOK,
           layer=1, include_layers=[0])


@pytest.mark.parametrize("heads, exc, fragment", [([3], ValueError, "head 3 is out of range"),
                                                  ([], ValueError, "empty list"),
                                                  (["0"], TypeError, "item '0' is str")])
def test_heads_invalid(heads, exc, fragment):
    raises(exc, "heads", fragment, attention=A, tokens=TOK, heads=heads)


@pytest.mark.parametrize("include, exc, fragment", [([0, 5], ValueError, "layer 5 is out of range"),
                                                    ([1, 1], ValueError, "repeats layer [1]"),
                                                    ([], ValueError, "empty list"),
                                                    ("0", TypeError, "got str '0'")])
def test_include_layers_invalid(include, exc, fragment):
    raises(exc, "include_layers", fragment, attention=A, tokens=TOK, include_layers=include)


@pytest.mark.parametrize("start", [0, 4, -1])
def test_sentence_b_start_out_of_range(start):
    raises(ValueError, "sentence_b_start", f"{start} is out of range", "1..3",
           attention=A, tokens=TOK, sentence_b_start=start)


def test_sentence_b_start_with_encoder_decoder():
    raises(ValueError, "sentence_b_start", encoder_attention=A, encoder_tokens=TOK, sentence_b_start=2)


def test_html_action():
    raises(ValueError, "html_action", "'save'", attention=A, tokens=TOK, html_action="save")
    # html_action="return" (offline HTML): tests/test_html.py


def test_errors_raised_before_display(no_display):
    with pytest.raises(ValueError):
        head_view(A, TOK, layer=7)
    assert no_display == []


# --- row sums -----------------------------------------------------------------------

def test_rows_not_summing_to_one_warn_with_worst_row():
    a = A.copy()
    a[1, 0, 2] *= 1.5  # sums to 1.5
    a[0, 2, 1] *= 1.005  # within tolerance
    with pytest.warns(UserWarning, match=r"attention: .*layer 1, head 0, query 2, sums to 1\.5"):
        head_view(a, TOK)


def test_rows_summing_to_one_do_not_warn():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        head_view(A, TOK)


# --- sections, layers, tokens --------------------------------------------------------

def test_include_layers_keeps_real_indices():
    a = softmax((4, 3, 4, 4))
    w = head_view(a, TOK, include_layers=[3, 1], layer=1, heads=[2, 0])
    s = w.sections[0]
    assert s["layers"] == [3, 1] and s["attention"]["shape"] == [2, 3, 4, 4]
    assert w.layer == 1 and w.heads == [0, 2]
    from attnscope.wire.codec import from_wire

    np.testing.assert_allclose(from_wire(s["attention"])[0], a[3], atol=1e-3)


def test_encoder_decoder_sections_in_order():
    enc, dec, cross = softmax((2, 3, 4, 4)), softmax((3, 2, 2, 2)), softmax((3, 2, 2, 4))
    w = head_view(encoder_attention=enc, decoder_attention=dec, cross_attention=cross,
                  encoder_tokens=TOK, decoder_tokens=["▁x", "y</w>"])
    assert [s["key"] for s in w.sections] == ["encoder", "decoder", "cross"]
    assert [s["label"] for s in w.sections] == ["Encoder", "Decoder", "Cross"]
    c = w.sections[2]
    assert c["query_tokens"] == [" x", "y"] and c["key_tokens"] == TOK
    assert c["attention"]["shape"] == [3, 2, 2, 4] and w.sentence_b_start is None


def test_prettify():
    assert prettify(["ĠHello", "▁world", "ing</w>", "<b>&amp;"]) == [" Hello", " world", "ing", "<b>&amp;"]


def test_prettify_flag_and_plain_text_tokens():
    toks = ["ĠThe", "<script>", "&lt;", "▁x"]
    w = head_view(A, toks)
    assert w.sections[0]["query_tokens"] == [" The", "<script>", "&lt;", " x"]
    w = head_view(A, toks, prettify_tokens=False, sentence_b_start=2)
    assert w.sections[0]["key_tokens"] == toks and w.sentence_b_start == 2
