"""attnscope.head_scores: every score on a hand-built fixture (one head per pattern), against a plain
torch computation, eager = lazy = numpy = torch, the errors, and the widgets' head_statistics()."""

import math

import numpy as np
import pytest
import torch

import attnscope
from attnscope.analysis import scores as sc
from attnscope.analysis.head_scores import section_scores
from attnscope.inputs import build
from attnscope.wire.scores import scores_of_wire

N = 8
IDS = [9, 1, 2, 3, 4, 1, 2, 3]  # 1 2 3 come again at 5 6 7: duplicates of 1 2 3, induction targets 2 3 4
HEADS = ["previous", "first", "self", "uniform", "induction", "duplicate", "offset-2", "special"]


def one_hot(rows):
    """[N, N] with row q all on key rows[q]."""
    w = np.zeros((N, N), np.float32)
    w[np.arange(N), rows] = 1
    return w


def fixture() -> np.ndarray:
    """[1, 8, N, N] causal heads, one per pattern (HEADS)."""
    q = np.arange(N)
    uniform = np.tril(np.ones((N, N), np.float32)) / (q[:, None] + 1)
    heads = [
        one_hot(np.maximum(q - 1, 0)),  # previous (row 0 on itself)
        one_hot(np.zeros(N, int)),  # first token
        one_hot(q),  # self
        uniform,
        one_hot([0, 0, 0, 0, 0, 2, 3, 4]),  # induction: rows 5 6 7 on the token after the first 1 2 3
        one_hot([0, 0, 0, 0, 0, 1, 2, 3]),  # duplicate: rows 5 6 7 on the first 1 2 3
        one_hot([0, 0, 0, 1, 2, 3, 4, 5]),  # offset -2 (rows 0, 1 on the first token)
        one_hot([0, 1, 2, 3, 3, 3, 3, 3]),  # special: rows 3.. on position 3
    ]
    return np.stack(heads)[None]


@pytest.fixture(scope="module")
def got():
    return attnscope.head_scores(fixture(), token_ids=IDS, special_positions=[3],
                                 patterns={"bos": lambda toks: np.eye(N, dtype=np.float32)[[0] * N]})


@pytest.mark.parametrize("name, head, value", [
    ("previous", "previous", 1.0),
    ("first", "first", 1.0),
    ("self", "self", 1.0),
    ("entropy", "uniform", np.mean([math.log(q + 1) for q in range(N)])),
    ("entropy_norm", "uniform", 1.0),
    ("induction", "induction", 3 / 8),  # TransformerLens: sum(A * P) / sum(A) = 3 rows of 8
    ("duplicate", "duplicate", 3 / 8),
    ("offset_mass", "offset-2", 6 / 8),  # rows 2..7 on q - 2, over all 8 rows
    ("special", "special", 5 / 8),
    ("bos", "first", 1.0),
    ("distance", "first", np.mean(np.arange(N))),  # row q on key 0: |q - 0|
])
def test_each_pattern_has_its_head_first(got, name, head, value):
    scores = got[name][0]
    assert HEADS[int(np.argmax(scores))] == head
    assert sorted(scores)[-2] < scores.max()  # exactly one head has it
    assert scores.max() == pytest.approx(value, abs=1e-6)


def test_hand_computed_values(got):
    h = {name: i for i, name in enumerate(HEADS)}
    assert got["offset"][0, h["offset-2"]] == -2 and got["distance"][0, h["offset-2"]] == pytest.approx((6 * 2 + 1) / N)
    assert got["offset"][0, h["induction"]] == -3
    assert got["offset_mass"][0, h["induction"]] == pytest.approx(4 / 8)  # rows 3 (on key 0), 5, 6, 7
    top3_uniform = np.mean([min(3, q + 1) / (q + 1) for q in range(N)])
    assert got["top3"][0, h["uniform"]] == pytest.approx(top3_uniform, abs=1e-6)
    assert got["max"][0, h["uniform"]] == pytest.approx(np.mean([1 / (q + 1) for q in range(N)]), abs=1e-6)
    assert got["top3"][0, h["self"]] == pytest.approx(1.0)
    assert got["entropy_norm"][0, h["self"]] == pytest.approx(0.0, abs=1e-6)
    assert got["local"][0, h["previous"]] == pytest.approx(1.0)
    assert got["local"][0, h["duplicate"]] == pytest.approx(3 / 8)  # rows 0, 1, 2 on key 0; rows 5.. 4 back
    assert got["previous"][0, h["duplicate"]] == pytest.approx(1 / 7)  # row 1 on key 0
    assert list(got)[:5] == ["entropy", "max", "first", "previous", "distance"]
    assert all(v.dtype == np.float32 and v.shape == (1, 8) for v in got.values())


