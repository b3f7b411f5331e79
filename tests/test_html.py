"""Offline HTML (attnscope.output.html): page structure, escaping, payload round trip, no network loads, APIs.

Escaping and the APIs are tested against a stub bundle written to tmp_path (so they run in a source
checkout without a build); the checks that concern the real bundle (attnscope/static) skip with a
reason when it has not been built (`npm run build`).
"""

import base64
import json
import re
import shutil
import subprocess
import zlib
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pytest

import attnscope
import attnscope.output.html as export
from attnscope import AttentionWidget, from_model, head_view, model_view
from attnscope.api import dashboard
from conftest import sent_state

REAL_STATIC = Path(export.__file__).resolve().parent.parent / "static"
NASTY = ["[CLS]", "</script><script>alert(1)</script>", "<!--", "-->", "a\u2028b\u2029c", "</SCRIPT >",
         "<script>", "&amp;", "\"'", "x\ud800y", "nul\x00", "😀", "[SEP]"]
# a lone surrogate cannot travel as UTF-8 (the kernel could not send the widget): it becomes U+FFFD
SHOWN = [t.replace("\ud800", "\ufffd") for t in NASTY]
SVG_NS = "http://www.w3.org/2000/svg"
# the stub exercises what a real bundle may contain: the SVG namespace (a string, not a load),
# and "</script>" / "<!--" inside string literals, which must not end the element or open a comment
STUB_JS = ('var attnscope=function(){var NS="' + SVG_NS + '";var END="</script>",OPEN="<!--";'
           'function mount(el,p){el.setAttribute("data-state","ready");return Promise.resolve([NS,END,OPEN])}'
           'return{mount:mount,END:END,OPEN:OPEN}}();')
STUB_CSS = ".attnscope-view{color:#222}/* </style> in a comment */"


def softmax(shape, seed=0, scale=1.0):
    x = np.random.default_rng(seed).normal(size=shape) * scale
    e = np.exp(x - x.max(-1, keepdims=True))
    return (e / e.sum(-1, keepdims=True)).astype(np.float32)


@pytest.fixture
def stub_static(tmp_path, monkeypatch):
    static = tmp_path / "static"
    static.mkdir()
    (static / "standalone.js").write_text(STUB_JS, encoding="utf-8")
    (static / "standalone.css").write_text(STUB_CSS, encoding="utf-8")
    monkeypatch.setattr(export, "STATIC_DIR", static)
    return static


@pytest.fixture
def real_static(monkeypatch):
    if not (REAL_STATIC / "standalone.js").is_file() or not (REAL_STATIC / "standalone.css").is_file():
        pytest.skip("attnscope/static/standalone.js is not built; run `npm run build` (or build:standalone)")
    monkeypatch.setattr(export, "STATIC_DIR", REAL_STATIC)
    return REAL_STATIC


class Page(HTMLParser):
    """Elements as a browser's tokenizer sees them: script/style bodies are raw text."""

    def __init__(self, text):
        super().__init__(convert_charrefs=True)
        self.elements = []  # (tag, attrs dict, text)
        self.stack = []
        self.feed(text)
        self.close()

    def handle_starttag(self, tag, attrs):
        el = [tag, dict(attrs), ""]
        self.elements.append(el)
        if tag not in ("meta", "link", "img", "br", "input"):
            self.stack.append(el)

    def handle_endtag(self, tag):
        while self.stack:
            if self.stack.pop()[0] == tag:
                break

    def handle_data(self, data):
        if self.stack:
            self.stack[-1][2] += data

    def all(self, tag):
        return [e for e in self.elements if e[0] == tag]


def parse(page):
    doc = Page(page)
    scripts = doc.all("script")
    assert len(scripts) == 3, [s[1] for s in scripts]
    data, bundle, mount = scripts
    assert data[1]["type"] == "application/json" and re.fullmatch(r"attnscope-data-[0-9a-f]+", data[1]["id"])
    assert bundle[1] == {} and mount[1] == {}
    uid = data[1]["id"].rsplit("-", 1)[1]
    (root,) = [e for e in doc.all("div") if e[1].get("id") == f"attnscope-root-{uid}"]
    assert f"document.getElementById(\"attnscope-root-{uid}\")" in mount[2]
    assert f"document.getElementById(\"attnscope-data-{uid}\")" in mount[2]
    return doc, json.loads(data[2]), bundle[2], data[2]


