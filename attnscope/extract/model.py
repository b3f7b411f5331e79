"""Hugging Face model + tokenizer + text -> attention arrays (torch imported lazily).

Runs one forward pass under ``torch.no_grad()`` in eval mode with
``output_attentions=True`` and eager attention (SDPA/flash return no weights): a
model loaded otherwise is switched to "eager" for the call and switched back after.
Padding is removed with the attention mask (left or right padding), so arrays and
tokens cover only the real positions of the chosen batch item.
"""

from __future__ import annotations

import inspect
from contextlib import contextmanager, nullcontext

import numpy as np

from ..inputs.indices import as_index
from ..inputs.limits import lazy_mode
from ..inputs.models import check_stock_classes
from ..progress import progress
from .gradients import check_position, check_target, gradients_of
from .hooks import capture
from .result import Attentions

_EAGER_HINT = ('load the model with attn_implementation="eager", e.g. '
               'AutoModel.from_pretrained(path, attn_implementation="eager")')


def from_model(model, tokenizer, text, text_pair=None, *, decoder_text=None, batch_index=0, max_length=None,
               with_vectors=False, lazy=None, target=None):
    """Run ``model`` on ``text`` and return its attention as :class:`Attentions`.

    text / text_pair: a str, or a list of str (a batch, padded by the tokenizer; pick
        the item with ``batch_index``). ``sentence_b_start`` comes from token_type_ids,
        else from the tokenizer's sequence ids (fast tokenizers).
    decoder_text (encoder-decoder models only): the decoder input is the model's
        ``decoder_start_token_id`` followed by ``decoder_text`` tokenized without
        special tokens, i.e. what the decoder reads when it is teacher-forced to
        produce decoder_text. Without decoder_text the decoder reads only the start
        token (one decoder position).
    max_length: truncate the input(s) to this many tokens.
    with_vectors: also capture the query and key vectors of every self-attention layer
        (forward hooks, removed after the call) for the neuron view; supported for
        BERT/RoBERTa/MiniLM, GPT-2 and Llama/Mistral/Qwen2-style models (ValueError
        otherwise, raised before the model runs).
    lazy: None (default) keeps the model's output tuple as it is (no float32 copy) when the views
        would go lazy by size (attnscope.validation.LAZY_ABOVE_BYTES), True always, False never;
        stored in the result and passed on to its views.
    target: None, or what to explain with attention x gradient (attnscope.extract.gradients: {"position":
        p, "token": id or str}, {"class": c} or a callable f(model_output) -> scalar): the model then runs
        with gradients, and the result's ``gradients`` {"gradient" dy/dA [L, H, Q, K], "attn_grad", "grad_rollout",
        "target"} add the sections "attn_grad" and "grad_rollout" to its views (one-stack models only).
    """
    import torch

    check_stock_classes(model, tokenizer)
    lazy_mode(lazy, None)  # TypeError for anything but None, True or False, before the model runs
    spec = None if target is None else check_target(target, tokenizer)

    batched = not isinstance(text, str)
    if batched and (not isinstance(text, (list, tuple)) or not all(isinstance(t, str) for t in text)):
        raise TypeError(f"text: got {type(text).__name__}; expected a str or a list of str.")
    n_batch = len(text) if batched else 1
    if as_index(batch_index) is not None:
        batch_index = as_index(batch_index)
    if isinstance(batch_index, bool) or not isinstance(batch_index, int) or not 0 <= batch_index < n_batch:
        raise ValueError(f"batch_index: got {batch_index!r}; expected an int in 0..{n_batch - 1} "
                         f"({n_batch} input{'s' if n_batch > 1 else ''}).")
    kw = dict(return_tensors="pt", padding=batched)
    if max_length is not None:
        kw.update(truncation=True, max_length=max_length)
    enc = tokenizer(text, text_pair, **kw) if text_pair is not None else tokenizer(text, **kw)
    ids = enc["input_ids"]
    mask = enc.get("attention_mask")
    if mask is None:
        mask = torch.ones_like(ids)
    keep = mask[batch_index].bool().cpu()
    if spec is not None:
        spec = check_position(spec, int(keep.sum()))
    accepted = inspect.signature(model.forward).parameters
    device = _device(model)
    inputs = {"input_ids": ids.to(device), "attention_mask": mask.to(device)}
    if "token_type_ids" in enc and "token_type_ids" in accepted:
        inputs["token_type_ids"] = enc["token_type_ids"].to(device)
    enc_dec = bool(getattr(model.config, "is_encoder_decoder", False))
    if enc_dec:
        dec_ids, dec_mask = _decoder_inputs(model, tokenizer, decoder_text, n_batch, batched)
        inputs.update(decoder_input_ids=dec_ids.to(device), decoder_attention_mask=dec_mask.to(device))
    elif decoder_text is not None:
        raise ValueError("decoder_text: only for encoder-decoder models; "
                         f"{type(model).__name__} has config.is_encoder_decoder = False.")
    if with_vectors and enc_dec:
        raise ValueError(f"with_vectors: {type(model).__name__} is an encoder-decoder model; query/key "
                         "extraction supports encoder-only and decoder-only models.")
    if spec is not None and enc_dec:
        raise ValueError(f"target: attention x gradient supports encoder-only and decoder-only models; "
                         f"{type(model).__name__} is an encoder-decoder model.")
    hooks = capture(model) if with_vectors else nullcontext()
    grad_mode = torch.no_grad() if spec is None else torch.enable_grad()
    with _eager_attention(model), _eval_mode(model), grad_mode, hooks as cap, _layer_progress(model):
        out = model(**inputs, output_attentions=True, return_dict=True)
        grads = None if spec is None else gradients_of(spec, out, _weights(out, "attentions", model), batch_index, keep)
    tokens = tokenizer.convert_ids_to_tokens(ids[batch_index][keep].tolist())
    word_ids = _word_ids(enc, batch_index, keep)
    token_ids, special = _ids_and_special(tokenizer, ids[batch_index][keep])
    if not enc_dec:
        att = tuple(a.detach() for a in _weights(out, "attentions", model))
        result = Attentions(tokens=tokens, sentence_b_start=_sentence_b(enc, batch_index, keep, text_pair is not None),
                            lazy=lazy, word_ids=None if word_ids is None else {"tokens": word_ids},
                            token_ids=token_ids, special_positions=special, gradients=grads)
        if cap is not None:
            _add_vectors(result, cap, batch_index, keep, len(att), att[0].shape[1])
        vectors = 0 if result.queries is None else result.queries.nbytes + result.keys.nbytes
        kept = lazy_mode(lazy, _payload([(att, keep, keep)]) + vectors)
        result.attention = (_kept if kept else _pick)(att, batch_index, keep, keep)
        return result
    dkeep = dec_mask[batch_index].bool()
    parts = [(_weights(out, f"{kind}_attentions", model), q, k)
             for kind, q, k in (("encoder", keep, keep), ("decoder", dkeep, dkeep), ("cross", dkeep, keep))]
    take = _kept if lazy_mode(lazy, _payload(parts)) else _pick
    enc_att, dec_att, cross_att = (take(a, batch_index, q, k) for a, q, k in parts)
    return Attentions(
        encoder_attention=enc_att, decoder_attention=dec_att, cross_attention=cross_att,
        encoder_tokens=tokens, token_ids=token_ids, special_positions=special,
        decoder_tokens=tokenizer.convert_ids_to_tokens(dec_ids[batch_index][dkeep].tolist()),
        lazy=lazy, word_ids=None if word_ids is None else {"encoder_tokens": word_ids},
    )


