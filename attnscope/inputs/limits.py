"""Size limits and the choice between eager and lazy mode.

Settings (module attributes, read at every call; ``attnscope.validation`` is this module too):
MAX_INPUT_BYTES (the eager ceiling) and LAZY_ABOVE_BYTES (where ``lazy=None`` goes lazy). Sizes are
counted as they travel: attention weights as float16 (2 bytes each), query/key vectors as float32
(4 bytes each), all sections together.
"""

from __future__ import annotations

import math

import numpy as np

from .convert import short

#: Largest input shown at once (eager mode: everything is sent to the browser when the widget opens),
#: in bytes sent: attention weights as float16 (2 bytes each) plus query/key vectors as float32 (4 bytes
#: each), all sections together. The browser keeps about 3 times this much (the received buffer, the
#: decoded float32 copy and its drawings). Set it to ``None`` to switch the check off, or raise it
#: (``attnscope.validation.MAX_INPUT_BYTES = 300_000_000``) at the risk of a slow or crashed tab.
MAX_INPUT_BYTES = 100_000_000

#: Above this many bytes of eager payload (counted as for MAX_INPUT_BYTES) a view goes lazy when
#: ``lazy=None`` (the default): the kernel keeps the caller's tensors without copying them and sends a
#: summary (each head mean-pooled to at most 64 x 64, plus per-head statistics); the browser fetches the
#: exact (layer, heads) slices it shows. MAX_INPUT_BYTES applies to eager mode only: in automatic mode a
#: larger input simply goes lazy. ``lazy=True`` / ``lazy=False`` force either mode; ``None`` here turns
#: the size switch off (an input above MAX_INPUT_BYTES still goes lazy).
LAZY_ABOVE_BYTES = 16_000_000

WEIGHT_BYTES = 2  # attention travels as float16
VECTOR_BYTES = 4  # queries/keys travel as float32


def part(name: str, shape, itemsize: int, kind: str) -> tuple:
    """One array to send: (name, shape, bytes per item, "weights" or "values")."""
    return name, tuple(int(n) for n in shape), itemsize, kind


def payload_bytes(parts) -> int:
    return sum(math.prod(shape) * itemsize for _, shape, itemsize, _ in parts)


def _mb(n_bytes: int) -> str:
    return f"{n_bytes / 1e6:,.1f} MB"


def check_size(parts, caller: str) -> None:
    """Raise ValueError when what would be sent exceeds MAX_INPUT_BYTES: the one size check of eager mode.

    parts: :func:`part` for every array sent, kind "weights" (attention, one [L, H, Q, K] per section)
    or "values" (queries/keys).
    """
    limit = MAX_INPUT_BYTES
    if limit is None:
        return
    total = payload_bytes(parts)
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


def lazy_mode(lazy, n_bytes) -> bool:
    """Whether a view goes lazy: ``lazy`` True/False forces it; None decides from the eager payload
    (bytes, or None when the shapes cannot be told without converting): above LAZY_ABOVE_BYTES or
    above MAX_INPUT_BYTES."""
    if lazy is not None and not isinstance(lazy, (bool, np.bool_)):
        raise TypeError(f"lazy: got {type(lazy).__name__} {short(lazy)}; expected None (automatic, by size), "
                        "True (keep the tensor in the kernel, send slices on demand) or False (send everything).")
    if lazy is not None:
        return bool(lazy)
    if n_bytes is None:
        return False
    return any(limit is not None and n_bytes > limit for limit in (LAZY_ABOVE_BYTES, MAX_INPUT_BYTES))
