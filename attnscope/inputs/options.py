"""Checks of the options every view takes: which views, html_action, display_mode."""

from __future__ import annotations

from .indices import check_distinct

#: the views a widget can show together
VIEWS = ("head", "model", "neuron")
HTML_ACTIONS = ("view", "return")
DISPLAY_MODES = ("dark", "light")


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
