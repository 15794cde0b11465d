// @ts-check
/**
 * The test server alone in a child process (forked-server.mjs starts it), so a test can see
 * whether something a client sent ends the process, and a benchmark can weigh its memory without
 * the clients'. Options come as JSON in argv[2]; it answers `{ id, ... }` to `{ id, ask }` over IPC.
 */
import { createTestServer } from '../server/index.mjs';

const server = await createTestServer(JSON.parse(process.argv[2] ?? '{}'));

/** Heap + external (which includes ArrayBuffers and Buffers) after a full GC when exposed, and RSS. */
const memory = () => {
  globalThis.gc?.();
  globalThis.gc?.();
  const m = process.memoryUsage();
  return { heapAndExternal: m.heapUsed + m.external, rss: m.rss, gc: typeof globalThis.gc === 'function' };
};

process.on('message', (/** @type {{ id: number, ask: string }} */ { id, ask }) => {
  if (ask === 'memory') process.send?.({ id, ...memory(), connections: server.clients().length });
  else if (ask === 'stats') process.send?.({ id, ...server.stats, connections: server.clients().length });
  else if (ask === 'close') server.close().then(() => process.exit(0));
});
process.send?.({ id: 0, url: server.url, wsUrl: server.wsUrl, port: server.port });
