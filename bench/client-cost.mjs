// @ts-check
/**
 * Cost per message, receive and send apart, as a ratio to what an app without the SDK would do.
 *
 * The SDK runs whole, its own socket adapter and reconnecting-websocket included, on an in-memory
 * WebSocket (`options.WebSocket`): no network, nothing but the SDK's code and the baseline's.
 * - receive: the socket's `message` listeners (the adapter's and reconnecting-websocket's) get a
 *   frame; decode, validation and dispatch end in `onMessageHandler`. Baseline: one listener
 *   doing `JSON.parse` and calling the same handler.
 * - send: `createBroadcastMessage` + `addRecipient` + `send` down to the socket's `send`.
 *   Baseline: `JSON.stringify` of the same envelope (the frames are checked to be identical) and
 *   the socket's `send`.
 * Beside them, for information, the SDK's core alone: a client whose `options.transport` hands
 * frames straight to it (no socket adapter, no reconnecting-websocket), against the same baseline.
 *
 * Why the figure holds still and does not flatter:
 * - the batches come from several processes, pooled (see costBench);
 * - time is CPU time of this process (user + system), not wall time: on a shared machine a
 *   slice during which another process had the core is not charged for the wait;
 * - within a batch the two sides alternate every 250 messages (which goes first alternates too),
 *   and the result is the median of per-batch ratios, so drift and a neighbour's burst hit both
 *   sides of a ratio alike, and outlying batches drop out;
 * - every variant has its own loop function with direct calls (no shared call site turning
 *   polymorphic for both, which would add the same overhead to both and pull the ratio to 1);
 * - warm-up runs every loop until optimised before anything is timed;
 * - no GC is forced between batches: a full GC before every batch made the SDK's send 2-4 times
 *   slower and the baseline's not (V8 rebuilds what the collection dropped), which would time every
 *   batch as the one after a rare major GC; collections come as they do in an app, and the median
 *   of ratios leaves out the batches one lands in;
 * - every result is used (a checksum of what each handler saw, and of the bytes sent), and the
 *   checksums must match, so the baseline cannot be optimised away or do less than the SDK.
 */
import { WebConnectionWebSocket } from 'webconnection-websocket';
import { child, median } from './lib.mjs';

/** Messages per slice: the two sides alternate every slice within a batch. */
const SLICE = 250;

/** A socket with no network under it: open on the next tick; `send` only counts. */
class MemorySocket {
  static CONNECTING = 0;
  static OPEN = 1;
  static CLOSING = 2;
  static CLOSED = 3;
  readyState = 0;
  bufferedAmount = 0;
  binaryType = 'blob';
  bytesSent = 0;
  /** @type {Record<string, ((ev: any) => void)[]>} */
  listeners = { open: [], message: [], close: [], error: [] };
  /** @param {string} url */
  constructor(url) {
    this.url = url;
    setTimeout(() => {
      this.readyState = 1;
      for (const l of this.listeners.open) l({ type: 'open' });
    });
  }
  /** @param {string} type @param {(ev: any) => void} fn */
  addEventListener(type, fn) {
    this.listeners[type]?.push(fn);
  }
  /** @param {string} type @param {(ev: any) => void} fn */
  removeEventListener(type, fn) {
    const ls = this.listeners[type];
    if (ls?.includes(fn)) ls.splice(ls.indexOf(fn), 1);
  }
  /** @param {string} data */
  send(data) {
    this.bytesSent += data.length;
  }
  close() {
    if (this.readyState === 3) return;
    this.readyState = 3;
    for (const l of this.listeners.close) l({ type: 'close', code: 1000, reason: '', wasClean: true });
  }
}

/** Frames as the server sends them: the full envelope, chat-sized, a few senders. */
const FRAMES = Array.from({ length: 64 }, (_, i) =>
  JSON.stringify({ action: 'broadcastchatmessage', message: `message ${i}: hello from the benchmark, a chat-sized line`, groupId: 'room-1', userId: `user-${i % 7}`, recipients: [] }),
);
const TEXTS = FRAMES.map((_, i) => `message ${i}: hello from the benchmark, a chat-sized line`);

/** @typedef {Record<'receiveSdk' | 'receiveBare' | 'receiveCore' | 'receiveBare2' | 'sendSdk' | 'sendBare' | 'sendCore' | 'sendBare2', number[]>} Batches CPU ns per message of each batch */

/**
 * The measurement: `processes` fresh processes one after the other, `batches / processes` batches
 * each, all batches pooled. A process's JIT settles on its own optimised code (what it inlines, when
 * it tiers up), and that shifts every batch of that process alike; pooling several processes keeps
 * one such draw from moving the result.
 * @param {{ batches: number, perBatch: number, processes: number }} options
 */
