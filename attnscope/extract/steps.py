"""The attention of every generation step -> one attention tensor over the final sequence (pure, torch).

``model.generate(..., output_attentions=True, return_dict_in_generate=True)`` returns, for each step, a
tuple of per-layer weights [batch, heads, q, k]: step 0 reads the prompt (q = its length), each later step
reads the token the step before produced (q = 1 with a KV cache, every position so far without one). The
rows of a step are the query positions ``row_end - q .. row_end - 1``; :func:`assemble` writes, step after
step, the rows not written yet into one [heads, rows, keys] block per layer, the keys a step does not
reach left at zero (self-attention: the future, above the diagonal).
"""

from __future__ import annotations


def row_ends(first: int, n_steps: int) -> list[int]:
    """How many query positions exist after each step: ``first`` (the prompt) after step 0, one more per
    later step (generate adds one token per step)."""
    return [first + t for t in range(n_steps)]


def assemble(steps, ends, out, batch_index: int = 0) -> None:
    """Write the rows of every step into ``out`` (a sequence of per-layer [heads, rows, keys] tensors).

    steps: per step, a tuple of per-layer tensors [batch, heads, q, k]; ends: per step, the number of
    query positions once it has run (its rows are ``end - q .. end - 1``). Rows already written by an
    earlier step are not written again; keys beyond ``out``'s (a static cache's unused slots, which the
    model masks) are dropped. RuntimeError when a step lacks a row it should bring or its layers or
    heads do not fit ``out``.
    """
    filled = 0
    for t, (step, end) in enumerate(zip(steps, ends, strict=True)):
        if len(step) != len(out):
            raise RuntimeError(f"generation step {t} returned attention for {len(step)} layers, "
                               f"step 0 for {len(out)}.")
        for layer, (a, dest) in enumerate(zip(step, out)):
            heads, q, k = a.shape[1:]
            n_rows, n_keys = dest.shape[1:]
            if heads != dest.shape[0] or end > n_rows or end - q > filled:
                raise RuntimeError(f"generation step {t}, layer {layer}: attention [{heads}, {q}, {k}] does not "
                                   f"bring query rows {filled}..{end - 1} of {dest.shape[0]} heads x {n_rows} rows.")
            new = a[batch_index, :, q - (end - filled):, : min(k, n_keys)]
            dest[:, filled:end, : new.shape[-1]].copy_(new)  # any dtype / device to out's
        filled = end
    if filled != out[0].shape[1]:
        raise RuntimeError(f"the generation steps brought {filled} query rows; expected {out[0].shape[1]}.")
