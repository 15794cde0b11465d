import { describe, expect, it, vi } from 'vitest';
import type { WebConnectionOptions } from '../../src/index';
import { advanceUntil, useFakeClock } from '../helpers/fake-clock';
import { useMockClients } from '../helpers/mock-client';

/**
 * Connection state as a user sees it: onStateChange, closeReason, what close() and reconnect() do,
 * and maxRetries. Mock sockets on the fake clock, so "no further attempt" is checked over a long
 * stretch of time without waiting for it.
 */
useFakeClock();
const mock = useMockClients();
const setup = (options: WebConnectionOptions = {}) => mock.make(options);

/** A client connected to a listening mock server, its link open. */
async function openClient() {
  const t = setup();
  t.listen();
  t.socket.tryConnect();
  await advanceUntil(() => t.socket.state === 'open', 'open');
  return t;
}

describe('state, close() and reconnect()', () => {
  it('onStateChange reports each step with the previous state; idle before tryConnect', async () => {
    const t = setup();
    t.listen();
    expect(t.socket.state).toBe('idle');
    expect(t.socket.closeReason).toBeUndefined();
    t.socket.tryConnect();
    expect(t.socket.state).toBe('connecting');
    await advanceUntil(() => t.socket.state === 'open', 'open');
    t.connections[0]!.close({ code: 1001, reason: 'going away', wasClean: true });
    await advanceUntil(() => t.connections.length === 2 && t.socket.state === 'open', 'the second link');
    t.socket.close();
    expect(t.seen.changes.map(({ state, previous }) => `${previous}->${state}`)).toEqual([
      'idle->connecting',
      'connecting->open',
      'open->reconnecting', // with attempt and retryAt
      'reconnecting->open',
      'open->closed',
    ]);
    expect(t.seen.changes.at(-1)).toMatchObject({ code: 'client-closed', reason: 'closed by the client' });
    expect(t.socket.closeReason).toEqual({ code: 'client-closed', reason: 'closed by the client' });
  });

  it('while reconnecting: attempt counts failures and retryAt says when the next one starts (the injected retryDelay)', async () => {
    const delays: number[] = [];
    const t = setup({ reconnect: { retryDelay: (attempt) => (delays.push(attempt), attempt * 100) } });
    t.socket.tryConnect(); // nobody listens: every attempt fails
    await advanceUntil(() => delays.length === 3, 'three retries');
    const retries = t.seen.changes.filter((c) => c.attempt !== undefined);
    expect(retries.map((c) => c.attempt)).toEqual([1, 2, 3]);
    for (const c of retries) expect(c.state).toBe('reconnecting');
    // retryAt is absolute: consecutive ones are at least the delay apart.
    expect(retries[1]!.retryAt! - retries[0]!.retryAt!).toBeGreaterThanOrEqual(200);
    expect(retries[2]!.retryAt! - retries[1]!.retryAt!).toBeGreaterThanOrEqual(300);
    expect(delays).toEqual([1, 2, 3]);
  });

  it('failed attempts go to onErrorHandler as ConnectError, never to onCloseHandler', async () => {
    const t = setup();
    t.socket.tryConnect();
    await advanceUntil(() => t.seen.errors.length >= 3, 'three failures');
    expect(t.seen.closes).toEqual([]);
    expect(t.seen.opens).toBe(0);
    for (const e of t.seen.errors) {
      expect(e.name).toBe('ConnectError');
      expect(e.code).toBe('connect-failed');
    }
  });

  it('close() while reconnecting stops every further attempt, however long one waits', async () => {
    const t = setup();
    t.socket.tryConnect();
    await advanceUntil(() => t.attempts() >= 3, 'three attempts');
    t.socket.close();
    const attempts = t.attempts();
    t.listen(); // a server now would be found by any further attempt
    await vi.advanceTimersByTimeAsync(60_000);
    expect(t.attempts()).toBe(attempts);
    expect(t.connections).toHaveLength(0);
    expect(t.socket.state).toBe('closed');
  });

  it('close() of an open link: onCloseHandler once, no reconnect', async () => {
    const t = await openClient();
    t.socket.close(1000, 'bye');
    await advanceUntil(() => t.seen.closes.length === 1, 'the close');
    await vi.advanceTimersByTimeAsync(60_000);
    expect(t.seen.closes).toHaveLength(1);
    expect(t.attempts()).toBe(1);
    expect(t.socket.state).toBe('closed');
  });

  it('reconnect() on an open link: the old link closes (reported), a new one opens, onOpenHandler runs again', async () => {
    const t = await openClient();
    t.socket.reconnect();
    await advanceUntil(() => t.connections.length === 2 && t.socket.state === 'open', 'the new link');
    expect(t.seen.opens).toBe(2);
    expect(t.seen.closes).toHaveLength(1);
    expect(t.seen.closes[0]).toMatchObject({ type: 'close', opened: true });
  });

  it('reconnect() during a long backoff starts the next attempt at once', async () => {
    const t = setup({ reconnect: { retryDelay: () => 60_000 } });
    t.socket.tryConnect();
    await advanceUntil(() => t.seen.errors.length === 1 && t.states().at(-1) === 'reconnecting', 'the first failure');
    t.listen();
    t.socket.reconnect();
    await advanceUntil(() => t.socket.state === 'open', 'open', 1000);
  });

  it('maxRetries: that many failed retries, then closed with the reason; reconnect() starts again', async () => {
    const t = setup({ reconnect: { maxRetries: 2, retryDelay: () => 10 } });
    t.socket.tryConnect();
    await advanceUntil(() => t.socket.state === 'closed', 'giving up');
    expect(t.attempts()).toBe(3); // the first attempt and 2 retries
    expect(t.socket.closeReason).toEqual({ code: 'retries-exhausted', reason: 'gave up after 3 failed attempts (maxRetries 2)' });
    expect(t.seen.changes.at(-1)).toMatchObject({ state: 'closed', previous: 'reconnecting', ...t.socket.closeReason });
    await vi.advanceTimersByTimeAsync(60_000);
    expect(t.attempts()).toBe(3);
    t.listen();
    t.socket.reconnect();
    expect(t.socket.state).toBe('connecting');
    await advanceUntil(() => t.socket.state === 'open', 'open after reconnect()');
    // The count starts afresh: a later outage gets its full maxRetries again.
    t.stopServer();
    await advanceUntil(() => t.socket.state === 'closed', 'giving up again');
    expect(t.socket.closeReason?.code).toBe('retries-exhausted');
  });

  it('tryConnect() after close() connects again', async () => {
    const t = await openClient();
    t.socket.close();
    t.socket.tryConnect();
    await advanceUntil(() => t.socket.state === 'open' && t.connections.length === 2, 'open again');
  });
});
