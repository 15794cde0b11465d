// @ts-check
/** Reconnect storm: N SDK clients, the server restarted; jittered backoff against a fixed delay. */
import { WebConnectionWebSocket } from 'webconnection-websocket';
import { reconnectStorm } from '../test/helpers/storm.mjs';

/** @param {number} clients */
export async function stormBench(clients) {
  const jittered = await reconnectStorm(WebConnectionWebSocket, clients, { minDelay: 1000, maxDelay: 2000 });
  const fixed = await reconnectStorm(WebConnectionWebSocket, clients, { retryDelay: () => 1000 });
  return { clients, jittered, fixed };
}
