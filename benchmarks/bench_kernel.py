"""Kernel side of the attnscope benchmark (imported inside the Jupyter kernel by bench.ts).

Every function prints one JSON line (the runner reads the kernel's stdout) or displays a view.
The attention tensor is generated here, in the kernel, from a seed: softmax of random logits,
float16 like a real model's weights, one layer at a time so that only one layer of float32
temporaries exists at once (needed for L = 32x32x2048: 8.6 GB as float16).
"""

from __future__ import annotations

import gc
import json
import os
import time

import numpy as np
import psutil

STATE: dict = {}


def _emit(obj) -> None:
    print("BENCH_JSON " + json.dumps(obj), flush=True)


def rss() -> int:
    return psutil.Process().memory_info().rss


def peak_rss() -> int:
    """VmHWM (peak resident set) of this process, in bytes."""
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    return rss()


def reset_peak() -> bool:
    """Reset VmHWM to the current RSS (Linux >= 4.0: write 5 to clear_refs)."""
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        return True
    except OSError:
        return False


def setup(L: int, H: int, N: int, seed: int = 0, temperature: float = 3.0) -> None:
    """Generate the synthetic attention [L, H, N, N] float16 (torch) and its tokens."""
    import torch

    t0 = time.perf_counter()
    before = rss()
    g = torch.Generator().manual_seed(seed)
    att = torch.empty((L, H, N, N), dtype=torch.float16)
    for layer in range(L):
        logits = torch.randn((H, N, N), generator=g) * temperature
        att[layer] = torch.softmax(logits, dim=-1).to(torch.float16)
        del logits
    gc.collect()
    STATE.update(att=att, tokens=[f"t{i}" for i in range(N)], shape=(L, H, N, N))
    _emit({"setup_ms": (time.perf_counter() - t0) * 1e3, "tensor_bytes": att.numel() * att.element_size(),
           "rss_before": before, "rss_after": rss(), "pid": os.getpid()})


def warmup(kind: str) -> None:
    """A tiny view of the same library, so that its frontend code is loaded before the timed cell."""
    import torch

    att = torch.softmax(torch.randn((1, 2, 4, 4)), dim=-1)
    toks = ["a", "b", "c", "d"]
    if kind == "attn-head":
        import attnscope

        attnscope.head_view(att, toks)
    elif kind == "attn-model":
        import attnscope

        attnscope.model_view(att, toks)
    elif kind == "attn-matrix":
        import attnscope

        attnscope.matrix_view(att, toks, heads=[0])
    elif kind == "bv-head":
        import bertviz

        bertviz.head_view(tuple(att[i:i + 1] for i in range(1)), toks)
    elif kind == "bv-model":
        import bertviz

        bertviz.model_view(tuple(att[i:i + 1] for i in range(1)), toks)


def mark() -> None:
    """Start of the timed cell: collect garbage, remember RSS, reset the peak."""
    gc.collect()
    STATE["rss0"] = rss()
    STATE["peak_reset"] = reset_peak()


def show(kind: str) -> None:
    """The timed cell: the same tensor through attnscope or BertViz 1.4.1 (their natural input forms)."""
    att, toks = STATE["att"], STATE["tokens"]
    shown = []
    t0 = time.perf_counter()
    if kind in ("attn-head", "attn-model"):
        import attnscope

        fn = attnscope.head_view if kind == "attn-head" else attnscope.model_view
        STATE["widget"] = fn(att, toks)  # the [L, H, N, N] tensor as the kernel keeps it
    elif kind == "attn-matrix":
        import attnscope

        STATE["widget"] = attnscope.matrix_view(att, toks, heads=[0])  # one N x N head: layer 0, head 0
    else:
        import sys

        import bertviz  # noqa: F401  (its package attributes head_view/model_view are the functions)

        bh, bm = sys.modules["bertviz.head_view"], sys.modules["bertviz.model_view"]

        mod = bh if kind == "bv-head" else bm
        original = mod.display

        def counting(*objs, **kw):  # sizes of the HTML/Javascript texts BertViz displays
            shown.extend(len(getattr(o, "data", "") or "") for o in objs)
            return original(*objs, **kw)

        mod.display = counting
        try:
            layers = tuple(att[i].unsqueeze(0) for i in range(att.shape[0]))  # HF form: views, no copy
            (bh.head_view if kind == "bv-head" else bm.model_view)(layers, toks)
        finally:
            mod.display = original
    STATE["show_ms"] = (time.perf_counter() - t0) * 1e3
    root = os.environ.get("ATTNSCOPE_BENCH_ROOT")
    if root:  # read by the runner even if the page crashed
        with open(os.path.join(root, "bench_last_show.json"), "w") as f:
            json.dump({"show_ms": STATE["show_ms"], "display_bytes": sum(shown)}, f)


def report() -> None:
    """Kernel memory after the timed cell, relative to mark()."""
    gc.collect()
    _emit({"show_ms": STATE.get("show_ms"), "rss": rss(), "retained": rss() - STATE["rss0"],
           "peak_extra": peak_rss() - STATE["rss0"] if STATE.get("peak_reset") else None,
           "tensor_bytes": STATE["att"].numel() * 2})


def rollout_timing(repeats: int = 3) -> None:
    """attnscope.rollout of the benchmark tensor (float16 torch [L, H, N, N], read layer by layer): kernel ms
    of each repeat, the peak RSS above the start, and the result's bytes (float32 [L, N, N])."""
    import attnscope

    att = STATE["att"]
    times = []
    gc.collect()
    start = rss()
    peak_reset = reset_peak()
    for _ in range(repeats):
        t0 = time.perf_counter()
        out = attnscope.rollout(att)
        times.append((time.perf_counter() - t0) * 1e3)
        del out
        gc.collect()
    _emit({"rollout_ms": times, "peak_extra": peak_rss() - start if peak_reset else None,
           "result_bytes": att.shape[0] * att.shape[2] * att.shape[3] * 4})


def json_lists(outdir: str, prefix: str) -> None:
    """Our payload (the float16 wire values) as JSON lists, one file per layer, and as raw float16.

    This is what a JSON-lists encoding of the same state would send: json.dumps of the nested
    lists [H][Q][K] of each layer (Python floats of the float16 values). Written per layer so
    that no single string exceeds what a browser can hold; sizes are summed (+ brackets/commas).
    """
    arr = STATE["att"].numpy()  # zero-copy float16 view
    L = arr.shape[0]
    enc_ms = bin_ms = 0.0
    sizes = []
    for layer in range(L):
        t0 = time.perf_counter()
        text = json.dumps(arr[layer].tolist())
        enc_ms += time.perf_counter() - t0
        with open(os.path.join(outdir, f"{prefix}_{layer}.json"), "w") as f:
            f.write(text)
        sizes.append(len(text))
        del text
        t0 = time.perf_counter()
        raw = np.ascontiguousarray(arr[layer], dtype="<f2").tobytes()
        bin_ms += time.perf_counter() - t0
        with open(os.path.join(outdir, f"{prefix}_{layer}.bin"), "wb") as f:
            f.write(raw)
    _emit({"layers": L, "json_bytes": sum(sizes) + (L - 1) + 2, "layer_json_bytes": sizes,
           "binary_bytes": int(arr.nbytes), "json_encode_ms": enc_ms * 1e3, "binary_encode_ms": bin_ms * 1e3})


def cleanup_files(outdir: str, prefix: str) -> None:
    for name in os.listdir(outdir):
        if name.startswith(prefix + "_"):
            os.remove(os.path.join(outdir, name))
    _emit({"ok": True})
