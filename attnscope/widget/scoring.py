"""The head statistics and pattern scores of a widget's sections: computed after the widget is shown, in a
StatsJob thread (eager and lazy widgets alike: at 12 x 12 heads x 180 tokens they cost about 0.6 s, which
the first paint does not wait for), sent to the page in a "stats" message with "progress" messages while
they run, kept in the state for saved pages, and read back by ``head_statistics()``.
"""

from __future__ import annotations

import warnings

from ..analysis.head_scores import scores_frame, table_of
from ..analysis.head_stats import STAT_NAMES
from ..output.display import resolve_display
from ..wire import messages
from ..wire.codec import from_wire
from ..wire.scores import scores_of_wire, scores_wire
from ..wire.state import wire_sections
from .stats_job import StatsJob, similarity_of


def pending_keys(state_sections) -> list:
    """Keys of the wire sections whose scores are still to compute: attention from a model (not derived)
    without a score table, or lazy without statistics."""
    out = []
    for s in state_sections:
        if s.get("derived") is not None:
            continue
        if s.get("scores") is None or (s.get("lazy") and s["summary"].get("stats") is None):
            out.append(s["key"])
    return out


def with_scores(state: dict, sections) -> dict:
    """``state`` with the score tables of its pending sections computed now (an offline page has no kernel
    to compute them later); ``sections`` are the checked Sections."""
    by_key = {s.key: s for s in sections}
    todo = set(pending_keys(state["sections"])) & set(by_key)
    out = [{**s, "scores": scores_wire(table_of(by_key[s["key"]]), similarity=similarity_of(by_key[s["key"]]))}
           if s["key"] in todo else s for s in state["sections"]]
    return {**state, "sections": out}


class ScoresMixin:
    """head_statistics() and the background job of AttentionWidget (module doc)."""

    # Not a trait: key -> {name: float32 [layers, heads]} head statistics and scores computed so far.
    _stats: dict = {}
    # Not a trait: the thread computing the head statistics, or None.
    _stats_job = None

    def _start_scores(self) -> None:
        """Start the job for the sections that need it (call once the checked sections are known)."""
        pending = [k for k in pending_keys(self.sections) if k in self._checked]
        if resolve_display() == "html":
            return  # an inline page, not a live view, is shown: it computes them itself (and no bar widget)
        if pending:
            self._stats_job = StatsJob(self._checked, pending, self._stats_ready, self._scores_progress).start()

    def _page_state(self) -> dict:
        """The state of a saved page, with every score table: those the job has kept in the state, the others
        computed here. Not by waiting for the job: a page made inside a display call (the "html" display
        mode) would wait on a thread that may itself be waiting to display its progress."""
        state = self._saved_state()
        sources = [self._scores_source(k) for k in pending_keys(state["sections"])]
        sources = [s for s in sources if s is not None]
        return with_scores(state, sources) if sources else state

    def head_statistics(self, section: str | None = None, timeout: float | None = None, as_frame: bool = False):
        """Per-head statistics and pattern scores: ``{name: float32 array [layers, heads]}``, first the names of
        attnscope.analysis.head_stats.STAT_NAMES (entropy in nats, max, first-token weight, previous-token
        weight, mean distance), then those of :func:`attnscope.head_scores` (the section's tokens stand for
        the token ids; positional scores are NaN for cross-attention); rows and columns in the order of the
        section's real ``layers`` and ``heads``. A comparison's difference section gives its change scores.
        They are computed after the display: this waits for them at most ``timeout`` seconds (then
        TimeoutError). ``as_frame=True``: a pandas DataFrame with columns layer, head and one per score."""
        key = self._section_key(section)
        scores = self._scores_of(key, timeout)
        if as_frame:
            sec = self._section(key)
            return scores_frame(scores, sec["layers"], sec.get("heads"))
        return dict(scores)

    def head_scores_frame(self, section: str | None = None, timeout: float | None = None):
        """:meth:`head_statistics` as a pandas DataFrame (columns layer, head, one per score)."""
        return self.head_statistics(section, timeout, as_frame=True)

    def _scores_of(self, key: str, timeout) -> dict:
        job = self._stats_job
        if key not in self._stats and job is not None and key in job.keys and not job.wait(timeout):
            raise TimeoutError(f"head_statistics: still computing after {timeout} s; call it again later.")
        if key in self._stats:
            return self._stats[key]
        sec = self._section(key)
        sent = scores_of_wire(sec.get("scores"))
        if sent is not None:  # with the state: a restored widget, a comparison's change scores
            self._stats[key] = sent
            return sent
        source = self._scores_source(key)
        if source is not None and (job is None or job.error is None):
            self._stats[key] = table_of(source)
            return self._stats[key]
        if sec.get("lazy") and sec["summary"].get("stats") is not None:  # closed: the five statistics kept
            stats = from_wire(sec["summary"]["stats"])
            return {name: stats[..., i] for i, name in enumerate(STAT_NAMES)}
        why = f": {job.error}" if job is not None and job.error is not None else " (the widget was closed)"
        raise RuntimeError(f"head_statistics: no statistics for section {key!r}{why}.")

    def _scores_source(self, key: str):
        """The Section to compute ``key``'s scores from, or None when the weights are gone."""
        return self._checked.get(key) or wire_sections(self._state())[key]

    def _stats_ready(self, key: str, stats, scores=None, similarity=None) -> None:
        """(stats thread) Keep a section's scores in its state and send them to the page."""
        sec = self._section(key)
        if sec is None:
            return
        if scores is not None:
            self._stats[key] = scores
            # in place: a later save_html or static picture carries them
            sec["scores"] = scores_wire(scores, similarity=similarity)
        wire = messages.stats_wire(stats)
        if sec.get("lazy"):
            sec["summary"]["stats"] = wire
        self._send_quietly(messages.stats_message(key, wire if sec.get("lazy") else None, scores, similarity),
                           "send the head statistics")

    def _scores_progress(self, key: str, done: int, total: int) -> None:
        """(stats thread) Tell the page how far the scores of ``key`` are."""
        self._send_quietly(messages.progress_message(key, "scores", done, total), "send the progress")

    def _send_quietly(self, message, what: str) -> None:
        """Send (content, buffers) to the page; never raises (a failure is a warning: "could not <what>")."""
        if self.comm is None:
            return
        try:
            self.send(*message)
        except Exception as err:  # noqa: BLE001 - the kernel carries on without them
            if self.comm is None or getattr(self.comm, "_closed", False):
                return  # closed meanwhile (w.close(), a re-run cell): nobody to tell
            warnings.warn(f"attnscope: could not {what} ({type(err).__name__}: {err})",
                          RuntimeWarning, stacklevel=3)
