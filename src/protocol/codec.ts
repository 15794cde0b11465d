import { parseEnvelope, serializeEnvelope, stringify, type Envelope } from './envelope';

/**
 * Turns frames into messages and back. The Web Connection envelope is built in
 * ({@link webConnectionCodec}, the default); `jsonCodec()` and `textCodec` come from
 * `webconnection-websocket/codecs`; pass your own as `options.codec`.
 */
export interface Codec {
  readonly name: string;
  /** Reads a text frame into what `onMessageHandler` receives; throws an `Error` whose message says what is wrong with it. */
  decode(text: string): unknown;
  /** The dispatch key of a decoded message (`on(key, ...)`), or undefined when it has none. */
  key(message: unknown): string | undefined;
  /** What an `on(key)` handler receives as its first argument. Called only when such a handler exists. */
  payload(message: unknown): unknown;
  /** Writes an outgoing message as a text frame; throws an `ArgumentError` for a bad one. */
  encode(message: unknown): string;
  /** Builds the control message the heartbeat sends (e.g. `{"action":"ping"}`). */
  control(key: string): unknown;
}

/** A JSON document or array in `message` is parsed for typed handlers; any other text stays a string. */
export function decodePayload(text: string): unknown {
  const c = text.charCodeAt(0);
  // '{' or '[' first (JSON.parse allows leading whitespace, which a payload seldom has).
  if (c === 123 || c === 91 || /^\s+[[{]/.test(text)) {
    try {
      return JSON.parse(text);
    } catch {
      /* plain text that happens to start with a bracket */
    }
  }
  return text;
}

/** A payload for the envelope's `message` field: strings travel as they are, `undefined` as "", anything else as JSON. */
export const encodePayload = (payload: unknown): string =>
  typeof payload === 'string' ? payload : payload === undefined ? '' : stringify(payload);

/** The Web Connection envelope `{action, message, groupId, userId, recipients}` (the default). */
export const webConnectionCodec: Codec = {
  name: 'webconnection',
  decode: parseEnvelope,
  key: (m) => (m as Envelope).action,
  payload: (m) => decodePayload((m as Envelope).message),
  encode: serializeEnvelope,
  control: (action) => ({ action, message: '', groupId: '', userId: '', recipients: [] }),
};
