import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { createTestServer, type TestServer, type TestServerOptions } from '../server/server.mjs';

/** Debian's Chromium; `.ci/run` installs it (`apt-get install -y chromium`). */
export const CHROMIUM = '/usr/bin/chromium';
export const hasChromium = existsSync(CHROMIUM);

if (!hasChromium) {
  const line = `CHROMIUM MISSING at ${CHROMIUM}: browser tests ${process.env.CI === 'true' ? 'FAIL under CI=true' : 'are skipped'} — run: apt-get update && apt-get install -y chromium`;
  console.error(`\n${'!'.repeat(8)} ${line} ${'!'.repeat(8)}\n`);
}

/**
 * Describe-level guard: browser suites run when Chromium is there, are skipped (with the loud line
 * above) on a developer machine without it, and fail under CI=true.
 */
export const browserSuiteMode = (): 'run' | 'skip' | 'fail' => (hasChromium ? 'run' : process.env.CI === 'true' ? 'fail' : 'skip');

/** Launches headless Chromium; playwright gives it a fresh temporary profile of its own. */
export async function launchChromium(): Promise<{ browser: Browser; close: () => Promise<void> }> {
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
    ],
  });
  return {
    browser,
    close: () => browser.close(),
  };
}

/**
 * For a browser suite: starts the test server and Chromium before the suite and stops both after.
 * Read `ctx.server` / `ctx.browser` inside tests. Under CI=true without Chromium the suite fails.
 */
export function useServerAndBrowser(options: TestServerOptions = {}): { server: TestServer; browser: Browser } {
  const ctx = {} as { server: TestServer; browser: Browser };
  let close: (() => Promise<void>) | undefined;
  beforeAll(async () => {
    if (browserSuiteMode() === 'fail') throw new Error(`Chromium is missing at ${CHROMIUM} and CI=true: apt-get install -y chromium`);
    if (!existsSync('dist/webconnection-websocket.min.js')) throw new Error('dist/ is missing: run `npm run build` (npm test does it first)');
    ctx.server = await createTestServer(options);
    ({ browser: ctx.browser, close } = await launchChromium());
  });
  afterAll(async () => {
    await close?.();
    await ctx.server?.close();
  });
  return ctx;
}
