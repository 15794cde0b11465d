// @ts-check
/**
 * The chat demo: the vendor's Web Socket Chat sample, on this SDK, without jQuery.
 * Messages are rendered with textContent only, so HTML in a message shows as text and never runs.
 */
import { WebConnectionWebSocket, networkSignals, sharedTransport } from './sdk.js';

/** @typedef {import('./sdk.js').Envelope} Envelope */
/** @typedef {import('./sdk.js').StateChange} StateChange */
/** @typedef {import('./sdk.js').WebConnectionError} WebConnectionError */

/** @param {string} id */
const $ = (id) => /** @type {HTMLElement} */ (document.getElementById(id));
const user = /** @type {HTMLInputElement} */ ($('user'));
const group = /** @type {HTMLInputElement} */ ($('group'));
const share = /** @type {HTMLInputElement} */ ($('share'));
const connect = /** @type {HTMLButtonElement} */ ($('connect'));
const text = /** @type {HTMLInputElement} */ ($('text'));
const send = /** @type {HTMLButtonElement} */ ($('send'));
const messages = $('messages');
const badge = $('badge');
const status = $('status');
const announce = $('announce');

user.value ||= `user-${Math.random().toString(36).slice(2, 6)}`;
group.value ||= 'lobby';
// Remembered, so the next tab opened shares too.
const SHARE_KEY = 'webconnection-websocket-demo:share';
share.checked = localStorage.getItem(SHARE_KEY) === '1';
share.addEventListener('change', () => localStorage.setItem(SHARE_KEY, share.checked ? '1' : '0'));

/** Who this page is connected as: the fields may be edited before the next Connect. */
let me = { userId: '', groupId: '' };
/** Set by Disconnect, so the close it causes is not reported as a failure. */
let closedByUser = false;
/** The server's history and the live messages overlap after a reconnect: what is shown, by server time. */
const shown = new Set();

/** Who holds this page's link when shared: this tab (`leader`) or another (`follower`); `alone` otherwise. */
let role = 'alone';
let sharing = share.checked;
/** @type {ReturnType<typeof createSocket>} */
let socket = createSocket(sharing);

/**
 * A client with the page's handlers; with `shared`, the tabs of this browser that connect as the
 * same user in the same group use one connection.
 * @param {boolean} shared
 */
function createSocket(shared) {
  role = 'alone';
  sharing = shared;
  // Back online or back in front: the next attempt goes at once instead of waiting out the backoff.
  const s = new WebConnectionWebSocket({
    reconnect: { minDelay: 500, maxDelay: 5000 },
    network: networkSignals(),
    transport: shared ? sharedTransport({ onRole: roleChanged }) : undefined,
  });
  /** @param {Envelope} msg */
  s.onMessageHandler = (msg) => {
    if (msg.action === 'broadcastchatmessage' && msg.message) addMessage(msg);
    else if (msg.action === 'initialmessages') addHistory(msg.message);
    else if (msg.action === 'error') showStatus(`server: ${msg.message}`, true);
  };
  s.onErrorHandler = (/** @type {WebConnectionError} */ err) => showStatus(err.message, true);
  s.onOpenHandler = () => showStatus(`connected as ${me.userId} in ${me.groupId || '(no group)'}`);
  s.onStateChange = stateChanged;
  // Exposed for the browser tests and for curious developers in the console.
  Object.assign(window, { chatSocket: s });
  return s;
}

const LINKED = ['connecting', 'open', 'reconnecting'];
/** The badge in words a person reads; `reconnecting` counts down instead. @type {Record<string, string>} */
const WORDS = { idle: 'not connected', connecting: 'connecting…', open: 'connected', closed: 'disconnected' };
/** How an open shared link is held, as the badge says it. @type {Record<string, string>} */
const HELD = { leader: 'connected (leader)', follower: 'connected via another tab' };
/** @type {ReturnType<typeof setInterval> | undefined} */
let countdown;
/** A shared link changed hands: the badge says who holds it. @param {string} r */
function roleChanged(r) {
  role = r;
  badge.dataset.role = r;
  if (socket.state === 'open') setBadge(HELD[r] ?? WORDS.open);
}

