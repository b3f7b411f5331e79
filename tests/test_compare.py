"""attnscope.compare: the difference B - A, the per-head change scores against an independent torch (and
scipy) computation, the sections and their wire fields, the errors, and real runs (MiniLM, random BERTs)."""

import math
import re

import numpy as np
import pytest

import attnscope
from attnscope.analysis.compare import change_scores, difference, row_changes
from attnscope.wire.codec import from_wire
from conftest import sent_state

torch = pytest.importorskip("torch")


def softmax_stack(shape, seed, causal=False):
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(*shape, generator=g, dtype=torch.float64) * 2
    if causal:
        n = shape[-1]
        x = x.masked_fill(torch.triu(torch.ones(n, n, dtype=torch.bool), 1), float("-inf"))
    return torch.softmax(x, -1)


def reference_scores(a, b):
    """mean over queries of TV distance and of JS divergence (bits), written with torch, float64."""
    a, b = torch.as_tensor(np.asarray(a, np.float64)), torch.as_tensor(np.asarray(b, np.float64))
    tvd = (b - a).abs().sum(-1).div(2).mean(-1)
    m = (a + b) / 2

    def kl(p, q):
        terms = torch.where(p > 0, p * torch.log(p / q), torch.zeros_like(p))
        return terms.sum(-1)

    js = ((kl(a, m) + kl(b, m)) / 2 / math.log(2)).mean(-1)
    return {"mean_abs_diff": tvd.numpy(), "js_divergence": js.numpy()}


TOKENS = ["The", "trophy", "did", "n't", "fit", "."]


@pytest.mark.parametrize("noise", [0.0, 0.05])
def test_one_changed_head_ranks_first_in_both_scores(noise):
    a = softmax_stack((3, 4, 6, 6), 0)
    other = softmax_stack((3, 4, 6, 6), 1)
    b = (1 - noise) * a + noise * other  # every head moves a little (or not at all)
    b[2, 1] = other[2, 1]  # and one head completely
    scores = change_scores(a.float().numpy(), b.float().numpy())
    for name, s in scores.items():
        assert s.shape == (3, 4) and s.dtype == np.float32
        assert np.unravel_index(np.argmax(s), s.shape) == (2, 1), name
        if noise == 0.0:
            rest = np.delete(s.ravel(), 2 * 4 + 1)
            assert np.all(rest == 0), name


def test_identical_inputs_give_exactly_zero():
    a = softmax_stack((2, 3, 5, 5), 2, causal=True).float()
    for x, y in ((a, a.clone()), (a.numpy(), a.numpy().copy()), (a.half(), a.half().clone())):
        assert all(np.all(s == 0) for s in change_scores(x, y).values())
        assert np.all(difference(x, y) == 0)


@pytest.mark.parametrize("kind", ["numpy", "torch32", "torch16", "tuple", "lists"])
@pytest.mark.parametrize("causal", [False, True])
def test_scores_and_difference_match_torch(kind, causal):
    a64, b64 = softmax_stack((2, 3, 7, 7), 3, causal), softmax_stack((2, 3, 7, 7), 4, causal)
    convert = {"numpy": lambda x: x.float().numpy(), "torch32": lambda x: x.float(), "torch16": lambda x: x.half(),
               "tuple": lambda x: tuple(layer[None].float() for layer in x),
               "lists": lambda x: x.float().tolist()}[kind]
    a, b = convert(a64), convert(b64)
    a_seen = a64.half().double() if kind == "torch16" else a64.float().double()  # what attnscope reads
    b_seen = b64.half().double() if kind == "torch16" else b64.float().double()
    got = change_scores(a, b)
    want = reference_scores(a_seen, b_seen)
    for name in want:
        np.testing.assert_allclose(got[name], want[name], rtol=1e-5, atol=1e-6, err_msg=name)
        assert np.all((got[name] >= 0) & (got[name] <= 1))
    np.testing.assert_allclose(difference(a, b), (b_seen - a_seen).float().numpy(), atol=1e-7)


