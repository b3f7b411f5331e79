"""attnscope: transformer attention views (BertViz-style) as JupyterLab widgets.

Layers, each importing only those before it: data (Section, sources) -> inputs (every check) ->
analysis -> wire -> output (offline page, static picture) -> widget -> extract (from_model) -> api.
"""

from . import validation  # noqa: F401 - attnscope.validation.MAX_INPUT_BYTES / LAZY_ABOVE_BYTES
from .analysis.compare import change_scores
from .analysis.head_scores import head_scores
from .analysis.labels import head_labels
from .analysis.similarity import head_similarity
from .api import (
    attention_flow,
    compare,
    compare_models,
    head_view,
    matrix_view,
    model_view,
    neuron_view,
    rollout,
    save_html,
    show,
    text_view,
)
from .extract.generate import from_generate
from .extract.model import attention_gradients, from_model
from .extract.probe import probe_induction
from .extract.result import Attentions
from .output.display import get_display, set_display
from .widget import AttentionWidget

__version__ = "0.1.0"

__all__ = ["Attentions", "AttentionWidget", "__version__", "attention_flow", "from_generate", "from_model",
           "get_display", "head_view", "matrix_view", "model_view", "neuron_view", "rollout", "save_html",
           "set_display", "show", "text_view"]
__all__ += ["attention_gradients", "change_scores", "compare", "compare_models"]  # comparison, attention x gradient
__all__ += ["head_labels", "head_scores", "head_similarity", "probe_induction"]  # head triage (issue 12)
