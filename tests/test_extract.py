"""from_model on the bundled MiniLM and on seeded random-weight tiny GPT-2 / BART / T5."""

import numpy as np
import pytest

from attnscope import Attentions, from_model
from conftest import displayed_model_ids

pytestmark = pytest.mark.slow

PAIR = ("The cat sat on the mat.", "It purred.")


def assert_rows_sum_to_one(a, atol=1e-4):
    np.testing.assert_allclose(a.sum(-1), 1.0, atol=atol)


def test_minilm_pair(minilm):
    model, tok = minilm
    before = (model.config._attn_implementation, model.training)
    att = from_model(model, tok, *PAIR)
    ids = tok(*PAIR)["input_ids"]
    n = len(ids)
    assert isinstance(att, Attentions)
    assert att.attention.shape == (6, 12, n, n) and att.attention.dtype == np.float32
    assert att.tokens == tok.convert_ids_to_tokens(ids)
    assert att.tokens[att.sentence_b_start - 1] == "[SEP]" and att.tokens[att.sentence_b_start] == "it"
    assert att.encoder_attention is None and att.cross_attention is None
    assert_rows_sum_to_one(att.attention)
    assert (model.config._attn_implementation, model.training) == before  # restored


def test_minilm_matches_model_loaded_eager(minilm, minilm_eager):
    import torch

    model, tok = minilm
    eager = minilm_eager
    with torch.no_grad():
        ref = eager(**tok(*PAIR, return_tensors="pt"), output_attentions=True).attentions
    att = from_model(model, tok, *PAIR)
    np.testing.assert_allclose(att.attention, torch.cat(ref).numpy(), atol=1e-5)
    assert from_model(eager, tok, *PAIR).attention.shape == att.attention.shape  # already eager


@pytest.mark.parametrize("side", ["right", "left"])
def test_minilm_padding_removed(minilm, minilm_eager, side):
    import torch

    model, tok = minilm
    texts = ["A much longer first sentence, with many more tokens in it.", "Short one."]
    single = from_model(model, tok, texts[1])
    old = tok.padding_side
    tok.padding_side = side
    try:
        padded = from_model(model, tok, texts, batch_index=1)
        enc = tok(texts, padding=True, return_tensors="pt")
    finally:
        tok.padding_side = old
    keep = enc["attention_mask"][1].bool().numpy()
    assert (~keep).sum() > 0 and keep[0 if side == "right" else -1]  # really padded on that side
    n = len(single.tokens)
    assert padded.tokens == single.tokens and "[PAD]" not in padded.tokens
    assert padded.attention.shape == (6, 12, n, n)
    assert_rows_sum_to_one(padded.attention)
    with torch.no_grad():
        ref = torch.stack(minilm_eager(**enc, output_attentions=True).attentions)[:, 1].numpy()
    np.testing.assert_allclose(padded.attention, ref[:, :, keep][:, :, :, keep], atol=1e-5)
    if side == "right":  # absolute positions unchanged: same weights as the unpadded input
        np.testing.assert_allclose(padded.attention, single.attention, atol=1e-5)


def test_minilm_pair_batch_sentence_b(minilm):
    model, tok = minilm
    att = from_model(model, tok, ["Short.", "A longer first sentence here."], ["B one.", "B two."],
                     batch_index=0)
    assert att.tokens == ["[CLS]", "short", ".", "[SEP]", "b", "one", ".", "[SEP]"]
    assert att.sentence_b_start == 4


def test_batch_index_and_text_errors(minilm):
    model, tok = minilm
    with pytest.raises(ValueError, match=r"batch_index: got 2; expected an int in 0..1"):
        from_model(model, tok, ["a", "b"], batch_index=2)
    with pytest.raises(TypeError, match="text: got int"):
        from_model(model, tok, 5)
    with pytest.raises(ValueError, match="decoder_text: only for encoder-decoder"):
        from_model(model, tok, "a", decoder_text="b")


def test_max_length_truncates(minilm):
    model, tok = minilm
    att = from_model(model, tok, "one two three four five six seven eight", max_length=5)
    assert att.attention.shape[-1] == 5 and att.tokens[-1] == "[SEP]"


def test_head_view_from_attentions(minilm, no_display):
    model, tok = minilm
    w = from_model(model, tok, *PAIR).head_view(layer=5, heads=[0])
    assert displayed_model_ids(no_display) == [w.model_id]
    assert w.sentence_b_start is not None and w.layer == 5 and w.heads == [0]
    assert w.sections[0]["attention"]["shape"][:2] == [6, 12]


