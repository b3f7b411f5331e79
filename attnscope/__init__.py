"""attnscope: transformer attention views (BertViz-style) as JupyterLab widgets."""

from .api import head_view
from .extract import Attentions, from_model
from .widget import AttentionWidget

__version__ = "0.1.0"

__all__ = ["Attentions", "AttentionWidget", "__version__", "from_model", "head_view"]
