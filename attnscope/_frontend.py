"""Name and version range of the npm module that renders the widget.

The range must be satisfied by the version of the registered npm package (0.1.0);
a prerelease never satisfies a caret range.
"""

MODULE_NAME = "attnscope"
MODULE_VERSION = "^0.1.0"
