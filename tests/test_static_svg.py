"""Static fallback (attnscope.output.static_svg): the SVG in the widget's mimebundle for GitHub, nbviewer & co."""

import re
import xml.etree.ElementTree as ET

import numpy as np
import pytest

import attnscope.output.static_svg as fb
from attnscope import AttentionWidget, head_view, model_view
from attnscope._frontend import VIEW_MIMETYPE
from attnscope.analysis.pooling import pool
from attnscope.constants import HEAD_COLORS, MAX_LINE_TOKENS
from attnscope.output.static_svg import MAX_BYTES, render_svg, xml_text

NS = "{http://www.w3.org/2000/svg}"
WIDGET_MIME = "application/vnd.jupyter.widget-view+json"


def softmax(shape, seed=0, scale=1.0):
    x = np.random.default_rng(seed).standard_normal(size=shape, dtype=np.float32)
    x *= scale
    x -= x.max(-1, keepdims=True)
    np.exp(x, out=x)
    x /= x.sum(-1, keepdims=True)
    return x


def parse(svg):
    root = ET.fromstring(svg)  # raises on anything that is not well-formed XML
    assert root.tag == f"{NS}svg"
    return root


def texts(root):
    return [t.text or "" for t in root.iter(f"{NS}text")]


def lines(root):
    """(colour, d, opacity) of each attention line in a head picture."""
    out = []
    for g in root.iter(f"{NS}g"):
        if "stroke" in g.attrib:
            out += [(g.get("stroke"), p.get("d"), float(p.get("stroke-opacity"))) for p in g.iter(f"{NS}path")]
    return out


def state(widget, **changes):
    return {**widget._state(), **changes}


def test_mimebundle_has_the_picture_and_the_widget(recording_comm):
    w = head_view(softmax((2, 3, 4, 4)), ["a", "b", "c", "d"])
    bundle = w._repr_mimebundle_()
    assert set(bundle) == {"text/plain", WIDGET_MIME, "image/svg+xml", VIEW_MIMETYPE}
    assert bundle[WIDGET_MIME]["model_id"] == w.model_id
    assert texts(parse(bundle["image/svg+xml"]))[-8:] == ["a", "b", "c", "d"] * 2


def test_head_view_displays_the_picture_too(no_display, recording_comm):
    w = head_view(softmax((1, 2, 3, 3)), ["x", "y", "z"])
    (shown,) = [d for d in no_display if isinstance(d, dict) and WIDGET_MIME in d]
    assert shown[WIDGET_MIME]["model_id"] == w.model_id and "<svg" in shown["image/svg+xml"]


TOKENS = ["</script><script>alert(1)</script>", "<!--", "a & b", "nul\x00", "tab\there", "cr\rlf\n", "del\x7f",
          "\x1b[31m", "bad\ufffe\uffff", "lone\ud800", "\u2028", " cat", "😀", "]]>", "x" * 60]
EXPECTED = ["</script><script>alert(1)</script>", "<!--", "a & b", "nul\u2400", "tab\u2409here",
            "cr\u240dlf\u240a", "del\u2421", "\u241b[31m", "bad\ufffd\ufffd", "lone\ufffd", "\u2028", " cat", "😀",
            "]]>", "x" * 39 + "…"]


@pytest.mark.filterwarnings("ignore:.*lone surrogates:UserWarning")
def test_tokens_are_escaped_text_and_control_characters_visible(recording_comm):
    n = len(TOKENS)
    w = head_view(softmax((1, 2, n, n)), TOKENS)
    for view in ("head", "model"):
        svg = render_svg(state(w, views=[view]))
        svg.encode("utf-8")  # no lone surrogate left
        root = parse(svg)
        if view == "head":
            assert texts(root)[-2 * n:] == EXPECTED * 2
            assert len(root.findall(f".//{NS}script")) == 0
    assert xml_text("".join(map(chr, range(32)))) == "".join(map(chr, range(0x2400, 0x2420)))
    assert xml_text("é\u0085\ue000\U0001f600") == "é\u0085\ue000\U0001f600"  # allowed characters stay


