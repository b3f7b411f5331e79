"""head_view() displays its widget once, even when it is also the cell's value."""
import pytest

IPython = pytest.importorskip("IPython")


@pytest.fixture
def no_display():
    """Overrides conftest's autouse stub: these tests need IPython's real display machinery."""
    return []


@pytest.fixture
def shell():
    from IPython.core.interactiveshell import InteractiveShell

    sh = InteractiveShell.instance()
    published = []
    original = sh.display_pub.publish
    sh.display_pub.publish = lambda data, metadata=None, **kw: published.append(data)
    hook_outputs = []
    original_hook = sh.displayhook.write_format_data
    sh.displayhook.write_format_data = lambda fmt, md=None: hook_outputs.append(fmt)
    yield sh, published, hook_outputs
    sh.display_pub.publish = original
    sh.displayhook.write_format_data = original_hook


SETUP = "import numpy as np\nfrom attnscope import head_view\natt = np.full((1, 2, 3, 3), 1 / 3)\n"
WIDGET_MIME = "application/vnd.jupyter.widget-view+json"


def widget_outputs(published, hook_outputs):
    return [d for d in published + hook_outputs if WIDGET_MIME in d]


def test_last_expression_shows_once(shell):
    sh, published, hook = shell
    sh.run_cell(SETUP)
    sh.run_cell("head_view(att, ['a', 'b', 'c'])")
    assert len(widget_outputs(published, hook)) == 1


def test_returned_widget_shows_again_in_a_later_cell(shell):
    sh, published, hook = shell
    sh.run_cell(SETUP + "w = head_view(att, ['a', 'b', 'c'])")
    assert len(widget_outputs(published, hook)) == 1
    sh.run_cell("w")
    outputs = widget_outputs(published, hook)
    assert len(outputs) == 2
    assert outputs[0][WIDGET_MIME]["model_id"] == outputs[1][WIDGET_MIME]["model_id"]


def test_not_last_expression_still_shows(shell):
    sh, published, hook = shell
    sh.run_cell(SETUP + "head_view(att, ['a', 'b', 'c'])\nx = 1")
    assert len(widget_outputs(published, hook)) == 1

