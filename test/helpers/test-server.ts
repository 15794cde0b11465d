/**
 * The one place the browser helpers and tests reach the test server from, so a move of
 * test/server/ is a change here alone.
 */
import { fileURLToPath } from 'node:url';
import { createTestServer, defaultOnWebSocket, type TestServer, type TestServerOptions } from '../server/index.mjs';

export { defaultOnWebSocket, type TestServer, type TestServerOptions };

const path = (relative: string) => fileURLToPath(new URL(relative, import.meta.url));
/** `node SERVER_CLI --port N` runs the server as a process of its own (`npm start`). */
export const SERVER_CLI = path('../server/cli.mjs');
/** `node BROADCAST_CLI ...` is `npm run broadcast`. */
export const BROADCAST_CLI = path('../server/broadcast-cli.mjs');

/**
 * The test server (127.0.0.1, a free port unless `options.port`) serving what the browser tests
 * load: the demo at "/", the built SDK at "/dist/", and the test page that records what SDK
 * clients see at "/sdk-page/" (test/fixtures/sdk-page/).
 */
export function startTestServer(options: TestServerOptions = {}): Promise<TestServer> {
  return createTestServer({
    static: { '/': path('../../demo'), '/dist/': path('../../dist'), '/sdk-page/': path('../fixtures/sdk-page') },
    ...options,
  });
}
