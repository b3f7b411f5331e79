"""Issue 6: the validation matrix (one test per case; each message names the argument, what was
received and the fix), accepted odd inputs, the eager size limit and the memory validation uses.

Cases already covered with full messages in test_validation.py / test_views.py are not repeated
here; the matrix in the issue note says where each case lives.
"""

import json
import tracemalloc
import warnings

import numpy as np
import pytest

from conftest import sent_state

import attnscope.validation as V
from attnscope import AttentionWidget, Attentions, head_view, model_view
from attnscope.inputs import build as sec
from attnscope.api import dashboard
from attnscope.wire.codec import from_wire
from attnscope.inputs.weights import attention_array


def softmax(shape, seed=0, dtype=np.float32):
    x = np.random.default_rng(seed).normal(size=shape)
    e = np.exp(x - x.max(-1, keepdims=True))
    return (e / e.sum(-1, keepdims=True)).astype(dtype)


A = softmax((2, 3, 4, 4))
TOK = ["[CLS]", "a", "b", "[SEP]"]


def message(exc, fn, *args, **kwargs):
    with pytest.raises(exc) as info:
        fn(*args, **kwargs)
    return str(info.value)


def has(msg, *fragments):
    for f in fragments:
        assert f in msg, f"{f!r} not in {msg!r}"


# --- errors: name, received, fix ------------------------------------------------------------------

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


