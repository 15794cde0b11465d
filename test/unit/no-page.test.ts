import { WebSocket } from 'ws';
import { describe, expect, it } from 'vitest';

describe('without a page (Node, SSR, workers)', () => {
  it('importing touches no window, document or location', async () => {
    const touched: string[] = [];
    for (const name of ['window', 'document', 'location', 'navigator']) {
      Object.defineProperty(globalThis, name, { configurable: true, get: () => touched.push(name) && undefined });
    }
    try {
      await import('../../src/index');
      // Built files, loaded by path so the typecheck does not read them.
      for (const built of ['../../dist/index.js', '../../dist/liveness.js', '../../dist/network.js', '../../dist/codecs.js', '../../dist/webconnection-websocket.min.js']) await import(built);
      const { WebConnectionWebSocket } = await import('../../src/index');
      new WebConnectionWebSocket({ WebSocket });
    } finally {
      for (const name of ['window', 'document', 'location', 'navigator']) delete (globalThis as Record<string, unknown>)[name];
    }
    expect(touched).toEqual([]);
  });

  it('tryConnect() needing the default URL says to pass an absolute url; no WebSocket says to pass ws', async () => {
    const { WebConnectionWebSocket } = await import('../../src/index');
    expect(() => new WebConnectionWebSocket({ WebSocket }).tryConnect()).toThrow(
      /^url must be absolute without an http\(s\) page .*, got "__initializeSocket.wc"\. E\.g\. "ws:\/\/localhost/,
    );
    expect(() => new WebConnectionWebSocket({ url: 'ws://127.0.0.1:1/' }).tryConnect()).toThrow(/No WebSocket here: pass one, e\.g\. the "ws" package's/);
  });
});
