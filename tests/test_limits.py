"""The eager size limit (attnscope.inputs.limits): told from the shapes before converting, naming the
way out; settable as attnscope.validation.MAX_INPUT_BYTES."""

import tracemalloc

import numpy as np
import pytest
from inputs_helpers import TOK, A, has, message

import attnscope.validation as V
from attnscope import AttentionWidget, head_view, model_view
from attnscope.api import dashboard
from conftest import sent_state


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
