"""Query and key vectors of stock Hugging Face attention modules, captured with forward hooks.

No patched model copy: hooks are registered on the model's own modules for one forward
pass and always removed afterwards, also when the pass raises. Supported families:

- BERT/RoBERTa/MiniLM: outputs of the ``query`` / ``key`` Linear layers.
- GPT-2: the fused ``c_attn`` output, split into query / key / value.
- Llama/Mistral/Qwen2/Qwen3: ``q_proj`` / ``k_proj`` outputs (after ``q_norm`` / ``k_norm``
  when the module has them), then the rotary embedding applied with the model's own
  ``apply_rotary_pos_emb`` and the (cos, sin) the layer received; keys of grouped-query
  attention are repeated so that query head h gets key head h // (H // n_kv_heads).

Vectors are those the model multiplies, before scaling: softmax(scale * q.k + mask) gives
the attention weights, with scale = the module's own ``scaling``.
"""

from __future__ import annotations

import inspect
import math
import sys
from contextlib import contextmanager

import numpy as np

FAMILIES = {
    "BERT/RoBERTa/MiniLM": ("BertSelfAttention", "RobertaSelfAttention", "XLMRobertaSelfAttention",
                            "CamembertSelfAttention", "ElectraSelfAttention"),
    "GPT-2": ("GPT2Attention",),
    "Llama/Mistral/Qwen2": ("LlamaAttention", "MistralAttention", "Qwen2Attention", "Qwen3Attention"),
}
SUPPORTED = "; ".join(f"{family} ({', '.join(names)})" for family, names in FAMILIES.items())


def _family_of(module):
    name = type(module).__name__
    return next((family for family, names in FAMILIES.items() if name in names), None)


def attention_modules(model):
    """(family, self-attention modules in layer order) of ``model``; ValueError if unsupported."""
    found = [(m, _family_of(m)) for m in model.modules()]
    found = [(m, f) for m, f in found if f is not None and not getattr(m, "is_cross_attention", False)]
    families = sorted({f for _, f in found})
    if len(families) != 1:
        what = f"attention modules of several families ({', '.join(families)})" if families else \
            "no supported attention module"
        raise ValueError(
            f"{type(model).__name__}: cannot extract queries and keys, found {what}. "
            f"Supported: {SUPPORTED}. Without queries and keys, from_model(..., with_vectors=False) "
            "and head_view/model_view still work."
        )
    return families[0], [m for m, _ in found]


def _scale(modules) -> float:
    scales = sorted({float(m.scaling) for m in modules})
    if len(scales) != 1 or not math.isfinite(scales[0]):
        raise ValueError(
            f"{type(modules[0]).__name__}: the layers scale q.k differently ({scales}, e.g. GPT-2 with "
            "scale_attn_by_inverse_layer_idx); the neuron view supports one scale per model."
        )
    return scales[0]


def _keep_output(store, key):
    def hook(_module, _args, output):
        store[key] = output.detach()

    return hook


def _install_bert(module, store):
    return [module.query.register_forward_hook(_keep_output(store, "q")),
            module.key.register_forward_hook(_keep_output(store, "k"))]


def _install_gpt2(module, store):
    return [module.c_attn.register_forward_hook(_keep_output(store, "qkv"))]


def _install_llama(module, store):
    q = module.q_norm if getattr(module, "q_norm", None) is not None else module.q_proj
    k = module.k_norm if getattr(module, "k_norm", None) is not None else module.k_proj
    signature = inspect.signature(module.forward)

    def pre(_module, args, kwargs):
        bound = signature.bind_partial(*args, **kwargs).arguments
        store["rope"] = bound.get("position_embeddings", kwargs.get("position_embeddings"))

    return [q.register_forward_hook(_keep_output(store, "q")),
            k.register_forward_hook(_keep_output(store, "k")),
            module.register_forward_pre_hook(pre, with_kwargs=True)]


def _heads(x, head_dim):
    """[batch, positions, (heads * d) or heads, d] -> [batch, heads, positions, d]."""
    return x.reshape(x.shape[0], x.shape[1], -1, head_dim).transpose(1, 2)


def _finish_bert(module, store):
    d = module.attention_head_size
    return _heads(store["q"], d), _heads(store["k"], d)


def _finish_gpt2(module, store):
    q, k, _v = store["qkv"].split(module.split_size, dim=2)
    return _heads(q, module.head_dim), _heads(k, module.head_dim)


def _finish_llama(module, store):
    if store.get("rope") is None:
        raise RuntimeError(f"{type(module).__name__} (layer {module.layer_idx}) received no "
                           "position_embeddings; cannot apply its rotary embedding.")
    q, k = _heads(store["q"], module.head_dim), _heads(store["k"], module.head_dim)
    cos, sin = store["rope"]
    apply_rotary = sys.modules[type(module).__module__].apply_rotary_pos_emb  # the model's own function
    q, k = apply_rotary(q, k, cos, sin)
    return q, k.repeat_interleave(q.shape[1] // k.shape[1], dim=1)


_INSTALL = {"BERT/RoBERTa/MiniLM": _install_bert, "GPT-2": _install_gpt2, "Llama/Mistral/Qwen2": _install_llama}
_FINISH = {"BERT/RoBERTa/MiniLM": _finish_bert, "GPT-2": _finish_gpt2, "Llama/Mistral/Qwen2": _finish_llama}


def _window(module):
    """Sliding-window size of the layer's causal mask, or None (Mistral keeps it in its config)."""
    if hasattr(module, "sliding_window"):
        return module.sliding_window
    if type(module).__name__ == "MistralAttention":
        return getattr(module.config, "sliding_window", None)
    return None


class Capture:
    """What the hooks recorded during one forward pass (see :func:`capture`)."""

    def __init__(self, family, modules):
        self.family = family
        self.modules = modules
        self.stores = [{} for _ in modules]
        self.scale = _scale(modules)
        self.causal = bool(getattr(modules[0], "is_causal", False))

    def vectors(self, batch_index, query_keep, key_keep):
        """float32 numpy queries [L, H, q, d] and keys [L, H, k, d] of one batch item, padding removed."""
        import torch

        qs, ks = [], []
        for module, store in zip(self.modules, self.stores):
            if not store:
                raise RuntimeError(f"{type(module).__name__} was not called during the forward pass; "
                                   "cannot extract its queries and keys.")
            q, k = _FINISH[self.family](module, store)
            qs.append(q[batch_index][:, query_keep.to(q.device)].float().cpu())
            ks.append(k[batch_index][:, key_keep.to(k.device)].float().cpu())
        n = int(key_keep.sum())
        window = min((w for w in map(_window, self.modules) if w is not None), default=None)
        if window is not None and n > window:
            raise ValueError(f"{type(self.modules[0]).__name__}: {n} positions exceed the sliding window "
                             f"of {window}; the neuron view supports plain causal masks. Shorten the "
                             "text (max_length=...).")
        as_np = lambda xs: np.ascontiguousarray(torch.stack(xs).numpy(), dtype=np.float32)  # noqa: E731
        return as_np(qs), as_np(ks)


@contextmanager
def capture(model):
    """Hook every self-attention module of ``model`` for the forward passes inside the block.

    Raises ValueError (before any hook is registered) for an unsupported architecture.
    """
    family, modules = attention_modules(model)
    cap = Capture(family, modules)
    handles = []
    try:
        for module, store in zip(modules, cap.stores):
            handles += _INSTALL[family](module, store)
        yield cap
    finally:
        for handle in handles:
            handle.remove()
