"""The target of attention x gradient (attnscope.analysis.gradients) and dy/dA of every layer's attention.

from_model(..., target=...) runs the model with gradients enabled (eval mode, eager attention,
output_attentions=True) and differentiates y with torch.autograd.grad with respect to the attention weights
the model returns. In transformers' eager attention (BERT, Llama and the others built on
``eager_attention_forward``) the returned weights are the tensor multiplied with the values (dropout is the
identity in eval mode), so this is the true dy/dA. A target is one of:
- ``{"position": p, "token": id or str}``: the logit of that token at position p (causal LMs: the logit of
  the next token after position p); p counts the input's positions (padding removed), negative from the end;
  a str is a vocabulary token (``tokenizer.convert_tokens_to_ids``), else text that encodes to one token;
- ``{"class": c}``: the logit of class c (sequence classification);
- a callable ``f(model_output) -> scalar tensor``.
"""

from __future__ import annotations

import numbers

import numpy as np

from ..analysis.gradients import attention_x_gradient, gradient_rollout
from ..inputs.convert import short

TARGET_KEYS = ({"position", "token"}, {"class"})


def _int(value, name):
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        raise TypeError(f"target: {name} got {type(value).__name__} {short(value)}; expected an int.")
    return int(value)


def check_target(target, tokenizer):
    """The target in a checked form ("logit", position, token id) / ("class", c) / ("callable", f), before
    the model runs (positions are checked by :func:`check_position` once the input is tokenized)."""
    if callable(target):
        return ("callable", target)
    if not isinstance(target, dict):
        raise TypeError(f"target: got {type(target).__name__} {short(target)}; expected "
                        '{"position": p, "token": id or str}, {"class": c} or a callable f(model_output) -> '
                        "scalar tensor.")
    if set(target) not in TARGET_KEYS:
        raise ValueError(f"target: got keys {sorted(map(str, target))}; expected exactly "
                         '{"position", "token"} (a token\'s logit at a position) or {"class"} (a class logit).')
    if "class" in target:
        return ("class", _int(target["class"], "class"))
    return ("logit", _int(target["position"], "position"), _token_id(target["token"], tokenizer))


def _token_id(token, tokenizer) -> int:
    if isinstance(token, str):
        vocab = tokenizer.get_vocab()
        if token in vocab:
            return int(vocab[token])
        ids = tokenizer(token, add_special_tokens=False)["input_ids"]
        if len(ids) != 1:
            raise ValueError(f"target: token {token!r} is not in the vocabulary and encodes to {len(ids)} tokens "
                             f"{ids}; pass a token id or a vocabulary token (e.g. "
                             f"{tokenizer.convert_ids_to_tokens(ids)[:1]}).")
        return int(ids[0])
    token = _int(token, "token")
    size = len(tokenizer)
    if not 0 <= token < size:
        raise ValueError(f"target: token got {token}; expected a token id in 0..{size - 1}.")
    return token


def check_position(spec, n_positions: int):
    """spec with its position made an index in 0..n-1 (negative counts from the end), or ValueError."""
    if spec[0] != "logit":
        return spec
    p = spec[1]
    if not -n_positions <= p < n_positions:
        raise ValueError(f"target: position got {p}; expected an int in 0..{n_positions - 1} (or -{n_positions}.."
                         f"-1 from the end) for this input of {n_positions} tokens.")
    return ("logit", p % n_positions, spec[2])


def target_value(spec, out, batch_index: int, positions):
    """The scalar y of the model output ``out``: ``positions`` are the kept (unpadded) positions' indices."""
    import torch

    kind = spec[0]
    if kind == "callable":
        y = spec[1](out)
        if not torch.is_tensor(y) or y.numel() != 1:
            what = f"a tensor of shape {list(y.shape)}" if torch.is_tensor(y) else type(y).__name__
            raise ValueError(f"target: the callable returned {what}; expected a scalar tensor.")
        if not y.requires_grad:
            raise ValueError("target: the callable's result does not depend on the model's computation "
                             "(requires_grad is False).")
        return y.reshape(())
    logits = getattr(out, "logits", None)
    if kind == "class":
        if logits is None or logits.dim() != 2:
            raise ValueError(f"target: {{'class': ...}} needs a sequence classification model (logits [batch, "
                             f"classes]); {type(out).__name__} has "
                             f"{'no logits' if logits is None else f'logits of shape {list(logits.shape)}'}.")
        if not 0 <= spec[1] < logits.shape[1]:
            raise ValueError(f"target: class got {spec[1]}; expected a class in 0..{logits.shape[1] - 1}.")
        return logits[batch_index, spec[1]]
    if logits is None or logits.dim() != 3:
        raise ValueError(f"target: {{'position', 'token'}} needs a language model's logits [batch, positions, "
                         f"vocabulary]; {type(out).__name__} has "
                         f"{'no logits' if logits is None else f'logits of shape {list(logits.shape)}'}.")
    if not 0 <= spec[2] < logits.shape[2]:
        raise ValueError(f"target: token got {spec[2]}; the model's vocabulary has {logits.shape[2]} logits.")
    return logits[batch_index, int(positions[spec[1]]), spec[2]]


def attention_grads(attentions, y):
    """dy/dA of every layer's attention tensor (a tuple like the model's), by torch.autograd.grad."""
    import torch

    grads = torch.autograd.grad(y, list(attentions), allow_unused=True)
    return tuple(torch.zeros_like(a) if g is None else g for a, g in zip(attentions, grads))


def _item(tensors, b, keep):
    """float32 numpy [L, H, q, q] of item b of a tuple of [batch, H, Q, Q] tensors, padding removed."""
    import torch

    x = torch.stack([t[b].detach().float().cpu() for t in tensors])
    return np.ascontiguousarray(x[:, :, keep][:, :, :, keep].numpy(), dtype=np.float32)


def gradients_of(spec, out, attentions, batch_index: int, keep) -> dict:
    """{"gradient": dy/dA, "attn_grad", "grad_rollout" (attnscope.analysis.gradients), "target": y,
    "target_label"} of the model output ``out`` and its attention tuple, for item batch_index's kept positions."""
    positions = keep.nonzero().flatten()
    y = target_value(spec, out, batch_index, positions)
    grads = attention_grads(attentions, y)
    gradient, attention = _item(grads, batch_index, keep), _item(attentions, batch_index, keep)
    label = {"callable": "callable target", "class": f"class {spec[1]}"}.get(spec[0])
    if label is None:
        label = f"token {spec[2]} at position {spec[1]}"
    return {"gradient": gradient, "attn_grad": attention_x_gradient(attention, gradient),
            "grad_rollout": gradient_rollout(attention, gradient), "target": float(y.detach()), "target_label": label}