@pytest.mark.parametrize("layer, fragment", [(np.int64(2), "layer: 2 is out of range; expected 0..1"),
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


# --- accepted: converted to float32 -----------------------------------------------------------------

@pytest.mark.parametrize("dtype", ["bfloat16", "float16"])
def test_half_precision_torch_accepted_through_head_view(dtype, recording_comm):
    torch = pytest.importorskip("torch")
    w = head_view(torch.tensor(A).to(getattr(torch, dtype)), TOK)
    sent = from_wire(sent_state(w)["sections"][0]["attention"])
    np.testing.assert_allclose(sent, A, atol=1e-2)


def test_requires_grad_tensor_accepted():
    torch = pytest.importorskip("torch")
    t = torch.tensor(A, requires_grad=True) * 1.0  # a non-leaf in the autograd graph
    out = attention_array(t, "attention")
    assert out.dtype == np.float32
    np.testing.assert_array_equal(out, A)


def test_hf_tuple_of_bfloat16_requires_grad_accepted():
    torch = pytest.importorskip("torch")
    layers = tuple(torch.tensor(A[i : i + 1], requires_grad=True).to(torch.bfloat16) for i in range(2))
    np.testing.assert_allclose(attention_array(layers, "attention"), A, atol=1e-2)


def test_sparse_tensor_accepted():
    torch = pytest.importorskip("torch")
    np.testing.assert_array_equal(attention_array(torch.tensor(A).to_sparse(), "attention"), A)


def test_integer_weights_accepted():
    out = attention_array(np.ones((1, 1, 1, 1), np.int64), "attention")
    assert out.dtype == np.float32 and out.item() == 1.0


def test_tokens_as_numpy_str_array_accepted():
    w = head_view(A, np.array(TOK))
    assert w.sections[0]["query_tokens"] == TOK and all(type(t) is str for t in w.sections[0]["query_tokens"])


@pytest.mark.parametrize("kind", ["numpy", "torch"])
def test_integer_scalars_and_arrays_accepted_as_indices(kind, recording_comm):
    torch = pytest.importorskip("torch")
    a = softmax((4, 3, 4, 4))
    if kind == "numpy":
        i, arr = np.int64, np.array
    else:
        i, arr = torch.tensor, torch.tensor
    w = dashboard(("head", "model"), a, TOK, layer=i(3), heads=arr([2, 0]), include_layers=arr([3, 1]),
                  include_heads=[i(2), i(0)], sentence_b_start=i(2))
    s = sent_state(w)
    assert (s["layer"], s["heads"], s["sentence_b_start"]) == (3, [0, 2], 2)
    assert s["sections"][0]["layers"] == [3, 1] and s["sections"][0]["heads"] == [2, 0]
    assert all(type(x) is int for x in [s["layer"], *s["heads"], *s["sections"][0]["layers"]])
    json.dumps({k: s[k] for k in ("layer", "heads", "sentence_b_start")})


def test_numpy_head_for_neuron_view_accepted(recording_comm):
    att = Attentions(attention=A, tokens=TOK, queries=np.ones((2, 3, 4, 8), np.float32),
                     keys=np.ones((2, 3, 4, 8), np.float32), scale=0.5)
    w = att.neuron_view(layer=np.int64(1), head=np.int64(2))
    assert (w.layer, w.heads, w.views) == (1, [2], ["neuron"])


def test_from_model_numpy_batch_index(minilm):
    model, tok = minilm
    from attnscope import from_model

    att = from_model(model, tok, ["a b", "c d e"], batch_index=np.int64(1))
    assert att.tokens == ["[CLS]", "c", "d", "e", "[SEP]"]


# --- the size limit ------------------------------------------------------------------------------------

@pytest.fixture
def limit(monkeypatch):
    def set_limit(n):
        monkeypatch.setattr(V, "MAX_INPUT_BYTES", n)
    return set_limit


def test_default_limit_lets_bert_base_at_512_tokens_through():
    assert V.MAX_INPUT_BYTES == 100_000_000
    V.check_size([("attention", (12, 12, 512, 512), 2, "weights")], "head_view")  # 75.5 MB: no error


def test_size_error_names_size_limit_and_way_out(limit, recording_comm, no_display):
    limit(100)  # bytes: A is 2 x 3 x 4 x 4 = 96 weights = 192 bytes as float16
    msg = message(ValueError, head_view, A, TOK, lazy=False)  # eager only: lazy=None goes lazy instead
    has(msg, "head_view: the input is too large to show at once", "attention [2, 3, 4, 4] = 96 weights",
        "0.0 MB to send in all", "limit of", "MAX_INPUT_BYTES", "include_layers", "include_heads",
        "max_length", "None: no limit", "Or pass lazy=True (or leave lazy=None")
    assert recording_comm == [] and no_display == []


def test_size_limit_counts_what_include_layers_and_heads_keep(limit, recording_comm):
    limit(3 * 4 * 4 * 2)  # one layer of three heads fits
    has(message(ValueError, head_view, A, TOK, lazy=False), "about 1 of the 2 layers fit, e.g. include_layers=[0]")
    w = head_view(A, TOK, include_layers=[1], lazy=False)
    assert sent_state(w)["sections"][0]["attention"]["shape"] == [1, 3, 4, 4]
    limit(2 * 4 * 4 * 2)
    model_view(A, TOK, include_heads=[0, 2], include_layers=[0], lazy=False)


def test_size_limit_counts_every_section_and_the_vectors(limit):
    limit(2 * 3 * 4 * 4 * 2 + 1)  # the attention alone fits; with its queries and keys it does not
    q = np.ones((2, 3, 4, 8), np.float32)
    msg = message(ValueError, dashboard, ("head",), A, TOK, queries=q, keys=q, scale=0.5, lazy=False)
    has(msg, "show: the input is too large", "attention [2, 3, 4, 4] = 96 weights",
        "queries + keys [2, 3, 8, 8] = 384 values")
    msg = message(ValueError, head_view, encoder_attention=A, decoder_attention=A, encoder_tokens=TOK,
                  decoder_tokens=TOK, lazy=False)
    has(msg, "encoder_attention [2, 3, 4, 4]", "decoder_attention [2, 3, 4, 4]")


def test_size_limit_checked_from_the_shape_before_converting():
    torch = pytest.importorskip("torch")
    huge = torch.empty(12, 12, 4096, 4096, device="meta")  # no data: converting it would fail differently
    has(message(ValueError, head_view, huge, ["t"] * 4096, lazy=False), "too large", "attention [12, 12, 4096, 4096]",
        "4,831.8 MB to send")
    view = np.broadcast_to(np.float32(1 / 4096), (12, 12, 4096, 4096))  # 9.7 GB as float32, no memory
    tracemalloc.start()
    try:
        with pytest.raises(ValueError, match="too large"):
            model_view(view, ["t"] * 4096, include_heads=[0, 1, 2], lazy=False)
        assert tracemalloc.get_traced_memory()[1] < 10_000_000
    finally:
        tracemalloc.stop()


def test_size_limit_for_nested_lists_after_conversion(limit):
    limit(10)
    has(message(ValueError, head_view, A.tolist(), TOK, lazy=False), "too large", "attention [2, 3, 4, 4]")


def test_size_limit_off_and_raised(limit, recording_comm):
    limit(None)
    assert not head_view(A, TOK, lazy=False).lazy
    limit(10_000)
    assert not head_view(A, TOK, lazy=False).lazy


def test_size_limit_guards_from_arrays_and_html_return(limit, recording_comm):
    limit(100)
    s = {"key": "self", "attention": A, "layers": [0, 1], "query_tokens": TOK, "key_tokens": TOK}
    has(message(ValueError, AttentionWidget.from_arrays, [s]), "AttentionWidget: the input is too large")
    has(message(ValueError, AttentionWidget.from_arrays, [s], dtype="float32"), "0.0 MB")
    assert recording_comm == []
    has(message(ValueError, head_view, A, TOK, html_action="return", lazy=False), "too large")


# --- memory: one float32 copy ----------------------------------------------------------------------------

MID = (4, 8, 256, 256)  # 2M weights: 8 MB as float32


def _peak(fn):
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        fn()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@pytest.mark.parametrize("make", [
    lambda x: x.astype(np.float16),
    lambda x: x.astype(np.float64),
    lambda x: tuple(x[i : i + 1].astype(np.float16) for i in range(x.shape[0])),  # HF tuple, [1, H, Q, K] each
    lambda x: x[:, None].astype(np.float16),  # [L, 1, H, Q, K]
], ids=["float16", "float64", "hf-tuple", "batch-of-one"])
def test_validation_makes_one_float32_copy(make):
    x = softmax(MID, dtype=np.float32)
    f32 = x.nbytes
    value = make(x)
    peak = _peak(lambda: attention_array(value, "attention"))
    assert peak < 1.1 * f32, f"peak {peak / f32:.2f} x the float32 size"


def test_validation_of_float32_makes_no_copy():
    x = softmax(MID)
    assert _peak(lambda: attention_array(x, "attention")) < 0.1 * x.nbytes


def test_torch_hf_tuple_converted_in_place():
    torch = pytest.importorskip("torch")
    x = softmax(MID)
    layers = tuple(torch.from_numpy(x[i : i + 1]).to(torch.bfloat16) for i in range(MID[0]))
    peak = _peak(lambda: attention_array(layers, "attention"))  # torch's own memory is not traced; numpy's is
    assert peak < 1.1 * x.nbytes


def test_build_with_include_layers_keeps_memory_bounded():
    x = softmax(MID, dtype=np.float16)
    toks = [str(i) for i in range(MID[2])]
    peak = _peak(lambda: sec.build("head_view", x, toks, include_layers=[0, 1]))
    assert peak < 1.6 * x.size * 4  # the float32 copy + the kept half


def test_warnings_do_not_hide_errors():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        head_view(A, TOK)


# --- re-running a cell closes the widgets its previous run displayed -------------------------------------

class _FakeShell:
    def __init__(self):
        self.handlers = {}
        self.cell = "A"
        shell = self

        class Events:
            def register(self, name, fn):
                shell.handlers.setdefault(name, []).append(fn)

            def unregister(self, name, fn):
                shell.handlers[name].remove(fn)

        class Kernel:
            def get_parent(self):
                return {"metadata": {"cellId": shell.cell}}

        self.events, self.kernel = Events(), Kernel()

    def run(self, cell):
        """The start of a run of ``cell`` (its output is cleared by the notebook), then post_run hooks."""
        self.cell = cell
        info = type("Info", (), {"cell_id": cell})()
        for fn in list(self.handlers.get("pre_run_cell", [])):
            fn(info)

    def done(self):
        for fn in list(self.handlers.get("post_run_cell", [])):
            fn(None)


@pytest.fixture
def shell(monkeypatch):
    import IPython

    from attnscope.widget import cells

    fake = _FakeShell()
    monkeypatch.setattr(IPython, "get_ipython", lambda: fake)
    monkeypatch.setattr(cells, "tracker", cells.CellTracker())
    return fake


def test_rerun_closes_the_widgets_the_previous_run_displayed(shell, recording_comm):
    shell.run("A")
    w1 = head_view(A, TOK)
    shared = head_view(A, TOK)
    shell.done()
    shell.run("B")
    shared._ipython_display_()  # displayed again by another cell: it stays open
    shell.done()
    shell.run("C")
    kept = head_view(A, TOK)
    shell.done()
    shell.run("A")  # re-run: its old output is gone; what it does not show again is closed at its end
    w2 = head_view(A, TOK)
    shell.done()
    assert w1.comm is None and shared.comm is not None and kept.comm is not None
    shell.run("A")
    shell.done()
    assert w2.comm is None and kept.comm is not None


def test_rerun_keeps_a_widget_the_cell_displays_again(shell, recording_comm):
    from attnscope.widget import AttentionWidget

    w = AttentionWidget.from_arrays(
        [{"key": "self", "attention": A, "layers": list(range(A.shape[0])), "query_tokens": TOK, "key_tokens": TOK}]
    )
    shell.run("B")  # a cell whose only line is `w`
    w._ipython_display_()
    shell.done()
    shell.run("B")  # re-run: it displays the same widget again, which must stay usable
    w._ipython_display_()
    shell.done()
    assert w.comm is not None


def test_rerun_keeps_widgets_open_when_switched_off(shell, recording_comm, monkeypatch):
    from attnscope import widget

    monkeypatch.setattr(widget, "CLOSE_ON_RERUN", False)
    shell.run("A")
    w = head_view(A, TOK)
    shell.done()
    shell.run("A")
    assert w.comm is not None
