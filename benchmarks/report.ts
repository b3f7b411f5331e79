/** Medians, the markdown tables and the issue-4 target checklist. */
import type { Kind, Result } from './measure';

export const VIEW_NAMES: Record<Kind, string> = {
  'attn-head': 'attnscope head', 'attn-model': 'attnscope model', 'attn-matrix': 'attnscope matrix (one head)',
  'bv-head': 'BertViz head', 'bv-model': 'BertViz model', json: 'JSON lists of our payload',
  rollout: 'attnscope.rollout (kernel)'
};
const MB = 1024 * 1024;

export function median(xs: (number | undefined | null)[]): number | undefined {
  const v = xs.filter((x): x is number => typeof x === 'number' && Number.isFinite(x)).sort((a, b) => a - b);
  if (!v.length) return undefined;
  const m = Math.floor(v.length / 2);
  return v.length % 2 ? v[m] : (v[m - 1] + v[m]) / 2;
}

export function pct(xs: number[], p: number): number | undefined {
  const v = xs.filter(Number.isFinite).sort((a, b) => a - b);
  return v.length ? v[Math.min(v.length - 1, Math.ceil((p / 100) * v.length) - 1)] : undefined;
}

const f = (x: number | undefined, d = 0): string => (x === undefined ? '–' : x.toFixed(d));
const fmb = (bytes: number | undefined): string => (bytes === undefined ? '–' : bytes / MB < 0.1 ? `${(bytes / 1024).toFixed(1)} KiB` : `${(bytes / MB).toFixed(1)} MiB`);

export interface Agg {
  size: string; kind: Kind; ok: number; tried: number; status: string;
  firstPaint?: number; complete?: number; afterData?: number; kernelShow?: number; bytes?: number; comm?: number;
  hover50?: number; hover95?: number; openHead?: number; longest?: number; longestLoad?: number;
  heapDelta?: number; bufDelta?: number; kPeak?: number; kRetained?: number; tensorMB?: number;
  renderer?: string; lines?: string;
  rollout?: { median: number; min: number; peakExtraMB?: number; resultMB: number; repeats: number };
  json?: { jsonBytes: number; binaryBytes: number; parse: number; flatten: number; decode: number; enc: number; binEnc: number };
}

export function aggregate(results: Result[], size: string, kind: Kind): Agg {
  const rs = results.filter(r => r.size === size && r.kind === kind);
  const ok = rs.filter(r => r.status === 'ok');
  const bad = rs.filter(r => r.status !== 'ok');
  const tried = rs.filter(r => r.status !== 'skipped');
  const skipped = rs.length - tried.length;
  const status = !rs.length ? 'not run'
    : bad.length ? `${ok.length}/${tried.length} ok (${bad.filter(b => b.status !== 'skipped').map(b => `run ${b.run} ${b.status}: ${b.note ?? ''}`).join('; ')}${skipped ? `; not repeated in the other ${skipped} run(s)` : ''})`
      : `${ok.length}/${rs.length} ok`;
  const a: Agg = { size, kind, ok: ok.length, tried: tried.length, status };
  if (!ok.length) return a;
  const m = (g: (r: Result) => number | undefined): number | undefined => median(ok.map(g));
  Object.assign(a, {
    firstPaint: m(r => r.firstPaintMs), complete: m(r => r.completeMs), afterData: m(r => r.paintAfterDataMs), kernelShow: m(r => r.kernelShowMs),
    bytes: m(r => r.bytesTotal), comm: m(r => r.bytesComm),
    hover50: m(r => (r.hoverMs ? pct(r.hoverMs, 50) : undefined)), hover95: m(r => (r.hoverMs ? pct(r.hoverMs, 95) : undefined)),
    openHead: m(r => r.openHeadMs), longest: m(r => r.longestAllMs), longestLoad: m(r => r.longestLoadMs),
    heapDelta: m(r => (r.heapAfterMB !== undefined && r.heapBeforeMB !== undefined ? r.heapAfterMB - r.heapBeforeMB : undefined)),
    bufDelta: m(r => (r.buffersAfterMB !== undefined && r.buffersBeforeMB !== undefined ? r.buffersAfterMB - r.buffersBeforeMB : undefined)),
    kPeak: m(r => r.kernelPeakMB), kRetained: m(r => r.kernelRetainedMB), tensorMB: m(r => r.tensorMB),
    renderer: ok[0].renderer, lines: ok[0].lines
  });
  if (ok[0].rollout) {
    a.rollout = { median: m(r => median(r.rollout!.ms))!, min: Math.min(...ok.flatMap(r => r.rollout!.ms)),
      peakExtraMB: m(r => r.rollout!.peakExtraMB), resultMB: ok[0].rollout.resultMB, repeats: ok.reduce((n, r) => n + r.rollout!.ms.length, 0) };
  }
  if (ok[0].json) {
    a.json = { jsonBytes: ok[0].json.jsonBytes, binaryBytes: ok[0].json.binaryBytes, parse: m(r => r.json!.parseMs + r.json!.flattenMs)!,
      flatten: m(r => r.json!.flattenMs)!, decode: m(r => r.json!.decodeMs)!, enc: m(r => r.json!.jsonEncodeMs)!, binEnc: m(r => r.json!.binaryEncodeMs)! };
  }
  return a;
}

