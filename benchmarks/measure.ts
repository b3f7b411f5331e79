/**
 * One measurement: a fresh browser context and notebook (fresh kernel), the tensor generated in
 * the kernel, a warm-up view of the same library, then the timed cell and its follow-ups.
 */
import { PhaseProfile, Profiler } from './profile';
import * as path from 'path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import * as fs from 'fs';
import { HERE, ROOT, shutdownKernels, writeNotebook } from './server';

/** Written by bench_kernel.show() right after the display: survives a crashed page. */
const SHOW_STATS = path.join(ROOT, 'bench_last_show.json');
function showStats(): any {
  try {
    return JSON.parse(fs.readFileSync(SHOW_STATS, 'utf8'));
  } catch {
    return null;
  }
}

export type Kind = 'attn-head' | 'attn-model' | 'attn-matrix' | 'bv-head' | 'bv-model' | 'json' | 'rollout';
export interface Size { name: string; L: number; H: number; N: number }
export interface Opts { url: string; seed: number; hovers: number; caseTimeoutMs: number; profile?: boolean }

export interface Result {
  size: string; kind: Kind; run: number; status: 'ok' | 'timeout' | 'error' | 'refused' | 'skipped';
  note?: string;
  firstPaintMs?: number; paintAfterDataMs?: number; kernelShowMs?: number;
  /** Head view: run cell until the last piece of its base lines is drawn (they come strongest first). */
  completeMs?: number;
  bytesTotal?: number; bytesComm?: number; bytesDisplay?: number;
  hoverMs?: number[]; hoverBad?: number; openHeadMs?: number;
  longestLoadMs?: number; longestAllMs?: number;
  heapBeforeMB?: number; heapAfterMB?: number; buffersBeforeMB?: number; buffersAfterMB?: number; displayBytes?: number;
  kernelRetainedMB?: number; kernelPeakMB?: number; tensorMB?: number;
  lines?: string; renderer?: string;
  json?: { jsonBytes: number; binaryBytes: number; parseMs: number; flattenMs: number; decodeMs: number;
    jsonEncodeMs: number; binaryEncodeMs: number; maxLayerChars: number };
  /** attnscope.rollout in the kernel: each repeat's ms, peak RSS above the start, the result's size. */
  rollout?: { ms: number[]; peakExtraMB?: number; resultMB: number };
  /** --profile: where the page's time went in each phase (profile.ts). */
  profile?: PhaseProfile[];
}

const CDN: Record<string, string> = {
  'require.min.js': 'node_modules/requirejs/require.js',
  'd3.min.js': 'node_modules/d3/dist/d3.min.js',
  'jquery.min.js': 'node_modules/jquery/dist/jquery.min.js'
};
const MB = 1024 * 1024;

export class Timeout extends Error {}
export function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    p.finally(() => clearTimeout(timer)),
    new Promise<T>((_, rej) => { timer = setTimeout(() => rej(new Timeout(`${what}: no answer in ${ms} ms`)), ms); })
  ]);
}

async function newContext(browser: Browser): Promise<BrowserContext> {
  const ctx = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
  await ctx.addInitScript({ path: path.join(HERE, 'inpage.js') });
  // Offline: BertViz's CDN scripts come from benchmarks/node_modules, anything else external fails.
  await ctx.route(u => !/^(127\.0\.0\.1|localhost)$/.test(u.hostname), async route => {
    const local = CDN[path.basename(new URL(route.request().url()).pathname)];
    if (local) {
      await route.fulfill({ path: path.join(HERE, local), contentType: 'application/javascript' });
    } else {
      await route.abort();
    }
  });
  return ctx;
}

/** V8 heap and ArrayBuffer backing stores (where binary buffers live), after a forced GC. */
async function heapMB(page: Page): Promise<{ heap: number; buffers: number } | undefined> {
  const cdp = await page.context().newCDPSession(page);
  try {
    await within(cdp.send('HeapProfiler.collectGarbage'), 30_000, 'gc');
    const u: any = await within(cdp.send('Runtime.getHeapUsage'), 10_000, 'heap');
    return { heap: u.usedSize / MB, buffers: (u.backingStorageSize ?? 0) / MB };
  } catch {
    return undefined;
  } finally {
    await cdp.detach().catch(() => undefined);
  }
}

async function exec(page: Page, code: string, ms: number): Promise<any> {
  const r = await within(page.evaluate(c => (window as any).__bench.exec(c), code), ms, `kernel: ${code.slice(0, 40)}`);
  if (r.errors.length) {
    throw new Error(`kernel error in ${code.slice(0, 60)}: ${r.errors.join('; ')}`);
  }
  return r.json[0];
}

