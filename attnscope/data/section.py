"""Section: one kind of attention (self, encoder, decoder or cross) as the views show it."""

from __future__ import annotations

from dataclasses import dataclass

from .source import AttentionSource, VectorSource

#: label shown for each section key, in the order sections are listed: each derived section (rollout, flow:
#: attnscope.analysis.derived; attention x gradient and gradient rollout: attnscope.extract.gradients) right
#: after the section it was computed from. A comparison (attnscope.compare) has "a", "b" and "difference"
#: (B - A), labelled by the caller's ``labels`` (Section.title); these are the labels without one.
SECTION_LABELS = {"self": "Attention", "rollout": "Rollout", "flow": "Attention flow",
                  "attn_grad": "Attention x gradient", "grad_rollout": "Gradient rollout (Chefer 2021)",
                  "a": "A", "b": "B", "difference": "Difference B - A",
                  "encoder": "Encoder", "encoder_rollout": "Encoder rollout", "encoder_flow": "Encoder attention flow",
                  "decoder": "Decoder", "decoder_rollout": "Decoder rollout", "decoder_flow": "Decoder attention flow",
                  "cross": "Cross"}
SECTION_ORDER = tuple(SECTION_LABELS)
#: whether the queries and keys of each kind are the same positions (cross: decoder queries, encoder keys);
#: for sections rebuilt from a saved or hand-made form, which carries only the key
SAME_POSITIONS = {key: key != "cross" for key in SECTION_LABELS}
#: the kinds of derived section, and the head label of their one head slot
DERIVED_KINDS = {"rollout": "rollout", "flow": "flow"}
#: derived kinds whose weights are signed or are not distributions: not checked as softmax weights
#: (no negative-weight error, no row-sum warning) and without the five head statistics
UNCHECKED_KINDS = ("difference", "attention_x_gradient", "gradient_rollout")


def derived_key(source_key: str, kind: str) -> str:
    """The key of the ``kind`` ("rollout", "flow") section computed from section ``source_key``."""
    return kind if source_key == "self" else f"{source_key}_{kind}"


@dataclass
class Vectors:
    """Query and key vectors of a self-attention section (neuron view): softmax(scale * q.k + mask) = weights."""

    queries: VectorSource  # [L, H, Q, d]
    keys: VectorSource  # [L, H, K, d] (keys per query head)
    scale: float
    causal: bool


@dataclass
class Section:
    """Checked attention of one kind: weights, the REAL layer and head ids shown, and the tokens.

    ``same_positions``: queries and keys are the same positions (self-attention of one sequence); the
    statistics that compare a query with its own position (previous token, distance) need it.
    ``n_layers`` / ``n_heads``: the input's own counts (real ids are in 0..n-1).
    ``words``: the word boundaries of the tokens (attnscope.inputs.words.section_words), None when unknown.
    A derived section (rollout, flow) names its ``derived`` kind, the key it was ``derived_from``, its
    ``params`` and ``head_labels``; ``causal`` is its source's flag when the source knows it (vectors).
    ``scores``: a score table {name: float32 [L, H]} computed with the section (a comparison's change
    scores); None lets the wire compute the head scores of attention from a model (attnscope.wire.state).
    ``score_inputs``: {"token_ids", "special_positions"} of the tokens when a tokenizer gave them
    (attnscope.from_model), for the head scores the views get (duplicate/induction by id, special mass).
    ``generation``: {"prompt_length": P, "generated": [query positions]} when the query tokens were generated
    by the model (attnscope.from_generate): P query positions came before the first generated one.
    """

    key: str
    source: AttentionSource
    layers: list[int]
    heads: list[int]
    query_tokens: list[str]
    key_tokens: list[str]
    same_positions: bool
    n_layers: int
    n_heads: int
    vectors: Vectors | None = None
    words: dict | None = None
    derived: str | None = None
    derived_from: str | None = None
    params: dict | None = None
    head_labels: list[str] | None = None
    causal: bool | None = None
    scores: dict | None = None
    generation: dict | None = None
    differing_tokens: list[int] | None = None
    title: str | None = None
    score_inputs: dict | None = None

    @property
    def label(self) -> str:
        return self.title if self.title is not None else SECTION_LABELS[self.key]

    @property
    def signed(self) -> bool:
        """True for derived weights that are not softmax rows (a difference, attention x gradient)."""
        return self.derived in UNCHECKED_KINDS

    @property
    def lazy(self) -> bool:
        """True when the weights stay the caller's tensors in the kernel (sent as a summary and slices)."""
        return self.source.kept

    @property
    def shape(self) -> tuple[int, int, int, int]:
        """[L, H, Q, K] as shown: the included layers and heads."""
        return len(self.layers), len(self.heads), len(self.query_tokens), len(self.key_tokens)


def ordered(sections) -> list:
    """Sections in SECTION_ORDER (self, encoder, decoder, cross)."""
    return sorted(sections, key=lambda s: SECTION_ORDER.index(s.key))
