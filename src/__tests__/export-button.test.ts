/**
 * @jest-environment jsdom
 */
import { Selection } from '../selection/state';
import { Tensor } from '../wire/tensor';
import { ExportIO, setExportIO } from '../export/button';
import { Section, SectionSource } from '../data/section';
import { eager } from '../data/eager';
import { VIEW_FACTORIES } from '../registry';

const HOSTILE = '</text><script>x</script>';
const TOKENS = ['[CLS]', 'the', HOSTILE, '[SEP]'];
const N = 4, D = 4;

/** [2 layers, 3 heads, 4, 4], every weight non-zero, rows sum to 1; q/k vectors when asked. */
function section(vectors: boolean): Section {
  const L = 2, H = 3;
  const data = new Float32Array(L * H * N * N);
  for (let r = 0; r < L * H * N; r++) {
    const raw = [1, 2, 3, 4].map(k => ((r * 7 + k * 3) % 5) + 1);
    const sum = raw.reduce((a, b) => a + b, 0);
    raw.forEach((v, k) => (data[r * N + k] = v / sum));
  }
  const vec = (seed: number): Tensor =>
    new Tensor(Float32Array.from({ length: L * H * N * D }, (_, i) => (((i * seed) % 7) - 3) / 2), [L, H, N, D]);
  return eager({
    key: 'self',
    label: 'Attention',
    attention: new Tensor(data, [L, H, N, N]),
    layers: [4, 5],
    heads: [0, 4, 9],
    queryTokens: TOKENS,
    keyTokens: TOKENS,
    queries: vectors ? vec(3) : null,
    keys: vectors ? vec(5) : null,
    scale: 0.5,
    causal: false
  });
}

function source(vectors = false): SectionSource {
  const sec = section(vectors);
  return { sectionList: [sec], section: k => (k === 'self' ? sec : undefined), sentenceBStart: null };
}

interface Call {
  blob: Blob;
  name: string;
}

let downloads: Call[] = [];
let rasterized: [string, number, number, number][] = [];
let restore: () => void = () => undefined;

beforeAll(() => {
  Object.defineProperty(HTMLElement.prototype, 'clientWidth', { configurable: true, get: () => 200 });
  // a context good enough for every view: the neuron view counts the cells it paints
  HTMLCanvasElement.prototype.getContext = function () {
    return {
      fillStyle: '#000000',
      setTransform: (): void => undefined,
      clearRect: (): void => undefined,
      fillRect: (): void => undefined,
      beginPath: (): void => undefined,
      moveTo: (): void => undefined,
      lineTo: (): void => undefined,
      stroke: (): void => undefined,
      strokeRect: (): void => undefined,
      createImageData: (width: number, height: number) => ({ data: new Uint8ClampedArray(width * height * 4), width, height }),
      putImageData: (): void => undefined
    };
  } as unknown as HTMLCanvasElement['getContext'];
});

beforeEach(() => {
  downloads = [];
  rasterized = [];
  const io: ExportIO = {
    download: (blob, name) => {
      downloads.push({ blob, name });
    },
    rasterize: (svg, width, height, scale) => {
      rasterized.push([svg, width, height, scale]);
      return Promise.resolve(new Blob([new Uint8Array([0x89, 0x50, 0x4e, 0x47])], { type: 'image/png' }));
    }
  };
  restore = setExportIO(io);
});

afterEach(() => {
  restore();
  document.body.innerHTML = '';
});

function readText(blob: Blob): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result));
    reader.onerror = () => reject(reader.error);
    reader.readAsText(blob);
  });
}

async function parseDownload(call: Call): Promise<Document> {
  const doc = new DOMParser().parseFromString(await readText(call.blob), 'image/svg+xml');
  expect(doc.getElementsByTagName('parsererror')).toHaveLength(0);
  expect(doc.getElementsByTagName('script')).toHaveLength(0);
  return doc;
}

const flush = (): Promise<void> => new Promise(resolve => setTimeout(resolve, 0));

function exportButton(root: HTMLElement): HTMLButtonElement {
  const buttons = root.querySelectorAll<HTMLButtonElement>('.attnscope-export');
  expect(buttons).toHaveLength(1);
  return buttons[0];
}

async function exportAs(root: HTMLElement, format: 'svg' | 'png'): Promise<Call> {
  exportButton(root).click();
  root.querySelector<HTMLButtonElement>(`[data-export="${format}"]`)!.click();
  await flush();
  expect(root.dataset.exportState).toBe('done');
  return downloads[downloads.length - 1];
}

