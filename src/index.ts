/**
 * webconnection-websocket: a browser client for the West Wind Web Connection WebSocket protocol.
 * This file lists the whole public surface.
 */
export { WebConnectionWebSocket } from './client';
export type { ActionMap, BinaryData, CloseEventLike, ConnectionState, Outgoing, PayloadMap, SendResult, StateChange } from './client';
export { WebConnectionMessage } from './message';
export type { Envelope } from './protocol/envelope';
export { parseEnvelope, serializeEnvelope } from './protocol/envelope';
export { RECIPIENT_TYPES } from './protocol/recipients';
export type { Recipient, RecipientType } from './protocol/recipients';
export { jsonCodec, textCodec, webConnectionCodec } from './codecs';
export type { Codec, CodecName, Decoded } from './codecs';
export { ArgumentError, ConnectError, FrameError, InvalidStateError, QueueFullError, WebConnectionError, isWebConnectionError } from './errors';
export type { CloseInfo, HeartbeatOptions, ReconnectOptions, UrlProvider, WebConnectionOptions, WebSocketConstructor } from './options';
export { NO_RECONNECT_CODES } from './options';
export { fullJitterDelay, defaultShouldReconnect } from './transport/backoff';
export { reconnectingTransport } from './transport/reconnecting';
export { directTransport } from './transport/direct';
export type { Frame, Transport, TransportConfig, TransportEvents, TransportFactory } from './transport/transport';
