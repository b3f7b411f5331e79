/**
 * The widget models alive in this page, by model id: the renderer of attnscope's own output mimetype
 * (src/output-renderer.ts) shows the live widget for an id found here, and waits here for one that
 * JupyterLab's widget manager has not made yet (a kernel's comm_open, or a restore from the notebook).
 * Held weakly: a notebook closed without closing its widgets must not keep their buffers alive here
 * (its widget manager, which holds them, goes away with it).
 */
export class LiveModels<T extends object> {
  private readonly models = new Map<string, WeakRef<T>>();
  private readonly waiting = new Map<string, Set<(model: T) => void>>();

  get(id: string): T | undefined {
    const model = this.models.get(id)?.deref();
    if (!model) {
      this.models.delete(id);
    }
    return model;
  }

  add(id: string, model: T): void {
    for (const [key, ref] of this.models) {
      if (!ref.deref()) {
        this.models.delete(key);
      }
    }
    this.models.set(id, new WeakRef(model));
    const fns = this.waiting.get(id);
    this.waiting.delete(id);
    fns?.forEach(fn => fn(model));
  }

  /** Forgets `model` (closed); a newer model of the same id stays. */
  remove(id: string, model: T): void {
    if (this.models.get(id)?.deref() === model) {
      this.models.delete(id);
    }
  }

  /** Calls `fn` once, when a model of this id is added; returns the cancel. */
  whenAdded(id: string, fn: (model: T) => void): () => void {
    const fns = this.waiting.get(id) ?? new Set();
    fns.add(fn);
    this.waiting.set(id, fns);
    return () => {
      fns.delete(fn);
      if (!fns.size && this.waiting.get(id) === fns) {
        this.waiting.delete(id);
      }
    };
  }
}