function mountHead(): { root: HTMLElement; sel: Selection } {
  const sel = new Selection({ section: 'self', layer: 4, nHeads: 3 });
  const view = VIEW_FACTORIES.head(source(), sel);
  document.body.appendChild(view.element);
  return { root: view.element, sel };
}

describe('export button', () => {
  it('sits in the toolbar, labelled, with an SVG and a PNG action; the root records the scale', () => {
    const { root } = mountHead();
    const button = exportButton(root);
    expect(button.closest('.attnscope-toolbar')).not.toBeNull();
    expect(button.getAttribute('aria-label')).toBe('Export view');
    expect(button.getAttribute('aria-haspopup')).toBe('menu');
    expect(root.dataset.exportScale).toBe('3');
    const menu = root.querySelector<HTMLElement>('.attnscope-export-menu')!;
    expect(menu.hidden).toBe(true);
    button.click();
    expect(menu.hidden).toBe(false);
    expect(button.getAttribute('aria-expanded')).toBe('true');
    expect(Array.from(menu.querySelectorAll<HTMLElement>('[role="menuitem"]')).map(i => i.dataset.export)).toEqual(['svg', 'png']);
    // a click elsewhere closes it
    document.body.dispatchEvent(new MouseEvent('mousedown', { bubbles: true }));
    expect(menu.hidden).toBe(true);
  });

  it('works from the keyboard: arrows open and move, Escape closes and returns focus', () => {
    const { root } = mountHead();
    const button = exportButton(root);
    const menu = root.querySelector<HTMLElement>('.attnscope-export-menu')!;
    const item = (f: string): HTMLElement => menu.querySelector<HTMLElement>(`[data-export="${f}"]`)!;
    button.focus();
    button.dispatchEvent(new KeyboardEvent('keydown', { key: 'ArrowDown', bubbles: true }));
    expect(menu.hidden).toBe(false);
    expect(document.activeElement).toBe(item('svg'));
    item('svg').dispatchEvent(new KeyboardEvent('keydown', { key: 'ArrowDown', bubbles: true }));
    expect(document.activeElement).toBe(item('png'));
    item('png').dispatchEvent(new KeyboardEvent('keydown', { key: 'ArrowDown', bubbles: true }));
    expect(document.activeElement).toBe(item('svg'));
    item('svg').dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape', bubbles: true }));
    expect(menu.hidden).toBe(true);
    expect(document.activeElement).toBe(button);
    button.dispatchEvent(new KeyboardEvent('keydown', { key: 'ArrowUp', bubbles: true }));
    expect(document.activeElement).toBe(item('png'));
  });

  it('head view: SVG download of the current state, lines = data-lines', async () => {
    const { root, sel } = mountHead();
    let call = await exportAs(root, 'svg');
    expect(call.name).toBe('attnscope-head-L4-Hall.svg');
    expect(call.blob.type).toBe('image/svg+xml');
    let doc = await parseDownload(call);
    expect(doc.querySelectorAll('[data-role="links"] line')).toHaveLength(Number(root.dataset.lines));
    expect(Array.from(doc.querySelectorAll('[data-role="key-tokens"] text')).map(t => t.textContent)).toContain(HOSTILE.slice(0, 23) + '\u2026');

    // pinned token, fewer heads, other layer: the file follows
    sel.batch(() => {
      sel.setLayer(5);
      sel.setHeads([0, 2]);
      sel.pin({ side: 'key', index: 2 });
    });
    call = await exportAs(root, 'svg');
    expect(call.name).toBe('attnscope-head-L5-H0-9.svg');
    doc = await parseDownload(call);
    expect(root.dataset.lines).toBe('8');
    expect(doc.querySelectorAll('[data-role="links"] line')).toHaveLength(8);
    expect(doc.querySelector('[data-side="key"][data-index="2"]')!.getAttribute('data-pinned')).toBe('true');
    expect(doc.querySelectorAll('[data-role="stripes"] rect').length).toBeGreaterThan(0);
  });

  it('head view: PNG goes through the rasteriser at scale 3', async () => {
    const { root } = mountHead();
    const call = await exportAs(root, 'png');
    expect(call.name).toBe('attnscope-head-L4-Hall.png');
    expect(call.blob.type).toBe('image/png');
    expect(rasterized).toHaveLength(1);
    const [svg, width, height, scale] = rasterized[0];
    expect(scale).toBe(3);
    const doc = new DOMParser().parseFromString(svg, 'image/svg+xml');
    expect(doc.documentElement.getAttribute('width')).toBe(String(width));
    expect(doc.documentElement.getAttribute('height')).toBe(String(height));
  });

  it('reports a failed PNG on the root instead of throwing', async () => {
    const { root } = mountHead();
    setExportIO({ rasterize: () => Promise.reject(new Error('no canvas')) });
    exportButton(root).click();
    root.querySelector<HTMLButtonElement>('[data-export="png"]')!.click();
    await flush();
    expect(root.dataset.exportState).toBe('error');
    expect(root.dataset.exportError).toBe('no canvas');
    expect(downloads).toHaveLength(0);
  });

  it('model view: one button (none in the open-head panel); the file has the open head and its lines', async () => {
    const sel = new Selection({ section: 'self', layer: 4, nHeads: 3 });
    const view = VIEW_FACTORIES.model(source(), sel);
    document.body.appendChild(view.element);
    const root = view.element;
    let call = await exportAs(root, 'svg');
    expect(call.name).toBe('attnscope-model-Lall-Hall.svg');
    let doc = await parseDownload(call);
    expect(doc.querySelectorAll('.attnscope-thumb')).toHaveLength(Number(root.dataset.thumbs));

    root.querySelector<HTMLElement>('.attnscope-thumb[data-layer="5"][data-head="4"]')!.dispatchEvent(new MouseEvent('click', { bubbles: true }));
    sel.pin({ side: 'query', index: 1 });
    exportButton(root); // still exactly one
    call = await exportAs(root, 'svg');
    expect(call.name).toBe('attnscope-model-L5-H4.svg');
    doc = await parseDownload(call);
    expect(doc.querySelector('.attnscope-thumb[data-open="true"]')!.getAttribute('data-head')).toBe('4');
    const panel = root.querySelector<HTMLElement>('.attnscope-open-head')!;
    const open = doc.querySelector('[data-role="open-head"] [data-view="head"]')!;
    expect(open.querySelectorAll('[data-role="links"] line')).toHaveLength(Number(panel.dataset.lines));
    doc.querySelectorAll('.attnscope-thumb').forEach(t => expect(t.querySelector('[data-role="focus"]')).not.toBeNull());
  });

  it('neuron view: numbers and cells as on screen', async () => {
    const sel = new Selection({ section: 'self', layer: 4, nHeads: 3 });
    const view = VIEW_FACTORIES.neuron(source(true), sel);
    document.body.appendChild(view.element);
    const root = view.element;
    sel.pin({ side: 'query', index: 2 });
    const call = await exportAs(root, 'svg');
    expect(call.name).toBe('attnscope-neuron-L4-H0.svg');
    const doc = await parseDownload(call);
    const screen = (role: string): string[] =>
      Array.from(root.querySelectorAll(`.attnscope-neuron-row [data-role="${role}"]`)).map(e => e.textContent ?? '');
    const file = (role: string): string[] => Array.from(doc.querySelectorAll(`.attnscope-neuron-row [data-role="${role}"]`)).map(e => e.textContent ?? '');
    expect(file('dot')).toEqual(screen('dot'));
    expect(file('softmax')).toEqual(screen('softmax'));
    expect(doc.querySelectorAll('[data-matrix] rect')).toHaveLength(Number(root.dataset.cells));
    expect(doc.querySelector('[data-view="neuron"]')!.getAttribute('data-query')).toBe(root.dataset.query);
  });

  it('neuron view without vectors: nothing to download, said on the root', async () => {
    const sel = new Selection({ section: 'self', layer: 4, nHeads: 3 });
    const view = VIEW_FACTORIES.neuron(source(false), sel);
    document.body.appendChild(view.element);
    const root = view.element;
    exportButton(root).click();
    root.querySelector<HTMLButtonElement>('[data-export="svg"]')!.click();
    await flush();
    expect(root.dataset.exportState).toBe('error');
    expect(downloads).toHaveLength(0);
  });

  it('dispose removes the button and its document listeners', () => {
    const sel = new Selection({ section: 'self', layer: 4, nHeads: 3 });
    const view = VIEW_FACTORIES.head(source(), sel);
    document.body.appendChild(view.element);
    const spy = jest.spyOn(document, 'removeEventListener');
    view.dispose();
    expect(spy.mock.calls.map(c => c[0])).toEqual(expect.arrayContaining(['pointerdown', 'mousedown']));
    expect(view.element.querySelector('.attnscope-export')).toBeNull();
    spy.mockRestore();
  });
});
