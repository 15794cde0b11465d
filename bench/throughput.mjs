// @ts-check
/**
 * Throughput: echo round trips client -> test server -> client, the SDK against a raw `ws` client
 * that sends and parses the same envelopes, same server, same run, rounds interleaved so drift
 * hits both alike.
 */
import { WebSocket } from 'ws';
import { createTestServer } from '../test/server/server.mjs';
import { WebConnectionWebSocket } from 'webconnection-websocket';

const WINDOW = 200; // messages in flight

/** @param {string} wsUrl @param {number} count */
async function sdkRun(wsUrl, count) {
  const socket = new WebConnectionWebSocket({ url: wsUrl, WebSocket: /** @type {never} */ (WebSocket) });
  await new Promise((resolve) => {
    socket.onOpenHandler = resolve;
    socket.tryConnect();
  });
  const start = performance.now();
  await new Promise((resolve) => {
    let sent = 0;
    let got = 0;
    const sendOne = () => socket.send(socket.createBroadcastMessage('echo', `m${sent++}`));
    socket.onMessageHandler = () => {
      if (++got === count) resolve(undefined);
      else if (sent < count) sendOne();
    };
    while (sent < Math.min(WINDOW, count)) sendOne();
  });
  const ms = performance.now() - start;
  socket.close();
  return ms;
}

/** @param {string} wsUrl @param {number} count */
async function rawRun(wsUrl, count) {
  const ws = new WebSocket(wsUrl);
  await new Promise((r) => ws.once('open', r));
  const start = performance.now();
  await new Promise((resolve) => {
    let sent = 0;
    let got = 0;
    const sendOne = () => ws.send(JSON.stringify({ action: 'echo', message: `m${sent++}`, groupId: '', userId: '', recipients: [] }));
    ws.on('message', (data) => {
      const msg = JSON.parse(data.toString());
      if (typeof msg.action !== 'string') throw new Error('bad echo');
      if (++got === count) resolve(undefined);
      else if (sent < count) sendOne();
    });
    while (sent < Math.min(WINDOW, count)) sendOne();
  });
  const ms = performance.now() - start;
  ws.close();
  return ms;
}

/** @param {number} total round trips per client kind */
export async function throughputBench(total) {
  const server = await createTestServer({ static: false, rateLimit: false });
  try {
    const rounds = 4;
    const per = Math.round(total / rounds);
    await sdkRun(server.wsUrl, 2000); // warm-up
    await rawRun(server.wsUrl, 2000);
    let sdkMs = 0;
    let rawMs = 0;
    for (let i = 0; i < rounds; i++) {
      // Alternate which goes first, so neither always gets the warmer machine.
      if (i % 2) {
        rawMs += await rawRun(server.wsUrl, per);
        sdkMs += await sdkRun(server.wsUrl, per);
      } else {
        sdkMs += await sdkRun(server.wsUrl, per);
        rawMs += await rawRun(server.wsUrl, per);
      }
    }
    const sdk = (per * rounds) / (sdkMs / 1000);
    const raw = (per * rounds) / (rawMs / 1000);
    return { roundTrips: per * rounds, sdkPerSecond: Math.round(sdk), rawPerSecond: Math.round(raw), ratio: sdk / raw };
  } finally {
    await server.close();
  }
}
