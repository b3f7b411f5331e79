"""Turn user input into checked float32 numpy arrays [layers, heads, queries, keys].

Every check raises ValueError/TypeError before anything is sent to the browser. A
message names the argument, what was received and what was expected, and says how
to fix it. Tokens stay plain text: they are never escaped or interpreted here (the
frontend renders them with textContent).

Lazy mode (attnscope.lazy) uses the same checks and messages without converting: peek_attention
checks type, dtype, device and shape; the weights are checked layer by layer there.
Settings: MAX_INPUT_BYTES (eager ceiling) and LAZY_ABOVE_BYTES (where ``lazy=None`` goes lazy).
"""

from __future__ import annotations

import math
import numbers
import warnings

import numpy as np

_AXES = ("layers", "heads", "queries", "keys")
ROW_SUM_TOLERANCE = 1e-2

#: Largest input shown at once (eager mode: everything is sent to the browser when the widget opens),
#: in bytes sent: attention weights as float16 (2 bytes each) plus query/key vectors as float32 (4 bytes
#: each), all sections together. The browser keeps about 3 times this much (the received buffer, the
#: decoded float32 copy and its drawings). Set it to ``None`` to switch the check off, or raise it
#: (``attnscope.validation.MAX_INPUT_BYTES = 300_000_000``) at the risk of a slow or crashed tab.
MAX_INPUT_BYTES = 100_000_000

#: Above this many bytes of eager payload (counted as for MAX_INPUT_BYTES: attention as float16, query/key
#: vectors as float32, all sections together) a view goes lazy when ``lazy=None`` (the default): the kernel
#: keeps the caller's tensors without copying them and sends a summary (each head mean-pooled to at most
#: 64 x 64, plus per-head statistics); the browser fetches the exact (layer, heads) slices it shows.
#: MAX_INPUT_BYTES applies to eager mode only: in automatic mode a larger input simply goes lazy.
#: ``lazy=True`` / ``lazy=False`` force either mode; ``None`` here turns the size switch off (an input
#: above MAX_INPUT_BYTES still goes lazy).
LAZY_ABOVE_BYTES = 16_000_000


def _check_torch(t, name: str) -> None:
    if t.is_complex() or t.dtype == _torch().bool:
        raise TypeError(f"{name}: got a torch tensor of dtype {t.dtype}; expected real numbers. "
                        "Convert the weights with .float().")
    if t.device.type == "meta":
        raise ValueError(
            f"{name}: got a torch tensor on the 'meta' device (shape {tuple(t.shape)}), which holds no data; "
            "pass weights computed on a real device (load the model without device='meta' / "
            "init_empty_weights, or move it with model.to('cpu'))."
        )


def _torch_to_numpy(t, name: str) -> np.ndarray:
    """Any real torch tensor (any dtype incl. bfloat16, any device, requires_grad) -> float32 numpy."""
    _check_torch(t, name)
    t = t.detach()
    if t.layout != _torch().strided:  # sparse
        t = t.to_dense()
    return t.to(device="cpu", dtype=_torch().float32).numpy()  # one float32 copy (none if already one)


def _torch():
    import torch  # lazy: only reached when the user passed a torch tensor

    return torch


def _is_torch(x) -> bool:
    return type(x).__module__.startswith("torch") and hasattr(x, "detach")


def _check_layers(seq, name: str) -> tuple:
    """The shape shared by every layer of a Hugging Face tuple, after checking each layer's type (no data read)."""
    shapes = [tuple(int(n) for n in x.shape) for x in seq]
    for i, shape in enumerate(shapes):
        if shape != shapes[0]:
            raise ValueError(
                f"{name}: layer {i} has shape {shape} but layer 0 has shape "
                f"{shapes[0]}; every layer must have the same shape."
            )
    for i, x in enumerate(seq):
        if _is_torch(x):
            _check_torch(x, f"{name}[{i}]")
        elif not isinstance(x, np.ndarray):
            raise TypeError(f"{name}[{i}]: got {type(x).__name__}; expected a tensor or array like the other layers.")
        elif x.dtype.kind not in "fiu":
            raise TypeError(f"{name}[{i}]: got dtype {x.dtype}; expected real numbers (float or int).")
    return shapes[0]


