"""User arguments -> checked sections (one per attention kind), ready for AttentionWidget.from_arrays.

A section is a dict: key, attention (float32 [L, H, Q, K]), layers and heads (the REAL
index of each slice along axes 0 and 1), query_tokens, key_tokens and, for the neuron
view, queries [L, H, Q, d], keys [L, H, K, d], scale and causal. A lazy section (``lazy``
True) holds the caller's tensors instead (attnscope.kept: not copied, not cut by
include_layers / include_heads, whose real ids are in layers / heads) and a summary.
"""

from __future__ import annotations

import math
import numbers

import numpy as np

from . import validation as v

ENC_DEC_ARGS = ("encoder_attention", "decoder_attention", "cross_attention", "encoder_tokens", "decoder_tokens")


def build(caller, attention=None, tokens=None, sentence_b_start=None, *, encdec=None, vectors=None,
          include_layers=None, include_heads=None, prettify_tokens=True, lazy=False):
    """Validate everything and return (sections, sentence_b_start); raises ValueError/TypeError.

    encdec: dict with the ENC_DEC_ARGS (None values ignored). vectors: dict queries, keys,
    scale, causal for the self section (``attention``), or None.
    lazy: False (eager: float32 copies, the size limit), True, or None (lazy above
    validation.LAZY_ABOVE_BYTES or MAX_INPUT_BYTES). Lazy sections (``"lazy": True``) keep the
    caller's tensors (attnscope.kept) under "attention"/"queries"/"keys", include_layers/include_heads
    only select ids, and carry the "summary" computed (and the weights checked) by attnscope.lazy.
    """
    encdec = {k: val for k, val in (encdec or {}).items() if val is not None}
    attention = v.lists_to_array(attention, "attention")  # nested lists: converted once, here
    encdec = {k: (v.lists_to_array(val, k) if k in ENC_DEC_ARGS[:3] else val) for k, val in encdec.items()}
    parts = _payload_parts(attention, encdec, vectors, include_layers, include_heads)
    lazy = v.lazy_mode(lazy, None if parts is None else sum(math.prod(p[1]) * p[2] for p in parts))
    if not lazy and parts:
        v.check_size(parts, caller)  # from the shapes, before any array is converted
    load = _kept if lazy else v.attention_array
    sections, sentence_b_start = _sections(caller, attention, tokens, sentence_b_start, encdec, load)
    if vectors and (vectors.get("queries") is not None or vectors.get("keys") is not None):
        if sections[0]["key"] != "self":
            raise ValueError("queries/keys: only for attention (one stack), not for encoder-decoder attention.")
        sections[0].update(_vectors(sections[0]["attention"].shape, lazy, **vectors))
    _select(sections, include_layers, "include_layers", 0, "layers", "layer", take=not lazy)
    _select(sections, include_heads, "include_heads", 1, "heads", "head", take=not lazy)
    if lazy:
        from .lazy import summarize

        summarize(sections)  # checks the weights shown, layer by layer, and computes the summary
    else:
        check_size(sections, caller)
    if prettify_tokens:
        for s in sections:
            s["query_tokens"] = v.prettify(s["query_tokens"])
            s["key_tokens"] = v.prettify(s["key_tokens"])
    return sections, sentence_b_start


def _kept(value, name, square=False):
    from .kept import KeptAttention

    return KeptAttention(value, name, square)


WEIGHT_BYTES = 2  # attention travels as float16
VECTOR_BYTES = 4  # queries/keys travel as float32


def _count(include, n):
    """How many slices ``include`` keeps along an axis of n (a guess when include is invalid: checked later)."""
    if include is None:
        return n
    if v.as_index(include) is not None:
        return 1
    try:
        return max(1, min(len(include), n))
    except TypeError:
        return n