export async function costBench({ batches, perBatch, processes }) {
  /** @type {Batches} */
  const all = { receiveSdk: [], receiveBare: [], receiveCore: [], receiveBare2: [], sendSdk: [], sendBare: [], sendCore: [], sendBare2: [] };
  for (let p = 0; p < processes; p++) {
    const proc = child(new URL('./step.mjs', import.meta.url));
    try {
      await proc.ready;
      /** @type {Batches} */
      const some = await proc.request('run', ['client-cost.mjs', 'costBatches', { batches: Math.ceil(batches / processes), perBatch }], 120_000);
      for (const k of /** @type {(keyof Batches)[]} */ (Object.keys(all))) all[k].push(...some[k]);
    } finally {
      await proc.stop();
    }
  }
  /** @param {number[]} sdk @param {number[]} bare */
  const summary = (sdk, bare) => {
    const ratios = sdk.map((s, i) => s / bare[i]);
    const sorted = [...ratios].sort((a, b) => a - b);
    return {
      sdkNs: median(sdk),
      bareNs: median(bare),
      ratio: median(ratios),
      // The middle half of the per-batch ratios: how much one batch can say.
      iqr: [sorted[Math.floor(sorted.length / 4)], sorted[Math.floor((3 * sorted.length) / 4)]],
    };
  };
  return {
    batches: all.receiveSdk.length,
    perBatch,
    processes,
    receive: summary(all.receiveSdk, all.receiveBare),
    send: summary(all.sendSdk, all.sendBare),
    core: { receive: summary(all.receiveCore, all.receiveBare2), send: summary(all.sendCore, all.sendBare2) },
  };
}

/**
 * The batches of one process.
 * @param {{ batches: number, perBatch: number, warmUpMs?: number }} options
 * @returns {Promise<Batches>}
 */