def test_exclusions_follow_detect_head(got):
    a = fixture()
    ex = attnscope.head_scores(a, token_ids=IDS, exclude_bos=True, scores=["induction", "duplicate"])
    h = HEADS.index("induction")
    assert ex["induction"][0, h] == pytest.approx(1.0)  # the 5 rows on the first token no longer count
    both = attnscope.head_scores(a, token_ids=IDS, exclude_bos=True, exclude_current_token=True)
    assert both["duplicate"][0, HEADS.index("duplicate")] == pytest.approx(1.0)
    assert np.isnan(both["induction"][0, HEADS.index("first")])  # nothing left to count: 0 / 0


# --- an independent plain torch computation ------------------------------------------------------------------

def reference(a: torch.Tensor, ids, special, exclude_bos=False, exclude_current=False) -> dict:
    """Every score of a [L, H, n, n] float64 tensor, written out the obvious way."""
    n = a.shape[-1]
    q = torch.arange(n)
    dist = (q[:, None] - q[None, :]).abs().double()
    ent_rows = -(a * torch.log(a.clamp_min(1e-300))).sum(-1)
    causal = bool((torch.triu(a, 1) == 0).all())
    seen = (q + 1).double() if causal else torch.full((n,), float(n), dtype=torch.float64)
    norm = ent_rows[..., seen > 1] / torch.log(seen[seen > 1])
    ids_t = torch.tensor(ids)
    dup = ((ids_t[:, None] == ids_t[None, :]) & (q[None, :] < q[:, None])).double()
    ind = torch.zeros(n, n, dtype=torch.float64)
    for i in range(n):
        for j in range(1, i + 1):
            ind[i, j] = float(ids[j - 1] == ids[i])
    masked = a.clone()
    if exclude_bos:
        masked[..., 0] = 0
    if exclude_current:
        masked[..., q, q] = 0

    def mass(p):
        return (masked * p).sum((-1, -2)) / masked.sum((-1, -2))

    offsets = torch.stack([torch.diagonal(a, d, -2, -1).sum(-1) / n for d in sc.OFFSETS], -1)
    return {
        "entropy": ent_rows.mean(-1), "max": a.amax(-1).mean(-1), "first": a[..., 0].mean(-1),
        "previous": torch.diagonal(a, -1, -2, -1).mean(-1), "distance": (a * dist).sum(-1).mean(-1),
        "entropy_norm": norm.mean(-1), "top3": a.topk(3, dim=-1).values.sum(-1).mean(-1),
        "self": torch.diagonal(a, 0, -2, -1).mean(-1), "local": (a * (dist <= 2)).sum(-1).mean(-1),
        "offset": torch.tensor(sc.OFFSETS, dtype=torch.float64)[offsets.argmax(-1)],
        "offset_mass": offsets.amax(-1), "special": a[..., special].sum(-1).mean(-1),
        "duplicate": mass(dup), "induction": mass(ind),
    }


def softmax(shape, seed, causal):
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(shape, generator=g, dtype=torch.float64) * 2
    if causal:
        x = x.masked_fill(torch.triu(torch.ones(shape[-2:], dtype=torch.bool), 1), -math.inf)
    return x.softmax(-1)


@pytest.mark.parametrize("causal", [True, False])
@pytest.mark.parametrize("exclude", [(False, False), (True, False), (True, True)])
def test_scores_match_plain_torch(causal, exclude):
    a = softmax((3, 4, 20, 20), seed=1, causal=causal)
    ids = list(np.random.default_rng(2).integers(0, 5, 20))
    got = attnscope.head_scores(a.float(), token_ids=ids, special_positions=[0, 7, 19], exclude_bos=exclude[0],
                                exclude_current_token=exclude[1])
    want = reference(a, ids, [0, 7, 19], *exclude)
    assert set(got) == set(want)
    for name in want:
        np.testing.assert_allclose(got[name], want[name].numpy(), rtol=2e-5, atol=2e-6, err_msg=name)


