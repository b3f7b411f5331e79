/**
 * The head view's static skeleton: toolbar (section, pair filter, layer), head chips, the two token
 * columns with the line area between them, and the tooltip. No data logic here.
 */
export interface HeadViewDom {
  root: HTMLElement;
  sectionSelect: HTMLSelectElement;
  filterSelect: HTMLSelectElement;
  layerSelect: HTMLSelectElement;
  chips: HTMLElement;
  body: HTMLElement;
  queryColumn: HTMLElement;
  queryTokens: HTMLElement;
  queryStripes: HTMLCanvasElement;
  links: HTMLElement;
  linksCanvas: HTMLCanvasElement;
  linksSvg: SVGSVGElement;
  keyColumn: HTMLElement;
  keyTokens: HTMLElement;
  keyStripes: HTMLCanvasElement;
  tooltip: HTMLElement;
  message: HTMLElement;
}

function el<K extends keyof HTMLElementTagNameMap>(doc: Document, tag: K, className: string): HTMLElementTagNameMap[K] {
  const e = doc.createElement(tag);
  e.className = className;
  return e;
}

function labelled(doc: Document, text: string, control: HTMLElement): HTMLLabelElement {
  const label = el(doc, 'label', 'attnscope-control');
  const span = el(doc, 'span', 'attnscope-control-label');
  span.textContent = text;
  label.append(span, control);
  return label;
}

function column(doc: Document, side: 'query' | 'key'): [HTMLElement, HTMLElement, HTMLCanvasElement] {
  const col = el(doc, 'div', `attnscope-column attnscope-column-${side}`);
  const stripes = el(doc, 'canvas', 'attnscope-stripes');
  const tokens = el(doc, 'div', 'attnscope-tokens');
  tokens.setAttribute('role', 'list');
  tokens.setAttribute('aria-label', side === 'query' ? 'Query tokens (attending)' : 'Key tokens (attended to)');
  col.append(stripes, tokens);
  return [col, tokens, stripes];
}

export function buildHeadViewDom(doc: Document): HeadViewDom {
  const root = el(doc, 'div', 'attnscope-view attnscope-head');
  root.dataset.state = 'loading';

  const toolbar = el(doc, 'div', 'attnscope-toolbar');
  const sectionSelect = el(doc, 'select', 'attnscope-section-select');
  const filterSelect = el(doc, 'select', 'attnscope-filter-select');
  const layerSelect = el(doc, 'select', 'attnscope-layer-select');
  const sectionLabel = labelled(doc, 'Attention', sectionSelect);
  const filterLabel = labelled(doc, 'Sentences', filterSelect);
  sectionLabel.classList.add('attnscope-section-control');
  filterLabel.classList.add('attnscope-filter-control');
  toolbar.append(sectionLabel, filterLabel, labelled(doc, 'Layer', layerSelect));

  const chips = el(doc, 'div', 'attnscope-head-chips');
  chips.setAttribute('role', 'toolbar');
  chips.setAttribute('aria-label', 'Heads: click to toggle, double-click to solo');

  const body = el(doc, 'div', 'attnscope-head-body');
  const [queryColumn, queryTokens, queryStripes] = column(doc, 'query');
  const [keyColumn, keyTokens, keyStripes] = column(doc, 'key');
  const links = el(doc, 'div', 'attnscope-links');
  const linksCanvas = el(doc, 'canvas', 'attnscope-links-canvas');
  const linksSvg = doc.createElementNS('http://www.w3.org/2000/svg', 'svg');
  linksSvg.setAttribute('class', 'attnscope-links-svg');
  linksSvg.setAttribute('aria-hidden', 'true');
  links.append(linksCanvas, linksSvg);
  body.append(queryColumn, links, keyColumn);

  const tooltip = el(doc, 'div', 'attnscope-tooltip');
  tooltip.setAttribute('role', 'tooltip');
  tooltip.hidden = true;
  const message = el(doc, 'div', 'attnscope-message');
  message.hidden = true;

  root.append(toolbar, chips, body, tooltip, message);
  return {
    root,
    sectionSelect,
    filterSelect,
    layerSelect,
    chips,
    body,
    queryColumn,
    queryTokens,
    queryStripes,
    links,
    linksCanvas,
    linksSvg,
    keyColumn,
    keyTokens,
    keyStripes,
    tooltip,
    message
  };
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

/**
 * Sizes a canvas for crisp lines on high-DPI screens and returns its 2D context in CSS pixels,
 * cleared. The backing store is reallocated only when the size changes (hover repaints reuse it).
 */
export function prepareCanvas(canvas: HTMLCanvasElement, width: number, height: number): CanvasRenderingContext2D | null {
  const dpr = canvas.ownerDocument.defaultView?.devicePixelRatio || 1;
  const w = Math.max(1, Math.round(width * dpr));
  const h = Math.max(1, Math.round(height * dpr));
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
