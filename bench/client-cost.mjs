// @ts-check
/**
 * Client cost per message: encode + decode + dispatch inside the SDK (driven through an in-memory
 * transport, no network): `createBroadcastMessage` + `addRecipient` + `send` (validate + encode) and
 * the frame fed back in (decode + validate + dispatch to `onMessageHandler`), against bare
 * `JSON.stringify` + `JSON.parse` + a handler call on the same envelope. Warm-up, then alternating
 * timed runs; the median of each.
 */
import { WebConnectionWebSocket } from 'webconnection-websocket';

/** @param {number} iterations per timed run @param {number} [runs] timed runs of each, alternating */
export async function clientCostBench(iterations, runs = 7) {
  /** @type {import('webconnection-websocket').TransportEvents | undefined} */
  let events;
  let lastFrame = '';
  /** @type {import('webconnection-websocket').TransportFactory} */
  const memory = (_config, e) => {
    events = e;
    queueMicrotask(() => e.open());
    return { isOpen: true, send: (d) => ((lastFrame = /** @type {string} */ (d)), true), reconnect() {}, close() {} };
  };
  const socket = new WebConnectionWebSocket({ url: 'ws://127.0.0.1/', transport: memory, WebSocket: /** @type {never} */ (function () {}) });
  await new Promise((resolve) => {
    socket.onOpenHandler = resolve;
    socket.tryConnect();
  });
  if (socket.state !== 'open') throw new Error(`the in-memory transport did not open (${socket.state})`);
  let handled = 0;
  socket.onMessageHandler = () => handled++;
  const text = 'hello from the benchmark, a chat-sized message';

  const sdkOnce = () => {
    const msg = socket.createBroadcastMessage('broadcastchatmessage', text);
    msg.addRecipient('room-1', 'group');
    socket.send(msg);
    events?.message(lastFrame);
  };
  let bareHandled = 0;
  const bareHandler = () => bareHandled++;
  const bareOnce = () => {
    const frame = JSON.stringify({ action: 'broadcastchatmessage', message: text, groupId: '', userId: '', recipients: [{ type: 'group', value: 'room-1' }] });
    const msg = JSON.parse(frame);
    if (typeof msg.action === 'string') bareHandler();
  };
  /** @param {() => void} fn */
  const time = (fn) => {
    const start = process.hrtime.bigint();
    for (let i = 0; i < iterations; i++) fn();
    return Number(process.hrtime.bigint() - start) / iterations;
  };
  for (let i = 0; i < 3; i++) (time(sdkOnce), time(bareOnce)); // warm-up
  /** @type {number[]} */ const sdk = [];
  /** @type {number[]} */ const bare = [];
  for (let i = 0; i < runs; i++) {
    if (i % 2) {
      bare.push(time(bareOnce));
      sdk.push(time(sdkOnce));
    } else {
      sdk.push(time(sdkOnce));
      bare.push(time(bareOnce));
    }
  }
  /** @param {number[]} xs */
  const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
  if (handled === 0 || bareHandled === 0) throw new Error('nothing was dispatched');
  socket.close();
  return { iterations, runs, sdkNs: median(sdk), bareNs: median(bare), ratio: median(sdk) / median(bare) };
}
