import { execFile } from 'node:child_process';
import path from 'node:path';
import { beforeAll, expect, it } from 'vitest';
import { loadDemoStore } from '../src/demo/demo-store.ts';
import { systemClock } from '../src/platform/clock.ts';
import { systemActor } from '../src/platform/context.ts';
import { describeEachDatabase, type TestDatabase } from './support/databases.ts';
import { testPostgresUrl } from './support/postgres.ts';

const root = path.resolve(import.meta.dirname, '..');
const tsx = path.join(root, 'node_modules/tsx/dist/cli.mjs');

function dbUrlOf(test: TestDatabase): string {
  if (test.dialect === 'postgres') return `${testPostgresUrl}?options=${encodeURIComponent(`-c search_path=${test.db.schema}`)}`;
  return test.db.description.replace(/^SQLite /, '');
}

function stockroom(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [tsx, path.join(root, 'src/cli/main.ts'), ...args], { cwd: root, env: { ...process.env, DATABASE_URL: '' } }, (error, stdout, stderr) =>
      resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

describeEachDatabase('the tax command', (get) => {
  beforeAll(async () => {
    await loadDemoStore({ db: get().db, clock: systemClock, actor: systemActor });
  });

  it('prints the demo’s rates and rules, and what the Harbour till charges', { timeout: 60_000 }, async () => {
    const out = await stockroom(['tax', '--site', 'HARB', '--db', dbUrlOf(get())]);
    expect(out.stderr).toBe('');
    expect(out.code).toBe(0);
    expect(out.stdout).toMatch(/rate {2}VAT standard +20%/);
    expect(out.stdout).toMatch(/rule {2}every site +Bakery +VAT zero 0%/);
    expect(out.stdout).toContain('HARB: prices include tax; default 20%');
    expect(out.stdout).toMatch(/Café drinks +5%/);
  });
});
