// @ts-check
/**
 * Reconnect storm: N SDK clients, the server closed and started again on the same port 300 ms
 * later (test/helpers/storm.mjs, shared with the fault test). Attempts are counted where they
 * start (the url function, called right before each socket is made); the peak is the busiest
 * 100 ms window. Three policies, one after the other in the same run:
 * - the SDK's default: exponential backoff with full jitter (minDelay 1000, factor 2, maxDelay 30 s);
 * - no jitter: `retryDelay: () => 1000`, every client retries after the same fixed second;
 * - what reconnecting-websocket 4.4.0 does on its own: one random base per page in [1, 5] s drawn
 *   at load (`minReconnectionDelay = 1000 + Math.random() * 4000`), grown ×1.3 per failure, at most
 *   10 s, never jittered again. In one Node process all clients would share that one draw, so each
 *   client draws its own here, as separate pages would.
 */
import { WebConnectionWebSocket } from 'webconnection-websocket';
import { reconnectStorm } from '../test/helpers/storm.mjs';

/** Each instance behaves like its own page under reconnecting-websocket's own backoff. */
class PerPageBaseClient extends WebConnectionWebSocket {
  /** @param {import('webconnection-websocket').WebConnectionOptions} options */
  constructor(options) {
    const base = 1000 + Math.random() * 4000;
    super({ ...options, reconnect: { retryDelay: (attempt) => Math.min(10_000, base * 1.3 ** (attempt - 1)) } });
  }
}

/** @param {number} clients */
export async function stormBench(clients) {
  const jittered = await reconnectStorm(WebConnectionWebSocket, clients, { minDelay: 1000 });
  const fixed = await reconnectStorm(WebConnectionWebSocket, clients, { retryDelay: () => 1000 });
  const perPageBase = await reconnectStorm(PerPageBaseClient, clients, {});
  return { clients, downMs: 300, jittered, fixed, perPageBase };
}
