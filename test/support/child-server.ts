import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export interface ChildServer {
  origin: string;
  pid: number;
  /** Resident memory of the server process, in MiB. */
  rssMiB(): number;
  /** Graceful: SIGTERM, in-flight requests finish. */
  stop(): Promise<void>;
  /** A crash: SIGKILL, nothing finishes. */
  kill(): Promise<void>;
}

function waitForListening(child: ChildProcess, pattern: RegExp, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => reject(new Error(`server did not start in ${timeoutMs} ms:\n${output}`)), timeoutMs);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = pattern.exec(output);
      if (match) {
        clearTimeout(timer);
        child.stdout?.off('data', onData);
        child.stderr?.off('data', onData);
        resolve(match[1]!);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    // Keep draining after start, so a chatty server never blocks on a full pipe.
    child.stdout?.resume();
    child.stderr?.resume();
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}:\n${output}`));
    });
  });
}

function childServer(child: ChildProcess, origin: string): ChildServer {
  return {
    origin,
    pid: child.pid!,
    rssMiB() {
      const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
      const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
      return kb / 1024;
    },
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
    kill: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGKILL');
      }),
  };
}

/** The real server, built (`npm run build`), in its own process, as a shop would run it. */
/** How a child process ended: its exit code, or the signal that killed it. */
export interface ChildExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export async function startStockroom(dbUrl: string, env: Record<string, string> = {}, port = 0): Promise<ChildServer & { startMs: number; exited: Promise<ChildExit> }> {
  const started = performance.now();
  const child = spawn(process.execPath, [path.join(root, 'dist/cli/main.js'), 'serve', '--db', dbUrl, '--port', String(port), '--host', '127.0.0.1'], {
    cwd: root,
    env: { ...process.env, LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<ChildExit>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const origin = await waitForListening(child, /listening on (http:\/\/[^\s]+)/, 120_000);
  return { ...childServer(child, origin), startMs: performance.now() - started, exited };
}

/** A TypeScript entry point of the test or bench tooling, run in its own process until it says where it listens. */
export async function startScript(script: string, env: Record<string, string> = {}): Promise<ChildServer> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, script)], { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const origin = await waitForListening(child, /listening on (http:\/\/[^\s]+)/, 60_000);
  return childServer(child, origin);
}

/**
 * The ceiling for HTTP figures: a Fastify app with one empty route, in its own process. Plain
 * JavaScript, so its start time and memory are Fastify's own, not a TypeScript loader's.
 */
export async function startEmptyServer(): Promise<ChildServer> {
  const child = spawn(process.execPath, [path.join(root, 'bench/empty-server.mjs')], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  const origin = await waitForListening(child, /listening on (http:\/\/[^\s]+)/, 30_000);
  return childServer(child, origin);
}
