/**
 * Small DOM builders every view skeleton uses. Text is always set as text, never parsed as HTML.
 */
export function el<K extends keyof HTMLElementTagNameMap>(
  doc: Document,
  tag: K,
  className: string,
  text?: string
): HTMLElementTagNameMap[K] {
  const e = doc.createElement(tag);
  e.className = className;
  if (text !== undefined) {
    e.textContent = text;
  }
  return e;
}

/** A toolbar control: a muted text label followed by the control. */
export function labelled(doc: Document, text: string, control: HTMLElement): HTMLLabelElement {
  const label = el(doc, 'label', 'attnscope-control');
  label.append(el(doc, 'span', 'attnscope-control-label', text), control);
  return label;
}

/** Hides (or shows again) a toolbar control together with its label. */
export function hideControl(control: HTMLElement, hidden: boolean): void {
  const label = control.parentElement;
  if (label) {
    label.hidden = hidden;
  }
}

/** Replaces the options of a <select>; option text is set as text, never HTML. */
export function setOptions(select: HTMLSelectElement, options: { value: string; label: string }[], value: string): void {
  const doc = select.ownerDocument;
  select.replaceChildren(
    ...options.map(o => {
      const opt = doc.createElement('option');
      opt.value = o.value;
      opt.textContent = o.label;
      return opt;
    })
  );
  select.value = value;
}

/** Backing-store size of a canvas of `width` x `height` CSS pixels on this screen. */
function backingSize(canvas: HTMLCanvasElement, width: number, height: number): { w: number; h: number; dpr: number } {
  const dpr = canvas.ownerDocument.defaultView?.devicePixelRatio || 1;
  return { w: Math.max(1, Math.round(width * dpr)), h: Math.max(1, Math.round(height * dpr)), dpr };
}

/** Whether prepareCanvas(canvas, width, height) would keep the backing store as it is. */
export function canvasFits(canvas: HTMLCanvasElement, width: number, height: number): boolean {
  const { w, h } = backingSize(canvas, width, height);
  return canvas.width === w && canvas.height === h;
}

/**
 * Sizes a canvas for crisp lines on high-DPI screens and returns its 2D context in CSS pixels,
 * cleared. The backing store is reallocated only when the size changes (hover repaints reuse it).
 */
export function prepareCanvas(canvas: HTMLCanvasElement, width: number, height: number): CanvasRenderingContext2D | null {
  const { w, h, dpr } = backingSize(canvas, width, height);
  if (canvas.width !== w || canvas.height !== h) {
    canvas.width = w;
    canvas.height = h;
    canvas.style.width = `${width}px`;
    canvas.style.height = `${height}px`;
  }
  const ctx = canvas.getContext('2d');
  if (ctx) {
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.clearRect(0, 0, w, h);
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.globalAlpha = 1;
  }
  return ctx;
}

/** Toggles `className` on the token elements (data-index) whose index is in `indices` (null: on none). */
export function markIndices(els: readonly HTMLElement[], indices: readonly number[] | null, className: string): void {
  const set = new Set(indices ?? []);
  for (const e of els) {
    e.classList.toggle(className, set.has(Number(e.dataset.index)));
  }
}
