"""Progress of long kernel work (pooling a lazy input, statistics, rollout, generation), shown in the
notebook cell as a progress bar only when the work outlasts ``PROGRESS_DELAY`` seconds, and never
outside a notebook kernel (scripts, tests and CI stay quiet).

The bar is tqdm's notebook widget (tqdm.auto's choice in a Jupyter kernel). A KeyboardInterrupt (the
notebook's stop button) passes through: the bar closes and the caller makes no widget.
"""

from __future__ import annotations

import contextlib
import os

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