/** attnscope.rollout in the kernel, per size (the `rollout` kind). */
export function rolloutTable(aggs: Agg[], refused: Map<string, string>): string {
  const rows = aggs.filter(a => a.kind === 'rollout').map(a => (a.rollout
    ? `| ${a.size} | ${f(a.rollout.median)} | ${f(a.rollout.min)} | ${a.rollout.repeats} | ${f(a.rollout.resultMB, 1)} | ${f(a.rollout.peakExtraMB)} |`
    : `| ${a.size} | ${refused.get(`${a.size}/rollout`) ?? a.status} | | | | |`));
  if (!rows.length) return 'not run';
  return ['| size | median ms | fastest ms | repeats | result MiB (float32 [L, N, N]) | kernel peak above start MiB |',
    '|---|---|---|---|---|---|', ...rows].join('\n');
}

export function mainTable(aggs: Agg[], refused: Map<string, string>): string {
  const head = '| size | view | runs | exec→first paint ms | paint after data ms | kernel cell ms | sent to first paint (comm) | hover p50 / p95 ms | open head ms | longest task ms load / all | JS heap + ArrayBuffers +MiB | kernel +MiB peak / retained (% of tensor) |\n'
    + '|---|---|---|---|---|---|---|---|---|---|---|---|';
  const rows: string[] = [];
  for (const a of aggs) {
    if (a.kind === 'json' || a.kind === 'rollout') continue;
    const ref = refused.get(`${a.size}/${a.kind}`);
    if (ref) {
      rows.push(`| ${a.size} | ${VIEW_NAMES[a.kind]} | not attempted | ${ref} | | | | | | | | |`);
      continue;
    }
    if (!a.ok) {
      rows.push(`| ${a.size} | ${VIEW_NAMES[a.kind]} | ${a.status} | – | – | – | – | – | – | – | – | – |`);
      continue;
    }
    const share = a.tensorMB && a.kPeak !== undefined ? ` (${f((100 * a.kPeak) / a.tensorMB)}% / ${f((100 * (a.kRetained ?? 0)) / a.tensorMB)}%)` : '';
    rows.push(`| ${a.size} | ${VIEW_NAMES[a.kind]} | ${a.ok}/${a.tried} | ${f(a.firstPaint)}${a.complete !== undefined && a.firstPaint !== undefined && a.complete > a.firstPaint + 1 ? ` (every line ${f(a.complete)})` : ''} | ${f(a.afterData)} | ${f(a.kernelShow)} | ${fmb(a.bytes)}${a.comm ? ` (${fmb(a.comm)})` : ''} | ${a.hover50 === undefined ? '–' : `${f(a.hover50, 1)} / ${f(a.hover95, 1)}`} | ${f(a.openHead)} | ${a.longestLoad ? f(a.longestLoad) : '< 50'} / ${a.longest ? f(a.longest) : '< 50'} | ${f(a.heapDelta, 1)} + ${f(a.bufDelta, 1)} | ${f(a.kPeak)} / ${f(a.kRetained)}${share} |`);
  }
  return `${head}\n${rows.join('\n')}`;
}

