import { describe, expect, it } from 'vitest';
import { ResumeSession } from '../../src/resume';

/** The client's bookkeeping for the resume extension, without sockets or timers. */
describe('ResumeSession', () => {
  const envelope = (action: string) => JSON.stringify({ action, message: '', groupId: '', userId: '', recipients: [] });

  it('names itself and what it received in the upgrade URL, keeping what is there', () => {
    const r = new ResumeSession();
    expect(r.id).toMatch(/^[\w-]{8,64}$/);
    r.fresh(7);
    expect(r.url('ws://h/__initializeSocket.wc?groupId=g')).toBe(`ws://h/__initializeSocket.wc?groupId=g&wcSession=${r.id}&wcAck=7`);
    expect(new ResumeSession().id).not.toBe(r.id);
  });

  it('numbers envelopes in order, keeps them until acknowledged (cumulatively), and never renumbers a resend', () => {
    const r = new ResumeSession();
    const a = r.number(envelope('a'), 'A');
    const b = r.number(envelope('b'), 'B');
    expect(JSON.parse(a)).toMatchObject({ action: 'a', wcSeq: 1 });
    expect(JSON.parse(b)).toMatchObject({ action: 'b', wcSeq: 2 });
    expect(r.number(b, 'B')).toBe(b);
    expect(r.pending).toBe(2);
    expect(r.acknowledge(1)).toEqual(['A']);
    expect(r.acknowledge(1)).toEqual([]);
    expect(r.acknowledge(9)).toEqual(['B']);
    expect(r.pending).toBe(0);
  });

  it('a hello that resumes: what the server has is acknowledged, the rest is resent in order', () => {
    const r = new ResumeSession();
    for (const x of ['a', 'b', 'c']) r.number(envelope(x), x);
    expect(r.hello(true, 1)).toEqual({ acked: ['a'], gap: false, unconfirmed: [], resent: 2 });
    expect(r.known && r.active).toBe(true);
    expect(r.resending).toBe(true);
    expect([r.nextResend(), r.nextResend(), r.nextResend()].map((f) => f && JSON.parse(f).wcSeq)).toEqual([2, 3, undefined]);
    expect(r.resending).toBe(false);
  });

  it('a hello that does not resume after an exchange is a gap: the unacknowledged are handed back, not resent; numbering restarts', () => {
    const r = new ResumeSession();
    r.fresh(4);
    r.number(envelope('a'), 'A');
    expect(r.hello(false, 0)).toEqual({ acked: [], gap: true, unconfirmed: ['A'], resent: 0 });
    expect(r.lastIn).toBe(0);
    expect(JSON.parse(r.number(envelope('b'), 'B')).wcSeq).toBe(1);
    expect(r.fresh(1)).toBe(true);
  });

  it('the first hello of a new session is no gap', () => {
    expect(new ResumeSession().hello(false, 0)).toMatchObject({ gap: false, unconfirmed: [] });
  });

  it('duplicates of a replay are told apart by their number', () => {
    const r = new ResumeSession();
    expect([1, 2, 2, 1, 3].map((n) => r.fresh(n))).toEqual([true, true, false, false, true]);
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

  it('abandoned (the server stopped greeting): what was kept comes back to be sent as it is', () => {
    const r = new ResumeSession();
    r.hello(true, 0);
    const a = r.number(envelope('a'), 'A');
    expect(r.abandon()).toEqual([[a, 'A']]);
    expect(r.known || r.active).toBe(false);
    expect(r.pending).toBe(0);
  });
});
