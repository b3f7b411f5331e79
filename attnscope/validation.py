"""Turn user input into checked float32 numpy arrays [layers, heads, queries, keys].

Every check raises ValueError/TypeError before anything is sent to the browser. A
message names the argument, what was received and what was expected, and says how
to fix it. Tokens stay plain text: they are never escaped or interpreted here (the
frontend renders them with textContent).
"""

from __future__ import annotations

import numbers
import warnings

import numpy as np

_AXES = ("layers", "heads", "queries", "keys")
ROW_SUM_TOLERANCE = 1e-2


def _torch_to_numpy(t, name: str) -> np.ndarray:
    if t.is_complex() or t.dtype == _torch().bool:
        raise TypeError(f"{name}: got a torch tensor of dtype {t.dtype}; expected real numbers.")
    return t.detach().float().cpu().numpy()


def _torch():
    import torch  # lazy: only reached when the user passed a torch tensor

    return torch


def _is_torch(x) -> bool:
    return type(x).__module__.startswith("torch") and hasattr(x, "detach")


def _layer_stack(seq, name: str) -> np.ndarray:
    """A Hugging Face tuple of per-layer tensors/arrays [batch, heads, q, k] -> one array."""
    arrays = [_torch_to_numpy(x, f"{name}[{i}]") if _is_torch(x) else np.asarray(x)
              for i, x in enumerate(seq)]
    for i, a in enumerate(arrays):
        if a.shape != arrays[0].shape:
            raise ValueError(
                f"{name}: layer {i} has shape {tuple(a.shape)} but layer 0 has shape "
                f"{tuple(arrays[0].shape)}; every layer must have the same shape."
            )
    return np.stack(arrays)


def _as_numpy(value, name: str) -> np.ndarray:
    if value is None:
        raise TypeError(f"{name}: got None; expected attention weights [layers, heads, queries, keys].")
    if _is_torch(value):
        return _torch_to_numpy(value, name)
    if isinstance(value, (list, tuple)):
        if len(value) == 0:
            raise ValueError(f"{name}: got an empty {type(value).__name__}; expected at least one layer.")
        if any(_is_torch(x) or isinstance(x, np.ndarray) for x in value):
            return _layer_stack(value, name)
        try:
            return np.asarray(value)
        except ValueError as err:  # numpy >= 1.24 refuses ragged nesting
            raise ValueError(
                f"{name}: the nested lists are ragged (sub-lists of different lengths): {err}. "
                "Expected a rectangular [layers, heads, queries, keys] nesting."
            ) from None
    if isinstance(value, np.ndarray):
        return value
    raise TypeError(
        f"{name}: got {type(value).__name__}; expected a torch tensor, numpy array, nested lists "
        "or a Hugging Face tuple of per-layer tensors (outputs.attentions)."
    )


def attention_array(value, name: str, square: bool = False) -> np.ndarray:
    """Validate attention weights; returns float32, C-contiguous, shape [L, H, Q, K].

    square: self-attention, so queries and keys must be the same positions.
    """
    arr = _as_numpy(value, name)
    if arr.dtype.kind not in "fiu":
        raise TypeError(
            f"{name}: got dtype {arr.dtype}; expected real numbers (float or int). "
            "Convert the weights with .float() / .astype('float32')."
        )
    if arr.ndim == 5:  # [layers, batch, heads, q, k]: Hugging Face tuple or a stacked tensor
        if arr.shape[1] != 1:
            raise ValueError(
                f"{name}: got a batch of {arr.shape[1]} inputs (shape {tuple(arr.shape)}); "
                "attnscope shows one input. Select one, e.g. [a[i:i+1] for a in attentions] "
                "or from_model(..., batch_index=i)."
            )
        arr = arr[:, 0]
    if arr.ndim != 4:
        raise ValueError(
            f"{name}: got {arr.ndim} dimensions (shape {tuple(arr.shape)}); expected 4 "
            "[layers, heads, queries, keys], 5 with a batch of one, or a tuple of per-layer "
            "[batch, heads, queries, keys] tensors."
        )
    for axis, n in zip(_AXES, arr.shape):
        if n == 0:
            raise ValueError(f"{name}: shape {tuple(arr.shape)} has 0 {axis}; expected at least one.")
    if square and arr.shape[2] != arr.shape[3]:
        raise ValueError(
            f"{name}: self-attention must be square but has {arr.shape[2]} queries and "
            f"{arr.shape[3]} keys (shape {tuple(arr.shape)}); cross-attention goes in cross_attention."
        )
    arr = np.ascontiguousarray(arr, dtype=np.float32)
    finite = np.isfinite(arr)
    if not finite.all():
        l, h, q, k = (int(i) for i in np.argwhere(~finite)[0])
        raise ValueError(
            f"{name}: contains {arr[l, h, q, k]} at layer {l}, head {h} (query {q}, key {k}); "
            "attention weights must be finite. Check the model's dtype (float16 overflow)."
        )
    if (arr < 0).any():
        l, h, q, k = (int(i) for i in np.argwhere(arr < 0)[0])
        raise ValueError(
            f"{name}: contains a negative weight {arr[l, h, q, k]:g} at layer {l}, head {h} "
            f"(query {q}, key {k}); expected softmax probabilities >= 0. Pass weights, not scores."
        )
    _warn_row_sums(arr, name)
    return arr


