"""Attentions: what :func:`attnscope.from_model` returns, with methods that show it."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..analysis.flow import attention_flow
from ..analysis.head_scores import attentions_scores
from ..analysis.rollout import rollout
from ..inputs.convert import peek_shape
from ..inputs.derived import section_choice
from ..inputs.indices import head_index
from ..widget.compare import compare_views
from ..widget.make import make_views

_ARRAYS = ("attention", "tokens", "sentence_b_start", "encoder_attention", "decoder_attention",
           "cross_attention", "encoder_tokens", "decoder_tokens")
#: section key -> the field holding its weights
_SECTIONS = (("self", "attention"), ("encoder", "encoder_attention"), ("decoder", "decoder_attention"),
             ("cross", "cross_attention"))


@dataclass
class Attentions:
    """Attention weights of one input, float32 numpy [layers, heads, queries, keys] (lazy: the model's
    own output tuple of per-layer tensors [1, heads, queries, keys], kept without a copy).

    Encoder-only and decoder-only models fill ``attention``/``tokens`` (and
    ``sentence_b_start`` for a text pair); encoder-decoder models fill
    ``encoder_attention``, ``decoder_attention``, ``cross_attention`` (queries:
    decoder tokens, keys: encoder tokens), ``encoder_tokens``, ``decoder_tokens``.

    With ``from_model(..., with_vectors=True)`` also ``queries`` [L, H, Q, d] and ``keys``
    [L, H, K, d] (float32, after rotary embeddings, keys repeated per query head for
    grouped-query attention), ``scale`` (the model's multiplier of q.k) and ``causal``:
    softmax(scale * q.k + causal mask) == attention.

    ``lazy`` (from ``from_model(..., lazy=...)``) is passed on to the views: None decides by size,
    True keeps the tensors in the kernel and sends slices on demand, False sends everything.
    ``word_ids`` ({"tokens" or "encoder_tokens"/"decoder_tokens": the fast tokenizer's word_ids()}, None
    with a slow tokenizer) tells the views where words begin (``group="word"``).
    ``token_ids`` (int64 [positions] of ``tokens``, or of ``encoder_tokens``) and ``special_positions``
    (the positions the tokenizer marks as special tokens) feed :meth:`head_scores`.
    ``gradients`` (from ``from_model(..., target=...)``): {"gradient": dy/dA float32 [L, H, Q, K], "attn_grad":
    relu(A * dy/dA) [L, H, Q, K], "grad_rollout": [L, Q, K] (Chefer et al. 2021), "target": y, "target_label"};
    the views then add the sections "attn_grad" and "grad_rollout" (attnscope.analysis.gradients).

    From :func:`attnscope.from_generate`: ``prompt_length`` (the query positions before the first generated
    token: the prompt's length, or 1, the start token, for an encoder-decoder's decoder), ``generated`` (the
    generated token ids, the positions prompt_length.. of ``tokens`` / ``decoder_tokens``) and
    ``generated_text`` (their decoded text); its views' sections over those positions carry them
    (:attr:`generation`, the wire's ``generation`` field).
    """

    attention: np.ndarray | None = None
    tokens: list[str] | None = None
    sentence_b_start: int | None = None
    encoder_attention: np.ndarray | None = None
    decoder_attention: np.ndarray | None = None
    cross_attention: np.ndarray | None = None
    encoder_tokens: list[str] | None = None
    decoder_tokens: list[str] | None = None
    queries: np.ndarray | None = None
    keys: np.ndarray | None = None
    scale: float | None = None
    causal: bool = False
    lazy: bool | None = None
    word_ids: dict | None = None
    token_ids: np.ndarray | None = None
    special_positions: list[int] | None = None
    gradients: dict | None = None
    prompt_length: int | None = None
    generated: list[int] | None = None
    generated_text: str | None = None

    @property
    def generation(self) -> dict | None:
        """{"prompt_length": P, "generated": [positions of the generated tokens]} (the wire's ``generation``
        field of the sections over these positions), None for attention of a given text."""
        if self.prompt_length is None:
            return None
        n = len(self.generated or ())
        return {"prompt_length": int(self.prompt_length),
                "generated": list(range(self.prompt_length, self.prompt_length + n))}

    def _args(self, vectors: bool) -> dict:
        args = {n: getattr(self, n) for n in _ARRAYS if getattr(self, n) is not None}
        args["lazy"] = self.lazy
        if self.word_ids is not None:
            args["word_ids"] = self.word_ids
        if self.token_ids is not None or self.special_positions is not None:
            args["score_inputs"] = {"token_ids": self.token_ids, "special_positions": self.special_positions}
        if self.generation is not None:
            args["generation"] = self.generation
        if self.gradients is not None:
            args["gradients"] = self.gradients
        if vectors and self.queries is not None:
            args.update(queries=self.queries, keys=self.keys, scale=self.scale, causal=self.causal)
        return args

    def head_scores(self, section=None, **kwargs) -> dict:
        """:func:`attnscope.head_scores` of one section (default the first: attention, else encoder), with
        this input's token_ids and special_positions (kwargs: as head_scores, e.g. exclude_bos=True)."""
        return attentions_scores(self, section, **kwargs)

    def head_view(self, **kwargs):
        """Call :func:`attnscope.head_view` with these arrays and tokens (kwargs override, e.g. lazy=True)."""
        return make_views(("head",), caller="head_view", **{**self._args(False), **kwargs})

    def model_view(self, **kwargs):
        """Call :func:`attnscope.model_view` with these arrays and tokens (kwargs override, e.g. lazy=True)."""
        return make_views(("model",), caller="model_view", **{**self._args(False), **kwargs})

    def neuron_view(self, layer=None, head=None, **kwargs):
        """Show the neuron view (needs ``from_model(..., with_vectors=True)``) at REAL layer/head (kwargs: as show)."""
        shape = peek_shape(self.attention) if self.attention is not None else None
        if head is not None and shape is not None:
            head = head_index(head, shape[1])
        heads = kwargs.pop("heads", None) if head is None else [head]
        return self.show(views=kwargs.pop("views", ("neuron",)), layer=layer, heads=heads, **kwargs)

    def matrix_view(self, colormap=None, scale=None, group="token", **kwargs):
        """Call :func:`attnscope.matrix_view` with these arrays and tokens (kwargs: as :meth:`show`, e.g.
        rollout=True)."""
        return make_views(("matrix",), caller="matrix_view", colormap=colormap, color_scale=scale, group=group,
                          **{**self._args(False), **kwargs})

    def text_view(self, colormap=None, scale=None, group="token", **kwargs):
        """Call :func:`attnscope.text_view` with these arrays and tokens (arguments as :meth:`matrix_view`)."""
        return make_views(("text",), caller="text_view", colormap=colormap, color_scale=scale, group=group,
                          **{**self._args(False), **kwargs})

    def _self_attention(self, section, caller):
        available = [k for k, name in _SECTIONS if getattr(self, name) is not None]
        key = section_choice(section, available, caller)
        return dict(_SECTIONS)[key], getattr(self, dict(_SECTIONS)[key])

    def rollout(self, residual=0.5, head_fusion="mean", discard_ratio=0.0, section=None):
        """:func:`attnscope.rollout` of one self-attention section: float32 [layers, queries, keys].
        section: None ("self" of a one-stack model), "encoder" or "decoder" (encoder-decoder models)."""
        name, value = self._self_attention(section, "rollout")
        return rollout(value, residual, head_fusion, discard_ratio, name=name)

    def attention_flow(self, residual=0.5, head_fusion="mean", discard_ratio=0.0, section=None):
        """:func:`attnscope.attention_flow` of one self-attention section (small inputs only), float32
        [layers, queries, keys]; section as in :meth:`rollout`."""
        name, value = self._self_attention(section, "attention_flow")
        return attention_flow(value, residual, head_fusion, discard_ratio, name=name)

    def compare(self, other, labels=("A", "B"), **kwargs):
        """:func:`attnscope.compare` of this result (A) and ``other`` (B), another Attentions of the same shape
        (kwargs: as compare, e.g. views=, lazy=, section="encoder")."""
        return compare_views(self, other, labels, **kwargs)

    def _comparison_part(self, section, caller):
        """(attention, tokens, word_ids, lazy) of one self-attention section, for attnscope.widget.compare."""
        name, value = self._self_attention(section, caller)
        tokens_name = "tokens" if name == "attention" else name.replace("_attention", "_tokens")
        return value, getattr(self, tokens_name), (self.word_ids or {}).get(tokens_name), self.lazy

    def show(self, views=("head", "model", "neuron"), **kwargs):
        """Display the ``views`` together, linked through one selection, and return the widget.

        kwargs: layer, heads (real indices), include_layers, include_heads, prettify_tokens, lazy,
        html_action ("return": an ``IPython.display.HTML`` offline page instead of a displayed widget).
        Without queries/keys the neuron view shows how to get them.
        """
        return make_views(views, **{**self._args(True), **kwargs})
