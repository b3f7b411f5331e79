"""attnscope.rollout: a hand-computed fixture, an independent torch reference loop, properties, eager and
kept inputs alike, and every bad argument a clear error."""

import numpy as np
import pytest
from inputs_helpers import has, message, softmax

import attnscope
from attnscope.analysis.fusion import mix

torch = pytest.importorskip("torch")

# 3 layers, 2 heads, 2 tokens; residual 0.5, mean over heads
HAND = np.array([
    [[[1.0, 0.0], [0.5, 0.5]], [[0.0, 1.0], [0.5, 0.5]]],  # mean [[.5, .5], [.5, .5]] -> A0 [[.75, .25], [.25, .75]]
    [[[1.0, 0.0], [1.0, 0.0]], [[1.0, 0.0], [0.0, 1.0]]],  # mean [[1, 0], [.5, .5]] -> A1 [[1, 0], [.25, .75]]
    [[[0.0, 1.0], [0.0, 1.0]], [[0.0, 1.0], [0.0, 1.0]]],  # mean [[0, 1], [0, 1]] -> A2 [[.5, .5], [0, 1]]
], dtype=np.float32)
HAND_ROLLOUT = np.array([
    [[0.75, 0.25], [0.25, 0.75]],  # A0
    [[0.75, 0.25], [0.375, 0.625]],  # A1 @ A0
    [[0.5625, 0.4375], [0.375, 0.625]],  # A2 @ A1 @ A0
], dtype=np.float32)


def test_hand_computed_three_layers():
    np.testing.assert_allclose(attnscope.rollout(HAND), HAND_ROLLOUT, atol=1e-7)


def test_hand_computed_max_and_min_fusion():
    # layer 0, max over heads [[1, 1], [.5, .5]] -> .5 * max + .5 * I = [[1, .5], [.25, .75]] -> rows / sum
    np.testing.assert_allclose(attnscope.rollout(HAND[:1], head_fusion="max")[0], [[2 / 3, 1 / 3], [0.25, 0.75]],
                               atol=1e-7)
    # min over heads [[0, 0], [.5, .5]] -> [[.5, 0], [.25, .75]] -> [[1, 0], [.25, .75]]
    np.testing.assert_allclose(attnscope.rollout(HAND[:1], head_fusion="min")[0], [[1, 0], [0.25, 0.75]], atol=1e-7)


def test_hand_computed_discard_keeps_the_diagonal():
    fused = np.array([[0.6, 0.1, 0.3], [0.2, 0.2, 0.6], [0.05, 0.9, 0.05]], np.float32)
    # int(9 * 0.34) = 3 smallest off the diagonal: 0.05 at (2, 0), 0.1 at (0, 1), 0.2 at (1, 0); the 0.05 at
    # (2, 2) is on the diagonal and stays; then .5 * f + .5 * I and rows / sum (.95, .9, .975)
    expected = [[0.8 / 0.95, 0, 0.15 / 0.95], [0, 0.6 / 0.9, 0.3 / 0.9], [0, 0.45 / 0.975, 0.525 / 0.975]]
    got = attnscope.rollout(fused[None, None], discard_ratio=0.34)[0]
    np.testing.assert_allclose(got, expected, atol=1e-6)


def reference(att, residual, fusion, discard):
    """The rollout written plainly: float64, python sorting for the discarded weights, explicit identity."""
    att = torch.tensor(att, dtype=torch.float64)
    n_l, _, n, _ = att.shape
    joint, out = torch.eye(n, dtype=torch.float64), []
    for layer in range(n_l):
        heads = att[layer]
        fused = {"mean": heads.mean(0), "max": heads.max(0).values, "min": heads.min(0).values}[fusion].clone()
        off = sorted(((float(fused[q, k]), q, k) for q in range(n) for k in range(n) if q != k))
        for _, q, k in off[:int(n * n * discard)]:
            fused[q, k] = 0
        a = (1 - residual) * fused + residual * torch.eye(n, dtype=torch.float64)
        a = a / a.sum(-1, keepdim=True)
        joint = a @ joint
        out.append(joint.clone())
    return torch.stack(out).numpy()


