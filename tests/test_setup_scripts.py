"""The set-up side of the repository as a newcomer meets it (issue 16, items 9 and 12).

- `npm start` (.ci/demo.sh) passes --allow-root to JupyterLab exactly when it runs as root: run in
  a copy of the script's folder with set-up, `jupyter` and `id` replaced by recorders.
- The sdist carries the built labextension and the offline-page bundle, and installing it builds a
  wheel with no Node on PATH (npm is never called).
"""

import shutil
import stat
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _script(path: Path, body: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("#!/usr/bin/env bash\n" + body)
    path.chmod(path.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)


@pytest.mark.parametrize("uid, allow_root", [("0", True), ("1000", False)])
def test_demo_allows_root_only_as_root(tmp_path, uid, allow_root):
    shutil.copytree(ROOT / ".ci", tmp_path / ".ci", ignore=shutil.ignore_patterns("setup.sh"))
    _script(tmp_path / ".ci" / "setup.sh", "exit 0\n")
    args = tmp_path / "jupyter-args"
    _script(tmp_path / ".venv" / "bin" / "jupyter", f'printf "%s\\n" "$@" > "{args}"\n')
    _script(tmp_path / ".venv" / "bin" / "id", f'[ "$1" = -u ] && echo {uid}\n')
    done = subprocess.run(["bash", str(tmp_path / ".ci" / "demo.sh"), "--no-browser"],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    got = args.read_text().split("\n")[:-1]
    expected = ["lab"] + (["--allow-root"] if allow_root else []) + ["examples/quickstart.ipynb", "--no-browser"]
    assert got == expected


BUILT = [ROOT / "attnscope" / "labextension" / "static" / "style.js", ROOT / "attnscope" / "static" / "standalone.js"]


@pytest.mark.slow
@pytest.mark.skipif(not all(p.is_file() for p in BUILT), reason="the frontend is not built (npm run build:prod)")
def test_sdist_carries_the_built_extension_and_installs_without_node(tmp_path):
    pytest.importorskip("hatchling")
    sdist_dir = tmp_path / "sdist"
    subprocess.run([sys.executable, "-m", "hatchling", "build", "-t", "sdist", "-d", str(sdist_dir)],
                   cwd=ROOT, check=True, capture_output=True, timeout=300)
    (sdist,) = sdist_dir.glob("attnscope-*.tar.gz")
    with tarfile.open(sdist) as tar:
        names = {n.split("/", 1)[1] for n in tar.getnames() if "/" in n}
    for needed in ["attnscope/labextension/package.json", "attnscope/labextension/static/style.js",
                   "attnscope/static/standalone.js", "attnscope/static/standalone.css", "install.json"]:
        assert needed in names, f"{needed} is not in the sdist"
    assert not any(n.startswith(("node_modules/", ".venv/", "lib/")) for n in names)

    # Build the wheel from the sdist the way `pip install attnscope-*.tar.gz` does, with only the
    # interpreter's folder on PATH: no node, no npm.
    bindir = Path(sys.executable).parent
    assert shutil.which("npm", path=str(bindir)) is None
    env = {"PATH": str(bindir), "HOME": str(tmp_path), "PIP_DISABLE_PIP_VERSION_CHECK": "1"}
    wheel_dir = tmp_path / "wheel"
    done = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-w", str(wheel_dir), str(sdist)],
        env=env, capture_output=True, text=True, timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    (wheel,) = wheel_dir.glob("attnscope-*.whl")
    with zipfile.ZipFile(wheel) as zf:
        files = set(zf.namelist())
    share = [f for f in files if "/share/jupyter/labextensions/attnscope/" in f]
    assert any(f.endswith("/labextensions/attnscope/package.json") for f in share)
    assert any(f.endswith("/labextensions/attnscope/install.json") for f in share)
    assert any(f.endswith("/labextensions/attnscope/static/style.js") for f in share)
    assert "attnscope/static/standalone.js" in files
