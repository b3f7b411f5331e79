/**
 * The layout of src/: imports only go down the layer list, no import cycle, no file over 400 lines.
 *
 * Layers, lowest first (a file may import its own layer and the layers before it):
 *   config     user settings, page theme, the shared render constants
 *   wire       {dtype, shape, buffer} codec, float16, tensors, section and message decoding
 *   selection  the one shared state, pair filters, slot <-> real-id conversions, the Python mirror
 *   data       Section (eager and lazy), decoded sections, slice cache and fetcher, late statistics
 *   analysis   lines to draw, pooling, neuron maths, statistics text
 *   render     pure drawing: links, stripes, thumbnails, vectors, tokens, palette, tooltips
 *   views      view controllers and their DOM (base, head/, model/, neuron/)
 *   export     SVG/PNG of a view's snapshot, the export button
 *   app        the files at the top of src/: registry, widget model and view, plugin, offline page
 */
import { readdirSync, readFileSync, statSync } from 'fs';
import { dirname, join, normalize, relative, sep } from 'path';

const LAYERS = ['config', 'wire', 'selection', 'data', 'analysis', 'render', 'views', 'export', 'app'] as const;
const MAX_LINES = 400;

const SRC = normalize(join(__dirname, '..'));

/** The layer of a file path relative to src/ ('app' for the files at the top). */
function layerOf(file: string): number {
  const top = file.split('/')[0];
  const i = (LAYERS as readonly string[]).indexOf(file.includes('/') ? top : 'app');
  if (i < 0) {
    throw new Error(`${file}: ${top}/ is not a layer (${LAYERS.join(', ')}); add it to the list in this test`);
  }
  return i;
}

/** Relative module specifiers of every import, export-from, require() and import() in a source. */
export function importsOf(source: string): string[] {
  const found: string[] = [];
  const patterns = [/\bfrom\s+['"](\.{1,2}\/[^'"]+)['"]/g, /\bimport\s+['"](\.{1,2}\/[^'"]+)['"]/g, /\b(?:require|import)\(\s*['"](\.{1,2}\/[^'"]+)['"]\s*\)/g];
  const code = source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
  for (const re of patterns) {
    for (const m of code.matchAll(re)) {
      found.push(m[1]);
    }
  }
  return found;
}

/** Files (relative to src/, '/'-separated) -> the src files they import. Non-source targets are left out. */
export type Graph = ReadonlyMap<string, readonly string[]>;

export function graphOf(files: ReadonlyMap<string, string>): Graph {
  const graph = new Map<string, string[]>();
  for (const [file, source] of files) {
    const targets: string[] = [];
    for (const spec of importsOf(source)) {
      const base = normalize(join(dirname(file), spec)).split(sep).join('/');
      const target = [`${base}.ts`, `${base}/index.ts`].find(t => files.has(t));
      if (target) {
        targets.push(target);
      }
    }
    graph.set(file, targets);
  }
  return graph;
}

/** "a imports b (upward: data -> views)" for every import that goes up the layer list. */
export function upwardImports(graph: Graph): string[] {
  const out: string[] = [];
  for (const [file, targets] of graph) {
    for (const t of targets) {
      if (layerOf(t) > layerOf(file)) {
        out.push(`${file} imports ${t} (upward: ${LAYERS[layerOf(file)]} -> ${LAYERS[layerOf(t)]})`);
      }
    }
  }
  return out;
}

/** Every import cycle, as "a -> b -> a" (each found once, from its first file in order). */
export function cycles(graph: Graph): string[] {
  const out: string[] = [];
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (file: string): void => {
    state.set(file, 'open');
    stack.push(file);
    for (const t of graph.get(file) ?? []) {
      if (state.get(t) === 'open') {
        out.push([...stack.slice(stack.indexOf(t)), t].join(' -> '));
      } else if (!state.has(t)) {
        visit(t);
      }
    }
    stack.pop();
    state.set(file, 'done');
  };
  [...graph.keys()].sort().forEach(f => state.has(f) || visit(f));
  return out;
}

function sourceFiles(dir: string, out = new Map<string, string>()): Map<string, string> {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) {
      sourceFiles(path, out);
    } else if (name.endsWith('.ts')) {
      out.set(relative(SRC, path).split(sep).join('/'), readFileSync(path, 'utf8'));
    }
  }
  return out;
}

const all = sourceFiles(SRC);
const code = new Map([...all].filter(([file]) => !file.startsWith('__tests__/')));

describe('the checks themselves', () => {
  const fake = (entries: Record<string, string>): Graph => graphOf(new Map(Object.entries(entries)));
  it('read every kind of import, and only relative ones', () => {
    const src = `import { a } from './a';\nexport { b } from "../b";\nimport './c.css';\nimport type { d } from './d';\nconst e = require('./e');\nimport * as x from 'd3';\n// import { no } from './commented';`;
    expect(importsOf(src)).toEqual(['./a', '../b', './d', './c.css', './e']);
  });
  it('find an upward import', () => {
    expect(upwardImports(fake({ 'data/x.ts': "import { v } from '../views/base';", 'views/base.ts': '' }))).toEqual([
      'data/x.ts imports views/base.ts (upward: data -> views)'
    ]);
    expect(upwardImports(fake({ 'views/base.ts': "import { x } from '../data/x';", 'data/x.ts': '' }))).toEqual([]);
  });
  it('find a cycle', () => {
    const g = fake({ 'data/a.ts': "import './b';", 'data/b.ts': "import './c';", 'data/c.ts': "import './a';", 'data/d.ts': "import './a';" });
    expect(cycles(g)).toEqual(['data/a.ts -> data/b.ts -> data/c.ts -> data/a.ts']);
  });
  it('know every folder of src/', () => {
    expect(() => layerOf('widget2/x.ts')).toThrow(/not a layer/);
    expect(layerOf('plugin.ts')).toBe(LAYERS.indexOf('app'));
  });
});

describe('src/ layout', () => {
  const graph = graphOf(code);

  it('has the modules the build uses', () => {
    expect([...code.keys()]).toEqual(expect.arrayContaining(['plugin.ts', 'standalone.ts', 'index.ts', 'model.ts', 'widget.ts']));
    expect([...graph.values()].flat().length).toBeGreaterThan(100);
  });

  it('imports only go down the layers', () => {
    expect(upwardImports(graph)).toEqual([]);
  });

  it('has no import cycle', () => {
    expect(cycles(graph)).toEqual([]);
  });

  it('views never import export code', () => {
    const bad = [...graph].flatMap(([file, targets]) => (file.startsWith('views/') ? targets.filter(t => t.startsWith('export/')).map(t => `${file} -> ${t}`) : []));
    expect(bad).toEqual([]);
  });

  it(`has no file over ${MAX_LINES} lines (tests included)`, () => {
    const long = [...all].filter(([, text]) => text.split('\n').length > MAX_LINES).map(([file, text]) => `${file}: ${text.split('\n').length}`);
    expect(long).toEqual([]);
  });
});
