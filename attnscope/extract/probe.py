"""The induction probe: random tokens repeated twice, run through a causal model; an induction head
attends from each token of the second repeat to the token after its first occurrence.

Score of a head (per sequence, then the mean over the batch): the mean, over the query positions of the
second repeat, of the weight on the induction target (the TransformerLens induction pattern restricted
to the rows that have a target: a perfect induction head scores 1). detect_head's ratio over every row
would cap it below 0.5, since the first repeat has no target to attend to.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .model import _device, _eager_attention, _eval_mode, _weights
from .result import Attentions


@dataclass
class InductionProbe:
    """What :func:`probe_induction` returns."""

    attentions: Attentions  # the first sequence (open its heads with .show() / .head_view())
    scores: np.ndarray  # float32 [layers, heads], the mean over the batch
    token_ids: np.ndarray  # int64 [batch, positions] of every sequence run
    seq_len: int

    def top(self, n: int = 10) -> list:
        """[(layer, head, score)] of the ``n`` highest induction scores, highest first."""
        flat = np.argsort(-self.scores, axis=None, kind="stable")[:n]
        n_h = self.scores.shape[1]
        return [(int(i // n_h), int(i % n_h), float(self.scores.flat[i])) for i in flat]


def _random_ids(model, tokenizer, seq_len, batch, seed):
    import torch

    gen = torch.Generator().manual_seed(int(seed))
    if tokenizer is None:
        vocab = int(model.config.vocab_size)
        ids = torch.randint(0, vocab, (batch, seq_len), generator=gen)
        bos = None
    else:
        special = set(getattr(tokenizer, "all_special_ids", []) or [])
        allowed = torch.tensor([i for i in range(len(tokenizer)) if i not in special], dtype=torch.long)
        ids = allowed[torch.randint(0, len(allowed), (batch, seq_len), generator=gen)]
        bos = getattr(tokenizer, "bos_token_id", None)
    ids = torch.cat([ids, ids], dim=1)
    if bos is not None:
        ids = torch.cat([torch.full((batch, 1), int(bos), dtype=torch.long), ids], dim=1)
    return ids


def _check(name, value, low):
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < low:
        raise ValueError(f"{name}: got {value!r}; expected an int >= {low}.")


def probe_induction(model, tokenizer=None, seq_len=50, batch=10, seed=0) -> InductionProbe:
    """Find the induction heads of a causal language model in one call (module doc).

    ``batch`` sequences of ``seq_len`` random tokens (seeded by ``seed``; from the tokenizer's vocabulary
    without its special tokens, or uniform over ``model.config.vocab_size`` without a tokenizer), each
    repeated twice, a BOS token first when the tokenizer has one, run with eager attention. Returns an
    :class:`InductionProbe`: ``.scores`` float32 [layers, heads], ``.top(n)``, ``.attentions`` (the
    first sequence, to open the heads found). ValueError for an encoder-only or encoder-decoder model.
    """
    import torch

    _check("seq_len", seq_len, 2)
    _check("batch", batch, 1)
    config = getattr(model, "config", None)
    if config is None or getattr(config, "is_encoder_decoder", False):
        raise ValueError(f"model: {type(model).__name__} is not a decoder-only causal language model; "
                         "probe_induction needs one (e.g. AutoModelForCausalLM).")
    ids = _random_ids(model, tokenizer, int(seq_len), int(batch), seed)
    with _eager_attention(model), _eval_mode(model), torch.no_grad():
        out = model(input_ids=ids.to(_device(model)), output_attentions=True, return_dict=True)
    att = _weights(out, "attentions", model)
    n = ids.shape[1]
    upper = torch.triu(torch.ones(n, n, dtype=torch.bool), 1)
    if any(float(a.detach().float().cpu()[..., upper].abs().max()) > 1e-4 for a in att):
        raise ValueError(f"model: {type(model).__name__} attends to later positions (it is not causal, e.g. an "
                         "encoder-only model); probe_induction needs a causal language model.")
    offset = n - 2 * int(seq_len)  # 1 with a BOS token
    rows = torch.arange(offset + seq_len, n)  # the second repeat
    targets = rows - seq_len + 1  # the token after the first occurrence
    scores = np.stack([a.detach().float().cpu()[:, :, rows, targets].mean(dim=-1).mean(dim=0).numpy()
                       for a in att]).astype(np.float32)
    first = tuple(a[:1].detach() for a in att)
    tokens = (tokenizer.convert_ids_to_tokens(ids[0].tolist()) if tokenizer is not None
              else [str(i) for i in ids[0].tolist()])
    result = Attentions(attention=np.ascontiguousarray(torch.stack([a[0].float().cpu() for a in first]).numpy()),
                        tokens=tokens, token_ids=ids[0].numpy().astype(np.int64), causal=True)
    return InductionProbe(result, scores, ids.numpy().astype(np.int64), int(seq_len))
