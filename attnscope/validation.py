"""``attnscope.validation`` is attnscope.inputs.limits under its documented name: its settings
MAX_INPUT_BYTES and LAZY_ABOVE_BYTES are read and set there (``attnscope.validation.MAX_INPUT_BYTES =
...``). Every other check lives in attnscope.inputs."""

import sys

from .inputs import limits

sys.modules[__name__] = limits
