/**
 * The widget models alive in this page, by model id: the renderer of attnscope's own output mimetype
 * (src/output-renderer.ts) shows the live widget for an id found here, and waits here for one that
 * JupyterLab's widget manager has not made yet (a kernel's comm_open, or a restore from the notebook).
 */
export class LiveModels<T> {
  private readonly models = new Map<string, T>();
  private readonly waiting = new Map<string, Set<(model: T) => void>>();

  get(id: string): T | undefined {
    return this.models.get(id);
  }

  add(id: string, model: T): void {
    this.models.set(id, model);
    const fns = this.waiting.get(id);
    this.waiting.delete(id);
    fns?.forEach(fn => fn(model));
  }

  /** Forgets `model` (closed); a newer model of the same id stays. */
  remove(id: string, model: T): void {
    if (this.models.get(id) === model) {
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
