/**
 * A W3C WebDriver (classic, over HTTP) session with just the commands the engine adapter uses.
 * Every request is bounded in time; a driver error becomes an Error naming the command.
 */
export interface WebDriverSession {
  /** Sends one command of this session, e.g. ('POST', '/url', { url }), and returns its value. */
  command<T = unknown>(method: 'GET' | 'POST' | 'DELETE', path: string, body?: object): Promise<T>;
  /** The session's capabilities as the driver reported them (browserName, browserVersion...). */
  capabilities: Record<string, unknown>;
  delete(): Promise<void>;
}

/** W3C's key code for Enter (the WebDriver spec's table of special keys). */
export const ENTER_KEY = '\uE007';
/** The key a W3C element reference is stored under. */
export const ELEMENT_KEY = 'element-6066-11e4-a52e-4f735466cecf';

async function request<T>(method: string, url: string, body: object | undefined, timeoutMs: number): Promise<T> {
  const res = await fetch(url, {
    method,
    headers: body ? { 'content-type': 'application/json' } : {},
    body: body ? JSON.stringify(body) : undefined,
    signal: AbortSignal.timeout(timeoutMs),
  });
  const json = (await res.json()) as { value: T & { error?: string; message?: string } };
  if (!res.ok) throw new Error(`WebDriver ${method} ${new URL(url).pathname}: ${json.value?.error ?? res.status}: ${json.value?.message ?? ''}`);
  return json.value;
}

/** Waits until the driver at `base` answers /status ready; fails at once when `alive()` says it is gone. */
export async function waitForDriver(base: string, timeoutMs: number, alive: () => boolean): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ready = await request<{ ready?: boolean }>('GET', `${base}/status`, undefined, 1000).then((v) => v.ready, () => false);
    if (ready) return;
    if (!alive()) throw new Error(`the WebDriver for ${base} exited before it was ready`);
    if (Date.now() > deadline) throw new Error(`the WebDriver at ${base} was not ready within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/**
 * Opens a session. `commandTimeoutMs` bounds every later command: a page that hangs a script must
 * fail the test, not the whole run.
 */
export async function newSession(base: string, capabilities: object, timeoutMs: number, commandTimeoutMs = 30_000): Promise<WebDriverSession> {
  const { sessionId, capabilities: caps } = await request<{ sessionId: string; capabilities: Record<string, unknown> }>(
    'POST',
    `${base}/session`,
    { capabilities: { alwaysMatch: capabilities } },
    timeoutMs,
  );
  const url = `${base}/session/${sessionId}`;
  return {
    capabilities: caps,
    command: (method, path, body) => request(method, url + path, body ?? (method === 'POST' ? {} : undefined), commandTimeoutMs),
    delete: () => request('DELETE', url, undefined, 5000).then(() => undefined),
  };
}
