"""Hugging Face model + tokenizer + prompt -> the attention of every generated token (torch imported lazily).

``model.generate`` runs with ``output_attentions=True, return_dict_in_generate=True`` (eval mode, no
grad, eager attention as in :func:`attnscope.from_model`); the attention of its steps is assembled into
one tensor over the final sequence (attnscope.extract.steps). generate never reads the token it produced
last, so one more cached forward step of that token gives the last row: every position of the final
sequence has its row, the same as one forward pass over the final sequence would give it.
"""

from __future__ import annotations

import inspect
from contextlib import contextmanager

import numpy as np

from ..inputs.generation import check_generate_args
from ..inputs.limits import lazy_mode
from ..inputs.models import check_stock_classes
from .model import _EAGER_HINT, _device, _eager_attention, _eval_mode, _ids_and_special, _kept, _pick, _weights
from .result import Attentions
from .steps import assemble, row_ends


def from_generate(model, tokenizer, prompt, max_new_tokens=20, *, seed=None, lazy=None, **generate_kwargs):
    """Generate up to ``max_new_tokens`` tokens after ``prompt`` and return the attention of the whole
    final sequence (prompt + generated tokens) as :class:`Attentions`.

    Decoding is greedy unless ``do_sample=True`` is passed; ``seed`` (an int) seeds the random draws, in
    a forked torch random state (yours is left as it was), so that the same call gives the same text.
    generate_kwargs go to ``model.generate`` (temperature, top_k, top_p, repetition_penalty, ...): the
    text is the one ``model.generate(input_ids=..., attention_mask=..., max_new_tokens=..., do_sample=False,
    **generate_kwargs)`` gives for ``tokenizer(prompt, return_tensors="pt")`` (after ``torch.manual_seed(seed)``
    when sampling). Beam search (num_beams > 1) is refused: its hypotheses are reordered at every step.

    Decoder-only models: ``attention`` [layers, heads, T, T] (zeros above the diagonal), ``tokens`` the T
    tokens. Encoder-decoder models: ``encoder_attention`` over the prompt (computed once),
    ``decoder_attention`` [layers, heads, D, D] and ``cross_attention`` [layers, heads, D, prompt] over
    the decoder sequence (its start token, then the generated tokens). On the result: ``prompt_length``
    (tokens before the first generated one: the prompt's length; 1, the start token, for an
    encoder-decoder's decoder), ``generated`` (the generated token ids) and ``generated_text`` (their
    ``tokenizer.decode``). lazy: as in :func:`attnscope.from_model` (lazy keeps one tensor per layer in
    the model's dtype and device instead of a float32 copy).
    """
    import torch

    check_stock_classes(model, tokenizer)
    max_new_tokens = check_generate_args(model, tokenizer, prompt, max_new_tokens, seed, generate_kwargs)
    lazy_mode(lazy, None)  # TypeError for anything but None, True or False, before the model runs
    device = _device(model)
    enc = tokenizer(prompt, return_tensors="pt")
    ids = enc["input_ids"].to(device)
    mask = enc.get("attention_mask")
    mask = (torch.ones_like(ids) if mask is None else mask).to(device)
    enc_dec = bool(getattr(model.config, "is_encoder_decoder", False))
    kwargs = {"do_sample": False, **generate_kwargs, "max_new_tokens": max_new_tokens,
              "output_attentions": True, "return_dict_in_generate": True}
    with _eager_attention(model), _eval_mode(model), torch.no_grad():
        with _seeded(seed, device):
            out = model.generate(input_ids=ids, attention_mask=mask, **kwargs)
        seq = out.sequences[:1]
        last = _last_step(model, out, seq, ids, mask, enc_dec)
    n_prompt = int(ids.shape[1])
    start = 1 if enc_dec else n_prompt  # decoder positions before the first generated token
    gen_ids = seq[0, start:].tolist()
    common = dict(lazy=lazy, prompt_length=start, generated=gen_ids, generated_text=tokenizer.decode(gen_ids))
    n_rows = int(seq.shape[1])
    if not enc_dec:
        steps = [*_weights(out, "attentions", model), _weights(last, "attentions", model)]
        att = _assembled(steps, row_ends(start, len(steps)), n_rows, n_rows, lazy)
        token_ids, special = _ids_and_special(tokenizer, seq[0])
        return Attentions(attention=att, tokens=tokenizer.convert_ids_to_tokens(seq[0].tolist()),
                          token_ids=token_ids, special_positions=special, **common)
    enc_att = _weights(out, "encoder_attentions", model)
    dec_steps = [*_weights(out, "decoder_attentions", model), _weights(last, "decoder_attentions", model)]
    cross_steps = [*_weights(out, "cross_attentions", model), _weights(last, "cross_attentions", model)]
    ends = row_ends(start, len(dec_steps))
    payload = 2 * (_bytes(enc_att, n_prompt, n_prompt) + _bytes(dec_steps[0], n_rows, n_rows + n_prompt))
    kept = lazy_mode(lazy, payload)
    keep = torch.ones(n_prompt, dtype=torch.bool)
    token_ids, special = _ids_and_special(tokenizer, ids[0])
    return Attentions(
        encoder_attention=(_kept if kept else _pick)(enc_att, 0, keep, keep),
        decoder_attention=_assembled(dec_steps, ends, n_rows, n_rows, kept),
        cross_attention=_assembled(cross_steps, ends, n_rows, n_prompt, kept),
        encoder_tokens=tokenizer.convert_ids_to_tokens(ids[0].tolist()),
        decoder_tokens=tokenizer.convert_ids_to_tokens(seq[0].tolist()),
        token_ids=token_ids, special_positions=special, **common,
    )


