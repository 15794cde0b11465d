/** What a truthy check returned: `x && value` waits for `value`, typed without the `false`. */
export type Truthy<T> = Exclude<T, false | 0 | '' | null | undefined>;

/**
 * Polls `check` every `intervalMs` until it returns a truthy value or `timeoutMs` passes (then
 * throws with `what`).
 */
export async function waitFor<T>(check: () => T | Promise<T>, what: string, timeoutMs = 5000, intervalMs = 5): Promise<Truthy<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value as Truthy<T>;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/**
 * Lets `ms` pass so the caller can then assert that something did NOT happen (no reconnect, no
 * duplicate): a negative can only be shown by waiting. Never use it to wait for something to
 * happen: wait for that event with {@link waitFor}. A loaded machine can only make fewer things
 * happen in the period, so these checks cannot flake into failure.
 * @param why what must not happen, for the reader
 */
export const quietPeriod = (ms: number, why: string): Promise<string> => new Promise((r) => setTimeout(r, ms, why));
