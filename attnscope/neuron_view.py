"""Neuron view entry points: ``neuron_view(model, tokenizer, text)`` and BertViz's ``show``.

``from attnscope.neuron_view import show`` replaces ``from bertviz.neuron_view import show``;
the stock Hugging Face model is used as is (BertViz needs its own patched model classes):
queries and keys come from forward hooks (see attnscope.extract.hooks).
"""

from __future__ import annotations

import warnings

from .extract.hooks import attention_modules
from .extract.model import from_model
from .inputs.convert import peek_shape
from .inputs.indices import as_index, head_index
from .inputs.models import check_stock_classes
from .inputs.options import check_display_mode, check_html_action, check_views

#: model_type names BertViz documents, and the attnscope family each one belongs to
_MODEL_TYPES = {"bert": "BERT/RoBERTa/MiniLM", "roberta": "BERT/RoBERTa/MiniLM", "gpt2": "GPT-2"}


def neuron_view(model, tokenizer, text, text_pair=None, layer=None, head=None, *, views=("neuron",),
                prettify_tokens=True, include_layers=None, include_heads=None, batch_index=0,
                max_length=None, html_action="view", lazy=None):
    """Run ``model`` on ``text`` (and ``text_pair``) and show its queries and keys; returns the widget.

    For the focused query token the view shows its query vector, every key vector, q*k
    elementwise, scale * q.k and the softmax row the model produced (future keys hidden
    for causal models). layer / head: REAL indices shown first (head makes that head the
    active one). views: add "head" and/or "model" to show linked views in one output.
    Supported: BERT/RoBERTa/MiniLM, GPT-2, Llama/Mistral/Qwen2-style models.
    html_action="return": display nothing and return an ``IPython.display.HTML`` offline page.
    lazy: None (by size, see :func:`attnscope.head_view`), True or False; lazy keeps the model's
    output tuple and sends queries and keys with each fetched slice.
    """
    check_stock_classes(model, tokenizer)  # before anything is called on them
    if head is not None and as_index(head) is None:
        raise TypeError(f"head: got {type(head).__name__} {head!r}; expected an int head index.")
    check_html_action(html_action)  # checked before the model runs
    views = check_views(views)
    att = from_model(model, tokenizer, text, text_pair, batch_index=batch_index, max_length=max_length,
                     with_vectors=True, lazy=lazy)
    if head is not None:
        head = head_index(head, peek_shape(att.attention)[1])
    return att.show(views=views, layer=layer, heads=None if head is None else [head],
                    prettify_tokens=prettify_tokens, include_layers=include_layers,
                    include_heads=include_heads, html_action=html_action, lazy=lazy)


def show(model, model_type, tokenizer, sentence_a, sentence_b=None, display_mode="dark", layer=None,
         head=None, html_action="view", views=("neuron",), lazy=None):
    """BertViz-compatible neuron view: ``show(model, model_type, tokenizer, sentence_a, sentence_b, ...)``.

    model_type ("bert", "roberta", "gpt2", ...) is accepted for compatibility; the
    architecture is detected from the model (a UserWarning says so when they disagree).
    display_mode ("dark"/"light") is accepted; the view follows the JupyterLab theme.
    lazy: as in :func:`neuron_view`.
    """
    check_stock_classes(model, tokenizer)
    if not isinstance(model_type, str):
        raise TypeError(f"model_type: got {type(model_type).__name__}; expected a str such as 'bert' or 'gpt2'.")
    check_display_mode(display_mode)
    _check_model_type(model, model_type)
    return neuron_view(model, tokenizer, sentence_a, sentence_b, layer=layer, head=head, views=views,
                       html_action=html_action, lazy=lazy)


def _check_model_type(model, model_type):
    family, _ = attention_modules(model)  # ValueError naming the supported families
    expected = _MODEL_TYPES.get(model_type.lower())
    if expected is not None and expected != family:
        warnings.warn(f"model_type {model_type!r} names {expected} but {type(model).__name__} is {family}; "
                      "using the architecture of the model.", UserWarning, stacklevel=3)


neuron_view.show = show  # attnscope.neuron_view.show(...) works whether neuron_view is the function or this module
