"""Progress of long kernel work (pooling a lazy input, statistics, rollout, generation), shown in the
notebook cell as a progress bar only when the work outlasts ``PROGRESS_DELAY`` seconds, and never
outside a notebook kernel (scripts, tests and CI stay quiet).

The bar is tqdm's notebook widget (tqdm.auto's choice in a Jupyter kernel). A KeyboardInterrupt (the
notebook's stop button) passes through: the bar closes and the caller makes no widget.
"""

from __future__ import annotations

import contextlib
import os
import time

import ipywidgets
import tqdm.auto as _tqdm_auto

#: Seconds of work before the bar appears (work that ends sooner shows nothing).
PROGRESS_DELAY = 2.0
#: Set ATTNSCOPE_PROGRESS=0 to never show progress bars.
PROGRESS_ENV = "ATTNSCOPE_PROGRESS"


class _Quiet:
    """What progress() yields where no bar is shown: the same calls, no output."""

    n = 0

    def update(self, n: int = 1) -> None:
        self.n += n

    def set_postfix_str(self, s: str = "", refresh: bool = True) -> None:
        pass

    def close(self) -> None:
        pass


def in_notebook_kernel() -> bool:
    """True inside a Jupyter kernel (ipykernel), where a progress widget can be shown."""
    if os.environ.get(PROGRESS_ENV, "1").strip() == "0":
        return False
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    return shell is not None and getattr(shell, "kernel", None) is not None


@contextlib.contextmanager
def progress(total: int, desc: str, unit: str = "layer", enabled: bool | None = None):
    """A context manager yielding an object with ``update(n)``: a tqdm notebook bar shown after
    PROGRESS_DELAY seconds in a notebook kernel, or a silent stand-in elsewhere."""
    show = in_notebook_kernel() if enabled is None else enabled
    bar = None
    if show:
        bar = _tqdm_auto.tqdm(total=total, desc=desc, unit=unit, delay=PROGRESS_DELAY, leave=False)
    try:
        yield bar if bar is not None else _Quiet()
    finally:
        if bar is not None:
            bar.close()


class BackgroundBar:
    """Progress of work that runs in a thread after the cell ends (a lazy widget's head statistics): a
    bar displayed in the cell that starts it, hidden until the work has taken PROGRESS_DELAY seconds,
    advanced from the thread (widget updates, not cell output), closed when the work ends."""

    def __init__(self, total: int, desc: str):
        from IPython.display import display

        self._clock, self._start, self.n = time.monotonic, time.monotonic(), 0
        self.bar = ipywidgets.IntProgress(value=0, min=0, max=max(1, total))
        self.label = ipywidgets.Label(f"{desc}: 0 / {total}")
        self.box = ipywidgets.HBox([self.bar, self.label], layout=ipywidgets.Layout(display="none"))
        self._desc, self._total = desc, total
        display(self.box)

    def update(self, n: int = 1) -> None:
        self.n += n
        self.bar.value = min(self.n, self.bar.max)
        self.label.value = f"{self._desc}: {self.n} / {self._total}"
        if self.box.layout.display == "none" and self._clock() - self._start >= PROGRESS_DELAY:
            self.box.layout.display = None

    def close(self) -> None:
        self.box.close()
        self.bar.close()
        self.label.close()


def background_bar(total: int, desc: str, enabled: bool | None = None):
    """A BackgroundBar in a notebook kernel, else a silent stand-in with the same calls."""
    show = in_notebook_kernel() if enabled is None else enabled
    return BackgroundBar(total, desc) if show else _Quiet()