def test_row_scores_match_scipy():
    distance = pytest.importorskip("scipy.spatial.distance")
    a, b = softmax_stack((1, 4, 9), 5)[0].numpy(), softmax_stack((1, 4, 9), 6)[0].numpy()
    a[0, :4] = 0  # zeros on one side only
    a[0] /= a[0].sum()
    tvd, js = row_changes(a[None], b[None])
    for q in range(4):
        assert js[0, q] == pytest.approx(distance.jensenshannon(a[q], b[q], base=2) ** 2, rel=1e-9)
        assert tvd[0, q] == pytest.approx(0.5 * np.abs(a[q] - b[q]).sum(), rel=1e-12)


@pytest.mark.parametrize(("a", "b", "tvd", "js"), [
    ([1.0, 0.0], [0.0, 1.0], 1.0, 1.0),  # disjoint supports: the upper bound of both
    ([0.5, 0.5], [0.5, 0.5], 0.0, 0.0),
    ([1.0, 0.0], [0.5, 0.5], 0.5, 0.5 * (math.log2(1 / 0.75) + 0.5 * math.log2(0.5 / 0.75) + 0.5 * 1.0)),
])
@pytest.mark.parametrize("as_torch", [False, True])
def test_row_changes_known_values(a, b, tvd, js, as_torch):
    x, y = np.array([[a]]), np.array([[b]])
    if as_torch:
        x, y = torch.tensor(x), torch.tensor(y)
    got_tvd, got_js = row_changes(x, y)
    assert got_tvd[0, 0] == pytest.approx(tvd, abs=1e-12)
    assert got_js[0, 0] == pytest.approx(js, abs=1e-12)


def test_shape_mismatch_names_both_shapes():
    a, b = softmax_stack((2, 3, 5, 5), 0).numpy(), softmax_stack((2, 4, 5, 5), 0).numpy()
    with pytest.raises(ValueError, match=r"\[2, 3, 5, 5\].*\[2, 4, 5, 5\]"):
        attnscope.compare(a, b, tokens=TOKENS[:5])
    shorter = softmax_stack((2, 3, 6, 6), 0).numpy()
    with pytest.raises(ValueError, match=r"\[2, 3, 5, 5\].*\[2, 3, 6, 6\].*number of tokens"):
        attnscope.compare(a, shorter, tokens=(TOKENS[:5], TOKENS))
    with pytest.raises(ValueError, match=r"change_scores: a has shape \[2, 3, 5, 5\] and b has shape \[2, 4, 5, 5\]"):
        change_scores(a, b)


def test_argument_errors_name_the_argument():
    a = softmax_stack((1, 2, 6, 6), 0).numpy()
    with pytest.raises(ValueError, match="labels: .*two non-empty strings"):
        attnscope.compare(a, a, labels=("only one",), tokens=TOKENS)
    with pytest.raises(ValueError, match="labels: .*must differ"):
        attnscope.compare(a, a, labels=("x", "x"), tokens=TOKENS)
    with pytest.raises(TypeError, match="tokens: missing"):
        attnscope.compare(a, a)
    with pytest.raises(ValueError, match=r"tokens \(b\): got 5 tokens"):
        attnscope.compare(a, a, tokens=(TOKENS, TOKENS[:5]))
    bad = a.copy()
    bad[0, 1, 2, 3] = -0.5
    with pytest.raises(ValueError, match=r"compare: b \('B'\): .*negative weight"):
        attnscope.compare(a, bad, tokens=TOKENS)
    with pytest.raises(ValueError, match=r"compare: b \('B'\): .*negative weight"):
        attnscope.compare(torch.tensor(a), torch.tensor(bad), tokens=TOKENS, lazy=True)


