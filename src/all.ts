/**
 * Everything in one module: the entry of the self-contained `dist/webconnection-websocket.min.js`
 * (`webconnection-websocket/browser`), for a page that imports the SDK without a bundler.
 */
export * from './index';
export { liveness } from './liveness';
export { networkSignals } from './network';
export { jsonCodec, textCodec } from './codecs';
export { sharedTransport } from './share';
export type { ShareOptions, ShareRole } from './share';
