"""examples/quickstart.ipynb is valid, saved without outputs, and runs headless without error."""

import copy
import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK = ROOT / "examples" / "quickstart.ipynb"
WIDGET_MIME = "application/vnd.jupyter.widget-view+json"


def test_notebook_is_valid_and_cleared():
    nbformat = pytest.importorskip("nbformat")
    nb = nbformat.read(NOTEBOOK, as_version=4)
    nbformat.validate(nb)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code and all(not c.outputs and c.execution_count is None for c in code)
    first = code[0].source
    assert 'os.environ["HF_HUB_OFFLINE"] = "1"' in first
    assert first.index("HF_HUB_OFFLINE") < first.index("from transformers")  # set before the import


@pytest.mark.slow
def test_notebook_runs(tmp_path, monkeypatch):
    # the kernel must import this checkout's attnscope, not a copy installed in site-packages
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])))
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    nb = copy.deepcopy(nbformat.read(NOTEBOOK, as_version=4))
    nb.cells.append(nbformat.v4.new_code_cell("import attnscope; print(attnscope.__file__)"))
    nbclient.NotebookClient(nb, timeout=300, kernel_name="python3",
                            resources={"metadata": {"path": str(tmp_path)}}).execute()
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    widgets = [o for o in outputs if o.output_type == "display_data" and WIDGET_MIME in o.data
               and o.data["text/plain"].startswith("AttentionWidget(")]
    # MiniLM head view twice, neuron view, dashboard, matrix view, rollout matrix + text, text view, the
    # large / small comparison, random GPT-2, numpy, show, SmolLM2 induction probe model view + head view,
    # SmolLM2 generation head + text, attention x gradient matrix + text
    assert len(widgets) == 15
    (ranked,) = [o.data["text/plain"] for o in outputs if o.output_type == "execute_result"
                 and "('[CLS]'," in o.data.get("text/plain", "")]
    assert ranked.count("(") == 5  # the five tokens that contribute most to "it" after the last layer
    assert any(str(ROOT / "attnscope") in o.get("text", "") for o in outputs), "kernel used another attnscope"
    (line,) = [o.text for o in outputs if o.output_type == "stream" and "max |softmax" in o.get("text", "")]
    assert float(line.split("=")[1]) < 1e-5  # the neuron-view cell reproduces MiniLM's attention
    views = [o.data["text/plain"] for o in outputs if o.output_type == "execute_result"
             and "'pinned'" in o.data.get("text/plain", "")]
    assert views == ["{'layer': 3, 'pinned': {'side': 'query', 'index': 2}}"]
    # the SmolLM2 induction probe: the five best heads, best first (the section's text quotes the top one)
    probe = [line for o in outputs if o.output_type == "stream" for line in o.text.splitlines()
             if "(probe)" in line]
    assert len(probe) == 5 and probe[0].startswith("layer 18 head 6: induction 0.8"), probe
    # the large / small comparison: the five heads that changed most, largest first, then the mean
    changed = [line for o in outputs if o.output_type == "stream" for line in o.text.splitlines()
               if line.endswith("bits (changed)")]
    assert len(changed) == 5 and all(line.startswith("layer ") for line in changed), changed
    values = [float(line.split("divergence ")[1].split()[0]) for line in changed]
    assert values == sorted(values, reverse=True) and values[-1] > 0, values
    (mean,) = [line for o in outputs if o.output_type == "stream" for line in o.text.splitlines()
               if line.startswith("mean over the 72 heads:")]
    assert 0 < float(mean.split(":")[1].split()[0]) <= values[0]
    # SmolLM2 generation: the (greedy) answer, then one line per generated token naming a prompt token
    lines = [line for o in outputs if o.output_type == "stream" for line in o.text.splitlines()]
    (answer,) = [line for line in lines if " prompt tokens + " in line]
    assert "Paris" in answer, answer
    n_generated = int(answer.split(" prompt tokens + ")[1].split()[0])
    steps = [line for line in lines if line.startswith("generated ") and " -> prompt " in line]
    assert 0 < n_generated <= 12 and len(steps) == n_generated, (answer, steps)
    assert not any("(position 0," in line for line in steps)  # the sink is excluded
    # attention x gradient: the target, then raw attention vs attention x gradient for "it" and the last token
    (target,) = [line for line in lines if line.startswith("y = token ")]
    assert "at position 12: logit" in target, target
    ranked = [line for line in lines if line.startswith("query ")]
    assert len(ranked) == 4 and "'Ġit'" in ranked[0] and "'Ġtoo'" in ranked[2], ranked
    assert [("attention " in r, "attn x grad " in r) for r in ranked] == [(True, False), (False, True)] * 2
    assert all(line.count("'") == 2 * 4 for line in ranked), ranked  # the query and three keys
