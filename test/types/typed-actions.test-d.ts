import { describe, expectTypeOf, it } from 'vitest';
import { WebSocket } from 'ws';
import { WebConnectionWebSocket, type Envelope } from '../../src/index';

/** What the app's server sends and what the app sends back, action by action. */
interface Scoreboard {
  scores: { team: string; points: number }[];
  chat: string;
  vote: { option: number; voter: { id: string; tags: string[] } };
}
const url = 'ws://127.0.0.1:1/';

describe('typed actions (checked by tsc: vitest --typecheck)', () => {
  it('on() hands each action its payload type and the typed envelope', () => {
    const socket = new WebConnectionWebSocket<Scoreboard>({ url, WebSocket });
    socket.on('scores', (payload, msg) => {
      expectTypeOf(payload).toEqualTypeOf<{ team: string; points: number }[]>();
      expectTypeOf(msg).toEqualTypeOf<Envelope<'scores' | 'chat' | 'vote'>>();
    });
    socket.on('vote', (payload) => expectTypeOf(payload.voter.tags).toEqualTypeOf<string[]>());
    socket.on('chat', (payload) => {
      expectTypeOf(payload).toBeString();
      // @ts-expect-error: chat payloads are strings
      payload.toFixed();
    });
    // @ts-expect-error: no such incoming action
    socket.on('votes', () => {});
  });

  it('createBroadcastMessage() takes outgoing actions and their payloads only', () => {
    const socket = new WebConnectionWebSocket<Scoreboard, { vote: Scoreboard['vote'] }>({ url, WebSocket });
    const msg = socket.createBroadcastMessage('vote', { option: 1, voter: { id: 'x', tags: [] } });
    expectTypeOf(msg.action).toEqualTypeOf<'vote'>();
    expectTypeOf(socket.createBroadcastMessage).parameter(0).toEqualTypeOf<'vote'>();
    expectTypeOf(socket.on).parameter(0).toEqualTypeOf<'scores' | 'chat' | 'vote'>();
    // @ts-expect-error: 'scores' is incoming only
    socket.createBroadcastMessage('scores', []);
    // @ts-expect-error: a vote needs its voter
    socket.createBroadcastMessage('vote', { option: 1 });
    // @ts-expect-error: the payload of 'vote' is an object
    socket.createBroadcastMessage('vote', 'one');
  });

  it('a map with a number or boolean payload does not compile: it would arrive as a string', () => {
    // @ts-expect-error: payloads travel as text: a number or boolean would arrive as a string, so wrap it in an object
    new WebConnectionWebSocket<{ score: number }>({ url, WebSocket });
    new WebConnectionWebSocket<{ score: { points: number }; anything: unknown }>({ url, WebSocket });
  });

  it('without maps every action and payload is allowed', () => {
    const loose = new WebConnectionWebSocket({ url, WebSocket });
    expectTypeOf(loose.createBroadcastMessage('anything', { any: 'thing' }).action).toEqualTypeOf<'anything'>();
    loose.on('whatever', (payload) => expectTypeOf(payload).toBeUnknown());
  });
});
