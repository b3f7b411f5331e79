"""The per-head statistics and scores of a widget, computed after it is shown (attnscope.widget.scoring).

A StatsJob reads the kept weights again in a daemon thread (torch and numpy release the GIL in their
loops, so the kernel keeps answering the page's fetches meanwhile), computes each section's head scores
(attnscope.analysis.head_scores: the five statistics among them) and hands the float32
[layers, heads, len(STAT_NAMES)] statistics and the scores {name: [layers, heads]} to
``on_done(key, stats, scores, similarity)`` (the within-layer head similarity), and
``on_progress(key, heads done, heads in all)`` at the start and at most
every PROGRESS_EVERY seconds. The widget then sends both to the page (``{"type": "stats"}`` and
``{"type": "progress"}`` messages) and keeps them for save_html and ``head_statistics()``.
"""

from __future__ import annotations

import contextlib
import threading
import time
import warnings

import numpy as np

from ..analysis.head_scores import section_scores
from ..analysis.head_stats import STAT_NAMES
from ..analysis.similarity import LayerSimilarity, layer_similarity
from ..progress import background_bar

#: the name of the job's thread (tests wait for it)
THREAD_NAME = "attnscope-head-statistics"
#: seconds between two progress reports of one section
PROGRESS_EVERY = 0.25
#: longest a paused job waits before it reads its next block anyway (a fetch that never ends must not stop it)
PAUSE_LIMIT = 30.0


def head_statistics(section, cancelled=lambda: False, bar=None, on_block=None):
    """The scores {name: float32 [layers, heads]} of a section, or None when cancelled."""
    return section_scores(section, cancelled=cancelled, bar=bar, on_block=on_block, **(section.score_inputs or {}))


def similarity_of(section, acc=None):
    """The within-layer head similarity the model view orders by (attnscope.analysis.similarity), or None
    when it cannot be computed (one head per layer; the page then offers no such order). ``acc``: a
    LayerSimilarity already fed every block (the scores' pass), so the weights are not read again."""
    if len(section.heads) < 2:
        return None
    return layer_similarity(section) if acc is None else acc.result()


def stats_array(scores: dict) -> np.ndarray:
    """float32 [layers, heads, len(STAT_NAMES)] of the five statistics as the wire carries them (the
    positional ones 0, not NaN, for cross-attention, as before the scores existed)."""
    return np.nan_to_num(np.stack([scores[name] for name in STAT_NAMES], axis=-1), nan=0.0)


class StatsJob:
    """Statistics of the sections ``keys`` of ``sections`` (key -> Section), in the background (module doc)."""

    def __init__(self, sections: dict, keys, on_done, on_progress=None):
        self._sections, self.keys, self._on_done = sections, list(keys), on_done
        self._on_progress = on_progress
        # made here, in the cell that shows the widget: a hidden bar that appears if the job takes long
        heads = sum(len(sections[k].layers) * len(sections[k].heads) for k in self.keys if k in sections)
        self._bar = background_bar(heads, "attnscope: head statistics (background)")
        self._cancel = threading.Event()
        self._pauses = 0  # fetches being answered: the job reads no block meanwhile (paused())
        self._resumed = threading.Condition()
        self.blocks_waited = 0  # blocks that waited for a fetch (tests count them)
        self._thread = threading.Thread(target=self._run, name=THREAD_NAME, daemon=True)
        self.results: dict = {}
        self.error: BaseException | None = None

    def start(self) -> StatsJob:
        self._thread.start()
        return self

    def cancel(self) -> None:
        """Stop after the block of heads being read (a closed widget lets go of its weights)."""
        self._cancel.set()
        self._sections = {}
        with self._resumed:
            self._resumed.notify_all()

    @contextlib.contextmanager
    def paused(self):
        """While the kernel answers a fetch, the job reads no block: torch's threads are process-wide, so
        a job running beside a fetch takes its cores (at 32 x 32 heads x 2,048 tokens the page waited
        seconds for an opened head). The block being read is finished first."""
        with self._resumed:
            self._pauses += 1
        try:
            yield
        finally:
            with self._resumed:
                self._pauses -= 1
                self._resumed.notify_all()

    def _stopped(self) -> bool:
        """(job thread, before each block) True when cancelled; waits while a fetch is answered."""
        with self._resumed:
            if self._pauses and not self._cancel.is_set():
                self.blocks_waited += 1
                self._resumed.wait_for(lambda: not self._pauses or self._cancel.is_set(), PAUSE_LIMIT)
        return self._cancel.is_set()

    def wait(self, timeout: float | None = None) -> bool:
        """True when the job has ended (done, failed or cancelled) within ``timeout`` seconds."""
        self._thread.join(timeout)
        return not self._thread.is_alive()

    def _run(self) -> None:
        try:
            for key in self.keys:
                sec = self._sections.get(key)
                if sec is None:
                    continue
                bar = _Reporting(self._bar, key, len(sec.layers) * len(sec.heads), self._on_progress)
                sampler = LayerSimilarity(sec) if len(sec.heads) > 1 else None  # one read pass for both
                scores = head_statistics(sec, cancelled=self._stopped, bar=bar,
                                         on_block=None if sampler is None else sampler.take)
                if scores is None:
                    return
                stats = stats_array(scores)
                self.results[key] = stats
                self._on_done(key, stats, scores, None if self._cancel.is_set() else similarity_of(sec, sampler))
        except Exception as err:  # noqa: BLE001 - a thread must not die silently; the widget works without
            self.error = err
            warnings.warn(f"attnscope: the head statistics could not be computed ({type(err).__name__}: {err})",
                          RuntimeWarning, stacklevel=2)
        finally:
            self._bar.close()


class _Reporting:
    """A bar that also reports (key, done, total) to ``report`` at most every PROGRESS_EVERY seconds."""

    def __init__(self, bar, key: str, total: int, report):
        self._bar, self._key, self._total, self._report = bar, key, total, report
        self._done, self._last = 0, time.monotonic()
        if report is not None:
            report(key, 0, total)

    def update(self, n: int = 1) -> None:
        self._bar.update(n)
        self._done += n
        now = time.monotonic()
        if self._report is not None and now - self._last >= PROGRESS_EVERY and self._done < self._total:
            self._last = now
            self._report(self._key, self._done, self._total)
