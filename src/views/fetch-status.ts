/**
 * The visible state of a lazy fetch inside a view: nothing when the data is here, else one line
 * saying what is happening (loading, waiting for a busy or lost kernel, failed, not saved) and a
 * Retry button where asking again can help. Text only, never HTML.
 */
import { SliceStatus } from '../data/slice-store';
import { el } from './dom';

export interface FetchStatusDom {
  root: HTMLElement;
  text: HTMLElement;
  retry: HTMLButtonElement;
}

export function buildFetchStatus(doc: Document): FetchStatusDom {
  const root = el(doc, 'div', 'attnscope-fetch-status');
  root.setAttribute('role', 'status');
  root.hidden = true;
  const text = el(doc, 'span', 'attnscope-fetch-text');
  const retry = el(doc, 'button', 'attnscope-fetch-retry', 'Retry');
  retry.type = 'button';
  root.append(text, retry);
  return { root, text, retry };
}

/**
 * Shows `status` (or hides the line when ready and nothing was capped). `note` is appended, e.g.
 * which heads a capped request shows. Sets data-fetch on the view root for tests and automation.
 */
export function showFetchStatus(dom: FetchStatusDom, view: HTMLElement, status: SliceStatus | null, note = ''): void {
  const state = status?.state ?? 'ready';
  view.dataset.fetch = state;
  const message = [status?.message ?? '', note].filter(Boolean).join(' ');
  dom.root.hidden = !message;
  dom.root.dataset.state = state;
  dom.text.textContent = message;
  dom.retry.hidden = !(state === 'waiting' || state === 'failed');
}

/** data-state of a view whose data is not (yet) here: loading while it may come, error when it will not. */
export function stateOf(status: SliceStatus): 'loading' | 'ready' | 'error' {
  if (status.state === 'ready') {
    return 'ready';
  }
  return status.state === 'loading' || status.state === 'waiting' ? 'loading' : 'error';
}
