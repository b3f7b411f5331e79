"""Two attention stacks of one shape -> the three sections of a comparison: A's attention (key "a"), B's
("b") and their difference B - A ("difference", derived "difference" from "b", its change scores in
Section.scores: attnscope.analysis.compare), each labelled with the caller's ``labels``.

A and B are checked as any view's attention is (attnscope.inputs.build; errors name "a" / "b" and the
label), in one mode for both: eager, or lazy (the caller's tensors kept, the difference a KeptArraySource)
decided from the size of all three sections. Their tokens may differ at some positions (two inputs that
differ in a word): the positions are recorded in ``differing_tokens`` of every section, and the difference
shows "a_token -> b_token" there. Different token COUNTS are a shape mismatch.
"""

from __future__ import annotations

from ..data.section import Section
from ..data.source import ArraySource, KeptArraySource
from ..inputs import build, convert, limits
from ..inputs.tokens import tokens_list
from .compare import compare_sources

#: what a comparison's sections are keyed by
KEYS = ("a", "b", "difference")


def check_labels(labels) -> tuple[str, str]:
    if (not isinstance(labels, (list, tuple)) or len(labels) != 2
            or not all(isinstance(x, str) and x.strip() for x in labels)):
        raise ValueError(f"labels: got {convert.short(labels)}; expected two non-empty strings, e.g. "
                         "('before', 'after').")
    if labels[0] == labels[1]:
        raise ValueError(f"labels: got {list(labels)}; the two labels must differ (they name the sections).")
    return str(labels[0]), str(labels[1])


def _shape(value, name: str, label: str, caller: str) -> tuple:
    try:
        return tuple(int(n) for n in convert.peek_attention(value, name, square=True))
    except (TypeError, ValueError) as err:
        raise type(err)(f"{caller}: {name} ({label!r}): {err}") from None


def _build(caller, value, tokens, name, label, lazy, kwargs) -> Section:
    try:
        (section,), _ = build.build(caller, value, tokens, lazy=lazy, **kwargs)
    except (TypeError, ValueError) as err:
        raise type(err)(f"{caller}: {name} ({label!r}): {err}") from None
    return section


def differing_positions(tokens_a, tokens_b) -> list[int]:
    """The positions whose tokens differ (lists of one length)."""
    return [i for i, (x, y) in enumerate(zip(tokens_a, tokens_b)) if x != y]


def comparison_sections(a, b, tokens_a, tokens_b, labels=("A", "B"), *, lazy=None, include_layers=None,
                        include_heads=None, prettify_tokens=True, word_ids=(None, None), caller="compare"):
    """[Section "a", Section "b", Section "difference"] of attention ``a`` and ``b`` (module doc); tokens_a /
    tokens_b one str per position; word_ids: (a's, b's) tokenizer word_ids() or None."""
    label_a, label_b = check_labels(labels)
    limits.lazy_mode(lazy, None)
    a, b = convert.lists_to_array(a, "a"), convert.lists_to_array(b, "b")
    shape_a, shape_b = _shape(a, "a", label_a, caller), _shape(b, "b", label_b, caller)
    if shape_a != shape_b:
        raise ValueError(f"{caller}: a ({label_a!r}) has shape {list(shape_a)} and b ({label_b!r}) has shape "
                         f"{list(shape_b)}; expected the same [layers, heads, queries, keys] (the same model "
                         "shape, and the same number of tokens: inputs that differ in one word must tokenize "
                         "to the same count).")
    n = shape_a[2]
    tokens_a = tokens_list(tokens_a, "tokens (a)", n, "query/key")
    tokens_b = tokens_list(tokens_b, "tokens (b)", n, "query/key")
    differ = differing_positions(tokens_a, tokens_b)
    kwargs = dict(include_layers=include_layers, include_heads=include_heads, prettify_tokens=prettify_tokens)
    if lazy is None:  # three sections of this size would be sent (include_layers/heads not counted)
        one = limits.payload_bytes([limits.part("a", shape_a, limits.WEIGHT_BYTES, "weights")])
        lazy = limits.lazy_mode(None, 3 * one)
    sa = _build(caller, a, tokens_a, "a", label_a, lazy, {**kwargs, "word_ids": _ids(word_ids[0])})
    sb = _build(caller, b, tokens_b, "b", label_b, sa.lazy, {**kwargs, "word_ids": _ids(word_ids[1])})
    if not sa.lazy:
        limits.check_size(build.size_parts([sa, sb, sa]), caller)
    names = (f"{caller}: a ({label_a!r})", f"{caller}: b ({label_b!r})")
    diff, scores = compare_sources(sa.source, sb.source, sa.layers, sa.heads, names=names, check=sa.lazy)
    shown = [y if x == y else f"{x} \u2192 {y}" for x, y in zip(sa.query_tokens, sb.query_tokens)]
    source = (KeptArraySource if sa.lazy else ArraySource)(diff, sa.layers, sa.heads)
    for key, sec, label in (("a", sa, label_a), ("b", sb, label_b)):
        sec.key, sec.title, sec.differing_tokens = key, label, list(differ)
    sd = Section(key="difference", source=source, layers=list(sb.layers), heads=list(sb.heads),
                 query_tokens=list(shown), key_tokens=list(shown), same_positions=True, n_layers=sb.n_layers,
                 n_heads=sb.n_heads, words=sb.words, derived="difference", derived_from="b",
                 params={"a": label_a, "b": label_b}, scores=scores, differing_tokens=list(differ),
                 title=f"{label_b} \u2212 {label_a}")
    return [sa, sb, sd]


def _ids(word_ids):
    return None if word_ids is None else {"tokens": word_ids}