def test_eager_lazy_numpy_and_torch_agree(monkeypatch):
    from attnscope.data import blocks

    a = softmax((3, 4, 16, 16), seed=3, causal=True).float()
    toks = list("abcdabcdabcdabcd")
    as_tuple = tuple(a[i][None] for i in range(3))  # a Hugging Face output: KeptSource over torch layers
    lazy = attnscope.head_scores(as_tuple, toks, special_positions=[0])
    (eager_sec,), _ = build.build("test", a.numpy(), toks, prettify_tokens=False, lazy=False)
    assert not eager_sec.lazy
    eager = section_scores(eager_sec, special_positions=[0])
    monkeypatch.setattr(blocks, "TORCH_FOR_NUMPY", False)
    numpy_path = attnscope.head_scores(a.numpy(), toks, special_positions=[0])
    for name in lazy:
        np.testing.assert_allclose(eager[name], lazy[name], rtol=1e-6, atol=1e-7, err_msg=name)
        np.testing.assert_allclose(numpy_path[name], lazy[name], rtol=1e-5, atol=1e-6, err_msg=name)


def test_tokens_stand_for_ids_and_punctuation():
    a = fixture()
    by_tokens = attnscope.head_scores(a, tokens=["<s>", "a", "b", "c", ",", "a", "b", "c"], punctuation=True)
    by_ids = attnscope.head_scores(a, token_ids=IDS, special_positions=[4])
    for name in ("duplicate", "induction", "special"):
        np.testing.assert_allclose(by_tokens[name], by_ids[name], err_msg=name)
    assert "duplicate" not in attnscope.head_scores(a) and "special" not in attnscope.head_scores(a)


def test_cross_attention_positional_scores_are_nan():
    cross = softmax((2, 3, 4, 6), seed=4, causal=False).float().numpy()
    res = attnscope.Attentions(encoder_attention=softmax((2, 3, 6, 6), 5, False).float().numpy(),
                               decoder_attention=softmax((2, 3, 4, 4), 6, True).float().numpy(),
                               cross_attention=cross, encoder_tokens=list("abcdef"), decoder_tokens=list("wxyz"))
    got = res.head_scores("cross")
    for name in sc.POSITIONAL:
        assert np.isnan(got[name]).all(), name
    np.testing.assert_allclose(got["first"], cross[..., 0].mean(-1), rtol=1e-6)
    assert np.isfinite(got["entropy_norm"]).all()
    assert np.isfinite(res.head_scores("decoder")["induction"]).all()


# --- bad arguments -----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("kwargs, error, words", [
    (dict(scores=["entropy", "nope"]), ValueError, "scores: unknown score name(s) ['nope']"),
    (dict(patterns={"p": np.ones((N, N - 1))}), ValueError, "patterns['p']: got shape [8, 7]; expected [8, 8]"),
    (dict(patterns={"p": lambda toks: "garbage"}), TypeError, "patterns['p']: got str"),
    (dict(patterns={"p": lambda toks: 1 / 0}), ValueError, "patterns['p']: the callable raised ZeroDivisionError"),
    (dict(patterns={"p": np.full((N, N), np.nan)}), ValueError, "patterns['p']: holds NaN"),
    (dict(patterns={"induction": np.ones((N, N))}), ValueError, "patterns['induction']: 'induction' is a score"),
    (dict(patterns=[np.ones((N, N))]), TypeError, "patterns: got list"),
    (dict(token_ids=IDS[:-1]), ValueError, "token_ids: got 7 ids; the attention has 8 positions"),
    (dict(token_ids=["a"] * N), TypeError, "token_ids: got list"),
    (dict(special_positions=[8]), ValueError, "special_positions: got [8]"),
    (dict(punctuation=True), ValueError, "punctuation: needs the tokens"),
    (dict(exclude_bos="yes"), TypeError, "exclude_bos: got 'yes'"),
])
def test_bad_arguments_are_named(kwargs, error, words):
    with pytest.raises(error) as info:
        attnscope.head_scores(fixture(), **kwargs)
    assert words in str(info.value)


def test_bad_attention_is_the_views_error():
    with pytest.raises(ValueError, match="attention"):
        attnscope.head_scores(np.ones((2, 2, 3)))


# --- widgets -----------------------------------------------------------------------------------------------------