/** @param {StateChange} change */
function stateChanged({ state, previous, reason, retryAt }) {
  clearInterval(countdown);
  badge.dataset.state = state;
  text.disabled = send.disabled = !LINKED.includes(state);
  updateConnectButton();
  if (state === 'reconnecting' && retryAt) {
    // The SDK says when the next attempt starts; the badge counts down to it in whole seconds.
    const tick = () => {
      const seconds = Math.ceil((retryAt - Date.now()) / 1000);
      setBadge(seconds > 0 ? `reconnecting in ${seconds} s` : 'reconnecting…');
    };
    tick();
    countdown = setInterval(tick, 200);
  } else {
    setBadge((state === 'open' && HELD[role]) || (WORDS[state] ?? state));
  }
  if (state === 'reconnecting' && previous === 'open') {
    const line = 'connection lost: reconnecting; messages you send wait here';
    showStatus(line, true);
    announce.textContent = line;
  }
  if (state === 'open' && previous === 'reconnecting') announce.textContent = 'connected again';
  if (state === 'closed' && reason && !closedByUser) showStatus(`offline: ${reason}`, true);
  if (state === 'open') text.focus();
}

/** Set only on change, so a screen reader or an observer hears each new text once. @param {string} value */
function setBadge(value) {
  if (badge.textContent !== value) badge.textContent = value;
}

const sameIdentity = () => user.value.trim() === me.userId && group.value.trim() === me.groupId;
/** Connected (or trying to be) as the identity in the fields: the button disconnects; otherwise it connects. */
function updateConnectButton() {
  connect.textContent = LINKED.includes(socket.state) && sameIdentity() ? 'Disconnect' : 'Connect';
}
user.addEventListener('input', updateConnectButton);
group.addEventListener('input', updateConnectButton);

$('identity').addEventListener('submit', (ev) => {
  ev.preventDefault();
  if (connect.textContent === 'Disconnect') {
    closedByUser = true;
    socket.close();
    showStatus(socket.queued ? `disconnected: ${waiting(socket.queued)} until you connect again` : 'disconnected');
    return;
  }
  closedByUser = false;
  // Sharing is chosen when the client is made: another choice makes another client.
  if (share.checked !== sharing) {
    socket.onStateChange = null;
    socket.close();
    socket = createSocket(share.checked);
  }
  const next = { userId: user.value.trim(), groupId: group.value.trim() };
  // Another room: its history replaces what this one said.
  if (next.groupId !== me.groupId) {
    messages.replaceChildren();
    shown.clear();
  }
  me = next;
  // Another identity while connected: the SDK reconnects with it.
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
  if (result === 'queued' && socket.state !== 'open') showStatus(`offline: ${waiting(socket.queued)} here and goes out when the link is back`);
  else if (result === 'dropped') showStatus('offline and the queue is full: this message was not sent', true);
  text.value = '';
  text.focus();
});

/** @param {number} n */
const waiting = (n) => (n === 1 ? '1 message waits' : `${n} messages wait`);

/**
 * The server's last messages for this group (a JSON array of envelopes, as in the vendor's
 * sample), less those already on screen.
 * @param {string} json
 */
function addHistory(json) {
  /** @type {unknown} */
  let list;
  try {
    list = JSON.parse(json);
  } catch {
    return showStatus('server: initialmessages is not a JSON array', true);
  }
  if (!Array.isArray(list)) return;
  for (const msg of list) {
    if (msg && msg.action === 'broadcastchatmessage' && typeof msg.message === 'string' && msg.message) addMessage(msg);
  }
}

/** @param {Envelope} msg */
function addMessage(msg) {
  const sentAt = typeof msg.time === 'string' ? msg.time : undefined;
  if (sentAt) {
    const key = `${sentAt}\n${msg.userId}\n${msg.message}`;
    if (shown.has(key)) return;
    shown.add(key);
  }
  const item = document.createElement('li');
  item.className = msg.userId && msg.userId === me.userId ? 'message this-user' : 'message';
  const header = document.createElement('p');
  header.className = 'message-header';
  const who = document.createElement('b');
  who.textContent = msg.userId || 'server';
  const time = document.createElement('time');
  const when = sentAt ? new Date(sentAt) : new Date();
  time.dateTime = when.toISOString();
  time.textContent = when.toLocaleTimeString();
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

