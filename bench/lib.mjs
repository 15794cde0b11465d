// @ts-check
/**
 * What the benchmark's modules share: statistics, bounded waits, and child processes that answer
 * requests over IPC and end themselves when their parent goes away.
 */
import { execFileSync, fork } from 'node:child_process';
import { existsSync } from 'node:fs';

/** Debian's Chromium (`apt-get install -y chromium`); CHROMIUM_PATH overrides. */
export const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

/** Why the browser rows cannot run here, or undefined when they can. */
export function browserMissing() {
  if (!existsSync(CHROMIUM)) return `no Chromium at ${CHROMIUM} (apt-get install -y chromium)`;
  if (!existsSync(new URL('../dist/webconnection-websocket.min.js', import.meta.url))) return 'no dist/webconnection-websocket.min.js (npm run build)';
  return undefined;
}

/** @param {number[]} xs */
export const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/** Nearest-rank percentile. @param {number[]} sorted ascending @param {number} p in [0, 100] */
export const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? NaN;

export const sleep = (/** @type {number} */ ms) => new Promise((r) => setTimeout(r, ms));

/**
 * Polls `check` until it holds; throws after `timeoutMs`, so no wait can hang the run.
 * @param {() => boolean} check @param {string} what @param {number} timeoutMs @param {number} [everyMs]
 */
export async function until(check, what, timeoutMs, everyMs = 5) {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(everyMs);
  }
}

/** @type {{ soft: number, hard: number } | undefined} */
let fileLimits;

/**
 * How a child that keeps `files` sockets open is started: as it is when the open-files limit
 * allows, else through sh raising the soft limit to what it needs (Node cannot raise its own).
 * @param {number} files @param {string[]} execArgv
 * @returns {{ execPath?: string, execArgv: string[] }}
 */
function withFileLimit(files, execArgv) {
  fileLimits ??= (() => {
    const [soft, hard] = execFileSync('/bin/sh', ['-c', 'ulimit -Sn; ulimit -Hn'], { encoding: 'utf8' }).split('\n').map((l) => (l.trim() === 'unlimited' ? Infinity : Number(l)));
    return { soft, hard };
  })();
  if (files <= fileLimits.soft) return { execArgv };
  if (files > fileLimits.hard) throw new Error(`this measurement keeps ${files} files open; the limit (ulimit -Hn) is ${fileLimits.hard}`);
  return { execPath: '/bin/sh', execArgv: ['-c', `ulimit -n ${files} && exec "$0" "$@"`, process.execPath, ...execArgv] };
}

/**
 * A process forked from `file` that answers `request(cmd, ...args)`; see {@link serve} for its side.
 * Rejects when it does not answer within the time given, or exits first.
 * @param {URL} file
 * @param {{ args?: string[], execArgv?: string[], files?: number }} [options] `files`: sockets it may keep open
 */
export function child(file, { args = [], execArgv = [], files = 0 } = {}) {
  const proc = fork(file, args, { ...withFileLimit(files + 100, execArgv), stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  let nextId = 1;
  /** @type {Map<number, { resolve(v: any): void, reject(e: Error): void }>} */
  const pending = new Map();
  /** @type {string | undefined} */
  let exited;
  proc.on('message', (/** @type {any} */ m) => {
    const p = pending.get(m?.id);
    if (!p) return;
    pending.delete(m.id);
    if (m.ok) p.resolve(m.value);
    else p.reject(new Error(`${file.pathname.split('/').pop()}: ${m.error}`));
  });
  proc.on('exit', (code, signal) => {
    exited = `${file.pathname.split('/').pop()} exited (${signal ?? code})`;
    for (const p of pending.values()) p.reject(new Error(exited));
    pending.clear();
  });
  /** Settles when the child has called {@link serve} (its request id 0 is "ready"). */
  const ready = new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${file.pathname.split('/').pop()} was not ready within 20 s`)), 20_000);
    pending.set(0, {
      resolve: (v) => (clearTimeout(timer), resolve(v)),
      reject: (e) => (clearTimeout(timer), reject(e)),
    });
  });
  return {
    proc,
    ready,
    /**
     * @param {string} cmd @param {unknown[]} [args] @param {number} [timeoutMs]
     * @returns {Promise<any>}
     */
    request(cmd, args = [], timeoutMs = 60_000) {
      if (exited) return Promise.reject(new Error(exited));
      const id = nextId++;
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          pending.delete(id);
          reject(new Error(`${file.pathname.split('/').pop()} did not answer ${cmd} within ${timeoutMs} ms`));
        }, timeoutMs);
        pending.set(id, {
          resolve: (v) => (clearTimeout(timer), resolve(v)),
          reject: (e) => (clearTimeout(timer), reject(e)),
        });
        proc.send({ id, cmd, args });
      });
    },
    /** Ends it: a polite request first, then a kill. */
    async stop() {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      const gone = new Promise((r) => proc.once('exit', r));
      proc.disconnect();
      await Promise.race([gone, sleep(5000)]);
      if (proc.exitCode === null && proc.signalCode === null) {
        proc.kill('SIGKILL');
        await gone;
      }
    },
  };
}

/**
 * The child's side of {@link child}: says it is ready, then answers each request with its handler's result (or error).
 * The child ends when the parent disconnects or dies, so nothing outlives a run, even a killed one.
 * @param {Record<string, (...args: any[]) => unknown>} handlers
 * @param {() => unknown} [onExit] cleanup before the process ends
 */
export function serve(handlers, onExit) {
  process.on('message', async (/** @type {any} */ m) => {
    try {
      const handler = handlers[m.cmd];
      if (!handler) throw new Error(`unknown command ${m.cmd}`);
      process.send?.({ id: m.id, ok: true, value: await handler(...m.args) });
    } catch (err) {
      process.send?.({ id: m.id, ok: false, error: String(/** @type {Error} */ (err)?.stack ?? err) });
    }
  });
  process.on('disconnect', async () => {
    const timer = setTimeout(() => process.exit(0), 3000);
    try {
      await onExit?.();
    } finally {
      clearTimeout(timer);
      process.exit(0);
    }
  });
  process.send?.({ id: 0, ok: true, value: 'ready' });
}

/** Heap in use after two full collections (the process must run with --expose-gc). */
export function heapAfterGc() {
  if (typeof globalThis.gc !== 'function') throw new Error('run with --expose-gc');
  globalThis.gc();
  globalThis.gc();
  const m = process.memoryUsage();
  return { heapUsed: m.heapUsed, external: m.external };
}
