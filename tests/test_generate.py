"""attnscope.from_generate: the step assembly (table-driven, against a causal matrix split the way generate
splits it), then real generation (random-weight GPT-2 / BART / T5, SmolLM2) checked row by row against one
plain forward pass over the final sequence and text by text against model.generate; errors, lazy mode, views
and the wire's generation field."""

import numpy as np
import pytest

import attnscope
import attnscope.validation as V
from attnscope import Attentions, from_generate
from attnscope.extract.steps import assemble, row_ends
from attnscope.inputs.generation import check_generation
from attnscope.wire.state import wire_sections, wire_state

torch = pytest.importorskip("torch")

PROMPT = "the cat sat on the mat"


# --- the assembly, without a model ------------------------------------------------------------------------

def causal(n_layers, n_heads, n, seed=0):
    """Random causal softmax rows [L, H, n, n] (zeros above the diagonal)."""
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(n_layers, n_heads, n, n, generator=g)
    x = x.masked_fill(torch.ones(n, n, dtype=torch.bool).triu(1), float("-inf"))
    return x.softmax(-1)


def split(full, prompt, how):
    """The steps generate would return for ``full`` [L, H, T, T]: one tuple of [1, H, q, k] per step."""
    n = full.shape[-1]
    steps = []
    for end in range(prompt, n + 1):
        if how == "cache":  # step 0 the prompt's rows, then one row against everything before it
            q0, k = (prompt if end == prompt else 1), end
        elif how == "no cache":  # every step reads the whole sequence so far
            q0, k = end, end
        else:  # "static cache": keys padded to the cache's length with masked (zero) slots
            q0, k = (prompt if end == prompt else 1), n + 3
        rows = torch.nn.functional.pad(full[:, :, end - q0:end, :end], (0, k - end))
        steps.append(tuple(layer[None] for layer in rows))
    return steps


@pytest.mark.parametrize("how", ["cache", "no cache", "static cache"])
@pytest.mark.parametrize("prompt, n", [(1, 1), (1, 5), (4, 9), (6, 6)])
def test_assemble_rebuilds_the_causal_matrix(how, prompt, n):
    full = causal(2, 3, n)
    steps = split(full, prompt, how)
    out = torch.zeros(2, 3, n, n)
    assemble(steps, row_ends(prompt, len(steps)), list(out))
    torch.testing.assert_close(out, full, rtol=0, atol=0)


def test_assemble_refuses_missing_rows_and_wrong_shapes():
    full = causal(2, 3, 6)
    steps = split(full, 3, "cache")
    out = list(torch.zeros(2, 3, 6, 6))
    with pytest.raises(RuntimeError, match="does not bring query rows"):
        assemble(steps, row_ends(4, len(steps)), out)  # told the prompt is longer than step 0's rows
    with pytest.raises(RuntimeError, match="brought 5 query rows; expected 6"):
        assemble(steps[:-1], row_ends(3, len(steps) - 1), out)
    with pytest.raises(RuntimeError, match="for 1 layers, step 0 for 2"):
        assemble([steps[0][:1]], [3], out)


@pytest.mark.parametrize("value, exc, words", [
    ({"prompt_length": 2, "generated": [2, 3]}, None, None),
    ({"prompt_length": 4, "generated": []}, None, None),
    ([2, 3], TypeError, "expected a dict"),
    ({"prompt_length": 2}, TypeError, "expected a dict"),
    ({"prompt_length": 5, "generated": []}, ValueError, "int in 0..4"),
    ({"prompt_length": True, "generated": []}, ValueError, "prompt_length"),
    ({"prompt_length": 2, "generated": [1, 2]}, ValueError, "increasing positions in 2..3"),
    ({"prompt_length": 2, "generated": [3, 2]}, ValueError, "increasing"),
    ({"prompt_length": 2, "generated": [2, 4]}, ValueError, "within the 4 tokens"),
    ({"prompt_length": 2, "generated": ["2"]}, TypeError, "list of int positions"),
])
def test_check_generation(value, exc, words):
    if exc is None:
        assert check_generation(value, 4) == value
    else:
        with pytest.raises(exc, match=words):
            check_generation(value, 4)


