"""BertViz-compatible entry points ``head_view`` and ``model_view``, and ``dashboard`` behind them."""

from __future__ import annotations

from . import sections as sec
from . import validation as v
from .widget import VIEWS, AttentionWidget, wire_state

_HTML_ACTIONS = ("view", "return")
_DISPLAY_MODES = ("dark", "light")


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
    lazy=None,
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
        "return" displays nothing and returns an ``IPython.display.HTML`` whose ``.data``
        is one self-contained offline page (see :func:`attnscope.save_html`).
    lazy: None (default) keeps the tensor in the kernel when sending it all would exceed
        ``attnscope.validation.LAZY_ABOVE_BYTES`` (16 MB) and sends a summary; the browser fetches
        the (layer, heads) slices it shows. True: always lazy; False: send everything now (up to
        ``attnscope.validation.MAX_INPUT_BYTES``).

    Every argument is checked before anything is displayed; a problem raises
    ValueError or TypeError naming the argument, what was received and the fix.
    """
    return dashboard(
        ("head",), attention, tokens, sentence_b_start, prettify_tokens=prettify_tokens, layer=layer,
        heads=heads, encoder_attention=encoder_attention, decoder_attention=decoder_attention,
        cross_attention=cross_attention, encoder_tokens=encoder_tokens, decoder_tokens=decoder_tokens,
        include_layers=include_layers, html_action=html_action, caller="head_view", lazy=lazy,
    )


def model_view(
    attention=None,
    tokens=None,
    sentence_b_start=None,
    prettify_tokens=True,
    display_mode="dark",
    encoder_attention=None,
    decoder_attention=None,
    cross_attention=None,
    encoder_tokens=None,
    decoder_tokens=None,
    include_layers=None,
    include_heads=None,
    html_action="view",
    lazy=None,
):
    """Show every layer x head as a grid of thumbnails, BertViz style, and return the widget.

    Arguments as in :func:`head_view`; include_heads keeps these real head indices (the
    grid is labelled with real layer and head indices). Click a thumbnail to open that
    head large. display_mode ("dark" or "light") is accepted for BertViz compatibility;
    the views follow the JupyterLab theme. lazy: as in :func:`head_view`.
    """
    return dashboard(
        ("model",), attention, tokens, sentence_b_start, prettify_tokens=prettify_tokens,
        display_mode=display_mode, encoder_attention=encoder_attention, decoder_attention=decoder_attention,
        cross_attention=cross_attention, encoder_tokens=encoder_tokens, decoder_tokens=decoder_tokens,
        include_layers=include_layers, include_heads=include_heads, html_action=html_action,
        caller="model_view", lazy=lazy,
    )


def dashboard(views=("head", "model", "neuron"), attention=None, tokens=None, sentence_b_start=None, *,
              prettify_tokens=True, layer=None, heads=None, display_mode="dark",
              encoder_attention=None, decoder_attention=None, cross_attention=None,
              encoder_tokens=None, decoder_tokens=None, queries=None, keys=None, scale=None,
              causal=False, include_layers=None, include_heads=None, html_action="view", caller="show",
              lazy=None):
    """Show the ``views`` (any of "head", "model", "neuron", in order) of one widget, linked.

    queries [L, H, Q, d] / keys [L, H, K, d] (keys per query head), scale and causal feed
    the neuron view (self-attention only); the other arguments are those of head_view and
    model_view. ``layer`` and ``heads`` are real indices. Returns the displayed widget, or with
    html_action="return" an ``IPython.display.HTML`` page (nothing displayed). lazy: as in :func:`head_view`
    (a lazy neuron view fetches the queries and keys with each slice).
    """
    if html_action not in _HTML_ACTIONS:
        raise ValueError(f"html_action: got {html_action!r}; expected one of {list(_HTML_ACTIONS)}.")
    if display_mode not in _DISPLAY_MODES:
        raise ValueError(f"display_mode: got {display_mode!r}; expected one of {list(_DISPLAY_MODES)}.")
    views = check_views(views)
    vectors = None
    if queries is not None or keys is not None:
        vectors = dict(queries=queries, keys=keys, scale=scale, causal=causal)
    sections, sentence_b_start = sec.build(
        caller, attention, tokens, sentence_b_start,
        encdec=dict(encoder_attention=encoder_attention, decoder_attention=decoder_attention,
                    cross_attention=cross_attention, encoder_tokens=encoder_tokens,
                    decoder_tokens=decoder_tokens),
        vectors=vectors, include_layers=include_layers, include_heads=include_heads,
        prettify_tokens=prettify_tokens, lazy=lazy,
    )
    first = sections[0]
    layer = v.layer_index(layer, first["layers"], first["n_layers"])
    heads = sec.initial_heads(heads, first)
    if first["lazy"]:
        return _show_lazy(sections, layer, heads, sentence_b_start, views, html_action)
    if html_action == "return":  # no widget (and no comm) is made: the page is built from the state
        from .export import html_object

        return html_object(wire_state(sections, layer=layer, heads=heads, sentence_b_start=sentence_b_start,
                                      views=views))
    widget = AttentionWidget.from_arrays(sections, layer=layer, heads=heads,
                                         sentence_b_start=sentence_b_start, views=views)
    return widget.show()


def _show_lazy(sections, layer, heads, sentence_b_start, views, html_action):
    from .lazy import lazy_state, with_shown_layer

    state, store = lazy_state(sections, layer=layer, heads=heads, sentence_b_start=sentence_b_start, views=views)
    if html_action == "return":
        from .export import html_object

        return html_object(with_shown_layer(state, store))
    return AttentionWidget._from_lazy(state, store).show()


def check_views(views):
    if isinstance(views, str):
        views = (views,)
    if not isinstance(views, (list, tuple)) or not views:
        raise ValueError(f"views: got {views!r}; expected a non-empty list of {list(VIEWS)}.")
    bad = [x for x in views if x not in VIEWS]
    if bad:
        raise ValueError(f"views: {bad} unknown; expected some of {list(VIEWS)}.")
    if len(set(views)) != len(views):
        raise ValueError(f"views: {list(views)} names a view twice; list each view once.")
    return list(views)
