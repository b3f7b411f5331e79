"""The widgets: AttentionWidget (base.py, every weight sent) and LazyAttentionWidget (lazy.py, the tensors
kept in the kernel), re-run tracking (cells.py), the selection trait (selection.py), and make_views, which
every entry point calls (make.py).

Setting: ``attnscope.widget.CLOSE_ON_RERUN`` (True): re-running a notebook cell closes the attnscope
widgets that its previous run displayed and this run did not display again (see cells.py). It is read
and written through to attnscope.widget.cells.
"""

from __future__ import annotations

import sys
import types

from . import cells
from .base import AttentionWidget, StateError
from .lazy import LazyAttentionWidget
from .make import make_views

__all__ = ["AttentionWidget", "CLOSE_ON_RERUN", "LazyAttentionWidget", "StateError", "make_views"]


class _Settings(types.ModuleType):
    """This package as a module whose CLOSE_ON_RERUN is cells.CLOSE_ON_RERUN (one setting, one place)."""

    @property
    def CLOSE_ON_RERUN(self) -> bool:  # noqa: N802 - a module constant's name
        return cells.CLOSE_ON_RERUN

    @CLOSE_ON_RERUN.setter
    def CLOSE_ON_RERUN(self, value: bool) -> None:  # noqa: N802
        cells.CLOSE_ON_RERUN = value


sys.modules[__name__].__class__ = _Settings
