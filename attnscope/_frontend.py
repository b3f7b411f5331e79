"""Name and version range of the npm module that renders the widget.

The range must be satisfied by the version of the registered npm package (0.1.0);
a prerelease never satisfies a caret range.
"""

MODULE_NAME = "attnscope"
MODULE_VERSION = "^0.1.0"

# Our own output mimetype: {"model_id", "version"} beside the widget view in every widget bundle. The
# labextension renders it in JupyterLab and Notebook 7 (the live widget when the page has the model, else
# the views from the notebook's saved widget state, also with No Kernel and in untrusted notebooks).
# Frontends without the labextension ignore it. The data stays in the widget state: nothing is copied.
VIEW_MIMETYPE = "application/vnd.attnscope.view+json"
VIEW_MIMETYPE_VERSION = 1
