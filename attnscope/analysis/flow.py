"""Attention flow (Abnar & Zuidema 2020; samiraabnar/attention_flow): attention through the layers as a
flow network, for small inputs.

Nodes are the positions at each layer boundary (boundary 0: the input tokens; boundary l + 1: the output
of layer l). An edge goes from position q at boundary b + 1 to position k at boundary b with capacity
A_b[q, k], the row-stochastic matrix of layer b (attnscope.analysis.fusion: heads fused, residual mixed
in, rows renormalised; the same matrices rollout multiplies). Entry l of the result is, for each output
position q of layer l, the maximum flow from q to each input token k through layers 0..l, divided by the
row's sum, as the reference code normalises it (``flow_values[u] /= flow_values[u].sum()``). So rows sum to
1, entry 0 equals rollout's, and where rollout multiplies, flow takes the bottleneck of every path.

Max-flow: scipy.sparse.csgraph.maximum_flow (Dinic's algorithm, compiled). networkx (always there with
torch; what the reference code uses) is pure Python and about two orders of magnitude slower on these
graphs; scipy is not a dependency of attnscope, so it is imported when flow is computed, with an
ImportError that says how to install it. scipy needs integer capacities: each weight is scaled by
CAPACITY_SCALE (2**24) and rounded, so a flow is exact to about 1e-7 per edge of its minimum cut.

Cost: one max-flow per (output position, input token, layer), each on a graph of up to (L + 1) * Q
nodes and L * Q * Q edges: it grows like L**2 * Q**4, which is why MAX_FLOW_NODES caps the graph.
"""

from __future__ import annotations

import numpy as np

from ..data.blocks import as_numpy
from ..inputs import derived
from ..progress import progress
from .fusion import layer_matrices

#: largest flow graph computed, in nodes: (layers + 1) * tokens, e.g. 12 layers x 30 tokens or 6 x 57 (a few
#: seconds; 12 x 40 took 6.6 s on one shared core, and the cost grows like the square of the nodes' count)
MAX_FLOW_NODES = 400
#: capacities are the weights times this, rounded to integers (scipy's max-flow takes integers)
CAPACITY_SCALE = 2 ** 24


def check_flow_size(n_layers: int, n_tokens: int, name: str = "attention") -> None:
    """ValueError when the flow graph of ``n_layers`` x ``n_tokens`` passes MAX_FLOW_NODES."""
    nodes = (n_layers + 1) * n_tokens
    if nodes > MAX_FLOW_NODES:
        raise ValueError(
            f"attention_flow: {name} has {n_layers} layers x {n_tokens} tokens, a flow graph of {nodes:,} nodes "
            f"({n_layers + 1} x {n_tokens}), above attnscope.analysis.flow.MAX_FLOW_NODES = {MAX_FLOW_NODES:,}: "
            f"max-flow would take {n_layers * n_tokens ** 2:,} runs over {n_layers * n_tokens ** 2:,} edges. "
            "Use attnscope.rollout (the same layers multiplied, fast at any size), or fewer layers or a "
            "shorter text, or raise MAX_FLOW_NODES.")


def _scipy():
    try:
        from scipy.sparse import csr_matrix
        from scipy.sparse.csgraph import maximum_flow
    except ImportError as err:
        raise ImportError("attention_flow needs scipy (scipy.sparse.csgraph.maximum_flow), which attnscope does "
                          "not install: pip install scipy (or pip install 'attnscope[flow]').") from err
    return csr_matrix, maximum_flow


def _graph(mats, n: int, csr_matrix):
    """The flow network of the layers ``mats`` (module doc): integer capacities, (len(mats) + 1) * n nodes."""
    rows, cols, caps = [], [], []
    for b, a in enumerate(mats):
        cap = np.rint(a.astype(np.float64) * CAPACITY_SCALE).astype(np.int32)
        q, k = np.nonzero(cap)
        rows.append((b + 1) * n + q)
        cols.append(b * n + k)
        caps.append(cap[q, k])
    size = (len(mats) + 1) * n
    return csr_matrix((np.concatenate(caps), (np.concatenate(rows), np.concatenate(cols))), shape=(size, size))


def flow_of(source, layers, heads, residual=0.5, head_fusion="mean", discard_ratio=0.0,
            name="attention") -> np.ndarray:
    """float32 [len(layers), Q, Q]: the attention flow through ``layers`` (real ids, in order) of ``source``
    fused over ``heads``; parameters already checked (attnscope.inputs.derived.check_params)."""
    n = source.shape[2]
    check_flow_size(len(layers), n, name)
    csr_matrix, maximum_flow = _scipy()
    mats = [as_numpy(a) for _, _, a in layer_matrices(source, layers, heads, residual, head_fusion, discard_ratio,
                                                      name)]
    out = np.zeros((len(mats), n, n), np.float32)
    with progress(len(mats) * n, f"attnscope: attention flow of {name}", unit="token") as bar:
        for layer in range(len(mats)):
            graph = _graph(mats[:layer + 1], n, csr_matrix)
            for q in range(n):
                top = (layer + 1) * n + q
                values = np.array([maximum_flow(graph, top, k).flow_value for k in range(n)], np.float64)
                total = values.sum()
                if total > 0:
                    out[layer, q] = values / total
                bar.update(1)
    return out


def attention_flow(attention, residual=0.5, head_fusion="mean", discard_ratio=0.0, *,
                   name="attention") -> np.ndarray:
    """Attention flow of self-attention weights: float32 [layers, queries, keys], entry l the flow from each
    input token (keys) to each position at the output of layer l (queries), rows summing to 1 (module doc).

    Arguments as :func:`attnscope.rollout`. Only for inputs whose flow graph, (layers + 1) x tokens
    nodes, is at most MAX_FLOW_NODES (ValueError above it, suggesting rollout). Needs scipy.
    """
    params = derived.check_params(residual, head_fusion, discard_ratio, caller="attention_flow")
    source = derived.attention_source(attention, name, "attention_flow")
    n_l, n_h, n, _ = source.shape
    check_flow_size(n_l, n, name)
    return flow_of(source, range(n_l), range(n_h), **params, name=name)
