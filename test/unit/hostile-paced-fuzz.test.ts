/**
 * Hostile review 3: the send pump (flushRate pacing, acknowledgements, retryable rejects, the unsent
 * tail) under random sends, drops, late hellos and a socket that holds frames, 12 seeds per setting
 * (replayable). Every message not dropped must reach the server once, in order, and the queue empty.
 */
import { describe, expect, it, vi } from 'vitest';
import { WebConnectionWebSocket, type Envelope, type Sendable, type TransportEvents, type TransportFactory, type WebConnectionError } from '../../src/index';
import { useFakeClock } from '../helpers/fake-clock';

const cleanups = useFakeClock();

/** A tiny PRNG so a failing seed can be replayed. */
function rng(seed: number) {
  return () => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed / 0x7fffffff;
  };
}

/** A scripted resume server on a transport the fuzzer drives; replies come later (latency). */
function world(rand: () => number, greets = true) {
  let events!: TransportEvents;
  let open = false;
  let link = 0;
  const srv = { received: 0, awaiting: 0, processed: [] as string[], rejectP: 0, known: false };
  const later = (fn: () => void) => {
    const mine = link;
    setTimeout(() => open && mine === link && fn(), Math.floor(rand() * 30));
  };
  const say = (frame: object) => events.message(JSON.stringify({ action: '', message: '', groupId: '', userId: '', recipients: [], ...frame }));
  const onFrame = (data: string) => {
    const m = JSON.parse(data) as Envelope & { wcSeq?: number; wcAck?: number };
    if (m.action === 'wc:ack') return;
    if (m.wcSeq === undefined) return void srv.processed.push(m.message);
    const seq = m.wcSeq;
    if (seq === srv.received + 1) {
      if (rand() < srv.rejectP) {
        if (srv.awaiting !== seq) {
          srv.awaiting = seq;
          later(() => say({ action: 'wc:reject', message: 'rate', wcRejected: seq, wcRetry: true }));
        }
        return;
      }
      srv.received = seq;
      srv.processed.push(m.message);
      later(() => say({ action: 'wc:ack', wcAck: srv.received }));
    } else if (seq > srv.received && srv.awaiting !== srv.received + 1) {
      srv.awaiting = srv.received + 1;
      const a = srv.awaiting;
      later(() => say({ action: 'wc:reject', message: 'order', wcRejected: a, wcRetry: true }));
    } else if (seq <= srv.received) later(() => say({ action: 'wc:ack', wcAck: srv.received }));
  };
  /** Frames the socket still holds (not yet on the network), and a flush that lets some go. */
  let held: string[] = [];
  const buffered = () => held.reduce((n, f) => n + f.length, 0);
  const flush = () => {
    const n = Math.ceil(rand() * held.length);
    const go = held.splice(0, n);
    go.forEach(onFrame);
  };
  setInterval(() => open && held.length && flush(), 7);
  const factory: TransportFactory = (_config, e) => {
    events = e;
    return {
      get isOpen() {
        return open;
      },
      get bufferedAmount() {
        return open ? buffered() : 0;
      },
      send: (d: Sendable) => {
        if (!open) return false;
        // Sometimes at once (bufferedAmount back to 0), sometimes held.
        if (!held.length && rand() < 0.5) onFrame(d as string);
        else held.push(d as string);
        return true;
      },
      reconnect() {},
      drop: () => {},
      close() {
        open = false;
      },
    };
  };
  return {
    srv,
    factory,
    isOpen: () => open,
    open: () => {
      open = true;
      link++;
      events.open();
      const mine = link;
      // The hello, a moment after the open (resumed after the first link).
      setTimeout(() => {
        if (!open || mine !== link || !greets) return;
        say({ action: 'wc:hello', wcResumed: srv.known, wcAck: srv.received });
        srv.known = true;
        srv.awaiting = 0;
      }, Math.floor(rand() * 20));
    },
    drop: () => {
      // Some of what the socket held left before the cut; the rest never did.
      if (held.length && rand() < 0.5) flush();
      const unsent = buffered();
      held = [];
      open = false;
      events.retry(1, 10);
      events.close({ code: 1006, reason: 'cut', wasClean: false, opened: true, unsent });
    },
  };
}

describe('hostile: paced pump under random acks, rejects, drops and sends (fake clock)', () => {
  for (const [flushRate, resume] of [[1, true], [10, true], [80, true], [Infinity, true], [10, false], [Infinity, false]] as const) {
    it(`flushRate ${flushRate}, resume ${resume}: every message arrives once, in order, and the queue empties`, async () => {
      for (let seed = 1; seed <= 12; seed++) {
        const rand = rng(seed * 7919 + flushRate);
        const w = world(rand, resume);
        const socket = new WebConnectionWebSocket({ url: 'ws://x.test/', transport: w.factory, flushRate, queueLimit: 200, resume });
        const errors: WebConnectionError[] = [];
        socket.onErrorHandler = (e) => void errors.push(e);
        cleanups.push(() => socket.close());
        socket.tryConnect();
        const sent: string[] = [];
        let k = 0;
        const send = () => {
          const text = `m${k++}`;
          const r = socket.send(socket.createBroadcastMessage('n', text));
          if (r !== 'dropped') sent.push(text);
        };
        for (let i = 0; i < 10; i++) send();
        w.open();
        for (let step = 0; step < 300; step++) {
          const x = rand();
          w.srv.rejectP = step < 200 ? 0.1 : 0;
          if (x < 0.5 && step < 200) for (let i = Math.floor(rand() * 5); i >= 0; i--) send();
          else if (x < 0.53 && step < 200 && w.isOpen()) w.drop();
          if (!w.isOpen() && rand() < 0.3) w.open();
          await vi.advanceTimersByTimeAsync(Math.floor(rand() * 40));
        }
        if (!w.isOpen()) w.open();
        const limit = flushRate === 1 ? 400_000 : 60_000;
        for (let t = 0; t < limit && w.srv.processed.length < sent.length; t += 100) await vi.advanceTimersByTimeAsync(100);
        const why = `seed ${seed}: errors ${errors.map((e) => e.message).join(' | ')}`;
        expect(errors.filter((e) => e.code !== 'server-rejected' && e.code !== 'queue-full' && !/rate|order/.test(e.message)), why).toEqual([]);
        expect(w.srv.processed, why).toEqual(sent);
        socket.close();
      }
    }, 120_000);
  }
});
