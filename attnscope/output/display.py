"""Where the views can run: as a live widget, or as the self-contained offline page inline in the cell.

Frontends such as VS Code and Colab load a third-party widget's JavaScript from a CDN (which many
machines cannot reach; Colab also needs its custom widget manager switched on). There the widget shows
nothing, so attnscope can show the same page that ``save_html`` writes instead: the views' code and the
data inlined, interactive, no kernel link and no network.

The mode is ``set_display(...)`` if called, else the ATTNSCOPE_DISPLAY environment variable, else
"auto". "auto" picks "html" in Colab (the kernel has imported ``google.colab``) and in VS Code (the
kernel's environment has VSCODE_PID or VSCODE_CWD, which VS Code sets for the processes it starts), and
"widget" everywhere else (JupyterLab, Notebook 7, nbclient, plain IPython).
"""

from __future__ import annotations

import html
import os
import sys
from typing import Mapping

DISPLAY_ENV = "ATTNSCOPE_DISPLAY"
MODES = ("widget", "html", "auto")
_VSCODE_VARIABLES = ("VSCODE_PID", "VSCODE_CWD")

_chosen: str | None = None


def _check_mode(value, what: str) -> str:
    mode = value.strip().lower() if isinstance(value, str) else value
    if mode not in MODES:
        raise ValueError(f"{what}: got {value!r}; expected one of {', '.join(repr(m) for m in MODES)}.")
    return mode


def set_display(mode: str | None) -> None:
    """Choose how views are shown from now on in this kernel: "widget" (the live JupyterLab widget),
    "html" (the offline page inline in the cell output) or "auto" (html in Colab and VS Code, else the
    widget). ``None`` goes back to the ATTNSCOPE_DISPLAY environment variable (default "auto")."""
    global _chosen
    _chosen = None if mode is None else _check_mode(mode, "mode")


def get_display(environ: Mapping[str, str] | None = None) -> str:
    """The mode asked for: set_display's, else ATTNSCOPE_DISPLAY's, else "auto"."""
    if _chosen is not None:
        return _chosen
    value = (os.environ if environ is None else environ).get(DISPLAY_ENV, "")
    return "auto" if value.strip() == "" else _check_mode(value, DISPLAY_ENV)


def detect_frontend(environ: Mapping[str, str] | None = None,
                    modules: Mapping[str, object] | None = None) -> str | None:
    """"colab", "vscode", or None (a frontend that runs widgets from the kernel's own server)."""
    environ = os.environ if environ is None else environ
    modules = sys.modules if modules is None else modules
    if "google.colab" in modules:
        return "colab"
    if any(environ.get(name) for name in _VSCODE_VARIABLES):
        return "vscode"
    return None


def resolve_display(environ: Mapping[str, str] | None = None, modules: Mapping[str, object] | None = None) -> str:
    """"widget" or "html": what the next view shows as."""
    mode = get_display(environ)
    if mode == "auto":
        return "html" if detect_frontend(environ, modules) else "widget"
    return mode


def inline_page(page: str, min_height: int = 360) -> str:
    """The offline page as one inline ``<iframe srcdoc>`` that grows with its content. The iframe keeps
    the page's styles and scripts apart from the notebook's; the page itself loads nothing."""
    doc = html.escape(page, quote=True)
    grow = ("var f=this,d=f.contentDocument;if(!d)return;"
            "var fit=function(){f.style.height=(d.documentElement.scrollHeight+4)+'px'};fit();"
            "if(window.ResizeObserver){new ResizeObserver(fit).observe(d.body)}")
    return (f'<iframe class="attnscope-inline-page" title="attnscope views" srcdoc="{doc}" '
            f'style="width:100%;min-height:{int(min_height)}px;border:0" onload="{html.escape(grow, quote=True)}">'
            "</iframe>")
