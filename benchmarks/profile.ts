/**
 * Where the page's time goes (`--profile`): a Chrome DevTools protocol trace of one phase of a case
 * (the first paint, the hovers, opening a head), summarised as the renderer main thread's self time
 * per trace event (script, style, layout, paint, raster, GC...) plus the V8 sampling profile's self
 * time per function. The summary goes into results.json (`profile` of the case) and PROFILE.md.
 */
import type { CDPSession, Page } from 'playwright-core';

export interface PhaseProfile {
  phase: string;
  /** Wall time of the traced phase, ms. */
  wallMs: number;
  /** Main-thread self time per trace event name, ms, largest first. */
  events: [string, number][];
  /** V8 self time per function ("name url:line"), ms, largest first. */
  functions: [string, number][];
}

const CATEGORIES = ['devtools.timeline', 'disabled-by-default-devtools.timeline', 'v8', 'blink', 'cc', 'gpu', 'disabled-by-default-devtools.timeline.frame'].join(',');

interface TraceEvent { name: string; ph: string; ts: number; dur?: number; pid: number; tid: number; args?: any }

export class Profiler {
  private cdp: CDPSession | null = null;
  private events: TraceEvent[] = [];
  private t0 = 0;

  constructor(private readonly page: Page) {}

  async start(): Promise<void> {
    this.cdp = await this.page.context().newCDPSession(this.page);
    this.events = [];
    this.cdp.on('Tracing.dataCollected', (e: any) => { this.events.push(...e.value); });
    await this.cdp.send('Profiler.enable');
    await this.cdp.send('Profiler.setSamplingInterval', { interval: 200 });
    await this.cdp.send('Tracing.start', { categories: CATEGORIES, transferMode: 'ReportEvents' });
    await this.cdp.send('Profiler.start');
    this.t0 = Date.now();
  }

  async stop(phase: string): Promise<PhaseProfile | undefined> {
    const cdp = this.cdp;
    if (!cdp) {
      return undefined;
    }
    const wallMs = Date.now() - this.t0;
    try {
      const { profile } = (await cdp.send('Profiler.stop')) as any;
      const done = new Promise<void>(res => cdp.once('Tracing.tracingComplete', () => res()));
      await cdp.send('Tracing.end');
      await done;
      return { phase, wallMs, events: top(mainThreadSelfTimes(this.events), 14), functions: top(functionSelfTimes(profile), 14) };
    } finally {
      await cdp.detach().catch(() => undefined);
      this.cdp = null;
    }
  }
}

function top(m: Map<string, number>, n: number): [string, number][] {
  return [...m.entries()].sort((a, b) => b[1] - a[1]).slice(0, n).map(([k, v]) => [k, Math.round(v * 10) / 10]);
}

/** Self time (ms) per event name on the renderer's main thread: complete events minus their children. */
export function mainThreadSelfTimes(events: readonly TraceEvent[]): Map<string, number> {
  const main = events.find(e => e.name === 'thread_name' && e.args?.name === 'CrRendererMain');
  const onMain = events.filter(e => main && e.pid === main.pid && e.tid === main.tid && e.ph === 'X' && typeof e.dur === 'number')
    .sort((a, b) => a.ts - b.ts || (b.dur ?? 0) - (a.dur ?? 0));
  const self = new Map<string, number>();
  const stack: { end: number; name: string; child: number; dur: number }[] = [];
  const close = (until: number) => {
    while (stack.length && stack[stack.length - 1].end <= until) {
      const f = stack.pop()!;
      self.set(f.name, (self.get(f.name) ?? 0) + (f.dur - f.child) / 1000);
    }
  };
  for (const e of onMain) {
    close(e.ts);
    if (stack.length) {
      stack[stack.length - 1].child += e.dur!;
    }
    stack.push({ end: e.ts + e.dur!, name: e.name, child: 0, dur: e.dur! });
  }
  close(Infinity);
  return self;
}

/** Self time (ms) per function of a V8 CPU profile (Profiler.stop). */
export function functionSelfTimes(profile: any): Map<string, number> {
  const byId = new Map<number, any>(profile.nodes.map((n: any) => [n.id, n]));
  const self = new Map<string, number>();
  const deltas: number[] = profile.timeDeltas ?? [];
  profile.samples.forEach((id: number, i: number) => {
    const n = byId.get(id);
    const cf = n.callFrame;
    const file = (cf.url || '').split('/').pop() || '';
    const name = `${cf.functionName || '(anonymous)'} ${file}${file ? `:${cf.lineNumber + 1}` : ''}`;
    const dt = (deltas[i + 1] ?? deltas[i] ?? 0) / 1000;
    self.set(name, (self.get(name) ?? 0) + dt);
  });
  return self;
}

/** A phase profile as a few lines of Markdown. */
export function profileMarkdown(label: string, p: PhaseProfile): string {
  const row = (xs: [string, number][]) => xs.map(([k, v]) => `${k.replace(/\|/g, '/')} ${v} ms`).join('; ');
  return `- **${label}, ${p.phase}** (${p.wallMs} ms traced): main thread: ${row(p.events)}\n  - functions: ${row(p.functions)}`;
}