def _ids_and_special(tokenizer, ids):
    """(int64 numpy ids, positions the tokenizer marks as special tokens, or None when it cannot tell)."""
    ids = ids.cpu().numpy().astype(np.int64)
    try:
        mask = tokenizer.get_special_tokens_mask(ids.tolist(), already_has_special_tokens=True)
    except (AttributeError, TypeError, ValueError, NotImplementedError):
        return ids, None
    return ids, [i for i, m in enumerate(mask) if m]


def _word_ids(enc, b, keep):
    """The fast tokenizer's word id of each kept position of item b (None for special tokens), or None when
    the tokenizer cannot tell (a slow tokenizer: the views then read the tokens' subword markers)."""
    try:
        ids = enc.word_ids(b)
    except (ValueError, AttributeError):
        return None
    return [w for w, k in zip(ids, keep.tolist()) if k]


def _add_vectors(result, cap, batch_index, keep, n_layers, n_heads):
    queries, keys = cap.vectors(batch_index, keep, keep)
    if queries.shape[:2] != (n_layers, n_heads):
        raise RuntimeError(f"captured queries for {queries.shape[0]} layers x {queries.shape[1]} heads but the "
                           f"model returned attention for {(n_layers, n_heads)}.")
    result.queries, result.keys, result.scale, result.causal = queries, keys, cap.scale, cap.causal


