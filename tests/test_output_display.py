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
