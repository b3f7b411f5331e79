"""View arguments -> a displayed widget (or an offline page): what every entry point calls.

Checks every argument first (attnscope.inputs), then builds an AttentionWidget (eager) or a
LazyAttentionWidget, displays it and returns it; with html_action="return" no widget (and no comm) is
made: an ``IPython.display.HTML`` page is built from the state instead.
"""

from __future__ import annotations

from ..analysis.derived import derived_sections
from ..analysis.gradients import gradient_sections
from ..data.section import ordered
from ..inputs import build, derived, indices, options
from ..output.html import html_object
from ..wire.state import wire_state
from .base import AttentionWidget
from .lazy import LazyAttentionWidget, saved_page_state
from .scoring import with_scores


def make_views(views=("head", "model", "neuron"), attention=None, tokens=None, sentence_b_start=None, *,
               prettify_tokens=True, layer=None, heads=None, display_mode="dark",
               encoder_attention=None, decoder_attention=None, cross_attention=None,
               encoder_tokens=None, decoder_tokens=None, queries=None, keys=None, scale=None,
               causal=False, include_layers=None, include_heads=None, html_action="view", caller="show",
               lazy=None, rollout=False, flow=False, colormap=None, color_scale=None, group="token", word_ids=None,
               section=None, score=None, sort="none", top=None, min_score=None, chart=None, generation=None,
               gradients=None, score_inputs=None):
    """Show the ``views`` (any of "head", "model", "neuron", "matrix", "text", in order) of one widget, linked.

    queries [L, H, Q, d] / keys [L, H, K, d] (keys per query head), scale and causal feed the neuron view
    (self-attention only); the other arguments are those of head_view and model_view. ``layer`` and
    ``heads`` are real indices. Returns the displayed widget, or with html_action="return" an
    ``IPython.display.HTML`` page (nothing displayed). lazy: as in :func:`attnscope.head_view` (a lazy
    neuron view fetches the queries and keys with each slice).
    rollout / flow: False, True or a dict of residual, head_fusion, discard_ratio (attnscope.rollout,
    attnscope.attention_flow): adds a "Rollout" / "Attention flow" section for each self-attention section
    (attnscope.analysis.derived; flow only for small inputs). colormap (None, "viridis", "blues", "magma",
    "greys"), color_scale (None, "linear", "sqrt", "log"; matrix_view's ``scale``, named apart from the
    neuron view's ``scale`` here) and group ("token" or "word") go to the matrix and text views (the
    ``view_options`` trait). word_ids: {"tokens" | "encoder_tokens" | "decoder_tokens": a
    tokenizer's word_ids()} for the word grouping (else the tokens' subword markers tell the words).
    section: key of the section shown first ("self", "rollout", "encoder", ...; default the first).
    score, sort ("none", "layer", "rank"), top, min_score, chart ((x, y) score names): the model view's head
    triage (attnscope.model_view).
    generation: {"prompt_length": P, "generated": [positions]} (attnscope.from_generate): which query
    positions of the self, decoder and cross sections the model generated.
    score_inputs: {"token_ids", "special_positions"} of ``tokens`` / ``encoder_tokens`` (from_model's), used by
    the head scores the views get.
    gradients: an Attentions' ``gradients`` (from_model(..., target=...)): adds the "attn_grad" and
    "grad_rollout" sections of the self-attention (attnscope.analysis.gradients).
    """
    options.check_html_action(html_action)
    options.check_display_mode(display_mode)
    views = options.check_views(views)
    view_options = options.check_view_options(colormap, color_scale, group, score, sort, top, min_score, chart)
    rollout, flow = derived.derived_option(rollout, "rollout"), derived.derived_option(flow, "flow")
    vectors = None
    if queries is not None or keys is not None:
        vectors = dict(queries=queries, keys=keys, scale=scale, causal=causal)
    sections, sentence_b_start = build.build(
        caller, attention, tokens, sentence_b_start,
        encdec=dict(encoder_attention=encoder_attention, decoder_attention=decoder_attention,
                    cross_attention=cross_attention, encoder_tokens=encoder_tokens, decoder_tokens=decoder_tokens),
        vectors=vectors, include_layers=include_layers, include_heads=include_heads,
        prettify_tokens=prettify_tokens, lazy=lazy, word_ids=word_ids, generation=generation,
    )
    for sec in sections:
        if score_inputs and sec.key in ("self", "encoder"):
            sec.score_inputs = score_inputs
    extra = derived_sections(sections, rollout, flow)
    if gradients is not None:
        if sections[0].key != "self":
            raise ValueError("gradients: only for attention of one stack (attention=...), not encoder-decoder.")
        extra += gradient_sections(sections[0], gradients)
    sections = ordered(sections + extra)
    return show_sections(sections, views=views, layer=layer, heads=heads, sentence_b_start=sentence_b_start,
                         view_options=view_options, section=section, html_action=html_action)


def show_sections(sections, *, views, layer=None, heads=None, sentence_b_start=None, view_options=None,
                  section=None, html_action="view"):
    """Checked sections (``views`` and ``view_options`` checked too) -> the displayed widget, or with
    html_action="return" an ``IPython.display.HTML`` page; ``layer`` / ``heads`` / ``section`` are checked
    here against the sections."""
    sections = ordered(sections)
    first = options.check_section(section, sections)
    layer = indices.layer_index(layer, first.layers, first.n_layers)
    heads = indices.initial_heads(heads, first.heads, first.n_heads)
    args = dict(layer=layer, heads=heads, sentence_b_start=sentence_b_start, views=views, view_options=view_options,
                section=first.key)
    if sections[0].lazy:
        if html_action == "return":
            return html_object(with_scores(saved_page_state(sections, **args), sections))
        return LazyAttentionWidget._from_sections(sections, **args).show()
    if html_action == "return":
        return html_object(with_scores(wire_state(sections, **args), sections))
    return AttentionWidget._from_sections(sections, **args).show()
