"""The arguments of a view -> checked Sections (one per attention kind), and the hand-made section dicts
``AttentionWidget.from_arrays`` takes -> Sections.

Order of work: which arguments go together; the type, dtype, device and shape of each attention (no
weight read yet); include_layers / include_heads; the size and the mode (eager or lazy); only then the
conversion (eager: one float32 copy; lazy: the caller's tensors kept, their weights checked a block at a
time when the summary is computed, attnscope.analysis.summary), the tokens and the query/key vectors.
"""

from __future__ import annotations

import numpy as np

from ..data.section import SAME_POSITIONS, SECTION_LABELS, Section, Vectors
from ..data.source import ArraySource, ArrayVectors, KeptSource, KeptVectors
from . import convert, indices, limits, tokens, vectors, weights, words
from .generation import check_generation

ENC_DEC_ARGS = ("encoder_attention", "decoder_attention", "cross_attention", "encoder_tokens", "decoder_tokens")


class _Input:
    """One attention argument on its way to a Section: its tokens are checked once it is loaded."""

    def __init__(self, key, name, value, square, q_tokens, k_tokens=None, tokens_name=None):
        self.key, self.name, self.value, self.square = key, name, value, square
        self.q_tokens, self.k_tokens = q_tokens, k_tokens  # unchecked until _check_tokens
        self.tokens_name = tokens_name  # the argument holding the tokens of both axes (same positions)
        self.peeked = convert.peek_shape(value)  # no check: None when it cannot be told cheaply
        self.shape = self.array = None

    def load(self, lazy: bool) -> None:
        """Eager: the checked float32 copy; lazy: the checks made before reading any weight (the weights
        are checked a block at a time with the summary, attnscope.analysis.summary)."""
        if lazy:
            self.shape = convert.peek_attention(self.value, self.name, self.square)
        else:
            self.array = weights.attention_array(self.value, self.name, self.square)
            self.shape = self.array.shape
        self.layers, self.heads = list(range(self.shape[0])), list(range(self.shape[1]))


def build(caller, attention=None, tokens=None, sentence_b_start=None, *, encdec=None, vectors=None,
          include_layers=None, include_heads=None, prettify_tokens=True, lazy=False, word_ids=None,
          generation=None):
    """Check everything and return (sections, sentence_b_start); raises ValueError/TypeError.

    encdec: dict with the ENC_DEC_ARGS (None values ignored). vectors: dict queries, keys, scale, causal
    for the self section (``attention``), or None. lazy: False (eager: float32 copies, the size limit),
    True, or None (lazy above limits.LAZY_ABOVE_BYTES or MAX_INPUT_BYTES). word_ids: {"tokens" |
    "encoder_tokens" | "decoder_tokens": a tokenizer's word_ids() for those tokens}; the word boundaries
    of tokens without word ids come from their subword markers (attnscope.inputs.words). generation:
    {"prompt_length", "generated"} over the query positions of the self / decoder / cross sections.
    """
    limits.lazy_mode(lazy, None)  # a wrong ``lazy`` is named first
    encdec = {k: val for k, val in (encdec or {}).items() if val is not None}
    attention = convert.lists_to_array(attention, "attention")  # nested lists: converted once, here
    encdec = {k: (convert.lists_to_array(val, k) if k in ENC_DEC_ARGS[:3] else val) for k, val in encdec.items()}
    inputs, sentence_b_start = _inputs(caller, attention, tokens, sentence_b_start, encdec)
    has_vectors = bool(vectors) and (vectors.get("queries") is not None or vectors.get("keys") is not None)
    parts = _parts(inputs, vectors if has_vectors else None, include_layers, include_heads)
    lazy = limits.lazy_mode(lazy, None if parts is None else limits.payload_bytes(parts))
    if not lazy and parts is not None:
        limits.check_size(parts, caller)  # from the shapes, before any array is converted: the one size check
    for inp in inputs:
        inp.load(lazy)
        _check_tokens(inp)
    if sentence_b_start is not None:
        sentence_b_start = indices.sentence_b(sentence_b_start, len(inputs[0].q_tokens))
    if has_vectors and inputs[0].key != "self":
        raise ValueError("queries/keys: only for attention (one stack), not for encoder-decoder attention.")
    _include(inputs, include_layers, "include_layers", 0, "layer")
    _include(inputs, include_heads, "include_heads", 1, "head")
    ids = _word_ids(word_ids, inputs)
    sections = [_section(inp, lazy, prettify_tokens, ids) for inp in inputs]
    if generation is not None:
        for s in sections:
            if s.key != "encoder":
                s.generation = check_generation(generation, len(s.query_tokens))
    if has_vectors:
        sections[0].vectors = _vectors(sections[0], inputs[0].shape, lazy, **vectors)
    return sections, sentence_b_start


