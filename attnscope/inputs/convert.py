"""Conversion of attention input (torch tensors of any dtype and device, numpy arrays, nested lists, Hugging
Face tuples of per-layer tensors) to numpy, and the checks made before any weight is read: type, dtype,
device, batch, dimensions, empty axes, square. Tokens stay plain text: nothing here escapes them."""

from __future__ import annotations

import numpy as np

from ..data.tensors import is_torch, torch

_AXES = ("layers", "heads", "queries", "keys")

#: why a tuple of per-layer weights is empty, and how to get the weights (said with the error)
EMPTY_HINT = (
    " An empty tuple usually means the model returned no attention weights: a model loaded with SDPA or "
    "flash attention (the default of recent transformers) returns none, and in transformers 5 the last "
    "output of an encoder-only model such as DistilBERT, outputs[-1], is its empty cross_attentions. Load "
    "the model with attn_implementation=\"eager\" and pass outputs.attentions (with output_attentions=True), "
    "or let attnscope.from_model(model, tokenizer, text) run it."
)


def short(value) -> str:
    """repr of a value for a message, cut to 60 characters."""
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def empty_error(value, name: str) -> ValueError:
    return ValueError(f"{name}: got an empty {type(value).__name__}; expected at least one layer.{EMPTY_HINT}")


def check_torch(t, name: str) -> None:
    if t.is_complex() or t.dtype == torch().bool:
        raise TypeError(f"{name}: got a torch tensor of dtype {t.dtype}; expected real numbers. "
                        "Convert the weights with .float().")
    if t.device.type == "meta":
        raise ValueError(
            f"{name}: got a torch tensor on the 'meta' device (shape {tuple(t.shape)}), which holds no data; "
            "pass weights computed on a real device (load the model without device='meta' / "
            "init_empty_weights, or move it with model.to('cpu'))."
        )


def torch_to_numpy(t, name: str) -> np.ndarray:
    """Any real torch tensor (any dtype incl. bfloat16, any device, requires_grad) -> float32 numpy."""
    check_torch(t, name)
    t = t.detach()
    if t.layout != torch().strided:  # sparse
        t = t.to_dense()
    return t.to(device="cpu", dtype=torch().float32).numpy()  # one float32 copy (none if already one)


def check_layers(seq, name: str) -> tuple:
    """The shape shared by every layer of a Hugging Face tuple, after checking each layer's type (no data read)."""
    shapes = [tuple(int(n) for n in x.shape) for x in seq]
    for i, shape in enumerate(shapes):
        if shape != shapes[0]:
            raise ValueError(
                f"{name}: layer {i} has shape {shape} but layer 0 has shape "
                f"{shapes[0]}; every layer must have the same shape."
            )
    for i, x in enumerate(seq):
        if is_torch(x):
            check_torch(x, f"{name}[{i}]")
        elif not isinstance(x, np.ndarray):
            raise TypeError(f"{name}[{i}]: got {type(x).__name__}; expected a tensor or array like the other layers.")
        elif x.dtype.kind not in "fiu":
            raise TypeError(f"{name}[{i}]: got dtype {x.dtype}; expected real numbers (float or int).")
    return shapes[0]


def layer_stack(seq, name: str) -> np.ndarray:
    """A Hugging Face tuple of per-layer tensors/arrays [batch, heads, q, k] -> one float32 array.

    Each layer is converted straight into its slot of the result: one float32 copy in all.
    """
    shape = check_layers(seq, name)
    out = np.empty((len(seq),) + shape, dtype=np.float32)
    for i, x in enumerate(seq):
        if is_torch(x):
            x = x.detach()
            if x.layout != torch().strided:
                x = x.to_dense()
            torch().from_numpy(out[i]).copy_(x)  # converts dtype and device in place
        else:
            out[i] = x
    return out


def is_layer_tuple(value) -> bool:
    """A (non-empty) list or tuple of per-layer tensors or arrays, as Hugging Face returns them."""
    return isinstance(value, (list, tuple)) and any(is_torch(x) or isinstance(x, np.ndarray) for x in value)


def lists_to_array(value, name: str):
    """Nested Python lists -> one numpy array (the one copy), with the errors of attention_array; anything
    else (tensor, array, tuple of per-layer tensors, None) is returned as is."""
    if isinstance(value, (list, tuple)) and not is_layer_tuple(value):
        return as_numpy(value, name)
    return value


def as_numpy(value, name: str) -> np.ndarray:
    if value is None:
        raise TypeError(f"{name}: got None; expected attention weights [layers, heads, queries, keys].")
    if is_torch(value):
        return torch_to_numpy(value, name)
    if isinstance(value, (list, tuple)):
        if len(value) == 0:
            raise empty_error(value, name)
        if is_layer_tuple(value):
            return layer_stack(value, name)
        try:
            return np.asarray(value)
        except ValueError:  # numpy >= 1.24 refuses ragged nesting
            raise ValueError(
                f"{name}: the nested lists are ragged: {ragged_where(value, name)}. Expected a "
                "rectangular [layers, heads, queries, keys] nesting (pad or cut rows to one length)."
            ) from None
    if isinstance(value, np.ndarray):
        return value
    raise TypeError(
        f"{name}: got {type(value).__name__}; expected a torch tensor, numpy array, nested lists "
        "or a Hugging Face tuple of per-layer tensors (outputs.attentions)."
    )


def ragged_where(value, name: str) -> str:
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
        for (path, _), n in zip(lists, lengths):
            if n != lengths[0]:
                return f"{path} has {n} items but {lists[0][0]} has {lengths[0]}"
        level = [(f"{path}[{i}]", y) for path, x in lists for i, y in enumerate(x)]
    return "sub-lists of different lengths"


def peek_shape(value):
    """The shape ``attention_array`` will see, without converting anything (None when it cannot tell cheaply)."""
    if is_torch(value) or isinstance(value, np.ndarray):
        shape = tuple(int(n) for n in value.shape)
    elif (isinstance(value, (list, tuple)) and value
          and all(is_torch(x) or isinstance(x, np.ndarray) for x in value)):
        shape = (len(value),) + tuple(int(n) for n in value[0].shape)
    else:
        return None
    if len(shape) == 5 and shape[1] == 1:
        shape = shape[:1] + shape[2:]
    return shape if len(shape) == 4 else None


def check_kind(dtype, name: str) -> None:
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
    if is_torch(value):
        check_torch(value, name)
        shape = tuple(value.shape)
    elif isinstance(value, np.ndarray):
        check_kind(value.dtype, name)
        shape = value.shape
    elif isinstance(value, (list, tuple)) and len(value) == 0:
        raise empty_error(value, name)
    elif is_layer_tuple(value):
        shape = (len(value),) + check_layers(value, name)
    else:
        raise TypeError(
            f"{name}: got {type(value).__name__}; expected a torch tensor, numpy array, nested lists "
            "or a Hugging Face tuple of per-layer tensors (outputs.attentions)."
        )
    return check_layout(shape, name, square)
