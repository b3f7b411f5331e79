/**
 * The head view's static skeleton: toolbar (section, pair filter, layer), head chips, the two token
 * columns with the line area between them, and the tooltip. No data logic here. The body scrolls
 * (bounded height, style/base.css); its canvases cover only the visible rows (render/viewport.ts).
 */
import { el, labelled } from '../dom';
import { buildFetchStatus, FetchStatusDom } from '../fetch-status';
import { createTooltip } from '../../render/tooltip';

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
  /** The focused token's lines, drawn above the base lines (linksCanvas) while it covers them. */
  focusCanvas: HTMLCanvasElement;
  linksSvg: SVGSVGElement;
  keyColumn: HTMLElement;
  keyTokens: HTMLElement;
  keyStripes: HTMLCanvasElement;
  tooltip: HTMLElement;
  message: HTMLElement;
  fetchStatus: FetchStatusDom;
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
  // the focused token's lines, above the (covered) base lines
  const focusCanvas = el(doc, 'canvas', 'attnscope-focus-canvas');
  focusCanvas.hidden = true;
  const linksSvg = doc.createElementNS('http://www.w3.org/2000/svg', 'svg');
  linksSvg.setAttribute('class', 'attnscope-links-svg');
  linksSvg.setAttribute('aria-hidden', 'true');
  links.append(linksCanvas, focusCanvas, linksSvg);
  body.append(queryColumn, links, keyColumn);

  const tooltip = createTooltip(doc);
  const message = el(doc, 'div', 'attnscope-message');
  message.hidden = true;

  const fetchStatus = buildFetchStatus(doc);
  root.append(toolbar, chips, fetchStatus.root, body, tooltip, message);
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
    focusCanvas,
    linksSvg,
    keyColumn,
    keyTokens,
    keyStripes,
    tooltip,
    message,
    fetchStatus
  };
}