def _check_tokens(inp) -> None:
    _, _, n_q, n_k = inp.shape
    if inp.tokens_name is not None:
        inp.q_tokens = inp.k_tokens = tokens.tokens_list(inp.q_tokens, inp.tokens_name, n_q, "query/key")
        return
    inp.q_tokens = tokens.tokens_list(inp.q_tokens, "decoder_tokens", n_q, "cross_attention query",
                                      n_k, "encoder_tokens")
    inp.k_tokens = tokens.tokens_list(inp.k_tokens, "encoder_tokens", n_k, "cross_attention key",
                                      n_q, "decoder_tokens")


def _inputs(caller, attention, toks, sentence_b_start, encdec):
    if attention is not None:
        if encdec:
            raise ValueError(
                f"attention: cannot be combined with {', '.join(encdec)}; pass either attention "
                "and tokens (one stack) or encoder_/decoder_/cross_ arguments (encoder-decoder)."
            )
        return [_Input("self", "attention", attention, True, toks, tokens_name="tokens")], sentence_b_start
    if not encdec:
        raise TypeError(f"{caller}: got no attention; pass attention=... (and tokens=...), "
                        "or encoder_attention/decoder_attention/cross_attention with their tokens.")
    if toks is not None:
        raise ValueError("tokens: goes with attention, which was not given; for encoder-decoder "
                         "models pass encoder_tokens and decoder_tokens instead.")
    if sentence_b_start is not None:
        raise ValueError("sentence_b_start: only applies to attention (one stack), not to "
                         "encoder-decoder attention; remove it.")
    return _encoder_decoder(**{k: encdec.get(k) for k in ENC_DEC_ARGS}), None


def _need(toks, tok_name, att_name):
    if toks is None:
        raise ValueError(f"{tok_name}: missing; {att_name} was given and needs {tok_name} "
                         "(a list of str, one per position).")


def _encoder_decoder(encoder_attention, decoder_attention, cross_attention, encoder_tokens, decoder_tokens):
    if encoder_attention is None and decoder_attention is None and cross_attention is None:
        name = "encoder_tokens" if encoder_tokens is not None else "decoder_tokens"
        raise ValueError(f"{name}: given without any attention; pass encoder_attention, "
                         "decoder_attention and/or cross_attention too.")
    if encoder_tokens is not None and encoder_attention is None and cross_attention is None:
        raise ValueError("encoder_tokens: given but neither encoder_attention nor cross_attention was.")
    if decoder_tokens is not None and decoder_attention is None and cross_attention is None:
        raise ValueError("decoder_tokens: given but neither decoder_attention nor cross_attention was.")
    out = []
    for key, value, toks in (("encoder", encoder_attention, encoder_tokens),
                             ("decoder", decoder_attention, decoder_tokens)):
        if value is not None:
            _need(toks, f"{key}_tokens", f"{key}_attention")
            out.append(_Input(key, f"{key}_attention", value, True, toks, tokens_name=f"{key}_tokens"))
    if cross_attention is not None:
        _need(encoder_tokens, "encoder_tokens", "cross_attention")
        _need(decoder_tokens, "decoder_tokens", "cross_attention")
        out.append(_Input("cross", "cross_attention", cross_attention, False, decoder_tokens, encoder_tokens))
    return out


