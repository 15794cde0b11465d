/**
 * webconnection-websocket: a browser client for the West Wind Web Connection WebSocket protocol.
 * This file lists the whole public surface of the main entry. Opt-in features have entries of
 * their own: `webconnection-websocket/liveness`, `/network`, `/codecs` and `/share`.
 */
export { WebConnectionWebSocket } from './client';
export type { ActionMap, BinaryData, CloseEventLike, CloseReason, ConnectionState, Outgoing, PayloadMap, ResumeInfo, SendResult, StateChange } from './client';
export { WebConnectionMessage } from './message';
export type { Envelope } from './protocol/envelope';
export { parseEnvelope, serializeEnvelope } from './protocol/envelope';
export { RECIPIENT_TYPES } from './protocol/recipients';
export type { Recipient, RecipientType } from './protocol/recipients';
export { webConnectionCodec } from './protocol/codec';
export type { Codec } from './protocol/codec';
export { ArgumentError, ConnectError, DeliveryError, FrameError, InvalidStateError, QueueFullError, ReplayGapError, SilentLinkError, UnsentMessagesError, WebConnectionError, isWebConnectionError } from './errors';
export type { ReasonCode } from './errors';
export type { LivenessFeature, LivenessLink, Logger, ReconnectOptions, UrlProvider, WebConnectionOptions } from './options';
export { NO_RECONNECT_CODES, defaultShouldReconnect, fullJitterDelay } from './transport/policy';
export type { Decision, ReconnectPolicy } from './transport/policy';
export { reconnectingTransport } from './transport/reconnecting';
export type { CloseInfo, Frame, Sendable, Transport, TransportConfig, TransportEvents, TransportFactory, Wait, WebSocketConstructor, WebSocketLike } from './transport/types';
export type { NetworkSignals } from './network';
export type { HeartbeatOptions, LivenessOptions } from './liveness';
