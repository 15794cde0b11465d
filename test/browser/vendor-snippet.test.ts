import type { Page } from 'playwright-core';
import { expect, it } from 'vitest';
import { describeInChromium, useServerAndBrowser } from '../helpers/browser';

/**
 * The vendor's documented client code (seed 002 / docs/protocol.md), unchanged but for the import
 * line and the `url` option, as a page would run it.
 */
const vendorCode = (options: string, group: string, user: string, text: string) => `
import { WebConnectionWebSocket } from '/dist/webconnection-websocket.min.js';
window.received = [];
var socket = new WebConnectionWebSocket(${options});
socket.onMessageHandler = (msg) => {
    var action = msg.action;
    var message = msg.message;
    if (action == "broadcastchatmessage") { window.received.push(msg.userId + ": " + message); }
};
socket.onOpenHandler = (ev) => { window.opened = true; };
socket.onCloseHandler = (ev) => { };
socket.tryConnect(true, ${JSON.stringify(group)}, ${JSON.stringify(user)});
window.sendChat = () => {
    var msg = socket.createBroadcastMessage("broadcastchatmessage", ${JSON.stringify(text)});
    msg.userId = ${JSON.stringify(user)};
    msg.groupId = ${JSON.stringify(group)};
    if (${JSON.stringify(group)})
        msg.addRecipient(${JSON.stringify(group)}, 'group');
    socket.send(msg);
};
`;

describeInChromium("the vendor's client snippet in Chromium", () => {
  const ctx = useServerAndBrowser();

  async function page(options: string, user: string, text: string): Promise<Page> {
    const p = await ctx.browser.newPage();
    await p.goto(ctx.server.url); // any page of the app: the default URL resolves against it
    await p.addScriptTag({ type: 'module', content: vendorCode(options, 'vendor-room', user, text) });
    await p.waitForFunction(() => (window as { opened?: boolean }).opened === true, null, { timeout: 5000 });
    return p;
  }

  it('runs unchanged with only a url option (and with none at all) and two pages exchange messages', async () => {
    const rick = await page(`{ url: ${JSON.stringify(ctx.server.wsUrl)} }`, 'rick', 'hello from rick');
    const markus = await page('', 'markus', 'hello from markus');
    await rick.evaluate(() => (window as unknown as { sendChat(): void }).sendChat());
    await markus.evaluate(() => (window as unknown as { sendChat(): void }).sendChat());
    for (const p of [rick, markus]) {
      await p.waitForFunction(() => (window as unknown as { received: string[] }).received.length === 2, null, { timeout: 5000 });
      expect(await p.evaluate(() => (window as unknown as { received: string[] }).received)).toEqual(['rick: hello from rick', 'markus: hello from markus']);
    }
    await Promise.all([rick.close(), markus.close()]);
  });
});
