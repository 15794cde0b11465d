import { describe, expect, it } from 'vitest';
import { WebConnectionWebSocket, type TransportEvents, type WebConnectionError } from '../../src/index';

/**
 * Dispatch to on() handlers and onMessageHandler, driven through a stub transport: frames are
 * delivered synchronously, so each test states exactly what arrives.
 */
function setup(options: { controlActions?: string[] } = {}) {
  let events!: TransportEvents;
  const socket = new WebConnectionWebSocket({
    url: 'ws://stub.test/',
    WebSocket: class {} as never,
    ...options,
    transport: (_config, e) => {
      events = e;
      return { isOpen: true, send: () => true, reconnect() {}, close() {} };
    },
  });
  const errors: WebConnectionError[] = [];
  const messages: string[] = [];
  socket.onErrorHandler = (e) => errors.push(e);
  socket.onMessageHandler = (m) => messages.push(m.action);
  socket.tryConnect();
  events.open();
  const frame = (action: string, message = '') => events.message(JSON.stringify({ action, message }));
  return { socket, errors, messages, frame, events };
}

describe('on() and onMessageHandler', () => {
  it('every handler of an action runs, in subscription order, with the parsed payload and the message', () => {
    const t = setup();
    const calls: string[] = [];
    t.socket.on('data', (p, m) => calls.push(`first ${JSON.stringify(p)} ${m.action}`));
    t.socket.on('data', (p) => calls.push(`second ${JSON.stringify(p)}`));
    t.socket.on('other', () => calls.push('other'));
    t.frame('data', '{"n":1}');
    expect(calls).toEqual(['first {"n":1} data', 'second {"n":1}']);
    expect(t.messages).toEqual(['data']);
  });

  it('on() parses a message that is a JSON object or array, other text stays text; msg.message is always the wire string', () => {
    const t = setup();
    const got: [unknown, string][] = [];
    t.socket.on('chat', (payload, msg) => got.push([payload, msg.message]));
    for (const text of ['[1,2]', '{"a":1}', '42', 'true', '[not json', '']) t.frame('chat', text);
    expect(got).toEqual([
      [[1, 2], '[1,2]'],
      [{ a: 1 }, '{"a":1}'],
      ['42', '42'],
      ['true', 'true'],
      ['[not json', '[not json'],
      ['', ''],
    ]);
  });

  it('a handler that unsubscribes itself while running does not make the next one miss the message', () => {
    const t = setup();
    const calls: string[] = [];
    const off = t.socket.on('data', () => {
      calls.push('once');
      off();
    });
    t.socket.on('data', () => calls.push('always'));
    t.frame('data');
    t.frame('data');
    expect(calls).toEqual(['once', 'always', 'always']);
  });

  it('a handler subscribed while a message is being dispatched gets the next message, not this one', () => {
    const t = setup();
    const calls: string[] = [];
    let added = false;
    t.socket.on('data', (p) => {
      calls.push(`first ${p}`);
      if (!added) {
        added = true;
        t.socket.on('data', (q) => calls.push(`late ${q}`));
      }
    });
    t.frame('data', '1');
    t.frame('data', '2');
    expect(calls).toEqual(['first 1', 'first 2', 'late 2']);
  });

  it('unsubscribing twice, or after the last handler is gone, is harmless', () => {
    const t = setup();
    const off = t.socket.on('data', () => {});
    off();
    expect(() => off()).not.toThrow();
    t.frame('data');
    expect(t.errors).toEqual([]);
  });

  it('a handler that throws is reported; the other handlers and onMessageHandler still run', () => {
    const t = setup();
    const calls: string[] = [];
    t.socket.on('data', () => {
      throw new Error('boom');
    });
    t.socket.on('data', () => calls.push('second'));
    t.frame('data');
    expect(calls).toEqual(['second']);
    expect(t.messages).toEqual(['data']);
    expect(t.errors.map((e) => e.message)).toEqual(['A handler threw: boom']);
  });

  it('controlActions can be replaced: listed actions skip onMessageHandler, the default ones then do not', () => {
    const t = setup({ controlActions: ['heartbeat'] });
    const beats: unknown[] = [];
    t.socket.on('heartbeat', (p) => beats.push(p));
    t.frame('heartbeat', 'now');
    t.frame('ping');
    expect(beats).toEqual(['now']);
    expect(t.messages).toEqual(['ping']);
  });

  it('frames after a malformed one are still delivered; the FrameError carries the raw frame', () => {
    const t = setup();
    t.events.message('{"action":');
    t.events.message('{"action":"ok","message":"fine"}');
    expect(t.messages).toEqual(['ok']);
    expect(t.errors).toHaveLength(1);
    expect(t.errors[0]).toMatchObject({ name: 'FrameError', frame: '{"action":' });
    expect(t.errors[0]!.code).toBe('frame-invalid');
    expect(t.errors[0]!.message).toMatch(/^Frame ignored: not valid JSON/);
    expect(t.socket.state).toBe('open');
  });
});
