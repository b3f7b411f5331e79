"""Pattern scores of every head (attnscope.analysis.scores has the definitions), read a block of heads
at a time from a section's AttentionSource (eager copies and kept tensors alike; torch blocks when the
source is torch), and the public :func:`head_scores` of attention arrays.
"""

from __future__ import annotations

import threading

import numpy as np

from ..data.blocks import blocks
from ..inputs import build
from ..inputs.convert import lists_to_array, peek_shape
from ..progress import progress
from . import patterns as pt
from .scores import BlockScores


def section_scores(section, *, token_ids=None, special_positions=None, patterns=None, punctuation=False,
                   exclude_bos=False, exclude_current_token=False, tokens_known=True, cancelled=lambda: False,
                   bar=None, on_block=None):
    """{name: float32 [len(layers), len(heads)]} of a Section's shown heads (module doc of
    attnscope.analysis.scores), or None when ``cancelled()`` turns true. Without ``token_ids`` the query
    tokens stand for them (equal strings, equal ids) for the duplicate and induction scores, unless
    ``tokens_known`` is False (the section's tokens are placeholders: no duplicate or induction score)."""
    _, _, n_q, n_k = section.shape
    scorer = scorer_for(section, token_ids=token_ids, special_positions=special_positions, patterns=patterns,
                        punctuation=punctuation, exclude_bos=exclude_bos,
                        exclude_current_token=exclude_current_token, tokens_known=tokens_known)
    out = {name: np.empty((len(section.layers), len(section.heads)), np.float32) for name in scorer.names}
    in_cell = threading.current_thread() is threading.main_thread()
    with progress(len(section.layers) * len(section.heads), "attnscope: head statistics and scores", unit="head",
                  enabled=None if in_cell and bar is None else False) as cell_bar:
        bar = cell_bar if bar is None else bar
        for i, j, _layer, block, w in blocks(section.source, section.layers, section.heads):
            if cancelled():
                return None
            for name, value in scorer(w).items():
                out[name][i, j:j + len(block)] = value
            if on_block is not None:  # another reader of the same block (the head similarity's rows)
                on_block(i, j, w)
            bar.update(len(block))
    return out


def table_of(section) -> dict:
    """The score table of a section: its own (Section.scores, e.g. a difference's change scores), else
    :func:`section_scores` of its weights."""
    if section.scores is not None:
        return {name: np.asarray(v, np.float32) for name, v in section.scores.items()}
    return section_scores(section, **(section.score_inputs or {}))


def scorer_for(section, *, token_ids=None, special_positions=None, patterns=None, punctuation=False,
               exclude_bos=False, exclude_current_token=False, tokens_known=True) -> BlockScores:
    """The BlockScores of a section, every argument checked (errors name the argument)."""
    for name, flag in (("exclude_bos", exclude_bos), ("exclude_current_token", exclude_current_token),
                       ("punctuation", punctuation)):
        if not isinstance(flag, (bool, np.bool_)):
            raise TypeError(f"{name}: got {flag!r}; expected True or False.")
    _, _, n_q, n_k = section.shape
    same = section.same_positions and n_q == n_k
    if token_ids is not None and not same:
        raise ValueError("token_ids: only for attention whose queries and keys are the same positions "
                         f"(section {section.key!r} has {n_q} queries and {n_k} keys of other positions).")
    ids = pt.check_token_ids(token_ids, n_q)
    tokens = list(section.query_tokens) if tokens_known else None
    if ids is None and same and tokens_known:
        ids = pt.ids_of_tokens(section.query_tokens)
    pairs = {}
    if ids is not None:
        for kind in ("duplicate", "induction"):
            pairs[kind] = pt.token_pattern(kind, ids, exclude_bos, exclude_current_token)
    if not same:
        empty = pt.Pattern(np.zeros(0, np.int64), np.zeros(0, np.float32))
        pairs["duplicate"] = pairs["induction"] = empty  # NaN for cross-attention (BlockScores)
    if patterns is not None:
        if not isinstance(patterns, dict):
            raise TypeError(f"patterns: got {type(patterns).__name__}; expected a dict name -> [Q, K] array "
                            "or callable(tokens).")
        for name, value in patterns.items():
            arr = pt.user_pattern(name, value, n_q, n_k, tokens)
            pairs[name] = pt.make_pattern(arr, exclude_bos, exclude_current_token)
    special = pt.special_mask(special_positions, n_k, list(section.key_tokens) if tokens_known else None,
                              punctuation)
    return BlockScores(n_q, n_k, section.same_positions, special=special, patterns=pairs,
                       exclude=(exclude_bos, exclude_current_token))