def test_every_widget_answers_the_scores(recording_comm):
    a = softmax((2, 3, 8, 8), seed=7, causal=True).float().numpy()
    toks = ["x", "a", "b", "c", "x", "a", "b", "c"]
    eager = attnscope.head_view(a, toks, lazy=False, prettify_tokens=False)
    lazy = attnscope.head_view(a, toks, lazy=True, prettify_tokens=False)
    got, want = eager.head_statistics(), lazy.head_statistics(timeout=30)
    assert list(got) == list(want) and "induction" in got and "entropy_norm" in got
    direct = attnscope.head_scores(a, toks)
    for name in got:
        np.testing.assert_allclose(got[name], want[name], rtol=1e-6, atol=1e-7, err_msg=name)
        np.testing.assert_allclose(got[name], direct[name], rtol=1e-6, atol=1e-7, err_msg=name)
    (msg,) = [m for m in lazy.comm.messages if m["msg_type"] == "comm_msg"
              and m["data"]["content"].get("type") == "stats"]
    table = msg["data"]["content"]["scores"]
    assert table["names"] == list(want) and table["values"]["shape"] == [2, 3, len(want)]
    sent = np.frombuffer(bytes(msg["buffers"][1]), np.float32).reshape(2, 3, -1)
    np.testing.assert_array_equal(sent[..., table["names"].index("induction")], want["induction"])
    (eager_wire,) = eager.sections  # the eager widget sends its table with the section
    np.testing.assert_array_equal(scores_of_wire(eager_wire["scores"])["induction"], want["induction"])


def test_scores_as_a_data_frame(recording_comm):
    pd = pytest.importorskip("pandas")
    w = attnscope.head_view(fixture(), [str(i) for i in IDS], include_heads=[1, 4], lazy=False)
    frame = w.head_statistics(as_frame=True)
    assert isinstance(frame, pd.DataFrame) and list(frame.columns[:3]) == ["layer", "head", "entropy"]
    assert frame["head"].tolist() == [1, 4]


def test_data_frame_without_pandas_says_so(recording_comm):
    try:
        import pandas  # noqa: F401
        pytest.skip("pandas is installed")
    except ImportError:
        pass
    w = attnscope.head_view(fixture(), [str(i) for i in IDS], lazy=False)
    with pytest.raises(ImportError, match="pip install pandas"):
        w.head_scores_frame()


def test_lazy_widget_without_the_background_job_computes_them_on_demand(recording_comm, monkeypatch):
    import attnscope.widget.lazy as lazy_widget

    monkeypatch.setattr(lazy_widget, "STATS_IN_BACKGROUND", False)
    a = softmax((2, 3, 8, 8), seed=8, causal=True).float().numpy()
    w = attnscope.head_view(a, list("abcdabcd"), lazy=True, prettify_tokens=False)
    assert w._stats_job is None
    got = w.head_statistics()
    np.testing.assert_allclose(got["induction"], attnscope.head_scores(a, list("abcdabcd"))["induction"], rtol=1e-6)
    w.close()
    assert w.head_statistics().keys() == got.keys()  # closed: what was computed stays (no weights are kept)


@pytest.mark.slow
def test_from_model_gives_token_ids_and_special_positions(minilm_eager, minilm_tokenizer):
    res = attnscope.from_model(minilm_eager, minilm_tokenizer, "The cat sat on the mat, and the cat slept.")
    n = len(res.tokens)
    assert res.special_positions == [0, n - 1]  # [CLS] ... [SEP]
    assert res.token_ids.dtype == np.int64 and len(res.token_ids) == n
    assert minilm_tokenizer.convert_ids_to_tokens(res.token_ids.tolist()) == res.tokens
    got = res.head_scores()
    want = attnscope.head_scores(res.attention, res.tokens, token_ids=res.token_ids, special_positions=[0, n - 1])
    assert "special" in got and got["special"].shape == (6, 12)
    for name in want:
        np.testing.assert_array_equal(got[name], want[name])
    assert "special" not in res.head_scores(special_positions=None)  # kwargs win over the stored positions


@pytest.mark.slow
def test_a_widget_of_from_model_scores_with_the_tokenizer_ids_and_special_tokens(minilm_eager, minilm_tokenizer,
                                                                                  recording_comm):
    """The views' scores of from_model's Attentions are Attentions.head_scores(): the tokenizer's ids and
    special-token positions (before, the widget used the token strings and had no "special" score)."""
    res = attnscope.from_model(minilm_eager, minilm_tokenizer, "The cat sat on the mat, and the cat slept.")
    w = res.model_view()
    got, want = w.head_statistics(timeout=60), res.head_scores()
    assert "special" in got
    for name in want:
        np.testing.assert_allclose(got[name], want[name], rtol=1e-6, atol=1e-7, err_msg=name)
