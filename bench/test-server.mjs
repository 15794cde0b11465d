// @ts-check
// The one place bench/ names the test server: when its entry moves, this line changes and nothing else.
import * as testServer from '../test/server/index.mjs';

export const { createTestServer, defaultOnWebSocket } = testServer;
/** @typedef {NonNullable<Parameters<typeof createTestServer>[0]>} TestServerOptions */
/** @typedef {import('../test/server/index.mjs').Recipient} Recipient */