def _warn_row_sums(arr: np.ndarray, name: str) -> None:
    dev = np.abs(arr.sum(axis=-1, dtype=np.float64) - 1.0)
    worst = np.unravel_index(int(np.argmax(dev)), dev.shape)
    if dev[worst] > ROW_SUM_TOLERANCE:
        l, h, q = (int(i) for i in worst)
        warnings.warn(
            f"{name}: rows should sum to 1 (softmax weights); the worst, layer {l}, head {h}, "
            f"query {q}, sums to {arr[l, h, q].sum(dtype=np.float64):.4g}. Pass softmax outputs.",
            UserWarning,
            stacklevel=3,
        )


def tokens_list(tokens, name: str, expected: int, axis: str) -> list[str]:
    """Check tokens is a list of str whose length matches the attention's ``axis``."""
    if tokens is None:
        raise TypeError(f"{name}: got None; expected a list of {expected} token strings.")
    if isinstance(tokens, str) or not isinstance(tokens, (list, tuple)):
        raise TypeError(
            f"{name}: got {type(tokens).__name__} {_short(tokens)}; expected a list of str "
            "(e.g. tokenizer.convert_ids_to_tokens(input_ids))."
        )
    for i, t in enumerate(tokens):
        if not isinstance(t, str):
            raise TypeError(f"{name}: item {i} is {type(t).__name__} {t!r}; expected str.")
    if len(tokens) != expected:
        raise ValueError(
            f"{name}: got {len(tokens)} tokens but the attention's {axis} axis has {expected}; "
            "pass the tokens of the same input (one per position, padding removed)."
        )
    return list(tokens)


def prettify(tokens: list[str]) -> list[str]:
    """Like BertViz format_special_chars: 'Ġ' and '▁' -> ' ', '</w>' dropped."""
    return [t.replace("Ġ", " ").replace("▁", " ").replace("</w>", "") for t in tokens]


def _short(value) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _is_int(x) -> bool:
    return isinstance(x, numbers.Integral) and not isinstance(x, bool)


def int_list(value, name: str, n: int, what: str) -> list[int]:
    """A non-empty list of distinct ints in 0..n-1 (a single int is accepted too)."""
    if _is_int(value):
        value = [value]
    if isinstance(value, (str, bytes)) or not isinstance(value, (list, tuple, range, np.ndarray)):
        raise TypeError(f"{name}: got {type(value).__name__} {_short(value)}; expected a list of {what} indices.")
    items = list(value)
    if not items:
        raise ValueError(f"{name}: got an empty list; expected at least one {what} index (or None for all).")
    for x in items:
        if not _is_int(x):
            raise TypeError(f"{name}: item {x!r} is {type(x).__name__}; expected int {what} indices.")
        if not 0 <= x < n:
            raise ValueError(f"{name}: {what} {x} is out of range; expected 0..{n - 1} ({n} {what}s).")
    if len(set(items)) != len(items):
        dup = sorted({x for x in items if items.count(x) > 1})
        raise ValueError(f"{name}: {_short(items)} repeats {what} {dup}; list each {what} once.")
    return [int(x) for x in items]


def layer_index(layer, layers: list[int], n: int) -> int:
    """``layer`` is a REAL layer index; it must be one of the shown ``layers``."""
    if layer is None:
        return layers[0]
    if not _is_int(layer):
        raise TypeError(f"layer: got {type(layer).__name__} {_short(layer)}; expected an int layer index.")
    if not 0 <= layer < n:
        raise ValueError(f"layer: {layer} is out of range; expected 0..{n - 1} ({n} layers).")
    if layer not in layers:
        raise ValueError(f"layer: {layer} is not in include_layers {layers}; pick one of them.")
    return int(layer)


def heads_list(heads, n: int) -> list[int]:
    """Initially active heads, sorted; [] means all (for heads=None)."""
    if heads is None:
        return []
    return sorted(int_list(heads, "heads", n, "head"))


def sentence_b(start, n_tokens: int):
    if start is None:
        return None
    if not _is_int(start):
        raise TypeError(f"sentence_b_start: got {type(start).__name__} {_short(start)}; expected an int.")
    if not 1 <= start <= n_tokens - 1:
        raise ValueError(
            f"sentence_b_start: {start} is out of range; expected 1..{n_tokens - 1} "
            f"(index of the first token of sentence B among {n_tokens} tokens)."
        )
    return int(start)
