"""LazyAttentionWidget: an AttentionWidget that keeps the caller's tensors in the kernel.

The state carries, per section, a summary (each head mean-pooled to at most 64 x 64, computed while the
weights are checked: attnscope.analysis.summary) and, when small, the shown layer's slice; the page
fetches the exact (layer, heads) slices it shows with custom messages (attnscope.wire.messages), which
this class answers. The per-head statistics are computed after the display by a StatsJob thread and
sent in a "stats" message (STATS_IN_BACKGROUND). Closing lets go of the tensors and stops the job.
"""

from __future__ import annotations

import warnings

from ..analysis.head_scores import table_of
from ..analysis.head_stats import STAT_NAMES
from ..analysis.summary import summarize
from ..wire import messages
from ..wire.codec import from_wire
from ..wire.state import wire_state, with_shown_layer
from .base import AttentionWidget
from .stats_job import StatsJob

#: the per-head statistics are computed after the widget is shown, in a thread (StatsJob), and reach the
#: page in a "stats" message: at 32 x 32 heads x 2,048 tokens they cost 3-4x what the checks and the
#: pooled heads cost, and the model view paints from the pooled heads alone. False computes them in the cell.
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
    # Not a trait: the thread computing the head statistics, or None.
    _stats_job = None

    @classmethod
    def _from_sections(cls, sections, *, layer=None, heads=None, sentence_b_start=None, views=("head",),
                       view_options=None, section=None, **kwargs):
        widget = cls(**lazy_state(sections, layer=layer, heads=heads, sentence_b_start=sentence_b_start,
                                  views=views, view_options=view_options, section=section), **kwargs)
        widget._checked = widget._kept = {s.key: s for s in sections}
        pending = [s["key"] for s in widget.sections if s.get("lazy") and s["summary"].get("stats") is None]
        if pending:
            widget._stats_job = StatsJob(widget._kept, pending, widget._stats_ready).start()
        return widget

    @property
    def lazy(self) -> bool:
        """True until the widget is closed (it then holds no tensor any more)."""
        return self._kept is not None

    def _stats_ready(self, key: str, stats, scores=None) -> None:
        """(stats thread) Keep a section's statistics in its state and send them, with the scores, to the page."""
        wire = messages.stats_wire(stats)
        sec = self._section(key)
        if sec is None:
            return
        if scores is not None:
            self._stats[key] = scores
        sec["summary"]["stats"] = wire  # in place: a later save_html or static picture carries them
        if self.comm is None:
            return
        try:
            self.send(*messages.stats_message(key, wire, scores))
        except Exception as err:  # noqa: BLE001 - the kernel carries on without them
            if self.comm is None or getattr(self.comm, "_closed", False):
                return  # closed meanwhile (w.close(), a re-run cell): nobody to tell
            warnings.warn(f"attnscope: could not send the head statistics ({type(err).__name__}: {err})",
                          RuntimeWarning, stacklevel=2)

    def _scores_of(self, key: str, timeout) -> dict:
        """As the eager widget's, but computed after the widget is shown (by the StatsJob), so this waits for
        them (at most ``timeout`` seconds: TimeoutError after); computed here when no job computes them."""
        sec = self._section(key)
        job = self._stats_job
        if key not in self._stats and job is not None and not job.wait(timeout):
            raise TimeoutError(f"head_statistics: still computing after {timeout} s; call it again later.")
        if key in self._stats:
            return self._stats[key]
        if self._kept is not None and key in self._kept and (job is None or job.error is None):
            self._stats[key] = table_of(self._kept[key])
            return self._stats[key]
        if sec["summary"].get("stats") is not None:  # closed: the five statistics the state kept
            stats = from_wire(sec["summary"]["stats"])
            return {name: stats[..., i] for i, name in enumerate(STAT_NAMES)}
        why = f": {job.error}" if job is not None and job.error is not None else " (the widget was closed)"
        raise RuntimeError(f"head_statistics: no statistics for section {key!r}{why}.")

    def _saved_slice(self, section, layer, heads) -> dict:
        return messages.saved_slice(section, layer, heads)

    def _answer(self, content) -> tuple[dict, list]:
        return messages.answer(self._kept, content, payload=self._saved_slice)

    def close(self):
        """Close the widget in the kernel and the browser, and let go of the tensors it keeps."""
        self._kept = None
        self._checked = {}
        if self._stats_job is not None:
            self._stats_job.cancel()
        super().close()

    def _kept_sources(self):
        return None if self._kept is None else {k: s.source for k, s in self._kept.items()}

    def _saved_state(self) -> dict:
        """The state a saved page holds: the shown layer goes with it (the others are not saved)."""
        if self._kept is None:
            return self._state()
        return with_shown_layer(self._state(), self._kept)
