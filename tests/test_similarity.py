"""attnscope.head_similarity: 1 - JSD of the rows, redundant pairs, collapsed layers, the order."""

import numpy as np
import pytest

import attnscope
from attnscope.analysis.similarity import js_similarity


def heads(seed=0, n=6):
    rng = np.random.default_rng(seed)
    x = rng.random((4, n, n)).astype(np.float32) ** 4
    return x / x.sum(-1, keepdims=True)


def test_identical_heads_are_1_disjoint_heads_0():
    a = np.zeros((1, 3, 4, 4), np.float32)
    a[0, 0, :, 0] = a[0, 1, :, 0] = 1  # two sinks
    a[0, 2, :, 3] = 1  # elsewhere
    sim = attnscope.head_similarity(a)
    np.testing.assert_allclose(sim.per_layer[0], [[1, 1, 0], [1, 1, 0], [0, 0, 1]], atol=1e-6)
    assert sim.redundant() == [((0, 0), (0, 1), pytest.approx(1.0))]
    assert sim.collapsed_layers() == []


def test_against_scipy_jensen_shannon():
    distance = pytest.importorskip("scipy.spatial.distance")
    h = heads()
    got = js_similarity(h)
    for a in range(4):
        for b in range(4):
            want = np.mean([1 - distance.jensenshannon(h[a, r], h[b, r], base=2) ** 2 for r in range(6)])
            assert got[a, b] == pytest.approx(want, abs=1e-5)


def test_collapsed_layer_redundant_pairs_and_order():
    h = heads(1)
    layer0 = np.stack([h[0], h[0], h[0], h[0]])  # collapsed: every head the same
    layer1 = np.stack([h[1], h[2], h[1], h[3]])  # heads 0 and 2 the same
    sim = attnscope.head_similarity(np.stack([layer0, layer1]))
    assert sim.matrix.shape == (8, 8) and sim.per_layer.shape == (2, 4, 4)
    assert sim.collapsed_layers() == [0]
    assert ((1, 0), (1, 2), pytest.approx(1.0)) in sim.redundant(same_layer=True)
    assert all(a[0] == b[0] for a, b, _ in sim.redundant(same_layer=True))
    order = sim.order(within_layer=True)
    assert order[:4] == [(0, 0), (0, 1), (0, 2), (0, 3)] and order[4:6] == [(1, 0), (1, 2)]
    assert sorted(sim.order()) == sorted(order)


def test_pooled_similarity_is_close_to_exact_and_errors():
    rng = np.random.default_rng(2)
    x = rng.random((2, 3, 128, 128)).astype(np.float32) ** 8
    x /= x.sum(-1, keepdims=True)
    exact, pooled = attnscope.head_similarity(x, rows=None, keys=None), attnscope.head_similarity(x, keys=16)
    assert (pooled.matrix >= exact.matrix - 1e-5).all()  # coarser keys: rows closer, never further (noise merges)
    q = np.arange(128)
    sink, prev = np.zeros((128, 128), np.float32), np.zeros((128, 128), np.float32)
    sink[:, 0] = 1
    prev[q, np.maximum(q - 1, 0)] = 1
    structured = attnscope.head_similarity(np.stack([sink, prev])[None]).matrix[0, 1]
    assert structured < 0.1  # patterns that differ at scale stay apart when pooled
    with pytest.raises(ValueError, match="rows: got 0"):
        attnscope.head_similarity(x, rows=0)
    with pytest.raises(TypeError, match="exclude_bos: got 1"):
        attnscope.head_similarity(x, exclude_bos=1)