def _include(inputs, include, name, axis, what):
    """Keep the real indices in ``include`` (in the order given) along ``axis`` of every input."""
    if include is None:
        return
    for inp in inputs:
        label = name if inp.key == "self" else f"{name} (for {inp.key} attention)"
        keep = indices.int_list(include, label, inp.shape[axis], what)
        if axis == 0:
            inp.layers = keep
        else:
            inp.heads = keep


def _count(include, n):
    """How many slices ``include`` keeps along an axis of n (a guess when include is invalid: it is checked
    after the size, with the attention)."""
    if include is None:
        return n
    if indices.as_index(include) is not None:
        return 1
    try:
        return max(1, min(len(include), n))
    except TypeError:
        return n


def _parts(inputs, vecs, include_layers, include_heads):
    """limits.part of everything eager mode would send, from the unchecked shapes alone (None when a shape
    cannot be told without converting)."""
    parts = []
    for inp in inputs:
        if inp.peeked is None:
            return None
        n_l, n_h, n_q, n_k = inp.peeked
        shape = (_count(include_layers, n_l), _count(include_heads, n_h), n_q, n_k)
        parts.append(limits.part(inp.name, shape, limits.WEIGHT_BYTES, "weights"))
    if vecs is not None and vecs.get("queries") is not None:
        q = convert.peek_shape(vecs["queries"])
        if q is not None:
            L, H, Q, K = parts[0][1]
            parts.append(limits.part("queries + keys", (L, H, Q + K, q[3]), limits.VECTOR_BYTES, "values"))
    return parts


def _take(arr: np.ndarray, layers, heads) -> np.ndarray:
    """The included layers and heads of [L, H, ...] in one copy (none when everything is included)."""
    if list(layers) == list(range(arr.shape[0])) and list(heads) == list(range(arr.shape[1])):
        return arr
    return np.ascontiguousarray(arr[np.ix_(layers, heads)])


def _word_ids(word_ids, inputs) -> dict:
    """{token argument: checked word ids} of ``word_ids`` (see :func:`build`)."""
    if word_ids is None:
        return {}
    if not isinstance(word_ids, dict):
        raise TypeError(f"word_ids: got {type(word_ids).__name__}; expected a dict {{'tokens': word ids}} "
                        "(or 'encoder_tokens' / 'decoder_tokens').")
    lengths = {}
    for inp in inputs:
        if inp.tokens_name is not None:
            lengths[inp.tokens_name] = len(inp.q_tokens)
        else:
            lengths.update(decoder_tokens=len(inp.q_tokens), encoder_tokens=len(inp.k_tokens))
    for name in word_ids:
        if name not in lengths:
            raise ValueError(f"word_ids: {name!r} is not one of the token arguments given {sorted(lengths)}.")
    return {name: words.check_word_ids(ids, f"word_ids[{name!r}]", lengths[name]) for name, ids in word_ids.items()
            if ids is not None}


def _section(inp, lazy, prettify_tokens, word_ids=None) -> Section:
    if lazy:
        source = KeptSource(inp.value, inp.shape, inp.name)
    else:
        source = ArraySource(_take(inp.array, inp.layers, inp.heads), inp.layers, inp.heads)
        inp.array = None
    q_tokens, k_tokens = inp.q_tokens, inp.k_tokens
    q_name, k_name = (inp.tokens_name,) * 2 if inp.tokens_name else ("decoder_tokens", "encoder_tokens")
    found = words.section_words(q_tokens, k_tokens, (word_ids or {}).get(q_name), (word_ids or {}).get(k_name),
                                inp.tokens_name is not None)  # before prettifying: it changes the markers
    if prettify_tokens:
        q_tokens, k_tokens = tokens.prettify(q_tokens), tokens.prettify(k_tokens)
    return Section(key=inp.key, source=source, layers=list(inp.layers), heads=list(inp.heads),
                   query_tokens=list(q_tokens), key_tokens=list(k_tokens), same_positions=inp.square,
                   n_layers=inp.shape[0], n_heads=inp.shape[1], words=found)