def _device(model):
    device = getattr(model, "device", None)
    if device is None:
        param = next(model.parameters(), None)
        device = param.device if param is not None else "cpu"
    return device


def _weights(out, field, model):
    att = getattr(out, field, None)
    if not att or any(a is None for a in att):
        impl = getattr(model.config, "_attn_implementation", None)
        raise RuntimeError(
            f"{type(model).__name__} returned no {field} (attention implementation {impl!r}, "
            f"which may not return weights); {_EAGER_HINT}."
        )
    return att


def _payload(parts) -> int:
    """Bytes eager views would send for (tuple of [batch, H, Q, K], query keep mask, key keep mask) parts."""
    return sum(len(att) * int(att[0].shape[1]) * int(q.sum()) * int(k.sum()) * 2 for att, q, k in parts)


def _span(keep):
    """The kept positions as a slice when they are contiguous (left or right padding), else their indices."""
    idx = keep.nonzero().flatten()
    first, last = int(idx[0]), int(idx[-1])
    return slice(first, last + 1) if last - first + 1 == len(idx) else idx


def _kept(att, b, qkeep, kkeep):
    """The model's tuple itself (one input, no padding), else per-layer [1, H, q, k] views of item b with the
    padding cut (a copy of a layer, in its dtype, only when the kept positions are not contiguous)."""
    if len(att[0]) == 1 and bool(qkeep.all()) and bool(kkeep.all()):
        return att
    qs, ks = _span(qkeep), _span(kkeep)
    out = []
    for a in att:
        x = a[b:b + 1].detach()
        x = x[:, :, qs] if isinstance(qs, slice) else x.index_select(2, qs.to(x.device))
        x = x[:, :, :, ks] if isinstance(ks, slice) else x.index_select(3, ks.to(x.device))
        out.append(x)
    return tuple(out)


def _pick(att, b, qkeep, kkeep) -> np.ndarray:
    """Tuple of [batch, H, Q, K] tensors -> float32 numpy [L, H, q, k] of item b, padding removed."""
    import torch

    x = torch.stack([a[b].detach().float().cpu() for a in att])
    return np.ascontiguousarray(x[:, :, qkeep][:, :, :, kkeep].numpy(), dtype=np.float32)


def _sentence_b(enc, b, keep, pair: bool):
    if not pair:
        return None
    types = enc.get("token_type_ids")
    if types is not None:
        hits = np.flatnonzero(types[b][keep].cpu().numpy() == 1)
        if hits.size:
            return int(hits[0])
    try:
        seq = enc.sequence_ids(b)
    except (AttributeError, ValueError):  # slow tokenizers have no sequence ids
        return None
    seq = [s for s, k in zip(seq, keep.tolist()) if k]
    return seq.index(1) if 1 in seq else None


