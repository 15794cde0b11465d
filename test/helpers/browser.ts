import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

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
