import puppeteer, { type BrowserContext } from 'puppeteer-core';
import { callSource, READ_ERRORS, RECORD_ERRORS, type Engine, type EngineContext, type EnginePage } from './engine';

/** Debian's Firefox ESR (`apt-get install -y firefox-esr`); FIREFOX_PATH overrides. */
export const FIREFOX = process.env.FIREFOX_PATH || '/usr/bin/firefox-esr';

function contextOf(context: BrowserContext): EngineContext {
  return {
    async newPage(): Promise<EnginePage> {
      // A window, not a tab: a background tab is hidden, and Firefox throttles hidden pages' timers.
      const page = await context.newPage({ type: 'window' });
      page.setDefaultTimeout(5000);
      await page.evaluateOnNewDocument(RECORD_ERRORS);
      return {
        goto: async (url) => void (await page.goto(url, { timeout: 10_000 })),
        evaluate: (fn, ...args) => page.evaluate(callSource(fn as never, args)) as never,
        fill: (selector, text) => page.locator(selector).fill(text),
        click: (selector) => page.click(selector),
        pressEnter: async (selector) => {
          await page.focus(selector);
          await page.keyboard.press('Enter');
        },
        screenshot: async (path) => void (await page.screenshot({ path })),
        setOffline: (offline) => page.setOfflineMode(offline),
        errors: () => page.evaluate(READ_ERRORS) as Promise<string[]>,
        close: () => page.close(),
      };
    },
    close: () => context.close(),
  };
}

/**
 * Launches headless Firefox ESR through puppeteer-core over WebDriver BiDi (Firefox has no CDP).
 * puppeteer gives it a fresh temporary profile and removes it, with the browser, on close (also
 * when the test process exits).
 */
export async function launchFirefox(): Promise<Engine> {
  const browser = await puppeteer.launch({ browser: 'firefox', executablePath: FIREFOX, headless: true, timeout: 20_000 });
  try {
    const first = contextOf(await browser.createBrowserContext());
    return {
      name: 'firefox',
      version: (await browser.version()).replace(/^firefox\//, ''),
      newPage: () => first.newPage(),
      newContext: async () => contextOf(await browser.createBrowserContext()),
      close: () => browser.close(),
    };
  } catch (err) {
    await browser.close();
    throw err;
  }
}
