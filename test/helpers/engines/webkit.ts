import { writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { createInterface } from 'node:readline';
import { callSource, READ_ERRORS, RECORD_ERRORS, type Engine, type EngineContext, type EnginePage } from './engine';
import { spawnOwned, type OwnedProcess } from './owned-process';
import { ELEMENT_KEY, ENTER_KEY, newSession, waitForDriver, type WebDriverSession } from './webdriver';

/** Debian's WebKitGTK WebDriver (`apt-get install -y webkit2gtk-driver xvfb`); it drives MiniBrowser. */
export const WEBKIT_DRIVER = process.env.WEBKIT_DRIVER_PATH || '/usr/bin/WebKitWebDriver';
export const XVFB = process.env.XVFB_PATH || '/usr/bin/Xvfb';

/**
 * Starts Xvfb on a display it picks itself (`-displayfd` writes the number once it accepts
 * connections), so parallel runs never collide on a display number.
 */
async function startXvfb(): Promise<{ display: string; process: OwnedProcess }> {
  const xvfb = spawnOwned(XVFB, ['-displayfd', '1', '-screen', '0', '1280x1024x24', '-nolisten', 'tcp'], { stdio: ['ignore', 'pipe', 'ignore'] });
  try {
    const line = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('Xvfb did not start within 10 s')), 10_000);
      createInterface({ input: xvfb.child.stdout! }).once('line', (l) => (clearTimeout(timer), resolve(l)));
      xvfb.child.once('exit', (code) => (clearTimeout(timer), reject(new Error(`Xvfb exited with ${code}`))));
    });
    return { display: `:${line.trim()}`, process: xvfb };
  } catch (err) {
    await xvfb.stop();
    throw err;
  }
}

const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const probe = createServer().once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });

/**
 * Starts WebKitWebDriver on a free port. The port is free when picked but may be taken before the
 * driver binds it (other test runs share the machine): a driver that exits is started again.
 */
async function startDriver(display: string): Promise<{ driver: OwnedProcess; base: string }> {
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const driver = spawnOwned(WEBKIT_DRIVER, [`--port=${port}`, '--host=127.0.0.1'], { env: { ...process.env, DISPLAY: display } });
    const base = `http://127.0.0.1:${port}`;
    try {
      await waitForDriver(base, 10_000, () => driver.child.exitCode === null && driver.child.signalCode === null);
      return { driver, base };
    } catch (err) {
      await driver.stop();
      if (attempt === 3) throw err;
    }
  }
}

/**
 * One WebKitWebDriver with one session: the driver allows a single session, and each session is
 * a MiniBrowser with its own ephemeral profile, so a driver is a context. Its first window stays
 * open on about:blank, because closing a session's last window ends the session.
 */
async function driverContext(display: string): Promise<EngineContext & { session: WebDriverSession }> {
  const { driver, base } = await startDriver(display);
  let session: WebDriverSession;
  try {
    // Without a display the session request hangs: bounded, so a broken Xvfb fails fast.
    session = await newSession(base, { browserName: 'MiniBrowser' }, 20_000);
  } catch (err) {
    await driver.stop();
    throw err;
  }

  // WebDriver acts on one window at a time: every page command switches to its window first,
  // and commands of different pages must not interleave between the switch and the act.
  let queue: Promise<unknown> = Promise.resolve();
  let current = '';
  const onWindow = <T>(handle: string, act: () => Promise<T>): Promise<T> => {
    const turn = queue.then(async () => {
      if (current !== handle) {
        await session.command('POST', '/window', { handle });
        current = handle;
      }
      return act();
    });
    queue = turn.catch(() => {});
    return turn;
  };
  const element = async (selector: string) =>
    (await session.command<Record<string, string>>('POST', '/element', { using: 'css selector', value: selector }))[ELEMENT_KEY];

  const run = <T>(source: string) => session.command<T>('POST', '/execute/sync', { script: `return ${source};`, args: [] });

  const home = await session.command<string>('GET', '/window');
  const pages = new Set<string>();
  return {
    session,
    async newPage(): Promise<EnginePage> {
      // A window, not a tab: a tab behind another is hidden (WebKit throttles hidden pages' timers),
      // and switching to it, as every command does, brings it to the front and hides the other.
      // Opened from the first window: after a page closed there is no current one to open from.
      const { handle } = await onWindow(home, () => session.command<{ handle: string }>('POST', '/window/new', { type: 'window' }));
      pages.add(handle);
      return {
        goto: (url) =>
          onWindow(handle, async () => {
            await session.command('POST', '/url', { url });
            await run(RECORD_ERRORS);
          }),
        evaluate: (fn, ...args) => onWindow(handle, () => run(callSource(fn as never, args))),
        fill: (selector, text) =>
          onWindow(handle, async () => {
            const id = await element(selector);
            await session.command('POST', `/element/${id}/clear`);
            await session.command('POST', `/element/${id}/value`, { text });
            // Two steps where the other drivers take one: a page that reacts in between would
            // leave a value the test did not ask for, so say so here rather than later.
            const value = await run<string>(`document.querySelector(${JSON.stringify(selector)}).value`);
            if (value !== text) throw new Error(`WebKit: ${selector} reads ${JSON.stringify(value)} after typing ${JSON.stringify(text)}`);
          }),
        click: (selector) => onWindow(handle, async () => void (await session.command('POST', `/element/${await element(selector)}/click`))),
        pressEnter: (selector) => onWindow(handle, async () => void (await session.command('POST', `/element/${await element(selector)}/value`, { text: ENTER_KEY }))),
        screenshot: (path) => onWindow(handle, async () => writeFile(path, Buffer.from(await session.command<string>('GET', '/screenshot'), 'base64'))),
        errors: () => onWindow(handle, () => run<string[]>(READ_ERRORS)),
        setOffline: () => Promise.reject(new Error('WebKit: W3C WebDriver has no network emulation, so a page cannot be taken offline')),
        close: () =>
          onWindow(handle, async () => {
            if (!pages.delete(handle)) return;
            await session.command('DELETE', '/window');
            current = '';
          }),
      };
    },
    async close() {
      await session.delete().catch(() => {});
      await driver.stop();
    },
  };
}

/** Starts Xvfb and a first WebKitWebDriver session on it; `close()` stops every process it started. */
export async function launchWebKit(): Promise<Engine> {
  const xvfb = await startXvfb();
  const contexts: EngineContext[] = [];
  try {
    const first = await driverContext(xvfb.display);
    contexts.push(first);
    return {
      name: 'webkit',
      version: String(first.session.capabilities.browserVersion),
      newPage: () => first.newPage(),
      async newContext() {
        const context = await driverContext(xvfb.display);
        contexts.push(context);
        return context;
      },
      async close() {
        await Promise.all(contexts.map((c) => c.close()));
        await xvfb.process.stop();
      },
    };
  } catch (err) {
    await xvfb.process.stop();
    throw err;
  }
}
