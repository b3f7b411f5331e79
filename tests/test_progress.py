"""Progress bars: silent outside a notebook kernel, a tqdm bar inside, closed on interrupt."""

import numpy as np
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


class Bars:
    """Stands in for tqdm: records every bar made (total, description, count, closed)."""

    def __init__(self, interrupt_at=None):
        self.made, self.interrupt_at = [], interrupt_at

    def __call__(self, total, desc, unit, delay, leave):
        bars = self

        class Bar:
            def __init__(self):
                self.total, self.desc, self.n, self.closed = total, desc, 0, False

            def update(self, n=1):
                self.n += n
                if bars.interrupt_at is not None and self.n >= bars.interrupt_at:
                    raise KeyboardInterrupt  # the notebook's stop button

            def close(self):
                self.closed = True

        bar = Bar()
        self.made.append(bar)
        return bar


@pytest.fixture
def in_kernel(monkeypatch):
    """As if in a notebook kernel, with tqdm recorded."""
    import tqdm.auto as tqdm_auto

    monkeypatch.setattr(pg, "in_notebook_kernel", lambda: True)

    def use(bars):
        monkeypatch.setattr(tqdm_auto, "tqdm", bars)
        return bars

    return use


def _softmax(shape, seed=0):
    rng = np.random.default_rng(seed)
    x = np.exp(rng.normal(size=shape)).astype(np.float32)
    return x / x.sum(-1, keepdims=True)


def test_lazy_pooling_counts_every_head(in_kernel, recording_comm):
    from attnscope import model_view

    bars = in_kernel(Bars())
    w = model_view(_softmax((4, 3, 6, 6)), list("abcdef"), lazy=True)
    pooling = [b for b in bars.made if "pooling" in b.desc]
    assert [(b.total, b.n, b.closed) for b in pooling] == [(12, 12, True)]
    w.close()


def test_interrupted_pooling_leaves_no_widget(in_kernel, recording_comm, no_display):
    from attnscope import model_view

    in_kernel(Bars(interrupt_at=5))
    with pytest.raises(KeyboardInterrupt):
        model_view(_softmax((4, 3, 6, 6)), list("abcdef"), lazy=True)
    open_comms = [c for c in recording_comm if not getattr(c, "_closed", False)]
    assert open_comms == [] and no_display == []  # nothing opened in the page, nothing half-shown


def test_eager_scores_come_after_the_display_with_progress_messages(in_kernel, recording_comm, no_display,
                                                                      monkeypatch):
    from attnscope import head_view
    from attnscope.widget import stats_job

    monkeypatch.setattr(pg, "PROGRESS_DELAY", 0.0)
    monkeypatch.setattr(stats_job, "PROGRESS_EVERY", 0.0)  # report every block of heads
    w = head_view(_softmax((2, 5, 4, 4)), list("abcd"))
    assert "scores" not in w.comm.messages[0]["data"]["state"]["sections"][0]  # the first paint does not wait
    job = w._stats_job
    assert job.wait(60) and isinstance(job._bar, pg.BackgroundBar) and job._bar.n == 10
    sent = [m["data"]["content"] for m in w.comm.messages if m["msg_type"] == "comm_msg"]
    progress = [(c["done"], c["total"]) for c in sent if c["type"] == "progress"]
    assert progress[0] == (0, 10) and all(t == 10 for _, t in progress)
    assert [d for d, _ in progress] == sorted(d for d, _ in progress) and progress[-1][0] < 10
    (done,) = [c for c in sent if c["type"] == "stats"]
    assert "stats" not in done and done["scores"]["values"]["buffer"] == 0  # an eager section: scores only
    assert w.head_statistics()["entropy"].shape == (2, 5)
    assert w.sections[0]["scores"]["names"] == done["scores"]["names"]  # kept for a saved page
    w.close()


@pytest.mark.slow
def test_from_model_counts_the_layers_of_the_forward_pass(in_kernel, minilm):
    from attnscope import from_model

    model, tok = minilm
    bars = in_kernel(Bars())
    from_model(model, tok, "The cat sat on the mat.")  # once: transformers 5 adds hooks of its own the first time
    before = [len(m._forward_hooks) for m in model.encoder.layer]
    bars.made.clear()
    from_model(model, tok, "The cat sat on the mat.")
    (bar,) = [b for b in bars.made if "forward" in b.desc]
    assert (bar.total, bar.n, bar.closed) == (6, 6, True)  # MiniLM's 6 BertLayer blocks
    assert [len(m._forward_hooks) for m in model.encoder.layer] == before  # ours are removed


def test_background_statistics_show_a_hidden_bar_that_counts_and_closes(in_kernel, recording_comm, no_display,
                                                                         monkeypatch):
    import attnscope.widget.lazy as lazy_widget
    from attnscope import model_view

    monkeypatch.setattr(lazy_widget, "STATS_IN_BACKGROUND", True)
    monkeypatch.setattr(pg, "PROGRESS_DELAY", 0.0)  # any work counts as long here
    w = model_view(_softmax((4, 3, 6, 6)), list("abcdef"), lazy=True)
    job = w._stats_job
    assert job.wait(60)
    bar = job._bar
    assert isinstance(bar, pg.BackgroundBar)
    assert no_display[0] is bar.box  # shown in the cell that made the widget, before the widget
    assert (bar.n, bar.bar.value, bar.bar.max) == (12, 12, 12)
    assert bar.label.value == "attnscope: head statistics (background): 12 / 12"
    assert bar.box.comm is None  # closed when the job ended: it leaves the output
    assert w.head_statistics()["entropy"].shape == (4, 3)
    w.close()


def test_background_bar_stays_hidden_for_short_work(in_kernel, recording_comm, no_display):
    bar = pg.background_bar(3, "statistics")
    bar.update(3)
    assert bar.box.layout.display == "none"  # PROGRESS_DELAY has not passed
    bar.close()


def test_a_drawing_bar_leaves_the_forward_pass_unchanged(in_kernel, minilm):
    """tqdm's update() returns True once the bar draws (after PROGRESS_DELAY); a forward hook returning it
    replaced each layer's output with True ("'bool' object has no attribute 'dtype'" on slow machines)."""
    import torch

    from attnscope import from_model

    model, tok = minilm
    quiet = from_model(model, tok, "The cat sat on the mat.", lazy=False).attention

    class Drawing(Bars):
        def __call__(self, *args, **kwargs):
            bar = super().__call__(*args, **kwargs)
            count = bar.update
            bar.update = lambda n=1: count(n) or True  # as tqdm's update when it redraws
            return bar

    in_kernel(Drawing())
    drawn = from_model(model, tok, "The cat sat on the mat.", lazy=False).attention
    assert torch.equal(torch.as_tensor(drawn), torch.as_tensor(quiet))
