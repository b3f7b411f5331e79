"""Shared by the input tests (test_input_accepted, test_input_errors, test_limits, test_memory, test_cells):
a row-stochastic fixture and helpers that read an error message."""

import numpy as np
import pytest


def softmax(shape, seed=0, dtype=np.float32):
    x = np.random.default_rng(seed).normal(size=shape)
    e = np.exp(x - x.max(-1, keepdims=True))
    return (e / e.sum(-1, keepdims=True)).astype(dtype)


A = softmax((2, 3, 4, 4))
TOK = ["[CLS]", "a", "b", "[SEP]"]


def message(exc, fn, *args, **kwargs):
    """The text of the ``exc`` that ``fn(*args, **kwargs)`` raises (the test fails if it raises none)."""
    with pytest.raises(exc) as info:
        fn(*args, **kwargs)
    return str(info.value)


def has(msg, *fragments):
    for f in fragments:
        assert f in msg, f"{f!r} not in {msg!r}"
