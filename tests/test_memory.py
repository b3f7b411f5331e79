"""Checking and converting input makes one float32 copy at most (attnscope.inputs.weights, build)."""

import tracemalloc
import warnings

import numpy as np
import pytest
from inputs_helpers import TOK, A, softmax

from attnscope import head_view
from attnscope.inputs import build as sec
from attnscope.inputs.weights import attention_array

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