def test_sections_and_wire(recording_comm):
    a = softmax_stack((2, 3, 6, 6), 7)
    b = softmax_stack((2, 3, 6, 6), 8)
    toks_b = TOKENS[:4] + ["slip", "."]
    w = attnscope.compare(a.numpy(), b.numpy(), labels=("before", "after"), tokens=(TOKENS, toks_b))
    state = sent_state(w)
    by_key = {s["key"]: s for s in state["sections"]}
    assert list(by_key) == ["a", "b", "difference"] and state["section"] == "difference"
    assert [by_key[k]["label"] for k in by_key] == ["before", "after", "after \u2212 before"]
    diff = by_key["difference"]
    assert diff["derived"] == "difference" and diff["derived_from"] == "b"
    assert diff["params"] == {"a": "before", "b": "after"}
    assert all(s["differing_tokens"] == [4] for s in by_key.values())
    assert diff["query_tokens"][4] == "fit \u2192 slip" and by_key["b"]["query_tokens"][4] == "slip"
    sent = from_wire(diff["attention"]).astype(np.float32)
    want = (b.float() - a.float()).numpy()
    assert sent.min() < 0  # signed values travel
    np.testing.assert_allclose(sent, want, atol=1e-3)  # float16
    scores = from_wire(diff["scores"]["values"])  # attnscope.wire.scores' form: names, values (no labels)
    assert diff["scores"]["names"] == ["mean_abs_diff", "js_divergence"] and scores.shape == (2, 3, 2)
    assert diff["scores"]["labels"] == []
    ref = reference_scores(a.float().double(), b.float().double())
    np.testing.assert_allclose(scores[..., 1], ref["js_divergence"], rtol=1e-5)
    stats = w.head_statistics("difference")
    np.testing.assert_allclose(stats["mean_abs_diff"], ref["mean_abs_diff"], rtol=1e-5)
    assert "entropy" in w.head_statistics("a") and "scores" not in by_key["a"]  # a's come after the display


def test_lazy_comparison_keeps_signed_difference():
    a = softmax_stack((2, 2, 5, 5), 9).float()
    b = softmax_stack((2, 2, 5, 5), 10).float()
    with _no_row_sum_warning():
        w = attnscope.compare(a, b, tokens=TOKENS[:5], lazy=True)
    assert w.lazy and [s["key"] for s in w.sections] == ["a", "b", "difference"]
    diff = next(s for s in w.sections if s["key"] == "difference")
    assert from_wire(diff["summary"]["pooled"]).min() < 0
    ref = reference_scores(a.double(), b.double())
    np.testing.assert_allclose(w.head_statistics("difference", timeout=60)["js_divergence"], ref["js_divergence"],
                               rtol=1e-5)
    reply, buffers = w._answer({"type": "fetch", "id": 1, "section": "difference", "layer": 1, "heads": [0, 1]})
    assert reply["type"] == "slice", reply
    got = np.frombuffer(bytes(buffers[0]), np.float16).reshape(2, 5, 5)
    np.testing.assert_allclose(got, (b - a)[1].numpy(), atol=1e-3)


class _no_row_sum_warning:
    def __enter__(self):
        import warnings

        self._ctx = warnings.catch_warnings()
        self._ctx.__enter__()
        warnings.filterwarnings("error", message=".*rows should sum to 1.*")

    def __exit__(self, *exc):
        return self._ctx.__exit__(*exc)


COREF = ("The trophy didn't fit into the suitcase because it was too large.",
         "The trophy didn't fit into the suitcase because it was too small.")


def test_coreference_pair_on_minilm(minilm):
    model, tok = minilm
    run_a, run_b = (attnscope.from_model(model, tok, text) for text in COREF)
    w = run_a.compare(run_b, labels=("large", "small"))
    by_key = {s.key: s for s in w._checked.values()}
    diff = by_key["difference"]
    pos = run_a.tokens.index("large")
    assert run_b.tokens[pos] == "small"
    assert diff.differing_tokens == [pos] and diff.query_tokens[pos] == "large \u2192 small"
    for name, s in diff.scores.items():
        assert s.shape == (6, 12) and np.all(np.isfinite(s)) and np.all((s >= 0) & (s <= 1)), name
        assert s.max() > 0
    ref = reference_scores(run_a.attention, run_b.attention)
    np.testing.assert_allclose(diff.scores["js_divergence"], ref["js_divergence"], rtol=1e-4, atol=1e-7)
    np.testing.assert_allclose(diff.source.array, run_b.attention - run_a.attention, atol=1e-7)


