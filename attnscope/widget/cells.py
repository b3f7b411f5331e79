"""Re-run tracking: which notebook cell displayed which widgets, to close them when the cell runs again."""

from __future__ import annotations

import weakref

#: Re-running a notebook cell closes the attnscope widgets that its previous run displayed and this
#: run did not display again: the notebook has cleared that output, and an open widget keeps its
#: data in the kernel and in the browser (ipywidgets closes nothing by itself). A widget also
#: displayed by another cell stays open.
#: Set to False to keep every widget open until ``w.close()``.
CLOSE_ON_RERUN = True


class CellTracker:
    """Which notebook cell (JupyterLab's cellId) displayed which widgets, to close them on a re-run."""

    def __init__(self):
        self.by_cell: dict[str, list] = {}  # cell id -> weak references to the widgets its last run displayed
        self.previous: list = []  # what the running cell's previous run displayed
        self.running = None  # id of the running cell
        self.shell = None

    def install(self, shell) -> None:
        if shell is None or self.shell is shell:
            return
        shell.events.register("pre_run_cell", self.pre_run_cell)
        shell.events.register("post_run_cell", self.post_run_cell)
        self.shell = shell

    @staticmethod
    def cell_id(shell, info=None):
        cid = getattr(info, "cell_id", None)
        if cid is None:
            try:  # the execute request being handled carries the cell id in its metadata
                cid = (shell.kernel.get_parent().get("metadata") or {}).get("cellId")
            except Exception:  # noqa: BLE001 - no kernel (plain IPython), or an older ipykernel
                return None
        return cid if isinstance(cid, str) and cid else None

    def pre_run_cell(self, info) -> None:
        cid = self.cell_id(self.shell, info)
        self.running = cid
        self.previous = self.by_cell.pop(cid, []) if cid is not None else []

    def post_run_cell(self, *_args) -> None:
        """Closes what the previous run of this cell displayed, unless this run displayed it again."""
        cid, old = self.running, self.previous
        self.running, self.previous = None, []
        if cid is None or not CLOSE_ON_RERUN:
            return
        shown_now = {id(r()) for r in self.by_cell.get(cid, []) if r() is not None}
        for ref in old:
            w = ref()
            if w is not None and id(w) not in shown_now and w.comm is not None and w._display_cells <= {cid}:
                w.close()

    def displayed(self, widget, shell) -> None:
        self.install(shell)
        cid = self.cell_id(shell)
        if cid is None:
            return
        widget._display_cells = widget._display_cells | {cid}
        refs = self.by_cell.setdefault(cid, [])
        if not any(r() is widget for r in refs):
            refs.append(weakref.ref(widget))


#: the tracker of this kernel (installed on the IPython shell at the first display)
tracker = CellTracker()
