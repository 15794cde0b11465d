import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { WebConnectionWebSocket, type Envelope } from '../../src/index';
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
  const socket = new WebConnectionWebSocket<Scoreboard>({ url, WebSocket });
  socket.tryConnect(true, group, user);
  cleanups.push(() => socket.close());
  return socket;
}

// The compile-time side of typed actions is in test/types/typed-actions.test-d.ts.
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
      got.scores.push(payload);
      got.messages.push(msg);
    });
    receiver.on('vote', (payload) => {
      got.votes.push(payload);
    });
    receiver.on('chat', (payload) => {
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
});
