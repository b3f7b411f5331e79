"""Lazy mode: when a view goes lazy, what its state carries, same checks as eager, no copies, memory."""

import gc
import tracemalloc
import warnings

import numpy as np
import pytest

import attnscope.validation as V
from attnscope import head_view, model_view
from attnscope.analysis.pooling import pool
from attnscope.api import dashboard
from attnscope.wire.codec import from_wire
from conftest import sent_state

torch = pytest.importorskip("torch")


def softmax(shape, seed=0, dtype=np.float32):
    x = np.random.default_rng(seed).normal(size=shape) * 2
    e = np.exp(x - x.max(-1, keepdims=True))
    return (e / e.sum(-1, keepdims=True)).astype(dtype)


A = softmax((4, 3, 6, 6))
TOK = ["[CLS]", "a", "b", "c", "d", "[SEP]"]
PAYLOAD = 4 * 3 * 6 * 6 * 2  # bytes eager sends for A (float16)


def message(exc, fn, *args, **kwargs):
    with pytest.raises(exc) as info:
        fn(*args, **kwargs)
    return str(info.value)


def sent_bytes(widget):
    (msg,) = [m for m in widget.comm.messages if m["msg_type"] == "comm_open"]
    return sum(memoryview(b).nbytes for b in msg["buffers"])


# --- when ------------------------------------------------------------------------------------------------

def test_default_threshold():
    assert V.LAZY_ABOVE_BYTES == 16_000_000


def test_auto_switch_at_the_threshold(monkeypatch, recording_comm):
    monkeypatch.setattr(V, "LAZY_ABOVE_BYTES", PAYLOAD)
    w = head_view(A, TOK)
    assert not w.lazy and "attention" in w.sections[0]
    monkeypatch.setattr(V, "LAZY_ABOVE_BYTES", PAYLOAD - 1)
    w = head_view(A, TOK)
    assert w.lazy and "attention" not in w.sections[0]
    monkeypatch.setattr(V, "LAZY_ABOVE_BYTES", 2 * 3 * 6 * 6 * 2)  # include_layers counts: 2 layers fit
    assert not head_view(A, TOK, include_layers=[1, 3]).lazy


def test_vectors_count_toward_the_threshold(monkeypatch, recording_comm):
    q = np.ones((4, 3, 6, 8), np.float32)
    monkeypatch.setattr(V, "LAZY_ABOVE_BYTES", PAYLOAD)
    assert dashboard(("neuron",), A, TOK, queries=q, keys=q, scale=0.5).lazy


def test_forced_either_way(monkeypatch, recording_comm):
    assert head_view(A, TOK, lazy=True).lazy
    monkeypatch.setattr(V, "LAZY_ABOVE_BYTES", 10)
    assert not model_view(A, TOK, lazy=False).lazy
    assert model_view(A, TOK).lazy


@pytest.mark.parametrize("bad", ["yes", 1, 0.0])
def test_lazy_argument_must_be_none_or_bool(bad):
    msg = message(TypeError, head_view, A, TOK, lazy=bad)
    assert "lazy: got" in msg and "expected None (automatic, by size), True" in msg


def test_auto_above_max_input_bytes_goes_lazy_not_error(recording_comm):
    x = torch.softmax(torch.randn(4, 4, 2048, 2048, generator=torch.Generator().manual_seed(0)), -1).half()
    toks = [f"t{i}" for i in range(2048)]
    assert 4 * 4 * 2048 * 2048 * 2 > V.MAX_INPUT_BYTES  # 134 MB to send eagerly
    w = head_view(x, toks)
    assert w.lazy and sent_bytes(w) < 1_000_000  # the summary only: the first layer (33 MB) is not included
    assert w.sections[0]["fetched"] == []
    assert "lazy=True" in message(ValueError, head_view, x, toks, lazy=False)


# --- the section on the wire ----------------------------------------------------------------------------------

