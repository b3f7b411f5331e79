"""Offline HTML: one self-contained page with the standalone bundle inlined and the data compressed.

The page::

    <!DOCTYPE html><html><head> <meta charset> <title> <style>standalone.css</style> </head>
    <body> <p class="attnscope-caption">  <div id="attnscope-root-UID">  <noscript>
      <script type="application/json" id="attnscope-data-UID">PAYLOAD</script>
      <script>standalone.js</script>
      <script>attnscope.mount(root, JSON.parse(data.textContent))</script>
    </body></html>

PAYLOAD is the widget state as JSON in which every wire array ``{"dtype", "shape", "buffer"}``
becomes ``{"dtype", "shape", "deflate": base64(zlib.compress(raw))}`` (zlib format: DecompressionStream
'deflate' in the browser). In it ``<``, ``>``, ``&``, U+2028 and U+2029 are written as JSON escapes,
so no token can end the script element or open a comment; the standalone bundle renders with the
same code as the widget.
Nothing is loaded over the network: no ``src``, ``href``, ``@import`` or ``url()`` points anywhere.
"""

from __future__ import annotations

import base64
import html
import json
import re
import uuid
import zlib
from pathlib import Path

from .._frontend import MODULE_NAME
from ..inputs.options import DEFAULT_VIEW_OPTIONS
from ..wire.state import section_shape

#: where the built standalone bundle lives (``npm run build:standalone``); tests may point it elsewhere
STATIC_DIR = Path(__file__).resolve().parent.parent / "static"
BUNDLE_JS = "standalone.js"
BUNDLE_CSS = "standalone.css"

#: zlib level: any level inflates the same way; 9 gains ~0.5% over 6 on attention weights but takes
#: ~3x longer (M input, 12x12x512x512 float16: 21 s at 9, 7 s at 6)
COMPRESSION_LEVEL = 6

FORMAT = "attnscope-standalone"
FORMAT_VERSION = 1

_WIRE_KEYS = {"dtype", "shape", "buffer"}
# in a JSON string these characters are written as \uXXXX escapes: < > & end or open HTML constructs,
# U+2028/U+2029 end a line in older JavaScript parsers; lone surrogates cannot be encoded as UTF-8
_JSON_ESCAPES = re.compile("[<>&\u2028\u2029\ud800-\udfff]")


def read_bundle(static_dir=None) -> tuple[str, str]:
    """(standalone.js, standalone.css) text; RuntimeError naming the build command when missing."""
    static = Path(STATIC_DIR if static_dir is None else static_dir)
    paths = [static / BUNDLE_JS, static / BUNDLE_CSS]
    missing = [str(p) for p in paths if not p.is_file()]
    if missing:
        raise RuntimeError(
            f"attnscope: the standalone bundle is missing ({', '.join(missing)}); offline HTML needs it. "
            "In a source checkout run `npm run build` (or `npm run build:standalone`) first; "
            "installed wheels include it."
        )
    js, css = (p.read_text(encoding="utf-8") for p in paths)
    return js, css


def compress_wire(wire: dict) -> dict:
    """``{"dtype", "shape", "buffer"}`` -> ``{"dtype", "shape", "deflate": base64 of the zlib stream}``."""
    raw = memoryview(wire["buffer"]).cast("B")
    return {"dtype": wire["dtype"], "shape": [int(n) for n in wire["shape"]],
            "deflate": base64.b64encode(zlib.compress(raw, COMPRESSION_LEVEL)).decode("ascii")}


