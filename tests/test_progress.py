"""Progress bars: silent outside a notebook kernel, a tqdm bar inside, closed on interrupt."""

import pytest

from attnscope import progress as pg


def test_quiet_outside_a_kernel(capsys):
    assert not pg.in_notebook_kernel()  # pytest is not a Jupyter kernel
    with pg.progress(5, "pooling") as bar:
        for _ in range(5):
            bar.update(1)
    assert bar.n == 5
    out = capsys.readouterr()
    assert out.out == "" and out.err == ""


def test_a_bar_counts_and_closes_even_when_interrupted(monkeypatch):
    import tqdm.auto as tqdm_auto
    made = []

    class Recorder:
        def __init__(self, total, desc, unit, delay, leave):
            self.total, self.desc, self.delay, self.n, self.closed = total, desc, delay, 0, False
            made.append(self)

        def update(self, n=1):
            self.n += n

        def close(self):
            self.closed = True

    monkeypatch.setattr(tqdm_auto, "tqdm", Recorder)
    with pytest.raises(KeyboardInterrupt):
        with pg.progress(30, "statistics", enabled=True) as bar:
            bar.update(3)
            raise KeyboardInterrupt
    (rec,) = made
    assert (rec.total, rec.desc, rec.n, rec.closed) == (30, "statistics", 3, True)
    assert rec.delay == pg.PROGRESS_DELAY  # short work shows no bar at all


def test_environment_switch_turns_bars_off(monkeypatch):
    monkeypatch.setenv(pg.PROGRESS_ENV, "0")
    assert not pg.in_notebook_kernel()
