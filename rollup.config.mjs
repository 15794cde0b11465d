// @ts-check
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, relative } from 'node:path';
import typescript from '@rollup/plugin-typescript';
import terser from '@rollup/plugin-terser';
import ts from 'typescript';
import { dts } from 'rollup-plugin-dts';

const pkg = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8'));
const require = createRequire(import.meta.url);

/**
 * Empties dist/ and types/ when a build starts: rollup adds files and never removes any, so a
 * chunk left from an older build would be packed. A plugin, not top-level code, because
 * vitest.config.ts imports this file for its reconnecting-websocket plugin.
 * @returns {import('rollup').Plugin}
 */
function cleanOutputs() {
  return {
    name: 'clean-outputs',
    buildStart() {
      for (const dir of ['dist', 'types']) rmSync(new URL(dir, import.meta.url), { recursive: true, force: true });
    },
  };
}

/** The package entries: the core, and one per opt-in feature. */
const ENTRIES = { index: 'src/index.ts', liveness: 'src/liveness.ts', network: 'src/network.ts', codecs: 'src/codecs.ts', share: 'src/share.ts' };

/**
 * Members of reconnecting-websocket's class that the adapter never reaches: its public getters and
 * methods for direct users (we drive it through the constructor, `binaryType`, `addEventListener`
 * and `close()` only). Removing them is tree-shaking at member level; the build fails if one is
 * missing, so a new version of the package is looked at, not silently trimmed differently.
 */
const UNUSED_MEMBERS = ['CONNECTING', 'OPEN', 'CLOSING', 'retryCount', 'bufferedAmount', 'extensions', 'protocol', 'readyState', 'url', 'reconnect', 'send', 'dispatchEvent', 'removeEventListener', '_debug', '_handleMessage'];

/**
 * The package's own `message` listener on each socket, and its removal: the adapter listens on the
 * socket itself, and a second listener is not free (`ws` on Node builds a MessageEvent and decodes
 * the text once per listener).
 */
const MESSAGE_LISTENER = /^\s*this\._ws\.(add|remove)EventListener\('message', this\._handleMessage\);\s*$/gm;

/**
 * `source` without the members of its classes named in `names` (each must be found).
 * @param {string} source @param {string} fileName @param {string[]} names
 */
