import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';

/**
 * A child process started in a process group of its own, so that stopping it also stops what it
 * started (WebKitWebDriver starts MiniBrowser, which starts WebKit's web and network processes).
 */
export interface OwnedProcess {
  child: ChildProcess;
  /** SIGTERM to the whole group, SIGKILL if it is still there after `graceMs`; resolves once it exited. */
  stop(graceMs?: number): Promise<void>;
}

const running = new Set<ChildProcess>();
// A worker that dies between a test's start and its teardown still takes its groups along.
process.once('exit', () => running.forEach((child) => killGroup(child, 'SIGKILL')));

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  try {
    process.kill(-child.pid!, signal);
  } catch {
    /* the group is gone already */
  }
}

export function spawnOwned(command: string, args: string[], options: SpawnOptions = {}): OwnedProcess {
  const child = spawn(command, args, { stdio: 'ignore', ...options, detached: true });
  running.add(child);
  const exited = new Promise<void>((resolve) => {
    child.once('exit', () => resolve());
    child.once('error', () => resolve());
  });
  void exited.then(() => {
    running.delete(child);
    // Its own children may outlive it: the group goes too.
    killGroup(child, 'SIGKILL');
  });
  return {
    child,
    async stop(graceMs = 3000) {
      if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return exited;
      killGroup(child, 'SIGTERM');
      const timer = setTimeout(() => killGroup(child, 'SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
}