def head_scores(attention, tokens=None, token_ids=None, special_positions=None, patterns=None,
                exclude_bos=False, exclude_current_token=False, *, punctuation=False, scores=None):
    """Scores of every head of one self-attention stack: ``{name: float32 [layers, heads]}``.

    attention: [layers, heads, Q, K] as :func:`attnscope.head_view` takes it (a Hugging Face tuple, a torch
        tensor of any dtype and device, a numpy array, nested lists); never copied whole: it is read a
        block of heads at a time (torch blocks when it is torch).
    tokens: one str per position (optional; they stand for token_ids when those are not given, and give
        the punctuation). token_ids: the input ids (e.g. ``inputs["input_ids"][0]``), for the duplicate and
        induction scores. special_positions: key positions (or a bool mask) of special tokens, for
        "special"; ``punctuation=True`` adds the punctuation tokens. patterns: ``{name: [Q, K] array |
        callable(tokens) -> [Q, K] array}``, each scored as TransformerLens' detect_head does.
    exclude_bos / exclude_current_token: leave the first column / the diagonal out of the pattern scores.
    scores: the names to keep (default: all computed).

    Names: entropy (nats), entropy_norm, max, top3, first (sink), previous, self, local, distance,
    offset and offset_mass, special (with special_positions or punctuation), duplicate and induction
    (with token_ids or tokens), then the user patterns. Definitions: attnscope.analysis.scores.
    """
    section = attention_section(attention, tokens, "head_scores")
    out = section_scores(section, token_ids=token_ids, special_positions=special_positions, patterns=patterns,
                         punctuation=punctuation, exclude_bos=exclude_bos,
                         exclude_current_token=exclude_current_token, tokens_known=tokens is not None)
    return pick(out, scores)


def attention_section(attention, tokens, caller: str):
    """The (lazy: never copied) Section of one self-attention argument (tokens None: "0", "1", ...)."""
    attention = lists_to_array(attention, "attention")  # nested lists: the one conversion
    shape = peek_shape(attention)
    n = int(shape[-1]) if shape else 0
    toks = [str(i) for i in range(n)] if tokens is None else tokens
    (section,), _ = build.build(caller, attention, toks, prettify_tokens=False, lazy=True)
    return section


def pick(out: dict, scores) -> dict:
    """``out`` restricted to the names ``scores`` (None: all), in that order; ValueError for unknown names."""
    if scores is None:
        return out
    names = [scores] if isinstance(scores, str) else list(scores)
    unknown = [s for s in names if s not in out]
    if unknown:
        raise ValueError(f"scores: unknown score name(s) {unknown}; the scores computed here are {list(out)}.")
    return {s: out[s] for s in names}


def scores_frame(scores: dict, layers=None, heads=None):
    """A pandas DataFrame with columns layer, head and one per score (one row per head)."""
    try:
        import pandas as pd
    except ImportError:
        raise ImportError("scores as a DataFrame need pandas (pip install pandas); without it use the dict of "
                          "[layers, heads] arrays.") from None
    first = next(iter(scores.values()))
    layers = list(range(first.shape[0])) if layers is None else list(layers)
    heads = list(range(first.shape[1])) if heads is None else list(heads)
    cols = {"layer": np.repeat(layers, len(heads)), "head": np.tile(heads, len(layers))}
    cols.update({name: np.asarray(v).ravel() for name, v in scores.items()})
    return pd.DataFrame(cols)



def attentions_scores(result, section=None, **kwargs) -> dict:
    """head_scores of one section ("self", "encoder", "decoder" or "cross"; default the first there is)
    of an attnscope.Attentions, its token_ids and special_positions used unless given in kwargs (they
    belong to ``tokens`` / ``encoder_tokens``)."""
    kinds = {"self": (result.attention, result.tokens), "encoder": (result.encoder_attention, result.encoder_tokens),
             "decoder": (result.decoder_attention, result.decoder_tokens)}
    have = [k for k, (att, _) in kinds.items() if att is not None] + (["cross"] if result.cross_attention is not None
                                                                      else [])
    key = have[0] if section is None and have else section
    if key not in have:
        raise ValueError(f"section: got {section!r}; expected one of the sections these Attentions hold {have}.")
    if key in ("self", "encoder"):
        kwargs.setdefault("token_ids", getattr(result, "token_ids", None))
        kwargs.setdefault("special_positions", getattr(result, "special_positions", None))
    if key != "cross":
        att, toks = kinds[key]
        return head_scores(att, toks, **kwargs)
    scores = kwargs.pop("scores", None)
    sections, _ = build.build("head_scores", encdec=dict(
        encoder_attention=result.encoder_attention, decoder_attention=result.decoder_attention,
        cross_attention=result.cross_attention, encoder_tokens=result.encoder_tokens,
        decoder_tokens=result.decoder_tokens), prettify_tokens=False, lazy=True)
    cross = next(s for s in sections if s.key == "cross")
    return pick(section_scores(cross, **kwargs), scores)
