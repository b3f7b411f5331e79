/**
 * The text view's skeleton: toolbar (section, layer, which matrix, words toggle), the fetch status,
 * a caption saying what the shading means, a legend (0 .. the largest weight shown) and the running
 * text, one inline span per token (or word). No data logic here; every text is set as text.
 */
import { TextUnit } from '../../render/running-text';
import { createTooltip } from '../../render/tooltip';
import { TextLine } from '../../render/token-text';
import { el, labelled } from '../dom';
import { buildFetchStatus, FetchStatusDom } from '../fetch-status';

export interface TextViewDom {
  root: HTMLElement;
  sectionSelect: HTMLSelectElement;
  layerSelect: HTMLSelectElement;
  sourceSelect: HTMLSelectElement;
  wordsToggle: HTMLButtonElement;
  fetchStatus: FetchStatusDom;
  caption: HTMLElement;
  legend: HTMLElement;
  legendMax: HTMLElement;
  body: HTMLElement;
  tooltip: HTMLElement;
  message: HTMLElement;
}

export function buildTextViewDom(doc: Document): TextViewDom {
  const root = el(doc, 'div', 'attnscope-view attnscope-text');
  root.dataset.state = 'loading';

  const toolbar = el(doc, 'div', 'attnscope-toolbar');
  const sectionSelect = el(doc, 'select', 'attnscope-section-select');
  const layerSelect = el(doc, 'select', 'attnscope-layer-select');
  const sourceSelect = el(doc, 'select', 'attnscope-source-select');
  const sectionLabel = labelled(doc, 'Attention', sectionSelect);
  sectionLabel.classList.add('attnscope-section-control');
  const wordsToggle = el(doc, 'button', 'attnscope-words-toggle', 'words');
  wordsToggle.type = 'button';
  wordsToggle.title = 'Group subword tokens into words (sum over a word\u2019s keys, mean over its queries)';
  wordsToggle.setAttribute('aria-pressed', 'false');
  toolbar.append(sectionLabel, labelled(doc, 'Layer', layerSelect), labelled(doc, 'Weights of', sourceSelect), wordsToggle);

  const caption = el(doc, 'div', 'attnscope-text-caption');
  caption.setAttribute('aria-live', 'polite');
  const legend = el(doc, 'div', 'attnscope-text-legend');
  legend.setAttribute('aria-hidden', 'true');
  const legendMax = el(doc, 'span', 'attnscope-text-legend-max', '0');
  legend.append(el(doc, 'span', 'attnscope-text-legend-min', '0'), el(doc, 'span', 'attnscope-text-legend-bar'), legendMax);

  const body = el(doc, 'div', 'attnscope-text-body');
  body.setAttribute('role', 'group');
  body.setAttribute('aria-label', 'Input text: each token shaded by the weight it receives; arrows move, Enter pins, Escape unpins');

  const tooltip = createTooltip(doc);
  const message = el(doc, 'div', 'attnscope-message');
  message.hidden = true;
  const fetchStatus = buildFetchStatus(doc);
  root.append(toolbar, fetchStatus.root, caption, legend, body, tooltip, message);
  return { root, sectionSelect, layerSelect, sourceSelect, wordsToggle, fetchStatus, caption, legend, legendMax, body, tooltip, message };
}

/** A line of text with tokens in it: text nodes, and each token in a <bdi> (its direction is its own). */
export function setLine(target: HTMLElement, line: TextLine): void {
  const doc = target.ownerDocument;
  if (typeof line === 'string') {
    target.textContent = line;
    return;
  }
  target.replaceChildren(
    ...line.map(part => {
      if (typeof part === 'string') {
        return doc.createTextNode(part);
      }
      const bdi = doc.createElement('bdi');
      bdi.textContent = part.token;
      return bdi;
    })
  );
}

/**
 * Fills the body with one span per unit (spaces between words as text nodes, outside the spans).
 * `show` gives the visible text of a unit (escaped and bounded). Returns the spans in order.
 */
export function renderUnits(body: HTMLElement, units: readonly TextUnit[], show: (u: TextUnit) => string, tokens: readonly string[]): HTMLElement[] {
  const doc = body.ownerDocument;
  const frag = doc.createDocumentFragment();
  const spans: HTMLElement[] = [];
  for (const u of units) {
    if (u.space) {
      frag.append(doc.createTextNode(' '));
    }
    const span = doc.createElement('span');
    span.className = 'attnscope-token attnscope-text-token';
    span.dataset.side = 'key';
    span.dataset.index = String(u.index);
    if (u.word !== null) {
      span.dataset.word = String(u.word);
      span.dataset.tokens = `${u.index}-${u.end - 1}`;
    }
    span.tabIndex = -1;
    span.setAttribute('role', 'button');
    span.textContent = show(u);
    const exact = u.word !== null ? tokens.slice(u.index, u.end).join(' ') : tokens[u.index];
    span.setAttribute('aria-label', `${u.word !== null ? 'word' : 'token'} ${u.word ?? u.index}: ${exact}`);
    frag.append(span);
    spans.push(span);
  }
  body.replaceChildren(frag);
  return spans;
}
