// @ts-check
/**
 * The keep-alive habits of other servers, so the SDK can be tried against them: a tick to
 * everyone (seed 001, the Go AppServer, every 30 s), and a ping data message with an idle timeout
 * (seed 004, Sisk).
 */

/** @typedef {import('./hub.mjs').Hub} Hub */

/**
 * @param {Hub} hub
 * @param {{ tickSeconds: number, ping?: { intervalSeconds: number, idleTimeoutSeconds?: number } }} options
 * @returns {() => void} stops the timers
 */
export function startKeepAlive(hub, { tickSeconds, ping }) {
  /** @type {ReturnType<typeof setInterval>[]} */
  const timers = [];
  if (tickSeconds) {
    timers.push(setInterval(() => hub.broadcast({ action: 'tick', message: new Date().toISOString() }), tickSeconds * 1000));
  }
  if (ping) {
    const { intervalSeconds, idleTimeoutSeconds } = ping;
    timers.push(
      setInterval(() => {
        const now = Date.now();
        for (const c of hub.live()) {
          if (idleTimeoutSeconds && now - c.lastSeen > idleTimeoutSeconds * 1000) c.socket.close(4408, `idle timeout: nothing received for ${idleTimeoutSeconds} s`);
          else hub.sendTo(c, { action: 'ping' });
        }
      }, intervalSeconds * 1000),
    );
  }
  return () => timers.forEach(clearInterval);
}
