/**
 * attnscope benchmark runner (issue 4). Usage: benchmarks/run.sh [options] (see README.md).
 * Starts JupyterLab on a scratch dir, measures every (size, view) N times in Debian's Chromium,
 * prints the markdown tables and writes benchmarks/RESULTS.md and benchmarks/results.json.
 */
import { execSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { chromium, Browser } from 'playwright-core';
import { Kind, Opts, Result, runCase, Size } from './measure';
import { profileMarkdown } from './profile';
import { aggregate, jsonTable, mainTable, ratioTable, rolloutTable, targets, targets14, VIEW_NAMES } from './report';
import { HERE, REPO, startServer, stopServer } from './server';

const SIZES: Record<string, Size> = {
  S: { name: 'S', L: 6, H: 12, N: 32 },
  M: { name: 'M', L: 12, H: 12, N: 512 },
  L: { name: 'L', L: 32, H: 32, N: 2048 }
};
export const KINDS: Kind[] = ['attn-head', 'attn-model', 'attn-matrix', 'bv-head', 'bv-model', 'json', 'rollout'];
const GB = 1024 ** 3; // GiB, as MB in report.ts is MiB

function args(): Record<string, string> {
  const out: Record<string, string> = {};
  const a = process.argv.slice(2);
  for (let i = 0; i < a.length; i++) {
    if (!a[i].startsWith('--')) throw new Error(`unexpected argument ${a[i]}`);
    const [k, v] = a[i].slice(2).split('=');
    out[k] = v ?? (a[i + 1] && !a[i + 1].startsWith('--') ? a[++i] : 'true');
  }
  return out;
}

function memAvailable(): number {
  const m = /MemAvailable:\s+(\d+)/.exec(fs.readFileSync('/proc/meminfo', 'utf8'));
  return m ? Number(m[1]) * 1024 : os.freemem();
}

/**
 * Memory the CURRENT (eager) implementation needs, per element E of [L, H, N, N]:
 * attnscope: tensor f16 (2E) + float32 copy in validation (4E) + f16 wire copy (2E) in the kernel;
 * the browser holds the f16 buffer and a float32 decode (6E). BertViz: tolist() (~32E of Python
 * floats and lists) + JSON text (~20E, copied ~3x on the way) in the kernel, ~50E in the browser.
 * JSON lists: one layer at a time.
 * Lazy attnscope (automatic above attnscope.validation.LAZY_ABOVE_BYTES = 16 MB of eager payload):
 * the kernel keeps the caller's tensor (2E) and converts one layer at a time while it summarises
 * (float32, 4E/L); the browser holds the pooled summary and at most the slice cache (256 MB default).
 */
const LAZY_ABOVE = 16e6;
const CACHE_BYTES = 256 * 2 ** 20;

function estimate(kind: Kind, s: Size): { kernel: number; browser: number; what: string } {
  const E = s.L * s.H * s.N * s.N;
  const layer = E / s.L;
  if (kind.startsWith('attn') && 2 * E > LAZY_ABOVE) {
    const summary = s.L * s.H * Math.min(s.N, 64) ** 2 * 6;
    return { kernel: 2 * E + 4 * layer + summary, browser: summary + CACHE_BYTES, what: `lazy attnscope keeps the f16 tensor ${(2 * E / GB).toFixed(1)} GiB (no copy) + one float32 layer ${(4 * layer / GB).toFixed(2)} GiB while summarising, and the page holds the summary + at most ${(CACHE_BYTES / GB).toFixed(2)} GiB of fetched slices` };
  }
  if (kind === 'rollout') {
    return { kernel: 2 * E + 4 * layer + 3 * 4 * s.L * s.N * s.N, browser: 0, what: `rollout reads one float32 layer ${(4 * layer / GB).toFixed(2)} GiB at a time and holds its float32 [L, N, N] result` };
  }
  if (kind.startsWith('bv')) {
    return { kernel: 2 * E + 32 * E + 3 * 45 * E, browser: 100 * E, what: `BertViz turns ${(E / 1e9).toFixed(2)} G weights into ~${(45 * E / GB).toFixed(0)} GiB of JSON text (45 bytes a weight measured at M)` };
  }
  return { kernel: 2 * E + 52 * layer, browser: 30 * layer, what: `the f16 tensor ${(2 * E / GB).toFixed(1)} GiB + one layer as Python lists and JSON text ${(52 * layer / GB).toFixed(1)} GiB` };
}

function machine(): string {
  const cpu = os.cpus()[0]?.model ?? '?';
  const chromiumV = (() => { try { return execSync('/usr/bin/chromium --version 2>/dev/null').toString().trim(); } catch { return '?'; } })();
  return `${os.cpus().length} cores (nproc; ${cpu}), ${(os.totalmem() / GB).toFixed(1)} GiB RAM (${(memAvailable() / GB).toFixed(1)} GiB available at start), load average ${os.loadavg().map(x => x.toFixed(2)).join(' ')}, ${chromiumV}, Node ${process.version}`;
}

interface Saved {
  command: string; date: string; minutes: number; runs: number; machine: string; sizes: string[]; kinds: Kind[];
  partial: number; results: Result[]; refused: Record<string, string>; commit?: string; notes?: string;
}

/** Several saved runs as one (e.g. S and M with 3 runs, L with 1): results side by side, each case its own runs. */
function merged(all: Saved[]): Saved {
  const order = ['S', 'M', 'L'];
  const union = <T>(xs: T[][]): T[] => Array.from(new Set(xs.flat()));
  return {
    command: all.map(d => d.command).join(' ; '),
    date: all[0].date,
    minutes: all.reduce((t, d) => t + d.minutes, 0),
    runs: Math.max(...all.map(d => d.runs)),
    machine: all[0].machine,
    sizes: union(all.map(d => d.sizes)).sort((x, y) => order.indexOf(x) - order.indexOf(y)),
    kinds: union(all.map(d => d.kinds)),
    partial: Math.max(...all.map(d => d.partial)),
    results: all.flatMap(d => d.results),
    refused: Object.assign({}, ...all.map(d => d.refused)),
    commit: union(all.map(d => [d.commit ?? '?'])).join(', '),
    notes: all.map(d => `${d.command}: ${d.runs} run(s) per case, ${d.date.replace('T', ' ').slice(0, 16)} UTC. ${d.notes ?? ''}`).join('\n\n')
  };
}

/** Prints the tables and writes RESULTS.md from saved results (also: --from-json results.json). */
function render(d: Saved, out: string): void {
  const refused = new Map(Object.entries(d.refused));
  const aggs = d.sizes.flatMap(s => d.kinds.map(k => aggregate(d.results, s, k)));
  const note = d.partial ? `\n\n**Partial: the overall limit of ${d.partial} min was reached.**` : '';
  const tables = `### Views (medians over the runs)\n\n${mainTable(aggs, refused)}\n\n### Ratios\n\n${ratioTable(aggs)}\n\n`
    + `### JSON-lists encoding of our payload\n\n${jsonTable(aggs, refused)}\n\n`
    + `### attnscope.rollout in the kernel (3 repeats per run)\n\n${rolloutTable(aggs, refused)}${note}`;
  const allTargets = `${targets(aggs)}\n\n### Issue 14 targets\n\n${targets14(aggs)}`;
  console.log(`\n${tables}\n\n### Issue 4 targets\n\n${allTargets}`);
  const md = fs.readFileSync(path.join(HERE, 'RESULTS.template.md'), 'utf8')
    .replace('{{command}}', d.command).replace('{{date}}', d.date.replace('T', ' ').slice(0, 16) + ' UTC')
    .replace('{{duration}}', `${d.minutes.toFixed(1)} min`).replace('{{runs}}', String(d.runs))
    .replace('{{machine}}', d.machine).replace('{{commit}}', d.commit ?? '?')
    .replace('{{notes}}', d.notes ? `\n### Notes on this run\n\n${d.notes}\n` : '').replace('{{tables}}', tables).replace('{{targets}}', allTargets);
  fs.writeFileSync(out, md);
  console.log(`\nwrote ${path.relative(REPO, out)}`);
}

async function main(): Promise<void> {
  const a = args();
  if (a['from-json']) {
    const saved = a['from-json'].split(',').map(file => JSON.parse(fs.readFileSync(file, 'utf8')) as Saved);
    render(saved.length === 1 ? saved[0] : merged(saved), a.out ?? path.join(HERE, 'RESULTS.md'));
    return;
  }
  const runs = Number(a.runs ?? 3);
  const sizes = (a.sizes ?? 'S,M,L').split(',').map(s => SIZES[s] ?? (() => { throw new Error(`unknown size ${s}`); })());
  const kinds = (a.kinds ?? KINDS.join(',')).split(',') as Kind[];
  const maxMinutes = Number(a['max-minutes'] ?? 90);
  const budget = Number(a['mem-budget-gb'] ?? (0.6 * memAvailable()) / GB) * GB;
  const browserBudget = Number(a['max-browser-gb'] ?? 4) * GB;
  const port = Number(a.port ?? 8866);
  const o: Opts = { url: '', seed: Number(a.seed ?? 0), hovers: Number(a.hovers ?? 100), caseTimeoutMs: Number(a['case-timeout'] ?? 180) * 1000, profile: a.profile === 'true' };
  const venvBin = a['venv-bin'] ?? path.join(REPO, '.venv', 'bin');
  const out = a.out ?? path.join(HERE, 'RESULTS.md');
  const t0 = Date.now();
  const started = new Date();
  const mach = machine();
  const commit = (() => { try { return execSync('git rev-parse --short HEAD', { cwd: REPO }).toString().trim() + (execSync('git status --porcelain -- attnscope src', { cwd: REPO }).toString().trim() ? ' + uncommitted changes in attnscope/ or src/' : ''); } catch { return '?'; } })();
  const command = `benchmarks/run.sh ${process.argv.slice(2).join(' ')}`.trim();
  console.log(`attnscope benchmark: ${runs} run(s), sizes ${sizes.map(s => s.name)}, ${mach}`);

  const refused = new Map<string, string>();
  for (const s of sizes) {
    for (const k of kinds) {
      const e = estimate(k, s);
      if (e.kernel > budget || e.browser > browserBudget) {
        refused.set(`${s.name}/${k}`, `${e.what}: ≈ ${(e.kernel / GB).toFixed(1)} GiB kernel / ${(e.browser / GB).toFixed(1)} GiB browser > budget ${(budget / GB).toFixed(1)} / ${(browserBudget / GB).toFixed(1)} GiB`);
      }
    }
  }
  const results: Result[] = [];
  const server = await startServer(port, venvBin);
  o.url = server.url;
  let browser: Browser | null = null;
  const launch = (): Promise<Browser> => chromium.launch({
    executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium', headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run']
  });
  const hardStop = setTimeout(() => {
    console.error(`overall time limit (${maxMinutes} min) reached: writing what was measured`);
    finish(true);
  }, maxMinutes * 60_000);
  let finished = false;
  const finish = (partial: boolean): void => {
    if (finished) return;
    finished = true;
    clearTimeout(hardStop);
    const saved: Saved = { command, date: started.toISOString(), minutes: (Date.now() - t0) / 60_000, runs, machine: mach,
      sizes: sizes.map(s => s.name), kinds, partial: partial ? maxMinutes : 0, results, refused: Object.fromEntries(refused), commit, notes: a.notes };
    try {
      fs.writeFileSync(path.resolve(a.json ?? path.join(HERE, 'results.json')), JSON.stringify(saved, null, 1));
      render(saved, out);
    } finally {
      // a failed write must not leave JupyterLab holding the port for the next run
      browser?.close().catch(() => undefined);
      stopServer(server);
    }
    setTimeout(() => process.exit(partial ? 3 : 0), 1000).unref();
  };
  try {
    browser = await launch();
    const failed = new Set<string>();
    for (let run = 1; run <= runs && !finished; run++) {
      for (const s of sizes) {
        for (const k of kinds) {
          const key = `${s.name}/${k}`;
          if (finished || refused.has(key)) continue;
          if (failed.has(key) && !a['retry-failed']) {
            results.push({ size: s.name, kind: k, run, status: 'skipped', note: 'failed in an earlier run (--retry-failed to repeat)' });
            continue;
          }
          const tc = Date.now();
          process.stdout.write(`run ${run} ${s.name} ${VIEW_NAMES[k]} ... `);
          const { r, browserBroken } = await runCase(browser, s, k, run, o);
          results.push(r);
          console.log(`${r.status} in ${((Date.now() - tc) / 1000).toFixed(0)} s${r.firstPaintMs ? `, first paint ${r.firstPaintMs.toFixed(0)} ms` : ''}${r.completeMs && r.completeMs > (r.firstPaintMs ?? 0) + 1 ? `, every line ${r.completeMs.toFixed(0)} ms` : ''}${r.note ? ` (${r.note})` : ''}`);
          for (const p of r.profile ?? []) {
            console.log(profileMarkdown(`${s.name} ${VIEW_NAMES[k]}`, p));
          }
          if (r.status !== 'ok') failed.add(key);
          if (browserBroken && !finished) {
            console.log('browser unresponsive: relaunching it');
            await browser.close().catch(() => undefined);
            browser = await launch();
          }
        }
      }
    }
    finish(false);
  } catch (e) {
    console.error(`benchmark broke: ${(e as Error).stack ?? e}`);
    finish(true);
  }
}

main().catch(e => {
  console.error(e);
  process.exit(2);
});