def _decoder_inputs(model, tokenizer, decoder_text, n_batch, batched):
    import torch

    start = getattr(model.config, "decoder_start_token_id", None)
    if start is None:
        start = getattr(getattr(model, "generation_config", None), "decoder_start_token_id", None)
    if start is None:
        raise ValueError(f"{type(model).__name__}: config.decoder_start_token_id is None; set it "
                         "(model.config.decoder_start_token_id = ...) to build the decoder input.")
    if decoder_text is None:
        rows = [[]] * n_batch
    else:
        texts = [decoder_text] if isinstance(decoder_text, str) else list(decoder_text)
        if not batched and len(texts) != 1 or batched and len(texts) != n_batch:
            raise ValueError(f"decoder_text: got {len(texts)} texts for {n_batch} input(s); "
                             "pass one decoder text per input.")
        rows = [tokenizer(t, add_special_tokens=False)["input_ids"] for t in texts]
    width = 1 + max(len(r) for r in rows)
    pad = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else start
    ids = torch.full((n_batch, width), pad, dtype=torch.long)
    mask = torch.zeros((n_batch, width), dtype=torch.long)
    for i, r in enumerate(rows):
        ids[i, : 1 + len(r)] = torch.tensor([start, *r], dtype=torch.long)
        mask[i, : 1 + len(r)] = 1
    return ids, mask


@contextmanager
def _layer_progress(model):
    """A progress bar over the model's transformer blocks (the items of every ModuleList of *Layer/*Block
    modules), advanced by forward hooks that are removed afterwards; shown only for a forward pass longer
    than attnscope.progress.PROGRESS_DELAY, in a notebook."""
    import torch

    layers = [m for lst in model.modules() if isinstance(lst, torch.nn.ModuleList) for m in lst
              if type(m).__name__.endswith(("Layer", "Block"))]
    with progress(len(layers), f"attnscope: {type(model).__name__} forward pass", unit="layer") as bar:
        def tick(*_) -> None:
            # returns None on purpose: a forward hook's return value REPLACES the module's output, and
            # tqdm's update() returns True whenever it redraws (once the bar shows, after PROGRESS_DELAY)
            bar.update(1)

        handles = [m.register_forward_hook(tick) for m in layers]
        try:
            yield
        finally:
            for h in handles:
                h.remove()


@contextmanager
def _eval_mode(model):
    was_training = model.training
    model.eval()
    try:
        yield
    finally:
        model.train(was_training)


def _configs(model):
    seen = {}
    for m in model.modules():
        cfg = getattr(m, "config", None)
        if cfg is not None and hasattr(cfg, "_attn_implementation"):
            seen.setdefault(id(cfg), cfg)
    return list(seen.values())


@contextmanager
def _eager_attention(model):
    """Switch every (sub)config to eager attention for the call, then restore it exactly."""
    configs = _configs(model)
    saved = [(c, c._attn_implementation) for c in configs]
    if all(impl in (None, "eager") for _, impl in saved):
        yield
        return
    try:
        if hasattr(model, "set_attn_implementation"):
            model.set_attn_implementation("eager")
        else:
            model.config._attn_implementation = "eager"
    except Exception as err:  # noqa: BLE001 - any failure here means: reload with eager
        _restore(saved)
        raise RuntimeError(f"could not switch {type(model).__name__} to eager attention ({err}); "
                           f"{_EAGER_HINT}.") from err
    still = sorted({str(c._attn_implementation) for c in configs} - {"eager"})
    if still:
        _restore(saved)
        raise RuntimeError(f"{type(model).__name__} kept attention implementation {still} and "
                           f"would return no weights; {_EAGER_HINT}.")
    try:
        yield
    finally:
        _restore(saved)


def _restore(saved):
    for cfg, impl in saved:
        if hasattr(cfg, "_attn_implementation_internal"):
            cfg._attn_implementation_internal = impl
        else:
            cfg._attn_implementation = impl


def attention_gradients(model, tokenizer, text, target, **kwargs):
    """Attention x gradient of ``target`` (see :func:`from_model`'s target): :func:`from_model` with target,
    whose result's views add the "attn_grad" and "grad_rollout" sections (kwargs: as from_model)."""
    return from_model(model, tokenizer, text, target=target, **kwargs)
