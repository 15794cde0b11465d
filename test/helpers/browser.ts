import { closeSync, existsSync, openSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { createTestServer, type TestServer, type TestServerOptions } from '../server/index.mjs';

/** Debian's Chromium (`.ci/run` installs it: `apt-get install -y chromium`); CHROMIUM_PATH overrides. */
export const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
export const hasChromium = existsSync(CHROMIUM);
const underCI = process.env.CI === 'true';
const INSTALL = 'apt-get install -y chromium';
const BUNDLE = fileURLToPath(new URL('../../dist/webconnection-websocket.min.js', import.meta.url));

/**
 * Where browser suites stand: they run when Chromium is there, are skipped on a developer machine
 * without it, and fail under CI=true (a CI that silently skips them would prove nothing).
 */
export const browserSuiteMode = (): 'run' | 'skip' | 'fail' => (hasChromium ? 'run' : underCI ? 'fail' : 'skip');

if (!hasChromium) announceMissingChromium();

/**
 * One loud line per test run, not per browser test file: every file is imported in its own worker,
 * so the first worker of this run (same parent process) claims a marker file and the rest stay quiet.
 */
function announceMissingChromium(): void {
  try {
    closeSync(openSync(join(tmpdir(), `webconnection-websocket-chromium-missing-${process.ppid}`), 'wx'));
  } catch {
    return;
  }
  const what = underCI ? 'browser tests FAIL (CI=true)' : 'browser tests skipped';
  console.error(`\n!!!!!!!! CHROMIUM MISSING at ${CHROMIUM}: ${what} — ${INSTALL} !!!!!!!!\n`);
}

/**
 * `describe()` for a suite that needs Chromium. Without Chromium it is skipped with the reason in
 * its title; under CI=true it is replaced by one failing test instead, so the run fails and the
 * failure is counted as one (a failing `beforeAll` would leave its tests counted as skipped).
 * @example describeInChromium('chat demo', () => { const ctx = useServerAndBrowser(); it(...) });
 */
export function describeInChromium(name: string, body: () => void): void {
  const mode = browserSuiteMode();
  if (mode === 'run') describe(name, body);
  else if (mode === 'skip') describe.skip(`${name} (skipped: no Chromium at ${CHROMIUM}; ${INSTALL})`, body);
  else {
    describe(name, () => {
      it(`needs Chromium at ${CHROMIUM}`, () => {
        throw new Error(`Chromium is missing at ${CHROMIUM} and CI=true: ${INSTALL}`);
      });
    });
  }
}

/** Launches headless Chromium; playwright gives it a fresh temporary profile of its own and removes it on close. */
export async function launchChromium(): Promise<{ browser: Browser; close: () => Promise<void> }> {
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    timeout: 20_000,
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
 * For a browser suite: starts the test server (127.0.0.1, a free port, serving demo/ and dist/)
 * and Chromium before the suite and stops both after. Read `ctx.server` / `ctx.browser` inside
 * tests; a test may replace `ctx.server` (a restart) and the new one is closed after the suite.
 */
export function useServerAndBrowser(options: TestServerOptions = {}): { server: TestServer; browser: Browser } {
  const ctx = {} as { server: TestServer; browser: Browser };
  let close: (() => Promise<void>) | undefined;
  beforeAll(async () => {
    if (browserSuiteMode() === 'fail') throw new Error(`Chromium is missing at ${CHROMIUM} and CI=true: ${INSTALL}`);
    if (!existsSync(BUNDLE)) throw new Error(`${BUNDLE} is missing: run \`npm run build\` first (\`npm test\` does)`);
    ctx.server = await createTestServer(options);
    ({ browser: ctx.browser, close } = await launchChromium());
  });
  afterAll(async () => {
    await close?.();
    await ctx.server?.close();
  });
  return ctx;
}
