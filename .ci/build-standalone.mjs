// Builds the offline-HTML bundle: the same views as the widget, as one IIFE with the global
// `attnscope`, plus the stylesheet, into attnscope/static/ (shipped in the wheel).
import { build } from 'esbuild';
import { copyFileSync, mkdirSync } from 'fs';

const out = 'attnscope/static';
mkdirSync(out, { recursive: true });
await build({
  entryPoints: ['src/standalone.ts'],
  bundle: true,
  minify: true,
  format: 'iife',
  globalName: 'attnscope',
  target: 'es2020',
  outfile: `${out}/standalone.js`,
  legalComments: 'none',
  logLevel: 'warning'
});
copyFileSync('style/base.css', `${out}/standalone.css`);
