/**
 * The smaller browser run against the oldest JupyterLab attnscope supports (4.0.x). It reuses the main
 * configuration (../ui-tests/playwright.config.ts: system Chromium, scratch dirs, server command) and
 * runs the smoke, quickstart and saved-nokernel specs, copied into ./tests by run.sh so that they import the Galata
 * release made for that JupyterLab (galata 5.0.x) from this folder's node_modules: Galata 5.6 drives
 * JupyterLab 4.0 wrongly (its file helpers fail with "File or directory does not exist").
 * The server is ATTNSCOPE_JUPYTER (run.sh points it at .venv-oldest/bin/jupyter).
 */
import * as path from 'path';

// eslint-disable-next-line @typescript-eslint/no-var-requires
const main = require('../ui-tests/playwright.config');

module.exports = {
  ...main,
  testDir: './tests',
  snapshotPathTemplate: '{testDir}/{testFileName}-snapshots/{arg}{ext}',
  outputDir: path.resolve(__dirname, 'test-results'),
  reporter: [
    ['list'],
    ['json', { outputFile: process.env.ATTNSCOPE_UI_JSON || path.resolve(__dirname, 'test-results', 'results.json') }]
  ]
};
