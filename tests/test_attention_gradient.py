"""Attention x gradient: dy/dA against finite differences through a perturbed attention weight and against
torch.autograd, relu(A * dy/dA), Chefer et al. 2021's gradient rollout against a plain loop, the target
errors, and real runs (MiniLM with a callable target, SmolLM2 with a token logit)."""

import numpy as np
import pytest

import attnscope
from attnscope.analysis.gradients import attention_x_gradient, gradient_rollout

torch = pytest.importorskip("torch")
modeling_bert = pytest.importorskip("transformers.models.bert.modeling_bert")


def tiny_bert(vocab, seed=0):
    from transformers import BertConfig, BertModel

    torch.manual_seed(seed)
    cfg = BertConfig(vocab_size=vocab, hidden_size=16, num_hidden_layers=2, num_attention_heads=2,
                     intermediate_size=32, max_position_embeddings=32, attn_implementation="eager")
    return BertModel(cfg).double().eval()


def target(out):
    """A scalar that depends on every position: a fixed projection of the last hidden states."""
    g = torch.Generator().manual_seed(3)
    w = torch.randn(out.last_hidden_state.shape[1:], generator=g, dtype=out.last_hidden_state.dtype)
    return (out.last_hidden_state[0] * w).sum()


def perturbed_forward(layer_module, where, eps):
    """eager_attention_forward of transformers' BERT, with eps added to one attention weight of one layer."""
    def forward(module, query, key, value, attention_mask, scaling=None, dropout=0.0, **kwargs):
        scaling = query.size(-1) ** -0.5 if scaling is None else scaling
        w = torch.matmul(query, key.transpose(2, 3)) * scaling
        if attention_mask is not None:
            w = w + attention_mask
        w = torch.softmax(w, dim=-1)
        if module is layer_module and eps:
            delta = torch.zeros_like(w)
            delta[(0,) + where] = eps
            w = w + delta
        return torch.matmul(w, value).transpose(1, 2).contiguous(), w
    return forward


def test_gradient_matches_finite_differences_and_autograd(minilm_tokenizer, monkeypatch):
    tok = minilm_tokenizer
    model = tiny_bert(len(tok))
    text = "the cat sat on the mat"
    result = attnscope.attention_gradients(model, tok, text, target=target)
    grad = result.gradients["gradient"]
    n = len(result.tokens)
    assert grad.shape == (2, 2, n, n) and result.attention.shape == (2, 2, n, n)
    inputs = tok(text, return_tensors="pt")

    def y(layer, where, eps):
        monkeypatch.setattr(modeling_bert, "eager_attention_forward",
                            perturbed_forward(model.encoder.layer[layer].attention.self, where, eps))
        with torch.no_grad():
            return float(target(model(**inputs)))

    base = y(0, (0, 0, 0), 0.0)
    assert base == pytest.approx(result.gradients["target"], rel=1e-6)  # the replacement is the model's own
    eps = 1e-6
    for layer, where in ((0, (0, 1, 2)), (1, (1, 3, 0)), (1, (0, n - 1, n - 2)), (0, (1, 0, n - 1))):
        fd = (y(layer, where, eps) - y(layer, where, -eps)) / (2 * eps)
        assert grad[(layer,) + where] == pytest.approx(fd, rel=1e-4, abs=1e-6), (layer, where)
    monkeypatch.undo()
    out = model(**inputs, output_attentions=True)
    for a in out.attentions:
        a.retain_grad()
    target(out).backward()
    want = np.stack([a.grad[0].numpy() for a in out.attentions])
    np.testing.assert_allclose(grad, want, rtol=1e-5, atol=1e-7)
    relevance = torch.relu(torch.stack([a[0].detach() * a.grad[0] for a in out.attentions])).float().numpy()
    np.testing.assert_allclose(result.gradients["attn_grad"], relevance, rtol=1e-5, atol=1e-7)
    assert relevance.max() > 0


def loop_rollout(att, grad):
    """Chefer et al. 2021 eq. 5-6 with Python loops: R = I; R += mean_h relu(G * A) @ R per layer."""
    n_l, n_h, n, _ = att.shape
    r = [[1.0 if i == j else 0.0 for j in range(n)] for i in range(n)]
    out = []
    for layer in range(n_l):
        bar = [[sum(max(0.0, float(att[layer, h, i, j]) * float(grad[layer, h, i, j])) for h in range(n_h)) / n_h
                for j in range(n)] for i in range(n)]
        prod = [[sum(bar[i][k] * r[k][j] for k in range(n)) for j in range(n)] for i in range(n)]
        r = [[r[i][j] + prod[i][j] for j in range(n)] for i in range(n)]
        out.append([row[:] for row in r])
    return np.array(out)