def _layer_stack(seq, name: str) -> np.ndarray:
    """A Hugging Face tuple of per-layer tensors/arrays [batch, heads, q, k] -> one float32 array.

    Each layer is converted straight into its slot of the result: one float32 copy in all.
    """
    shape = _check_layers(seq, name)
    out = np.empty((len(seq),) + shape, dtype=np.float32)
    for i, x in enumerate(seq):
        if _is_torch(x):
            x = x.detach()
            if x.layout != _torch().strided:
                x = x.to_dense()
            _torch().from_numpy(out[i]).copy_(x)  # converts dtype and device in place
        else:
            out[i] = x
    return out


def is_layer_tuple(value) -> bool:
    """A (non-empty) list or tuple of per-layer tensors or arrays, as Hugging Face returns them."""
    return isinstance(value, (list, tuple)) and any(_is_torch(x) or isinstance(x, np.ndarray) for x in value)


def lists_to_array(value, name: str):
    """Nested Python lists -> one numpy array (the one copy), with the errors of attention_array; anything
    else (tensor, array, tuple of per-layer tensors, None) is returned as is."""
    if isinstance(value, (list, tuple)) and not is_layer_tuple(value):
        return _as_numpy(value, name)
    return value


def _as_numpy(value, name: str) -> np.ndarray:
    if value is None:
        raise TypeError(f"{name}: got None; expected attention weights [layers, heads, queries, keys].")
    if _is_torch(value):
        return _torch_to_numpy(value, name)
    if isinstance(value, (list, tuple)):
        if len(value) == 0:
            raise ValueError(f"{name}: got an empty {type(value).__name__}; expected at least one layer.")
        if is_layer_tuple(value):
            return _layer_stack(value, name)
        try:
            return np.asarray(value)
        except ValueError:  # numpy >= 1.24 refuses ragged nesting
            raise ValueError(
                f"{name}: the nested lists are ragged: {_ragged_where(value, name)}. Expected a "
                "rectangular [layers, heads, queries, keys] nesting (pad or cut rows to one length)."
            ) from None
    if isinstance(value, np.ndarray):
        return value
    raise TypeError(
        f"{name}: got {type(value).__name__}; expected a torch tensor, numpy array, nested lists "
        "or a Hugging Face tuple of per-layer tensors (outputs.attentions)."
    )


def _ragged_where(value, name: str) -> str:
    """Where nested lists first differ in length, e.g. "attention[0][1] has 3 items but attention[0][0] has 4"."""
    level = [(name, value)]
    while level:
        lists = [(path, x) for path, x in level if isinstance(x, (list, tuple, np.ndarray))]
        if lists and len(lists) != len(level):
            path, x = next((p, x) for p, x in level if not isinstance(x, (list, tuple, np.ndarray)))
            return f"{path} is a number ({x!r}) where {lists[0][0]} is a list"
        if not lists:
            break
        lengths = [len(x) for _, x in lists]
        for (path, x), n in zip(lists, lengths):
            if n != lengths[0]:
                return f"{path} has {n} items but {lists[0][0]} has {lengths[0]}"
        level = [(f"{path}[{i}]", y) for path, x in lists for i, y in enumerate(x)]
    return "sub-lists of different lengths"


def peek_shape(value):
    """The shape ``attention_array`` will see, without converting anything (None when it cannot tell cheaply)."""
    if _is_torch(value) or isinstance(value, np.ndarray):
        shape = tuple(int(n) for n in value.shape)
    elif (isinstance(value, (list, tuple)) and value
          and all(_is_torch(x) or isinstance(x, np.ndarray) for x in value)):
        shape = (len(value),) + tuple(int(n) for n in value[0].shape)
    else:
        return None
    if len(shape) == 5 and shape[1] == 1:
        shape = shape[:1] + shape[2:]
    return shape if len(shape) == 4 else None


def _check_kind(dtype, name: str) -> None:
    if dtype.kind not in "fiu":
        raise TypeError(
            f"{name}: got dtype {dtype}; expected real numbers (float or int). "
            "Convert the weights with .float() / .astype('float32')."
        )


