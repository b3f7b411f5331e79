"""The custom messages of a lazy widget, each defined once (tests/fixtures/messages.json has one of each).

Browser -> kernel: ``{"type": "fetch", "id": int, "section": key, "layer": REAL layer id, "heads": [REAL
head ids]}``. Kernel -> browser:
- ``{"type": "slice", "id", "section", "layer", "heads", "attention": {"dtype": "float16", "shape":
  [nh, Q, K], "buffer": 0}}`` (+ "queries" [nh, Q, d] and "keys" [nh, K, d], float32, buffers 1 and 2,
  with vectors), heads in the order asked;
- ``{"type": "error", "id": id or None, "message": text}`` for anything that cannot be answered (not
  lazy, unknown section, layer or head not shown, a malformed message): answering never raises;
- ``{"type": "stats", "section": key, "stat_names": [...], "stats": {"dtype": "float32", "shape":
  [L, H, S], "buffer": 0}}``, the head statistics computed after the display; with the head scores also
  ``"scores"``, the section's score table in the form of attnscope.wire.scores (names, values
  {"dtype": "float32", "shape": [L, H, N], "buffer": 1}, labels, rules; NaN where a score is not defined,
  e.g. positional scores of cross-attention). For an eager section the message has only the scores (no
  stat_names and stats; the scores' buffer is then 0);
- ``{"type": "progress", "section": key, "task": "scores", "done": n, "total": N}`` while the scores of a
  section are computed (n heads of N; the stats message ends it).
In a message an array's ``buffer`` is the index of its binary frame (custom messages get no buffer-path
extraction). The saved form of a slice (in a lazy section's ``fetched`` list of the widget state) is
``{"section", "layer", "heads", "attention" (+ "queries", "keys")}`` with each array a wire dict whose
buffer ipywidgets moves into the state's buffer_paths.
"""

from __future__ import annotations

import numpy as np

from ..analysis.head_stats import STAT_NAMES
from ..inputs.indices import check_distinct, ids_among, is_int
from .codec import F16_MAX, raw_wire, to_float16, to_wire
from .scores import scores_wire

FETCH, SLICE, ERROR, STATS, PROGRESS = "fetch", "slice", "error", "stats", "progress"
#: the message fields that hold wire arrays, in the order of their buffers
ARRAYS = ("attention", "queries", "keys")


class FetchError(ValueError):
    """A fetch that cannot be answered; the message goes back to the browser."""


def slice_bytes(section, heads) -> int:
    """Bytes of one layer's slice of ``heads`` on the wire (float16 weights, float32 vectors)."""
    _, _, n_q, n_k = section.shape
    size = len(heads) * n_q * n_k * 2
    if section.vectors is not None:
        size += len(heads) * (n_q + n_k) * section.vectors.queries.shape[3] * 4
    return size


def _float16_weights(section, layer, heads) -> dict:
    """float16 wire of the weights of (layer, heads), converted one head at a time (float32 -> float16)."""
    _, _, n_q, n_k = section.shape
    out = np.empty((len(heads), n_q, n_k), dtype=np.float16)
    for i, h in enumerate(heads):
        x = section.source.read(layer, [h])[0]
        if x.size and float(x.max()) > F16_MAX:
            raise FetchError(f"layer {layer}, head {h}: weights beyond the float16 range "
                             f"(max {F16_MAX:g}); they cannot be sent.")
        to_float16(out[i], x)
    return raw_wire(out)


def saved_slice(section, layer: int, heads) -> dict:
    """The saved form of a slice (module doc), arrays as wire dicts holding memoryviews."""
    out = {"section": section.key, "layer": int(layer), "heads": [int(h) for h in heads],
           "attention": _float16_weights(section, layer, heads)}
    if section.vectors is not None:
        out["queries"] = raw_wire(section.vectors.queries.read(layer, heads))
        out["keys"] = raw_wire(section.vectors.keys.read(layer, heads))
    return out


def _with_frames(content: dict) -> tuple[dict, list]:
    """content with every wire array's buffer replaced by its frame index, and the frames."""
    content, buffers = dict(content), []
    for name in ARRAYS:
        if name in content:
            wire = content[name]
            content[name] = {"dtype": wire["dtype"], "shape": wire["shape"], "buffer": len(buffers)}
            buffers.append(wire["buffer"])
    return content, buffers


