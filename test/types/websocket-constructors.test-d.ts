import { WebSocket as MockWebSocket } from 'mock-socket';
import { describe, expectTypeOf, it } from 'vitest';
import { WebSocket as NodeWebSocket } from 'ws';
import { WebConnectionWebSocket, type WebConnectionOptions, type WebSocketConstructor } from '../../src/index';

describe('the WebSocket option takes real constructors without a cast (checked by tsc)', () => {
  it('the ws package on Node, as the README shows', () => {
    const socket = new WebConnectionWebSocket({ url: 'ws://localhost:5200/__initializeSocket.wc', WebSocket: NodeWebSocket });
    expectTypeOf(socket.state).toEqualTypeOf<'idle' | 'connecting' | 'open' | 'reconnecting' | 'closed'>();
  });

  it("the browser's WebSocket and mock-socket's", () => {
    expectTypeOf(globalThis.WebSocket).toMatchTypeOf<WebSocketConstructor>();
    const options: WebConnectionOptions = { WebSocket: MockWebSocket };
    expectTypeOf(options.WebSocket).toEqualTypeOf<WebSocketConstructor | undefined>();
  });

  it('but not any constructor', () => {
    // @ts-expect-error: a Date is no WebSocket
    new WebConnectionWebSocket({ WebSocket: Date });
  });
});
