"""Reading a section's weights a block of heads at a time, into reused float32 buffers.

Every pass over all the weights (the lazy checks and pooled summary, the head statistics) reads through
:func:`blocks`, so kernel memory stays bounded: at most two float32 blocks (the weights and the reader's
scratch), each at most BLOCK_BYTES and at most 2.5% of the weights held, never a whole copy.
"""

from __future__ import annotations

import numpy as np

from . import tensors as t

#: largest float32 block of heads read at once (there are two: the weights and a scratch buffer)
BLOCK_BYTES = 32_000_000

#: numpy weights are read into torch buffers too when torch is already imported (several times faster:
#: float16 conversion and the elementwise work on every core); False keeps them on numpy
TORCH_FOR_NUMPY = True


def block_heads(source, n_heads: int) -> int:
    """How many heads one block holds."""
    _, _, n_q, n_k = source.shape
    budget = min(BLOCK_BYTES, source.nbytes // 40)
    return max(1, min(n_heads, budget // (n_q * n_k * 4)))


def _buffer(torch_layer: bool, shape):
    if torch_layer:
        return t.torch().empty(shape, dtype=t.torch().float32)
    return np.empty(shape, np.float32)


def blocks(source, layers, heads):
    """(layer slot, first head slot, layer, heads of the block, float32 weights [n, Q, K]) for the given real
    layers and heads, a block of heads at a time; the weights are a reused buffer (numpy or CPU torch)."""
    _, _, n_q, n_k = source.shape
    step = block_heads(source, len(heads))
    buffers = {}
    for i, layer in enumerate(layers):
        torch_layer = source.is_torch(layer) or (TORCH_FOR_NUMPY and t.torch_loaded())
        if torch_layer not in buffers:
            buffers[torch_layer] = _buffer(torch_layer, (step, n_q, n_k))
        for j in range(0, len(heads), step):
            block = list(heads[j:j + step])
            yield i, j, layer, block, source.read(layer, block, buffers[torch_layer])


def as_numpy(w) -> np.ndarray:
    """A block as numpy (a torch buffer shares its memory)."""
    return w.numpy() if t.is_torch(w) else w