@pytest.mark.parametrize("fusion", ["mean", "max", "min"])
@pytest.mark.parametrize("residual,discard", [(0.5, 0.0), (0.3, 0.2), (0.0, 0.0), (0.7, 0.9)])
def test_against_a_reference_loop(fusion, residual, discard):
    att = softmax((5, 4, 9, 9), seed=3)
    got = attnscope.rollout(att, residual=residual, head_fusion=fusion, discard_ratio=discard)
    want = reference(att, residual, fusion, discard)
    diff = float(np.abs(got - want).max())
    assert got.dtype == np.float32 and got.shape == (5, 9, 9)
    assert diff < 1e-5, f"max |rollout - reference| = {diff:.3g} ({fusion}, residual {residual}, discard {discard})"


def test_rows_sum_to_one_and_residual_one_is_the_identity():
    att = softmax((4, 3, 7, 7), seed=1)
    np.testing.assert_allclose(attnscope.rollout(att).sum(-1), 1, atol=1e-5)
    np.testing.assert_array_equal(attnscope.rollout(att, residual=1.0), np.broadcast_to(np.eye(7), (4, 7, 7)))


def test_causal_stays_causal():
    att = softmax((4, 2, 6, 6), seed=2)
    att = np.where(np.tril(np.ones((6, 6), bool)), att, 0)
    att /= att.sum(-1, keepdims=True)
    for fusion in ("mean", "max", "min"):
        got = attnscope.rollout(att, head_fusion=fusion, discard_ratio=0.6)
        assert np.all(np.triu(got, 1) == 0), fusion
        np.testing.assert_allclose(got.sum(-1), 1, atol=1e-5)


def _bf16(a):
    return torch.tensor(a)[:, None].to(torch.bfloat16)  # [L, 1, H, Q, K], 16-bit


@pytest.mark.parametrize("make", [
    lambda a: torch.tensor(a),
    lambda a: tuple(torch.tensor(a[i:i + 1]) for i in range(len(a))),  # Hugging Face tuple [1, H, Q, K]
    _bf16,
    lambda a: a.tolist(),
], ids=["torch", "hf-tuple", "bf16-5d", "lists"])
def test_every_input_form_agrees_with_numpy(make):
    att = softmax((3, 4, 8, 8), seed=4)
    if make is _bf16:
        att = _bf16(att)[:, 0].float().numpy()  # the weights the 16-bit input holds
    got = attnscope.rollout(make(att), head_fusion="max", discard_ratio=0.1)
    np.testing.assert_allclose(got, attnscope.rollout(att, head_fusion="max", discard_ratio=0.1), atol=1e-6)


def test_the_weights_are_checked_as_they_are_read():
    att = softmax((2, 2, 4, 4)).copy()
    att[1, 1, 2, 3] = np.nan
    has(message(ValueError, attnscope.rollout, att), "attention", "nan", "layer 1, head 1", "query 2, key 3")
    att[1, 1, 2, 3] = -0.5
    has(message(ValueError, attnscope.rollout, att), "negative weight -0.5", "layer 1, head 1")


@pytest.mark.parametrize("kwargs,exc,fragments", [
    (dict(residual=-0.1), ValueError, ["residual got -0.1", "[0, 1]"]),
    (dict(residual=1.5), ValueError, ["residual got 1.5", "[0, 1]"]),
    (dict(residual="half"), TypeError, ["residual got str", "expected a number"]),
    (dict(residual=True), TypeError, ["residual got bool"]),
    (dict(residual=float("nan")), ValueError, ["residual got nan", "finite"]),
    (dict(head_fusion="median"), ValueError, ["head_fusion got 'median'", "['mean', 'max', 'min']"]),
    (dict(head_fusion=None), ValueError, ["head_fusion got None"]),
    (dict(discard_ratio=1.0), ValueError, ["discard_ratio got 1", "[0, 1)"]),
    (dict(discard_ratio=-0.2), ValueError, ["discard_ratio got -0.2"]),
])
def test_bad_parameters(kwargs, exc, fragments):
    has(message(exc, attnscope.rollout, softmax((2, 2, 3, 3)), **kwargs), "rollout:", *fragments)


def test_bad_attention():
    has(message(ValueError, attnscope.rollout, softmax((2, 2, 3, 5))), "3 queries and 5 keys",
        "same positions", "Cross attention has no rollout")
    has(message(TypeError, attnscope.rollout, None), "attention got None", "Attentions")
    has(message(ValueError, attnscope.rollout, softmax((2, 3, 3))), "attention: got 3 dimensions")
    has(message(TypeError, attnscope.rollout, "weights"), "attention: got str")


def test_mix_of_an_all_zero_row_stays_zero():
    got = mix(np.array([[0.0, 1.0], [0.0, 0.0]], np.float32), residual=0.0)
    np.testing.assert_array_equal(got, [[0, 1], [0, 0]])
