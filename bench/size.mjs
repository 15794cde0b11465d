// @ts-check
/**
 * Size: our browser build beside peers, each bundled here by the same rollup set-up (node-resolve
 * for browsers, commonjs, terser with our options) from a tiny entry that creates a client.
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

/** name -> entry source. Each creates and connects a client, so tree-shaking keeps what a user pays for. */
const PEERS = {
  'webconnection-websocket (this SDK, same entry set-up)': `import { WebConnectionWebSocket } from 'webconnection-websocket';
export const connect = (url) => { const s = new WebConnectionWebSocket({ url }); s.onMessageHandler = console.log; s.tryConnect(); return s; };`,
  'reconnecting-websocket (alone)': `import RWS from 'reconnecting-websocket'; export const connect = (url) => new RWS(url);`,
  sockette: `import Sockette from 'sockette'; export const connect = (url) => new Sockette(url, { onmessage: console.log });`,
  'graphql-ws': `import { createClient } from 'graphql-ws'; export const connect = (url) => createClient({ url });`,
  phoenix: `import { Socket } from 'phoenix'; export const connect = (url) => { const s = new Socket(url); s.connect(); return s; };`,
  'socket.io-client': `import { io } from 'socket.io-client'; export const connect = (url) => io(url);`,
  '@microsoft/signalr': `import { HubConnectionBuilder } from '@microsoft/signalr'; export const connect = (url) => { const c = new HubConnectionBuilder().withUrl(url).withAutomaticReconnect().build(); c.start(); return c; };`,
  centrifuge: `import { Centrifuge } from 'centrifuge'; export const connect = (url) => { const c = new Centrifuge(url); c.connect(); return c; };`,
  'bare new WebSocket (baseline)': `export const connect = (url) => { const s = new WebSocket(url); s.onmessage = (e) => console.log(JSON.parse(e.data)); return s; };`,
};

/** The same terser options as rollup.config.mjs. */
const TERSER = { ecma: /** @type {2020} */ (2020), module: true, compress: { passes: 2 }, format: { comments: false } };

/** @param {string} code */
export const measure = (code) => ({
  min: Buffer.byteLength(code),
  gzip: gzipSync(code, { level: 9 }).length,
  brotli: brotliCompressSync(code, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length,
});

/** @param {string} file */
async function bundle(file) {
  const build = await rollup({ input: file, plugins: [nodeResolve({ browser: true, preferBuiltins: false }), commonjs(), terser(TERSER)], onwarn: () => {} });
  const { output } = await build.generate({ format: 'es' });
  await build.close();
  return output[0].code;
}

export async function sizeBench() {
  mkdirSync(ENTRIES, { recursive: true });
  const rows = [{ name: 'webconnection-websocket (dist/webconnection-websocket.min.js, whole API)', ...measure(readFileSync(`${ROOT}dist/webconnection-websocket.min.js`, 'utf8')) }];
  for (const [name, source] of Object.entries(PEERS)) {
    const file = `${ENTRIES}${name.toLowerCase().replace(/\(.*\)/, '').replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '')}.mjs`;
    writeFileSync(file, source);
    rows.push({ name, ...measure(await bundle(file)) });
  }
  return rows;
}

/**
 * What weighs most in our self-contained build: per module, the bytes rollup rendered into the
 * chunk after tree-shaking (`renderedLength`, before minification), and, as a rough guide, that
 * module's rendered code minified with our terser options (top-level names kept) and gzipped alone.
 * @returns {Promise<{ module: string, bytes: number, min?: number, gzip?: number }[]>}
 */
export async function sizeBreakdown() {
  const typescript = (await import('@rollup/plugin-typescript')).default;
  const build = await rollup({
    input: `${ROOT}src/index.ts`,
    plugins: [nodeResolve({ browser: true }), typescript({ tsconfig: `${ROOT}tsconfig.build.json`, noEmit: false, declaration: false, declarationDir: undefined, outDir: `${ROOT}dist` })],
    onwarn: () => {},
  });
  const { output } = await build.generate({ format: 'es' });
  await build.close();
  /** @type {((code: string) => Promise<string>) | undefined} */
  let minify;
  try {
    // terser comes with @rollup/plugin-terser; without it the breakdown has rendered bytes only.
    const terserLib = await import('terser');
    minify = async (code) => (await terserLib.minify(code, { ecma: 2020, module: false, compress: { passes: 2 }, format: { comments: false } })).code ?? '';
  } catch {
    minify = undefined;
  }
  const parts = [];
  for (const [id, m] of Object.entries(output[0].modules)) {
    const part = { module: id.replace(ROOT, ''), bytes: m.renderedLength };
    const min = minify && m.code ? await minify(m.code) : undefined;
    parts.push(min === undefined ? part : { ...part, min: Buffer.byteLength(min), gzip: gzipSync(min, { level: 9 }).length });
  }
  return parts.sort((a, b) => b.bytes - a.bytes);
}