def _bert(seed):
    from transformers import BertConfig, BertModel

    torch.manual_seed(seed)
    cfg = BertConfig(vocab_size=30522, hidden_size=32, num_hidden_layers=2, num_attention_heads=4,
                     intermediate_size=64, max_position_embeddings=64)
    return BertModel(cfg)


def test_compare_models_random_berts(minilm_tokenizer):
    text = "the cat sat on the mat"
    w = attnscope.compare_models(_bert(0), _bert(1), minilm_tokenizer, text, labels=("seed 0", "seed 1"))
    diff = w._checked["difference"]
    assert diff.shape == (2, 4, 8, 8)
    assert all(np.all(s > 0) for s in diff.scores.values())  # every head differs between two random models
    same = attnscope.compare_models(_bert(0), _bert(0), minilm_tokenizer, text, max_length=5)
    same_diff = same._checked["difference"]
    assert same_diff.shape == (2, 4, 5, 5) and same_diff.differing_tokens == []
    assert all(np.all(s == 0) for s in same_diff.scores.values()) and np.all(same_diff.source.array == 0)


def test_mismatched_attentions_and_arrays(minilm_tokenizer):
    run = attnscope.from_model(_bert(0), minilm_tokenizer, "a short text")
    other = attnscope.from_model(_bert(0), minilm_tokenizer, "a somewhat longer text here")
    with pytest.raises(ValueError, match=r"shape \[2, 4, 5, 5\] and b .* shape \[2, 4, 7, 7\]"):
        run.compare(other)
    with pytest.raises(TypeError, match="a is an Attentions but b is ndarray"):
        attnscope.compare(run, run.attention)
    with pytest.raises(ValueError, match="tokens: not for two Attentions"):
        attnscope.compare(run, run, tokens=run.tokens)


def test_the_grid_of_a_comparison_is_coloured_by_the_change(recording_comm):
    a = softmax_stack((2, 3, 5, 5), 21).float()
    b = a.clone()
    b[1, 2] = softmax_stack((1, 1, 5, 5), 22).float()[0, 0]  # only layer 1, head 2 changes
    w = attnscope.compare(a, b, tokens=TOKENS[:5], views=("model",), sort="rank", top=3)
    assert (w.view_options["score"], w.view_options["sort"], w.view_options["top"]) == ("js_divergence", "rank", 3)
    diff = next(s for s in w.sections if s["key"] == "difference")
    table = diff["scores"]
    js = from_wire(table["values"])[..., table["names"].index("js_divergence")]
    assert np.unravel_index(np.argmax(js), js.shape) == (1, 2) and np.count_nonzero(js) == 1


def test_the_static_pictures_of_a_difference_show_its_sign_and_size(recording_comm):
    from attnscope.output.static_svg import render_svg

    a = softmax_stack((2, 2, 5, 5), 31).float().numpy()
    b = softmax_stack((2, 2, 5, 5), 32).float().numpy()
    head = render_svg(attnscope.compare(a, b, tokens=TOKENS[:5], views=("head",), labels=("x", "y"))._state())
    assert 'stroke="#b2182b"' in head and 'stroke="#2166ac"' in head  # gained red, lost blue
    assert "y &gt; x" in head and "y &lt; x" in head
    opacities = [float(v) for v in re.findall(r'stroke-opacity="([0-9.]+)"', head)]
    assert max(opacities) == 1.0  # the largest |difference| of the shown heads is opaque
    grid = render_svg(attnscope.compare(a, b, tokens=TOKENS[:5], views=("model",))._state())
    assert "drawn is its size |B − A|" in grid