def check_layout(shape, name: str, square: bool = False) -> tuple:
    """The [L, H, Q, K] shape of attention weights of ``shape`` (a batch of one dropped), or the error
    attention_array raises for it (batch above one, wrong number of dimensions, an empty axis, not square)."""
    shape = tuple(int(n) for n in shape)
    if len(shape) == 5:  # [layers, batch, heads, q, k]: Hugging Face tuple or a stacked tensor
        if shape[1] != 1:
            raise ValueError(
                f"{name}: got a batch of {shape[1]} inputs (shape {shape}); "
                "attnscope shows one input. Select one, e.g. [a[i:i+1] for a in attentions] "
                "or from_model(..., batch_index=i)."
            )
        shape = shape[:1] + shape[2:]
    if len(shape) != 4:
        raise ValueError(
            f"{name}: got {len(shape)} dimensions (shape {shape}); expected 4 "
            "[layers, heads, queries, keys], 5 with a batch of one, or a tuple of per-layer "
            "[batch, heads, queries, keys] tensors."
        )
    for axis, n in zip(_AXES, shape):
        if n == 0:
            raise ValueError(f"{name}: shape {shape} has 0 {axis}; expected at least one.")
    if square and shape[2] != shape[3]:
        raise ValueError(
            f"{name}: self-attention must be square but has {shape[2]} queries and "
            f"{shape[3]} keys (shape {shape}); cross-attention goes in cross_attention."
        )
    return shape


def peek_attention(value, name: str, square: bool = False) -> tuple:
    """The [L, H, Q, K] shape of a tensor, array or Hugging Face tuple, with the errors attention_array
    would raise before reading any weight (type, dtype, device, batch, dimensions, empty axes, square).
    Nested Python lists are not accepted here: convert them with lists_to_array first."""
    if value is None:
        raise TypeError(f"{name}: got None; expected attention weights [layers, heads, queries, keys].")
    if _is_torch(value):
        _check_torch(value, name)
        shape = tuple(value.shape)
    elif isinstance(value, np.ndarray):
        _check_kind(value.dtype, name)
        shape = value.shape
    elif isinstance(value, (list, tuple)) and len(value) == 0:
        raise ValueError(f"{name}: got an empty {type(value).__name__}; expected at least one layer.")
    elif is_layer_tuple(value):
        shape = (len(value),) + _check_layers(value, name)
    else:
        raise TypeError(
            f"{name}: got {type(value).__name__}; expected a torch tensor, numpy array, nested lists "
            "or a Hugging Face tuple of per-layer tensors (outputs.attentions)."
        )
    return check_layout(shape, name, square)


def nonfinite_error(name: str, value, l: int, h: int, q: int, k: int) -> ValueError:
    return ValueError(
        f"{name}: contains {value} at layer {l}, head {h} (query {q}, key {k}); "
        "attention weights must be finite. Check the model's dtype (float16 overflow)."
    )


def negative_error(name: str, value, l: int, h: int, q: int, k: int) -> ValueError:
    return ValueError(
        f"{name}: contains a negative weight {value:g} at layer {l}, head {h} "
        f"(query {q}, key {k}); expected softmax probabilities >= 0. Pass weights, not scores."
    )


def attention_array(value, name: str, square: bool = False) -> np.ndarray:
    """Validate attention weights; returns float32, C-contiguous, shape [L, H, Q, K].

    square: self-attention, so queries and keys must be the same positions.
    """
    arr = _as_numpy(value, name)
    _check_kind(arr.dtype, name)
    check_layout(arr.shape, name, square)
    if arr.ndim == 5:  # a batch of one: dropped (a view)
        arr = arr[:, 0]
    arr = np.ascontiguousarray(arr, dtype=np.float32)  # the one float32 copy (none if it already is one)
    lo, hi = arr.min(), arr.max()  # NaN propagates, inf shows: no temporary mask as large as the input
    if not (np.isfinite(lo) and np.isfinite(hi)):
        l, h, q, k = (int(i) for i in np.argwhere(~np.isfinite(arr))[0])
        raise nonfinite_error(name, arr[l, h, q, k], l, h, q, k)
    if lo < 0:
        l, h, q, k = (int(i) for i in np.argwhere(arr < 0)[0])
        raise negative_error(name, arr[l, h, q, k], l, h, q, k)
    _warn_row_sums(arr, name)
    return arr


def _warn_row_sums(arr: np.ndarray, name: str) -> None:
    dev = np.abs(arr.sum(axis=-1, dtype=np.float64) - 1.0)
    worst = np.unravel_index(int(np.argmax(dev)), dev.shape)
    if dev[worst] > ROW_SUM_TOLERANCE:
        l, h, q = (int(i) for i in worst)
        warn_row_sums(name, int((dev > ROW_SUM_TOLERANCE).sum()), dev.size, (l, h, q),
                      arr[l, h, q].sum(dtype=np.float64), stacklevel=4)


