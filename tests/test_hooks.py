"""Queries/keys from forward hooks: softmax(scale * q.k + causal mask), computed from the arrays the
widget SENDS (the float32 wire buffers), equals the float32 attention the model returns, to 1e-5."""

import inspect

import numpy as np
import pytest

import attnscope
from attnscope import from_model
from attnscope.extract import hooks
from attnscope.wire.codec import from_wire
from conftest import sent_state

pytestmark = pytest.mark.slow

TEXT = "The cat sat on the mat, and the dog lay on the rug."
TOL = 1e-5
MEASURED = {}  # architecture -> max abs difference (printed with pytest -s)


def softmax_from(q, k, scale, causal):
    """float32 softmax(scale * q.k + causal mask) over [L, H, Q, d] x [L, H, K, d]."""
    s = np.einsum("lhqd,lhkd->lhqk", q, k, dtype=np.float32) * np.float32(scale)
    if causal:
        n_q, n_k = s.shape[-2:]
        s = np.where(np.triu(np.ones((n_q, n_k), bool), 1 + n_k - n_q), np.float32(-np.inf), s)
    e = np.exp(s - s.max(-1, keepdims=True))
    return (e / e.sum(-1, keepdims=True)).astype(np.float32)


def sent_vectors(widget):
    sec = sent_state(widget)["sections"][0]
    q, k = from_wire(sec["queries"], "queries"), from_wire(sec["keys"], "keys")
    assert q.dtype == k.dtype == np.float32 and sec["queries"]["dtype"] == sec["keys"]["dtype"] == "float32"
    return q, k, sec


def reference(model, tok, text, pair=None):
    """float32 attention [L, H, Q, K] the model returns, from a separate eager forward pass."""
    import torch

    enc = tok(text, pair, return_tensors="pt") if pair else tok(text, return_tensors="pt")
    accepted = inspect.signature(model.forward).parameters
    enc = {k: val for k, val in enc.items() if k in accepted}
    impl, training = model.config._attn_implementation, model.training
    model.set_attn_implementation("eager")
    try:
        with torch.no_grad():
            att = model.eval()(**enc, output_attentions=True).attentions
    finally:
        model.set_attn_implementation(impl)
        model.train(training)
    assert att[0].dtype == torch.float32
    return torch.cat(att).numpy()


def our_hooks(model):
    return [f for m in model.modules() for f in [*m._forward_hooks.values(), *m._forward_pre_hooks.values()]
            if getattr(f, "__module__", "") == "attnscope.extract.hooks"]


def all_hook_ids(model):
    return {(name, kind, key) for name, m in model.named_modules()
            for kind, d in (("fwd", m._forward_hooks), ("pre", m._forward_pre_hooks)) for key in d}


def check_equality(name, model, tok, text=TEXT, pair=None, ref_model=None):
    """neuron_view -> wire -> softmax == model attention; hooks gone; returns (q, k, section, ref)."""
    ref = reference(ref_model or model, tok, text, pair)
    from_model(model, tok, text, pair)  # transformers installs its own output-capturing hooks once
    before = all_hook_ids(model)
    w = attnscope.neuron_view(model, tok, text, pair)
    assert our_hooks(model) == [] and all_hook_ids(model) == before
    for module in hooks.attention_modules(model)[1]:
        assert not module._forward_pre_hooks
        for child in module.children():
            assert not child._forward_hooks and not child._forward_pre_hooks
    q, k, sec = sent_vectors(w)
    assert q.shape[:3] == ref.shape[:3] and k.shape[:3] == ref.shape[:2] + ref.shape[3:]
    got = softmax_from(q, k, sec["scale"], sec["causal"])
    diff = float(np.abs(got - ref).max())
    MEASURED[name] = diff
    print(f"\nmax |softmax(scale q.k + mask) - model attention| {name}: {diff:.3g}")
    assert diff <= TOL
    # the check can fail: ignoring the scale changes the weights far beyond the tolerance
    assert np.abs(softmax_from(q, k, 1.0, sec["causal"]) - ref).max() > 1e-3
    return q, k, sec, ref


def _config_kw(tok):
    return dict(vocab_size=len(tok), hidden_size=32, intermediate_size=37, num_hidden_layers=2,
                num_attention_heads=4, initializer_range=0.3)


