import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatDuration, progressLine } from '../src/cli/progress.ts';
import { logTo } from '../src/cli/terminal.ts';

const root = path.resolve(import.meta.dirname, '..');
const tsx = path.join(root, 'node_modules/tsx/dist/cli.mjs');

/**
 * Runs `stockroom serve` until it says where it listens, sends a few requests, stops it, and
 * returns everything it wrote. `terminal` runs it under script(1), which gives it a pseudo-terminal
 * as a person's shell would.
 */
async function serveAndCall(dbFile: string, terminal: boolean, env: Record<string, string> = {}): Promise<string> {
  const command = [process.execPath, tsx, path.join(root, 'src/cli/main.ts'), 'serve', '--db', dbFile, '--port', '0'];
  const quoted = command.map((part) => `'${part.replace(/'/g, `'\\''`)}'`).join(' ');
  const childEnv: NodeJS.ProcessEnv = { ...process.env, ...env };
  delete childEnv.LOG_LEVEL;
  const child = terminal
    ? spawn('script', ['-qfec', quoted, '/dev/null'], { cwd: root, env: childEnv, stdio: ['pipe', 'pipe', 'pipe'] })
    : spawn(command[0]!, command.slice(1), { cwd: root, env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const deadline = Date.now() + 60_000;
  let origin: string | undefined;
  while (!(origin = /listening on (http:\/\/\S+)/.exec(output)?.[1])) {
    if (Date.now() > deadline || child.exitCode !== null) throw new Error(`the server did not start:\n${output}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  for (let i = 0; i < 5; i += 1) await fetch(`${origin}/healthz`);
  await fetch(`${origin}/api/v1/items`);
  // The server logs a request once it has answered it; a last one that waits flushes the others.
  await fetch(`${origin}/healthz`);
  if (terminal) child.stdin!.write('\u0003');
  child.kill('SIGTERM');
  await exited;
  return output;
}

describe('stockroom serve in a terminal and under a supervisor', () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stockroom-terminal-'));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('keeps a terminal readable: no JSON line per request and no raw "Server listening" line', async () => {
    const output = await serveAndCall(path.join(dir, 'tty.db'), true);
    expect(output).toMatch(/Stockroom .* is listening on http/);
    expect(output).not.toMatch(/"msg":"request completed"/);
    expect(output).not.toMatch(/Server listening/);
    expect(output).toMatch(/--log-level debug shows every request/);
  }, 90_000);

  it('logs every request at info as JSON lines for a supervisor', async () => {
    const output = await serveAndCall(path.join(dir, 'service.db'), false);
    const requests = output.split('\n').filter((line) => line.includes('"msg":"request completed"'));
    expect(requests.length).toBeGreaterThanOrEqual(6);
    expect(JSON.parse(requests[0]!)).toMatchObject({ level: 30, method: 'GET', url: '/healthz', statusCode: 200 });
  }, 90_000);

  it('chooses the level: asked for wins, else warn in a terminal and info elsewhere', () => {
    expect(logTo({ logLevel: 'info' }, 'default', true)).toEqual({ logLevel: 'warn', interactive: true });
    expect(logTo({ logLevel: 'info' }, 'default', false)).toEqual({ logLevel: 'info', interactive: false });
    expect(logTo({ logLevel: 'debug' }, 'cli', true)).toEqual({ logLevel: 'debug', interactive: true });
    expect(logTo({ logLevel: 'info' }, 'env', true)).toEqual({ logLevel: 'info', interactive: true });
  });
});

describe('the progress of long work', () => {
  it('says the time taken and an estimate of the time left', () => {
    expect(formatDuration(5)).toBe('5s');
    expect(formatDuration(75)).toBe('1m 15s');
    expect(formatDuration(3725)).toBe('1h 02m');
    expect(progressLine(30, 450, 60_000)).toBe('30 of 450, 1m 00s elapsed, about 14m 00s left');
    expect(progressLine(450, 450, 900_000)).toBe('450 of 450, 15m 00s elapsed');
    expect(progressLine(0, 450, 1000)).toBe('0 of 450, 1s elapsed');
  });
});