def warn_row_sums(name: str, n_bad: int, n_rows: int, worst: tuple, worst_sum: float, stacklevel: int) -> None:
    """The warning for rows that do not sum to 1: how many, and the worst (layer, head, query) with its sum."""
    l, h, q = worst
    warnings.warn(
        f"{name}: rows should sum to 1 (softmax weights); {n_bad} of {n_rows} rows are off by more "
        f"than {ROW_SUM_TOLERANCE:g}; the worst, layer {l}, head {h}, query {q}, sums to "
        f"{worst_sum:.4g}. Pass softmax outputs (the views draw the weights as given).",
        UserWarning,
        stacklevel=stacklevel,
    )


def tokens_list(tokens, name: str, expected: int, axis: str, other: int | None = None,
                other_name: str | None = None) -> list[str]:
    """Check tokens is a list of str whose length matches the attention's ``axis``.

    other / other_name: the length of the attention's other axis and the argument that belongs
    there (cross-attention), to say when the two token lists look swapped. Lone surrogates (which
    cannot travel as UTF-8) become U+FFFD with a warning; everything else is kept as is.
    """
    if tokens is None:
        raise TypeError(f"{name}: got None; expected a list of {expected} token strings.")
    if isinstance(tokens, np.ndarray) and tokens.ndim == 1 and tokens.dtype.kind == "U":
        tokens = [str(t) for t in tokens]
    if isinstance(tokens, str) or not isinstance(tokens, (list, tuple)):
        raise TypeError(
            f"{name}: got {type(tokens).__name__} {_short(tokens)}; expected a list of str "
            "(e.g. tokenizer.convert_ids_to_tokens(input_ids))."
        )
    for i, t in enumerate(tokens):
        if not isinstance(t, str):
            raise TypeError(f"{name}: item {i} is {type(t).__name__} {t!r}; expected str.")
    if len(tokens) != expected:
        swapped = ""
        if other is not None and other != expected and len(tokens) == other:
            swapped = f" {len(tokens)} is the length of the other axis: are {name} and {other_name} swapped?"
        raise ValueError(
            f"{name}: got {len(tokens)} tokens but the attention's {axis} axis has {expected}; "
            f"pass the tokens of the same input (one per position, padding removed).{swapped}"
        )
    return [_utf8_safe(t, name, i) for i, t in enumerate(tokens)]


def _utf8_safe(token: str, name: str, i: int) -> str:
    try:
        token.encode("utf-8")
        return str(token)
    except UnicodeEncodeError:
        # surrogate pairs written as two code points join into one character; lone ones become U+FFFD
        fixed = token.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")
        if fixed.count("\ufffd") > token.count("\ufffd"):
            warnings.warn(f"{name}: token {i} {_short(token)} contains lone surrogates (not valid Unicode text, "
                          f"it cannot be sent); shown as {_short(fixed)}.", UserWarning, stacklevel=4)
        return fixed


def prettify(tokens: list[str]) -> list[str]:
    """Like BertViz format_special_chars: 'Ġ' and '▁' -> ' ', '</w>' dropped."""
    return [t.replace("Ġ", " ").replace("▁", " ").replace("</w>", "") for t in tokens]


def _short(value) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def as_index(x):
    """``x`` as a Python int when it is an integer (int, numpy integer, 0-d integer array or torch
    tensor), else None. Booleans are not indices."""
    if isinstance(x, (bool, np.bool_)):
        return None
    if isinstance(x, numbers.Integral):
        return int(x)
    if (isinstance(x, np.ndarray) or _is_torch(x)) and getattr(x, "ndim", None) == 0:
        dtype = x.dtype
        is_int = dtype.kind in "iu" if isinstance(x, np.ndarray) else not (
            dtype.is_floating_point or dtype.is_complex or dtype == _torch().bool)
        return int(x.item()) if is_int and not (_is_torch(x) and x.device.type == "meta") else None
    return None


def _is_int(x) -> bool:
    return as_index(x) is not None


