"""render-constants.json: the one source of the drawing constants, read by the static picture (and by the
TypeScript side); the wheel carries it inside the package."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

import attnscope.constants as constants

ROOT = Path(__file__).resolve().parent.parent
FILE = ROOT / "render-constants.json"


def test_python_reads_every_constant_from_the_file():
    data = json.loads(FILE.read_text(encoding="utf-8"))
    assert constants.HEAD_COLORS == tuple(data["head_colors"]) and len(constants.HEAD_COLORS) == 64
    assert constants.MIN_LINE_ALPHA == data["min_line_alpha"]
    assert constants.SUMMARY_RESOLUTION == data["summary_resolution"]
    assert constants.MAX_LINE_TOKENS == data["max_line_tokens"]
    assert constants.HEATMAP_ALPHA_EXPONENT == data["heatmap_alpha_exponent"]
    assert constants.CANVAS_LINE_THRESHOLD == data["canvas_line_threshold"]
    assert constants.head_color(64) == constants.HEAD_COLORS[0]  # more heads than colours repeat them


def test_the_wheel_carries_the_file_inside_the_package():
    tomllib = pytest.importorskip("tomllib")
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    include = config["tool"]["hatch"]["build"]["targets"]["wheel"]["force-include"]
    assert include["render-constants.json"] == "attnscope/render-constants.json"
    assert constants.SEARCH_PATH[0] == Path(constants.__file__).resolve().parent / "render-constants.json"


def test_an_installed_package_finds_the_file_next_to_it(tmp_path):
    """The installed layout: site-packages/attnscope/ with the file inside and no checkout around it."""
    site = tmp_path / "site-packages"
    (site / "attnscope").mkdir(parents=True)
    (site / "attnscope" / "constants.py").write_text(Path(constants.__file__).read_text(encoding="utf-8"))
    data = json.loads(FILE.read_text(encoding="utf-8"))
    data["max_line_tokens"] = 7  # not the checkout's value: the copy next to the module is the one read
    (site / "attnscope" / "render-constants.json").write_text(json.dumps(data), encoding="utf-8")
    (site / "attnscope" / "__init__.py").write_text("", encoding="utf-8")
    code = "import attnscope.constants as c; print(c.PATH.parent.name, c.MAX_LINE_TOKENS)"
    out = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env={"PYTHONPATH": str(site)},
                         capture_output=True, text=True, check=True).stdout.split()
    assert out == ["attnscope", "7"]


def test_a_package_without_the_file_says_so(tmp_path):
    site = tmp_path / "site-packages"
    (site / "attnscope").mkdir(parents=True)
    (site / "attnscope" / "constants.py").write_text(Path(constants.__file__).read_text(encoding="utf-8"))
    (site / "attnscope" / "__init__.py").write_text("", encoding="utf-8")
    run = subprocess.run([sys.executable, "-c", "import attnscope.constants"], cwd=tmp_path,
                         env={"PYTHONPATH": str(site)}, capture_output=True, text=True)
    assert run.returncode != 0 and "render-constants.json is missing" in run.stderr
