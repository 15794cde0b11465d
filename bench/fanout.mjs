// @ts-check
/**
 * Fan-out: one HTTP broadcast to N connected SDK clients; delivery latency percentiles, and the
 * server's memory per idle connection: heap + external after GC, the server alone in a child
 * process run with --expose-gc, before and after the clients connected, divided by their number.
 */
import { fork } from 'node:child_process';
import { WebSocket } from 'ws';
import { WebConnectionWebSocket } from 'webconnection-websocket';

/** @param {number} clients @param {number} broadcasts */
export async function fanoutBench(clients, broadcasts = 5) {
  const child = fork(new URL('./fanout-server.mjs', import.meta.url), { execArgv: ['--expose-gc'], stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  /** Sends `msg` (if any) to the server process and waits for its next answer, at most 20 s. @returns {Promise<any>} */
  const ask = (/** @type {string | undefined} */ msg) =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => done(new Error(`fan-out server did not answer ${msg ?? 'ready'} in 20 s`)), 20_000);
      const exited = (/** @type {number | null} */ code) => done(new Error(`fan-out server exited (${code})`));
      /** @param {Error | undefined} err @param {unknown} [value] */
      const done = (err, value) => {
        clearTimeout(timer);
        child.off('message', answered).off('exit', exited);
        if (err) reject(err);
        else resolve(value);
      };
      const answered = (/** @type {unknown} */ value) => done(undefined, value);
      child.on('message', answered).on('exit', exited);
      if (msg) child.send(msg);
    });
  /** @type {WebConnectionWebSocket[]} */
  const sockets = [];
  try {
    const { url, wsUrl } = await ask(undefined);
    const before = (await ask('memory')).memory;
    /** @type {number[]} */
    const latencies = [];
    for (let i = 0; i < clients; i++) {
      const s = new WebConnectionWebSocket({ url: wsUrl, WebSocket: /** @type {never} */ (WebSocket) });
      s.onMessageHandler = (m) => latencies.push(performance.timeOrigin + performance.now() - Number(m.message));
      s.tryConnect(true, 'fan', `u${i}`);
      sockets.push(s);
    }
    const deadline = Date.now() + 60_000;
    while (sockets.some((s) => s.state !== 'open')) {
      if (Date.now() > deadline) throw new Error('fan-out clients did not all connect');
      await new Promise((r) => setTimeout(r, 20));
    }
    await new Promise((r) => setTimeout(r, 500)); // let the handshakes settle: idle connections
    const after = await ask('memory');
    /** @type {number[]} */
    const all = [];
    for (let b = 0; b < broadcasts; b++) {
      latencies.length = 0;
      const body = JSON.stringify({ action: 'fan', message: String(performance.timeOrigin + performance.now()), recipients: [{ type: 'group', value: 'fan' }] });
      const res = await fetch(new URL('__broadcastWebSocket.wc', url), { method: 'POST', body });
      const { delivered } = /** @type {{delivered: number}} */ (await res.json());
      if (delivered !== clients) throw new Error(`delivered to ${delivered} of ${clients}`);
      while (latencies.length < clients) {
        if (Date.now() > deadline) throw new Error('broadcast not delivered to all');
        await new Promise((r) => setTimeout(r, 5));
      }
      all.push(...latencies);
    }
    sockets.forEach((s) => s.close());
    await new Promise((resolve) => {
      child.once('exit', resolve);
      child.send('close');
    });
    all.sort((a, b) => a - b);
    /** @param {number} p */
    const pct = (p) => all[Math.min(all.length - 1, Math.floor((p / 100) * all.length))] ?? NaN;
    return { clients, broadcasts, p50Ms: pct(50), p99Ms: pct(99), bytesPerIdleConnection: Math.round((after.memory - before) / after.connections), gcExposed: after.gc };
  } finally {
    sockets.forEach((s) => s.state !== 'closed' && s.close());
    if (child.exitCode === null && child.signalCode === null) child.kill();
  }
}
