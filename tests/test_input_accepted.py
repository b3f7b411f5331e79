"""Odd but valid input is accepted and converted to float32 (attnscope.inputs.convert, indices)."""

import json

import numpy as np
import pytest
from inputs_helpers import TOK, A, softmax

from attnscope import Attentions, head_view
from attnscope.api import dashboard
from attnscope.inputs.weights import attention_array
from attnscope.wire.codec import from_wire
from conftest import sent_state


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
