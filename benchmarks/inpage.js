/* In-page instrumentation of the benchmark (an init script: runs before JupyterLab's own code).
 * - every frame received on a kernel WebSocket: arrival time (performance.now), size, msg_type
 *   (parsed from the v1 kernel protocol header, or the JSON text of the legacy protocol);
 * - long tasks (PerformanceObserver 'longtask', >= 50 ms);
 * - helpers the runner calls with page.evaluate: run a cell, wait for a view's ready signal,
 *   time hovers and clicks to the end of the frame that shows them, JSON.parse vs float16 decode.
 */
(() => {
  const B = (window.__bench = { frames: [], longtasks: [] });
  const dec = new TextDecoder();
  function msgType(data) {
    try {
      if (typeof data === 'string') {
        const m = /"msg_type"\s*:\s*"([^"]+)"/.exec(data.slice(0, 4096));
        return m ? m[1] : '?';
      }
      const dv = new DataView(data);
      const n = Number(dv.getBigUint64(0, true));
      const off = [];
      for (let i = 0; i < Math.min(n, 3); i++) off.push(Number(dv.getBigUint64(8 * (i + 1), true)));
      return JSON.parse(dec.decode(new Uint8Array(data, off[1], off[2] - off[1]))).msg_type || '?';
    } catch (e) {
      return '?';
    }
  }
  const Native = window.WebSocket;
  class BenchWebSocket extends Native {
    constructor(url, protocols) {
      super(url, protocols);
      if (String(url).includes('/api/kernels/')) {
        this.addEventListener('message', e => {
          const t = performance.now();
          const n = typeof e.data === 'string' ? new Blob([e.data]).size : e.data.byteLength;
          B.frames.push({ t, n, type: msgType(e.data) });
        });
      }
    }
  }
  window.WebSocket = BenchWebSocket;
  try {
    new PerformanceObserver(list => {
      for (const e of list.getEntries()) B.longtasks.push({ t: e.startTime, d: e.duration });
    }).observe({ type: 'longtask', buffered: true });
  } catch (e) {
    B.noLongtask = String(e);
  }

  const panel = () => window.jupyterapp.shell.currentWidget;
  const cellNode = i => panel().content.widgets[i].node;
  /** Resolves after the frame that follows the current task has been rendered. */
  const afterFrame = () => new Promise(r => requestAnimationFrame(() => {
    const ch = new MessageChannel();
    ch.port1.onmessage = () => r(performance.now());
    ch.port2.postMessage(0);
  }));
  B.afterFrame = afterFrame;

  B.notebookReady = async () => {
    while (!window.jupyterapp || !panel() || !panel().sessionContext) await new Promise(r => setTimeout(r, 100));
    await panel().context.ready;
    await panel().sessionContext.ready;
    while (!panel().sessionContext.session?.kernel) await new Promise(r => setTimeout(r, 100));
    await panel().sessionContext.session.kernel.info;
    return panel().sessionContext.session.kernel.id;
  };

  /** Runs code in the notebook's kernel (no cell); resolves with BENCH_JSON lines and errors. */
  B.exec = async code => {
    const kernel = panel().sessionContext.session.kernel;
    const fut = kernel.requestExecute({ code, store_history: false });
    let out = '';
    const errors = [];
    fut.onIOPub = msg => {
      if (msg.header.msg_type === 'stream') out += msg.content.text;
      if (msg.header.msg_type === 'error') errors.push(`${msg.content.ename}: ${msg.content.evalue}`);
    };
    await fut.done;
    const json = out.split('\n').filter(l => l.startsWith('BENCH_JSON ')).map(l => JSON.parse(l.slice(11)));
    return { json, errors, out: out.slice(-2000) };
  };

  /** Ready predicates per view kind, evaluated on the output of cell i. */
  const checks = {
    'attn-head': (root) => root.querySelector('.attnscope-head[data-state="ready"]:not(.attnscope-open-head)'),
    'attn-model': (root) => root.querySelector('.attnscope-model[data-state="ready"]'),
    // the exact weights drawn (lazy inputs first paint the pooled summary, data-exact="false")
    'attn-matrix': (root) => root.querySelector('.attnscope-matrix[data-state="ready"][data-exact="true"]'),
    // BertViz head view: renderVis() draws left/right text, all H*N*N lines and last the head
    // checkboxes in one task; ready = checkbox row present and every line there.
    'bv-head': (root, ex) => {
      const svg = root.querySelector('#vis > svg');
      if (!svg || svg.children.length < 4 || svg.lastElementChild.childElementCount !== ex.heads) return null;
      return svg.querySelectorAll('#attention line').length === ex.lines ? svg : null;
    },
    // BertViz model view: one background rect per thumbnail, lines of every thumbnail.
    'bv-model': (root, ex) => {
      const svg = root.querySelector('#vis > svg');
      if (!svg || svg.querySelectorAll('rect.attn_background').length !== ex.thumbs) return null;
      return svg.querySelectorAll('line').length === ex.lines ? svg : null;
    }
  };

  /** Selects cell i, runs it, resolves when its view is ready and painted (times from t0). */
  B.runAndWait = (i, kind, ex, timeoutMs) => new Promise(resolve => {
    const root = cellNode(i);
    const check = () => checks[kind](root, ex);
    let done = false;
    let t0 = 0;
    const finish = async (el) => {
      if (done) return;
      done = true;
      mo.disconnect();
      const tReady = performance.now();
      const tPaint = await afterFrame();
      // the head view draws its base lines strongest first, a piece a frame: until the last piece
      let tComplete = tPaint;
      const links = kind === 'attn-head' ? root.querySelector('.attnscope-head .attnscope-links') : null;
      while (links && links.dataset.base === 'partial' && performance.now() - tPaint < 60_000) tComplete = await afterFrame();
      resolve({ t0, tReady, tPaint, tComplete, ok: true, lines: el.dataset ? el.dataset.lines : undefined,
        renderer: el.dataset ? el.dataset.renderer : undefined });
    };
    // BertViz: observe the whole output only until its #vis div exists, then #vis's children
    // only (a subtree observer would queue one record per SVG line: millions at M).
    let target = root;
    const mo = new MutationObserver(() => {
      if (kind.startsWith('bv') && target === root) {
        const vis = root.querySelector('#vis');
        if (vis) {
          mo.disconnect();
          target = vis;
          mo.observe(vis, { childList: true });
        }
      }
      const el = check();
      if (el) finish(el);
    });
    mo.observe(root, { childList: true, subtree: true, attributes: kind.startsWith('attn'), attributeFilter: kind.startsWith('attn') ? ['data-state'] : undefined });
    setTimeout(() => {
      if (!done) {
        done = true;
        mo.disconnect();
        resolve({ t0, ok: false, timeout: true });
      }
    }, timeoutMs);
    const nb = panel().content;
    nb.activeCellIndex = i;
    nb.deselectAll();
    t0 = performance.now();
    window.jupyterapp.commands.execute('notebook:run-cell').catch(e => { B.runError = String(e); });
  });

  /** Dispatches act() at the start of a frame; ms until the end of the frame that shows check(). */
  const timeAction = (act, check, root, timeoutMs = 10_000) => new Promise(resolve => {
    requestAnimationFrame(() => {
      const t0 = performance.now();
      act();
      const done = () => afterFrameNow(t0).then(ms => resolve({ ms, ok: true }));
      if (check()) return done();
      const mo = new MutationObserver(() => {
        if (check()) {
          mo.disconnect();
          clearTimeout(timer);
          afterFrame().then(t => resolve({ ms: t - t0, ok: true }));
        }
      });
      mo.observe(root, { subtree: true, attributes: true, childList: true });
      const timer = setTimeout(() => { mo.disconnect(); resolve({ ms: NaN, ok: false }); }, timeoutMs);
    });
  });
  /** Inside a rAF callback: a message posted now runs right after this frame's rendering. */
  const afterFrameNow = t0 => new Promise(r => {
    const ch = new MessageChannel();
    ch.port1.onmessage = () => r(performance.now() - t0);
    ch.port2.postMessage(0);
  });

  const over = el => () => el.dispatchEvent(new MouseEvent('mouseover', { bubbles: true, view: window }));

  /** count hovers on query tokens (index k*37 mod n); returns each latency in ms. */
  B.hoverTest = async (i, kind, count) => {
    const root = cellNode(i);
    const res = [];
    let bad = 0;
    let tokens;
    let n;
    if (kind === 'attn-matrix') {
      // cell (i, i) of the whole matrix: a mousemove at its centre hovers query i
      const view = root.querySelector('.attnscope-matrix');
      const canvas = view.querySelector('.attnscope-matrix-canvas');
      const m = Number(view.dataset.zoom.split(',')[1]);
      for (let k = 0; k < count; k++) {
        const idx = (k * 37 + 1) % m;
        const r = canvas.getBoundingClientRect();
        const x = r.left + ((idx + 0.5) * r.width) / m, y = r.top + ((idx + 0.5) * r.height) / m;
        const move = () => canvas.dispatchEvent(new MouseEvent('mousemove', { bubbles: true, view: window, clientX: x, clientY: y }));
        // the plot may be wider than N cells (whole-pixel cells): any new query focus is the answer
        const before = view.dataset.focus;
        const t = await timeAction(move, () => view.dataset.focus !== before && view.dataset.focus.startsWith('query:'), root);
        if (!t.ok) bad++;
        res.push(t.ms);
        await afterFrame();
      }
      return { ms: res, bad, n: m };
    }
    if (kind === 'attn-head') {
      tokens = Array.from(root.querySelectorAll('.attnscope-head .attnscope-token[data-side="query"]'));
    } else {
      tokens = Array.from(root.querySelector('#vis > svg #left').children[1].children);
    }
    n = tokens.length;
    for (let k = 0; k < count; k++) {
      const idx = (k * 37 + 1) % n;
      const el = tokens[idx];
      let check;
      if (kind === 'attn-head') {
        const view = root.querySelector('.attnscope-head');
        check = () => view.dataset.focus === `query:${el.dataset.index}`;
      } else {
        const bg = el.querySelector('rect.background');
        check = () => bg.style.opacity === '1';
      }
      const r = await timeAction(over(el), check, root);
      if (!r.ok) bad++;
      res.push(r.ms);
      await afterFrame();
    }
    return { ms: res, bad, n };
  };

  /** Model view: click one thumbnail, ms until the opened head is drawn. */
  B.openHead = async (i, kind, which) => {
    const root = cellNode(i);
    if (kind === 'attn-model') {
      const el = root.querySelector(`.attnscope-thumb[data-layer="${which.layer}"][data-slot="${which.head}"]`);
      const check = () => !!root.querySelector('.attnscope-open-head[data-state="ready"]');
      return timeAction(() => el.dispatchEvent(new MouseEvent('click', { bubbles: true, view: window })), check, root);
    }
    const bgs = root.querySelectorAll('#vis > svg rect.attn_background');
    const bg = bgs[which.layer * which.nHeads + which.head];
    const click = bg.parentNode.querySelector(':scope > rect:last-of-type');
    const svg = root.querySelector('#vis > svg');
    const check = () => svg.querySelectorAll('.detail line').length === which.n * which.n;
    return timeAction(() => click.dispatchEvent(new MouseEvent('click', { bubbles: true, view: window })), check, svg);
  };

  /** JSON-lists vs binary float16: per layer, JSON.parse (+ flatten to Float32Array) vs table decode. */
  B.jsonTest = async (prefix, layers) => {
    const f16 = new Float32Array(65536);
    for (let h = 0; h < 65536; h++) {
      const s = h & 0x8000 ? -1 : 1, e = (h >> 10) & 0x1f, m = h & 0x3ff;
      f16[h] = e === 0 ? s * m * 2 ** -24 : e === 31 ? (m ? NaN : s * Infinity) : s * (1 + m / 1024) * 2 ** (e - 15);
    }
    let parse = 0, flatten = 0, decode = 0, maxText = 0;
    for (let l = 0; l < layers; l++) {
      const text = await (await fetch(`/files/${prefix}_${l}.json`)).text();
      maxText = Math.max(maxText, text.length);
      let t = performance.now();
      const v = JSON.parse(text);
      parse += performance.now() - t;
      t = performance.now();
      const H = v.length, Q = v[0].length, K = v[0][0].length;
      const out = new Float32Array(H * Q * K);
      let o = 0;
      for (const a of v) for (const r of a) for (let k = 0; k < K; k++) out[o++] = r[k];
      flatten += performance.now() - t;
      const buf = await (await fetch(`/files/${prefix}_${l}.bin`)).arrayBuffer();
      t = performance.now();
      const bits = new Uint16Array(buf);
      const dst = new Float32Array(bits.length);
      for (let k = 0; k < bits.length; k++) dst[k] = f16[bits[k]];
      decode += performance.now() - t;
      if (dst[7] !== out[7]) throw new Error(`layer ${l}: JSON and binary values differ`);
    }
    return { parse, flatten, decode, maxText };
  };

  B.longest = (from, to) => B.longtasks.filter(e => e.t + e.d >= from && e.t <= to).reduce((m, e) => Math.max(m, e.d), 0);
  B.bytes = (from, to) => {
    const out = { total: 0, comm: 0, display: 0, frames: 0, lastData: null };
    for (const f of B.frames) {
      if (f.t < from || f.t > to) continue;
      out.total += f.n;
      out.frames++;
      if (f.type === 'comm_open' || f.type === 'comm_msg') out.comm += f.n;
      if (f.type === 'display_data') out.display += f.n;
      if (['comm_open', 'comm_msg', 'display_data'].includes(f.type)) out.lastData = f.t;
    }
    return out;
  };
})();