@pytest.mark.parametrize("causal", [False, True])
def test_gradient_rollout_matches_a_plain_loop(causal):
    rng = np.random.default_rng(4)
    att = rng.random((3, 2, 5, 5)).astype(np.float32)
    if causal:
        att *= np.tril(np.ones((5, 5), np.float32))
    att /= att.sum(-1, keepdims=True)
    grad = rng.normal(size=att.shape).astype(np.float32)
    got = gradient_rollout(att, grad)
    np.testing.assert_allclose(got, loop_rollout(att, grad), rtol=1e-5)
    np.testing.assert_array_equal(attention_x_gradient(att, grad), np.maximum(att * grad, 0))
    if causal:
        assert np.all(np.triu(got, 1) == 0)


@pytest.mark.parametrize(("bad", "error", "match"), [
    ({"position": 99, "token": 5}, ValueError, r"target: position got 99; expected an int in 0\.\.7"),
    ({"position": -9, "token": 5}, ValueError, r"target: position got -9"),
    ({"pos": 1, "token": 5}, ValueError, r"target: got keys \['pos', 'token'\]"),
    ({"position": 1}, ValueError, r"target: got keys \['position'\]"),
    ({"position": 1.5, "token": 5}, TypeError, r"target: position got float"),
    ({"position": 1, "token": 10 ** 9}, ValueError, r"target: token got 1000000000"),
    ({"class": 0}, ValueError, r"target: \{'class': \.\.\.\} needs a sequence classification model"),
    ({"position": 1, "token": 5}, ValueError, r"needs a language model's logits"),
    ("logit", TypeError, r"target: got str 'logit'"),
    (lambda out: out.last_hidden_state.sum(-1), ValueError, r"target: the callable returned a tensor of shape"),
])
def test_bad_targets_name_the_argument(minilm_tokenizer, bad, error, match):
    model = tiny_bert(len(minilm_tokenizer))
    with pytest.raises(error, match=match):
        attnscope.from_model(model, minilm_tokenizer, "the cat sat on the mat", target=bad)


def test_minilm_callable_target(minilm):
    model, tok = minilm
    result = attnscope.from_model(model, tok, "The trophy didn't fit into the suitcase.",
                                  target=lambda out: out.last_hidden_state[0, 0].norm())
    n = len(result.tokens)
    g = result.gradients
    assert g["attn_grad"].shape == (6, 12, n, n) and g["grad_rollout"].shape == (6, n, n)
    for name in ("gradient", "attn_grad", "grad_rollout"):
        assert np.all(np.isfinite(g[name])), name
    assert g["attn_grad"].min() >= 0 and g["attn_grad"].max() > 0
    assert np.all(g["grad_rollout"] >= np.eye(n) - 1e-6)  # I plus non-negative products
    w = result.show(views=("matrix",), include_layers=[0, 5])
    by_key = {s["key"]: s for s in w.sections}
    assert list(by_key) == ["self", "attn_grad", "grad_rollout"]
    assert by_key["attn_grad"]["derived"] == "attention_x_gradient" and by_key["attn_grad"]["layers"] == [0, 5]
    assert by_key["grad_rollout"]["head_labels"] == ["gradient rollout"]
    assert by_key["grad_rollout"]["label"] == "Gradient rollout (Chefer 2021)"
    np.testing.assert_allclose(w._checked["grad_rollout"].source.array[:, 0], g["grad_rollout"][[0, 5]])


def test_smollm2_token_logit_target(smollm2):
    model, tok = smollm2
    result = attnscope.attention_gradients(model, tok, "The trophy didn't fit into the suitcase because",
                                           target={"position": -1, "token": " it"})
    n = len(result.tokens)
    g = result.gradients
    assert result.attention.shape == (30, 9, n, n) and g["attn_grad"].shape == (30, 9, n, n)
    assert g["grad_rollout"].shape == (30, n, n)
    for name in ("gradient", "attn_grad", "grad_rollout"):
        assert np.all(np.isfinite(g[name])), name
    assert g["attn_grad"].min() >= 0 and g["attn_grad"].max() > 0
    assert np.all(np.triu(g["attn_grad"], 1) == 0) and np.all(np.triu(g["grad_rollout"], 1) == 0)
    logits = model(**tok("The trophy didn't fit into the suitcase because", return_tensors="pt")).logits
    token = tok(" it", add_special_tokens=False)["input_ids"]
    assert len(token) == 1 and g["target"] == pytest.approx(float(logits[0, -1, token[0]]), rel=1e-4)
