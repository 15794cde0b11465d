// @ts-check
/**
 * Size, all gzip -9 (also minified and brotli 11):
 * - the whole API: dist/webconnection-websocket.min.js as built;
 * - a vendor-API app: only `WebConnectionWebSocket` from the package, using what the vendor's
 *   script offers, bundled the way an app would be (and the peers are);
 * - what each opt-in entry adds to that app when it imports all of the entry;
 * - per source module: which bytes of the whole-API bundle come from which module;
 * - the peers, each from a tiny entry that creates a client, bundled the same way.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import commonjs from '@rollup/plugin-commonjs';
import nodeResolve from '@rollup/plugin-node-resolve';
import terser from '@rollup/plugin-terser';
import { rollup } from 'rollup';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const ENTRIES = fileURLToPath(new URL('.peers/', import.meta.url));
const PKG = JSON.parse(readFileSync(`${ROOT}package.json`, 'utf8'));
const WHOLE = `${ROOT}dist/webconnection-websocket.min.js`;

/** An app written against the vendor's API, importing nothing else from the package. */
const VENDOR_APP = `import { WebConnectionWebSocket } from 'webconnection-websocket';
const socket = new WebConnectionWebSocket();
socket.onMessageHandler = (msg) => console.log(msg.action, msg.message, msg.userId);
socket.onOpenHandler = () => console.log('open');
socket.onCloseHandler = () => console.log('closed');
socket.onErrorHandler = (err) => console.error(err);
socket.tryConnect(true, 'room-1', 'rick');
export const say = (text) => socket.send(socket.createBroadcastMessage('broadcastchatmessage', text).addRecipient('room-1', 'group'));
`;

/** name -> entry source. Each creates and connects a client, so tree-shaking keeps what a user pays for. */
const PEERS = {
  'reconnecting-websocket (alone)': `import RWS from 'reconnecting-websocket'; export const connect = (url) => new RWS(url);`,
  sockette: `import Sockette from 'sockette'; export const connect = (url) => new Sockette(url, { onmessage: console.log });`,
  'graphql-ws': `import { createClient } from 'graphql-ws'; export const connect = (url) => createClient({ url });`,
  phoenix: `import { Socket } from 'phoenix'; export const connect = (url) => { const s = new Socket(url); s.connect(); return s; };`,
  'socket.io-client': `import { io } from 'socket.io-client'; export const connect = (url) => io(url);`,
  '@microsoft/signalr': `import { HubConnectionBuilder } from '@microsoft/signalr'; export const connect = (url) => { const c = new HubConnectionBuilder().withUrl(url).withAutomaticReconnect().build(); c.start(); return c; };`,
  centrifuge: `import { Centrifuge } from 'centrifuge'; export const connect = (url) => { const c = new Centrifuge(url); c.connect(); return c; };`,
  'bare new WebSocket (baseline)': `export const connect = (url) => { const s = new WebSocket(url); s.onmessage = (e) => console.log(JSON.parse(e.data)); return s; };`,
};

/** What an app's build would do: terser as in rollup.config.mjs, minus the package's own property mangling. */
const TERSER = { ecma: /** @type {2020} */ (2020), module: true, compress: { passes: 2 }, format: { comments: false } };

/** @typedef {{ min: number, gzip: number, brotli: number }} Sizes */