function expectation(kind: Kind, s: { L: number; H: number; N: number }): object {
  return kind === 'bv-head' ? { heads: s.H, lines: s.H * s.N * s.N } : { thumbs: s.L * s.H, lines: s.L * s.H * s.N * s.N };
}

/** Runs one case; never throws: failures come back as status timeout/error with a note. */
export async function runCase(browser: Browser, size: Size, kind: Kind, run: number, o: Opts): Promise<{ r: Result; browserBroken: boolean }> {
  const r: Result = { size: size.name, kind, run, status: 'error' };
  let ctx: BrowserContext | null = null;
  let browserBroken = false;
  let crashedAt = 0;
  let tTimed = 0;
  try {
    ctx = await newContext(browser);
    const page = await ctx.newPage();
    page.on('crash', () => { crashedAt = Date.now(); });
    fs.rmSync(SHOW_STATS, { force: true });
    const nb = writeNotebook(`bench_${size.name}_${kind}_${run}.ipynb`,
      kind === 'json' || kind === 'rollout' ? [`# ${kind}: no view`] : [`import bench_kernel as bk\nbk.warmup("${kind}")`, `bk.show("${kind}")`]);
    await page.goto(`${o.url}/lab/tree/${nb}?reset`, { timeout: 120_000 });
    await within(page.evaluate(() => (window as any).__bench.notebookReady()), 120_000, 'notebook/kernel ready');
    const setup = await exec(page, `import bench_kernel as bk\nbk.setup(${size.L}, ${size.H}, ${size.N}, ${o.seed})`, 600_000);
    r.tensorMB = setup.tensor_bytes / MB;
    if (kind === 'json') {
      await jsonCase(page, size, run, r);
      return { r, browserBroken };
    }
    if (kind === 'rollout') {
      const k = await exec(page, 'bk.rollout_timing()', 1_800_000);
      r.rollout = { ms: k.rollout_ms, peakExtraMB: k.peak_extra === null ? undefined : k.peak_extra / MB, resultMB: k.result_bytes / MB };
      r.kernelShowMs = k.rollout_ms.slice().sort((a: number, b: number) => a - b)[Math.floor(k.rollout_ms.length / 2)];
      r.status = 'ok';
      return { r, browserBroken };
    }
    // BertViz's first view in a fresh page fails ("require is not defined": its require.js <script>
    // loads asynchronously while its Javascript output runs at once); like a user, run it again.
    let warm: any = { ok: false };
    for (let attempt = 0; attempt < 2 && !warm.ok; attempt++) {
      const t = kind.startsWith('bv') && attempt === 0 ? 15_000 : 60_000;
      warm = await within(page.evaluate(([k, ex, tt]) => (window as any).__bench.runAndWait(0, k, ex, tt),
        [kind, expectation(kind, { L: 1, H: 2, N: 4 }), t] as const), t + 10_000, 'warm-up view');
    }
    if (!warm.ok) {
      throw new Error('the warm-up view (1x2x4x4) never became ready');
    }
    await exec(page, 'bk.mark()', 60_000);
    const hb = await heapMB(page);
    r.heapBeforeMB = hb?.heap;
    r.buffersBeforeMB = hb?.buffers;
    let w: any;
    const profiler = o.profile ? new Profiler(page) : null;
    const traced = async <T>(phase: string, run: () => Promise<T>): Promise<T> => {
      await profiler?.start();
      try {
        return await run();
      } finally {
        const p = await profiler?.stop(phase).catch(() => undefined);
        if (p) {
          (r.profile ??= []).push(p);
        }
      }
    };
    tTimed = Date.now();
    try {
      w = await traced('first paint', () => within(page.evaluate(([k, ex, t]) => (window as any).__bench.runAndWait(1, k, ex, t),
        [kind, expectation(kind, size), o.caseTimeoutMs] as const), o.caseTimeoutMs + 15_000, 'timed cell'));
    } catch (e) {
      w = { ok: false, timeout: true, hung: true, error: String((e as Error).message ?? e).split('\n')[0].slice(0, 120) };
    }
    if (!w.ok) {
      const after = ((Date.now() - tTimed) / 1000).toFixed(0);
      r.status = crashedAt ? 'error' : 'timeout';
      r.note = crashedAt ? `the page crashed ${((crashedAt - tTimed) / 1000).toFixed(0)} s after executing the cell`
        : w.hung ? `page unresponsive (${w.error ?? ''}) after ${after} s (limit ${o.caseTimeoutMs / 1000} s)` : `not ready after ${o.caseTimeoutMs / 1000} s`;
      const st = showStats();
      if (st?.display_bytes) {
        r.displayBytes = st.display_bytes;
        r.note += `; the kernel displayed ${(st.display_bytes / MB).toFixed(0)} MiB of HTML/JS text in ${(st.show_ms / 1000).toFixed(1)} s`;
      }
      const b = await within(page.evaluate(() => (window as any).__bench.bytes(0, 1e12)), 10_000, 'bytes').catch(() => null);
      if (b) {
        r.bytesTotal = b.total;
        r.note += `; ${(b.total / MB).toFixed(1)} MB received on the kernel socket by then`;
      }
      const err = await within(page.evaluate(() => document.querySelector('.jp-RenderedText[data-mime-type="application/vnd.jupyter.stderr"]')?.textContent?.slice(0, 200) ?? ''), 5000, 'stderr').catch(() => '');
      if (err) {
        r.note += `; stderr: ${err.replace(/\s+/g, ' ')}`;
      }
      browserBroken = !!w.hung;
      return { r, browserBroken };
    }
    r.firstPaintMs = w.tPaint - w.t0;
    r.completeMs = w.tComplete === undefined ? undefined : w.tComplete - w.t0;
    r.lines = w.lines;
    r.renderer = w.renderer;
    const b = await page.evaluate(([a, z]) => (window as any).__bench.bytes(a, z), [w.t0, w.tPaint] as const);
    r.bytesTotal = b.total;
    r.bytesComm = b.comm;
    r.bytesDisplay = b.display;
    r.paintAfterDataMs = b.lastData === null ? undefined : w.tPaint - b.lastData;
    r.longestLoadMs = await page.evaluate(([a, z]) => (window as any).__bench.longest(a, z), [w.t0, w.tComplete ?? w.tPaint] as const);
    const ha = await heapMB(page);
    r.heapAfterMB = ha?.heap;
    r.buffersAfterMB = ha?.buffers;
    const k = await exec(page, 'bk.report()', 120_000);
    r.kernelShowMs = k.show_ms;
    r.displayBytes = showStats()?.display_bytes;
    r.kernelRetainedMB = k.retained / MB;
    r.kernelPeakMB = k.peak_extra === null ? undefined : k.peak_extra / MB;
    if (kind === 'attn-head' || kind === 'bv-head' || kind === 'attn-matrix') {
      const h = await traced('hovers', () => within(page.evaluate(([n]) => (window as any).__bench.hoverTest(1, n[0], n[1]), [[kind, o.hovers]] as const), 300_000, 'hovers'));
      r.hoverMs = h.ms;
      r.hoverBad = h.bad;
    } else {
      const which = { layer: 0, head: Math.floor(size.H / 2), nHeads: size.H, n: size.N };
      const oh = await traced('open head', () => within(page.evaluate(([k2, wh]) => (window as any).__bench.openHead(1, k2, wh), [kind, which] as const), 120_000, 'open head'));
      r.openHeadMs = oh.ok ? oh.ms : undefined;
    }
    const now = await page.evaluate(() => performance.now());
    r.longestAllMs = await page.evaluate(([a, z]) => (window as any).__bench.longest(a, z), [w.t0, now] as const);
    r.status = 'ok';
  } catch (e) {
    r.status = e instanceof Timeout ? 'timeout' : 'error';
    r.note = String((e as Error).message || e).split('\n')[0].slice(0, 300);
  } finally {
    if (ctx) {
      await within(ctx.close(), 60_000, 'close context').catch(() => { browserBroken = true; });
    }
    await shutdownKernels(o.url);
  }
  return { r, browserBroken };
}

async function jsonCase(page: Page, size: Size, run: number, r: Result): Promise<void> {
  const prefix = `json_${size.name}_${run}`;
  const k = await exec(page, `bk.json_lists(${JSON.stringify(ROOT)}, ${JSON.stringify(prefix)})`, 900_000);
  try {
    const j = await within(page.evaluate(([p, l]) => (window as any).__bench.jsonTest(p, l), [prefix, size.L] as const), 600_000, 'JSON.parse');
    r.json = { jsonBytes: k.json_bytes, binaryBytes: k.binary_bytes, parseMs: j.parse, flattenMs: j.flatten, decodeMs: j.decode,
      jsonEncodeMs: k.json_encode_ms, binaryEncodeMs: k.binary_encode_ms, maxLayerChars: j.maxText };
    r.status = 'ok';
  } finally {
    await exec(page, `bk.cleanup_files(${JSON.stringify(ROOT)}, ${JSON.stringify(prefix)})`, 60_000).catch(() => undefined);
  }
}
