import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { afterEach } from 'vitest';
import { forkTestServer, type ForkedServer } from './forked-server.mjs';
import { SERVER_CLI, type TestServerOptions } from './test-server';

/** The CLI server as a separate process, so a test can SIGKILL it. */
export interface ServerProcess {
  child: ChildProcess;
  port: number;
  url: string;
  wsUrl: string;
  kill(signal?: NodeJS.Signals): Promise<void>;
}

export async function startServerProcess(port = 0, args: string[] = []): Promise<ServerProcess> {
  const child = spawn(process.execPath, [SERVER_CLI, '--port', String(port), ...args], { stdio: ['ignore', 'pipe', 'ignore'] });
  const line = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the server process did not start within 10 s')), 10_000);
    createInterface({ input: child.stdout! }).once('line', (l) => (clearTimeout(timer), resolve(l)));
    child.once('exit', (code) => (clearTimeout(timer), reject(new Error(`the server process exited with ${code}`))));
  });
  const url = line.replace('listening on ', '');
  const actual = Number(new URL(url).port);
  return {
    child,
    port: actual,
    url,
    wsUrl: `${url.replace(/^http/, 'ws')}__initializeSocket.wc`,
    kill: (signal = 'SIGKILL') =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill(signal);
      }),
  };
}

/**
 * For a test file: `start(options)` forks the test server into its own process (see
 * forked-server.mjs); every server started is closed, or killed, after each test.
 */
export function useForkedServers() {
  const started: ForkedServer[] = [];
  afterEach(async () => {
    await Promise.all(started.splice(0).map((s) => s.close()));
  });
  return {
    async start(options: TestServerOptions = {}): Promise<ForkedServer> {
      const server = await forkTestServer(options);
      started.push(server);
      return server;
    },
  };
}