export async function costBatches({ batches, perBatch, warmUpMs = 1000 }) {
  /** @type {MemorySocket | undefined} */
  let sdkSocket;
  const client = new WebConnectionWebSocket({
    url: 'ws://127.0.0.1/',
    WebSocket: /** @type {never} */ (
      function (/** @type {string} */ url) {
        return (sdkSocket = new MemorySocket(url));
      }
    ),
  });
  let sdkSeen = 0;
  client.onMessageHandler = (msg) => void (sdkSeen += msg.message.length + msg.userId.length);
  await new Promise((resolve, reject) => {
    client.onOpenHandler = resolve;
    client.onErrorHandler = reject;
    client.tryConnect();
  });
  client.onOpenHandler = null;
  if (!sdkSocket || client.state !== 'open') throw new Error(`the in-memory socket did not open (${client.state})`);
  const sdkListeners = sdkSocket.listeners.message;
  const sdkOut = sdkSocket;

  // The baseline: what an app writes without the SDK, on the same kind of socket.
  const bareSocket = new MemorySocket('ws://127.0.0.1/');
  let bareSeen = 0;
  const bareHandler = (/** @type {any} */ msg) => void (bareSeen += msg.message.length + msg.userId.length);
  bareSocket.addEventListener('message', (ev) => bareHandler(JSON.parse(ev.data)));
  const bareListeners = bareSocket.listeners.message;
  const events = FRAMES.map((data) => ({ type: 'message', data }));

  // The core alone: a transport that is open at once and hands frames straight in.
  /** @type {((data: string) => void) | undefined} */
  let coreMessage;
  let coreBytes = 0;
  const core = new WebConnectionWebSocket({
    url: 'ws://127.0.0.1/',
    WebSocket: /** @type {never} */ (MemorySocket), // required on Node 20, never used with a transport
    transport: (_config, e) => {
      // The events are one object's methods: called on it, as a transport does.
      coreMessage = (data) => e.message(data);
      setTimeout(() => e.open());
      return { isOpen: true, send: (d) => ((coreBytes += /** @type {string} */ (d).length), true), reconnect() {}, close() {} };
    },
  });
  let coreSeen = 0;
  core.onMessageHandler = (msg) => void (coreSeen += msg.message.length + msg.userId.length);
  await new Promise((resolve) => {
    core.onOpenHandler = resolve;
    core.tryConnect();
  });
  const coreReceive = /** @type {(data: string) => void} */ (coreMessage);

  // One loop function per variant: see the header.
  const receiveSdk = (/** @type {number} */ n) => {
    for (let i = 0; i < n; i++) {
      const ev = events[i & 63];
      for (let j = 0; j < sdkListeners.length; j++) sdkListeners[j](ev);
    }
  };
  const receiveBare = (/** @type {number} */ n) => {
    for (let i = 0; i < n; i++) {
      const ev = events[i & 63];
      for (let j = 0; j < bareListeners.length; j++) bareListeners[j](ev);
    }
  };
  const sendSdk = (/** @type {number} */ n) => {
    for (let i = 0; i < n; i++) client.send(client.createBroadcastMessage('broadcastchatmessage', TEXTS[i & 63]).addRecipient('room-1', 'group'));
  };
  const receiveCore = (/** @type {number} */ n) => {
    for (let i = 0; i < n; i++) coreReceive(FRAMES[i & 63]);
  };
  const sendCore = (/** @type {number} */ n) => {
    for (let i = 0; i < n; i++) core.send(core.createBroadcastMessage('broadcastchatmessage', TEXTS[i & 63]).addRecipient('room-1', 'group'));
  };
  const sendBare = (/** @type {number} */ n) => {
    for (let i = 0; i < n; i++) {
      bareSocket.send(JSON.stringify({ action: 'broadcastchatmessage', message: TEXTS[i & 63], groupId: '', userId: '', recipients: [{ type: 'group', value: 'room-1' }] }));
    }
  };

  // Equivalent work: the same frame goes out, the handlers see the same messages.
  const probe = new MemorySocket('');
  let frame = '';
  probe.send = (d) => void (frame = d);
  const real = sdkOut.send;
  sdkOut.send = probe.send;
  sendSdk(1);
  const sdkFrame = frame;
  sdkOut.send = real;
  const bareSend = bareSocket.send;
  bareSocket.send = probe.send;
  sendBare(1);
  bareSocket.send = bareSend;
  if (sdkFrame !== frame) throw new Error(`the SDK and the baseline send different frames:\n${sdkFrame}\n${frame}`);
  sdkSeen = bareSeen = coreSeen = 0;
  receiveSdk(64);
  receiveBare(64);
  receiveCore(64);
  if (sdkSeen !== bareSeen || coreSeen !== bareSeen || !sdkSeen) throw new Error(`the handlers saw different messages (${sdkSeen}, ${coreSeen} vs ${bareSeen})`);

  /**
   * One batch of each side, in slices that alternate (which side goes first alternates too), so
   * both meet the same conditions at a grain of a fraction of a millisecond.
   * @param {(n: number) => void} a @param {(n: number) => void} b
   * @returns {[number, number]} CPU ns per message of each
   */
  const pair = (a, b) => {
    let ta = 0;
    let tb = 0;
    for (let done = 0, k = 0; done < perBatch; done += SLICE, k++) {
      const n = Math.min(SLICE, perBatch - done);
      for (const first of k % 2 ? [false, true] : [true, false]) {
        const cpu = process.cpuUsage();
        (first ? a : b)(n);
        const used = process.cpuUsage(cpu);
        if (first) ta += used.user + used.system;
        else tb += used.user + used.system;
      }
    }
    return [(ta * 1000) / perBatch, (tb * 1000) / perBatch];
  };
  const variants = [receiveSdk, receiveBare, sendSdk, sendBare, receiveCore, sendCore];
  for (const end = Date.now() + warmUpMs; Date.now() < end; ) for (const v of variants) v(SLICE);

  /** @type {Batches} */
  const ns = { receiveSdk: [], receiveBare: [], receiveCore: [], receiveBare2: [], sendSdk: [], sendBare: [], sendCore: [], sendBare2: [] };
  const before = { sdk: sdkOut.bytesSent, bare: bareSocket.bytesSent, core: coreBytes };
  sdkSeen = bareSeen = coreSeen = 0;
  /** @param {[number, number]} r @param {number[]} a @param {number[]} b */
  const record = (r, a, b) => (a.push(r[0]), b.push(r[1]));
  for (let i = 0; i < batches; i++) {
    record(pair(receiveSdk, receiveBare), ns.receiveSdk, ns.receiveBare);
    record(pair(sendSdk, sendBare), ns.sendSdk, ns.sendBare);
    record(pair(receiveCore, receiveBare), ns.receiveCore, ns.receiveBare2);
    record(pair(sendCore, sendBare), ns.sendCore, ns.sendBare2);
  }
  bareSeen /= 2; // the baseline ran twice: once beside the SDK, once beside the core
  if (sdkSeen !== bareSeen || coreSeen !== bareSeen) throw new Error(`the handlers saw different messages (${sdkSeen}, ${coreSeen} vs ${bareSeen})`);
  const sent = { sdk: sdkOut.bytesSent - before.sdk, bare: (bareSocket.bytesSent - before.bare) / 2, core: coreBytes - before.core };
  if (sent.sdk !== sent.bare || sent.core !== sent.bare) throw new Error(`the SDK and the baseline sent different bytes (${sent.sdk}, ${sent.core} vs ${sent.bare})`);
  client.close();
  core.close();

  return ns;
}