def stats_messages(widget):
    """The {"type": "stats"} messages the widget sent, each with its float32 array decoded."""
    out = []
    for m in widget.comm.messages:
        content = (m["data"] or {}).get("content") if m["msg_type"] == "comm_msg" else None
        if isinstance(content, dict) and content.get("type") == "stats":
            wire = {**content["stats"], "buffer": m["buffers"][content["stats"]["buffer"]]}
            out.append((content, from_wire(wire)))
    return out


@pytest.mark.parametrize("with_torch", [True, False])
@pytest.mark.parametrize("background", [True, False])
def test_lazy_section_fields_and_summary(recording_comm, monkeypatch, with_torch, background):
    from attnscope.data import blocks
    from attnscope.widget import lazy

    monkeypatch.setattr(blocks, "TORCH_FOR_NUMPY", with_torch)  # numpy weights summarised by either engine
    monkeypatch.setattr(lazy, "STATS_IN_BACKGROUND", background)
    x = softmax((3, 4, 70, 70), seed=2)
    w = model_view(x, [str(i) for i in range(70)], include_layers=[2, 0], include_heads=[3, 1], lazy=True)
    s = sent_state(w)["sections"][0]
    assert set(s) == {"key", "label", "layers", "heads", "query_tokens", "key_tokens", "lazy", "shape", "summary",
                      "fetched"} | (set() if background else {"scores"})  # scores: in the cell, or in a message
    assert s["lazy"] is True and s["shape"] == [2, 2, 70, 70]
    assert s["layers"] == [2, 0] and s["heads"] == [3, 1]
    pooled = from_wire(s["summary"]["pooled"])
    assert s["summary"]["pooled"]["dtype"] == "float16"
    assert s["summary"]["stat_names"] == ["entropy", "max", "first", "previous", "distance"]
    if background:  # the page gets the statistics in a message once the thread has them
        assert s["summary"]["stats"] is None
        assert w._stats_job.wait(30)
        ((content, stats),) = stats_messages(w)
        assert content["section"] == "self" and content["stat_names"] == s["summary"]["stat_names"]
        assert content["stats"]["dtype"] == "float32"
    else:
        assert w._stats_job is None and stats_messages(w) == []
        stats = from_wire(s["summary"]["stats"])
        assert s["summary"]["stats"]["dtype"] == "float32"
    assert pooled.shape == (2, 2, 64, 64) and stats.shape == (2, 2, 5)
    by_name = w.head_statistics()
    assert list(by_name)[:5] == s["summary"]["stat_names"]  # then the head scores
    np.testing.assert_array_equal(np.stack(list(by_name.values())[:5], -1), stats)
    for i, layer in enumerate([2, 0]):
        for j, head in enumerate([3, 1]):
            m = x[layer, head].astype(np.float64)
            np.testing.assert_allclose(pooled[i, j], pool(m, 64, 64), rtol=2e-3, atol=1e-6)
            entropy = -(m * np.log(m)).sum(-1).mean()
            dist = (m * np.abs(np.arange(70)[:, None] - np.arange(70)[None])).sum(-1).mean()
            np.testing.assert_allclose(stats[i, j], [entropy, m.max(-1).mean(), m[:, 0].mean(),
                                                     np.diagonal(m, -1).mean(), dist], rtol=1e-5)


def test_initial_layer_fetched_when_small(monkeypatch, recording_comm):
    w = head_view(A, TOK, layer=2, lazy=True)
    (f,) = sent_state(w)["sections"][0]["fetched"]
    assert (f["section"], f["layer"], f["heads"]) == ("self", 2, [0, 1, 2])
    np.testing.assert_allclose(from_wire(f["attention"]), A[2], atol=1e-3)
    monkeypatch.setattr(V, "LAZY_ABOVE_BYTES", 4 * (3 * 6 * 6 * 2) - 1)  # a layer is above a quarter of it
    assert head_view(A, TOK, lazy=True).sections[0]["fetched"] == []


