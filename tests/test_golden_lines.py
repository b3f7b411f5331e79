"""The static head picture draws the lines of tests/fixtures/golden_lines.json, the file the widget's
collectLinks is tested against too (jest): same input, same rule, same lines and alphas."""

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pytest

from attnscope import head_view
from attnscope.constants import MIN_LINE_ALPHA
from attnscope.output.static_svg import render_svg
from attnscope.output.static_svg.lines import head_lines
from attnscope.wire.state import wire_sections

GOLDEN = json.loads((Path(__file__).parent / "fixtures" / "golden_lines.json").read_text(encoding="utf-8"))
CASES = GOLDEN["cases"]
NS = "{http://www.w3.org/2000/svg}"


def widget(case):
    att = np.array(GOLDEN["attention"], dtype=np.float32)
    w = head_view(att, GOLDEN["tokens"], layer=case["layer"], heads=case["heads"], prettify_tokens=False)
    if case["focus"] is not None:
        w.selection = {"pinned": case["focus"]}
    return w


def expected(case):
    return sorted((x["head"], x["query"], x["key"], x["alpha"]) for x in case["lines"])


def test_the_fixture_uses_the_shared_constants():
    assert GOLDEN["min_line_alpha"] == MIN_LINE_ALPHA
    assert np.array(GOLDEN["attention"]).shape == tuple(GOLDEN["shape"])
    assert any(len(c["lines"]) < len(c["heads"]) * 25 for c in CASES if c["focus"] is None)  # some are dropped


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_lines_and_alphas(case, recording_comm):
    w = widget(case)
    section = wire_sections(w._state())["self"]  # the weights as the page decodes them (float16)
    slots = [section.heads.index(h) for h in case["heads"]]
    hs, qs, ks, alphas, total = head_lines(lambda s: section.source.read(case["layer"], [section.heads[s]])[0],
                                           slots, case["focus"], keep=10_000)
    got = sorted((section.heads[h], q, k, a) for h, q, k, a in zip(hs.tolist(), qs.tolist(), ks.tolist(),
                                                                      alphas.tolist()))
    want = expected(case)
    assert total == len(want)
    assert [g[:3] for g in got] == [x[:3] for x in want]
    np.testing.assert_allclose([g[3] for g in got], [x[3] for x in want], rtol=0, atol=1e-6)


def picture_lines(svg):
    """(head, query, key, opacity) of every line of a head picture, tokens told apart by their rows."""
    root = ET.fromstring(svg)
    groups = [g for g in root.iter(f"{NS}g") if g.find(f"{NS}text") is not None]
    rows = {side: {float(t.get("y")): i for i, t in enumerate(g.iter(f"{NS}text"))}
            for side, g in zip(("query", "key"), groups)}
    out = []
    for g in root.iter(f"{NS}g"):
        if g.get("data-head") is None:
            continue
        for p in g.iter(f"{NS}path"):
            _, y1, _, y2 = (float(v) for v in p.get("d")[1:].split())
            out.append((int(g.get("data-head")), rows["query"][y1], rows["key"][y2], float(p.get("stroke-opacity"))))
    return sorted(out)


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_the_picture_draws_them(case, recording_comm):
    svg = widget(case)._repr_mimebundle_()["image/svg+xml"]
    got, want = picture_lines(svg), expected(case)
    assert [g[:3] for g in got] == [x[:3] for x in want]
    np.testing.assert_allclose([g[3] for g in got], [max(x[3], 0.001) for x in want], atol=5e-4)
    assert render_svg(widget(case)._state()) == svg  # the picture is a function of the state
