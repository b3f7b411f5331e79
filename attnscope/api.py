"""Public entry points: ``head_view`` and ``model_view`` (BertViz's signatures, plus rollout/flow),
``matrix_view``, ``text_view``, ``show`` (several linked views from arrays), ``neuron_view``, ``save_html``,
``rollout`` and ``attention_flow``; ``dashboard`` is the general form the views share."""

from __future__ import annotations

from pathlib import Path

from .analysis import flow as _flow
from .analysis import rollout as _rollout
from .extract.compare import compare_models as _compare_models
from .extract.result import Attentions
from .neuron_view import neuron_view
from .widget import AttentionWidget
from .widget import compare as _compare
from .widget.make import make_views

#: every view argument of :func:`dashboard` (what attnscope.show passes on)
dashboard = make_views

__all__ = ["attention_flow", "compare", "compare_models", "dashboard", "head_view", "matrix_view", "model_view",
           "neuron_view", "rollout", "save_html", "show", "text_view"]


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
    rollout=False,
    flow=False,
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
    rollout: False, True or dict(residual=, head_fusion=, discard_ratio=): add a "Rollout" section
        (:func:`attnscope.rollout` of each self-attention section, one head slot, the layer picker then
        meaning "rollout up to this layer"). flow: likewise, attention flow (small inputs only).

    Every argument is checked before anything is displayed; a problem raises
    ValueError or TypeError naming the argument, what was received and the fix.
    """
    return make_views(
        ("head",), attention, tokens, sentence_b_start, prettify_tokens=prettify_tokens, layer=layer,
        heads=heads, encoder_attention=encoder_attention, decoder_attention=decoder_attention,
        cross_attention=cross_attention, encoder_tokens=encoder_tokens, decoder_tokens=decoder_tokens,
        include_layers=include_layers, html_action=html_action, caller="head_view", lazy=lazy, rollout=rollout,
        flow=flow,
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
    rollout=False,
    flow=False,
    score=None,
    sort="none",
    top=None,
    min_score=None,
    chart=None,
):
    """Show every layer x head as a grid of thumbnails, BertViz style, and return the widget.

    Arguments as in :func:`head_view`; include_heads keeps these real head indices (the
    grid is labelled with real layer and head indices). Click a thumbnail to open that
    head large. display_mode ("dark" or "light") is accepted for BertViz compatibility;
    the views follow the JupyterLab theme. lazy, rollout, flow: as in :func:`head_view`.

    Head triage (the scores of :func:`attnscope.head_scores`, computed after the widget is shown): ``score``
    colours each thumbnail's frame by that score (a legend gives the scale); ``sort="layer"`` orders each
    layer's heads by it, ``sort="rank"`` shows the whole grid as one ranking (``top``: the first N);
    ``min_score`` dims (ranking: leaves out) the heads below it; ``chart=(x, y)`` adds the heads chart, every
    head a point on two scores, linked to the grid (hover a point: its thumbnail lights up; click: it
    opens). Every one of them can also be changed in the view.
    """
    return make_views(
        ("model",), attention, tokens, sentence_b_start, prettify_tokens=prettify_tokens,
        display_mode=display_mode, encoder_attention=encoder_attention, decoder_attention=decoder_attention,
        cross_attention=cross_attention, encoder_tokens=encoder_tokens, decoder_tokens=decoder_tokens,
        include_layers=include_layers, include_heads=include_heads, html_action=html_action,
        caller="model_view", lazy=lazy, rollout=rollout, flow=flow, score=score, sort=sort, top=top,
        min_score=min_score, chart=chart,
    )


def matrix_view(attention=None, tokens=None, sentence_b_start=None, prettify_tokens=True, layer=None, heads=None,
                encoder_attention=None, decoder_attention=None, cross_attention=None, encoder_tokens=None,
                decoder_tokens=None, include_layers=None, include_heads=None, html_action="view", lazy=None,
                colormap=None, scale=None, group="token", rollout=False, flow=False, section=None):
    """Show one head (or the mean or max of the active heads) as a heatmap, rows queries, columns keys, and
    return the widget.

    Input arguments as in :func:`head_view` (and include_heads). colormap: None (your JupyterLab setting,
    else "viridis"), "viridis", "blues", "magma" or "greys" (sequential maps only). scale: None (setting,
    else "linear"), "linear", "sqrt" or "log" (attention is heavy-tailed). group: "token" or "word" (sum over
    a word's keys, mean over its queries). rollout / flow: as in :func:`head_view`. section: the section shown
    first, e.g. "rollout" (with rollout=True).
    """
    return make_views(
        ("matrix",), attention, tokens, sentence_b_start, prettify_tokens=prettify_tokens, layer=layer, heads=heads,
        encoder_attention=encoder_attention, decoder_attention=decoder_attention, cross_attention=cross_attention,
        encoder_tokens=encoder_tokens, decoder_tokens=decoder_tokens, include_layers=include_layers,
        include_heads=include_heads, html_action=html_action, caller="matrix_view", lazy=lazy, colormap=colormap,
        color_scale=scale, group=group, rollout=rollout, flow=flow, section=section,
    )


def text_view(attention=None, tokens=None, sentence_b_start=None, prettify_tokens=True, layer=None, heads=None,
              encoder_attention=None, decoder_attention=None, cross_attention=None, encoder_tokens=None,
              decoder_tokens=None, include_layers=None, include_heads=None, html_action="view", lazy=None,
              colormap=None, scale=None, group="token", rollout=False, flow=False, section=None):
    """Show the input as running text, each token shaded by the weight it receives from the hovered or pinned
    query (for a rollout section, from the chosen output token), and return the widget. Arguments as in
    :func:`matrix_view`."""
    return make_views(
        ("text",), attention, tokens, sentence_b_start, prettify_tokens=prettify_tokens, layer=layer, heads=heads,
        encoder_attention=encoder_attention, decoder_attention=decoder_attention, cross_attention=cross_attention,
        encoder_tokens=encoder_tokens, decoder_tokens=decoder_tokens, include_layers=include_layers,
        include_heads=include_heads, html_action=html_action, caller="text_view", lazy=lazy, colormap=colormap,
        color_scale=scale, group=group, rollout=rollout, flow=flow, section=section,
    )


def show(attention=None, tokens=None, views=("head", "model"), **kwargs):
    """Show several linked views of attention arrays in one output, and return the widget.

    attention / tokens: as in :func:`head_view`. views: any of "head", "model", "neuron", "matrix", "text",
    in order; they
    share one selection (hover, pinned token, layer, heads, opened head). kwargs: the other arguments of
    :func:`head_view` and :func:`model_view` (sentence_b_start, layer, heads, include_layers,
    include_heads, encoder_/decoder_/cross_attention with their tokens, prettify_tokens, html_action,
    lazy, rollout, flow), for the neuron view queries [L, H, Q, d], keys [L, H, K, d], scale, causal, and for
    the matrix and text views colormap, color_scale (:func:`matrix_view`'s ``scale``: ``scale`` here is the
    neuron view's), group, and for the model view's head triage score, sort, top, min_score, chart.
    BertViz's neuron-view ``show(model, model_type, tokenizer, sentence_a, ...)`` is
    :func:`attnscope.neuron_view.show`.
    """
    if hasattr(attention, "forward") and hasattr(attention, "config"):
        raise TypeError(
            f"attention: got a model ({type(attention).__name__}); attnscope.show(attention, tokens, views=...) "
            "shows attention arrays. For BertViz's neuron-view call show(model, model_type, tokenizer, "
            "sentence_a, ...) use `from attnscope.neuron_view import show`; or attnscope.from_model(model, "
            "tokenizer, text).show(views=...)."
        )
    return make_views(views, attention, tokens, **kwargs)


def save_html(path, widget_or_attentions=None, **kwargs) -> Path:
    """Write an offline HTML page of attention views to ``path``; returns the Path.

    widget_or_attentions: an AttentionWidget (its current state is saved), an
    :class:`~attnscope.Attentions` (from_model), or None with the arguments of
    :func:`attnscope.head_view` in kwargs (attention=..., tokens=..., ...). ``views``
    (default ["head"]) picks the views when a widget is not given. Nothing is displayed.
    """
    if isinstance(widget_or_attentions, AttentionWidget):
        if kwargs:
            raise TypeError(f"save_html: {sorted(kwargs)} do not apply to a widget; save it as it is, "
                            "or change its traits first.")
        return widget_or_attentions.save_html(path)
    views = kwargs.pop("views", ("head",))
    if kwargs.pop("html_action", "return") != "return":
        raise ValueError("save_html: html_action does not apply here (the page is written to path).")
    if isinstance(widget_or_attentions, Attentions):
        obj = widget_or_attentions.show(views=views, html_action="return", **kwargs)
    elif widget_or_attentions is None:
        obj = make_views(views, html_action="return", caller="save_html", **kwargs)
    else:
        raise TypeError(f"save_html: got {type(widget_or_attentions).__name__}; expected an AttentionWidget, "
                        "an Attentions (from_model), or None with head_view's arguments as keywords.")
    path = Path(path)
    path.write_text(obj.data, encoding="utf-8")
    return path


def _analysis(method, fn, attention, section, params):
    if isinstance(attention, Attentions):
        return getattr(attention, method)(**params, section=section)
    if section not in (None, "self"):
        raise ValueError(f"{method}: section={section!r} applies to an Attentions (from_model) of an "
                         "encoder-decoder model; pass encoder_attention or decoder_attention itself instead.")
    return fn(attention, **params)


def rollout(attention, residual=0.5, head_fusion="mean", discard_ratio=0.0, section=None):
    """Attention rollout (Abnar & Zuidema 2020): float32 [layers, queries, keys], entry l the rollout through
    layers 0..l; rows sum to 1, causal attention stays lower triangular.

    attention: what :func:`head_view` takes (read a layer at a time, never copied whole), or an
        :class:`~attnscope.Attentions` (section: None for one stack, "encoder" or "decoder").
    residual (in [0, 1]), head_fusion ("mean", "max", "min"), discard_ratio (in [0, 1)): see
    :func:`attnscope.analysis.rollout.rollout`. Cross attention has no rollout (ValueError).
    """
    params = dict(residual=residual, head_fusion=head_fusion, discard_ratio=discard_ratio)
    return _analysis("rollout", _rollout.rollout, attention, section, params)


def attention_flow(attention, residual=0.5, head_fusion="mean", discard_ratio=0.0, section=None):
    """Attention flow (Abnar & Zuidema 2020) as max-flow through the layer graph: float32 [layers, queries,
    keys] like :func:`rollout`, for small inputs ((layers + 1) x tokens up to
    attnscope.analysis.flow.MAX_FLOW_NODES; ValueError above). Needs scipy. Arguments as :func:`rollout`."""
    params = dict(residual=residual, head_fusion=head_fusion, discard_ratio=discard_ratio)
    return _analysis("attention_flow", _flow.attention_flow, attention, section, params)


def compare(a, b, labels=("A", "B"), tokens=None, *, section=None, views=_compare.DEFAULT_VIEWS, show="difference",
            **kwargs):
    """Compare two attention stacks of the same shape and return the widget: what changed, in which heads.

    a, b: two :class:`~attnscope.Attentions` (from_model: a model before and after fine-tuning, or two inputs
        that differ in a word and tokenize to the same length), or two arrays [layers, heads, queries, keys]
        as :func:`head_view` takes them, with ``tokens`` (one list for both, or (tokens_a, tokens_b)).
        Different shapes (token counts included) raise ValueError naming both.
    labels: the names of A and B, shown as the section labels.
    section: which self-attention of two encoder-decoder Attentions ("encoder" or "decoder").
    views: default ("model", "matrix"); show: the section shown first, "difference" (default), "a" or "b".
    kwargs: layer, heads, include_layers, include_heads, prettify_tokens, lazy, html_action, colormap,
        color_scale, group (as :func:`show`), and the model view's score (default "js_divergence": the
        difference's grid is coloured by how much each head changed), sort ("rank" lists the heads that
        changed most first), top, min_score, chart (as :func:`model_view`).

    Sections: "a" and "b" (each input's attention), and "difference" (B - A, derived "difference") with the
    per-head change scores ``mean_abs_diff`` (total variation distance per row) and ``js_divergence`` (bits)
    as its score table (``widget.head_statistics("difference")``; attnscope.analysis.compare). Positions whose
    tokens differ are recorded in each section's ``differing_tokens``.
    """
    return _compare.compare_views(a, b, labels, tokens, section=section, views=views, show=show, **kwargs)


def compare_models(model_a, model_b, tokenizer, text, labels=("A", "B"), **from_model_kwargs):
    """Run two checkpoints of one architecture (e.g. before / after fine-tuning) on one ``text`` with
    :func:`attnscope.from_model` and return :func:`compare` of the two. from_model_kwargs: as from_model
    (max_length, lazy, ...), plus text_b= (B reads another text), views=, compare_kwargs= (a dict for compare)."""
    return _compare_models(model_a, model_b, tokenizer, text, labels, **from_model_kwargs)