def test_line_opacity_is_weight_over_active_heads(recording_comm):
    a = np.array([[[[0.5, 0.5, 0.0], [0.001, 0.009, 0.99], [1 / 3] * 3],
                   [[0.2, 0.3, 0.5], [1.0, 0.0, 0.0], [0.0, 0.0, 1.0]]]], dtype=np.float32)
    w = head_view(a, ["p", "q", "r"])
    got = lines(parse(render_svg(state(w))))
    exp = [(HEAD_COLORS[h], q, k, a[0, h, q, k] / 2) for h in range(2) for q in range(3) for k in range(3)
           if a[0, h, q, k] / 2 >= 1 / 255]
    assert len(got) == len(exp) == 12  # 0.001 / 2 and the zeros are under 1/255: not drawn
    g, e = sorted((c, o) for c, _, o in got), sorted((c, float(o)) for c, _, _, o in exp)
    assert [c for c, _ in g] == [c for c, _ in e]
    np.testing.assert_allclose([o for _, o in g], [o for _, o in e], atol=6e-4)  # 3 decimals, float16
    # one head active: full weight; query rows and key rows are joined by the right lines
    w.heads = [1]
    got = lines(parse(render_svg(state(w))))
    ys = sorted({float(v) for d in (x[1] for x in got) for v in re.findall(r"[\d.]+", d)[1::2]})
    pairs = {(ys.index(float(d.split()[1])), ys.index(float(d.split()[3])), o) for _, d, o in got}
    assert pairs == {(0, 0, 0.2), (0, 1, 0.3), (0, 2, 0.5), (1, 0, 1.0), (2, 2, 1.0)}
    assert {c for c, _, _ in got} == {HEAD_COLORS[1]}


def test_pinned_token_keeps_only_its_lines(recording_comm):
    a = softmax((2, 4, 5, 5), seed=3)
    w = head_view(a, list("abcde"), layer=1)
    w.selection = {"pinned": {"side": "query", "index": 2}, "heads": [1, 3]}
    root = parse(render_svg(state(w)))
    got = lines(root)
    assert len(got) == 10 and {c for c, _, _ in got} == {HEAD_COLORS[1], HEAD_COLORS[3]}
    assert len({d.split()[1] for _, d, _ in got}) == 1  # every line starts at query 2
    assert "Pinned query token 2: c" in texts(root)
    assert any("layer 1 · heads 1, 3" in t for t in texts(root))


def test_real_head_ids_and_neuron_only_widgets(recording_comm):
    a = softmax((3, 6, 4, 4))
    w = model_view(a, list("abcd"), include_layers=[2, 0], include_heads=[5, 1, 4])
    root = parse(render_svg(state(w)))
    caption = texts(root)[0]
    assert caption.startswith("attnscope · model view · Attention · 2 layers × 3 heads · 4 tokens")
    assert texts(root)[2:7] == ["5", "1", "4", "2", "0"]  # column (head) and row (layer) labels
    thumbs = [(g.get("data-layer"), g.get("data-head"), g.get("stroke")) for g in root.iter(f"{NS}g")
              if g.get("data-head") is not None]  # 4 tokens: each thumbnail drawn as lines, as the widget
    assert thumbs == [(str(layer), str(head), HEAD_COLORS[slot]) for layer in (2, 0)
                      for slot, head in enumerate((5, 1, 4))]  # colour by head slot, as the widget
    w.views = ["neuron"]
    assert texts(parse(render_svg(state(w))))[0].startswith("attnscope · head view · Attention · layer 2")


def test_cross_section_picture(recording_comm):
    cross = softmax((2, 2, 3, 5))
    w = AttentionWidget.from_arrays(
        [dict(key="cross", attention=cross, layers=[0, 1], query_tokens=list("xyz"), key_tokens=list("abcde")),
         dict(key="encoder", attention=softmax((2, 2, 5, 5)), layers=[0, 1], query_tokens=list("abcde"),
              key_tokens=list("abcde"))], section="cross")
    root = parse(render_svg(state(w)))
    assert texts(root)[0].startswith("attnscope · head view · Cross · layer 0 · all heads · 3 tokens → 5 tokens")
    assert texts(root)[-8:] == list("xyzabcde")


