"""attnscope's own output mimetype (issue 16 item 3): every widget bundle names the model and nothing
else, so that the labextension can render the views from the notebook's saved widget state when the
page has no live model (No Kernel, untrusted notebooks); the tensors are never copied into the output."""

import json
import re
from pathlib import Path

import numpy as np

import attnscope
from attnscope import head_view, model_view
from attnscope._frontend import VIEW_MIMETYPE, VIEW_MIMETYPE_VERSION

ROOT = Path(__file__).resolve().parents[1]
WIDGET_MIME = "application/vnd.jupyter.widget-view+json"


def softmax(shape, seed=0):
    x = np.random.default_rng(seed).normal(size=shape)
    e = np.exp(x - x.max(-1, keepdims=True))
    return e / e.sum(-1, keepdims=True)


def test_the_bundle_names_the_model_and_holds_no_data(recording_comm, no_display):
    w = model_view(softmax((2, 3, 5, 5)), list("abcde"))
    bundle = w._repr_mimebundle_()
    assert bundle[VIEW_MIMETYPE] == {"model_id": w.model_id, "version": VIEW_MIMETYPE_VERSION}
    assert bundle[VIEW_MIMETYPE]["model_id"] == bundle[WIDGET_MIME]["model_id"]
    assert len(json.dumps(bundle[VIEW_MIMETYPE])) < 100
    # the fallbacks for frontends without the labextension stay
    assert "image/svg+xml" in bundle and "text/plain" in bundle


def test_lazy_widgets_carry_it_too(recording_comm, no_display):
    w = head_view(softmax((2, 2, 4, 4)), list("abcd"), lazy=True)
    assert w._repr_mimebundle_()[VIEW_MIMETYPE]["model_id"] == w.model_id


def test_html_mode_has_no_view_mimetype(recording_comm, no_display):
    attnscope.set_display("html")
    try:
        head_view(softmax((1, 2, 3, 3)), list("xyz"))
    finally:
        attnscope.set_display(None)
    (bundle,) = no_display
    assert VIEW_MIMETYPE not in bundle and set(bundle) == {"text/html", "text/plain"}


def test_the_labextension_renders_the_same_mimetype():
    source = (ROOT / "src" / "output-renderer.ts").read_text(encoding="utf-8")
    (name,) = re.findall(r"VIEW_MIMETYPE = '([^']+)'", source)
    (version,) = re.findall(r"VIEW_MIMETYPE_VERSION = (\d+)", source)
    assert (name, int(version)) == (VIEW_MIMETYPE, VIEW_MIMETYPE_VERSION)
