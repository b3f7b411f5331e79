/**
 * Entry of the offline HTML export (attnscope/static/standalone.js): the same views as the widget,
 * fed from a payload embedded in the page instead of a kernel. Global API: attnscope.mount().
 */
import { Selection } from './selection/state';
import { SliceStore } from './data/slice-store';
import { decodeSections } from './data/sections';
import { Section, SectionSource } from './data/section';
import { applySelectionRequest, createSelection } from './selection/mirror';
import { ViewHandle } from './views/base';
import { decodeViewOptions, ViewOptions } from './wire/view-options';
import { errorView, mountViews } from './registry';

export interface StandalonePayload {
  format: 'attnscope-standalone';
  version: 1;
  views: string[];
  sentence_b_start: number | null;
  layer: number;
  heads: number[];
  section: string;
  selection: Record<string, unknown>;
  sections: Record<string, unknown>[];
  /** The `view_options` trait (absent in pages saved before the matrix and text views). */
  view_options?: unknown;
}

/** zlib-format inflate; injectable so that tests can run without DecompressionStream. */
export type Inflate = (bytes: Uint8Array) => Promise<ArrayBuffer>;

export const browserInflate: Inflate = async bytes => {
  const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream('deflate'));
  return new Response(stream).arrayBuffer();
};

function base64Bytes(text: string): Uint8Array {
  const bin = atob(text);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) {
    out[i] = bin.charCodeAt(i);
  }
  return out;
}

const isCompressedArray = (v: unknown): v is { dtype: unknown; shape: unknown; deflate: string } =>
  typeof v === 'object' && v !== null && typeof (v as { deflate?: unknown }).deflate === 'string';

/**
 * Turns every {dtype, shape, deflate} in a section, at any depth (a lazy section's summary and
 * fetched slices nest them), back into the widget's {dtype, shape, buffer}.
 */
export async function inflateSection(section: Record<string, unknown>, inflate: Inflate): Promise<Record<string, unknown>> {
  return (await inflateValue(section, inflate)) as Record<string, unknown>;
}

async function inflateValue(value: unknown, inflate: Inflate): Promise<unknown> {
  if (isCompressedArray(value)) {
    const buffer = await inflate(base64Bytes(value.deflate));
    return { dtype: value.dtype, shape: value.shape, buffer: new DataView(buffer) };
  }
  if (Array.isArray(value)) {
    return Promise.all(value.map(v => inflateValue(v, inflate)));
  }
  if (typeof value === 'object' && value !== null) {
    const out: Record<string, unknown> = {};
    for (const [key, v] of Object.entries(value)) {
      out[key] = await inflateValue(v, inflate);
    }
    return out;
  }
  return value;
}

/** The page's data: what the file holds; a lazy section's other slices show as not saved. */
class StaticSource implements SectionSource {
  constructor(
    readonly sectionList: Section[],
    readonly sentenceBStart: number | null,
    private readonly store: SliceStore | null = null,
    readonly viewOptions: ViewOptions = decodeViewOptions(undefined)
  ) {}
  section(key: string): Section | undefined {
    return this.sectionList.find(s => s.key === key);
  }
  onData(fn: () => void): () => void {
    return this.store ? this.store.subscribe(fn) : () => undefined;
  }
  release(consumer: string): void {
    this.store?.release(consumer);
  }
}

/** Mounts the payload's views into `element`; resolves once they are built. Never throws. */
export async function mount(element: HTMLElement, payload: StandalonePayload, inflate: Inflate = browserInflate): Promise<ViewHandle[]> {
  element.classList.add('attnscope');
  const views = Array.isArray(payload?.views) && payload.views.length ? payload.views : ['head'];
  try {
    if (payload?.format !== 'attnscope-standalone' || payload.version !== 1) {
      throw new Error(`not an attnscope page payload (format ${String(payload?.format)}, version ${String(payload?.version)})`);
    }
    const raw = await Promise.all(payload.sections.map(s => inflateSection(s, inflate)));
    const decoded = decodeSections(raw);
    if (!decoded.ok) {
      return mountViews(element, new StaticSource([], null), null, views, decoded.error);
    }
    const sb = Number.isInteger(payload.sentence_b_start) ? payload.sentence_b_start : null;
    const source = new StaticSource(decoded.sections, sb, decoded.store, decodeViewOptions(payload.view_options));
    const selection: Selection | null = createSelection(source, payload);
    if (selection) {
      try {
        applySelectionRequest(selection, source, payload.selection);
      } catch (err) {
        console.warn('attnscope: saved selection ignored:', err);
      }
    }
    return mountViews(element, source, selection, views, null);
  } catch (err) {
    const handle = errorView(views[0], err instanceof Error ? err.message : String(err));
    element.appendChild(handle.element);
    return [handle];
  }
}
