// @ts-check
/**
 * The SDK as the demo uses it, from one place: the built browser bundle the test server serves at
 * /dist/ (what a page without a bundler loads), typed by the package's own declarations.
 */
// @ts-ignore: a URL on the test server, not a module TypeScript can resolve; typed just below.
import * as built from '/dist/webconnection-websocket.min.js';

/** @type {typeof import('webconnection-websocket/browser')} */
const sdk = built;

export const { WebConnectionWebSocket, networkSignals, sharedTransport } = sdk;
/** @typedef {import('webconnection-websocket').Envelope} Envelope */
/** @typedef {import('webconnection-websocket').StateChange} StateChange */
/** @typedef {import('webconnection-websocket').WebConnectionError} WebConnectionError */