def _bytes(layers, n_q, n_k) -> int:
    """Weights of [layers, heads, n_q, n_k] (heads read from the first layer's tensor)."""
    return len(layers) * int(layers[0].shape[1]) * n_q * n_k


def _assembled(steps, ends, n_rows, n_keys, lazy):
    """The steps' rows as float32 numpy [L, H, n_rows, n_keys], or (lazy, by size when None) one tensor
    [1, H, n_rows, n_keys] per layer in the model's dtype and on its device."""
    import torch

    if any(a is None for step in steps for a in step):
        raise RuntimeError(f"a generation step returned no attention weights for some layer; {_EAGER_HINT}.")
    first = steps[0]
    n_layers, n_heads = len(first), int(first[0].shape[1])
    if lazy_mode(lazy, 2 * n_layers * n_heads * n_rows * n_keys):
        out = tuple(torch.zeros(1, n_heads, n_rows, n_keys, dtype=a.dtype, device=a.device) for a in first)
        assemble(steps, ends, [o[0] for o in out])
        return out
    full = torch.zeros(n_layers, n_heads, n_rows, n_keys, dtype=torch.float32)
    assemble(steps, ends, list(full))
    return np.ascontiguousarray(full.numpy())


def _last_step(model, out, seq, ids, mask, enc_dec):
    """The forward pass of the tokens generate's cache has not read (the last one; every token when
    generate ran without a cache), with the attention of each layer."""
    import torch

    cache = getattr(out, "cache", None)  # transformers 5; "past_key_values" before
    if cache is None:
        cache = getattr(out, "past_key_values", None)
    if cache is not None and not hasattr(cache, "get_seq_length"):
        raise RuntimeError(f"{type(model).__name__}.generate returned a {type(cache).__name__} cache, which does "
                           "not tell its length; pass use_cache=False.")
    done = 0 if cache is None else int(cache.get_seq_length())
    params = inspect.signature(model.forward).parameters
    kw = {"output_attentions": True, "return_dict": True, "use_cache": cache is not None}
    if cache is not None:
        kw["cache" if "cache" in params else "past_key_values"] = cache
    if enc_dec:
        encoder = model.get_encoder()(input_ids=ids, attention_mask=mask, return_dict=True)
        return model(encoder_outputs=encoder, attention_mask=mask, decoder_input_ids=seq[:, done:], **kw)
    return model(input_ids=seq[:, done:], attention_mask=torch.ones_like(seq), **kw)


@contextmanager
def _seeded(seed, device):
    """torch.manual_seed(seed) in a forked random state (the caller's is restored after); nothing when
    seed is None."""
    if seed is None:
        yield
        return
    import torch

    devices = [device] if getattr(device, "type", str(device)) == "cuda" else []
    with torch.random.fork_rng(devices=devices):
        torch.manual_seed(int(seed))
        yield
