"""Every notebook in examples/ is valid, saved without outputs, offline, and runs headless with no error
output, so the examples cannot rot. (quickstart.ipynb has further checks in test_notebook.py and is
executed there.)"""

import copy
import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((ROOT / "examples").glob("*.ipynb"))
EXECUTED_HERE = [p for p in EXAMPLES if p.name != "quickstart.ipynb"]
WIDGET_MIME = "application/vnd.jupyter.widget-view+json"


def test_there_is_an_example_per_feature():
    names = {p.name for p in EXAMPLES}
    assert {"quickstart.ipynb", "big-models-and-lazy-mode.ipynb", "saving-and-sharing.ipynb"} <= names


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_example_is_valid_cleared_and_offline(path):
    nbformat = pytest.importorskip("nbformat")
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    cells = [c for c in nb.cells if c.cell_type == "code"]
    assert cells and all(not c.outputs and c.execution_count is None for c in cells), "saved with outputs"
    first = cells[0].source
    assert 'os.environ["HF_HUB_OFFLINE"] = "1"' in first
    assert first.index("HF_HUB_OFFLINE") < first.index("from transformers")  # set before the import


@pytest.mark.slow
@pytest.mark.parametrize("path", EXECUTED_HERE, ids=lambda p: p.name)
def test_example_runs_without_error(path, tmp_path, monkeypatch):
    # the kernel must import this checkout's attnscope, not a copy installed in site-packages
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])))
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    nb = copy.deepcopy(nbformat.read(path, as_version=4))
    nb.cells.append(nbformat.v4.new_code_cell("import attnscope; print(attnscope.__file__)"))
    client = nbclient.NotebookClient(nb, timeout=600, kernel_name="python3", allow_errors=True,
                                     resources={"metadata": {"path": str(tmp_path)}})
    client.execute()
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    errors = [f"{o.ename}: {o.evalue}" for o in outputs if o.output_type == "error"]
    assert not errors, errors
    assert any(str(ROOT / "attnscope") in o.get("text", "") for o in outputs), "kernel used another attnscope"
    widgets = [o for o in outputs if o.output_type == "display_data" and WIDGET_MIME in o.data]
    assert widgets, "the example showed no view"
