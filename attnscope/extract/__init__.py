"""Hugging Face model + tokenizer + text -> attention (model.py, with the query/key hooks of hooks.py),
returned as an Attentions (result.py) that shows itself."""