def slice_message(msg_id: int, saved: dict) -> tuple[dict, list]:
    """(content, buffers) of the reply carrying a slice in its saved form."""
    return _with_frames({"type": SLICE, "id": int(msg_id), **saved})


def error_message(msg_id, text: str) -> tuple[dict, list]:
    return {"type": ERROR, "id": msg_id, "message": text}, []


def stats_wire(stats) -> dict:
    """The float32 wire of a section's head statistics [L, H, len(STAT_NAMES)] (kept in the summary)."""
    return to_wire(stats, "float32")


def stats_message(key: str, wire: dict | None, scores: dict | None = None, similarity: dict | None = None
                  ) -> tuple[dict, list]:
    """(content, buffers) of the stats message (module doc); ``wire`` None (an eager section: the page has
    the weights) sends only the scores {name: [L, H]}."""
    content, buffers = {"type": STATS, "section": key}, []
    if wire is not None:
        content.update(stat_names=list(STAT_NAMES), stats={"dtype": wire["dtype"], "shape": wire["shape"], "buffer": 0})
        buffers.append(wire["buffer"])
    if scores:
        table = scores_wire(scores, similarity=similarity)
        values = table["values"]
        content["scores"] = {**table, "values": {"dtype": values["dtype"], "shape": values["shape"],
                                                 "buffer": len(buffers)}}
        buffers.append(values["buffer"])
    return content, buffers


def progress_message(key: str, task: str, done: int, total: int) -> tuple[dict, list]:
    """(content, buffers) of the progress message (module doc)."""
    return {"type": PROGRESS, "section": key, "task": task, "done": int(done), "total": int(total)}, []


def parse_fetch(content, sections) -> tuple[str, int, list[int]]:
    """(section key, layer, heads) of a valid fetch among ``sections`` (key -> Section; None: not a lazy
    widget); FetchError otherwise."""
    if sections is None:
        raise FetchError("fetch: this widget is not lazy (it holds every weight already); nothing to fetch.")
    if content.get("type") != FETCH:
        raise FetchError(f"type: got {content.get('type')!r}; expected 'fetch'.")
    key = content.get("section")
    if not isinstance(key, str) or key not in sections:
        raise FetchError(f"section: got {key!r}; expected one of the lazy sections {list(sections)}.")
    sec = sections[key]
    layer = content.get("layer")
    if not _json_int(layer) or layer not in sec.layers:
        raise FetchError(f"layer: got {layer!r}; expected one of section {key!r}'s layers {sec.layers}.")
    heads = content.get("heads")
    if not isinstance(heads, list) or not heads or not all(_json_int(h) for h in heads):
        raise FetchError(f"heads: got {heads!r}; expected a non-empty list of head ids of section {key!r}.")
    try:
        ids_among(heads, sec.heads, "heads", f"section {key!r}'s heads")
        check_distinct(heads, "heads", "head")
    except ValueError as err:
        raise FetchError(str(err)) from None
    return key, int(layer), [int(h) for h in heads]


def _json_int(x) -> bool:
    """An int as JSON carries it: is_int, and not a float that happens to be whole."""
    return is_int(x) and not isinstance(x, float)


def message_id(content):
    """The id of a custom message (FetchError when it is not a dict with an int id)."""
    if not isinstance(content, dict):
        raise FetchError(f"fetch: got a {type(content).__name__}; expected a dict "
                         "{type: 'fetch', id, section, layer, heads}.")
    msg_id = content.get("id")
    if not _json_int(msg_id):
        raise FetchError(f"id: got {msg_id!r}; expected an int.")
    return int(msg_id)


def answer(sections, content, payload=saved_slice) -> tuple[dict, list]:
    """(reply, buffers) for the custom message ``content`` (module doc); ``sections`` None: not a lazy
    widget. ``payload(section, layer, heads)`` builds the saved slice. Never raises."""
    msg_id = content.get("id") if isinstance(content, dict) and _json_int(content.get("id")) else None
    try:
        msg_id = message_id(content)
        key, layer, heads = parse_fetch(content, sections)
        saved = payload(sections[key], layer, heads)
    except FetchError as err:
        return error_message(msg_id, str(err))
    except Exception as err:  # noqa: BLE001 - the kernel must not see it; the browser gets the reason
        return error_message(msg_id, f"fetch failed: {type(err).__name__}: {err}")
    return slice_message(msg_id, saved)
