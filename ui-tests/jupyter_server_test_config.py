"""Jupyter server configuration for the attnscope browser tests (Galata).

Started by playwright.config.ts (webServer) as
    jupyter lab --config jupyter_server_test_config.py
with JUPYTER_CONFIG_DIR / JUPYTER_DATA_DIR / JUPYTER_RUNTIME_DIR / IPYTHONDIR / TMPDIR pointed into
ui-tests/.scratch so that the user's real settings do not leak into the tests.

Never use this configuration for anything else: it disables all security protections.
"""

import os
from pathlib import Path

from jupyterlab.galata import configure_jupyter_server

HERE = Path(__file__).resolve().parent
SCRATCH = Path(os.environ.get("ATTNSCOPE_UI_SCRATCH", HERE / ".scratch"))
ROOT = Path(os.environ.get("JUPYTERLAB_GALATA_ROOT_DIR", SCRATCH / "root"))
ROOT.mkdir(parents=True, exist_ok=True)

configure_jupyter_server(c)  # noqa: F821  (c is injected by traitlets)

# ATTNSCOPE_UI_LABEXTENSION=<a built attnscope/labextension folder>: JupyterLab loads that build of the
# labextension instead of the installed one (extra_labextensions_path is searched first), e.g. a git
# worktree's own build while the venv holds another attnscope (with PYTHONPATH=<worktree> for the kernel).
_labext = os.environ.get("ATTNSCOPE_UI_LABEXTENSION")
if _labext:
    _link = SCRATCH / "labextensions" / "attnscope"
    _link.parent.mkdir(parents=True, exist_ok=True)
    if not _link.exists():
        _link.symlink_to(Path(_labext).resolve(), target_is_directory=True)
    c.LabServerApp.extra_labextensions_path = [str(_link.parent), c.LabServerApp.extra_labextensions_path]  # noqa: F821

c.ServerApp.allow_root = True  # noqa: F821  (the CI machine runs as root)
c.ServerApp.port = int(os.environ.get("ATTNSCOPE_UI_PORT", "8888"))  # noqa: F821
c.ServerApp.root_dir = str(ROOT)  # noqa: F821  (Galata uploads into <root>/<tmpPath>)
c.IdentityProvider.token = ""  # noqa: F821
c.ServerApp.password = ""  # noqa: F821
c.ServerApp.open_browser = False  # noqa: F821
c.LabApp.news_url = None  # noqa: F821  (no network)
c.LabApp.check_for_updates_class = "jupyterlab.NeverCheckForUpdate"  # noqa: F821

# Keep the Playwright console readable (Galata triggers many harmless 404 warnings); ATTNSCOPE_UI_SERVER_LOG=1 for the full server log.
if not os.environ.get("ATTNSCOPE_UI_SERVER_LOG"):
    c.Application.log_level = "ERROR"  # noqa: F821

# Notebook 7 pages (/notebooks/...) expose their app to the tests as JupyterLab's do.
c.JupyterNotebookApp.expose_app_in_browser = True  # noqa: F821
