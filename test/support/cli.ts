import { execFile } from 'node:child_process';
import path from 'node:path';
import type { TestDatabase } from './databases.ts';
import { testPostgresUrl } from './postgres.ts';

const root = path.resolve(import.meta.dirname, '../..');
const tsx = path.join(root, 'node_modules/tsx/dist/cli.mjs');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** The `--db` value that reaches the test's own database (its own schema on PostgreSQL). */
export function dbUrlOf(test: TestDatabase): string {
  if (test.dialect === 'postgres') return `${testPostgresUrl}?options=${encodeURIComponent(`-c search_path=${test.db.schema}`)}`;
  return test.db.description.replace(/^SQLite /, '');
}

/** Runs the `stockroom` command from source, with `input` on standard input (closed when empty). */
export function stockroom(args: string[], input = ''): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = execFile(process.execPath, [tsx, path.join(root, 'src/cli/main.ts'), ...args], { cwd: root, env: { ...process.env, DATABASE_URL: '' } }, (error, stdout, stderr) =>
      resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
    child.stdin!.end(input);
  });
}
