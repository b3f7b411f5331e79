"""Re-running a cell closes the widgets its previous run displayed (attnscope.widget.cells)."""


import pytest
from inputs_helpers import TOK, A

from attnscope import head_view


class _FakeShell:
    def __init__(self):
        self.handlers = {}
        self.cell = "A"
        shell = self

        class Events:
            def register(self, name, fn):
                shell.handlers.setdefault(name, []).append(fn)

            def unregister(self, name, fn):
                shell.handlers[name].remove(fn)

        class Kernel:
            def get_parent(self):
                return {"metadata": {"cellId": shell.cell}}

        self.events, self.kernel = Events(), Kernel()

    def run(self, cell):
        """The start of a run of ``cell`` (its output is cleared by the notebook), then post_run hooks."""
        self.cell = cell
        info = type("Info", (), {"cell_id": cell})()
        for fn in list(self.handlers.get("pre_run_cell", [])):
            fn(info)

    def done(self):
        for fn in list(self.handlers.get("post_run_cell", [])):
            fn(None)


@pytest.fixture
def shell(monkeypatch):
    import IPython

    from attnscope.widget import cells

    fake = _FakeShell()
    monkeypatch.setattr(IPython, "get_ipython", lambda: fake)
    monkeypatch.setattr(cells, "tracker", cells.CellTracker())
    return fake


def test_rerun_closes_the_widgets_the_previous_run_displayed(shell, recording_comm):
    shell.run("A")
    w1 = head_view(A, TOK)
    shared = head_view(A, TOK)
    shell.done()
    shell.run("B")
    shared._ipython_display_()  # displayed again by another cell: it stays open
    shell.done()
    shell.run("C")
    kept = head_view(A, TOK)
    shell.done()
    shell.run("A")  # re-run: its old output is gone; what it does not show again is closed at its end
    w2 = head_view(A, TOK)
    shell.done()
    assert w1.comm is None and shared.comm is not None and kept.comm is not None
    shell.run("A")
    shell.done()
    assert w2.comm is None and kept.comm is not None


def test_rerun_keeps_a_widget_the_cell_displays_again(shell, recording_comm):
    from attnscope.widget import AttentionWidget

    w = AttentionWidget.from_arrays(
        [{"key": "self", "attention": A, "layers": list(range(A.shape[0])), "query_tokens": TOK, "key_tokens": TOK}]
    )
    shell.run("B")  # a cell whose only line is `w`
    w._ipython_display_()
    shell.done()
    shell.run("B")  # re-run: it displays the same widget again, which must stay usable
    w._ipython_display_()
    shell.done()
    assert w.comm is not None


def test_rerun_keeps_widgets_open_when_switched_off(shell, recording_comm, monkeypatch):
    from attnscope import widget

    monkeypatch.setattr(widget, "CLOSE_ON_RERUN", False)
    shell.run("A")
    w = head_view(A, TOK)
    shell.done()
    shell.run("A")
    assert w.comm is not None
