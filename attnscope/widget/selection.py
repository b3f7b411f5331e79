"""Validation of the ``selection`` trait: what the browser pinned, and what Python asks the views to show.

Full form (written by the browser on click/pin/layer/heads/section/open-head changes)::

    {"section": str, "layer": int, "heads": [int], "pinned": {"side": "query"|"key", "index": int} | None,
     "open_head": {"layer": int, "head": int} | None}

Python may set any subset: the keys it leaves out keep their current value (the new value
is merged into the current one). Layers and heads are REAL indices (a section's "layers"
and "heads"). Anything else raises ValueError naming the key, the value and what is allowed.
"""

from __future__ import annotations

from ..inputs.indices import check_distinct, is_int, member

KEYS = ("section", "layer", "heads", "pinned", "open_head")
_PER_SECTION = ("layer", "heads", "pinned", "open_head")


def merge(current: dict, proposed, sections: list, default_section: str) -> dict:
    """Validate ``proposed`` (a subset of KEYS) and return it merged into ``current``.

    Switching section drops the current layer/heads/pinned/open_head that the proposal
    does not restate (they belonged to the other section).
    """
    if not isinstance(proposed, dict):
        raise ValueError(f"selection: got {type(proposed).__name__}; expected a dict with some of {list(KEYS)}.")
    unknown = sorted(map(str, set(proposed) - set(KEYS)))
    if unknown:
        raise ValueError(f"selection: unknown key(s) {unknown}; allowed keys are {list(KEYS)}.")
    merged = dict(current)
    if "section" in proposed and proposed["section"] != current.get("section", default_section):
        for key in _PER_SECTION:
            merged.pop(key, None)
    merged.update(proposed)
    if not sections:
        return merged
    key = merged.get("section", default_section)
    by_key = {s.get("key"): s for s in sections}
    if key not in by_key:
        raise ValueError(f"selection['section']: {key!r} is not one of the sections {list(by_key)}.")
    section = by_key[key]
    layers = section["layers"]
    shape = section["shape"] if section.get("lazy") else section["attention"]["shape"]
    heads = section.get("heads", list(range(shape[1])))
    if "layer" in merged:
        _check_member(merged["layer"], layers, "selection['layer']", "layer", key)
        merged["layer"] = int(merged["layer"])
    if "heads" in merged:
        merged["heads"] = _heads(merged["heads"], heads, key)
    if merged.get("pinned") is not None:
        _check_pinned(merged["pinned"], section)
        merged["pinned"] = {"side": merged["pinned"]["side"], "index": int(merged["pinned"]["index"])}
    if merged.get("open_head") is not None:
        _check_open_head(merged["open_head"], layers, heads, key)
        merged["open_head"] = {k: int(merged["open_head"][k]) for k in ("layer", "head")}
    return merged  # plain ints only: the value is sent to the browser as JSON


def _check_member(value, allowed, name, what, section_key):
    member(value, allowed, name, what, f"section {section_key!r}")


def _heads(value, allowed, section_key):
    if not isinstance(value, (list, tuple)):
        raise ValueError(f"selection['heads']: got {type(value).__name__}; expected a list of real head indices.")
    if not value:  # [] means all heads, as for the heads trait
        return sorted(allowed)
    for h in value:
        _check_member(h, allowed, "selection['heads']", "head", section_key)
    check_distinct([int(h) for h in value], "selection['heads']", "head")
    return sorted(int(h) for h in value)


def _check_keys(value, name, keys):
    if not isinstance(value, dict) or set(value) != set(keys):
        got = sorted(map(str, value)) if isinstance(value, dict) else type(value).__name__
        raise ValueError(f"{name}: got {got}; expected None or a dict with exactly the keys {list(keys)}.")


def _check_pinned(pinned, section):
    _check_keys(pinned, "selection['pinned']", ("side", "index"))
    side, index = pinned["side"], pinned["index"]
    if side not in ("query", "key"):
        raise ValueError(f"selection['pinned']['side']: got {side!r}; expected 'query' or 'key'.")
    n = len(section["query_tokens"] if side == "query" else section["key_tokens"])
    if not is_int(index) or not 0 <= index < n:
        raise ValueError(f"selection['pinned']['index']: got {index!r}; expected an int in 0..{n - 1} "
                         f"({n} {side} tokens).")


def _check_open_head(open_head, layers, heads, section_key):
    _check_keys(open_head, "selection['open_head']", ("layer", "head"))
    _check_member(open_head["layer"], layers, "selection['open_head']['layer']", "layer", section_key)
    _check_member(open_head["head"], heads, "selection['open_head']['head']", "head", section_key)