# --- real generation ----------------------------------------------------------------------------------------

def forward_rows(model, **inputs):
    """One plain forward pass (eager attention): {field: float32 [L, H, Q, K]}."""
    old, training = model.config._attn_implementation, model.training
    model.set_attn_implementation("eager")
    try:
        with torch.no_grad():
            out = model.eval()(**inputs, output_attentions=True)
    finally:
        model.set_attn_implementation(old)
        model.train(training)
    return {f: torch.stack([a[0] for a in getattr(out, f)]).float().numpy()
            for f in ("attentions", "encoder_attentions", "decoder_attentions", "cross_attentions")
            if getattr(out, f, None)}


def reference_ids(model, tokenizer, n, seed=None, **kw):
    """What model.generate gives for PROMPT itself (in eval mode; torch.manual_seed(seed) first when sampling)."""
    enc = tokenizer(PROMPT, return_tensors="pt")
    if seed is not None:
        torch.manual_seed(seed)
    training = model.training
    try:
        with torch.no_grad():
            return model.eval().generate(input_ids=enc["input_ids"], attention_mask=enc["attention_mask"],
                                         max_new_tokens=n, **kw)[0]
    finally:
        model.train(training)


@pytest.fixture(scope="module")
def tiny_gpt2(minilm_tokenizer):
    from transformers import GPT2Config, GPT2LMHeadModel

    torch.manual_seed(1)
    return GPT2LMHeadModel(GPT2Config(n_layer=2, n_head=4, n_embd=32, n_positions=64,
                                      vocab_size=len(minilm_tokenizer), bos_token_id=None, eos_token_id=None))


def check_decoder_only(model, tok, att, n, seed=None, **kw):
    ids = reference_ids(model, tok, n, seed, do_sample=seed is not None, **kw)
    assert tok.decode(att.token_ids) == tok.decode(ids)
    assert att.token_ids.tolist() == ids.tolist() and att.tokens == tok.convert_ids_to_tokens(ids.tolist())
    n_prompt = len(tok(PROMPT)["input_ids"])
    assert att.prompt_length == n_prompt and att.generated == ids[n_prompt:].tolist()
    assert att.generated_text == tok.decode(ids[n_prompt:]) and len(att.generated) == n
    ref = forward_rows(model, input_ids=ids[None])["attentions"]
    assert att.attention.shape == ref.shape and att.attention.dtype == np.float32
    np.testing.assert_allclose(att.attention, ref, rtol=0, atol=1e-5)
    assert np.all(np.triu(att.attention, k=1) == 0)


@pytest.mark.parametrize("kw", [{}, {"do_sample": True, "seed": 7, "top_k": 50}, {"use_cache": False}],
                         ids=["greedy", "sampled", "no cache"])
def test_gpt2_rows_and_text(tiny_gpt2, minilm_tokenizer, kw):
    before = torch.random.get_rng_state()
    att = from_generate(tiny_gpt2, minilm_tokenizer, PROMPT, max_new_tokens=6, **kw)
    assert torch.equal(torch.random.get_rng_state(), before)  # the seed did not touch the caller's state
    seed = kw.pop("seed", None)
    kw.pop("do_sample", None)
    check_decoder_only(tiny_gpt2, minilm_tokenizer, att, 6, seed, **kw)
    assert tiny_gpt2.config._attn_implementation == "sdpa" and tiny_gpt2.training  # switched back


def test_a_generation_stopped_by_eos_has_the_row_of_its_last_token(tiny_gpt2, minilm_tokenizer):
    free = from_generate(tiny_gpt2, minilm_tokenizer, PROMPT, 6, do_sample=True, seed=5)
    eos = free.generated[2]
    stopped = from_generate(tiny_gpt2, minilm_tokenizer, PROMPT, 6, do_sample=True, seed=5, eos_token_id=eos)
    assert stopped.generated == free.generated[:free.generated.index(eos) + 1]  # stops at the first eos
    check_decoder_only(tiny_gpt2, minilm_tokenizer, stopped, len(stopped.generated), 5, eos_token_id=eos)


