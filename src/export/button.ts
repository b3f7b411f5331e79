/**
 * The export button of a view's toolbar: `.attnscope-export` opens a small menu with
 * `[data-export="svg"]` and `[data-export="png"]`, which download the view as it is now (the
 * builder is called at click time). Keyboard: Enter/Space/ArrowDown open it, arrows move, Escape
 * closes and returns focus to the button.
 *
 * The rasteriser and the downloader go through `exportIO` so that tests (jsdom has no canvas) and
 * other hosts can replace them with setExportIO.
 */
import { downloadBlob, EXPORT_SCALE, PNG_MIME, rasterizeSvg, SVG_MIME } from './png';
import { ExportedSvg } from './svg';

export type ExportFormat = 'svg' | 'png';

export interface ExportIO {
  rasterize(svg: string, width: number, height: number, scale: number): Promise<Blob>;
  download(blob: Blob, name: string): void;
}

const DEFAULT_IO: ExportIO = {
  rasterize: (svg, width, height, scale) => rasterizeSvg(svg, width, height, scale),
  download: (blob, name) => downloadBlob(blob, name)
};

const io: ExportIO = { ...DEFAULT_IO };

/** Replaces the rasteriser and/or downloader; returns a function restoring the previous ones. */
export function setExportIO(next: Partial<ExportIO>): () => void {
  const previous = { ...io };
  Object.assign(io, next);
  return () => Object.assign(io, previous);
}

/** Builds the view's SVG and downloads it as SVG or PNG. Resolves to the file name. */
export async function exportView(format: ExportFormat, build: () => ExportedSvg | null): Promise<string> {
  const out = build();
  if (!out) {
    throw new Error('attnscope: this view has nothing to export');
  }
  if (format === 'svg') {
    const name = `${out.name}.svg`;
    io.download(new Blob([out.svg], { type: SVG_MIME }), name);
    return name;
  }
  const blob = await io.rasterize(out.svg, out.width, out.height, EXPORT_SCALE);
  const name = `${out.name}.png`;
  io.download(blob.type === PNG_MIME ? blob : new Blob([blob], { type: PNG_MIME }), name);
  return name;
}

let menuCount = 0;

const ITEMS: readonly { format: ExportFormat; label: string; title: string }[] = [
  { format: 'svg', label: 'SVG', title: 'Download the current view as SVG (vector)' },
  { format: 'png', label: `PNG (${EXPORT_SCALE}\u00d7)`, title: `Download the current view as PNG at ${EXPORT_SCALE}\u00d7 (${96 * EXPORT_SCALE} dpi)` }
];

/**
 * Adds the export button to the view's toolbar (`root > .attnscope-toolbar`) and records
 * data-export-scale on the root. Returns the cleanup.
 */
export function attachExport(root: HTMLElement, build: () => ExportedSvg | null): () => void {
  const doc = root.ownerDocument;
  const toolbar = root.querySelector<HTMLElement>(':scope > .attnscope-toolbar') ?? root;
  const wrap = doc.createElement('div');
  wrap.className = 'attnscope-export-wrap';
  const button = doc.createElement('button');
  button.type = 'button';
  button.className = 'attnscope-export';
  button.textContent = 'Export';
  button.title = 'Export view as SVG or PNG';
  button.setAttribute('aria-label', 'Export view');
  button.setAttribute('aria-haspopup', 'menu');
  button.setAttribute('aria-expanded', 'false');
  const menu = doc.createElement('div');
  menu.className = 'attnscope-export-menu';
  menu.id = `attnscope-export-menu-${++menuCount}`;
  menu.setAttribute('role', 'menu');
  menu.setAttribute('aria-label', 'Export view');
  menu.hidden = true;
  button.setAttribute('aria-controls', menu.id);
  const items = ITEMS.map(it => {
    const item = doc.createElement('button');
    item.type = 'button';
    item.setAttribute('role', 'menuitem');
    item.dataset.export = it.format;
    item.tabIndex = -1;
    item.textContent = it.label;
    item.title = it.title;
    return item;
  });
  menu.append(...items);
  wrap.append(button, menu);
  toolbar.append(wrap);
  root.dataset.exportScale = String(EXPORT_SCALE);

  const isOpen = (): boolean => !menu.hidden;
  const open = (focusAt: number | null): void => {
    menu.hidden = false;
    button.setAttribute('aria-expanded', 'true');
    if (focusAt !== null) {
      items[(focusAt + items.length) % items.length].focus();
    }
  };
  const close = (refocus: boolean): void => {
    menu.hidden = true;
    button.setAttribute('aria-expanded', 'false');
    if (refocus) {
      button.focus();
    }
  };
  const run = (format: ExportFormat): void => {
    close(true);
    root.dataset.exportState = 'busy';
    delete root.dataset.exportError;
    exportView(format, build).then(
      name => {
        root.dataset.exportState = 'done';
        root.dataset.exportFile = name;
      },
      (err: unknown) => {
        root.dataset.exportState = 'error';
        root.dataset.exportError = err instanceof Error ? err.message : String(err);
      }
    );
  };

  const onButtonClick = (): void => (isOpen() ? close(false) : open(null));
  const onButtonKey = (e: KeyboardEvent): void => {
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      open(e.key === 'ArrowDown' ? 0 : -1);
    } else if (e.key === 'Escape' && isOpen()) {
      e.preventDefault();
      close(true);
    }
  };
  const onMenuClick = (e: MouseEvent): void => {
    const item = e.target instanceof Element ? e.target.closest<HTMLElement>('[data-export]') : null;
    const format = item?.dataset.export;
    if (format === 'svg' || format === 'png') {
      run(format);
    }
  };
  const onMenuKey = (e: KeyboardEvent): void => {
    const at = items.findIndex(i => i === doc.activeElement);
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      items[(at + (e.key === 'ArrowDown' ? 1 : items.length - 1)) % items.length].focus();
    } else if (e.key === 'Home' || e.key === 'End') {
      e.preventDefault();
      items[e.key === 'Home' ? 0 : items.length - 1].focus();
    } else if (e.key === 'Escape') {
      e.preventDefault();
      close(true);
    } else if (e.key === 'Tab') {
      close(false);
    }
  };
  const onDocPointer = (e: Event): void => {
    if (isOpen() && !(e.target instanceof Node && wrap.contains(e.target))) {
      close(false);
    }
  };
  const listeners: [EventTarget, string, EventListener, boolean][] = [
    [button, 'click', onButtonClick as EventListener, false],
    [button, 'keydown', onButtonKey as EventListener, false],
    [menu, 'click', onMenuClick as EventListener, false],
    [menu, 'keydown', onMenuKey as EventListener, false],
    [doc, 'pointerdown', onDocPointer, true],
    [doc, 'mousedown', onDocPointer, true]
  ];
  listeners.forEach(([target, type, fn, capture]) => target.addEventListener(type, fn, capture));
  return () => {
    listeners.forEach(([target, type, fn, capture]) => target.removeEventListener(type, fn, capture));
    wrap.remove();
  };
}