export function jsonTable(aggs: Agg[], refused: Map<string, string>): string {
  const rows = aggs.filter(a => a.kind === 'json' && a.json).map(a => {
    const j = a.json!;
    return `| ${a.size} | ${fmb(j.binaryBytes)} | ${fmb(j.jsonBytes)} | ${f(j.jsonBytes / j.binaryBytes, 1)}x | ${f(j.decode, 1)} | ${f(j.parse, 1)} (flatten ${f(j.flatten, 1)}) | ${f(j.parse / Math.max(j.decode, 0.01), 1)}x | ${f(j.binEnc, 1)} / ${f(j.enc)} |`;
  });
  const notRun = aggs.filter(a => a.kind === 'json' && !a.json).map(a => `| ${a.size} | ${refused.has(`${a.size}/json`) ? `not attempted: ${refused.get(`${a.size}/json`)}` : a.status} | | | | | | |`);
  return '| size | binary float16 | JSON lists | JSON/binary bytes | browser float16 decode ms | browser JSON.parse + flatten ms | parse/decode | kernel encode ms binary / JSON |\n|---|---|---|---|---|---|---|---|\n'
    + [...rows, ...notRun].join('\n');
}

export function ratioTable(aggs: Agg[]): string {
  const get = (s: string, k: Kind): Agg | undefined => aggs.find(a => a.size === s && a.kind === k);
  const rows: string[] = [];
  for (const s of [...new Set(aggs.map(a => a.size))]) {
    for (const [ours, theirs] of [['attn-head', 'bv-head'], ['attn-model', 'bv-model']] as [Kind, Kind][]) {
      const a = get(s, ours);
      const b = get(s, theirs);
      if (!a?.ok) continue;
      if (!b?.ok) {
        rows.push(`| ${s} | ${VIEW_NAMES[theirs]} / ${VIEW_NAMES[ours]} | BertViz: ${b?.status ?? 'not run'} | | |`);
        continue;
      }
      rows.push(`| ${s} | ${VIEW_NAMES[theirs]} / ${VIEW_NAMES[ours]} | ${f(b.bytes! / a.bytes!, 1)}x | ${f(b.firstPaint! / a.firstPaint!, 1)}x | ${f(b.afterData! / a.afterData!, 1)}x |`);
    }
  }
  return '| size | ratio | bytes to first paint | exec→first paint | paint after data |\n|---|---|---|---|---|\n' + rows.join('\n');
}

export function targets(aggs: Agg[]): string {
  const get = (s: string, k: Kind): Agg | undefined => aggs.find(a => a.size === s && a.kind === k && a.ok > 0);
  const out: string[] = [];
  const mark = (name: string, v: number | undefined, limit: number, unit: string, how: string): void => {
    out.push(v === undefined ? `- [ ] ${name}: NOT MEASURED (${how})` : `- [${v < limit ? 'x' : ' '}] ${name}: ${v.toFixed(unit === 'MB' ? 1 : 0)} ${unit} → ${v < limit ? 'met' : 'NOT met'}`);
  };
  const mh = get('M', 'attn-head');
  const mm = get('M', 'attn-model');
  mark('M head view first paint < 300 ms after data arrival', mh?.afterData, 300, 'ms', 'M head view did not run');
  mark('M model view first paint < 1 s after data arrival', mm?.afterData, 1000, 'ms', 'M model view did not run');
  mark('M hover p95 < 16 ms (head view)', mh?.hover95, 16, 'ms', 'M head view did not run');
  const lm = [mh?.longest, mm?.longest].filter((x): x is number => x !== undefined);
  mark('M no main-thread task > 200 ms (head and model views, load + interaction)', lm.length ? Math.max(...lm) : undefined, 200.001, 'ms', 'not run');
  const lmod = get('L', 'attn-model');
  const lhead = get('L', 'attn-head');
  mark('L model view first paint < 3 s', lmod?.firstPaint, 3000, 'ms', 'L not attempted by the eager implementation');
  mark('L < 64 MB sent before the model view paints', lmod?.bytes === undefined ? undefined : lmod.bytes / 1e6, 64, 'MB', 'L not attempted');
  mark('L opening one head < 300 ms', lmod?.openHead, 300, 'ms', 'L not attempted');
  mark('L hover p95 < 16 ms', lhead?.hover95, 16, 'ms', 'L not attempted');
  const lk = lmod?.kPeak !== undefined && lmod.tensorMB ? (100 * lmod.kPeak) / lmod.tensorMB : undefined;
  mark('L kernel memory overhead < 20% of the tensor (peak)', lk, 20, '%', 'L not attempted');
  for (const s of ['S', 'M']) {
    for (const [ours, theirs] of [['attn-head', 'bv-head'], ['attn-model', 'bv-model']] as [Kind, Kind][]) {
      const a = get(s, ours);
      const b = aggs.find(x => x.size === s && x.kind === theirs);
      const label = `${s} ${ours.slice(5)} view vs BertViz`;
      if (!a) {
        out.push(`- [ ] ${label}: NOT MEASURED (attnscope did not run)`);
      } else if (!b?.ok) {
        out.push(`- [ ] ${label}: BertViz did not paint (${b?.status ?? 'not run'}); no ratio (attnscope painted in ${f(a.firstPaint)} ms with ${fmb(a.bytes)})`);
      } else {
        const rb = b.bytes! / a.bytes!;
        const rt = b.firstPaint! / a.firstPaint!;
        out.push(`- [${rb >= 10 ? 'x' : ' '}] ${label}: ${rb.toFixed(1)}x less data → ${rb >= 10 ? 'met' : 'NOT met'}`);
        out.push(`- [${rt >= 10 ? 'x' : ' '}] ${label}: ${rt.toFixed(1)}x faster first paint → ${rt >= 10 ? 'met' : 'NOT met'}`);
      }
    }
  }
  return out.join('\n');
}

