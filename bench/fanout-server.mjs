// @ts-check
/** The test server in its own process, so its memory per connection can be measured alone. */
import { createTestServer } from '../test/server/server.mjs';

const server = await createTestServer({ static: false, rateLimit: false, maxConnections: 100_000 });
/** Heap + external (which already includes ArrayBuffers and Buffers), after a full GC when exposed. */
const memory = () => {
  globalThis.gc?.();
  globalThis.gc?.();
  const m = process.memoryUsage();
  return m.heapUsed + m.external;
};
process.on('message', (msg) => {
  if (msg === 'memory') process.send?.({ memory: memory(), connections: server.clients().length, gc: typeof globalThis.gc === 'function' });
  if (msg === 'close') server.close().then(() => process.exit(0));
});
process.send?.({ ready: true, url: server.url, wsUrl: server.wsUrl });
