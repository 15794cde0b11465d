import { describe, expect, it } from 'vitest';
import { ArgumentError, WebConnectionWebSocket, type WebConnectionOptions } from '../../src/index';
import { resolveOptions } from '../../src/options';

/** Options are read in one place: defaults, checks and the errors a user sees. */
describe('resolveOptions', () => {
  it('an absent or explicitly undefined key takes its default; the result is frozen', () => {
    const a = resolveOptions({});
    const b = resolveOptions({ queueLimit: undefined, reconnect: { minDelay: undefined, maxDelay: undefined, factor: undefined, maxRetries: undefined, connectionTimeout: undefined } });
    for (const r of [a, b]) {
      expect(r).toMatchObject({ minDelay: 1000, maxDelay: 30_000, factor: 2, maxRetries: Infinity, connectionTimeout: 10_000, queueLimit: 1000, url: '__initializeSocket.wc' });
      expect([...r.control]).toEqual(['ping', 'pong', 'tick']);
      expect(Object.isFrozen(r)).toBe(true);
    }
  });

  it("a user's 0 survives (no || defaults) and a large minDelay lifts the default maxDelay with it", () => {
    expect(resolveOptions({ queueLimit: 0, reconnect: { maxRetries: 0 } })).toMatchObject({ queueLimit: 0, maxRetries: 0 });
    expect(resolveOptions({ reconnect: { minDelay: 60_000 } })).toMatchObject({ minDelay: 60_000, maxDelay: 60_000 });
  });

  it.each([
    [{ reconnect: { minDelay: Number.NaN } }, 'reconnect.minDelay must be a number in [1, 2147483647], got NaN.'],
    [{ reconnect: { minDelay: 0 } }, 'reconnect.minDelay must be a number in [1, 2147483647], got 0.'],
    [{ reconnect: { maxDelay: 2 ** 31 } }, 'reconnect.maxDelay must be a number in [1000, 2147483647], got 2147483648.'],
    [{ reconnect: { minDelay: 5000, maxDelay: 1000 } }, 'reconnect.maxDelay must be a number in [5000, 2147483647], got 1000.'],
    [{ reconnect: { factor: 0.5 } }, 'reconnect.factor must be a number in [1, 1000], got 0.5.'],
    [{ reconnect: { maxRetries: 1.5 } }, 'reconnect.maxRetries must be a number in [0, Infinity], got 1.5.'],
    [{ reconnect: { connectionTimeout: Infinity } }, 'reconnect.connectionTimeout must be a number in [1, 2147483647], got Infinity.'],
    [{ reconnect: { connectionTimeout: 0 } }, 'reconnect.connectionTimeout must be a number in [1, 2147483647], got 0.'],
    [{ reconnect: { retryDelay: 100 } }, 'reconnect.retryDelay must be a function, got 100.'],
    [{ reconnect: 'fast' }, 'reconnect must be an object, got "fast".'],
    [{ queueLimit: '10' }, 'queueLimit must be a number in [0, Infinity], got "10".'],
    [{ url: 42 }, 'url must be a URL (string) or a function, got 42.'],
    [{ WebSocket: {} }, 'WebSocket must be a function, got {}.'],
    [{ controlActions: 'ping' }, 'controlActions must be an array of strings, got "ping".'],
    [{ controlActions: ['ping', 1] }, 'controlActions must be an array of strings, got ["ping",1].'],
    [{ codec: 'json' }, 'codec must be an object with decode(), got "json".'],
    [{ liveness: { interval: 1 } }, 'liveness must be an object with watch(), got {"interval":1}.'],
    [{ network: true }, 'network must be an object with wait(), got true.'],
    [{ logger: true }, 'logger must be a function, got true.'],
    [{ heartbeat: { interval: 1, timeout: 1 } }, 'An option must be one of url, WebSocket, protocols, reconnect, queueLimit, codec, liveness, network, controlActions, transport, logger, resume, flushRate, got "heartbeat".'],
  ])('%j is an ArgumentError naming the option, the value and what is valid', (options, message) => {
    expect(() => new WebConnectionWebSocket(options as WebConnectionOptions)).toThrow(ArgumentError);
    expect(() => new WebConnectionWebSocket(options as WebConnectionOptions)).toThrow(message);
  });

  it('options that are not an object at all', () => {
    expect(() => new WebConnectionWebSocket(null as never)).toThrow('options must be an object, got null.');
  });
});