def test_encoder_decoder_sections_are_all_lazy(recording_comm):
    enc, dec, cross = softmax((2, 3, 5, 5)), softmax((3, 3, 4, 4), 1), softmax((3, 3, 4, 5), 2)
    w = model_view(encoder_attention=enc, decoder_attention=dec, cross_attention=cross,
                   encoder_tokens=list("abcde"), decoder_tokens=list("wxyz"), lazy=True)
    secs = sent_state(w)["sections"]
    assert [(s["key"], s["shape"]) for s in secs] == [("encoder", [2, 3, 5, 5]), ("decoder", [3, 3, 4, 4]),
                                                     ("cross", [3, 3, 4, 5])]
    assert [len(s["fetched"]) for s in secs] == [1, 0, 0]  # the shown layer of the shown section
    cross_stats = w.head_statistics("cross", timeout=30)
    assert np.all(np.isnan(cross_stats["previous"])) and np.all(np.isnan(cross_stats["distance"]))  # not for cross
    assert np.all(w.head_statistics("decoder")["distance"] > 0)
    assert [c["section"] for c, _ in stats_messages(w)] == ["encoder", "decoder", "cross"]
    np.testing.assert_allclose(from_wire(secs[2]["summary"]["pooled"]), cross, atol=1e-3)


def test_vectors_travel_with_slices_not_in_the_section(recording_comm):
    q, k = softmax((4, 3, 6, 8), 3), softmax((4, 3, 6, 8), 4)
    w = dashboard(("neuron",), A, TOK, queries=q, keys=k, scale=0.25, causal=True, lazy=True)
    s = sent_state(w)["sections"][0]
    assert "queries" not in s and "keys" not in s
    assert (s["head_dim"], s["scale"], s["causal"]) == (8, 0.25, True)
    np.testing.assert_array_equal(from_wire(s["fetched"][0]["queries"]), q[0])
    np.testing.assert_array_equal(from_wire(s["fetched"][0]["keys"]), k[0])


def test_no_float_lists_in_the_lazy_state(recording_comm):
    from test_wire_state import float_lists

    w = head_view(A, TOK, lazy=True)
    assert float_lists(sent_state(w)) == []


def test_traits_use_the_lazy_shape(recording_comm):
    w = model_view(A, TOK, include_layers=[3, 1], include_heads=[2, 0], lazy=True)
    w.heads = [2]
    with pytest.raises(Exception, match="heads"):
        w.heads = [1]
    with pytest.raises(Exception, match="layer: 0 is not one of"):
        w.layer = 0
    w.selection = {"layer": 1, "heads": [0], "open_head": {"layer": 3, "head": 2}}
    assert w.selection["heads"] == [0]


# --- same checks as eager ---------------------------------------------------------------------------------------

def bad(value, where, layer=3):
    a = softmax((5, 3, 6, 6))
    a[(layer,) + where] = value
    return a


@pytest.mark.parametrize("make", [
    lambda: bad(np.nan, (1, 2, 4)),
    lambda: bad(np.inf, (0, 5, 0), layer=4),
    lambda: bad(-0.25, (2, 0, 1), layer=0),
    lambda: torch.tensor(bad(7e4, (1, 1, 1))).half(),  # float16 overflow: inf
    lambda: tuple(torch.tensor(bad(np.nan, (2, 3, 3)))[i:i + 1] for i in range(5)),  # HF tuple
    lambda: bad(-1.0, (0, 0, 0), layer=2)[:, None],  # [L, 1, H, Q, K]
], ids=["nan", "inf", "negative", "torch-f16-overflow", "hf-tuple", "batch-of-one"])
def test_weight_errors_match_eager(make):
    eager = message(ValueError, head_view, make(), TOK, lazy=False)
    assert message(ValueError, head_view, make(), TOK, lazy=True) == eager
    assert "layer" in eager and "head" in eager


def test_negative_then_nan_reports_the_nan_as_eager_does():
    a = bad(-1.0, (0, 0, 0), layer=0)
    a[3, 1, 2, 3] = np.nan
    msg = message(ValueError, head_view, a, TOK, lazy=True)
    assert "contains nan at layer 3, head 1 (query 2, key 3)" in msg


