import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, it } from 'vitest';
import { createAdjustment } from '../src/modules/adjustments/index.ts';
import { postMovements } from '../src/modules/ledger/index.ts';
import { VIRTUAL_LOCATION_IDS } from '../src/modules/locations/index.ts';
import { OffsetClock } from '../src/platform/clock.ts';
import { describeEachDatabase, serviceContext, type TestDatabase } from './support/databases.ts';
import { makeItem, makeShop } from './support/fixtures.ts';
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

describeEachDatabase('stockroom count', (get) => {
  it('lists what went negative, counts it, prints the sheet, submits, approves, and the check passes', { timeout: 480_000 }, async () => {
    const ctx = serviceContext(get().db, new OffsetClock() as never);
    const shop = await makeShop(ctx);
    const item = await makeItem(ctx);
    await createAdjustment(ctx, { location_id: shop.storeBin, reason: 'opening_balance', lines: [{ item_id: item.id, qty: 1000, unit_cost: 3_000_000 }] });
    await postMovements(ctx, { kind: 'sale', documentType: 'sale', documentId: 'sal_CLI', movements: [{ itemId: item.id, fromLocationId: shop.storeBin, toLocationId: VIRTUAL_LOCATION_IDS.customer, qty: 4000 }] });
    const db = ['--db', dbUrlOf(get())];
    const needs = await stockroom(['count', 'needs', '--site', shop.store.full_code, ...db]);
    expect(needs.stdout, needs.stderr).toMatch(/1 balances below zero/);
    const created = await stockroom(['count', 'create', '--site', shop.store.full_code, '--negative', ...db]);
    expect(created.code, created.stderr).toBe(0);
    const number = /^(CNT-\d{6})/.exec(created.stdout)?.[1];
    expect(number).toBeDefined();
    const sheet = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'count-sheet-')), 'sheet.pdf');
    expect((await stockroom(['count', 'sheet', number!, '--out', sheet, ...db])).code).toBe(0);
    expect(fs.readFileSync(sheet).subarray(0, 5).toString()).toBe('%PDF-');
    const submitted = await stockroom(['count', 'submit', number!, '--uncounted', 'zero', ...db]);
    expect(submitted.stdout, submitted.stderr).toMatch(/submitted/);
    expect(submitted.stdout).toMatch(/variance 3 \[pending\]/);
    const approved = await stockroom(['count', 'approve', number!, ...db]);
    expect(approved.stdout, approved.stderr).toMatch(/posted/);
    const listed = await stockroom(['count', 'list', ...db]);
    expect(listed.stdout).toContain(number!);
    const check = await stockroom(['check', ...db]);
    expect(check.code, check.stdout).toBe(0);
    expect(check.stdout).toMatch(/ok +count_variances_posted/);
  });
});
