import { closeSync, existsSync, openSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { waitFor, type Truthy } from '../wait';
import { CHROMIUM, launchChromium } from './chromium';
import type { Engine, EngineName, EnginePage, PageFunction } from './engine';
import { FIREFOX, launchFirefox } from './firefox';
import { launchWebKit, WEBKIT_DRIVER, XVFB } from './webkit';

export type { Engine, EngineContext, EngineName, EnginePage } from './engine';

/** What each engine needs on the machine, and how to get it (`.ci/run` installs all of them). */
const ENGINES: Record<EngineName, { label: string; needs: string[]; install: string; launch: () => Promise<Engine> }> = {
  chromium: { label: 'Chromium', needs: [CHROMIUM], install: 'apt-get install -y chromium', launch: launchChromium },
  firefox: { label: 'Firefox', needs: [FIREFOX], install: 'apt-get install -y firefox-esr', launch: launchFirefox },
  webkit: { label: 'WebKit', needs: [WEBKIT_DRIVER, XVFB], install: 'apt-get install -y webkit2gtk-driver xvfb', launch: launchWebKit },
};
export const ALL_ENGINES = Object.keys(ENGINES) as EngineName[];
const underCI = process.env.CI === 'true';

/** `ENGINES=firefox` or `ENGINES=firefox,webkit` runs the browser suites of those engines alone. */
export const selectedEngines: EngineName[] = (() => {
  const asked = (process.env.ENGINES ?? '').split(',').map((s) => s.trim().toLowerCase()).filter(Boolean);
  const unknown = asked.filter((n) => !(n in ENGINES));
  if (unknown.length) throw new Error(`ENGINES=${process.env.ENGINES}: unknown ${unknown.join(', ')}; use a comma list of ${ALL_ENGINES.join(', ')}`);
  return asked.length ? (asked as EngineName[]) : ALL_ENGINES;
})();

const missingOf = (name: EngineName) => ENGINES[name].needs.filter((path) => !existsSync(path));

/**
 * Where an engine's suites stand: they run when it is installed, are skipped on a developer
 * machine without it, and fail under CI=true (a CI that silently skips them would prove nothing).
 */
export function engineMode(name: EngineName): 'run' | 'skip' | 'fail' | 'not selected' {
  if (!selectedEngines.includes(name)) return 'not selected';
  return missingOf(name).length === 0 ? 'run' : underCI ? 'fail' : 'skip';
}

/**
 * One loud line per test run and engine, not per browser test file: every file is imported in its
 * own worker, so the first worker of this run (same parent process) claims a marker file.
 */
function announceMissing(name: EngineName): void {
  try {
    closeSync(openSync(join(tmpdir(), `webconnection-websocket-${name}-missing-${process.ppid}`), 'wx'));
  } catch {
    return;
  }
  const what = underCI ? 'its browser tests FAIL (CI=true)' : 'its browser tests are skipped';
  console.error(`\n!!!!!!!! ${ENGINES[name].label.toUpperCase()} MISSING (${missingOf(name).join(', ')}): ${what} — ${ENGINES[name].install} !!!!!!!!\n`);
}

/**
 * `describe()` once per engine, titled "<name> in <Engine>". An engine that is not installed is
 * skipped with the install command in the title; under CI=true it is replaced by one failing test
 * instead, so the run fails and the failure is counted once (a failing `beforeAll` would leave its
 * tests counted as skipped). Engines left out by ENGINES are skipped, saying so.
 * @example describeInEngines('chat demo', (engine) => { const ctx = useServerAndEngine(engine); it(...) });
 */
export function describeInEngines(name: string, body: (engine: EngineName) => void, engines: readonly EngineName[] = ALL_ENGINES): void {
  for (const engine of engines) {
    const { label, install } = ENGINES[engine];
    const title = `${name} in ${label}`;
    const mode = engineMode(engine);
    if (mode === 'run') describe(title, () => body(engine));
    else if (mode === 'not selected') describe.skip(`${title} (skipped: ENGINES=${process.env.ENGINES})`, () => body(engine));
    else {
      announceMissing(engine);
      const missing = `${label} is missing (${missingOf(engine).join(', ')})`;
      if (mode === 'skip') describe.skip(`${title} (skipped: ${missing}; ${install})`, () => body(engine));
      else describe(title, () => it(`needs ${label}`, () => {
        throw new Error(`${missing} and CI=true: ${install}`);
      }));
    }
  }
}

/**
 * Starts `engine` before the suite and stops it, with every page and context it has, after:
 * once per test file and engine, because a launch costs up to seconds. Read `ctx.engine` in tests.
 */
export function useEngine(engine: EngineName): { engine: Engine } {
  const ctx = {} as { engine: Engine };
  beforeAll(async () => {
    const started = Date.now();
    ctx.engine = await ENGINES[engine].launch();
    console.log(`${ENGINES[engine].label} ${ctx.engine.version} launched in ${Date.now() - started} ms`);
  });
  afterAll(async () => {
    await ctx.engine?.close();
  });
  return ctx;
}

/**
 * How long a browser test waits for something that takes milliseconds on an idle machine: a
 * 2-core CI machine running three engines and other suites at once can be seconds late.
 */
export const PAGE_WAIT_MS = 10_000;

/**
 * Polls `fn(...args)` in the page until it returns a truthy value, which it returns; fails after
 * `timeoutMs` with `what`. Polling, not page events, because WebDriver has none.
 */
export function waitInPage<A extends unknown[], R>(page: EnginePage, what: string, timeoutMs: number, fn: PageFunction<A, R>, ...args: A): Promise<Truthy<R>> {
  return waitFor(() => page.evaluate(fn, ...args), what, timeoutMs, 20);
}

let moduleScripts = 0;

/**
 * Adds `<script type="module">` with `source` to the page and resolves once it has run to its end
 * (a module runs after its imports load, and its `await`s after that: a test that polled a global
 * the script sets could otherwise read it before it exists). An error the page reports meanwhile
 * fails the call at once, with its message.
 */
export async function addModuleScript(page: EnginePage, source: string, timeoutMs = 10_000): Promise<void> {
  const id = `module-script-${++moduleScripts}`;
  type Marks = { moduleScriptsRun?: string[]; moduleScriptErrors?: string[] };
  const errorsBefore = await page.evaluate(
    (text, mark) => {
      const w = window as unknown as Marks;
      if (!w.moduleScriptErrors) {
        w.moduleScriptErrors = [];
        addEventListener('error', (e) => w.moduleScriptErrors!.push(String(e.message)));
      }
      const before = w.moduleScriptErrors.length;
      w.moduleScriptsRun ??= [];
      const script = document.createElement('script');
      script.type = 'module';
      script.textContent = `${text}\n;window.moduleScriptsRun.push(${JSON.stringify(mark)});`;
      document.head.append(script);
      return before;
    },
    source,
    id,
  );
  await waitInPage(page, `the module script ${id} to run`, timeoutMs, (mark: string, since: number) => {
    const w = window as unknown as Marks;
    const errors = w.moduleScriptErrors?.slice(since) ?? [];
    if (errors.length) throw new Error(`the module script failed: ${errors.join('; ')}`);
    return w.moduleScriptsRun?.includes(mark) ?? false;
  }, id, errorsBefore);
}
