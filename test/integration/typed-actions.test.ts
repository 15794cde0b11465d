import { afterEach, describe, expect, expectTypeOf, it } from 'vitest';
import { WebSocket } from 'ws';
import { WebConnectionWebSocket, type Envelope, type WebConnectionOptions } from '../../src/index';
import { connectRaw } from '../helpers/raw-client';
import { waitFor } from '../helpers/wait';
import { createTestServer, type TestServer } from '../server/index.mjs';

/** What the app's server sends and what the app sends back, action by action. */
interface Scoreboard {
  scores: { team: string; points: number }[];
  chat: string;
  vote: { option: number; voter: { id: string; tags: string[] } };
}

let server: TestServer | undefined;
const cleanups: (() => void)[] = [];
afterEach(async () => {
  cleanups.splice(0).forEach((c) => c());
  await server?.close();
  server = undefined;
});

function client(url: string, group: string, user: string) {
  const socket = new WebConnectionWebSocket<Scoreboard>({ url, WebSocket: WebSocket as unknown as WebConnectionOptions['WebSocket'] });
  socket.tryConnect(true, group, user);
  cleanups.push(() => socket.close());
  return socket;
}

describe('typed actions over a real server', () => {
  it('an object payload travels as a JSON string in message and comes back parsed, typed, to on() handlers', async () => {
    server = await createTestServer({ static: false });
    const sender = client(server.wsUrl, 'league', 'referee');
    const receiver = client(server.wsUrl, 'league', 'fan');
    const spy = await connectRaw(server.wsUrl, { groupId: 'league', userId: 'spy' });
    cleanups.push(() => spy.close());
    await waitFor(() => sender.state === 'open' && receiver.state === 'open', 'both open');

    const got: { scores: unknown[]; votes: unknown[]; chat: unknown[]; messages: Envelope[] } = { scores: [], votes: [], chat: [], messages: [] };
    receiver.on('scores', (payload, msg) => {
      expectTypeOf(payload).toEqualTypeOf<{ team: string; points: number }[]>();
      expectTypeOf(msg).toEqualTypeOf<Envelope<'scores' | 'chat' | 'vote'>>();
      got.scores.push(payload);
      got.messages.push(msg);
    });
    receiver.on('vote', (payload) => {
      expectTypeOf(payload.voter.tags).toEqualTypeOf<string[]>();
      got.votes.push(payload);
    });
    receiver.on('chat', (payload) => {
      expectTypeOf(payload).toBeString();
      got.chat.push(payload);
    });

    const scores = [{ team: 'Hood River', points: 3 }, { team: 'Maui', points: 1 }];
    const vote = { option: 2, voter: { id: 'v-1', tags: ['early', 'ünïcödé "quoted"'] } };
    const group = (msg: ReturnType<typeof sender.createBroadcastMessage>) => msg.addRecipient('league', 'group');
    expect(sender.send(group(sender.createBroadcastMessage('scores', scores)))).toBe('sent');
    expect(sender.send(group(sender.createBroadcastMessage('vote', vote)))).toBe('sent');
    expect(sender.send(group(sender.createBroadcastMessage('chat', 'plain text stays plain')))).toBe('sent');
    await waitFor(() => got.chat.length === 1, 'the chat');

    expect(got.scores).toEqual([scores]);
    expect(got.votes).toEqual([vote]);
    expect(got.chat).toEqual(['plain text stays plain']);
    // The whole message is the wire envelope, with message still a string.
    expect(got.messages[0]).toMatchObject({ action: 'scores', message: JSON.stringify(scores), groupId: 'league', userId: 'referee' });

    // On the wire (a bare ws client): message is a string holding JSON, as the vendor's server expects.
    const wire = await spy.next((m) => m.action === 'vote');
    expect(typeof wire.message).toBe('string');
    expect(JSON.parse(wire.message as string)).toEqual(vote);
    expect((await spy.next((m) => m.action === 'chat')).message).toBe('plain text stays plain');
  });

  it('the action maps are checked at compile time', () => {
    const socket = new WebConnectionWebSocket<Scoreboard, { vote: Scoreboard['vote'] }>({ url: 'ws://127.0.0.1:1/', WebSocket: WebSocket as never });
    const msg = socket.createBroadcastMessage('vote', { option: 1, voter: { id: 'x', tags: [] } });
    expectTypeOf(msg.action).toEqualTypeOf<'vote'>();
    expect(JSON.parse(msg.message)).toEqual({ option: 1, voter: { id: 'x', tags: [] } });
    expectTypeOf(socket.createBroadcastMessage).parameter(0).toEqualTypeOf<'vote'>();
    expectTypeOf(socket.on).parameter(0).toEqualTypeOf<'scores' | 'chat' | 'vote'>();
    // @ts-expect-error: 'scores' is incoming only
    socket.createBroadcastMessage('scores', []);
    // @ts-expect-error: a vote needs its voter
    socket.createBroadcastMessage('vote', { option: 1 });
    // @ts-expect-error: no such incoming action
    socket.on('votes', () => {});
    socket.on('chat', (payload) => {
      // @ts-expect-error: chat payloads are strings
      payload.toFixed();
    });
    // `message` is text: a number or boolean payload would come back as a string, so a map with one does not compile.
    // @ts-expect-error: payloads travel as text: a number or boolean would arrive as a string, so wrap it in an object
    new WebConnectionWebSocket<{ score: number }>({ url: 'ws://127.0.0.1:1/', WebSocket: WebSocket as never });
    new WebConnectionWebSocket<{ score: { points: number }; anything: unknown }>({ url: 'ws://127.0.0.1:1/', WebSocket: WebSocket as never });
    // Without maps every action and payload is allowed.
    const loose = new WebConnectionWebSocket({ url: 'ws://127.0.0.1:1/', WebSocket: WebSocket as never });
    expectTypeOf(loose.createBroadcastMessage('anything', { any: 'thing' }).action).toEqualTypeOf<'anything'>();
    loose.on('whatever', (payload) => expectTypeOf(payload).toBeUnknown());
  });
});
