import { expect, it } from 'vitest';
import { describeInEngines, PAGE_WAIT_MS, useServerAndEngine, waitInPage } from '../helpers/browser';
import { openSdkPage } from '../helpers/sdk-page';
import { waitFor } from '../helpers/wait';

type ProbeWindow = { heard: unknown[] };

/** What the browser suites, and tab sharing across pages, ask of every engine's adapter. */
describeInEngines('the engine adapter', (name) => {
  const ctx = useServerAndEngine(name);

  it('pages of one context share storage, locks and a BroadcastChannel; a page of a second context shares none', async () => {
    const [a, b] = [await openSdkPage(ctx.engine, ctx.server), await openSdkPage(ctx.engine, ctx.server)];
    const other = await ctx.engine.newContext();
    const c = await openSdkPage(other, ctx.server);
    // Every page is in front: none is a hidden background tab with throttled timers.
    for (const { page } of [a, b, c]) expect(await page.evaluate(() => document.visibilityState)).toBe('visible');
    for (const { page } of [b, c]) {
      await page.evaluate(() => {
        (window as unknown as ProbeWindow).heard = [];
        new BroadcastChannel('probe').onmessage = (e) => (window as unknown as ProbeWindow).heard.push(e.data);
      });
    }
    // Held until the page goes away.
    await a.page.evaluate(() => void navigator.locks.request('held-by-a', () => new Promise(() => {})));
    await a.page.evaluate((text) => {
      localStorage.setItem('probe', text);
      new BroadcastChannel('probe').postMessage(text);
    }, 'from a');
    const heldLocks = () => navigator.locks.query().then((q) => (q.held ?? []).map((l) => l.name));

    expect(await waitInPage(b.page, 'the broadcast in b', PAGE_WAIT_MS, () => (window as unknown as ProbeWindow).heard[0])).toBe('from a');
    expect(await b.page.evaluate(() => localStorage.getItem('probe'))).toBe('from a');
    expect(await b.page.evaluate(heldLocks)).toEqual(['held-by-a']);
    expect(await c.page.evaluate(() => localStorage.getItem('probe'))).toBeNull();
    expect(await c.page.evaluate(heldLocks)).toEqual([]);
    // The broadcast reached b, in the same context: had c been in it, it would have been delivered too.
    expect(await c.page.evaluate(() => (window as unknown as ProbeWindow).heard)).toEqual([]);

    // A closed page lets go of its lock, and the pages beside it go on.
    await a.page.close();
    await waitInPage(b.page, 'the lock released', PAGE_WAIT_MS, async () => (await navigator.locks.query()).held?.length === 0);
    await other.close();
  });

  it('evaluate passes arguments and awaits a returned promise; errors() has what the page threw; a closed page drops its socket', async () => {
    const p = await openSdkPage(ctx.engine, ctx.server);
    expect(await p.page.evaluate((x: number, s: string) => Promise.resolve(`${s}${x + 1}`), 41, 'n=')).toBe('n=42');
    await p.page.evaluate(() => void setTimeout(() => {
      throw new Error('thrown by the page');
    }));
    await waitFor(async () => (await p.page.errors()).some((e) => e.includes('thrown by the page')), 'the page error');

    await p.run((h, url) => h.sockets[h.client({ url })]!.tryConnect(true, 'adapter', 'closing'), ctx.server.wsUrl);
    await waitFor(() => ctx.server.clients().some((c) => c.userId === 'closing'), 'the page connected');
    await p.page.close();
    await waitFor(() => !ctx.server.clients().some((c) => c.userId === 'closing'), 'the closed page to drop its socket');
  });
});
