// @ts-check
/**
 * One measurement in a process of its own (run.mjs starts one per row group): a fresh heap and
 * JIT, nothing left over from the one before, and a process that can be killed if it overruns.
 */
import { serve } from './lib.mjs';

serve({
  /** @param {string} file a module in bench/ @param {string} fn its export @param {unknown} options */
  async run(file, fn, options) {
    const module = await import(new URL(file, import.meta.url).href);
    return module[fn](options);
  },
});