def test_seeded_sampling_is_reproducible(tiny_gpt2, minilm_tokenizer):
    runs = [from_generate(tiny_gpt2, minilm_tokenizer, PROMPT, 8, do_sample=True, seed=s).generated for s in (3, 3, 4)]
    assert runs[0] == runs[1] and runs[0] != runs[2]


@pytest.mark.slow
@pytest.mark.parametrize("seed", [None, 11], ids=["greedy", "sampled"])
def test_smollm2_rows_and_text(smollm2, seed):
    model, tok = smollm2
    kw = {} if seed is None else {"do_sample": True, "seed": seed}
    att = from_generate(model, tok, PROMPT, max_new_tokens=8, **kw)
    assert att.attention.shape[:2] == (30, 9)
    check_decoder_only(model, tok, att, 8, seed)


def _bart(vocab):
    from transformers import BartConfig, BartForConditionalGeneration

    return BartForConditionalGeneration(BartConfig(
        vocab_size=vocab, d_model=16, encoder_layers=2, decoder_layers=3, encoder_attention_heads=2,
        decoder_attention_heads=4, encoder_ffn_dim=32, decoder_ffn_dim=32, max_position_embeddings=64,
        pad_token_id=0, bos_token_id=101, eos_token_id=None, decoder_start_token_id=102,
        forced_bos_token_id=None, forced_eos_token_id=None))


def _t5(vocab):
    from transformers import T5Config, T5ForConditionalGeneration

    # num_decoder_layers == num_layers: transformers 5.24's T5 generate sizes its cache by num_layers
    return T5ForConditionalGeneration(T5Config(
        vocab_size=vocab, d_model=16, d_kv=8, d_ff=32, num_layers=2, num_decoder_layers=2, num_heads=4,
        pad_token_id=0, eos_token_id=None, decoder_start_token_id=0))


@pytest.mark.parametrize("build", [_bart, _t5])
def test_encoder_decoder_rows_and_text(build, minilm_tokenizer):
    tok = minilm_tokenizer
    torch.manual_seed(0)
    model = build(len(tok))
    att = from_generate(model, tok, PROMPT, max_new_tokens=5)
    ids = reference_ids(model, tok, 5, do_sample=False)
    assert att.decoder_tokens == tok.convert_ids_to_tokens(ids.tolist())
    assert att.prompt_length == 1 and att.generated == ids[1:].tolist() and att.attention is None
    enc = tok(PROMPT, return_tensors="pt")
    ref = forward_rows(model, input_ids=enc["input_ids"], attention_mask=enc["attention_mask"],
                       decoder_input_ids=ids[None])
    for got, field in ((att.encoder_attention, "encoder_attentions"), (att.decoder_attention, "decoder_attentions"),
                       (att.cross_attention, "cross_attentions")):
        assert got.shape == ref[field].shape
        np.testing.assert_allclose(got, ref[field], rtol=0, atol=1e-5)
    assert att.cross_attention.shape[2:] == (6, len(att.encoder_tokens))
    w = att.show(views=("head",))
    gen = {"prompt_length": 1, "generated": [1, 2, 3, 4, 5]}
    assert {s["key"]: s.get("generation") for s in w.sections} == {"encoder": None, "decoder": gen, "cross": gen}


# --- errors -------------------------------------------------------------------------------------------------

def test_encoder_only_model_cannot_generate(minilm):
    model, tok = minilm
    with pytest.raises(TypeError, match=f"model: {type(model).__name__} cannot generate.*causal language model"):
        from_generate(model, tok, PROMPT)


