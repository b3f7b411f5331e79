"""Kernel-side benchmark of attnscope.head_scores (issue 12): the `scores` kind of benchmarks/run.sh.

No JupyterLab or browser: head_scores is pure kernel work, so this runs in one Python process.
Usage (see README.md): benchmarks/run.sh --kinds scores [--sizes M,L] [--runs 3] [--runs-l 1]
or directly: python benchmarks/bench_scores.py --sizes M,L.

For each size the attention is bench_kernel.setup's tensor (float16 softmax of randn * 3 logits, built
one layer at a time in torch; L = 32 x 32 x 2,048 is 8.6 GB), and each input form that fits in memory
is derived from it: torch float16 (the tensor itself, no copy), torch float32 and numpy float32 (one
float32 copy, 2x the float16 size). token_ids are the first N/2 ids repeated twice (the induction probe's
shape), so every score is computed, the duplicate and induction patterns included (13 scores).

Per run: wall time of one head_scores call (time.perf_counter) and the peak resident memory above the
start of the call: VmHWM of /proc/self/status after resetting it through /proc/self/clear_refs (Linux),
so it counts numpy, torch and Python allocations alike (tracemalloc would miss torch's).
The load average (os.getloadavg) is recorded before and after every size: the machine may be shared.
"""

from __future__ import annotations

import argparse
import ctypes
import datetime
import gc
import json
import os
import platform
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path[:0] = [str(REPO), str(HERE)]  # this checkout's attnscope, and bench_kernel

import bench_kernel  # noqa: E402  (benchmarks/ is not a package)

SIZES = {"S": (6, 12, 32), "M": (12, 12, 512), "L": (32, 32, 2048)}
FORMS = ("numpy float32", "torch float32", "torch float16")
GIB = 1024 ** 3
MIB = 1024 ** 2


def mem_available() -> int:
    with open("/proc/meminfo") as f:
        for line in f:
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) * 1024
    return 0


def machine() -> str:
    cpu = "?"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    import torch

    total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    return (f"{os.cpu_count()} cores (nproc; {cpu}), {total / GIB:.1f} GiB RAM "
            f"({mem_available() / GIB:.1f} GiB available at start), Python {platform.python_version()}, "
            f"numpy {np.__version__}, torch {torch.__version__} (threads {torch.get_num_threads()})")