def int_list(value, name: str, n: int, what: str) -> list[int]:
    """A non-empty list of distinct ints in 0..n-1 (a single int is accepted too).

    Items may be numpy integers or integer scalars; a 1-D numpy array or torch tensor of ints is a list.
    """
    if _is_int(value):
        value = [value]
    if _is_torch(value) and getattr(value, "ndim", None) == 1:
        if value.dtype.is_floating_point or value.dtype.is_complex or value.dtype == _torch().bool:
            raise TypeError(f"{name}: got a torch tensor of dtype {value.dtype}; expected int {what} indices.")
        value = value.tolist()
    if isinstance(value, (str, bytes)) or not isinstance(value, (list, tuple, range, np.ndarray)):
        raise TypeError(f"{name}: got {type(value).__name__} {_short(value)}; expected a list of {what} indices.")
    items = list(value)
    if not items:
        raise ValueError(f"{name}: got an empty list; expected at least one {what} index (or None for all).")
    for i, x in enumerate(items):
        if not _is_int(x):
            raise TypeError(f"{name}: item {x!r} is {type(x).__name__}; expected int {what} indices.")
        items[i] = x = as_index(x)
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
    layer = as_index(layer)
    if not 0 <= layer < n:
        raise ValueError(f"layer: {layer} is out of range; expected 0..{n - 1} ({n} layers).")
    if layer not in layers:
        raise ValueError(f"layer: {layer} is not in include_layers {layers}; pick one of them.")
    return int(layer)


def head_index(head, n: int, name: str = "head") -> int:
    """One REAL head index (neuron_view's ``head``) in 0..n-1."""
    if not _is_int(head):
        raise TypeError(f"{name}: got {type(head).__name__} {_short(head)}; expected an int head index.")
    head = as_index(head)
    if not 0 <= head < n:
        raise ValueError(f"{name}: {head} is out of range; expected 0..{n - 1} ({n} heads).")
    return head


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
    start = as_index(start)
    if not 1 <= start <= n_tokens - 1:
        raise ValueError(
            f"sentence_b_start: {start} is out of range; expected 1..{n_tokens - 1} "
            f"(index of the first token of sentence B among {n_tokens} tokens)."
        )
    return int(start)


def _mb(n_bytes: int) -> str:
    return f"{n_bytes / 1e6:,.1f} MB"


def check_size(parts, caller: str) -> None:
    """Raise ValueError when what would be sent exceeds MAX_INPUT_BYTES (module doc of the constant).

    parts: (name, shape, itemsize, kind) for every array sent, kind "weights" (attention, one
    [L, H, Q, K] per section) or "vectors" (queries/keys).
    """
    limit = MAX_INPUT_BYTES
    if limit is None:
        return
    total = sum(math.prod(shape) * itemsize for _, shape, itemsize, _ in parts)
    if total <= limit:
        return
    what = ", ".join(
        f"{name} [{', '.join(map(str, shape))}] = {math.prod(shape):,} {kind} ({_mb(math.prod(shape) * size)})"
        for name, shape, size, kind in parts
    )
    layers = max(shape[0] for _, shape, _, kind in parts if kind == "weights")
    per_layer = total / layers
    fit = int(limit // per_layer)
    hint = (f"about {fit} of the {layers} layers fit, e.g. include_layers={list(range(min(fit, 3)))}"
            if fit >= 1 else "even one layer is too large: shorten the text")
    raise ValueError(
        f"{caller}: the input is too large to show at once: {what}; {_mb(total)} to send in all, above the "
        f"limit of {_mb(limit)} (attnscope.validation.MAX_INPUT_BYTES). Show less: keep some layers with "
        f"include_layers ({hint}) and/or some heads with include_heads (model_view, show, neuron_view), "
        "or use a shorter text (from_model(..., max_length=...)). Or raise the limit, "
        "attnscope.validation.MAX_INPUT_BYTES = ... (None: no limit), at the risk of a slow or crashed browser tab. "
        "Or pass lazy=True (or leave lazy=None, the default): the kernel keeps the tensor and the browser "
        "fetches the slices it shows."
    )


def lazy_mode(lazy, payload_bytes) -> bool:
    """Whether a view goes lazy: ``lazy`` True/False forces it; None decides from the eager payload
    (bytes, or None when the shapes cannot be told without converting): above LAZY_ABOVE_BYTES or
    above MAX_INPUT_BYTES."""
    if lazy is not None and not isinstance(lazy, (bool, np.bool_)):
        raise TypeError(f"lazy: got {type(lazy).__name__} {_short(lazy)}; expected None (automatic, by size), "
                        "True (keep the tensor in the kernel, send slices on demand) or False (send everything).")
    if lazy is not None:
        return bool(lazy)
    if payload_bytes is None:
        return False
    return any(limit is not None and payload_bytes > limit for limit in (LAZY_ABOVE_BYTES, MAX_INPUT_BYTES))