/** @param {string | Buffer} code @returns {Sizes} */
export const measure = (code) => ({
  min: Buffer.byteLength(code),
  gzip: gzipSync(code, { level: 9 }).length,
  brotli: brotliCompressSync(code, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length,
});

/** @param {string} name @param {string} source @returns {Promise<Sizes>} */
async function bundle(name, source) {
  const file = `${ENTRIES}${name.toLowerCase().replace(/\(.*\)/, '').replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '')}.mjs`;
  writeFileSync(file, source);
  const build = await rollup({ input: file, plugins: [nodeResolve({ browser: true, preferBuiltins: false }), commonjs(), terser(TERSER)], onwarn: () => {} });
  const { output } = await build.generate({ format: 'es' });
  await build.close();
  return measure(output[0].code);
}

/** The package's opt-in entries: every export but the main one, the self-contained build and package.json. */
const optInEntries = () =>
  Object.entries(/** @type {Record<string, unknown>} */ (PKG.exports))
    .filter(([key, target]) => key !== '.' && !key.endsWith('.json') && !JSON.stringify(target).includes('.min.js'))
    .map(([key]) => `${PKG.name}${key.slice(1)}`);

/** @param {{ peers?: boolean }} [options] `peers: false` leaves the peers out (they take most of the time; --quick) */
export async function sizeBench({ peers: withPeers = true } = {}) {
  mkdirSync(ENTRIES, { recursive: true });
  process.chdir(ROOT); // rollup.config.mjs names its inputs relative to the repository
  // All at once: terser runs in worker threads, so the bundles keep every core busy.
  const entries = optInEntries();
  const [vendor, withEach, peers, modules] = await Promise.all([
    bundle('this SDK vendor API', VENDOR_APP),
    // All of each entry, so the figure is what importing it can cost at most.
    Promise.all(entries.map((entry) => bundle(`this SDK vendor API + ${entry}`, `${VENDOR_APP}export * from '${entry}';\n`))),
    withPeers ? Promise.all(Object.entries(PEERS).map(async ([name, source]) => ({ name, ...(await bundle(name, source)) }))) : undefined,
    moduleBreakdown(),
  ]);
  const optIns = entries.map((entry, i) => ({
    entry,
    total: withEach[i],
    added: { min: withEach[i].min - vendor.min, gzip: withEach[i].gzip - vendor.gzip, brotli: withEach[i].brotli - vendor.brotli },
  }));
  return { whole: measure(readFileSync(WHOLE)), vendor, optIns, peers, modules };
}

/**
 * Which bytes of the whole-API bundle come from which source module. The bundle is built again
 * from rollup.config.mjs (every plugin the project uses, nothing else) and must come out byte for
 * byte as dist/ has it. The minifier's own source map (captured from its renderChunk hook) leads
 * each minified byte back to the unminified chunk, where each module's rendered code is found in
 * order; rollup's final map cannot serve, as it leaves out modules with virtual ids (`\0…`, as
 * reconnecting-websocket's is) and their bytes would be charged to a neighbour. A licence comment
 * goes with the code after it. gzip per module is marginal, in bundle order: gzip(bundle up to the
 * end of a run of its bytes) minus gzip(up to the start), summed over its runs, so the modules add
 * up to the whole file and each is charged what it costs after everything before it.
 */
async function moduleBreakdown() {
  const configs = /** @type {import('rollup').RollupOptions[]} */ ((await import(`${ROOT}rollup.config.mjs`)).default);
  const config = configs.find((c) => !Array.isArray(c.output) && String(c.output?.file ?? '').endsWith('webconnection-websocket.min.js'));
  if (!config || Array.isArray(config.output) || !config.output) throw new Error('rollup.config.mjs has no build of dist/webconnection-websocket.min.js');
  /** @type {{ input: string, output: string, map: any, modules: Record<string, import('rollup').RenderedModule> }[]} */
  const steps = [];
  const plugins = /** @type {import('rollup').Plugin[]} */ (/** @type {unknown[]} */ ([config.plugins]).flat(9).filter(Boolean)).map((p) => {
    const hook = p.renderChunk;
    if (!hook) return p;
    const handler = typeof hook === 'function' ? hook : hook.handler;
    /** @type {import('rollup').RenderChunkHook} */
    const wrapped = async function (code, chunk, options, meta) {
      const result = await handler.call(this, code, chunk, options, meta);
      const out = typeof result === 'string' ? { code: result, map: undefined } : result;
      if (out && out.code !== code) steps.push({ input: code, output: out.code, map: typeof out.map === 'string' ? JSON.parse(out.map) : out.map, modules: chunk.modules });
      return result;
    };
    return { ...p, renderChunk: typeof hook === 'function' ? wrapped : { ...hook, handler: wrapped } };
  });
  const build = await rollup({ ...config, plugins, onwarn: () => {} });
  const { output } = await build.generate({ ...config.output, sourcemap: true });
  await build.close();
  const code = output[0].code;
  if (readFileSync(WHOLE, 'utf8') !== code) throw new Error('dist/webconnection-websocket.min.js is not what rollup.config.mjs builds now: run npm run build');
  if (steps.length !== 1 || !steps[0].map) throw new Error(`expected one minifying renderChunk step with a source map, got ${steps.length}`);
  const [{ input, output: minified, map, modules }] = steps;

  // Where each module's rendered code sits in the unminified chunk, in rollup's order.
  /** @type {{ start: number, end: number, module: string }[]} */
  const ranges = [];
  let at = 0;
  for (const [id, m] of Object.entries(modules)) {
    if (!m.code) continue;
    const start = input.indexOf(m.code, at);
    if (start < 0) throw new Error(`cannot find the rendered code of ${id} in the chunk`);
    ranges.push({ start, end: start + m.code.length, module: moduleName(id) });
    at = start + m.code.length;
  }
  const inputLines = [0];
  for (let i = 0; i < input.length; i++) if (input.charCodeAt(i) === 10) inputLines.push(i + 1);
  /** @param {number} offset in the unminified chunk */
  const moduleAt = (offset) => ranges.find((r) => offset >= r.start && offset < r.end)?.module ?? '(rollup glue)';

  /** @type {(string | undefined)[]} owner of each minified byte */
  const owner = new Array(code.length);
  const outLines = [0];
  for (let i = 0; i < minified.length; i++) if (minified.charCodeAt(i) === 10) outLines.push(i + 1);
  /** @type {[number, string][]} */
  const segments = [];
  decodeMappings(map.mappings).forEach((line, l) => {
    for (const seg of line) if (seg.length >= 4) segments.push([outLines[l] + seg[0], moduleAt(inputLines[seg[2]] + seg[3])]);
  });
  segments.sort((a, b) => a[0] - b[0]);
  segments.forEach(([start, module], i) => owner.fill(module, start, i + 1 < segments.length ? segments[i + 1][0] : minified.length));
  for (const m of minified.matchAll(/\/\*![\s\S]*?\*\//g)) {
    const end = /** @type {number} */ (m.index) + m[0].length;
    owner.fill(segments.find(([start]) => start >= end)?.[1] ?? '(comments)', m.index, end);
  }
  owner.fill('(source map comment)', minified.length);

  /** @type {Map<string, { module: string, min: number, gzip: number }>} */
  const parts = new Map();
  let runStart = 0;
  let gzipBefore = 0;
  for (let i = 1; i <= code.length; i++) {
    if (i < code.length && owner[i] === owner[runStart]) continue;
    const module = owner[runStart] ?? '(unmapped)';
    const gzipAfter = gzipSync(code.slice(0, i), { level: 9 }).length;
    const part = parts.get(module) ?? { module, min: 0, gzip: 0 };
    part.min += Buffer.byteLength(code.slice(runStart, i));
    part.gzip += gzipAfter - gzipBefore;
    parts.set(module, part);
    gzipBefore = gzipAfter;
    runStart = i;
  }
  return [...parts.values()].sort((a, b) => b.min - a.min);
}

/** A module id as a reader knows it: src/…, or the package's own path. @param {string} id */
const moduleName = (id) => id.replace(/^\0/, '').replace(/^.*node_modules\//, '').replace(ROOT, '');

const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
/**
 * Source map `mappings` into absolute segments per generated line: [column, source, line, column].
 * @param {string} mappings
 */
function decodeMappings(mappings) {
  const state = [0, 0, 0, 0];
  return mappings.split(';').map((line) => {
    state[0] = 0;
    return line
      .split(',')
      .filter(Boolean)
      .map((segment) => {
        /** @type {number[]} */
        const fields = [];
        let value = 0;
        let shift = 0;
        for (const ch of segment) {
          const digit = BASE64.indexOf(ch);
          value += (digit & 31) << shift;
          if (digit & 32) shift += 5;
          else {
            fields.push(value & 1 ? -(value >>> 1) : value >>> 1);
            value = shift = 0;
          }
        }
        return fields.map((f, i) => (state[i] += f));
      });
  });
}