def inflate(wire):
    return zlib.decompress(base64.b64decode(wire["deflate"]))


@pytest.mark.filterwarnings("ignore:.*lone surrogates:UserWarning")
def test_tokens_stay_text_and_payload_round_trips(stub_static, recording_comm):
    a = softmax((2, 3, len(NASTY), len(NASTY)))
    w = head_view(a, NASTY, sentence_b_start=3, layer=1, heads=[0, 2])
    w.selection = {"pinned": {"side": "key", "index": 1}}
    page = w.to_html()
    doc, payload, _, raw_json = parse(page)
    # nothing in the JSON can end the element, open a comment or break an old JS parser
    for ch in "<>&\u2028\u2029":
        assert ch not in raw_json
    for literal in ("\\u003c/script\\u003e", "\\u003c!--", "\\u2028", "\\u0026amp;"):
        assert literal in raw_json
    assert "\\ud800" not in raw_json
    sec = payload["sections"][0]
    assert sec["query_tokens"] == sec["key_tokens"] == SHOWN
    assert payload["format"] == "attnscope-standalone" and payload["version"] == 1
    assert (payload["views"], payload["layer"], payload["heads"], payload["section"], payload["sentence_b_start"]) \
        == (["head"], 1, [0, 2], "self", 3)
    assert payload["selection"]["pinned"] == {"side": "key", "index": 1}
    # every field of the section as the widget sends it, the buffer now deflated
    sent = sent_state(w)["sections"][0]
    assert set(sec) == set(sent) | {"scores"}  # the head scores, computed after the widget was shown
    table = sec["scores"]
    assert table["values"]["shape"] == [2, 3, len(table["names"])] and "deflate" in table["values"]
    assert {k: v for k, v in sec.items() if k not in ("attention", "scores")} == \
        {k: v for k, v in sent.items() if k != "attention"}
    assert set(sec["attention"]) == {"dtype", "shape", "deflate"}
    assert sec["attention"]["dtype"] == "float16" and sec["attention"]["shape"] == list(a.shape)
    assert inflate(sec["attention"]) == bytes(sent["attention"]["buffer"])
    # the tokens never appear as markup anywhere in the page
    assert "<script>alert(1)" not in page and "x\ud800y" not in page
    assert [e[0] for e in doc.elements].count("script") == 3


def test_bundle_end_tags_and_comment_openers_are_neutralised(stub_static, recording_comm):
    page = head_view(softmax((1, 1, 2, 2)), ["a", "b"]).to_html()
    doc, _, bundle, _ = parse(page)
    assert "</script" not in bundle.lower() and "<!--" not in bundle
    assert 'END="<\\/script>"' in bundle and 'OPEN="\\x3C!--"' in bundle
    styles = doc.all("style")
    assert any("</style>" not in s[2] and "<\\/style>" in s[2] for s in styles)
    node = shutil.which("node")
    if node is None:
        pytest.skip("node not on PATH: cannot check that the neutralised bundle means the same")
    out = subprocess.run([node, "-e", bundle + ";console.log(JSON.stringify([attnscope.END, attnscope.OPEN]))"],
                         capture_output=True, text=True, check=True).stdout
    assert json.loads(out) == ["</script>", "<!--"]


# a load: an attribute or CSS construct that fetches something, or a protocol-relative/absolute URL in one
LOADS = [
    re.compile(r"""\b(?:src|href|action|data|poster|srcset|xlink:href)\s*=\s*["']?\s*(?:https?:)?//""", re.I),
    re.compile(r"""url\(\s*["']?\s*(?:https?:)?//""", re.I),
    re.compile(r"@import", re.I),
    re.compile(r"<(?:link|iframe|img|embed|object|base)\b", re.I),
    re.compile(r"<script[^>]*\bsrc\b", re.I),
    re.compile(r"""\bimportScripts\s*\(|\bimport\s*\(\s*["'`]https?:""", re.I),
]
XML_NAMESPACES = {"http://www.w3.org/2000/svg", "http://www.w3.org/1999/xhtml", "http://www.w3.org/1999/xlink",
                  "http://www.w3.org/2000/xmlns/", "http://www.w3.org/XML/1998/namespace"}


def check_no_network(page):
    for rx in LOADS:
        assert not rx.search(page), f"page loads something: {rx.search(page).group()!r}"


