// @ts-check
/**
 * What one client can cost the test server: the CPU to route one frame with 1,000 connections
 * open (the routing indexes against the linear scan the server had before), and the server's
 * memory before and after a client that never reads (test/helpers/slow-reader.mjs, the same
 * scenarios the fault test bounds). `node bench/server-cost.mjs [--quick]` runs it alone.
 */
import { WebSocket } from 'ws';
import { createTestServer } from './test-server.mjs';
import { forkTestServer } from '../test/helpers/forked-server.mjs';
import { binaryEchoNeverRead, floodNeverRead } from '../test/helpers/slow-reader.mjs';

/** @typedef {import('./test-server.mjs').Recipient} Recipient */
/** @typedef {{ groupId: string, userId: string }} Identity */

/**
 * The routing rule as the server ran it before issue 10, kept only as this benchmark's baseline:
 * every recipient compared with every connection.
 * @param {Recipient[]} recipients @param {Identity[]} all
 */
function linearRoute(recipients, all) {
  const selectors = recipients.filter((r) => r.type === 'group' || r.type === 'user');
  const start = selectors.length ? all.filter((c) => selectors.some((r) => (r.type === 'group' ? c.groupId : c.userId) === r.value)) : all;
  return start.filter((c) => !recipients.some((r) => (r.type === 'allButUser' && c.userId === r.value) || (r.type === 'allButGroup' && c.groupId === r.value)));
}

/** Median µs per call of `fn` over `runs` runs of `iterations` calls. @param {() => unknown} fn @param {number} iterations */
function microseconds(fn, iterations, runs = 5) {
  for (let i = 0; i < Math.min(iterations, 200); i++) fn();
  const times = [];
  for (let r = 0; r < runs; r++) {
    const start = performance.now();
    for (let i = 0; i < iterations; i++) fn();
    times.push(((performance.now() - start) * 1000) / iterations);
  }
  return times.sort((a, b) => a - b)[Math.floor(runs / 2)];
}

/** @param {number} n @param {string} prefix @param {'user' | 'group'} type @returns {Recipient[]} */
const recipients = (n, prefix, type = 'user') => Array.from({ length: n }, (_, i) => ({ type, value: `${prefix}${i}` }));

/**
 * @param {{ connections?: number, iterations?: number }} [options]
 */
export async function routingBench({ connections = 1000, iterations = 2000 } = {}) {
  const server = await createTestServer({ static: false, rateLimit: false, historySize: 0, maxConnections: connections + 10 });
  /** @type {WebSocket[]} */
  const sockets = [];
  try {
    for (let i = 0; i < connections; i++) {
      const ws = new WebSocket(`${server.wsUrl}?groupId=g${i % 10}&userId=u${i}`);
      sockets.push(ws);
      await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
    }
    const identities = server.clients();
    const nobody = recipients(100, 'absent');
    const hundredUsers = recipients(100, 'u');
    /** Lets the delivered frames drain between measurements, so buffers do not grow. */
    const settle = () => new Promise((r) => setTimeout(r, 50));
    const result = {
      connections: identities.length,
      // Routing alone: 100 recipients (the most a frame may name) that match nobody.
      indexedNoMatchUs: microseconds(() => server.broadcast({ action: 'x', recipients: nobody }), iterations),
      linearNoMatchUs: microseconds(() => linearRoute(nobody, identities), Math.ceil(iterations / 20)),
      // With delivery: one user; 100 named users; a group of 100.
      oneUserUs: microseconds(() => server.broadcast({ action: 'x', recipients: [{ type: 'user', value: 'u7' }] }), iterations),
      hundredUsersUs: (await settle(), microseconds(() => server.broadcast({ action: 'x', recipients: hundredUsers }), Math.ceil(iterations / 20))),
      groupOf100Us: (await settle(), microseconds(() => server.broadcast({ action: 'x', recipients: [{ type: 'group', value: 'g3' }] }), Math.ceil(iterations / 20))),
    };
    await settle();
    return result;
  } finally {
    sockets.forEach((s) => s.terminate());
    await server.close();
  }
}

/** The two never-reading clients of issue 10 against a server in its own process: memory before and after. */
export async function slowReaderBench() {
  /** @param {Parameters<typeof forkTestServer>[0]} options @param {typeof binaryEchoNeverRead} scenario */
  const measure = async (options, scenario) => {
    const server = await forkTestServer(options);
    try {
      const run = await scenario(server);
      run.client.close();
      const stats = await server.stats();
      return { framesSent: run.sent, before: run.before, after: run.after, slowReadersClosed: stats.slowReaders, framesDropped: stats.framesDropped };
    } finally {
      await server.close();
    }
  };
  return {
    binaryEcho: await measure({ static: false, rateLimit: false }, binaryEchoNeverRead),
    flood: await measure({ static: false }, floodNeverRead),
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const quick = process.argv.includes('--quick');
  const MiB = (/** @type {number} */ b) => `${(b / 1048576).toFixed(1)} MiB`;
  const routing = await routingBench({ iterations: quick ? 400 : 2000 });
  console.log(`routing, ${routing.connections} connections, µs per frame (median of 5 runs):`);
  console.log(`  100 recipients matching nobody: ${routing.indexedNoMatchUs.toFixed(2)} indexed, ${routing.linearNoMatchUs.toFixed(2)} linear scan`);
  console.log(`  one user: ${routing.oneUserUs.toFixed(2)}; 100 named users: ${routing.hundredUsersUs.toFixed(2)}; a group of 100: ${routing.groupOf100Us.toFixed(2)}`);
  const slow = await slowReaderBench();
  for (const [name, r] of Object.entries(slow)) {
    console.log(`${name}: ${r.framesSent} frames sent, heap+external ${MiB(r.before.heapAndExternal)} -> ${MiB(r.after.heapAndExternal)}, rss ${MiB(r.before.rss)} -> ${MiB(r.after.rss)}, slow readers closed ${r.slowReadersClosed}, frames dropped ${r.framesDropped}`);
  }
}
