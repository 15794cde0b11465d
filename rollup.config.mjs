// @ts-check
import { existsSync, readFileSync } from 'node:fs';
import nodeResolve from '@rollup/plugin-node-resolve';
import terser from '@rollup/plugin-terser';
import typescript from '@rollup/plugin-typescript';
import { dts } from 'rollup-plugin-dts';

const pkg = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8'));

/** Every file package.json points at must exist after the build, or the published package is broken. */
function checkPackagePaths() {
  return {
    name: 'check-package-paths',
    closeBundle() {
      const paths = new Set([pkg.main, pkg.module, pkg.browser, pkg.types]);
      const walk = (/** @type {unknown} */ node) => {
        if (typeof node === 'string') paths.add(node);
        else if (node && typeof node === 'object') Object.values(node).forEach(walk);
      };
      walk(pkg.exports);
      const missing = [...paths].filter((p) => p && !existsSync(new URL(p, import.meta.url)));
      if (missing.length) throw new Error(`package.json names files the build did not produce: ${missing.join(', ')}`);
      console.log(`check-package-paths: all ${paths.size} paths in package.json exist`);
    },
  };
}

const ts = () => typescript({ tsconfig: './tsconfig.build.json', noEmit: false, declaration: false, declarationDir: undefined, outDir: 'dist', sourceMap: true });

export default [
  // For bundlers and Node: reconnecting-websocket stays an external dependency.
  {
    input: 'src/index.ts',
    external: ['reconnecting-websocket'],
    output: { file: 'dist/webconnection-websocket.js', format: 'es', sourcemap: true },
    plugins: [ts()],
  },
  // For <script type="module"> with no bundler: one self-contained minified file.
  {
    input: 'src/index.ts',
    output: { file: 'dist/webconnection-websocket.min.js', format: 'es', sourcemap: true },
    plugins: [nodeResolve({ browser: true }), ts(), terser({ ecma: 2020, module: true, compress: { passes: 2 }, format: { comments: false } })],
  },
  // The public type declarations.
  {
    input: 'src/index.ts',
    output: { file: 'types/index.d.ts', format: 'es' },
    plugins: [dts({ tsconfig: './tsconfig.build.json' }), checkPackagePaths()],
  },
];