@pytest.mark.filterwarnings("ignore:.*lone surrogates:UserWarning")
def test_real_bundle_page_loads_nothing(real_static, recording_comm):
    js = (real_static / "standalone.js").read_text(encoding="utf-8")
    css = (real_static / "standalone.css").read_text(encoding="utf-8")
    for rx in LOADS:
        assert not rx.search(js) and not rx.search(css), rx.pattern
    w = head_view(softmax((2, 3, len(NASTY), len(NASTY))), NASTY)
    w.views = ["head", "model", "neuron"]
    page = w.to_html()
    check_no_network(page)
    doc, payload, bundle, _ = parse(page)
    assert payload["sections"][0]["query_tokens"] == SHOWN
    # URLs may appear inside the code (XML namespaces are names, not loads); outside it there are none
    outside = page.replace(bundle, "")
    assert not re.search(r"https?://", outside)
    assert "</script" not in bundle.lower() and "<!--" not in bundle
    assert doc.all("style") and all("@import" not in s[2] for s in doc.all("style"))


def test_the_no_network_check_catches_loads():
    for bad in ('<script src="https://cdn.example/x.js">', "<link rel=stylesheet href=//cdn/x.css>",
                "a{background:url( 'http://x/y.png')}", "@import 'x.css';", '<img src="data:x">'):
        with pytest.raises(AssertionError):
            check_no_network(bad)
    check_no_network(f'var NS="{SVG_NS}";el.setAttribute("href","#x")')


def test_caption_and_title(stub_static, recording_comm):
    page = head_view(softmax((6, 12, 14, 14)), [f"t{i}" for i in range(14)]).to_html()
    doc = Page(page)
    text = "attnscope: head view · 6 layers × 12 heads · 14 tokens"
    assert doc.all("title")[0][2] == text
    assert [e[2] for e in doc.all("p") if e[1].get("class") == "attnscope-caption"] == [text]
    enc, cross = softmax((2, 4, 5, 5)), softmax((3, 4, 3, 5))
    state = AttentionWidget.from_arrays(
        [dict(key="cross", attention=cross, layers=[0, 1, 2], query_tokens=list("xyz"), key_tokens=list("abcde")),
         dict(key="encoder", attention=enc, layers=[0, 1], query_tokens=list("abcde"), key_tokens=list("abcde"))],
        section="cross", views=("head", "model"))._state()
    assert export.caption(state) == ("attnscope: head + model views · 3 layers × 4 heads · "
                                     "3 query × 5 key tokens · Encoder / Cross")


def test_vectors_and_every_section_are_compressed(stub_static, recording_comm):
    L, H, Q, d = 2, 2, 4, 8
    q = np.random.default_rng(1).normal(size=(L, H, Q, d)).astype(np.float32)
    k = np.random.default_rng(2).normal(size=(L, H, Q, d)).astype(np.float32)
    att = softmax((L, H, Q, Q))
    obj = dashboard(("neuron",), att, list("abcd"), queries=q, keys=k, scale=0.5, html_action="return")
    _, payload, _, _ = parse(obj.data)
    sec = payload["sections"][0]
    assert sec["scale"] == 0.5 and sec["causal"] is False
    assert np.array_equal(np.frombuffer(inflate(sec["queries"]), "<f4").reshape(L, H, Q, d), q)
    assert np.array_equal(np.frombuffer(inflate(sec["keys"]), "<f4").reshape(L, H, Q, d), k)
    enc, dec, cross = softmax((2, 4, 5, 5)), softmax((3, 4, 3, 3)), softmax((3, 4, 3, 5))
    obj = model_view(encoder_attention=enc, decoder_attention=dec, cross_attention=cross,
                     encoder_tokens=list("abcde"), decoder_tokens=list("xyz"), html_action="return")
    _, payload, _, _ = parse(obj.data)
    for sec, a in zip(payload["sections"], (enc, dec, cross)):
        got = np.frombuffer(inflate(sec["attention"]), "<f2").reshape(a.shape)
        np.testing.assert_array_equal(got, a.astype("<f2"))


