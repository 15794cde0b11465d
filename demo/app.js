// @ts-check
/**
 * The chat demo: the vendor's Web Socket Chat sample, on this SDK, without jQuery.
 * Messages are rendered with textContent only, so HTML in a message shows as text and never runs.
 */
// @ts-ignore: served by the test server from dist/; its types come from the typedefs below.
import { WebConnectionWebSocket as SDKSocket } from '/dist/webconnection-websocket.min.js';

/** @typedef {import('../src/index').Envelope} Envelope */
/** @typedef {import('../src/index').StateChange} StateChange */
/** @typedef {import('../src/index').WebConnectionError} WebConnectionError */
/** @type {typeof import('../src/index').WebConnectionWebSocket} */
const WebConnectionWebSocket = SDKSocket;

/** @param {string} id */
const $ = (id) => /** @type {HTMLElement} */ (document.getElementById(id));
const user = /** @type {HTMLInputElement} */ ($('user'));
const group = /** @type {HTMLInputElement} */ ($('group'));
const text = /** @type {HTMLInputElement} */ ($('text'));
const send = /** @type {HTMLButtonElement} */ ($('send'));
const messages = $('messages');
const badge = $('badge');
const status = $('status');

user.value ||= `user-${Math.random().toString(36).slice(2, 6)}`;
group.value ||= 'lobby';

/** Who this page is connected as: the fields may be edited before the next Connect. */
let me = { userId: '', groupId: '' };

const socket = new WebConnectionWebSocket({ reconnect: { minDelay: 500, maxDelay: 5000 } });

/** @param {Envelope} msg */
socket.onMessageHandler = (msg) => {
  if (msg.action === 'broadcastchatmessage' && msg.message) addMessage(msg);
  else if (msg.action === 'error') showStatus(`server: ${msg.message}`, true);
};
socket.onErrorHandler = (/** @type {WebConnectionError} */ err) => showStatus(err.message, true);
socket.onOpenHandler = () => showStatus(`connected as ${me.userId} in ${me.groupId || '(no group)'}`);

/** @type {ReturnType<typeof setInterval> | undefined} */
let countdown;
/** @param {StateChange} change */
socket.onStateChange = ({ state, reason, retryAt }) => {
  clearInterval(countdown);
  badge.dataset.state = state;
  text.disabled = send.disabled = state === 'closed' || state === 'idle';
  if (state === 'reconnecting' && retryAt) {
    // The SDK says when the next attempt starts; the badge counts down to it.
    const tick = () => {
      const seconds = (retryAt - Date.now()) / 1000;
      badge.textContent = seconds >= 0.05 ? `reconnecting in ${seconds.toFixed(1)} s` : 'reconnecting…';
    };
    tick();
    countdown = setInterval(tick, 100);
  } else {
    badge.textContent = state === 'idle' ? 'not connected' : state;
  }
  if (state === 'closed' && reason) showStatus(`closed: ${reason}`, true);
  if (state === 'open') text.focus();
};

$('identity').addEventListener('submit', (ev) => {
  ev.preventDefault();
  me = { userId: user.value.trim(), groupId: group.value.trim() };
  // Same identity while connected: nothing happens; another one: the SDK reconnects with it.
  socket.tryConnect(true, me.groupId, me.userId);
});

$('composer').addEventListener('submit', (ev) => {
  ev.preventDefault();
  const value = text.value.trim();
  if (!value) return;
  // As in the vendor's sample: action + text, sender identity, and the group as recipient.
  const msg = socket.createBroadcastMessage('broadcastchatmessage', value);
  msg.userId = me.userId;
  msg.groupId = me.groupId;
  if (msg.groupId) msg.addRecipient(msg.groupId, 'group');
  const result = socket.send(msg);
  if (result === 'queued' && socket.state !== 'open') showStatus('offline: the message is queued and goes out on reconnect');
  text.value = '';
  text.focus();
});

/** @param {Envelope} msg */
function addMessage(msg) {
  const item = document.createElement('li');
  item.className = msg.userId && msg.userId === me.userId ? 'message this-user' : 'message';
  const header = document.createElement('p');
  header.className = 'message-header';
  const who = document.createElement('b');
  who.textContent = msg.userId || 'server';
  const time = document.createElement('time');
  time.textContent = new Date().toLocaleTimeString();
  header.append(who, time);
  const body = document.createElement('p');
  body.className = 'message-text';
  body.textContent = msg.message;
  item.append(header, body);
  messages.append(item);
  messages.scrollTop = messages.scrollHeight;
}

/** @param {string} message @param {boolean} [isError] */
function showStatus(message, isError = false) {
  status.textContent = message;
  status.classList.toggle('error', isError);
}

// Expose the socket for the browser tests and for curious developers in the console.
Object.assign(window, { chatSocket: socket });