def commit() -> str:
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True,
                              text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--", "attnscope"], cwd=REPO,
                               capture_output=True, text=True, check=True).stdout.strip()
        return head + (" + uncommitted changes in attnscope/" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        return "?"


def load() -> list:
    return [round(x, 2) for x in os.getloadavg()]


def token_ids(n: int) -> np.ndarray:
    half = np.random.default_rng(0).integers(0, 50_000, size=(n + 1) // 2)
    return np.concatenate([half, half])[:n].astype(np.int64)


def form_bytes(form: str, shape) -> int:
    e = int(np.prod(shape))
    return 2 * e if form == "torch float16" else 4 * e


def make_input(form: str):
    att = bench_kernel.STATE["att"]  # torch float16, kept by setup
    if form == "torch float16":
        return att
    as32 = att.float()  # one float32 copy, made before the timed call
    return as32 if form == "torch float32" else as32.numpy()


def trim() -> None:
    """Give freed heap memory back to the OS (glibc malloc_trim), so that the peak above counts what the
    call allocates, not only what it allocates beyond memory freed earlier and still resident."""
    gc.collect()
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass


def time_call(x, tokens, ids) -> dict:
    import attnscope

    trim()
    start = bench_kernel.rss()
    reset = bench_kernel.reset_peak()
    t0 = time.perf_counter()
    out = attnscope.head_scores(x, tokens, token_ids=ids)
    ms = (time.perf_counter() - t0) * 1e3
    peak = bench_kernel.peak_rss() - start if reset else None
    return {"ms": ms, "peak_extra_bytes": peak, "scores": len(out)}


def traced_peak(x, tokens, ids) -> int:
    """Peak of the Python and numpy allocations (tracemalloc; torch's own allocations are not traced) of one
    more, untimed call."""
    import attnscope

    trim()
    tracemalloc.start()
    try:
        attnscope.head_scores(x, tokens, token_ids=ids)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def run_size(name: str, runs: int, seed: int, budget: float, traced: bool) -> dict:
    L, H, N = SIZES[name]
    shape = (L, H, N, N)
    entry: dict = {"size": name, "shape": list(shape), "load_before": load(), "forms": {}}
    f16 = form_bytes("torch float16", shape)
    if f16 > budget:
        entry["not_attempted"] = f"the float16 tensor ({f16 / GIB:.1f} GiB) exceeds the budget {budget / GIB:.1f} GiB"
        return entry
    t0 = time.perf_counter()
    bench_kernel.setup(L, H, N, seed)
    entry["setup_s"] = time.perf_counter() - t0
    tokens, ids = bench_kernel.STATE["tokens"], token_ids(N)
    for form in FORMS:
        extra = 0 if form == "torch float16" else form_bytes(form, shape)
        if f16 + extra + f16 / L * 2 > budget:  # + a float32 block of heads while scoring
            entry["forms"][form] = {"not_attempted": f"a float32 copy ({extra / GIB:.1f} GiB) next to the float16 "
                                                     f"tensor ({f16 / GIB:.1f} GiB) exceeds the budget "
                                                     f"{budget / GIB:.1f} GiB"}
            print(f"{name} {form}: not attempted ({entry['forms'][form]['not_attempted']})", flush=True)
            continue
        x = make_input(form)
        results = []
        for i in range(runs):
            r = time_call(x, tokens, ids)
            results.append(r)
            peak = r["peak_extra_bytes"]
            print(f"{name} {form} run {i + 1}/{runs}: {r['ms']:.0f} ms, peak +"
                  f"{'?' if peak is None else f'{peak / MIB:.0f}'} MiB, {r['scores']} scores, load {load()}",
                  flush=True)
        entry["forms"][form] = {"input_bytes": form_bytes(form, shape), "runs": results}
        if traced:
            entry["forms"][form]["tracemalloc_peak_bytes"] = traced_peak(x, tokens, ids)
        del x
        gc.collect()
    bench_kernel.STATE.clear()
    gc.collect()
    entry["load_after"] = load()
    return entry


def fmt_ms(ms: float) -> str:
    return f"{ms / 1e3:.1f} s" if ms >= 10_000 else f"{ms:.0f} ms"


def table(saved: dict) -> str:
    rows = ["| size | input | runs | head_scores median | min | peak RSS above start (median) | tracemalloc peak | "
            "input size | load average before / after the size |", "|---|---|---|---|---|---|---|---|---|"]
    for entry in saved["sizes"]:
        shape = " x ".join(str(v) for v in entry["shape"])
        loadavg = f"{entry['load_before']} / {entry.get('load_after', '?')}"
        if "not_attempted" in entry:
            rows.append(f"| {entry['size']} ({shape}) | all | 0 | not attempted: {entry['not_attempted']} | | | | | "
                        f"{loadavg} |")
            continue
        for form in FORMS:
            d = entry["forms"].get(form, {"not_attempted": "not run"})
            if "not_attempted" in d:
                rows.append(f"| {entry['size']} ({shape}) | {form} | 0 | not attempted: {d['not_attempted']} "
                            f"| | | | | {loadavg} |")
                continue
            ms = [r["ms"] for r in d["runs"]]
            peaks = [r["peak_extra_bytes"] for r in d["runs"] if r["peak_extra_bytes"] is not None]
            peak = f"{np.median(peaks) / MIB:,.1f} MiB" if peaks else "?"
            traced = d.get("tracemalloc_peak_bytes")
            traced = "not run" if traced is None else f"{traced / MIB:,.1f} MiB"
            rows.append(f"| {entry['size']} ({shape}) | {form} | {len(ms)} | {fmt_ms(float(np.median(ms)))} | "
                        f"{fmt_ms(min(ms))} | {peak} | {traced} | {d['input_bytes'] / MIB:,.0f} MiB | {loadavg} |")
    return "\n".join(rows)


def render(saved: dict, out: Path) -> None:
    md = f"""# attnscope.head_scores benchmark (issue 12)

Generated by `benchmarks/bench_scores.py` (the `scores` kind of `benchmarks/run.sh`); raw numbers in
`results-scores.json`. How it measures: the module docstring of `bench_scores.py` and `README.md`.

- Date: {saved['date']}
- Commit: {saved['commit']}
- Command: `{saved['command']}`
- Machine: {saved['machine']}
- Duration: {saved['minutes']:.1f} min
- `uptime` at the start: `{saved['uptime_before']}`; at the end: `{saved['uptime_after']}`

Time: wall time of one `attnscope.head_scores(attention, tokens, token_ids=ids)` call (all 13 scores,
the duplicate and induction patterns included). Memory: peak resident set (VmHWM, reset through
/proc/self/clear_refs before the call) above the RSS at the start of the call, so the input itself is not
counted. tracemalloc peak: one more, untimed call under tracemalloc (Python and numpy allocations;
torch's own are not traced; not run at L). Float32 inputs are converted from the float16 tensor before
the timed call.

{table(saved)}
{saved.get('notes') or ''}
"""
    out.write_text(md)
    print(f"wrote {out}")


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--sizes", default="M,L")
    p.add_argument("--runs", type=int, default=3, help="runs per input form at S and M")
    p.add_argument("--runs-l", type=int, default=1, help="runs per input form at L")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--mem-budget-gb", type=float, default=None, help="default 0.8 x MemAvailable at start")
    p.add_argument("--out", default=str(HERE / "RESULTS-scores.md"))
    p.add_argument("--json", default=str(HERE / "results-scores.json"))
    p.add_argument("--notes", default="")
    p.add_argument("--from-json", default=None, help="only re-render --out from a saved JSON file")
    p.add_argument("--kinds", default="scores", help="accepted for run.sh; only 'scores' is measured here")
    a = p.parse_args(argv)
    if a.from_json:
        render(json.loads(Path(a.from_json).read_text()), Path(a.out))
        return 0
    if a.kinds != "scores":
        p.error("bench_scores.py measures only --kinds scores; the other kinds are bench.ts's")
    budget = (a.mem_budget_gb * GIB) if a.mem_budget_gb else 0.8 * mem_available()
    started = time.perf_counter()
    uptime = subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()
    saved = {"date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
             "commit": commit(), "machine": machine(), "uptime_before": uptime,
             "command": "benchmarks/run.sh " + " ".join(sys.argv[1:] if argv is None else argv),
             "budget_bytes": budget, "notes": a.notes, "sizes": []}
    import attnscope

    saved["attnscope"] = attnscope.__file__
    x = np.full((1, 2, 4, 4), 0.25, np.float32)
    attnscope.head_scores(x, ["a", "b", "a", "b"], token_ids=[1, 2, 1, 2])  # warm-up: imports, not timed
    for name in a.sizes.split(","):
        if name not in SIZES:
            p.error(f"unknown size {name!r}; expected some of {list(SIZES)}")
        saved["sizes"].append(run_size(name, a.runs_l if name == "L" else a.runs, a.seed, budget, traced=name != "L"))
        Path(a.json).write_text(json.dumps(saved, indent=1) + "\n")  # keep what was measured so far
    saved["minutes"] = (time.perf_counter() - started) / 60
    saved["uptime_after"] = subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()
    Path(a.json).write_text(json.dumps(saved, indent=1) + "\n")
    print(table(saved))
    render(saved, Path(a.out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