def bert(tok):
    from transformers import BertConfig, BertModel

    return BertModel(BertConfig(**_config_kw(tok), max_position_embeddings=64))


def roberta(tok):
    from transformers import RobertaConfig, RobertaModel

    return RobertaModel(RobertaConfig(**_config_kw(tok), max_position_embeddings=64, pad_token_id=0))


def gpt2(tok):
    from transformers import GPT2Config, GPT2LMHeadModel

    return GPT2LMHeadModel(GPT2Config(n_layer=2, n_head=4, n_embd=32, n_positions=64, vocab_size=len(tok),
                                      initializer_range=0.3, bos_token_id=None, eos_token_id=None))


def llama(tok):  # grouped-query attention: 4 query heads share 2 key/value heads; rotary
    from transformers import LlamaConfig, LlamaForCausalLM

    return LlamaForCausalLM(LlamaConfig(**_config_kw(tok), num_key_value_heads=2))


def mistral(tok):
    from transformers import MistralConfig, MistralForCausalLM

    return MistralForCausalLM(MistralConfig(**_config_kw(tok), num_key_value_heads=2, sliding_window=64))


def qwen2(tok):  # 4 query heads, 1 key/value head, biased projections
    from transformers import Qwen2Config, Qwen2ForCausalLM

    return Qwen2ForCausalLM(Qwen2Config(**_config_kw(tok), num_key_value_heads=1))


def qwen3(tok):  # q_norm / k_norm before the rotary embedding
    from transformers import Qwen3Config, Qwen3ForCausalLM

    return Qwen3ForCausalLM(Qwen3Config(**_config_kw(tok), num_key_value_heads=2, head_dim=8))


BUILDERS = [bert, roberta, gpt2, llama, mistral, qwen2, qwen3]


@pytest.mark.parametrize("build", BUILDERS, ids=[b.__name__ for b in BUILDERS])
def test_random_weight_models(build, minilm_tokenizer, recording_comm):
    import torch

    torch.manual_seed(0)
    model = build(minilm_tokenizer)
    causal = build in (gpt2, llama, mistral, qwen2, qwen3)
    q, k, sec, ref = check_equality(build.__name__, model, minilm_tokenizer)
    assert sec["causal"] is causal and sec["scale"] == pytest.approx(8 ** -0.5)
    assert sec["heads"] == [0, 1, 2, 3] and q.shape[1] == 4 and k.shape[1] == 4
    assert model.training and model.config._attn_implementation == "sdpa"  # both restored


def test_minilm_pair(minilm, minilm_eager, recording_comm):
    model, tok = minilm
    pair = ("The cat sat on the mat.", "The cat lay on the rug.")
    q, k, sec, ref = check_equality("MiniLM (real weights)", model, tok, *pair, ref_model=minilm_eager)
    assert q.shape == (6, 12, ref.shape[2], 32) and not sec["causal"]
    assert sec["query_tokens"][0] == "[CLS]" and len(sec["query_tokens"]) == ref.shape[2]


def _grouped(model_builder, tok):
    import torch

    torch.manual_seed(0)
    model = model_builder(tok)
    return model, from_model(model, tok, TEXT, with_vectors=True)


def test_grouped_query_keys_follow_their_group(minilm_tokenizer):
    model, att = _grouped(llama, minilm_tokenizer)
    k = att.keys  # 4 query heads, 2 key/value heads: heads 0,1 -> kv 0; heads 2,3 -> kv 1
    np.testing.assert_array_equal(k[:, 0], k[:, 1])
    np.testing.assert_array_equal(k[:, 2], k[:, 3])
    assert np.abs(k[:, 0] - k[:, 2]).max() > 1e-2
    wrong = k[:, [0, 2, 0, 2]]  # kv head h % n_kv instead of h // group: the equality must break
    assert np.abs(softmax_from(att.queries, wrong, att.scale, True) - att.attention).max() > 1e-3


