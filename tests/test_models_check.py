"""BertViz's own patched model and tokenizer classes are refused with a message saying what to pass
(attnscope.inputs.models), before anything is called on them; bertviz itself is never imported."""

import sys

import pytest

import attnscope
from attnscope import from_model
from attnscope.neuron_view import show


def bertviz_class(name, module="bertviz.transformers_neuron_view"):
    """A class that looks like BertViz's (its module name) and fails loudly if attnscope calls it."""
    def __call__(self, *args, **kwargs):
        raise AssertionError("attnscope called the BertViz object instead of refusing it")

    return type(name, (), {"__module__": module, "__call__": __call__, "forward": __call__, "config": None})


BertModel, BertTokenizer = bertviz_class("BertModel"), bertviz_class("BertTokenizer")


class StockTokenizer:
    __module__ = "transformers.models.bert.tokenization_bert_fast"


@pytest.mark.parametrize("call", [
    lambda m, t: from_model(m, t, "The cat sat."),
    lambda m, t: attnscope.neuron_view(m, t, "The cat sat."),
    lambda m, t: show(m, "bert", t, "The cat sat.", "It was tired."),
], ids=["from_model", "neuron_view", "neuron_view.show"])
def test_bertviz_model_is_refused_with_the_fix(call):
    with pytest.raises(TypeError) as err:
        call(BertModel(), StockTokenizer())
    msg = str(err.value)
    assert msg.startswith("model: got bertviz.transformers_neuron_view.BertModel, BertViz's patched copy")
    assert "stock Hugging Face classes" in msg and "from transformers import AutoModel, AutoTokenizer" in msg


def test_bertviz_tokenizer_is_refused_too():
    class StockModel:
        __module__ = "transformers.models.bert.modeling_bert"

    with pytest.raises(TypeError, match=r"tokenizer: got bertviz\.transformers_neuron_view\.BertTokenizer"):
        show(StockModel(), "bert", BertTokenizer(), "The cat sat.")


def test_a_class_from_bertviz_itself_or_a_lookalike_module():
    top = bertviz_class("BertModel", module="bertviz")
    with pytest.raises(TypeError, match="model: got bertviz.BertModel"):
        from_model(top(), StockTokenizer(), "x")
    lookalike = bertviz_class("BertModel", module="bertviz_extras.models")  # not bertviz: goes on (and fails later)
    with pytest.raises(Exception) as err:
        from_model(lookalike(), StockTokenizer(), "x")
    assert "BertViz's patched copy" not in str(err.value)
    assert "bertviz" not in sys.modules  # detected by name, never imported
