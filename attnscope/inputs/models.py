"""Checks of the model and tokenizer given to from_model / neuron_view: BertViz's own patched classes
(bertviz.transformers_neuron_view) are told apart from the stock Hugging Face ones by module name,
without importing bertviz."""

from __future__ import annotations

_FIX = ("attnscope works with the stock Hugging Face classes and captures queries and keys with hooks: "
        "load them with `from transformers import AutoModel, AutoTokenizer` (or BertModel / BertTokenizer "
        "from transformers), e.g. AutoModel.from_pretrained(name) and AutoTokenizer.from_pretrained(name), "
        "and pass those.")


def _bertviz_class(obj) -> str | None:
    """'module.Class' of an object whose class comes from the bertviz package, else None."""
    cls = type(obj)
    module = getattr(cls, "__module__", "") or ""
    if module == "bertviz" or module.startswith("bertviz."):
        return f"{module}.{cls.__name__}"
    return None


def check_stock_classes(model, tokenizer) -> None:
    """TypeError when ``model`` or ``tokenizer`` is one of BertViz's patched classes."""
    for name, obj in (("model", model), ("tokenizer", tokenizer)):
        where = _bertviz_class(obj)
        if where is not None:
            raise TypeError(f"{name}: got {where}, BertViz's patched copy for its own neuron view; {_FIX}")
