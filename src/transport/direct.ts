import { ConnectError } from '../errors';
import { closeQuietly, describeClose, watchSocket, type SocketWatch } from './socket-watch';
import type { Transport, TransportFactory } from './transport';

/**
 * One plain WebSocket, no automatic reconnect: what `tryConnect(false)` asks for. `reconnect()`
 * still opens a new one on request.
 */
export const directTransport: TransportFactory = (config, events) => {
  let watch: SocketWatch | undefined;
  let stopped = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let generation = 0;
  let closedByClient = false;

  const connect = async () => {
    const mine = ++generation;
    let url: string;
    try {
      url = await config.url();
    } catch (cause) {
      events.error(new ConnectError(`The url option failed: ${String((cause as Error)?.message ?? cause).replace(/\.$/, '')}.`, undefined, { cause }));
      stopped = true;
      events.stop('the url option failed');
      return;
    }
    if (stopped || mine !== generation) return;
    const w = (watch = watchSocket(new config.WebSocket(url, config.protocols)));
    let timedOut = false;
    timer = setTimeout(() => {
      timedOut = true;
      closeQuietly(w.socket);
    }, config.reconnect.connectionTimeout);
    w.socket.addEventListener('open', () => {
      clearTimeout(timer);
      if (mine === generation) events.open();
    });
    w.socket.addEventListener('message', (ev) => {
      if (mine === generation) events.message(ev.data);
    });
    w.socket.addEventListener('close', (ev) => {
      clearTimeout(timer);
      if (mine !== generation) return;
      watch = undefined;
      const info = describeClose(w, timedOut ? { reason: 'timeout' } : ev, config.reconnect.connectionTimeout);
      events.close(info);
      stopped = true;
      events.stop(
        closedByClient
          ? 'closed by the client'
          : `${w.opened ? 'the connection closed' : 'the connection attempt failed'} with ${info.code}${info.reason ? ` (${info.reason})` : ''}; automatic reconnect is off`,
      );
    });
  };

  void connect();

  const transport: Transport = {
    get isOpen() {
      return !!watch && watch.opened && watch.socket.readyState === 1;
    },
    send(data) {
      if (!transport.isOpen) return false;
      watch!.socket.send(data);
      return true;
    },
    reconnect() {
      const old = watch;
      watch = undefined;
      generation++;
      clearTimeout(timer);
      closeQuietly(old?.socket, 4000, 'reconnecting');
      if (old?.opened) events.close({ code: 4000, reason: 'reconnect requested', wasClean: true, opened: true });
      stopped = closedByClient = false;
      void connect();
    },
    drop(reason) {
      if (stopped || !watch?.opened) return;
      const old = watch;
      watch = undefined;
      generation++;
      stopped = true;
      closeQuietly(old.socket, 4000, 'went silent');
      events.close({ code: 1006, reason, wasClean: false, opened: true });
      events.stop(`${reason}; automatic reconnect is off`);
    },
    close(code = 1000, reason = '') {
      if (stopped) return;
      if (watch?.opened) {
        // The close event follows and reports stop().
        closedByClient = true;
        closeQuietly(watch.socket, code, reason);
        return;
      }
      stopped = true;
      generation++;
      clearTimeout(timer);
      closeQuietly(watch?.socket);
      watch = undefined;
      events.stop('closed by the client');
    },
  };
  return transport;
};
