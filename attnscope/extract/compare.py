"""Two checkpoints of one architecture run on one text -> the comparison widget (attnscope.widget.compare)."""

from __future__ import annotations

from ..widget.compare import DEFAULT_VIEWS, compare_views
from .model import from_model


def compare_models(model_a, model_b, tokenizer, text, labels=("A", "B"), *, text_b=None, views=DEFAULT_VIEWS,
                   compare_kwargs=None, **from_model_kwargs):
    """Run two checkpoints of one architecture on ``text`` (model_b on ``text_b`` when given) with
    :func:`attnscope.from_model` (``from_model_kwargs``: max_length, batch_index, lazy...) and show
    :func:`attnscope.compare` of the two (``compare_kwargs``: its keyword arguments)."""
    run_a = from_model(model_a, tokenizer, text, **from_model_kwargs)
    run_b = from_model(model_b, tokenizer, text if text_b is None else text_b, **from_model_kwargs)
    return compare_views(run_a, run_b, labels, views=views, **(compare_kwargs or {}))
