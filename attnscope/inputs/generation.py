"""Checks of what :func:`attnscope.from_generate` is given, and of the ``generation`` field of a section
(which query positions a model generated), before anything runs or is sent."""

from __future__ import annotations

import numbers

import numpy as np

from .convert import short

#: generate() arguments from_generate sets itself (with the reason given when a caller passes one)
_OWN = {
    "input_ids": "the input is the prompt (a str)",
    "inputs": "the input is the prompt (a str)",
    "attention_mask": "the prompt is one unpadded input",
    "decoder_input_ids": "the decoder starts from the model's decoder_start_token_id",
    "max_length": "pass max_new_tokens instead",
    "output_attentions": "from_generate always asks for the attention of every step",
    "return_dict_in_generate": "from_generate always asks for the attention of every step",
}
_EXPECTED_MODEL = ("a causal language model (e.g. AutoModelForCausalLM) or an encoder-decoder model "
                   "(e.g. AutoModelForSeq2SeqLM) with a .generate method")


def _positive_int(value, name: str) -> int:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name}: got {type(value).__name__} {short(value)}; expected a positive int.")
    if int(value) < 1:
        raise ValueError(f"{name}: got {int(value)}; expected a positive int (how many tokens to generate).")
    return int(value)


def check_generate_args(model, tokenizer, prompt, max_new_tokens, seed, kwargs: dict) -> int:
    """TypeError/ValueError naming the argument; returns max_new_tokens as an int."""
    if model is None or not hasattr(model, "config") or not hasattr(model, "forward"):
        raise TypeError(f"model: got {type(model).__name__}; expected {_EXPECTED_MODEL}.")
    if not callable(getattr(model, "generate", None)) or not _can_generate(model):
        raise TypeError(f"model: {type(model).__name__} cannot generate text (an encoder-only model has no "
                        f".generate); expected {_EXPECTED_MODEL}. For the attention of a given text use "
                        "attnscope.from_model(model, tokenizer, text).")
    if tokenizer is None or not callable(tokenizer):
        raise TypeError(f"tokenizer: got {type(tokenizer).__name__}; expected the model's Hugging Face tokenizer "
                        "(e.g. AutoTokenizer.from_pretrained(name)).")
    if not isinstance(prompt, str):
        raise TypeError(f"prompt: got {type(prompt).__name__} {short(prompt)}; expected a str (one prompt; "
                        "for a chat model, e.g. tokenizer.apply_chat_template(messages, tokenize=False, "
                        "add_generation_prompt=True)).")
    if not prompt:
        raise ValueError("prompt: got an empty str; expected the text the model continues.")
    n = _positive_int(max_new_tokens, "max_new_tokens")
    if seed is not None and (isinstance(seed, (bool, np.bool_)) or not isinstance(seed, numbers.Integral)):
        raise TypeError(f"seed: got {type(seed).__name__} {short(seed)}; expected None or an int (the seed of "
                        "the random draws of do_sample=True).")
    for name, why in _OWN.items():
        if name in kwargs:
            raise ValueError(f"{name}: from_generate sets it itself ({why}); remove it.")
    for name in ("num_beams", "num_return_sequences"):
        value = kwargs.get(name)
        if value is not None and value != 1:
            raise NotImplementedError(f"{name}: got {short(value)}; from_generate follows one sequence (1): "
                                      "beam search reorders its hypotheses at every step.")
    return n


def _can_generate(model) -> bool:
    can = getattr(model, "can_generate", None)
    if callable(can):
        try:
            return bool(can())
        except TypeError:  # an unbound classmethod on an odd object: trust .generate
            return True
    return True


def check_generation(value, n_positions: int, name: str = "generation") -> dict:
    """{"prompt_length": P, "generated": [positions]} checked against a section's query positions: P an int
    in 0..n_positions, generated increasing ints in P..n_positions - 1."""
    if not isinstance(value, dict) or set(value) != {"prompt_length", "generated"}:
        raise TypeError(f"{name}: got {short(value)}; expected a dict {{'prompt_length': int, 'generated': "
                        "[positions of the generated tokens]}.")
    p = value["prompt_length"]
    if isinstance(p, (bool, np.bool_)) or not isinstance(p, numbers.Integral) or not 0 <= int(p) <= n_positions:
        raise ValueError(f"{name}['prompt_length']: got {short(p)}; expected an int in 0..{n_positions}.")
    gen = value["generated"]
    if not isinstance(gen, (list, tuple)) or not all(
            isinstance(g, numbers.Integral) and not isinstance(g, (bool, np.bool_)) for g in gen):
        raise TypeError(f"{name}['generated']: got {short(gen)}; expected a list of int positions.")
    gen = [int(g) for g in gen]
    if any(not int(p) <= g < n_positions for g in gen) or any(a >= b for a, b in zip(gen, gen[1:])):
        raise ValueError(f"{name}['generated']: got {short(gen)}; expected increasing positions in "
                         f"{int(p)}..{n_positions - 1} (after the prompt, within the {n_positions} tokens).")
    return {"prompt_length": int(p), "generated": gen}
