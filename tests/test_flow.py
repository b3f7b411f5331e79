"""attnscope.attention_flow: against an independent max-flow (networkx, float capacities, the reference
code's Edmonds-Karp) on tiny graphs, its properties, the size limit and the errors."""

import numpy as np
import pytest
from inputs_helpers import has, message, softmax

import attnscope
from attnscope.analysis import flow as flow_module

pytest.importorskip("scipy")
nx = pytest.importorskip("networkx")


def mixed(att, residual):
    """The layer matrices of the module doc, written out: mean over heads, residual, rows renormalised."""
    a = (1 - residual) * att.astype(np.float64).mean(1) + residual * np.eye(att.shape[-1])
    return a / a.sum(-1, keepdims=True)


def reference_flow(att, residual=0.5):
    """Max-flow from each output node to each input node of the layer graph, with networkx's Edmonds-Karp on
    float capacities (what samiraabnar/attention_flow runs), each row then divided by its sum."""
    mats = mixed(att, residual)
    n_l, n = len(mats), att.shape[-1]
    g = nx.DiGraph()
    for b in range(n_l):
        for q in range(n):
            for k in range(n):
                if mats[b, q, k] > 0:
                    g.add_edge((b + 1, q), (b, k), capacity=float(mats[b, q, k]))
    out = np.zeros((n_l, n, n))
    for layer in range(n_l):
        for q in range(n):
            for k in range(n):
                out[layer, q, k] = nx.maximum_flow_value(g, (layer + 1, q), (0, k),
                                                         flow_func=nx.algorithms.flow.edmonds_karp)
            out[layer, q] /= out[layer, q].sum()
    return out


def test_two_layers_three_tokens_by_hand():
    # one head; residual 0 keeps the capacities as written
    att = np.array([[[[0.5, 0.5, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]]],
                    [[[1.0, 0.0, 0.0], [0.0, 0.0, 1.0], [0.25, 0.25, 0.5]]]], np.float32)
    got = attnscope.attention_flow(att, residual=0.0)
    np.testing.assert_allclose(got[0], att[0, 0], atol=1e-6)  # one layer: the flow is the capacity
    # layer 1 output 0 -> layer-0 node 0 (cap 1) -> inputs 0 and 1 (0.5 each): flows 0.5, 0.5, 0 -> / 1
    # output 1 -> node 2 (1) -> input 2 (1); output 2 -> nodes 0 (.25), 1 (.25), 2 (.5): to input 0 .25
    # (the bottleneck of the path through node 0, where rollout has .25 * .5), to input 1 .25 + .25, to
    # input 2 .5; sum 1.25 -> .2, .4, .4
    np.testing.assert_allclose(got[1], [[0.5, 0.5, 0], [0, 0, 1], [0.2, 0.4, 0.4]], atol=1e-6)
    np.testing.assert_allclose(got, reference_flow(att, 0.0), atol=1e-6)


@pytest.mark.parametrize("seed,shape", [(0, (2, 2, 3, 3)), (1, (3, 3, 4, 4)), (2, (2, 1, 5, 5))])
def test_against_networkx(seed, shape):
    att = softmax(shape, seed=seed)
    got = attnscope.attention_flow(att)
    want = reference_flow(att)
    diff = float(np.abs(got - want).max())
    assert got.dtype == np.float32 and got.shape == (shape[0],) + shape[2:]
    assert diff < 1e-5, f"max |attention_flow - networkx| = {diff:.3g}"


def test_properties():
    att = softmax((4, 2, 5, 5), seed=5)
    got = attnscope.attention_flow(att)
    np.testing.assert_allclose(got.sum(-1), 1, atol=1e-5)
    np.testing.assert_allclose(got[0], attnscope.rollout(att)[0], atol=1e-6)  # one layer: flow == rollout
    np.testing.assert_allclose(attnscope.attention_flow(att, residual=1.0), np.broadcast_to(np.eye(5), (4, 5, 5)))
    causal = np.where(np.tril(np.ones((5, 5), bool)), att, 0)
    assert np.all(np.triu(attnscope.attention_flow(causal / causal.sum(-1, keepdims=True)), 1) == 0)


def test_size_limit_names_the_size_and_suggests_rollout(monkeypatch):
    monkeypatch.setattr(flow_module, "MAX_FLOW_NODES", 20)
    has(message(ValueError, attnscope.attention_flow, softmax((4, 1, 5, 5))),
        "4 layers x 5 tokens", "25 nodes", "MAX_FLOW_NODES = 20", "attnscope.rollout")
    attnscope.attention_flow(softmax((3, 1, 5, 5)))  # 20 nodes: computed


def test_errors():
    has(message(ValueError, attnscope.attention_flow, softmax((2, 1, 3, 4))), "attention_flow:",
        "3 queries and 4 keys", "same positions")
    has(message(ValueError, attnscope.attention_flow, softmax((2, 1, 3, 3)), head_fusion="sum"),
        "attention_flow: head_fusion got 'sum'")
    has(message(ValueError, attnscope.attention_flow, softmax((2, 1, 3, 3)), residual=2),
        "attention_flow: residual got 2")


def test_without_scipy_a_clear_import_error(monkeypatch):
    import builtins

    real = builtins.__import__

    def no_scipy(name, *args, **kwargs):
        if name.startswith("scipy"):
            raise ImportError("no scipy here")
        return real(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_scipy)
    has(message(ImportError, attnscope.attention_flow, softmax((2, 1, 3, 3))), "needs scipy", "pip install scipy")
