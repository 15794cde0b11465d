// @ts-check
/**
 * The slow-reader scenarios of issue 10, shared by the fault test (which asserts the bound) and
 * the benchmark (which reports the figures): a client that never reads while it makes the server
 * write to it. Both run against a server in its own process, so its memory is its own, and both
 * are bounded in frames sent.
 */
import { OPCODE, clientFrame, openRawWebSocket } from './raw-ws.mjs';

/** @typedef {import('./forked-server.mjs').ForkedServer} ForkedServer */

/** @typedef {Awaited<ReturnType<ForkedServer['stats']>>} Stats */

/**
 * Sends `frames` frames in batches, never reading, until they are all sent, the server cuts the
 * link, or `stop()` says so; waits until the server has dealt with what was sent (`done`, by
 * default every frame received); then measures the server again.
 * @param {ForkedServer} server
 * @param {{ frames: number, frame: Buffer, batch?: number, stop?: () => Promise<boolean>, done?: (stats: Stats, sent: number) => boolean }} plan
 */
async function neverRead(server, { frames, frame, batch = 50, stop = async () => false, done = (stats, sent) => stats.framesReceived >= sent }) {
  const before = await server.memory();
  const client = await openRawWebSocket(server.port);
  let sent = 0;
  let cut = false;
  try {
    while (sent < frames && !cut) {
      const n = Math.min(batch, frames - sent);
      cut = !(await client.write(Buffer.concat(Array.from({ length: n }, () => frame))));
      if (!cut) sent += n;
      if (await stop()) break;
    }
    const deadline = Date.now() + 30_000;
    while (!cut && !done(await server.stats(), sent)) {
      if (Date.now() > deadline) throw new Error(`the server did not take in the ${sent} frames sent within 30 s`);
      await new Promise((r) => setTimeout(r, 20));
    }
    const after = await server.memory();
    return { sent, cut, before, after, client };
  } catch (err) {
    client.close();
    throw err;
  }
}

/**
 * Issue 10's first case: 60 KB binary frames (echoed back) from a client that never reads.
 * Stops as soon as the server has closed it as a slow reader, or after `frames`.
 * @param {ForkedServer} server
 * @param {{ frames?: number }} [options]
 */
export function binaryEchoNeverRead(server, { frames = 2000 } = {}) {
  return neverRead(server, {
    frames,
    frame: clientFrame(OPCODE.binary, Buffer.alloc(60 * 1024, 7)),
    batch: 20,
    stop: async () => (await server.stats()).slowReaders > 0,
    done: (stats, sent) => stats.slowReaders > 0 || stats.framesReceived >= sent,
  });
}

/**
 * Issue 10's second case: small frames far past the rate limit, whose replies are never read.
 * @param {ForkedServer} server
 * @param {{ frames?: number }} [options]
 */
export function floodNeverRead(server, { frames = 200_000 } = {}) {
  return neverRead(server, { frames, frame: clientFrame(OPCODE.text, '{"action":"echo","message":"x"}'), batch: 5000 });
}
