"""The kept tensors of a lazy widget, and its answers to the browser's fetch messages.

Browser -> kernel (an ipywidgets custom message)::

    {"type": "fetch", "id": int, "section": key, "layer": REAL layer id, "heads": [REAL head ids]}

Kernel -> browser: ``{"type": "slice", "id", "section", "layer", "heads", "attention": {"dtype": "float16",
"shape": [nh, Q, K], "buffer": 0}}`` (+ "queries" [nh, Q, d] and "keys" [nh, K, d], float32, buffers 1 and
2, with vectors), the bytes in the message's buffers (``buffer`` is their index: custom messages get no
buffer-path extraction); heads in the order asked. Anything wrong (not lazy, unknown section, layer or
head not shown, a malformed message) gets ``{"type": "error", "id": id or None, "message": text}``:
answering never raises.
"""

from __future__ import annotations

import numbers
import sys

import numpy as np

#: the message fields that hold wire arrays, in the order of their buffers
ARRAYS = ("attention", "queries", "keys")
_F16_MAX = float(np.finfo(np.float16).max)


class FetchError(ValueError):
    """A fetch that cannot be answered; the message goes back to the browser."""


def _is_int(x) -> bool:
    return isinstance(x, numbers.Integral) and not isinstance(x, bool)


class LazyStore:
    """Per lazy section: the kept weights (and vectors) with the real layer and head ids shown."""

    def __init__(self, sections):
        self.sections = {s["key"]: {name: s.get(name) for name in ("attention", "queries", "keys", "layers", "heads")}
                         for s in sections if s.get("lazy")}

    def slice_bytes(self, key: str, heads) -> int:
        """Bytes of one layer's slice of ``heads`` on the wire (float16 weights, float32 vectors)."""
        s = self.sections[key]
        _, _, n_q, n_k = s["attention"].shape
        size = len(heads) * n_q * n_k * 2
        if s["queries"] is not None:
            size += len(heads) * (n_q + n_k) * s["queries"].shape[3] * 4
        return size

    def floats(self, key: str, layer: int, heads) -> np.ndarray:
        """float32 weights [len(heads), Q, K] of (layer, heads), real ids."""
        return self.sections[key]["attention"].floats(layer, heads)

    def payload(self, key: str, layer: int, heads) -> dict:
        """``{section, layer, heads, attention (+ queries, keys)}``, arrays as wire dicts with memoryviews."""
        s = self.sections[key]
        kept = s["attention"]
        out = {"section": key, "layer": int(layer), "heads": [int(h) for h in heads],
               "attention": _float16_wire(kept.floats, layer, heads, kept.shape[2:])}
        if s["queries"] is not None:
            for name in ("queries", "keys"):
                out[name] = _wire(s[name].floats(layer, heads))
        return out

    def answer(self, content):
        """(reply, buffers) for a custom message (module doc); never raises."""
        return answer(self, content)


def _wire(arr: np.ndarray) -> dict:
    return {"dtype": str(arr.dtype), "shape": [int(n) for n in arr.shape],
            "buffer": memoryview(arr.reshape(-1)).cast("B")}


def _float16_wire(floats, layer, heads, qk) -> dict:
    """float16 wire of the weights of (layer, heads), converted one head at a time (float32 -> float16)."""
    out = np.empty((len(heads), *qk), dtype=np.float16)
    for i, h in enumerate(heads):
        x = floats(layer, [h])[0]
        if x.size and float(x.max()) > _F16_MAX:
            raise FetchError(f"layer {layer}, head {h}: weights beyond the float16 range "
                             f"(max {_F16_MAX:g}); they cannot be sent.")
        _to_float16(out[i], x)
    return _wire(out)


def _to_float16(out: np.ndarray, x: np.ndarray) -> None:
    """out[...] = x (float32 -> float16); through torch when it is loaded (about 30x faster than numpy)."""
    torch = sys.modules.get("torch")
    if torch is not None and hasattr(torch, "from_numpy"):
        torch.from_numpy(out).copy_(torch.from_numpy(x))
    else:
        out[...] = x


def _error(msg_id, message: str):
    return {"type": "error", "id": msg_id, "message": message}, []


def _check(store, content):
    """(id, key, layer, heads) of a valid fetch; FetchError otherwise."""
    if store is None:
        raise FetchError("fetch: this widget is not lazy (it holds every weight already); nothing to fetch.")
    if content.get("type") != "fetch":
        raise FetchError(f"type: got {content.get('type')!r}; expected 'fetch'.")
    key = content.get("section")
    if not isinstance(key, str) or key not in store.sections:
        raise FetchError(f"section: got {key!r}; expected one of the lazy sections {list(store.sections)}.")
    s = store.sections[key]
    layer = content.get("layer")
    if not _is_int(layer) or layer not in s["layers"]:
        raise FetchError(f"layer: got {layer!r}; expected one of section {key!r}'s layers {s['layers']}.")
    heads = content.get("heads")
    if not isinstance(heads, list) or not heads or not all(_is_int(h) for h in heads):
        raise FetchError(f"heads: got {heads!r}; expected a non-empty list of head ids of section {key!r}.")
    missing = [h for h in heads if h not in s["heads"]]
    if missing:
        raise FetchError(f"heads: {missing} not among section {key!r}'s heads {s['heads']}.")
    if len(set(heads)) != len(heads):
        raise FetchError(f"heads: {heads} names a head twice; list each head once.")
    return key, int(layer), [int(h) for h in heads]


def answer(store, content):
    """(reply, buffers) for the custom message ``content`` (module doc); ``store`` None: not a lazy widget."""
    msg_id = None
    try:
        if not isinstance(content, dict):
            raise FetchError(f"fetch: got a {type(content).__name__}; expected a dict "
                             "{type: 'fetch', id, section, layer, heads}.")
        msg_id = content.get("id")
        if not _is_int(msg_id):
            bad, msg_id = msg_id, None
            raise FetchError(f"id: got {bad!r}; expected an int.")
        key, layer, heads = _check(store, content)
        payload = store.payload(key, layer, heads)
    except FetchError as err:
        return _error(msg_id, str(err))
    except Exception as err:  # noqa: BLE001 - the kernel must not see it; the browser gets the reason
        return _error(msg_id, f"fetch failed: {type(err).__name__}: {err}")
    reply, buffers = {"type": "slice", "id": int(msg_id), **payload}, []
    for name in ARRAYS:
        if name in reply:
            wire = reply[name]
            reply[name] = {"dtype": wire["dtype"], "shape": wire["shape"], "buffer": len(buffers)}
            buffers.append(wire["buffer"])
    return reply, buffers
