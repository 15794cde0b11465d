import type { harness } from '../fixtures/sdk-page/recorder.js';
import { PAGE_WAIT_MS, waitInPage, type EngineContext, type EnginePage } from './engines';
import type { TestServer } from './test-server';
import type { Truthy } from './wait';

/** The recorder of the SDK test page (test/fixtures/sdk-page/recorder.js), as tests see it. */
export type Harness = typeof harness;
/** A function run in the SDK test page with its harness; it sees only its arguments and the page. */
type HarnessFunction<A extends unknown[], R> = (h: Harness, ...args: A) => R | Promise<R>;

export interface SdkPage {
  page: EnginePage;
  /** Runs `fn(harness, ...args)` in the page (args and result as JSON). */
  run<A extends unknown[], R>(fn: HarnessFunction<A, R>, ...args: A): Promise<R>;
  /** Polls `fn(harness, ...args)` in the page until it is truthy, for at most `timeoutMs`. */
  until<A extends unknown[], R>(what: string, timeoutMs: number, fn: HarnessFunction<A, R>, ...args: A): Promise<Truthy<R>>;
}

// The page evaluates the function's source itself, so the harness can be passed in as its first argument.
const withHarness = (source: string, args: unknown[]) => (0, eval)(`(${source})`)((window as unknown as { harness: Harness }).harness, ...args);

/** Opens the SDK test page of `server` in a new page of `context` and waits until the SDK has loaded. */
export async function openSdkPage(context: EngineContext, server: TestServer): Promise<SdkPage> {
  const page = await context.newPage();
  await page.goto(`${server.url}sdk-page/`);
  const sdkPage: SdkPage = {
    page,
    run: (fn, ...args) => page.evaluate(withHarness, fn.toString(), args) as never,
    until: (what, timeoutMs, fn, ...args) =>
      (waitInPage(page, what, timeoutMs, withHarness, fn.toString(), args) as Promise<never>).catch(async (err: Error) => {
        // What every client saw says more about a wait that ran out than the wait itself.
        const clients = await page.evaluate(() => {
          const h = (window as unknown as { harness: Harness }).harness;
          return h.sockets.map((_, i) => ({ ...h.seen(i), messages: h.seen(i).messages.length }));
        }).catch(() => 'unreadable');
        throw new Error(`${err.message}; the page's clients: ${JSON.stringify(clients).slice(0, 4000)}`, { cause: err });
      }),
  };
  await waitInPage(page, 'the SDK test page to load the SDK', PAGE_WAIT_MS, () => 'harness' in window);
  return sdkPage;
}
