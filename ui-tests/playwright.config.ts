/**
 * Playwright configuration for the attnscope browser tests.
 *
 * Run from this folder: `npx playwright test` (or ./run.sh). The Jupyter server is started from
 * the repository venv (../.venv/bin/jupyter) unless ATTNSCOPE_JUPYTER names another executable or
 * the venv is missing (then `jupyter` from PATH). Playwright's own browser download does not work
 * here: we use the system Chromium (Debian package `chromium`), override with CHROMIUM_PATH.
 */
import * as fs from 'fs';
import * as path from 'path';

// eslint-disable-next-line @typescript-eslint/no-var-requires
const baseConfig = require('@jupyterlab/galata/lib/playwright-config');

const PORT = Number(process.env.ATTNSCOPE_UI_PORT || 8888);
const BASE_URL = `http://localhost:${PORT}`;
const SCRATCH = path.resolve(__dirname, '.scratch');
const VENV_JUPYTER = path.resolve(__dirname, '..', '.venv', 'bin', 'jupyter');
const JUPYTER =
  process.env.ATTNSCOPE_JUPYTER ||
  (fs.existsSync(VENV_JUPYTER) ? VENV_JUPYTER : 'jupyter');
const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

const q = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

// Fresh scratch area on every server start: the server's config/data/runtime dirs, IPython dir,
// TMPDIR and the contents root that Galata's tmpPath folders are created in.
const serverCommand = [
  `rm -rf ${q(SCRATCH)}`,
  `mkdir -p ${['config', 'data', 'runtime', 'ipython', 'tmp', 'root']
    .map(d => q(path.join(SCRATCH, d)))
    .join(' ')}`,
  `exec ${q(JUPYTER)} lab --config ${q(
    path.resolve(__dirname, 'jupyter_server_test_config.py')
  )}`
].join(' && ');

module.exports = {
  ...baseConfig,
  testDir: './tests',
  // Generous: this machine has 2 cores and a cold kernel start takes a while.
  timeout: 120_000,
  expect: {
    timeout: 30_000,
    toHaveScreenshot: { maxDiffPixelRatio: 0.02 },
    toMatchSnapshot: { maxDiffPixelRatio: 0.02 }
  },
  retries: process.env.CI ? 1 : 0,
  workers: 1,
  fullyParallel: false,
  forbidOnly: !!process.env.CI,
  reporter: [
    ['list'],
    ['html', { open: 'never' }],
    ['json', { outputFile: process.env.ATTNSCOPE_UI_JSON || 'test-results/results.json' }]
  ],
  snapshotPathTemplate: '{testDir}/{testFileName}-snapshots/{arg}{ext}',
  use: {
    ...baseConfig.use,
    baseURL: BASE_URL,
    video: 'off', // Galata's default needs Playwright's ffmpeg download, which fails here
    trace: 'on-first-retry',
    launchOptions: {
      executablePath: CHROMIUM,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--disable-quic',
        '--no-first-run'
      ]
    }
  },
  projects: [{ name: 'chromium', use: { browserName: 'chromium' } }],
  webServer: {
    command: serverCommand,
    url: `${BASE_URL}/lab`,
    timeout: 180_000,
    // Never reuse by default: a server already on the port would bring the user's own settings.
    reuseExistingServer: !!process.env.ATTNSCOPE_UI_REUSE_SERVER,
    stdout: 'ignore',
    stderr: 'pipe', // the server logs at ERROR unless ATTNSCOPE_UI_SERVER_LOG=1
    env: {
      ...process.env,
      ATTNSCOPE_UI_PORT: String(PORT),
      ATTNSCOPE_UI_SCRATCH: SCRATCH,
      JUPYTERLAB_GALATA_ROOT_DIR: path.join(SCRATCH, 'root'),
      JUPYTER_CONFIG_DIR: path.join(SCRATCH, 'config'),
      JUPYTER_DATA_DIR: path.join(SCRATCH, 'data'),
      JUPYTER_RUNTIME_DIR: path.join(SCRATCH, 'runtime'),
      IPYTHONDIR: path.join(SCRATCH, 'ipython'),
      TMPDIR: path.join(SCRATCH, 'tmp'),
      PYTHONDONTWRITEBYTECODE: '1'
    }
  }
};
