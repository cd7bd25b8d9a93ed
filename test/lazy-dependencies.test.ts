import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, it } from 'vitest';

/**
 * The libraries only some shops use (a Square connection, PDFs, spreadsheets, email, barcodes) are
 * loaded on first use, not when `stockroom` starts: together they added about 40 MiB to an idle
 * server's resident memory (197 → 158 MiB on the demo shop). This starts the command the way
 * `stockroom serve` does, records every module it resolves, and looks for them.
 */
const lazy = ['square', 'pdfkit', 'exceljs', 'nodemailer', 'bwip-js'];
const root = path.resolve(import.meta.dirname, '..');

it('starting the stockroom command loads none of the libraries kept for first use', () => {
  const record = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'imports-')), 'resolved.txt');
  try {
    execFileSync(process.execPath, ['--import', 'tsx', '--import', './test/support/record-imports.mjs', 'src/cli/main.ts', '--help'], {
      cwd: root,
      env: { ...process.env, RECORD_IMPORTS: record },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    const resolved = fs.readFileSync(record, 'utf8');
    // The recording works: the command's own dependencies are there.
    expect(resolved).toMatch(/node_modules\/kysely\//);
    expect(lazy.filter((name) => resolved.includes(`/node_modules/${name}/`))).toEqual([]);
  } finally {
    fs.rmSync(path.dirname(record), { recursive: true, force: true });
  }
});
