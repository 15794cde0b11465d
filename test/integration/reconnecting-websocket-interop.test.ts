import { afterEach, describe, expect, it, vi } from 'vitest';
import { WebSocket } from 'ws';
import { createTestServer, type TestServer } from '../server/index.mjs';
import { waitFor } from '../helpers/wait';

/**
 * reconnecting-websocket #95/#101/#112: depending on the bundler or loader, the package's default
 * import is the class or an object holding it as `default` ("ReconnectingWebSocket is not a
 * constructor"). Node hands ESM the class; this file makes the loader hand over the other shape,
 * for the source and for the built ESM file alike.
 */
vi.mock('reconnecting-websocket', async () => {
  const actual = await vi.importActual<{ default: unknown }>('reconnecting-websocket');
  return { default: { default: actual.default } };
});

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('reconnecting-websocket import shapes', () => {
  it('#95/#101/#112: a default import of { default: Class } still constructs and connects (source and dist ESM build)', async () => {
    const shape = (await import('reconnecting-websocket')).default;
    expect(typeof shape).toBe('object'); // the mock is in force
    server = await createTestServer({ static: false });
    for (const load of [() => import('../../src/index'), () => import('../../dist/webconnection-websocket.js' as string) as Promise<typeof import('../../src/index')>]) {
      const { WebConnectionWebSocket } = await load();
      const socket = new WebConnectionWebSocket({ url: server.wsUrl, WebSocket: WebSocket as never });
      const errors: unknown[] = [];
      socket.onErrorHandler = (e) => errors.push(e);
      socket.tryConnect();
      await waitFor(() => socket.state === 'open', 'open');
      socket.close();
      expect(errors).toEqual([]);
    }
  });
});
