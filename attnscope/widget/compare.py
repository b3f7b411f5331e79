"""Comparison views: two Attentions (or two arrays with tokens) -> one widget whose sections are A's
attention, B's and their difference B - A with per-head change scores (attnscope.analysis.comparison).

An Attentions (attnscope.extract, a layer that builds on this one) is recognised by its ``_comparison_part``
method, which gives the attention, tokens and word ids of one of its self-attention sections."""

from __future__ import annotations

from ..analysis.comparison import comparison_sections
from ..inputs import options
from .make import show_sections

#: the views a comparison shows by default: every head's change at a glance, and one head's difference
DEFAULT_VIEWS = ("model", "matrix")


def _pair_of_tokens(tokens):
    """(tokens_a, tokens_b) from one list for both, or a pair of lists."""
    if (isinstance(tokens, (list, tuple)) and len(tokens) == 2
            and all(isinstance(t, (list, tuple)) for t in tokens)):
        return list(tokens[0]), list(tokens[1])
    return tokens, tokens


def _side(value, section):
    """(attention, tokens, word_ids, lazy) of an Attentions (its ``section``: None for one stack), or None."""
    part = getattr(value, "_comparison_part", None)
    return None if part is None else part(section, "compare")


def compare_views(a, b, labels=("A", "B"), tokens=None, *, section=None, views=DEFAULT_VIEWS, show="difference",
                  layer=None, heads=None, include_layers=None, include_heads=None, prettify_tokens=True,
                  lazy=None, html_action="view", colormap=None, color_scale=None, group="token",
                  score="js_divergence", sort="none", top=None, min_score=None, chart=None):
    """The comparison widget (see :func:`attnscope.compare`)."""
    options.check_html_action(html_action)
    views = options.check_views(views)
    view_options = options.check_view_options(colormap, color_scale, group, score, sort, top, min_score, chart)
    side_a, side_b = _side(a, section), _side(b, section)
    if (side_a is None) != (side_b is None):
        which, other = ("a", "b") if side_a is not None else ("b", "a")
        raise TypeError(f"compare: {which} is an Attentions but {other} is "
                        f"{type(b if other == 'b' else a).__name__}; pass two Attentions (from_model) or two "
                        "arrays [layers, heads, queries, keys] with tokens.")
    if side_a is not None:
        if tokens is not None:
            raise ValueError("tokens: not for two Attentions (they carry their own tokens); remove it.")
        (att_a, tok_a, ids_a, lazy_a), (att_b, tok_b, ids_b, lazy_b) = side_a, side_b
        lazy = lazy if lazy is not None else (lazy_a if lazy_a is not None else lazy_b)
    else:
        if section is not None:
            raise ValueError("section: applies to two Attentions of an encoder-decoder model; pass the arrays "
                             "themselves instead.")
        if tokens is None:
            raise TypeError("tokens: missing; compare(a, b, tokens=...) of two arrays needs the tokens (one list "
                            "for both, or (tokens_a, tokens_b) for two inputs of the same length).")
        att_a, att_b = a, b
        (tok_a, tok_b), ids_a, ids_b = _pair_of_tokens(tokens), None, None
    sections = comparison_sections(att_a, att_b, tok_a, tok_b, labels, lazy=lazy, include_layers=include_layers,
                                   include_heads=include_heads, prettify_tokens=prettify_tokens,
                                   word_ids=(ids_a, ids_b))
    return show_sections(sections, views=views, layer=layer, heads=heads, view_options=view_options,
                         section=show, html_action=html_action)
