import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export interface WebServer {
  origin: string;
  dbPath: string;
  /** Everything the server printed (the demo's sign-ins and token). */
  output(): string;
  /** Waits until the server has printed something matching `pattern` (the demo prints its token after it starts listening). */
  waitForOutput(pattern: RegExp, timeoutMs?: number): Promise<string>;
  stop(): Promise<void>;
}

/**
 * The built server (`npm run build`) in its own process on a fresh SQLite file, as a shop
 * runs it: `serve` for an empty shop, `demo` for the demo shop. `prepare` runs on the database
 * before the server opens it (to load 30,000 items, say); `args` go to the command (`--days 60`).
 */
export async function startWebServer(command: 'serve' | 'demo', prepare?: (dbPath: string) => Promise<void>, args: readonly string[] = []): Promise<WebServer> {
  const dir = mkdtempSync(path.join(tmpdir(), 'stockroom-web-'));
  const dbPath = path.join(dir, 'shop.db');
  if (prepare) await prepare(dbPath);
  const child = spawn(process.execPath, [path.join(root, 'dist/cli/main.js'), command, '--db', dbPath, '--port', '0', '--host', '127.0.0.1', ...args], {
    cwd: root,
    // The browser suite is one person clicking fast, plus the 30,000-item measurements; no limit.
    env: { ...process.env, LOG_LEVEL: 'warn', RATE_LIMIT_PER_MINUTE: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const origin = await new Promise<string>((resolve, reject) => {
    // Two months of demo trade take a minute alone, several when the machine's cores are shared.
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${output}`)), 540_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /listening on (http:\/\/\S+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}:\n${output}`));
    });
  });
  return {
    origin,
    dbPath,
    output: () => output,
    async waitForOutput(pattern, timeoutMs = 15_000) {
      const until = Date.now() + timeoutMs;
      while (!pattern.test(output)) {
        if (Date.now() > until) throw new Error(`the server never printed ${pattern}:\n${output}`);
        await new Promise((r) => setTimeout(r, 50));
      }
      return output;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        const done = () => {
          rmSync(dir, { recursive: true, force: true });
          resolve();
        };
        if (child.exitCode !== null) return done();
        child.once('exit', done);
        child.kill('SIGTERM');
      }),
  };
}
