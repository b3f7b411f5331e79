"""LazyAttentionWidget: an AttentionWidget that keeps the caller's tensors in the kernel.

The state carries, per section, a summary (each head mean-pooled to at most 64 x 64, computed while the
weights are checked: attnscope.analysis.summary) and, when small, the shown layer's slice; the page
fetches the exact (layer, heads) slices it shows with custom messages (attnscope.wire.messages), which
this class answers. The per-head statistics are computed after the display by a StatsJob thread and
sent in a "stats" message (STATS_IN_BACKGROUND). Closing lets go of the tensors and stops the job.
"""

from __future__ import annotations

from ..analysis.summary import summarize
from ..wire import messages
from ..wire.state import wire_state, with_shown_layer
from .base import AttentionWidget
from .scoring import with_scores

#: the per-head statistics are computed after the widget is shown, in a thread (StatsJob), and reach the
#: page in a "stats" message: at 32 x 32 heads x 2,048 tokens they cost 3-4x what the checks and the
#: pooled heads cost, and the model view paints from the pooled heads alone. False computes them (and the
#: scores) in the cell.
STATS_IN_BACKGROUND = True


def lazy_state(sections, *, layer, heads=None, sentence_b_start=None, views=("head",), view_options=None,
               section=None) -> dict:
    """The widget state of lazy sections: their weights checked and summarised a block at a time (the
    statistics too unless STATS_IN_BACKGROUND); the shown layer of the first goes with it when small."""
    summaries = {s.key: summarize(s, stats=not STATS_IN_BACKGROUND) for s in sections}
    return wire_state(sections, layer=layer, heads=heads, sentence_b_start=sentence_b_start, views=views,
                      summaries=summaries, view_options=view_options, section=section)


def saved_page_state(sections, **kwargs) -> dict:
    """The state of an offline page of lazy sections: :func:`lazy_state` with the shown layer's slice."""
    return with_shown_layer(lazy_state(sections, **kwargs), {s.key: s for s in sections})


class LazyAttentionWidget(AttentionWidget):
    """Linked attention views whose weights stay in the kernel (module doc)."""

    # Not a trait: key -> Section of the kept sections; None once closed.
    _kept = None

    @classmethod
    def _from_sections(cls, sections, *, layer=None, heads=None, sentence_b_start=None, views=("head",),
                       view_options=None, section=None, **kwargs):
        state = lazy_state(sections, layer=layer, heads=heads, sentence_b_start=sentence_b_start, views=views,
                           view_options=view_options, section=section)
        widget = cls(**(state if STATS_IN_BACKGROUND else with_scores(state, sections)), **kwargs)
        widget._checked = widget._kept = {s.key: s for s in sections}
        widget._start_scores()
        return widget

    @property
    def lazy(self) -> bool:
        """True until the widget is closed (it then holds no tensor any more)."""
        return self._kept is not None

    def _scores_source(self, key: str):
        """The kept Section (None once closed: the weights are gone)."""
        return None if self._kept is None else self._kept.get(key)

    def _saved_slice(self, section, layer, heads) -> dict:
        return messages.saved_slice(section, layer, heads)

    def _answer(self, content) -> tuple[dict, list]:
        return messages.answer(self._kept, content, payload=self._saved_slice)

    def close(self):
        """Close the widget in the kernel and the browser, and let go of the tensors it keeps."""
        self._kept = None
        self._checked = {}
        super().close()

    def _kept_sources(self):
        return None if self._kept is None else {k: s.source for k, s in self._kept.items()}

    def _saved_state(self) -> dict:
        """The state a saved page holds: the shown layer goes with it (the others are not saved)."""
        if self._kept is None:
            return self._state()
        return with_shown_layer(self._state(), self._kept)