def _vectors(section, shape, lazy, queries=None, keys=None, scale=None, causal=False) -> Vectors:
    """Queries [L, H, Q, d] / keys [L, H, K, d] checked against the attention's shape [L, H, Q, K]: float32
    copies of the included layers and heads, or (lazy) the caller's arrays kept as they are."""
    vectors.check_both(queries, keys)
    if lazy:
        q, q_shape = vectors.kept_vectors(queries, "queries", section.layers, section.heads)
        k, k_shape = vectors.kept_vectors(keys, "keys", section.layers, section.heads)
    else:
        q, k = vectors.vector_array(queries, "queries"), vectors.vector_array(keys, "keys")
        q_shape, k_shape = q.shape, k.shape
    d = vectors.check_fit(q_shape, k_shape, shape)
    scale, causal = vectors.check_scale(scale, d), vectors.check_causal(causal)
    if lazy:
        return Vectors(KeptVectors(q, q_shape, "queries"), KeptVectors(k, k_shape, "keys"), scale, causal)
    q, k = (_take(a, section.layers, section.heads) for a in (q, k))
    return Vectors(ArrayVectors(q, section.layers, section.heads), ArrayVectors(k, section.layers, section.heads),
                   scale, causal)


def from_dict(d: dict) -> Section:
    """A Section from the hand-made form ``AttentionWidget.from_arrays`` takes: key, attention (float32
    [L, H, Q, K]), layers (real id of each of the L slices), query_tokens, key_tokens; optional heads,
    queries [L, H, Q, d] and keys [L, H, K, d], scale, causal."""
    if isinstance(d, Section):
        return d
    key, att = d["key"], np.ascontiguousarray(d["attention"], dtype=np.float32)
    if key not in SECTION_LABELS:
        raise ValueError(f"section key {key!r} unknown; expected one of {list(SECTION_LABELS)}.")
    if len(d["layers"]) != att.shape[0]:
        raise ValueError(f"section {key!r}: {len(d['layers'])} layer indices for {att.shape[0]} layers.")
    if (len(d["query_tokens"]), len(d["key_tokens"])) != tuple(att.shape[2:]):
        raise ValueError(f"section {key!r}: token counts do not match attention shape {att.shape}.")
    layers = [int(i) for i in d["layers"]]
    heads = [int(h) for h in d.get("heads", range(att.shape[1]))]
    if len(heads) != att.shape[1]:
        raise ValueError(f"section {key!r}: {len(heads)} head indices for {att.shape[1]} heads.")
    sec = Section(key=key, source=ArraySource(att, layers, heads), layers=layers, heads=heads,
                  query_tokens=list(d["query_tokens"]), key_tokens=list(d["key_tokens"]),
                  same_positions=SAME_POSITIONS[key], n_layers=max(layers) + 1, n_heads=max(heads) + 1)
    if d.get("queries") is not None or d.get("keys") is not None:
        q, k = d["queries"], d["keys"]
        L, H, Q, K = att.shape
        if q.ndim != 4 or q.shape[:3] != (L, H, Q) or k.shape != (L, H, K, q.shape[3]):
            raise ValueError(f"section {key!r}: queries {q.shape} / keys {k.shape} do not fit attention "
                             f"{att.shape}; expected [{L}, {H}, {Q}, d] and [{L}, {H}, {K}, d].")
        q, k = (np.ascontiguousarray(a, dtype=np.float32) for a in (q, k))
        sec.vectors = Vectors(ArrayVectors(q, layers, heads), ArrayVectors(k, layers, heads),
                              float(d["scale"]), bool(d.get("causal", False)))
    return sec


def size_parts(sections, weight_bytes: int = limits.WEIGHT_BYTES):
    """limits.part of what the given (eager) sections send, ``weight_bytes`` per weight."""
    parts = []
    for s in sections:
        parts.append(limits.part(s.key if s.key != "self" else "attention", s.shape, weight_bytes, "weights"))
        if s.vectors is not None:
            L, H, Q, K = s.shape
            parts.append(limits.part("queries + keys", (L, H, Q + K, s.vectors.queries.shape[3]),
                                     limits.VECTOR_BYTES, "values"))
    return parts
