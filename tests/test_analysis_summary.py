"""Lazy summary math (attnscope.analysis): pooled thumbnails and head statistics against direct loops."""

import math

import numpy as np
import pytest

from attnscope.analysis.head_stats import STAT_NAMES
from attnscope.analysis.pooling import pool
from attnscope.analysis.summary import Summarizer
from attnscope.constants import SUMMARY_RESOLUTION

torch = pytest.importorskip("torch")


def softmax(shape, seed=0, scale=2.0):
    x = np.random.default_rng(seed).normal(size=shape) * scale
    e = np.exp(x - x.max(-1, keepdims=True))
    return (e / e.sum(-1, keepdims=True)).astype(np.float32)


def as_backend(w, backend):
    return torch.from_numpy(w.copy()) if backend == "torch" else w.copy()


def loop_pool(m, rows, cols):
    """poolMatrix of src/render/thumbnails.ts: query q -> row floor(q * rows / Q), key k -> col floor(k * cols / K)."""
    n_q, n_k = m.shape
    total, count = np.zeros((rows, cols)), np.zeros((rows, cols))
    for q in range(n_q):
        for k in range(n_k):
            total[q * rows // n_q, k * cols // n_k] += m[q, k]
            count[q * rows // n_q, k * cols // n_k] += 1
    return total / count


def direct_stats(m, same):
    """The five statistics of one head [Q, K] in float64, written out row by row."""
    m = m.astype(np.float64)
    n_q, n_k = m.shape
    ent = np.mean([-sum(w * math.log(w) for w in row if w > 0) for row in m])
    top = np.mean([row.max() for row in m])
    first = np.mean(m[:, 0])
    if same and n_q == n_k:
        prev = np.mean([m[q, q - 1] for q in range(1, n_q)]) if n_q > 1 else 0.0
        dist = np.mean([sum(m[q, k] * abs(q - k) for k in range(n_k)) for q in range(n_q)])
    else:
        prev = dist = 0.0
    return [ent, top, first, prev, dist]


def test_names_and_resolution():
    assert STAT_NAMES == ("entropy", "max", "first", "previous", "distance")
    assert SUMMARY_RESOLUTION == 64


@pytest.mark.parametrize("backend", ["numpy", "torch"])
def test_pooling_uneven_bins_matches_the_loop(backend):
    w = softmax((2, 70, 130))
    b = Summarizer(70, 130, same_positions=False)(as_backend(w, backend))
    assert b.pooled.shape == (2, 64, 64) and b.pooled.dtype == np.float32
    for h in range(2):
        np.testing.assert_allclose(b.pooled[h], loop_pool(w[h], 64, 64), rtol=1e-5, atol=1e-9)


@pytest.mark.parametrize("backend", ["numpy", "torch"])
def test_pooling_equal_bins_matches_the_loop(backend):
    w = softmax((3, 128, 192), seed=1)  # 2 x 3 cells: the reshape path of torch
    b = Summarizer(128, 192, same_positions=False)(as_backend(w, backend))
    for h in range(3):
        np.testing.assert_allclose(b.pooled[h], loop_pool(w[h], 64, 64), rtol=1e-5, atol=1e-9)


@pytest.mark.parametrize("backend", ["numpy", "torch"])
def test_small_heads_are_not_pooled(backend):
    w = softmax((2, 5, 7))
    b = Summarizer(5, 7, same_positions=False)(as_backend(w, backend))
    np.testing.assert_array_equal(b.pooled, w)


def test_pool_function_shape_and_means():
    m = np.arange(2 * 3 * 10 * 6, dtype=np.float32).reshape(2, 3, 10, 6)
    out = pool(m, 4, 3)
    assert out.shape == (2, 3, 4, 3)
    np.testing.assert_allclose(out[1, 2], loop_pool(m[1, 2], 4, 3), rtol=1e-6)


@pytest.mark.parametrize("backend", ["numpy", "torch"])
@pytest.mark.parametrize("n_q, n_k, same", [(70, 70, True), (70, 130, False), (9, 9, False), (1, 1, True)])
def test_stats_match_direct_computation(backend, n_q, n_k, same):
    w = softmax((3, n_q, n_k), seed=n_q + n_k)
    b = Summarizer(n_q, n_k, same)(as_backend(w, backend))
    assert b.stats.shape == (3, 5)
    for h in range(3):
        np.testing.assert_allclose(b.stats[h], direct_stats(w[h], same), rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(b.row_sums, w.astype(np.float64).sum(-1), rtol=1e-6)
    assert (b.lo, b.hi) == (float(w.min()), float(w.max()))


@pytest.mark.parametrize("backend", ["numpy", "torch"])
def test_stats_of_hand_made_heads(backend):
    n = 6
    uniform = np.full((n, n), 1 / n, np.float32)
    identity = np.eye(n, dtype=np.float32)
    previous = np.eye(n, k=-1, dtype=np.float32)
    previous[0, 0] = 1  # the first token can only look at itself
    w = np.stack([uniform, identity, previous])
    b = Summarizer(n, n, same_positions=True)(as_backend(w, backend))
    mean_offset = np.mean([sum(abs(q - k) for k in range(n)) / n for q in range(n)])  # 35 / 18
    expected = [
        [math.log(n), 1 / n, 1 / n, 1 / n, mean_offset],  # uniform
        [0.0, 1.0, 1 / n, 0.0, 0.0],  # identity: attends to itself
        [0.0, 1.0, 2 / n, 1.0, (n - 1) / n],  # previous token: q=0 and q=1 both look at key 0
    ]
    np.testing.assert_allclose(b.stats, expected, rtol=1e-6, atol=1e-7)


def test_cross_attention_has_no_previous_or_distance():
    n = 6
    w = np.eye(n, k=-1, dtype=np.float32)[None]
    w[0, 0, 0] = 1
    b = Summarizer(n, n, same_positions=False)(w)  # square, but queries and keys are different tokens
    assert b.stats[0, 3] == 0 and b.stats[0, 4] == 0 and b.stats[0, 1] == 1


@pytest.mark.parametrize("backend", ["numpy", "torch"])
@pytest.mark.parametrize("bad", [np.nan, np.inf, -0.5])
def test_block_with_bad_weights_stops_early(backend, bad):
    w = softmax((2, 4, 4))
    w[1, 2, 3] = bad
    b = Summarizer(4, 4, True)(as_backend(w, backend))
    assert b.pooled is None and b.stats is None
    if bad < 0:
        assert b.lo == pytest.approx(-0.5)
    else:
        assert not (np.isfinite(b.lo) and np.isfinite(b.hi))


def test_torch_and_numpy_agree_and_scratch_is_reused():
    w = softmax((4, 100, 100), seed=3)
    s = Summarizer(100, 100, True)
    a, b = s(torch.from_numpy(w.copy())), Summarizer(100, 100, True)(w.copy())
    np.testing.assert_allclose(a.stats, b.stats, rtol=1e-6)
    np.testing.assert_allclose(a.pooled, b.pooled, rtol=1e-5)
    scratch = s.head_stats._scratch
    s(torch.from_numpy(w[:2].copy()))  # a smaller last block uses the same scratch memory
    assert s.head_stats._scratch is scratch