def _payload_parts(attention, encdec, vectors, include_layers, include_heads):
    """(name, shape, itemsize, kind) of what eager mode would send, from the input shapes alone (None when a
    shape cannot be told without converting)."""
    named = [("attention", attention)] + [(k, encdec.get(k)) for k in ENC_DEC_ARGS[:3]]
    parts = []
    for name, value in named:
        if value is None:
            continue
        shape = v.peek_shape(value)
        if shape is None:
            return None
        L, H, Q, K = shape
        L, H = _count(include_layers, L), _count(include_heads, H)
        parts.append((name, (L, H, Q, K), WEIGHT_BYTES, "weights"))
        if name == "attention" and vectors and vectors.get("queries") is not None:
            q = v.peek_shape(vectors["queries"])
            if q is not None:
                parts.append(("queries + keys", (L, H, Q + K, q[3]), VECTOR_BYTES, "values"))
    return parts or None


def check_size(sections, caller, weight_bytes=WEIGHT_BYTES):
    """The size limit for validated sections (what will be sent)."""
    parts = []
    for s in sections:
        att = s["attention"]
        parts.append((s["key"] if s["key"] != "self" else "attention", att.shape, weight_bytes, "weights"))
        if s.get("queries") is not None:
            L, H, Q, d = s["queries"].shape
            parts.append(("queries + keys", (L, H, Q + s["keys"].shape[2], d), VECTOR_BYTES, "values"))
    v.check_size(parts, caller)


def initial_heads(heads, section) -> list[int]:
    """``heads`` (real head ids, or None for all) checked against the section's heads; sorted."""
    if heads is None:
        return []
    real = section["heads"]
    n = section["n_heads"]
    chosen = v.int_list(heads, "heads", n, "head")
    missing = [h for h in chosen if h not in real]
    if missing:
        raise ValueError(f"heads: {missing} not in include_heads {real}; pick among them.")
    return sorted(chosen)


def _section(key, arr, q_tokens, k_tokens):
    lazy = not isinstance(arr, np.ndarray)
    return {"key": key, "attention": arr, "lazy": lazy, "layers": list(range(arr.shape[0])), "n_layers": arr.shape[0],
            "heads": list(range(arr.shape[1])), "n_heads": arr.shape[1],
            "query_tokens": q_tokens, "key_tokens": k_tokens}


def _sections(caller, attention, tokens, sentence_b_start, encdec, load=v.attention_array):
    if attention is not None:
        if encdec:
            raise ValueError(
                f"attention: cannot be combined with {', '.join(encdec)}; pass either attention "
                "and tokens (one stack) or encoder_/decoder_/cross_ arguments (encoder-decoder)."
            )
        arr = load(attention, "attention", square=True)
        toks = v.tokens_list(tokens, "tokens", arr.shape[2], "query/key")
        return [_section("self", arr, toks, toks)], v.sentence_b(sentence_b_start, len(toks))
    if not encdec:
        raise TypeError(f"{caller}: got no attention; pass attention=... (and tokens=...), "
                        "or encoder_attention/decoder_attention/cross_attention with their tokens.")
    if tokens is not None:
        raise ValueError("tokens: goes with attention, which was not given; for encoder-decoder "
                         "models pass encoder_tokens and decoder_tokens instead.")
    if sentence_b_start is not None:
        raise ValueError("sentence_b_start: only applies to attention (one stack), not to "
                         "encoder-decoder attention; remove it.")
    return _encoder_decoder(load, **{k: encdec.get(k) for k in ENC_DEC_ARGS}), None


def _need(tokens, tok_name, att_name):
    if tokens is None:
        raise ValueError(f"{tok_name}: missing; {att_name} was given and needs {tok_name} "
                         "(a list of str, one per position).")


