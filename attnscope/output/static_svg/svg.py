"""Shared pieces of the static pictures: XML-safe text, numbers, the root element and its caption.

Characters XML 1.0 forbids cannot appear in the picture: C0 control characters (and tab, line
feed, carriage return, DEL, which would be invisible) become the visible symbols of Unicode's
Control Pictures block (U+0000 -> U+2400 '␀', ..., U+001F -> U+241F, DEL -> U+2421 '␡');
lone surrogates, U+FFFE and U+FFFF become U+FFFD.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

MAX_TOKEN_CHARS = 40
FONT = "12px"
TEXT_COLOR = "#222222"
MUTED = "#666666"
SVG_NS = "http://www.w3.org/2000/svg"

_XML_SAFE = {c: 0x2400 + c for c in range(0x20)}
_XML_SAFE[0x7F] = 0x2421
_XML_SAFE.update({c: 0xFFFD for c in (*range(0xD800, 0xE000), 0xFFFE, 0xFFFF)})


def xml_text(text: str) -> str:
    """``text`` with every character XML 1.0 forbids (and invisible controls) made visible (module doc)."""
    return str(text).translate(_XML_SAFE)


def num(x: float) -> str:
    """Short decimal for an attribute: 0.1234 -> '0.123', 12.0 -> '12'."""
    s = f"{x:.3f}".rstrip("0").rstrip(".")
    return s or "0"


def short_token(t: str) -> str:
    t = xml_text(t)
    return t if len(t) <= MAX_TOKEN_CHARS else t[: MAX_TOKEN_CHARS - 1] + "…"


def plural(n: int, word: str) -> str:
    return f"{n:,} {word}{'' if n == 1 else 's'}"


def root(width: float, height: float, caption: list[str]) -> ET.Element:
    """The root element, white background and caption lines (the picture widens to fit them)."""
    width = max(width, 16 + 7 * max(len(line) for line in caption))
    el = ET.Element("svg", {"xmlns": SVG_NS, "width": num(width), "height": num(height),
                            "viewBox": f"0 0 {num(width)} {num(height)}", "font-family": "sans-serif",
                            "font-size": FONT})
    ET.SubElement(el, "rect", {"width": "100%", "height": "100%", "fill": "#ffffff"})
    for i, line in enumerate(caption):
        text(el, 8, 16 + 16 * i, xml_text(line), fill=TEXT_COLOR if i == 0 else MUTED)
    return el


def text(parent, x, y, value, **attrs) -> ET.Element:
    el = ET.SubElement(parent, "text", {"x": num(x), "y": num(y), **attrs})
    el.text = value
    return el


def serialize(el: ET.Element) -> str:
    return ET.tostring(el, encoding="unicode")
