import { ArgumentError } from './errors';
import { parseEnvelope, parseJson, serializeEnvelope, stringify } from './protocol/envelope';

/** What a codec made of one text frame. */
export interface Decoded {
  /** The dispatch key (`on(key, ...)`), or undefined when the codec has none (text). */
  key: string | undefined;
  /** What `onMessageHandler` receives. */
  message: unknown;
  /** What an `on(key)` handler receives as its first argument. */
  payload: unknown;
}

/**
 * Turns frames into messages and back. Three are built in: {@link webConnectionCodec} (default),
 * {@link jsonCodec} and {@link textCodec}; pass your own as `options.codec`.
 */
export interface Codec {
  readonly name: string;
  /** Reads a text frame; throws an `Error` whose message says what is wrong with it. */
  decode(text: string): Decoded;
  /** Writes an outgoing message as a text frame; throws an `ArgumentError` for a bad one. */
  encode(message: unknown): string;
  /** Builds the control message the heartbeat sends (e.g. `{"action":"ping"}`). */
  control(key: string): unknown;
}

/** A JSON document or array in `message` is parsed for typed handlers; any other text stays a string. */
export function decodePayload(text: string): unknown {
  if (/^\s*[[{]/.test(text)) {
    try {
      return JSON.parse(text);
    } catch {
      /* plain text that happens to start with a bracket */
    }
  }
  return text;
}

/** A payload for the envelope's `message` field: strings travel as they are, anything else as JSON. */
export const encodePayload = (payload: unknown): string =>
  typeof payload === 'string' ? payload : payload === undefined ? '' : stringify(payload);

/** The Web Connection envelope `{action, message, groupId, userId, recipients}` (the default). */
export const webConnectionCodec: Codec = {
  name: 'webconnection',
  decode(text) {
    const env = parseEnvelope(text);
    return { key: env.action, message: env, payload: decodePayload(env.message) };
  },
  encode: serializeEnvelope,
  control: (action) => ({ action, message: '', groupId: '', userId: '', recipients: [] }),
};

/**
 * JSON objects tagged by a discriminant field, e.g. WebSharper's `[<NamedUnionCases "type">]`
 * unions: `{"type":"int","Item":5}` dispatches to `on('int', ...)`.
 * @param discriminant the tag field. @default "type"
 */
export function jsonCodec(discriminant = 'type'): Codec {
  return {
    name: 'json',
    decode(text) {
      const value = parseJson(text);
      if (typeof value !== 'object' || value === null || Array.isArray(value)) {
        throw new Error(`expected a JSON object with a "${discriminant}" field`);
      }
      const key = (value as Record<string, unknown>)[discriminant];
      return { key: typeof key === 'string' ? key : undefined, message: value, payload: value };
    },
    encode(message) {
      if (typeof message !== 'object' || message === null) {
        throw new ArgumentError(`The json codec sends objects tagged with "${discriminant}", got ${typeof message}.`);
      }
      return stringify(message);
    },
    control: (key) => ({ [discriminant]: key }),
  };
}

/** Raw text frames, as an echo server sends them: handlers receive the string. */
export const textCodec: Codec = {
  name: 'text',
  decode: (text) => ({ key: undefined, message: text, payload: text }),
  encode: (message) => (typeof message === 'string' ? message : stringify(message)),
  control: (key) => key,
};

/** The names `options.codec` accepts besides a {@link Codec} object. */
export type CodecName = 'webconnection' | 'json' | 'text';

export function resolveCodec(codec: CodecName | Codec): Codec {
  if (typeof codec === 'object' && codec !== null) return codec;
  if (codec === 'webconnection') return webConnectionCodec;
  if (codec === 'json') return jsonCodec();
  if (codec === 'text') return textCodec;
  throw new ArgumentError(`Unknown codec ${JSON.stringify(codec)}: use "webconnection", "json", "text" or a Codec object.`);
}