def _compress_arrays(value):
    """A copy of ``value`` (nested dicts/lists) with every wire array compressed."""
    if isinstance(value, dict):
        if set(value) == _WIRE_KEYS and isinstance(value["buffer"], (bytes, bytearray, memoryview)):
            return compress_wire(value)
        return {k: _compress_arrays(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_compress_arrays(v) for v in value]
    return value


def payload(state: dict) -> dict:
    """The standalone payload for a widget state (the STATE_TRAITS of AttentionWidget)."""
    return {
        "format": FORMAT,
        "version": FORMAT_VERSION,
        "views": list(state["views"]),
        "sentence_b_start": state.get("sentence_b_start"),
        "layer": int(state["layer"]),
        "heads": [int(h) for h in state.get("heads") or []],
        "section": state["section"],
        "selection": dict(state.get("selection") or {}),
        "view_options": dict(state.get("view_options") or DEFAULT_VIEW_OPTIONS),
        "sections": _compress_arrays(list(state["sections"])),
    }


def script_json(value) -> str:
    """JSON safe inside <script type="application/json">: < > & U+2028 U+2029 (and lone surrogates) escaped."""
    text = json.dumps(value, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    return _JSON_ESCAPES.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def _raw_text(text: str, tag: str) -> str:
    """Code for a <script>/<style> element: the end tag (and, in scripts, comment openers) neutralised.

    Inside JavaScript strings, regular expressions and templates ``<\\/script`` means ``</script``
    and ``\\x3C!--`` means ``<!--``; in CSS ``<\\/style`` only occurs inside strings or comments.
    """
    text = re.sub(f"</(?={tag})", r"<\\/", text, flags=re.IGNORECASE)
    if tag == "script":
        text = text.replace("<!--", "\\x3C!--")
    return text


def caption(state: dict) -> str:
    """Model-free description, e.g. 'attnscope: head view · 6 layers × 12 heads · 14 tokens'."""
    views = list(state["views"])
    names = views[0] if len(views) == 1 else " + ".join(views)
    sec = next(s for s in state["sections"] if s["key"] == state["section"])
    n_layers, n_heads, n_q, n_k = section_shape(sec)
    same = sec["query_tokens"] == sec["key_tokens"]
    tokens = f"{n_q} tokens" if same else f"{n_q} query × {n_k} key tokens"
    parts = [f"{MODULE_NAME}: {names} view{'s' if len(views) > 1 else ''}",
             f"{n_layers} layer{'s' if n_layers != 1 else ''} × {n_heads} head{'s' if n_heads != 1 else ''}",
             tokens]
    if len(state["sections"]) > 1:
        parts.append(" / ".join(s["label"] for s in state["sections"]))
    return " · ".join(parts)


_PAGE_CSS = (
    "body{margin:16px;font-family:system-ui,-apple-system,'Segoe UI',sans-serif}"
    ".attnscope-caption{margin:0 0 12px;font-size:13px;opacity:.75}"
)


def html_document(state: dict, *, static_dir=None, title: str | None = None) -> str:
    """The complete offline HTML page for a widget state (see the module docstring)."""
    js, css = read_bundle(static_dir)
    uid = uuid.uuid4().hex[:12]
    root_id, data_id = f"attnscope-root-{uid}", f"attnscope-data-{uid}"
    text = caption(state)
    title = text if title is None else title
    e = html.escape  # text and attribute values (quotes included)
    mount = (
        "(function(){"
        f"var root=document.getElementById({script_json(root_id)});"
        f"var data=JSON.parse(document.getElementById({script_json(data_id)}).textContent);"
        "attnscope.mount(root,data).catch(function(err){"
        "root.setAttribute('data-state','error');"
        "root.textContent='attnscope could not show this view: '+(err&&err.message||err);});"
        "})();"
    )
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f'<meta name="generator" content="{e(MODULE_NAME)}">',
        f"<title>{e(title)}</title>",
        f"<style>{_raw_text(_PAGE_CSS, 'style')}</style>",
        f"<style>{_raw_text(css, 'style')}</style>",
        "</head>",
        "<body>",
        f'<p class="attnscope-caption">{e(text)}</p>',
        f'<div id="{e(root_id)}" class="attnscope-standalone"></div>',
        "<noscript>This page needs JavaScript to show the attention views.</noscript>",
        f'<script type="application/json" id="{e(data_id)}">{script_json(payload(state))}</script>',
        f"<script>{_raw_text(js, 'script')}</script>",
        f"<script>{mount}</script>",
        "</body>",
        "</html>",
        "",
    ]
    return "\n".join(parts)


def write_html(path, state: dict, **kwargs) -> Path:
    """Write :func:`html_document` to ``path`` as UTF-8; returns the Path."""
    path = Path(path)
    path.write_text(html_document(state, **kwargs), encoding="utf-8")
    return path


def html_object(state: dict):
    """``IPython.display.HTML`` of the page (what ``html_action="return"`` gives); not displayed."""
    from IPython.display import HTML

    return HTML(html_document(state))
