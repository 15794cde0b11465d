/**
 * `webconnection-websocket/codecs`: codecs for servers that do not speak the Web Connection
 * envelope. Opt-in, so code that does not need them does not ship them.
 * @example
 * import { jsonCodec } from 'webconnection-websocket/codecs';
 * const socket = new WebConnectionWebSocket({ codec: jsonCodec('type') });
 */
import { ArgumentError } from './errors';
import type { Codec } from './protocol/codec';
import { parseJson, stringify } from './protocol/envelope';

/**
 * JSON objects tagged by a discriminant field, e.g. WebSharper's `[<NamedUnionCases "type">]`
 * unions: `{"type":"int","Item":5}` dispatches to `on('int', ...)`, whose handler gets the object.
 * @param discriminant the tag field. @default "type"
 */
export function jsonCodec(discriminant = 'type'): Codec {
  return {
    name: 'json',
    decode(text) {
      const value = parseJson(text);
      if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error(`expected a JSON object with a "${discriminant}" field`);
      return value;
    },
    key: (m) => {
      const key = (m as Record<string, unknown>)[discriminant];
      return typeof key === 'string' ? key : undefined;
    },
    payload: (m) => m,
    encode(message) {
      if (typeof message !== 'object' || message === null) throw new ArgumentError(`The json codec sends objects tagged with "${discriminant}", got ${typeof message}.`);
      return stringify(message);
    },
    control: (key) => ({ [discriminant]: key }),
  };
}

/** Raw text frames, as an echo server sends them: `onMessageHandler` receives the string; there are no actions to dispatch on. */
export const textCodec: Codec = {
  name: 'text',
  decode: (text) => text,
  key: () => undefined,
  payload: (m) => m,
  encode: (message) => (typeof message === 'string' ? message : stringify(message)),
  control: (key) => key,
};
