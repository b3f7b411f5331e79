"""attnscope.probe_induction on SmolLM2 (real induction heads) and a random-weight model of its config
(none), its scores against head_scores, and its errors."""

import numpy as np
import pytest

import attnscope

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def probe(smollm2):
    model, tokenizer = smollm2
    return attnscope.probe_induction(model, tokenizer)


def test_smollm2_has_induction_heads(probe):
    assert probe.scores.shape == (30, 9) and probe.scores.dtype == np.float32
    (layer, head, score), *_ = probe.top(3)
    assert score > 0.5
    assert probe.scores[layer, head] == score and score == probe.scores.max()
    assert [s for _, _, s in probe.top(5)] == sorted(probe.scores.ravel(), reverse=True)[:5]


def test_the_probe_input_and_its_attentions(probe, smollm2):
    _, tokenizer = smollm2
    ids = probe.token_ids
    assert ids.shape[0] == 10 and ids.shape[1] in (100, 101)
    offset = ids.shape[1] - 100
    np.testing.assert_array_equal(ids[:, offset:offset + 50], ids[:, offset + 50:])  # repeated twice
    assert not set(ids[:, offset:].ravel()) & set(tokenizer.all_special_ids)
    att = probe.attentions
    assert att.attention.shape == (30, 9, ids.shape[1], ids.shape[1]) and len(att.tokens) == ids.shape[1]
    # the first sequence's own score, by head_scores' induction pattern over the rows of the second repeat
    layer, head, _ = probe.top(1)[0]
    a = att.attention[layer, head]
    rows = np.arange(offset + 50, ids.shape[1])
    assert a[rows, rows - 49].mean() > 0.5
    scores = att.head_scores(exclude_bos=True)
    assert scores["induction"][layer, head] > 0.5  # detect_head's ratio agrees once the BOS sink is left out


def test_random_weights_have_no_induction_head(smollm2):
    import torch
    from transformers import LlamaForCausalLM

    model, tokenizer = smollm2
    torch.manual_seed(0)
    random_model = LlamaForCausalLM(model.config).eval()
    probe = attnscope.probe_induction(random_model, tokenizer, batch=4)
    assert probe.scores.max() < 0.5  # (about 0.02: no head finds the earlier occurrence)


def test_probe_without_tokenizer_and_errors(smollm2, minilm_eager):
    model, _ = smollm2
    probe = attnscope.probe_induction(model, seq_len=20, batch=2, seed=1)
    assert probe.token_ids.shape == (2, 40) and probe.top(1)[0][2] > 0.3
    with pytest.raises(ValueError, match="not causal"):
        attnscope.probe_induction(minilm_eager, seq_len=8, batch=1)
    with pytest.raises(ValueError, match="seq_len: got 1"):
        attnscope.probe_induction(model, seq_len=1)
    with pytest.raises(ValueError, match="batch: got 0"):
        attnscope.probe_induction(model, batch=0)