def _encoder_decoder(load, encoder_attention, decoder_attention, cross_attention, encoder_tokens, decoder_tokens):
    if encoder_attention is None and decoder_attention is None and cross_attention is None:
        name = "encoder_tokens" if encoder_tokens is not None else "decoder_tokens"
        raise ValueError(f"{name}: given without any attention; pass encoder_attention, "
                         "decoder_attention and/or cross_attention too.")
    if encoder_tokens is not None and encoder_attention is None and cross_attention is None:
        raise ValueError("encoder_tokens: given but neither encoder_attention nor cross_attention was.")
    if decoder_tokens is not None and decoder_attention is None and cross_attention is None:
        raise ValueError("decoder_tokens: given but neither decoder_attention nor cross_attention was.")
    out = []
    if encoder_attention is not None:
        _need(encoder_tokens, "encoder_tokens", "encoder_attention")
        arr = load(encoder_attention, "encoder_attention", square=True)
        toks = v.tokens_list(encoder_tokens, "encoder_tokens", arr.shape[2], "query/key")
        out.append(_section("encoder", arr, toks, toks))
    if decoder_attention is not None:
        _need(decoder_tokens, "decoder_tokens", "decoder_attention")
        arr = load(decoder_attention, "decoder_attention", square=True)
        toks = v.tokens_list(decoder_tokens, "decoder_tokens", arr.shape[2], "query/key")
        out.append(_section("decoder", arr, toks, toks))
    if cross_attention is not None:
        _need(encoder_tokens, "encoder_tokens", "cross_attention")
        _need(decoder_tokens, "decoder_tokens", "cross_attention")
        arr = load(cross_attention, "cross_attention")
        dec = v.tokens_list(decoder_tokens, "decoder_tokens", arr.shape[2], "cross_attention query",
                            arr.shape[3], "encoder_tokens")
        enc = v.tokens_list(encoder_tokens, "encoder_tokens", arr.shape[3], "cross_attention key",
                            arr.shape[2], "decoder_tokens")
        out.append(_section("cross", arr, dec, enc))
    return out


def _select(sections, include, name, axis, field, what, take=True):
    """Keep the real indices in ``include`` (in the order given) along ``axis`` of every section
    (take=False: only the ids are kept, the arrays stay whole)."""
    if include is None:
        return
    for s in sections:
        label = name if s["key"] == "self" else f"{name} (for {s['key']} attention)"
        keep = v.int_list(include, label, s["attention"].shape[axis], what)
        for arr_name in ("attention", "queries", "keys") if take else ():
            if arr_name in s:
                s[arr_name] = np.ascontiguousarray(np.take(s[arr_name], keep, axis=axis))
        s[field] = keep


def _vectors(shape, lazy, queries=None, keys=None, scale=None, causal=False):
    """Check queries [L, H, Q, d] / keys [L, H, K, d] against the attention's shape [L, H, Q, K]:
    float32 copies, or (lazy) the caller's arrays kept as they are."""
    if queries is None or keys is None:
        raise ValueError("queries/keys: give both or neither (the neuron view needs q and k).")
    L, H, Q, K = shape
    if lazy:
        from .kept import KeptVectors

        q, k = KeptVectors(queries, "queries"), KeptVectors(keys, "keys")
    else:
        q, k = _vector_array(queries, "queries"), _vector_array(keys, "keys")
    d = q.shape[3]
    if tuple(q.shape) != (L, H, Q, d) or tuple(k.shape) != (L, H, K, d):
        raise ValueError(f"queries/keys: got shapes {tuple(q.shape)} and {tuple(k.shape)}; with attention "
                         f"{tuple(shape)} they must be [{L}, {H}, {Q}, d] and [{L}, {H}, {K}, d] "
                         "(keys per query head).")
    if scale is None:
        scale = d ** -0.5
    if not isinstance(scale, numbers.Real) or isinstance(scale, bool) or not np.isfinite(scale) or scale <= 0:
        raise ValueError(f"scale: got {scale!r}; expected a positive finite number (normally d ** -0.5).")
    if not isinstance(causal, (bool, np.bool_)):
        raise TypeError(f"causal: got {type(causal).__name__}; expected True or False.")
    return {"queries": q, "keys": k, "scale": float(scale), "causal": bool(causal)}


def _vector_array(value, name):
    if v._is_torch(value):
        value = v._torch_to_numpy(value, name)
    arr = np.asarray(value)
    if arr.dtype.kind not in "fiu" or arr.ndim != 4 or 0 in arr.shape:
        raise ValueError(f"{name}: got dtype {arr.dtype}, shape {arr.shape}; expected real numbers "
                         "[layers, heads, positions, head_dim].")
    arr = np.ascontiguousarray(arr, dtype=np.float32)
    if not np.isfinite(arr).all():
        raise ValueError(f"{name}: contains inf or nan; check the model's dtype.")
    return arr
