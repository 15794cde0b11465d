import { describe, expect, it } from 'vitest';
import { ResumeSession } from '../../src/resume';

/** The client's bookkeeping for the resume extension, without sockets or timers. */
describe('ResumeSession', () => {
  const envelope = (action: string) => JSON.stringify({ action, message: '', groupId: '', userId: '', recipients: [] });

  it('names itself and what it received in the upgrade URL, keeping what is there', () => {
    const r = new ResumeSession();
    expect(r.id).toMatch(/^[\w-]{8,64}$/);
    for (let n = 1; n <= 7; n++) r.receive(n);
    expect(r.url('ws://h/__initializeSocket.wc?groupId=g')).toBe(`ws://h/__initializeSocket.wc?groupId=g&wcSession=${r.id}&wcAck=7`);
    expect(new ResumeSession().id).not.toBe(r.id);
  });

  it('numbers envelopes in order and keeps them until acknowledged (cumulatively)', () => {
    const r = new ResumeSession();
    const a = r.number(envelope('a'), 'A');
    const b = r.number(envelope('b'), 'B');
    expect(JSON.parse(a)).toMatchObject({ action: 'a', wcSeq: 1 });
    expect(JSON.parse(b)).toMatchObject({ action: 'b', wcSeq: 2 });
    expect(r.pending).toBe(2);
    expect(r.acknowledge(1)).toEqual(['A']);
    expect(r.acknowledge(1)).toEqual([]);
    expect(r.acknowledge(9)).toEqual(['B']);
    expect(r.pending).toBe(0);
  });

  it('a hello that resumes: what the server has is acknowledged, the rest is resent in order', () => {
    const r = new ResumeSession();
    for (const x of ['a', 'b', 'c']) r.number(envelope(x), x);
    expect(r.hello(true, 1)).toEqual({ acked: ['a'], gap: undefined, unconfirmed: [], resent: 2 });
    expect(r.known && r.active).toBe(true);
    expect(r.resending).toBe(true);
    expect([r.nextResend(), r.nextResend(), r.nextResend()].map((f) => f && JSON.parse(f).wcSeq)).toEqual([2, 3, undefined]);
    expect(r.resending).toBe(false);
  });

  it('a hello that does not resume after an exchange is a gap: the unacknowledged are handed back, not resent; numbering restarts', () => {
    const r = new ResumeSession();
    r.receive(1);
    r.number(envelope('a'), 'A');
    expect(r.hello(false, 0)).toEqual({ acked: [], gap: expect.stringMatching(/lost this session/), unconfirmed: ['A'], resent: 0 });
    expect(r.lastIn).toBe(0);
    expect(JSON.parse(r.number(envelope('b'), 'B')).wcSeq).toBe(1);
    expect(r.receive(1)).toBe('next');
  });

  it('the first hello of a new session is no gap', () => {
    expect(new ResumeSession().hello(false, 0)).toMatchObject({ gap: undefined, unconfirmed: [] });
  });

  it('a hello that counts more than was sent, or less than it acknowledged, is a gap: the kept are handed back; numbering goes on after its count', () => {
    const r = new ResumeSession();
    r.hello(false, 0);
    for (const x of ['a', 'b']) r.number(envelope(x), x);
    expect(r.hello(true, 99)).toEqual({ acked: [], gap: expect.stringMatching(/processed message 99, but only 2 were sent/), unconfirmed: ['a', 'b'], resent: 0 });
    expect(JSON.parse(r.number(envelope('c'), 'c')).wcSeq).toBe(100);
    r.acknowledge(100);
    for (const x of ['d', 'e']) r.number(envelope(x), x);
    expect(r.hello(true, 50)).toMatchObject({ gap: expect.stringMatching(/acknowledged before/), unconfirmed: ['d', 'e'] });
    expect(JSON.parse(r.number(envelope('f'), 'f')).wcSeq).toBe(51);
  });

  it('after what was kept was given up on, a hello that resumes numbers on from what the server counts', () => {
    const r = new ResumeSession();
    r.hello(false, 0);
    for (const x of ['a', 'b', 'c']) r.number(envelope(x), x);
    expect(r.abandon()).toEqual(['a', 'b', 'c']);
    expect(r.hello(true, 1)).toEqual({ acked: [], gap: undefined, unconfirmed: [], resent: 0 });
    expect(JSON.parse(r.number(envelope('d'), 'd')).wcSeq).toBe(2);
  });

  it('numbers from the server: the next is delivered, a duplicate of a replay dropped, one ahead or not a positive integer refused', () => {
    const r = new ResumeSession();
    expect([1, 2, 2, 1, 3].map((n) => r.receive(n))).toEqual(['next', 'next', 'seen', 'seen', 'next']);
    expect([5, 0, -1, 1.5, Infinity, '4', 2 ** 53].map((n) => r.receive(n))).toEqual(['ahead', 'invalid', 'invalid', 'invalid', 'invalid', 'invalid', 'invalid']);
    expect(r.lastIn).toBe(3);
  });

  it('a reject for good drops the message; one for now resends from it on', () => {
    const r = new ResumeSession();
    for (const x of ['a', 'b', 'c']) r.number(envelope(x), x);
    expect(r.reject(2, false)).toBe('b');
    expect(r.pending).toBe(2);
    expect(r.reject(3, true)).toBe('c');
    r.resendFrom(3);
    expect(JSON.parse(r.nextResend()!).action).toBe('c');
    expect(r.nextResend()).toBeUndefined();
  });

  it('abandoned (the server stopped greeting): what was kept comes back to be handed to the app, and nothing is numbered', () => {
    const r = new ResumeSession();
    r.hello(true, 0);
    r.number(envelope('a'), 'A');
    expect(r.abandon()).toEqual(['A']);
    expect(r.known || r.active).toBe(false);
    expect(r.pending).toBe(0);
  });
});
