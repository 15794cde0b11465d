// @ts-check
/**
 * Heap per connected Node client: N clients of one kind in a process of their own (run with
 * --expose-gc), the server in another, so neither side's heap is in the other's figure. After a
 * warm-up client (code compiled once per process is not per client), the heap after two full GCs
 * with N clients open and idle, minus before, over N. For this SDK, `ws` alone and
 * reconnecting-websocket alone on `ws`: the last two are what the SDK is built on.
 */
import { clientsProcess } from './clients-process.mjs';
import { sleep } from './lib.mjs';
import { serverProcess, settled } from './server-process.mjs';

/** @param {{ clients: number }} options */
export async function memoryBench({ clients }) {
  const server = await serverProcess({}, { connections: clients });
  try {
    /** @type {Record<string, { heapPerClient: number, externalPerClient: number }>} */
    const result = {};
    for (const kind of /** @type {const} */ (['sdk', 'raw', 'rws'])) {
      const fleet = await clientsProcess(kind, clients);
      try {
        await fleet.request('warmUp', [server.wsUrl]);
        await sleep(200); // the warm-up client's close finishes
        const before = await fleet.request('heap');
        await fleet.request('connect', [server.wsUrl, clients], 120_000);
        await sleep(500); // handshakes and first timers settle: idle connections
        const after = await fleet.request('heap');
        result[kind] = {
          heapPerClient: Math.round((after.heapUsed - before.heapUsed) / clients),
          externalPerClient: Math.round((after.external - before.external) / clients),
        };
      } finally {
        await fleet.stop();
      }
      await settled(server);
    }
    return { clients, ...result };
  } finally {
    await server.stop();
  }
}