def test_pooling_matches_the_widget_thumbnails():
    rng = np.random.default_rng(0)
    m = rng.random((2, 1, 7, 9)).astype(np.float32)
    rows, cols = 3, 4
    exp = np.zeros((rows, cols))
    cnt = np.zeros((rows, cols))
    for q in range(7):  # poolMatrix of src/render/thumbnails.ts
        for k in range(9):
            exp[q * rows // 7, k * cols // 9] += m[1, 0, q, k]
            cnt[q * rows // 7, k * cols // 9] += 1
    np.testing.assert_allclose(pool(m, rows, cols)[1, 0], exp / cnt, rtol=1e-6)


def test_a_failing_picture_does_not_break_the_display(recording_comm, monkeypatch):
    w = head_view(softmax((1, 1, 2, 2)), ["a", "b"])

    def boom(*_args):
        raise ValueError("nope")

    monkeypatch.setattr(fb, "render_svg", boom)
    with pytest.warns(RuntimeWarning, match="no static picture for this widget .ValueError: nope"):
        bundle = w._repr_mimebundle_()
    assert WIDGET_MIME in bundle and "image/svg+xml" not in bundle


@pytest.fixture(scope="module")
def sizes():
    """S (6 layers x 12 heads x 32 tokens) and M (12 x 12 x 512) widgets, normal and peaked softmax."""
    import comm
    from comm.base_comm import BaseComm

    class Quiet(BaseComm):
        def publish_msg(self, *args, **kwargs):
            pass

    original = comm.create_comm
    comm.create_comm = Quiet
    try:
        out = {}
        for name, n_l, n in (("S", 6, 32), ("M", 12, 512)):
            for scale in (1.0, 4.0):
                att, toks = softmax((n_l, 12, n, n), scale=scale), [f"tok{i}" for i in range(n)]
                out[name, scale] = AttentionWidget.from_arrays(
                    [dict(key="self", attention=att, layers=list(range(n_l)), query_tokens=toks, key_tokens=toks)])
                del att
        yield out
    finally:
        comm.create_comm = original


@pytest.mark.parametrize("name", ["S", "M"])
@pytest.mark.parametrize("scale", [1.0, 4.0])
@pytest.mark.parametrize("view", ["head", "model"])
def test_small_valid_and_fast(sizes, name, scale, view, monkeypatch):
    w = sizes[name, scale]
    st = state(w, views=[view])
    reads = count_reads(monkeypatch)
    svg = render_svg(st)
    size = len(svg.encode("utf-8"))
    root = parse(svg)
    n = len(w.sections[0]["query_tokens"])
    n_layers = len(w.sections[0]["layers"])
    assert size < MAX_BYTES, size
    if view == "head":  # the work, counted: each active head of the shown layer is read once
        assert reads == [(0, [h]) for h in range(12)]
    else:  # every head of a layer at once, each layer once per resolution tried
        assert all(heads == list(range(12)) for _, heads in reads) and n_layers <= len(reads) <= 4 * n_layers
    if view == "head":
        assert texts(root)[-2 * n:] == [f"tok{i}" for i in range(n)] * 2
        capped = [t for t in texts(root) if t.startswith("Showing the")]
        if name == "M" and scale == 4.0:  # thousands of visible lines: the cap applies and says so
            assert capped and re.match(r"Showing the [\d,]+ strongest of [\d,]+ lines", capped[0])
        assert len(lines(root)) > 100
    elif n <= MAX_LINE_TOKENS:  # thumbnails of short inputs are lines, one group per (layer, head)
        n_layers = len(w.sections[0]["layers"])
        groups = [g for g in root.iter(f"{NS}g") if g.get("stroke") in HEAD_COLORS and g.get("data-layer")]
        assert len(groups) == n_layers * 12 and all(g.find(f"{NS}path") is not None for g in groups)
    else:  # heatmaps, one group per head colour
        assert len([g for g in root.iter(f"{NS}g") if g.get("fill") in HEAD_COLORS]) == 12


def count_reads(monkeypatch):
    """(layer, heads) of every read of the pictures' weights from then on (the work they do)."""
    from attnscope.wire.state import EagerWireSource

    reads, original = [], EagerWireSource.read

    def spy(self, layer, heads, out=None):
        reads.append((layer, list(heads)))
        return original(self, layer, heads, out)

    monkeypatch.setattr(EagerWireSource, "read", spy)
    return reads


def test_mimebundle_for_m_reads_only_the_shown_layer(sizes, monkeypatch):
    w = sizes["M", 4.0]
    reads = count_reads(monkeypatch)
    bundle = w._repr_mimebundle_()
    assert reads == [(0, [h]) for h in range(12)]  # the head picture of layer 0: one head at a time
    assert len(bundle["image/svg+xml"].encode()) < MAX_BYTES