def test_row_sum_warning_matches_eager_and_names_the_worst_row_over_all_layers():
    a = softmax((5, 3, 6, 6))
    a[0, 1, 2] *= 1.2
    a[4, 2, 5] *= 2.0
    a[2, 0, 0] *= 0.7

    def warned(lazy):
        with pytest.warns(UserWarning) as rec:
            head_view(a, TOK, lazy=lazy)
        return [str(r.message) for r in rec if "sum to 1" in str(r.message)]

    (eager,) = warned(False)
    assert warned(True) == [eager]
    assert "3 of 90 rows" in eager and "layer 4, head 2, query 5, sums to 2" in eager


@pytest.mark.parametrize("args, kwargs", [
    ((tuple(torch.ones(2, 3, 6, 6) / 6 for _ in range(2)), TOK), {}),  # batch of 2 per layer
    ((np.ones((3, 6, 6)) / 6, TOK), {}),  # 3 dimensions
    ((np.ones((2, 3, 6, 4)) / 4, TOK), {}),  # not square
    ((np.ones((2, 0, 6, 6)), TOK), {}),  # no heads
    ((A, TOK[:5]), {}),  # token count
    ((A.astype(np.complex64), TOK), {}),
    ((torch.empty(2, 3, 6, 6, device="meta"), TOK), {}),
    ((A, TOK), {"include_layers": [4]}),
    ((A, TOK), {"include_heads": [0, 0]}),
    ((A, TOK), {"layer": 2, "include_layers": [1]}),
    ((A, TOK), {"sentence_b_start": 6}),
    (((), TOK), {}),
    (([[[[0.5, 0.5], [1.0]]]], ["a", "b"]), {}),  # ragged nested lists
    ((A, TOK), {"queries": np.ones((4, 3, 6, 8)), "keys": np.ones((4, 3, 5, 8))}),
    ((A, TOK), {"queries": np.full((4, 3, 6, 8), np.inf), "keys": np.ones((4, 3, 6, 8))}),
    ((A, TOK), {"queries": np.ones((4, 3, 6, 8)), "keys": np.ones((4, 3, 6, 8)), "scale": -1}),
], ids=["batch", "ndim", "square", "empty", "tokens", "complex", "meta", "include-layers", "include-heads",
        "layer", "sentence-b", "empty-tuple", "ragged", "vector-shapes", "vector-inf", "scale"])
def test_argument_errors_match_eager(args, kwargs):
    def run(lazy):
        with pytest.raises((TypeError, ValueError)) as info:
            dashboard(("model",), *args, **kwargs, lazy=lazy)
        return type(info.value), str(info.value)

    assert run(True) == run(False)


# --- no copies, bounded memory --------------------------------------------------------------------------------------

def kept(widget, key="self"):
    return widget._kept[key].source.value


def test_the_callers_tensors_are_kept_as_they_are(recording_comm):
    t = torch.tensor(A).half()
    layers = tuple(t[i:i + 1] for i in range(4))  # a Hugging Face tuple, [1, H, Q, K] per layer
    assert kept(head_view(layers, TOK, lazy=True)) is layers
    assert kept(head_view(t, TOK, include_layers=[1], lazy=True)) is t
    five = A[:, None]
    assert kept(head_view(five, TOK, lazy=True)) is five
    w = dashboard(("neuron",), A, TOK, queries=A[..., :4], keys=A[..., :4], lazy=True)
    assert w._kept["self"].vectors.queries.value.base is A  # the caller's view, not a copy


def test_nested_lists_are_converted_once(recording_comm):
    w = head_view(A.tolist(), TOK, lazy=True)
    assert isinstance(kept(w), np.ndarray) and kept(w).shape == A.shape


