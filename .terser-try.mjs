import { minify } from 'terser';
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { rollup } from 'rollup';
const config = (await import('/work/main/rollup.config.mjs')).default[1];
const build = await rollup({ ...config, plugins: config.plugins.slice(0, 2), onwarn() {} });
const { output } = await build.generate({ format: 'es' });
const code = output[0].code;
const g = (s) => gzipSync(s, { level: 9 }).length;
const variants = {
  base: { ecma: 2020, module: true, compress: { passes: 2 }, mangle: { properties: { regex: /^_/ } }, format: { comments: /^!/ } },
  p3: { ecma: 2020, module: true, compress: { passes: 3 }, mangle: { properties: { regex: /^_/ } }, format: { comments: /^!/ } },
  unsafe: { ecma: 2020, module: true, compress: { passes: 3, unsafe: true, unsafe_arrows: true, unsafe_methods: true, pure_getters: true, unsafe_comps: true }, mangle: { properties: { regex: /^_/ } }, format: { comments: /^!/ } },
  es2022: { ecma: 2022, module: true, compress: { passes: 3, ecma: 2022 }, mangle: { properties: { regex: /^_/ } }, format: { comments: /^!/ } },
  nobanner: { ecma: 2020, module: true, compress: { passes: 2 }, mangle: { properties: { regex: /^_/ } }, format: { comments: false } },
};
for (const [k, o] of Object.entries(variants)) { const r = (await minify(code, o)).code; console.log(k, r.length, g(r)); }
