"""set_display / ATTNSCOPE_DISPLAY and the detection of frontends that cannot run the widget."""

import html
import re

import pytest

from attnscope.output import display as dm


@pytest.fixture(autouse=True)
def _reset():
    dm.set_display(None)
    yield
    dm.set_display(None)


@pytest.mark.parametrize(
    "environ, modules, frontend, shown",
    [
        ({}, {}, None, "widget"),  # JupyterLab, Notebook 7, nbclient
        ({"VSCODE_PID": "4242"}, {}, "vscode", "html"),
        ({"VSCODE_CWD": "/home/u"}, {}, "vscode", "html"),  # VS Code in WSL/containers sets only this one
        ({"VSCODE_PID": ""}, {}, None, "widget"),  # empty is unset
        ({}, {"google.colab": object()}, "colab", "html"),
        ({"VSCODE_PID": "1"}, {"google.colab": object()}, "colab", "html"),
        ({"JPY_PARENT_PID": "7"}, {"google": object()}, None, "widget"),  # google alone is not Colab
    ],
)
def test_auto_detects_colab_and_vscode(environ, modules, frontend, shown):
    assert dm.detect_frontend(environ, modules) == frontend
    assert dm.resolve_display(environ, modules) == shown


@pytest.mark.parametrize("value, shown", [("widget", "widget"), ("html", "html"), ("auto", "widget"),
                                          (" HTML ", "html"), ("", "widget")])
def test_environment_variable_chooses(value, shown):
    assert dm.resolve_display({dm.DISPLAY_ENV: value}, {}) == shown


def test_set_display_wins_over_environment_and_detection():
    dm.set_display("widget")
    assert dm.resolve_display({dm.DISPLAY_ENV: "html", "VSCODE_PID": "1"}, {"google.colab": 1}) == "widget"
    dm.set_display("html")
    assert dm.resolve_display({dm.DISPLAY_ENV: "widget"}, {}) == "html"
    dm.set_display(None)
    assert dm.resolve_display({dm.DISPLAY_ENV: "html"}, {}) == "html"


def test_bad_modes_are_clear_errors():
    with pytest.raises(ValueError, match=r"mode: got 'iframe'; expected one of 'widget', 'html', 'auto'"):
        dm.set_display("iframe")
    with pytest.raises(ValueError, match=r"mode: got 3"):
        dm.set_display(3)
    with pytest.raises(ValueError, match=r"ATTNSCOPE_DISPLAY: got 'yes'; expected one of"):
        dm.resolve_display({dm.DISPLAY_ENV: "yes"}, {})


def test_inline_page_keeps_the_page_whole_and_inert_as_attribute_text():
    page = '<!doctype html><html><body><script>var t = "a & b < c";</script><p class="x">it\'s</p></body></html>'
    out = dm.inline_page(page)
    assert out.startswith("<iframe ") and out.endswith("</iframe>")
    # exactly one element: the page lives in the srcdoc attribute, escaped, and decodes back to itself
    assert out.count("<") == 2
    (srcdoc,) = re.findall(r'srcdoc="([^"]*)"', out)
    assert html.unescape(srcdoc) == page
    assert "min-height:360px" in out


def _views():
    import numpy as np

    import attnscope

    rng = np.random.default_rng(0)
    x = np.exp(rng.normal(size=(2, 3, 4, 4))).astype(np.float32)
    return attnscope, x / x.sum(-1, keepdims=True), ["<b>a</b>", "b", "c", "d"]


def test_html_mode_displays_the_offline_page_instead_of_the_widget(recording_comm, no_display):
    attnscope, weights, tokens = _views()
    attnscope.set_display("html")
    w = attnscope.head_view(weights, tokens, layer=1)
    (bundle,) = no_display
    assert set(bundle) == {"text/html", "text/plain"}  # no widget mime type: nothing waits for a frontend
    (srcdoc,) = re.findall(r'srcdoc="([^"]*)"', bundle["text/html"])
    root = re.compile(r"attnscope-(root|data)-[0-9a-f]+")  # each page gets fresh element ids
    assert root.sub("ROOT", html.unescape(srcdoc)) == root.sub("ROOT", w.to_html())  # the page save_html writes
    assert "<b>a</b>" not in srcdoc  # the token is escaped twice over: attribute text of a page that escapes it
    assert bundle["text/plain"] == "attnscope views (head) of self attention [2 x 3 x 4 x 4]"
    assert w.head_statistics()["entropy"].shape == (2, 3)  # the returned widget still answers in Python


def test_widget_mode_is_unchanged(recording_comm, no_display):
    attnscope, weights, tokens = _views()
    attnscope.set_display("widget")
    attnscope.model_view(weights, tokens)
    (bundle,) = no_display
    assert "application/vnd.jupyter.widget-view+json" in bundle and "image/svg+xml" in bundle


def test_auto_in_vscode_shows_the_page(recording_comm, no_display, monkeypatch):
    attnscope, weights, tokens = _views()
    monkeypatch.setenv("VSCODE_PID", "99")
    attnscope.head_view(weights, tokens)
    (bundle,) = no_display
    assert "text/html" in bundle and "application/vnd.jupyter.widget-view+json" not in bundle
    assert "application/vnd.attnscope.view+json" not in bundle  # the page needs no labextension
