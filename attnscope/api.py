"""BertViz-compatible entry point: ``head_view(attention, tokens, ...)``."""

from __future__ import annotations

from . import validation as v
from .widget import AttentionWidget

_ENC_DEC_ARGS = ("encoder_attention", "decoder_attention", "cross_attention", "encoder_tokens", "decoder_tokens")
_HTML_ACTIONS = ("view", "return")


def head_view(
    attention=None,
    tokens=None,
    sentence_b_start=None,
    prettify_tokens=True,
    layer=None,
    heads=None,
    encoder_attention=None,
    decoder_attention=None,
    cross_attention=None,
    encoder_tokens=None,
    decoder_tokens=None,
    include_layers=None,
    html_action="view",
):
    """Show attention heads of one layer, BertViz style, and return the widget.

    attention: self-attention weights [layers, heads, queries, keys]: a Hugging Face
        tuple of per-layer tensors [1, heads, q, k] (``outputs.attentions``), a torch
        tensor (any dtype, any device) or numpy array [L, H, Q, K] (or [L, 1, H, Q, K]),
        or nested lists. With ``tokens`` (one str per position).
    encoder_attention / decoder_attention / cross_attention: for encoder-decoder
        models instead of ``attention``, with ``encoder_tokens`` / ``decoder_tokens``
        (cross: queries are decoder tokens, keys are encoder tokens).
    sentence_b_start: index of the first token of sentence B (enables A/B filters).
    prettify_tokens: replace 'Ġ'/'▁' with spaces and drop '</w>'.
    layer: REAL layer index shown first (one of include_layers); default the first.
    heads: heads active at first (default: all).
    include_layers: real layer indices to keep (default: all).
    html_action: "view" displays the widget (IPython.display) and returns it.
        "return" (offline HTML) is not implemented yet: it raises NotImplementedError
        until issue 5.

    Every argument is checked before anything is displayed; a problem raises
    ValueError or TypeError naming the argument, what was received and the fix.
    """
    if html_action not in _HTML_ACTIONS:
        raise ValueError(f"html_action: got {html_action!r}; expected one of {list(_HTML_ACTIONS)}.")
    sections, sentence_b_start = _sections(
        attention, tokens, sentence_b_start,
        dict(encoder_attention=encoder_attention, decoder_attention=decoder_attention,
             cross_attention=cross_attention, encoder_tokens=encoder_tokens,
             decoder_tokens=decoder_tokens),
    )
    _select_layers(sections, include_layers)
    if prettify_tokens:
        for s in sections:
            s["query_tokens"] = v.prettify(s["query_tokens"])
            s["key_tokens"] = v.prettify(s["key_tokens"])
    first = sections[0]
    n_layers = first["n_layers"]
    layer = v.layer_index(layer, first["layers"], n_layers)
    heads = v.heads_list(heads, first["attention"].shape[1])
    if html_action == "return":
        raise NotImplementedError("head_view(html_action='return'): offline HTML export comes with issue 5.")
    widget = AttentionWidget.from_arrays(
        sections, layer=layer, heads=heads, sentence_b_start=sentence_b_start,
    )
    return widget.show()


def _section(key, arr, q_tokens, k_tokens):
    return {"key": key, "attention": arr, "layers": list(range(arr.shape[0])), "n_layers": arr.shape[0],
            "query_tokens": q_tokens, "key_tokens": k_tokens}


def _sections(attention, tokens, sentence_b_start, encdec):
    given = [k for k, val in encdec.items() if val is not None]
    if attention is not None:
        if given:
            raise ValueError(
                f"attention: cannot be combined with {', '.join(given)}; pass either attention "
                "and tokens (one stack) or encoder_/decoder_/cross_ arguments (encoder-decoder)."
            )
        arr = v.attention_array(attention, "attention", square=True)
        toks = v.tokens_list(tokens, "tokens", arr.shape[2], "query/key")
        return [_section("self", arr, toks, toks)], v.sentence_b(sentence_b_start, len(toks))
    if not given:
        raise TypeError("head_view: got no attention; pass attention=... (and tokens=...), "
                        "or encoder_attention/decoder_attention/cross_attention with their tokens.")
    if tokens is not None:
        raise ValueError("tokens: goes with attention, which was not given; for encoder-decoder "
                         "models pass encoder_tokens and decoder_tokens instead.")
    if sentence_b_start is not None:
        raise ValueError("sentence_b_start: only applies to attention (one stack), not to "
                         "encoder-decoder attention; remove it.")
    return _encoder_decoder(**encdec), None


def _need(tokens, tok_name, att_name):
    if tokens is None:
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
    if encoder_attention is not None:
        _need(encoder_tokens, "encoder_tokens", "encoder_attention")
        arr = v.attention_array(encoder_attention, "encoder_attention", square=True)
        toks = v.tokens_list(encoder_tokens, "encoder_tokens", arr.shape[2], "query/key")
        out.append(_section("encoder", arr, toks, toks))
    if decoder_attention is not None:
        _need(decoder_tokens, "decoder_tokens", "decoder_attention")
        arr = v.attention_array(decoder_attention, "decoder_attention", square=True)
        toks = v.tokens_list(decoder_tokens, "decoder_tokens", arr.shape[2], "query/key")
        out.append(_section("decoder", arr, toks, toks))
    if cross_attention is not None:
        _need(encoder_tokens, "encoder_tokens", "cross_attention")
        _need(decoder_tokens, "decoder_tokens", "cross_attention")
        arr = v.attention_array(cross_attention, "cross_attention")
        dec = v.tokens_list(decoder_tokens, "decoder_tokens", arr.shape[2], "cross_attention query")
        enc = v.tokens_list(encoder_tokens, "encoder_tokens", arr.shape[3], "cross_attention key")
        out.append(_section("cross", arr, dec, enc))
    return out


def _select_layers(sections, include_layers):
    """Keep the layers in include_layers (real indices, in the order given) in every section."""
    if include_layers is None:
        return
    for s in sections:
        name = "include_layers" if s["key"] == "self" else f"include_layers (for {s['key']} attention)"
        keep = v.int_list(include_layers, name, s["n_layers"], "layer")
        s["attention"] = s["attention"][keep]
        s["layers"] = keep
