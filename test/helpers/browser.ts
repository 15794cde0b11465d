import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll } from 'vitest';
import { useEngine, type Engine, type EngineName } from './engines';
import { startTestServer, type TestServer, type TestServerOptions } from './test-server';

export { addModuleScript, describeInEngines, PAGE_WAIT_MS, waitInPage, type EngineName, type EnginePage } from './engines';

const BUNDLE = fileURLToPath(new URL('../../dist/webconnection-websocket.min.js', import.meta.url));

/**
 * For a browser suite: starts the test server (see `startTestServer`) and `engine` before the
 * suite and stops both after. Read `ctx.server` / `ctx.engine` inside tests; a test may replace
 * `ctx.server` (a restart) and the new one is closed after the suite.
 */
export function useServerAndEngine(engine: EngineName, options: TestServerOptions = {}): { server: TestServer; engine: Engine } {
  const ctx = useEngine(engine) as { server: TestServer; engine: Engine };
  beforeAll(async () => {
    if (!existsSync(BUNDLE)) throw new Error(`${BUNDLE} is missing: run \`npm run build\` first (\`npm test\` does)`);
    ctx.server = await startTestServer(options);
  });
  afterAll(async () => {
    await ctx.server?.close();
  });
  return ctx;
}