def test_numpy_build_memory_stays_small(recording_comm, monkeypatch):
    """A ~200 MB float16 numpy input: building and displaying the lazy widget allocates < 20% of it."""
    from attnscope.data import blocks

    monkeypatch.setattr(blocks, "TORCH_FOR_NUMPY", False)  # numpy buffers: tracemalloc sees them
    one = softmax((16, 1024, 1024), seed=5, dtype=np.float16)
    x = np.empty((6,) + one.shape, np.float16)
    x[:] = one  # every layer the same: only the memory matters here
    del one
    toks = [str(i) for i in range(1024)]
    gc.collect()
    tracemalloc.start()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # float16 rows sum to 1 within 1e-2 anyway
            w = head_view(x, toks)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert w.lazy and kept(w) is x
    print(f"lazy build of {x.nbytes / 1e6:.0f} MB: peak {peak / 1e6:.1f} MB traced")
    assert peak < 0.2 * x.nbytes, f"peak {peak / x.nbytes:.1%} of the input"


def test_torch_build_reads_a_few_heads_at_a_time(monkeypatch, recording_comm):
    """torch allocations are not traced: check that no block of weights larger than the limit is read."""
    from attnscope.data.source import KeptSource

    sizes = []
    original = KeptSource.read

    def spy(self, layer, heads, out=None):
        if out is not None:  # a block read (out=None: one head of a slice sent to the page)
            sizes.append(len(heads) * out.shape[1] * out.shape[2] * 4)
        return original(self, layer, heads, out)

    monkeypatch.setattr(KeptSource, "read", spy)
    x = torch.tensor(softmax((2, 8, 256, 256), seed=6)).half()
    w = head_view(x, [str(i) for i in range(256)], lazy=True)
    assert w._stats_job.wait(30)  # the statistics read the weights again, in the same blocks
    assert len(sizes) == 2 * 2 * 8 and max(sizes) == 256 * 256 * 4  # 2 MB of weights: one head per block


# --- head statistics after the display ---------------------------------------------------------------------------

def test_eager_widgets_answer_head_statistics_as_lazy_ones_do(recording_comm):
    eager, lazy = head_view(A, TOK, lazy=False), head_view(A, TOK, lazy=True)
    assert not eager.lazy and lazy.lazy
    got, want = eager.head_statistics(), lazy.head_statistics(timeout=30)
    assert list(got)[:5] == ["entropy", "max", "first", "previous", "distance"]  # then the head scores
    for name in got:
        np.testing.assert_allclose(got[name], want[name], rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(got["max"], A.astype(np.float64).max(-1).mean(-1), rtol=1e-6)
    part = head_view(A, TOK, lazy=False, include_layers=[3, 1]).head_statistics()
    np.testing.assert_allclose(part["entropy"], got["entropy"][[3, 1]], rtol=1e-6)  # rows: the real layers shown


def test_head_statistics_errors_name_the_way_out(recording_comm):
    for w in (head_view(A, TOK, lazy=True), head_view(A, TOK, lazy=False)):
        assert "'nope' is not one of the sections" in message(ValueError, w.head_statistics, "nope")


def test_closing_stops_the_statistics_and_sends_nothing(recording_comm, monkeypatch):
    from attnscope.widget import stats_job

    started, release = __import__("threading").Event(), __import__("threading").Event()
    real = stats_job.head_statistics

    def slow(*args, cancelled, **kwargs):
        started.set()
        release.wait(10)
        return real(*args, cancelled=cancelled, **kwargs)

    monkeypatch.setattr(stats_job, "head_statistics", slow)
    w = head_view(A, TOK, lazy=True)
    job = w._stats_job
    assert started.wait(10)
    comm = w.comm
    w.close()
    release.set()
    assert job.wait(10) and job.results == {}  # cancelled before the first block
    assert [m for m in comm.messages if (m["data"] or {}).get("content", {}).get("type") == "stats"] == []
    assert "closed" in message(RuntimeError, w.head_statistics)


def test_statistics_reach_save_html_once_computed(recording_comm, tmp_path):
    w = head_view(A, TOK, lazy=True)
    assert w._stats_job.wait(30)
    assert w.sections[0]["summary"]["stats"] is not None  # kept in the state for save_html and pictures
    stats = from_wire(w.sections[0]["summary"]["stats"])
    m = A.astype(np.float64)
    np.testing.assert_allclose(stats[..., 1], m.max(-1).mean(-1), rtol=1e-6)  # "max": mean of each row's top
