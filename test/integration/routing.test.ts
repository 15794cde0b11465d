import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RecipientType } from '../../src/index';
import { recordingClient, type RecordingClient } from '../helpers/sdk-client';
import { createTestServer, type TestServer } from '../server/index.mjs';

// The SDK against the real server: every recipient type alone and combined, each connection at most once.
describe('routing through the SDK and the test server', () => {
  let server: TestServer;
  const people: Record<string, RecordingClient> = {};
  const identities = { a: ['g1', 'u1'], b: ['g1', 'u2'], c: ['g2', 'u3'], d: ['g2', 'u4'] } as const;

  beforeAll(async () => {
    server = await createTestServer({ rateLimit: false });
    for (const [name, [group, user]] of Object.entries(identities)) {
      people[name] = recordingClient(server.wsUrl);
      people[name].socket.tryConnect(true, group, user);
    }
    for (const p of Object.values(people)) await p.waitForState('open');
  });
  afterAll(async () => {
    for (const p of Object.values(people)) p.socket.close();
    await server.close();
  });

  let n = 0;
  it.each<[string, [string, RecipientType][], string[]]>([
    ['nobody named: everybody, sender included', [], ['a', 'b', 'c', 'd']],
    ['group', [['g2', 'group']], ['c', 'd']],
    ['user', [['u2', 'user']], ['b']],
    ['allButUser', [['u1', 'allButUser']], ['b', 'c', 'd']],
    ['allButGroup', [['g1', 'allButGroup']], ['c', 'd']],
    ['group + user', [['g1', 'group'], ['u4', 'user']], ['a', 'b', 'd']],
    ['group + allButUser', [['g2', 'group'], ['u3', 'allButUser']], ['d']],
    ['user + user + group overlap (once each)', [['u1', 'user'], ['u1', 'user'], ['g1', 'group']], ['a', 'b']],
    ['allButUser + allButGroup', [['u4', 'allButUser'], ['g1', 'allButGroup']], ['c']],
  ])('%s', async (_name, recipients, expected) => {
    const action = `route-${++n}`;
    const msg = people.a!.socket.createBroadcastMessage(action, 'x');
    for (const [value, type] of recipients) msg.addRecipient(value, type);
    expect(people.a!.socket.send(msg)).toBe('sent');
    // A marker to everybody, sent after: once it arrived, the routed message has too (if it was coming).
    const marker = `${action}-marker`;
    people.a!.socket.send(people.a!.socket.createBroadcastMessage(marker, ''));
    for (const p of Object.values(people)) await p.waitFor(marker);
    const got = Object.entries(people).filter(([, p]) => p.messages.some((m) => m.action === action)).map(([name]) => name);
    expect(got).toEqual(expected);
    for (const p of Object.values(people)) expect(p.messages.filter((m) => m.action === action).length).toBeLessThanOrEqual(1);
  });
});