def test_rotary_is_applied(minilm_tokenizer, monkeypatch):
    model, att = _grouped(llama, minilm_tokenizer)
    assert np.abs(softmax_from(att.queries, att.keys, att.scale, True) - att.attention).max() <= TOL

    def without_rotary(module, store):
        q, k = hooks._heads(store["q"], module.head_dim), hooks._heads(store["k"], module.head_dim)
        return q, k.repeat_interleave(q.shape[1] // k.shape[1], dim=1)

    monkeypatch.setitem(hooks._FINISH, "Llama/Mistral/Qwen2", without_rotary)
    plain = from_model(model, minilm_tokenizer, TEXT, with_vectors=True)
    assert np.abs(softmax_from(plain.queries, plain.keys, plain.scale, True) - att.attention).max() > 1e-3


@pytest.mark.parametrize("side", ["left", "right"])
def test_padding_removed_from_vectors(minilm_tokenizer, side):
    import torch

    tok = minilm_tokenizer
    torch.manual_seed(0)
    model = llama(tok)
    old, tok.padding_side = tok.padding_side, side
    try:
        att = from_model(model, tok, [TEXT, "short text"], batch_index=1, with_vectors=True)
    finally:
        tok.padding_side = old
    assert att.tokens == ["[CLS]", "short", "text", "[SEP]"] and att.queries.shape == (2, 4, 4, 8)
    assert np.abs(softmax_from(att.queries, att.keys, att.scale, True) - att.attention).max() <= TOL


def test_hooks_removed_when_the_forward_raises(minilm_tokenizer, monkeypatch):
    import torch

    torch.manual_seed(0)
    model = bert(minilm_tokenizer)

    def boom(*args, **kwargs):
        assert our_hooks(model), "the hooks were in place during the forward pass"
        raise RuntimeError("boom")

    monkeypatch.setattr(model.encoder.layer[1].output, "forward", boom)
    with pytest.raises(RuntimeError, match="boom"):
        from_model(model, minilm_tokenizer, TEXT, with_vectors=True)
    assert our_hooks(model) == []
    assert not model.encoder.layer[0].attention.self.query._forward_hooks


def test_unsupported_architectures(minilm_tokenizer):
    from transformers import BartConfig, BartForConditionalGeneration, OPTConfig, OPTForCausalLM

    opt = OPTForCausalLM(OPTConfig(vocab_size=len(minilm_tokenizer), hidden_size=16, num_hidden_layers=1,
                                   ffn_dim=32, num_attention_heads=2, word_embed_proj_dim=16))
    with pytest.raises(ValueError, match=r"OPTForCausalLM: cannot extract queries and keys.*"
                                         r"BERT/RoBERTa/MiniLM.*GPT-2.*Llama/Mistral/Qwen2"):
        from_model(opt, minilm_tokenizer, "a b", with_vectors=True)
    assert from_model(opt, minilm_tokenizer, "a b").queries is None  # without vectors it still works
    bart = BartForConditionalGeneration(BartConfig(vocab_size=len(minilm_tokenizer), d_model=16, encoder_layers=1,
                                                   decoder_layers=1, encoder_attention_heads=2,
                                                   decoder_attention_heads=2, encoder_ffn_dim=8, decoder_ffn_dim=8,
                                                   decoder_start_token_id=102))
    with pytest.raises(ValueError, match="BartForConditionalGeneration is an encoder-decoder model"):
        from_model(bart, minilm_tokenizer, "a b", with_vectors=True)
    assert our_hooks(opt) == [] and our_hooks(bart) == []


def test_per_layer_scale_is_refused(minilm_tokenizer):
    from transformers import GPT2Config, GPT2LMHeadModel

    model = GPT2LMHeadModel(GPT2Config(n_layer=2, n_head=2, n_embd=8, vocab_size=len(minilm_tokenizer),
                                       scale_attn_by_inverse_layer_idx=True))
    with pytest.raises(ValueError, match="scale_attn_by_inverse_layer_idx"):
        from_model(model, minilm_tokenizer, "a b", with_vectors=True)
    assert our_hooks(model) == []


def test_sliding_window_longer_than_the_text_is_refused(minilm_tokenizer):
    from transformers import MistralConfig, MistralForCausalLM

    model = MistralForCausalLM(MistralConfig(**_config_kw(minilm_tokenizer), num_key_value_heads=2,
                                             sliding_window=4))
    with pytest.raises(ValueError, match="17 positions exceed the sliding window of 4"):
        from_model(model, minilm_tokenizer, TEXT, with_vectors=True)
    assert our_hooks(model) == []
    att = from_model(model, minilm_tokenizer, "a b", with_vectors=True)  # 4 positions: plain causal
    assert np.abs(softmax_from(att.queries, att.keys, att.scale, True) - att.attention).max() <= TOL
