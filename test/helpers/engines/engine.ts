/**
 * The engine adapter: the few things a browser test does, the same in Chromium, Firefox and
 * WebKit. Functions run in the page are sent as source text with JSON arguments, and what they
 * return comes back as JSON (no DOM handles), because that is all WebDriver can carry.
 */

export type EngineName = 'chromium' | 'firefox' | 'webkit';

/** A function run in the page: it sees only its arguments and the page's globals. */
export type PageFunction<A extends unknown[], R> = (...args: A) => R | Promise<R>;

export interface EnginePage {
  /** Loads `url` and resolves once the page's `load` event has fired. */
  goto(url: string): Promise<void>;
  /** Runs `fn(...args)` in the page; args and result travel as JSON, a returned Promise is awaited. */
  evaluate<A extends unknown[], R>(fn: PageFunction<A, R>, ...args: A): Promise<R>;
  /** Replaces the value of the input `selector` by `text`, typed as a user would. */
  fill(selector: string, text: string): Promise<void>;
  click(selector: string): Promise<void>;
  /** Presses Enter in `selector` (a form's implicit submission). */
  pressEnter(selector: string): Promise<void>;
  screenshot(path: string): Promise<void>;
  /**
   * Takes the page off the network, as far as the page can tell: `navigator.onLine` and the
   * `offline` / `online` events (Chromium: the page's whole context). WebKit's WebDriver cannot:
   * there it throws.
   */
  setOffline(offline: boolean): Promise<void>;
  /**
   * Uncaught errors and unhandled rejections of the page so far, as its window's `error` and
   * `unhandledrejection` listeners see them (see `RECORD_ERRORS`). WebKit's WebDriver runs no
   * script before the page's own: there they count from the end of goto().
   */
  errors(): Promise<string[]>;
  close(): Promise<void>;
}

export interface EngineContext {
  newPage(): Promise<EnginePage>;
  close(): Promise<void>;
}

/** One running browser. Its pages share one profile; `newContext()` makes another, isolated one. */
export interface Engine extends EngineContext {
  name: EngineName;
  /** The browser's own version string, e.g. "156.0.8078.79". */
  version: string;
  newContext(): Promise<EngineContext>;
}

/**
 * Records what the page throws into `window.__engineErrors`. The same listeners in every engine,
 * rather than each driver's page-error event: Firefox's (a BiDi log entry) also carries network
 * messages such as "can't establish a connection", which are not errors of the page.
 */
export const RECORD_ERRORS = `(() => {
  const errors = (window.__engineErrors = []);
  addEventListener('error', (e) => errors.push(e.message));
  addEventListener('unhandledrejection', (e) => errors.push(String(e.reason)));
})()`;
export const READ_ERRORS = 'window.__engineErrors ?? []';

/** The source of an expression that calls `fn` with `args`, for engines that take only text. */
export const callSource = (fn: PageFunction<unknown[], unknown>, args: unknown[]): string => `(${fn.toString()})(...${JSON.stringify(args)})`;