function withoutMembers(source, fileName, names) {
  const file = ts.createSourceFile(fileName, source, ts.ScriptTarget.Latest, true);
  /** @type {[number, number][]} */
  const cuts = [];
  const found = new Set();
  const visit = (/** @type {import('typescript').Node} */ node) => {
    if (ts.isClassDeclaration(node)) {
      for (const m of node.members) {
        const name = m.name && ts.isIdentifier(m.name) ? m.name.text : undefined;
        // `binaryType`'s setter stays: the adapter sets it. Its getter goes.
        if (name && names.includes(name) && !ts.isSetAccessor(m)) {
          cuts.push([m.getFullStart(), m.getEnd()]);
          found.add(name);
        }
        if (name === 'binaryType' && ts.isGetAccessor(m)) cuts.push([m.getFullStart(), m.getEnd()]);
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  const missing = names.filter((n) => !found.has(n));
  if (missing.length) throw new Error(`reconnecting-websocket changed: no member ${missing.join(', ')} to remove`);
  return cuts.sort((a, b) => b[0] - a[0]).reduce((s, [from, to]) => s.slice(0, from) + s.slice(to), source);
}

/**
 * reconnecting-websocket from the TypeScript source it ships (not its ES5 build): compiled to
 * our target, its `_debug` calls (off unless its `debug` option is set, which we never set), its
 * per-socket `message` listener and the members we never reach removed. Its licence banner (`/*!`) stays in the bundle. Its modules
 * keep their real paths (a `\0` virtual id would be left out of the source maps, so its code
 * would map to nothing). The tests (vitest.config.ts) load it through this same plugin, so they
 * run the code that ships.
 * @returns {import('rollup').Plugin}
 */
export function reconnectingWebSocketFromSource() {
  const dir = require.resolve('reconnecting-websocket/package.json').replace(/package\.json$/, '');
  const ids = { 'reconnecting-websocket': `${dir}reconnecting-websocket.ts`, './events': `${dir}events.ts` };
  return {
    name: 'reconnecting-websocket-from-source',
    resolveId(source, importer) {
      if (source === 'reconnecting-websocket' || (source === './events' && importer === ids['reconnecting-websocket'])) {
        return ids[/** @type {keyof typeof ids} */ (source)];
      }
      return null;
    },
    load(id) {
      if (!id.startsWith(dir)) return null;
      let source = readFileSync(id, 'utf8');
      if (id.endsWith('reconnecting-websocket.ts')) {
        if (source.match(MESSAGE_LISTENER)?.length !== 2) throw new Error('reconnecting-websocket changed: its message listener is not added and removed as expected');
        source = withoutMembers(source.replace(/^\s*this\._debug\(.*\);\s*$/gm, '').replace(MESSAGE_LISTENER, ''), id, UNUSED_MEMBERS);
        if (/_debug|_handleMessage/.test(source)) throw new Error('reconnecting-websocket changed: a _debug call or its message listener was not removed');
      }
      const { outputText, sourceMapText } = ts.transpileModule(source, {
        fileName: id,
        compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext, sourceMap: true, inlineSources: true, useDefineForClassFields: true },
      });
      return { code: outputText.replace(/\/\/# sourceMappingURL=.*$/m, ''), map: sourceMapText };
    },
  };
}

/**
 * The `require` branch of every export: a CommonJS file that loads the entry's ES module, and its
 * types. Node ^20.19.0 || >=22.12.0 loads ES modules with require(), so this is the same module
 * as `import` gives; an older Node cannot, and instead of its ERR_REQUIRE_ESM (which names our
 * file but not the fix) the consumer reads what to do. Declared as CommonJS so that linters and
 * TypeScript see a CommonJS file with CommonJS types, which is what it is.
 * @param {'js' | 'types'} kind the `.cjs` files (into dist) or their `.d.cts` (into types)
 * @returns {import('rollup').Plugin}
 */
function requireShims(kind) {
  /** @type {(from: string, to: string) => string} */
  const relativePath = (from, to) => relative(dirname(from), to).replaceAll('\\', '/').replace(/^(?!\.)/, './');
  return {
    name: 'require-shims',
    generateBundle() {
      for (const [subpath, target] of Object.entries(pkg.exports)) {
        if (!target.require) continue;
        const specifier = pkg.name + subpath.slice(1);
        const file = kind === 'js' ? target.require.default : target.require.types;
        const esm = relativePath(file, kind === 'js' ? target.default : target.types).replace(/\.d\.ts$/, '.js');
        const source =
          kind === 'js'
            ? `'use strict';
try {
  module.exports = require('${esm}');
} catch (error) {
  if (!error || error.code !== 'ERR_REQUIRE_ESM') throw error;
  throw Object.assign(
    new Error(\`${specifier} is an ES module, and Node \${process.version} cannot require() one. Use Node ${pkg.engines.node}, whose require() loads it, or load it with await import('${specifier}').\`, { cause: error }),
    { code: 'ERR_REQUIRE_ESM' },
  );
}
`
            : `// require('${specifier}') returns the ES module's namespace (Node ${pkg.engines.node}).
declare const esm: typeof import('${esm}', { with: { 'resolution-mode': 'import' } });
export = esm;
`;
        this.emitFile({ type: 'asset', fileName: relative(kind === 'js' ? 'dist' : 'types', file), source });
      }
    },
  };
}

/** Every file package.json points at must exist after the build, or the published package is broken. */
function checkPackagePaths() {
  return {
    name: 'check-package-paths',
    closeBundle() {
      const paths = new Set([pkg.main, pkg.types]);
      const walk = (/** @type {unknown} */ node) => {
        if (typeof node === 'string') paths.add(node);
        else if (node && typeof node === 'object') Object.values(node).forEach(walk);
      };
      walk(pkg.exports);
      walk(pkg.typesVersions);
      const missing = [...paths].filter((p) => p && !existsSync(new URL(p, import.meta.url)));
      if (missing.length) throw new Error(`package.json names files the build did not produce: ${missing.join(', ')}`);
      console.log(`check-package-paths: all ${paths.size} paths in package.json exist`);
    },
  };
}

const compile = () => typescript({ tsconfig: './tsconfig.build.json', noEmit: false, declaration: false, declarationDir: undefined, outDir: 'dist', sourceMap: true, inlineSources: true });

/**
 * Minified, with reconnecting-websocket's `_`-prefixed private members mangled (nothing else in
 * the bundle uses such names; test/integration/bundle.test.ts runs the result against the server).
 */
const minify = () =>
  terser({ ecma: 2020, module: true, compress: { passes: 2 }, mangle: { properties: { regex: /^_/, reserved: ['__proto__'] } }, format: { comments: /^!/ } });

export default [
  // The package: one ES module per entry, shared code in chunks, for bundlers and Node.
  {
    input: ENTRIES,
    output: { dir: 'dist', format: 'es', entryFileNames: '[name].js', chunkFileNames: 'chunks/[name]-[hash].js', sourcemap: true },
    plugins: [cleanOutputs(), reconnectingWebSocketFromSource(), compile(), minify(), requireShims('js')],
  },
  // For <script type="module"> with no bundler: everything in one self-contained file.
  {
    input: 'src/all.ts',
    output: { file: 'dist/webconnection-websocket.min.js', format: 'es', sourcemap: true },
    plugins: [reconnectingWebSocketFromSource(), compile(), minify()],
  },
  // The public type declarations, one file per entry.
  {
    input: { ...ENTRIES, all: 'src/all.ts' },
    output: { dir: 'types', format: 'es', chunkFileNames: 'chunks/[name]-[hash].d.ts' },
    plugins: [dts({ tsconfig: './tsconfig.build.json' }), requireShims('types'), checkPackagePaths()],
  },
];
