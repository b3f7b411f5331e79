"""Jupyter server configuration for the attnscope benchmarks (started by server.ts).

Scratch dirs come from the environment (benchmarks/.scratch). No token, no password, no XSRF:
never use this configuration for anything but the benchmark on localhost.
"""

import os
from pathlib import Path

from jupyterlab.galata import configure_jupyter_server

ROOT = Path(os.environ["ATTNSCOPE_BENCH_ROOT"])
ROOT.mkdir(parents=True, exist_ok=True)

configure_jupyter_server(c)  # noqa: F821  (exposes window.jupyterapp, no token)

c.ServerApp.allow_root = True  # noqa: F821
c.ServerApp.ip = "127.0.0.1"  # noqa: F821
c.ServerApp.port = int(os.environ.get("ATTNSCOPE_BENCH_PORT", "8866"))  # noqa: F821
c.ServerApp.port_retries = 0  # noqa: F821
c.ServerApp.root_dir = str(ROOT)  # noqa: F821
c.IdentityProvider.token = ""  # noqa: F821
c.ServerApp.password = ""  # noqa: F821
c.ServerApp.open_browser = False  # noqa: F821
c.LabApp.news_url = None  # noqa: F821
c.LabApp.check_for_updates_class = "jupyterlab.NeverCheckForUpdate"  # noqa: F821
# Default iopub rate limits are kept (they only count stream output): a real JupyterLab.
if not os.environ.get("ATTNSCOPE_BENCH_SERVER_LOG"):
    c.Application.log_level = "ERROR"  # noqa: F821
