import { chromium, type BrowserContext } from 'playwright-core';
import { callSource, READ_ERRORS, RECORD_ERRORS, type Engine, type EngineContext, type EnginePage } from './engine';

/** Debian's Chromium (`apt-get install -y chromium`); CHROMIUM_PATH overrides. */
export const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
/** Headless, and nothing that would reach off this machine. */
export const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

function contextOf(context: BrowserContext): EngineContext {
  return {
    async newPage(): Promise<EnginePage> {
      const page = await context.newPage();
      await page.addInitScript(RECORD_ERRORS);
      return {
        goto: async (url) => void (await page.goto(url, { timeout: 10_000 })),
        evaluate: (fn, ...args) => page.evaluate(callSource(fn as never, args)),
        fill: (selector, text) => page.fill(selector, text, { timeout: 5000 }),
        click: (selector) => page.click(selector, { timeout: 5000 }),
        pressEnter: (selector) => page.press(selector, 'Enter', { timeout: 5000 }),
        screenshot: async (path) => void (await page.screenshot({ path })),
        setOffline: (offline) => context.setOffline(offline),
        errors: () => page.evaluate(READ_ERRORS),
        close: () => page.close(),
      };
    },
    close: () => context.close(),
  };
}

/**
 * Launches headless Chromium through playwright-core; playwright gives it a fresh temporary
 * profile and removes it, with the browser, on close (also when the test process exits).
 */
export async function launchChromium(): Promise<Engine> {
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, timeout: 20_000, args: CHROMIUM_ARGS });
  try {
    const first = contextOf(await browser.newContext());
    return {
      name: 'chromium',
      version: browser.version(),
      newPage: () => first.newPage(),
      newContext: async () => contextOf(await browser.newContext()),
      close: () => browser.close(),
    };
  } catch (err) {
    await browser.close();
    throw err;
  }
}
