"""The constants both sides draw with, read from render-constants.json (the TypeScript side reads the same
file): the head palette, the minimum line opacity, the pooled summary's resolution, the line-drawing
limit of thumbnails, the heatmap exponent and the canvas threshold.

The file lives at the repository root; the wheel carries it inside the package (pyproject.toml,
force-include), so an installed attnscope finds it next to this module and a checkout finds it one
folder up.
"""

from __future__ import annotations

import json
from pathlib import Path

FILE_NAME = "render-constants.json"
_HERE = Path(__file__).resolve().parent
#: where the file is looked for, in order: the installed package, then the source checkout
SEARCH_PATH = (_HERE / FILE_NAME, _HERE.parent / FILE_NAME)


def _load() -> tuple[Path, dict]:
    for path in SEARCH_PATH:
        if path.is_file():
            return path, json.loads(path.read_text(encoding="utf-8"))
    raise RuntimeError(f"attnscope: {FILE_NAME} is missing (looked in {', '.join(map(str, SEARCH_PATH))}); "
                       "the package is incomplete. Reinstall it, or run from a full checkout.")


PATH, _VALUES = _load()

#: one colour per head slot (slot i gets colour i; more heads than colours repeat them)
HEAD_COLORS: tuple[str, ...] = tuple(_VALUES["head_colors"])
#: unfocused lines fainter than this are not drawn (invisible at 8-bit alpha)
MIN_LINE_ALPHA: float = float(_VALUES["min_line_alpha"])
#: a lazy summary pools every head to at most this many rows and columns
SUMMARY_RESOLUTION: int = int(_VALUES["summary_resolution"])
#: thumbnails of inputs with at most this many tokens on either side are drawn as lines, larger as heatmaps
MAX_LINE_TOKENS: int = int(_VALUES["max_line_tokens"])
#: heatmap opacity = (value / the thumbnail's largest value) ** this
HEATMAP_ALPHA_EXPONENT: float = float(_VALUES["heatmap_alpha_exponent"])
#: the head view draws on a canvas instead of SVG above this many lines
CANVAS_LINE_THRESHOLD: int = int(_VALUES["canvas_line_threshold"])


def head_color(slot: int) -> str:
    return HEAD_COLORS[slot % len(HEAD_COLORS)]
