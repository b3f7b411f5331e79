"""Checks of the options every view takes: which views, html_action, display_mode, and the drawing options
of the matrix and text views (colormap, scale, group: the ``view_options`` trait)."""

from __future__ import annotations

from .indices import check_distinct

#: the views a widget can show together
VIEWS = ("head", "model", "neuron", "matrix", "text")
HTML_ACTIONS = ("view", "return")
DISPLAY_MODES = ("dark", "light")
#: sequential colour maps only (attention is a magnitude; rainbow maps invent boundaries)
COLORMAPS = ("viridis", "blues", "magma", "greys")
SCALES = ("linear", "sqrt", "log")
GROUPS = ("token", "word")
#: the ``view_options`` trait's default: None is the user's JupyterLab setting (else viridis, linear)
DEFAULT_VIEW_OPTIONS = {"colormap": None, "scale": None, "group": "token", "score": None, "sort": "none",
                        "top": None, "min_score": None, "chart": None}
#: how the model view orders its thumbnails: as the model has them, by the chosen score within each layer,
#: the whole grid as one ranking by it (best first; ``top`` keeps the first N), or each layer's heads with
#: similar heads side by side (head similarity; no score needed)
SORTS = ("none", "layer", "rank", "similarity")
#: the score tables' names a view may be asked for (attnscope.analysis.scores, attnscope.analysis.compare)
SCORE_NAMES = ("entropy", "max", "first", "previous", "distance", "entropy_norm", "top3", "self", "local",
               "offset", "offset_mass", "special", "duplicate", "induction", "mean_abs_diff", "js_divergence")
_RAINBOWS = ("rainbow", "jet", "hsv", "turbo", "spectral", "nipy_spectral", "gist_rainbow")


def check_views(views) -> list[str]:
    if isinstance(views, str):
        views = (views,)
    if not isinstance(views, (list, tuple)) or not views:
        raise ValueError(f"views: got {views!r}; expected a non-empty list of {list(VIEWS)}.")
    bad = [x for x in views if x not in VIEWS]
    if bad:
        raise ValueError(f"views: {bad} unknown; expected some of {list(VIEWS)}.")
    check_distinct(list(views), "views", "view")
    return list(views)


def check_html_action(html_action) -> str:
    if html_action not in HTML_ACTIONS:
        raise ValueError(f"html_action: got {html_action!r}; expected one of {list(HTML_ACTIONS)}.")
    return html_action


def check_display_mode(display_mode) -> str:
    if display_mode not in DISPLAY_MODES:
        raise ValueError(f"display_mode: got {display_mode!r}; expected one of {list(DISPLAY_MODES)}.")
    return display_mode


def _choice(value, name: str, allowed, none_means: str | None):
    if value is None and none_means is not None:
        return None
    if isinstance(value, str) and value.lower() in allowed:
        return value.lower()
    none = f", or None ({none_means})" if none_means is not None else ""
    raise ValueError(f"{name}: got {value!r}; expected one of {list(allowed)}{none}.")


def _score_name(value, name: str):
    if value is None:
        return None
    if not isinstance(value, str) or value not in SCORE_NAMES:
        raise ValueError(f"{name}: got {value!r}; expected a score name, one of {list(SCORE_NAMES)}, or None.")
    return value


def _triage(score, sort, top, min_score, chart) -> dict:
    """The model view's score options: colour, sort and filter by ``score``; the heads chart's two scores."""
    sort = _choice(sort if sort is not None else "none", "sort", SORTS, None)
    if sort in ("layer", "rank") and score is None:
        raise ValueError(f"sort: {sort!r} needs a score to sort by; pass score= (one of {list(SCORE_NAMES)}).")
    if top is not None and (isinstance(top, bool) or not isinstance(top, int) or top < 1):
        raise ValueError(f"top: got {top!r}; expected a positive int (how many heads the ranking keeps) or None.")
    if min_score is not None:
        if isinstance(min_score, bool) or not isinstance(min_score, (int, float)) or min_score != min_score:
            raise ValueError(f"min_score: got {min_score!r}; expected a number (heads below it are filtered out) "
                             "or None.")
        if score is None:
            raise ValueError("min_score: needs a score to filter by; pass score= as well.")
        min_score = float(min_score)
    if chart is not None:
        if not isinstance(chart, (list, tuple)) or len(chart) != 2:
            raise ValueError(f"chart: got {chart!r}; expected two score names (x, y), e.g. "
                             "('entropy_norm', 'induction'), or None.")
        chart = [_score_name(chart[0], "chart[0]"), _score_name(chart[1], "chart[1]")]
    return {"score": _score_name(score, "score"), "sort": sort, "top": top, "min_score": min_score,
            "chart": chart}


def check_view_options(colormap=None, scale=None, group="token", score=None, sort="none", top=None,
                       min_score=None, chart=None) -> dict:
    """The ``view_options`` trait value (the contract of issue 11) from the arguments of the views; score,
    sort, top, min_score and chart are the model view's (colour, order and filter by a head score; the
    heads chart)."""
    if isinstance(colormap, str) and colormap.lower() in _RAINBOWS:
        raise ValueError(f"colormap: {colormap!r} is a rainbow map, which is not offered: its bands of hue read as "
                         f"boundaries the weights do not have. Sequential maps only: {list(COLORMAPS)}.")
    return {"colormap": _choice(colormap, "colormap", COLORMAPS, "your JupyterLab setting, else viridis"),
            "scale": _choice(scale, "scale", SCALES, "your JupyterLab setting, else linear"),
            "group": _choice(group, "group", GROUPS, None), **_triage(score, sort, top, min_score, chart)}


def view_options_value(value) -> dict:
    """A ``view_options`` dict set on a widget, checked: only the keys of DEFAULT_VIEW_OPTIONS."""
    if not isinstance(value, dict):
        raise ValueError(f"view_options: got {type(value).__name__}; expected a dict with some of "
                         f"{list(DEFAULT_VIEW_OPTIONS)}.")
    unknown = sorted(set(value) - set(DEFAULT_VIEW_OPTIONS), key=str)
    if unknown:
        raise ValueError(f"view_options: unknown key(s) {unknown}; expected some of {list(DEFAULT_VIEW_OPTIONS)}.")
    return check_view_options(**{**DEFAULT_VIEW_OPTIONS, **value})


def check_section(section, sections):
    """The section shown first: the one keyed ``section`` (default the first of ``sections``)."""
    if section is None:
        return sections[0]
    keys = [s.key for s in sections]
    if not isinstance(section, str) or section not in keys:
        hint = "" if "rollout" in keys else '; pass rollout=True for a "rollout" section'
        raise ValueError(f"section: expected one of {', '.join(repr(k) for k in keys)} (the sections of this "
                         f"input{hint}), received {section!r}")
    return sections[keys.index(section)]