def test_data_is_compressed(stub_static, recording_comm):
    a = np.tril(softmax((4, 8, 64, 64), scale=3))  # causal-looking: mostly zeros
    a /= a.sum(-1, keepdims=True)
    page = head_view(a, [f"t{i}" for i in range(64)], html_action="return").data
    raw = a.astype("<f2").nbytes
    _, payload, _, _ = parse(page)
    # half the weights are 0 and compress away; float16 mantissas of the others hardly compress
    assert len(inflate(payload["sections"][0]["attention"])) == raw
    assert len(base64.b64decode(payload["sections"][0]["attention"]["deflate"])) < 0.6 * raw
    assert len(page.encode()) < 0.8 * raw + 10_000


def test_html_action_return_builds_no_widget(stub_static, recording_comm, no_display):
    from IPython.display import HTML

    a = softmax((2, 3, 4, 4))
    for obj in (head_view(a, list("abcd"), html_action="return"),
                model_view(a, list("abcd"), include_heads=[2, 0], html_action="return"),
                attnscope.Attentions(attention=a, tokens=list("abcd")).show(html_action="return")):
        assert isinstance(obj, HTML)
        parse(obj.data)
    assert recording_comm == [] and no_display == []  # nothing opened, nothing displayed
    _, payload, _, _ = parse(model_view(a, list("abcd"), include_heads=[2, 0], html_action="return").data)
    assert payload["views"] == ["model"] and payload["sections"][0]["heads"] == [2, 0]


def test_save_html_forms(stub_static, recording_comm, no_display, tmp_path):
    a = softmax((2, 3, 4, 4))
    w = head_view(a, list("abcd"))
    comms = len(recording_comm)  # the widget and its layout
    p1 = w.save_html(tmp_path / "w.html")
    p2 = attnscope.save_html(str(tmp_path / "w2.html"), w)
    p3 = attnscope.save_html(tmp_path / "a.html", attnscope.Attentions(attention=a, tokens=list("abcd")),
                             views=["head", "model"], layer=1)
    p4 = attnscope.save_html(tmp_path / "k.html", attention=a, tokens=list("abcd"), heads=[1])
    assert all(isinstance(p, Path) and p.is_file() for p in (p1, p2, p3, p4))
    payloads = [parse(p.read_text(encoding="utf-8"))[1] for p in (p1, p2, p3, p4)]
    assert [(x["views"], x["layer"], x["heads"]) for x in payloads] == [
        (["head"], 0, [0, 1, 2]), (["head"], 0, [0, 1, 2]), (["head", "model"], 1, [0, 1, 2]), (["head"], 0, [1])]
    assert len(recording_comm) == comms  # saving opens no widget
    with pytest.raises(TypeError, match="do not apply to a widget"):
        attnscope.save_html(tmp_path / "x.html", w, views=["model"])
    with pytest.raises(TypeError, match="expected an AttentionWidget"):
        attnscope.save_html(tmp_path / "x.html", a)
    with pytest.raises(ValueError, match="html_action"):
        attnscope.save_html(tmp_path / "x.html", attention=a, tokens=list("abcd"), html_action="view")
    with pytest.raises(ValueError, match="tokens"):  # head_view's own checks
        attnscope.save_html(tmp_path / "x.html", attention=a, tokens=list("abc"))


def test_missing_bundle_says_how_to_build(tmp_path, monkeypatch, recording_comm):
    monkeypatch.setattr(export, "STATIC_DIR", tmp_path / "nowhere")
    w = head_view(softmax((1, 1, 2, 2)), ["a", "b"])
    with pytest.raises(RuntimeError, match=r"standalone bundle is missing .*npm run build"):
        w.save_html(tmp_path / "x.html")
    with pytest.raises(RuntimeError, match="npm run build"):
        head_view(softmax((1, 1, 2, 2)), ["a", "b"], html_action="return")
    assert not (tmp_path / "x.html").exists()


@pytest.mark.slow
def test_neuron_view_html_action_return(minilm, stub_static, recording_comm, no_display):
    model, tok = minilm
    obj = attnscope.neuron_view(model, tok, "The cat sat.", layer=2, head=1, views=("head", "neuron"),
                                html_action="return")
    _, payload, _, _ = parse(obj.data)
    assert payload["views"] == ["head", "neuron"] and payload["layer"] == 2 and payload["heads"] == [1]
    assert "queries" in payload["sections"][0] and recording_comm == [] and no_display == []
    att = from_model(model, tok, "The cat sat.")
    assert parse(att.show(views=("model",), html_action="return").data)[1]["views"] == ["model"]
