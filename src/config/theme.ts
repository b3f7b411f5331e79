import { ThemeSetting } from './settings';

export type Theme = 'light' | 'dark';

/** JupyterLab marks the body with data-jp-theme-light="true"|"false"; elsewhere, ask the OS. */
export function pageTheme(doc: Document = document): Theme {
  const flag = doc.body?.dataset.jpThemeLight;
  if (flag === 'true') {
    return 'light';
  }
  if (flag === 'false') {
    return 'dark';
  }
  const mq = doc.defaultView?.matchMedia?.('(prefers-color-scheme: dark)');
  return mq?.matches ? 'dark' : 'light';
}

export function resolveTheme(setting: ThemeSetting, doc: Document = document): Theme {
  return setting === 'auto' ? pageTheme(doc) : setting;
}

/** Calls `fn` whenever JupyterLab switches theme. Returns the cleanup. */
export function watchPageTheme(fn: () => void, doc: Document = document): () => void {
  if (!doc.body || typeof MutationObserver === 'undefined') {
    return () => undefined;
  }
  const observer = new MutationObserver(fn);
  observer.observe(doc.body, { attributes: true, attributeFilter: ['data-jp-theme-light', 'data-jp-theme-name'] });
  return () => observer.disconnect();
}
