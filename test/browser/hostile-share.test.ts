import { beforeEach, expect, it } from 'vitest';
import { addModuleScript, describeInEngines, PAGE_WAIT_MS, useServerAndEngine, waitInPage, type EnginePage } from '../helpers/browser';
import type { EngineContext } from '../helpers/engines';
import { defaultOnWebSocket } from '../helpers/test-server';
import { useTabs } from '../helpers/share-tabs';
import { quietPeriod, waitFor } from '../helpers/wait';

/** Hostile review of tab sharing (issue 14): pages of one profile, the test server. */

/** Chat texts the server processed, with the connection and the time each came. */
const seen: { text: string; conn: number; at: number }[] = [];
const texts = (re: RegExp) => seen.filter((s) => re.test(s.text)).map((s) => s.text);

/** A page whose client shares with `sharedTransport(${share})` (source text), in `group` as `user`. */
async function sharingPage(context: EngineContext, url: string, user: string, share: string): Promise<EnginePage> {
  const page = await context.newPage();
  await page.goto(url);
  await addModuleScript(
    page,
    `
      const { WebConnectionWebSocket, sharedTransport } = await import('/dist/webconnection-websocket.min.js');
      window.roles = [];
      const s = new WebConnectionWebSocket({ reconnect: { minDelay: 50, maxDelay: 200 }, transport: sharedTransport({ ...(${share}), onRole: (r) => window.roles.push(r) }) });
      s.onOpenHandler = () => (window.opened = true);
      window.s = s;
      s.tryConnect(true, 'g', ${JSON.stringify(user)});`,
  );
  await waitInPage(page, 'the first open', PAGE_WAIT_MS, () => (window as unknown as { opened?: boolean }).opened === true);
  return page;
}

describeInEngines('hostile: sharing between tabs', (engine) => {
  const ctx = useServerAndEngine(engine, {
    rateLimit: false,
    onWebSocket(msg, c) {
      if (msg.action === 'broadcastchatmessage') seen.push({ text: msg.message, conn: c.sender.id, at: Date.now() });
      defaultOnWebSocket(msg, c);
    },
  });
  const tabs = useTabs(ctx);
  beforeEach(() => void (seen.length = 0));
  const clientsOf = (user: string) => ctx.server.clients().filter((c) => c.userId === user);

  it('H1 three tabs with key: (url) => url (the URL they connect to is the same) share one connection: the key sees no resume session id', async () => {
    const profile = await tabs.context();
    const pages = [];
    for (let i = 0; i < 3; i++) pages.push(await sharingPage(profile, ctx.server.url, 'keyed', '{ key: (url) => url }'));
    const roles = await Promise.all(pages.map((p) => p.evaluate(() => (window as unknown as { roles: string[] }).roles.join())));
    expect({ connections: clientsOf('keyed').length, roles }).toEqual({ connections: 1, roles: ['leader', 'follower', 'follower'] });
  });

  it('H7 a leader tab busy with a long task (3 s) holds up every follower until it is free (docs/sharing.md, limits): the message arrives once, nothing is lost', async () => {
    const profile = await tabs.context();
    const leader = await tabs.open(profile, ctx.server.url, { user: 'busy', group: 'busy' });
    const follower = await tabs.open(profile, ctx.server.url, { user: 'busy', group: 'busy' });
    expect(clientsOf('busy')).toHaveLength(1);
    // The follower sends as soon as the leader tab says its long task starts (a heavy render, a
    // sync XHR, an alert() or a debugger pause blocks it the same way).
    await follower.page.evaluate(() => {
      const w = window as unknown as { tab: { say(t: string): string }; sent?: { at: number; result: string } };
      new BroadcastChannel('hostile-busy').onmessage = () => (w.sent = { at: Date.now(), result: w.tab.say('while the leader is busy') });
    });
    const busy = 3000;
    void leader.page.evaluate((ms: number) => {
      new BroadcastChannel('hostile-busy').postMessage('busy from now');
      const end = Date.now() + ms;
      while (Date.now() < end);
    }, busy).catch(() => {});
    await waitInPage(follower.page, 'the send', 5000, () => (window as unknown as { sent?: unknown }).sent);
    const sent = await follower.page.evaluate(() => (window as unknown as { sent: { at: number; result: string } }).sent);
    // Within queueLimit, send() says 'sent' (the leader will take it); past it, it queues, then drops and reports (unit test H5).
    expect(sent.result).toBe('sent');
    await waitFor(() => texts(/^while the leader is busy$/).length === 1, 'the message at the server', 15_000);
    // The one socket lives in the busy tab: nothing goes out until it is free.
    const took = seen.find((s) => s.text === 'while the leader is busy')!.at - sent.at;
    expect(took).toBeGreaterThan(busy / 2);
    await quietPeriod(300, 'no second copy');
    expect(texts(/^while the leader is busy$/)).toHaveLength(1);
  });

  it('a follower tab closed mid-stream: the link stays for the others; what it sent arrives once, in order, a gapless prefix; the other stream is whole', async () => {
    const profile = await tabs.context();
    const leader = await tabs.open(profile, ctx.server.url, { user: 'fc', group: 'fc' });
    const [f0, f1] = [await tabs.open(profile, ctx.server.url, { user: 'fc', group: 'fc' }), await tabs.open(profile, ctx.server.url, { user: 'fc', group: 'fc' })];
    const [conn] = clientsOf('fc').map((c) => c.id);
    const upgrades = ctx.server.stats.upgrades;
    const N = 300;
    await Promise.all([f0.stream('c0', N, 4), f1.stream('c1', N, 4)]);
    await waitFor(() => texts(/^c0-/).length >= 30, 'the stream under way');
    await f0.page.close();
    await waitFor(() => texts(/^c1-/).length === N, "the other follower's stream", 15_000);
    const closed = texts(/^c0-/);
    expect(closed).toEqual(Array.from({ length: closed.length }, (_, i) => `c0-${i + 1}`));
    expect(texts(/^c1-/)).toEqual(Array.from({ length: N }, (_, i) => `c1-${i + 1}`));
    expect(clientsOf('fc').map((c) => c.id)).toEqual([conn]);
    expect(ctx.server.stats.upgrades).toBe(upgrades);
    // The server has them all; their echoes reach the leader's own client a moment later.
    const echoed = async () => (await leader.log()).received.filter((t) => t.startsWith('c1-'));
    await waitFor(async () => (await echoed()).length >= N, "the other follower's stream echoed to the leader", 10_000);
    expect(await echoed()).toEqual(Array.from({ length: N }, (_, i) => `c1-${i + 1}`));
  });
});