@pytest.fixture
def tiny_gpt2(minilm_tokenizer):
    import torch
    from transformers import GPT2Config, GPT2LMHeadModel

    torch.manual_seed(0)
    cfg = GPT2Config(n_layer=2, n_head=4, n_embd=32, n_positions=64, vocab_size=len(minilm_tokenizer),
                     bos_token_id=None, eos_token_id=None)
    return GPT2LMHeadModel(cfg)  # training mode: dropout on unless from_model switches to eval


def test_gpt2_causal(tiny_gpt2, minilm_tokenizer):
    att = from_model(tiny_gpt2, minilm_tokenizer, "the cat sat on the mat")
    n = len(att.tokens)
    assert att.attention.shape == (2, 4, n, n)
    assert np.all(np.triu(att.attention, k=1) == 0)  # no query sees a later key
    assert_rows_sum_to_one(att.attention)  # dropout was off (eval mode)
    assert tiny_gpt2.training and tiny_gpt2.config._attn_implementation == "sdpa"


def test_gpt2_left_padding(tiny_gpt2, minilm_tokenizer):
    tok = minilm_tokenizer
    old, tok.padding_side = tok.padding_side, "left"
    try:
        att = from_model(tiny_gpt2, tok, ["a long first input with words", "short"], batch_index=1)
    finally:
        tok.padding_side = old
    assert att.tokens == ["[CLS]", "short", "[SEP]"]
    assert att.attention.shape == (2, 4, 3, 3)
    assert np.all(np.triu(att.attention, k=1) == 0)
    assert_rows_sum_to_one(att.attention)


def _bart(vocab):
    from transformers import BartConfig, BartForConditionalGeneration

    return BartForConditionalGeneration(BartConfig(
        vocab_size=vocab, d_model=16, encoder_layers=2, decoder_layers=3, encoder_attention_heads=2,
        decoder_attention_heads=4, encoder_ffn_dim=32, decoder_ffn_dim=32, max_position_embeddings=64,
        pad_token_id=0, bos_token_id=101, eos_token_id=102, decoder_start_token_id=102))


def _t5(vocab):
    from transformers import T5Config, T5ForConditionalGeneration

    return T5ForConditionalGeneration(T5Config(
        vocab_size=vocab, d_model=16, d_kv=8, d_ff=32, num_layers=2, num_decoder_layers=3, num_heads=4,
        pad_token_id=0, eos_token_id=102, decoder_start_token_id=0))


@pytest.mark.parametrize("build, enc_heads", [(_bart, 2), (_t5, 4)])
def test_encoder_decoder(build, enc_heads, minilm_tokenizer, no_display):
    import torch

    tok = minilm_tokenizer
    torch.manual_seed(0)
    model = build(len(tok))
    att = from_model(model, tok, "the cat sat", decoder_text="le chat")
    start = tok.convert_ids_to_tokens([model.config.decoder_start_token_id])[0]
    assert att.decoder_tokens == [start, "le", "chat"]
    assert att.encoder_tokens == ["[CLS]", "the", "cat", "sat", "[SEP]"]
    assert att.attention is None and att.tokens is None
    assert att.encoder_attention.shape == (2, enc_heads, 5, 5)
    assert att.decoder_attention.shape == (3, 4, 3, 3)
    assert att.cross_attention.shape == (3, 4, 3, 5)
    assert np.all(np.triu(att.decoder_attention, k=1) == 0)
    for a in (att.encoder_attention, att.decoder_attention, att.cross_attention):
        assert_rows_sum_to_one(a)
    w = att.head_view()
    assert [s["key"] for s in w.sections] == ["encoder", "decoder", "cross"]
    only_start = from_model(model, tok, "the cat sat")
    assert only_start.decoder_tokens == [start] and only_start.cross_attention.shape == (3, 4, 1, 5)


def test_model_that_cannot_switch_to_eager():
    import torch

    class Config:
        _attn_implementation = "flash_attention_2"
        is_encoder_decoder = False

    class Stubborn(torch.nn.Module):
        config = Config()

        def set_attn_implementation(self, impl):
            pass  # like a model whose class does not support switching

        def forward(self, input_ids, attention_mask=None, **kw):
            raise AssertionError("must not run")

    class Tok:
        def __call__(self, text, **kw):
            return {"input_ids": torch.tensor([[1, 2]])}

    with pytest.raises(RuntimeError, match=r'flash_attention_2.*attn_implementation="eager"'):
        from_model(Stubborn(), Tok(), "x")
