"""attnscope: transformer attention views (BertViz-style) as JupyterLab widgets."""

from .api import head_view, model_view
from .attentions import Attentions
from .export import save_html
from .extract import from_model
from .neuron_view import neuron_view, show
from .widget import AttentionWidget

__version__ = "0.1.0"

__all__ = ["Attentions", "AttentionWidget", "__version__", "from_model", "head_view", "model_view",
           "neuron_view", "save_html", "show"]
