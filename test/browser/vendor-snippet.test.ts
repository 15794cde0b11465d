import { expect, it } from 'vitest';
import { addModuleScript, describeInEngines, PAGE_WAIT_MS, useServerAndEngine, waitInPage, type EnginePage } from '../helpers/browser';

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

type VendorWindow = { received: string[]; sendChat(): void; opened?: boolean };

describeInEngines("the vendor's client snippet", (engine) => {
  const ctx = useServerAndEngine(engine);

  async function page(options: string, user: string, text: string): Promise<EnginePage> {
    const p = await ctx.engine.newPage();
    await p.goto(`${ctx.server.url}sdk-page/`); // any page of the app: the default URL resolves against it
    await addModuleScript(p, vendorCode(options, 'vendor-room', user, text));
    await waitInPage(p, 'the vendor socket open', PAGE_WAIT_MS, () => (window as unknown as VendorWindow).opened === true);
    return p;
  }

  it('runs unchanged with only a url option (and with none at all) and two pages exchange messages', async () => {
    const rick = await page(`{ url: ${JSON.stringify(ctx.server.wsUrl)} }`, 'rick', 'hello from rick');
    const markus = await page('', 'markus', 'hello from markus');
    await rick.evaluate(() => (window as unknown as VendorWindow).sendChat());
    await waitInPage(markus, "rick's message", PAGE_WAIT_MS, () => (window as unknown as VendorWindow).received.length === 1);
    await markus.evaluate(() => (window as unknown as VendorWindow).sendChat());
    for (const p of [rick, markus]) {
      await waitInPage(p, 'both messages', PAGE_WAIT_MS, () => (window as unknown as VendorWindow).received.length === 2);
      expect(await p.evaluate(() => (window as unknown as VendorWindow).received)).toEqual(['rick: hello from rick', 'markus: hello from markus']);
    }
    await Promise.all([rick.close(), markus.close()]);
  });
});
