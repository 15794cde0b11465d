// @ts-check
/**
 * Starts the test server in a child process (server-child.mjs) and talks to it over IPC.
 * Used by the fault tests (is it still alive? what does it weigh?) and the benchmarks.
 */
import { fork } from 'node:child_process';

const CHILD = new URL('./server-child.mjs', import.meta.url);

/**
 * @param {import('../server/index.mjs').TestServerOptions} [options] JSON-serializable options only
 * @param {{ timeoutMs?: number }} [limits] how long one question may take
 */
export async function forkTestServer(options = {}, { timeoutMs = 20_000 } = {}) {
  const child = fork(CHILD, [JSON.stringify(options)], { execArgv: ['--expose-gc'], stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
  let stderr = '';
  child.stderr?.on('data', (d) => (stderr = (stderr + d).slice(-4000)));
  /** @type {Promise<{ code: number | null, signal: string | null }>} */
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  let nextId = 1;

  /**
   * @param {string | undefined} ask undefined: wait for the ready message
   * @returns {Promise<any>}
   */
  const question = (ask) =>
    new Promise((resolve, reject) => {
      const id = ask === undefined ? 0 : nextId++;
      const timer = setTimeout(() => done(new Error(`the server process did not answer ${ask ?? 'ready'} within ${timeoutMs} ms`)), timeoutMs);
      /** @param {Error | undefined} err @param {unknown} [value] */
      const done = (err, value) => {
        clearTimeout(timer);
        child.off('message', answered);
        if (err) reject(err);
        else resolve(value);
      };
      const answered = (/** @type {any} */ msg) => msg?.id === id && done(undefined, msg);
      child.on('message', answered);
      exited.then(({ code, signal }) => done(new Error(`the server process exited (${code ?? signal}) before it answered ${ask ?? 'ready'}:\n${stderr}`)));
      if (ask !== undefined) child.send({ id, ask });
    });

  const ready = /** @type {{ url: string, wsUrl: string, port: number }} */ (await question(undefined));
  return {
    ...ready,
    child,
    exited,
    /** What the process wrote to stderr lately: the stack of a crash. */
    stderr: () => stderr,
    alive: () => child.exitCode === null && child.signalCode === null,
    /** @returns {Promise<{ heapAndExternal: number, rss: number, gc: boolean, connections: number }>} */
    memory: () => question('memory'),
    /** @returns {Promise<{ upgrades: number, rejected: number, framesReceived: number, slowReaders: number, framesDropped: number, connections: number }>} */
    stats: () => question('stats'),
    /** Closes the server and waits for the process to end; kills it when it does not answer. */
    async close() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      await question('close').catch(() => child.kill('SIGKILL'));
      await exited;
    },
  };
}

/** @typedef {Awaited<ReturnType<typeof forkTestServer>>} ForkedServer */