@pytest.mark.parametrize("args, kw, exc, words", [
    ((None, PROMPT), {}, TypeError, "tokenizer: got NoneType"),
    (("tok", ["a", "b"]), {}, TypeError, "prompt: got list"),
    (("tok", ""), {}, ValueError, "prompt: got an empty str"),
    (("tok", PROMPT, 0), {}, ValueError, "max_new_tokens: got 0; expected a positive int"),
    (("tok", PROMPT, 2.0), {}, TypeError, "max_new_tokens: got float"),
    (("tok", PROMPT, True), {}, TypeError, "max_new_tokens: got bool"),
    (("tok", PROMPT), {"seed": "1"}, TypeError, "seed: got str"),
    (("tok", PROMPT), {"output_attentions": False}, ValueError, "output_attentions: from_generate sets it"),
    (("tok", PROMPT), {"max_length": 9}, ValueError, "max_length.*max_new_tokens"),
    (("tok", PROMPT), {"num_beams": 2}, NotImplementedError, "num_beams: got 2"),
    (("tok", PROMPT), {"lazy": "yes"}, TypeError, "lazy: got str"),
])
def test_bad_arguments_name_themselves(tiny_gpt2, minilm_tokenizer, args, kw, exc, words):
    args = tuple(minilm_tokenizer if a == "tok" else a for a in args)
    with pytest.raises(exc, match=words):
        from_generate(tiny_gpt2, *args, **kw)


# --- lazy, views, wire --------------------------------------------------------------------------------------

def test_lazy_keeps_one_tensor_per_layer(tiny_gpt2, minilm_tokenizer, monkeypatch, recording_comm):
    eager = from_generate(tiny_gpt2, minilm_tokenizer, PROMPT, 4, lazy=False)
    forced = from_generate(tiny_gpt2, minilm_tokenizer, PROMPT, 4, lazy=True)
    n = len(eager.tokens)
    monkeypatch.setattr(V, "LAZY_ABOVE_BYTES", 2 * 4 * n * n * 2 - 1)  # one byte below the eager payload
    auto = from_generate(tiny_gpt2, minilm_tokenizer, PROMPT, 4)
    monkeypatch.setattr(V, "LAZY_ABOVE_BYTES", 2 * 4 * n * n * 2)
    assert isinstance(from_generate(tiny_gpt2, minilm_tokenizer, PROMPT, 4).attention, np.ndarray)
    for att in (forced, auto):
        assert isinstance(att.attention, tuple) and len(att.attention) == 2
        assert all(a.shape == (1, 4, n, n) and a.dtype == torch.float32 for a in att.attention)
        np.testing.assert_array_equal(torch.cat(att.attention).numpy(), eager.attention)
    w = forced.head_view()
    assert w.lazy and "attention" not in w.sections[0] and w.sections[0]["shape"] == [2, 4, n, n]


def test_every_view_carries_the_generation(tiny_gpt2, minilm_tokenizer, recording_comm):
    att = from_generate(tiny_gpt2, minilm_tokenizer, PROMPT, 3)
    assert isinstance(att, Attentions) and attnscope.from_generate is from_generate
    p = att.prompt_length
    gen = {"prompt_length": p, "generated": [p, p + 1, p + 2]}
    assert att.generation == gen
    for w in (att.head_view(), att.model_view(), att.matrix_view(rollout=True), att.text_view(),
              att.show(views=("head", "model"), lazy=True)):
        assert [s.get("generation") for s in w.sections] == [gen] * len(w.sections)
    assert [s["key"] for s in w.sections] == ["self"]
    assert [s["key"] for s in att.matrix_view(rollout=True).sections] == ["self", "rollout"]


def test_generation_round_trips_through_the_wire_state():
    from attnscope.inputs.build import build

    full = causal(1, 2, 5).numpy()
    gen = {"prompt_length": 3, "generated": [3, 4]}
    sections, _ = build("head_view", full, list("abcde"), generation=gen)
    state = wire_state(sections)
    assert state["sections"][0]["generation"] == gen
    assert wire_sections(state)["self"].generation == gen
    with pytest.raises(ValueError, match=r"generation\['generated'\]"):
        build("head_view", full, list("abcde"), generation={"prompt_length": 3, "generated": [3, 5]})
