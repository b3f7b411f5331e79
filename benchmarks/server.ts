/**
 * JupyterLab for the benchmark: started from the repository venv on a fresh scratch dir
 * (benchmarks/.scratch), one process group that stop() ends by its own pid.
 */
import { ChildProcess, spawn } from 'child_process';
import * as fs from 'fs';
import * as net from 'net';
import * as path from 'path';

export const HERE = __dirname;
export const REPO = path.resolve(HERE, '..');
export const SCRATCH = path.join(HERE, '.scratch');
export const ROOT = path.join(SCRATCH, 'root');

export interface Server {
  url: string;
  proc: ChildProcess;
  log: string[];
}

function portFree(port: number): Promise<boolean> {
  return new Promise(resolve => {
    const s = net.createServer();
    s.once('error', () => resolve(false));
    s.once('listening', () => s.close(() => resolve(true)));
    s.listen(port, '127.0.0.1');
  });
}

export async function startServer(port: number, venvBin: string, timeoutMs = 180_000): Promise<Server> {
  if (!(await portFree(port))) {
    throw new Error(`port ${port} is in use; pass --port N (8888/8899/8877 are taken on the dev machine)`);
  }
  fs.rmSync(SCRATCH, { recursive: true, force: true });
  for (const d of ['config', 'data', 'runtime', 'ipython', 'tmp', 'root']) {
    fs.mkdirSync(path.join(SCRATCH, d), { recursive: true });
  }
  const env = {
    ...process.env,
    PATH: `${venvBin}:${process.env.PATH}`,
    ATTNSCOPE_BENCH_PORT: String(port),
    ATTNSCOPE_BENCH_ROOT: ROOT,
    JUPYTER_CONFIG_DIR: path.join(SCRATCH, 'config'),
    JUPYTER_DATA_DIR: path.join(SCRATCH, 'data'),
    JUPYTER_RUNTIME_DIR: path.join(SCRATCH, 'runtime'),
    IPYTHONDIR: path.join(SCRATCH, 'ipython'),
    TMPDIR: path.join(SCRATCH, 'tmp'),
    HF_HUB_OFFLINE: '1',
    PYTHONDONTWRITEBYTECODE: '1',
    PYTHONPATH: [HERE, process.env.PYTHONPATH].filter(Boolean).join(':')
  };
  const proc = spawn(path.join(venvBin, 'jupyter'), ['lab', '--config', path.join(HERE, 'jupyter_bench_config.py')], {
    env,
    detached: true, // own process group: stop() kills exactly this group
    stdio: ['ignore', 'pipe', 'pipe']
  });
  const log: string[] = [];
  const keep = (b: Buffer): void => {
    log.push(b.toString());
    if (log.length > 200) {
      log.shift();
    }
  };
  proc.stdout!.on('data', keep);
  proc.stderr!.on('data', keep);
  const url = `http://127.0.0.1:${port}`;
  const t0 = Date.now();
  while (Date.now() - t0 < timeoutMs) {
    if (proc.exitCode !== null) {
      throw new Error(`jupyter lab exited (${proc.exitCode}):\n${log.join('').slice(-3000)}`);
    }
    try {
      const r = await fetch(`${url}/api/status`);
      if (r.ok) {
        return { url, proc, log };
      }
    } catch {
      // not up yet
    }
    await sleep(500);
  }
  stopServer({ url, proc, log });
  throw new Error(`jupyter lab did not answer on ${url} within ${timeoutMs} ms`);
}

export function stopServer(s: Server): void {
  if (s.proc.pid && s.proc.exitCode === null) {
    try {
      process.kill(-s.proc.pid, 'SIGTERM');
    } catch {
      // already gone
    }
    const pid = s.proc.pid;
    setTimeout(() => {
      try {
        process.kill(-pid, 'SIGKILL');
      } catch {
        // gone
      }
    }, 5000).unref();
  }
}

export const sleep = (ms: number): Promise<void> => new Promise(r => setTimeout(r, ms));

/** Shut down every kernel and session of our server (all of them are the benchmark's). */
export async function shutdownKernels(url: string): Promise<void> {
  try {
    const sessions = (await (await fetch(`${url}/api/sessions`)).json()) as { id: string }[];
    for (const s of sessions) {
      await fetch(`${url}/api/sessions/${s.id}`, { method: 'DELETE' }).catch(() => undefined);
    }
    const kernels = (await (await fetch(`${url}/api/kernels`)).json()) as { id: string }[];
    for (const k of kernels) {
      await fetch(`${url}/api/kernels/${k.id}`, { method: 'DELETE' }).catch(() => undefined);
    }
  } catch {
    // the next case starts its own kernel anyway
  }
}

/** A notebook with the given code cells, written straight into the server's root. */
export function writeNotebook(name: string, cells: string[]): string {
  const nb = {
    cells: cells.map(src => ({ cell_type: 'code', execution_count: null, metadata: {}, outputs: [], source: src })),
    metadata: {
      kernelspec: { display_name: 'Python 3 (ipykernel)', language: 'python', name: 'python3' },
      language_info: { name: 'python' }
    },
    nbformat: 4,
    nbformat_minor: 5
  };
  fs.writeFileSync(path.join(ROOT, name), JSON.stringify(nb, null, 1));
  return name;
}