/**
 * Issue 14's targets over the aggregates of one or more result files (e.g. S and M with 3 runs, L with
 * one): each marked met or NOT met, or NOT MEASURED with the reason.
 */
export function targets14(aggs: Agg[]): string {
  const get = (s: string, k: Kind): Agg | undefined => aggs.find(a => a.size === s && a.kind === k && a.ok > 0);
  const out: string[] = [];
  const mark = (name: string, v: number | undefined, limit: number, how: string, runs?: number): void => {
    const n = runs === undefined ? '' : ` (median of ${runs} run${runs === 1 ? '' : 's'})`;
    out.push(v === undefined ? `- [ ] ${name}: NOT MEASURED (${how})` : `- [${v < limit ? 'x' : ' '}] ${name}: ${f(v, v < 100 ? 1 : 0)} ms${n} → ${v < limit ? 'met' : 'NOT met'}`);
  };
  const mh = get('M', 'attn-head');
  const mm = get('M', 'attn-model');
  const lh = get('L', 'attn-head');
  const lm = get('L', 'attn-model');
  mark('M head view hover p50 within one frame (16.7 ms)', mh?.hover50, 16.7, 'M head view did not run', mh?.ok);
  mark('M head view hover p95 < 33 ms', mh?.hover95, 33, 'M head view did not run', mh?.ok);
  mark('L head view hover p95 < 33 ms', lh?.hover95, 33, 'L head view did not run', lh?.ok);
  mark('M head view run cell -> first paint < 800 ms', mh?.firstPaint, 800, 'M head view did not run', mh?.ok);
  mark('M head view first paint < 300 ms after the data', mh?.afterData, 300, 'M head view did not run', mh?.ok);
  const longest = [mh?.longest, mm?.longest].filter((x): x is number => x !== undefined);
  mark('M longest main-thread task < 100 ms (head and model views, load and interaction)', longest.length ? Math.max(...longest) : undefined, 100, 'not run');
  mark('L model view run cell -> first paint < 3 s', lm?.firstPaint, 3000, 'L model view did not run', lm?.ok);
  mark('L open one head, exact weights drawn < 1 s', lm?.openHead, 1000, 'L model view did not run', lm?.ok);
  out.push('- [ ] L open one head, a picture < 300 ms: NOT MEASURED (the harness times the exact weights only; the opened head shows nothing before them)');
  for (const s of ['S']) {
    for (const [ours, theirs] of [['attn-head', 'bv-head'], ['attn-model', 'bv-model']] as [Kind, Kind][]) {
      const a = get(s, ours);
      const b = get(s, theirs);
      const label = `${s} ${ours.slice(5)} view first paint at least 10x faster than BertViz 1.4.1, same run`;
      if (!a || !b) {
        out.push(`- [ ] ${label}: NOT MEASURED (${!a ? 'attnscope' : 'BertViz'} did not run)`);
      } else {
        const r = b.firstPaint! / a.firstPaint!;
        out.push(`- [${r >= 10 ? 'x' : ' '}] ${label}: ${r.toFixed(1)}x (${f(b.firstPaint)} / ${f(a.firstPaint)} ms) → ${r >= 10 ? 'met' : 'NOT met'}`);
      }
    }
  }
  for (const s of ['M', 'L']) {
    const a = get(s, 'attn-matrix');
    mark(`${s} matrix view of one head, hover p95 < 33 ms`, a?.hover95, 33, `${s} matrix view did not run`, a?.ok);
  }
  return out.join('\n');
}
