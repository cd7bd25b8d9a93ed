import { execFile, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import build from './support/build.ts';
import { startStockroom } from './support/child-server.ts';
import { lintBlock, runScript, scriptFor, shellBlocks } from './support/docs-examples.ts';

/**
 * Every documented example runs as written against a fresh demo shop. The demo (`stockroom demo`,
 * default seed and length, as `npm start` builds it) is built once; then, for the README and each
 * docs/*.md file, a fresh copy of it is served by the built server and every ```sh block of the
 * file runs in order in one bash shell, with STOCKROOM_URL, STOCKROOM_TOKEN (the demo's owner
 * token) and DATABASE_URL (for `npx stockroom …`) exported. DOCS_DEMO_DAYS builds a shorter
 * history while editing the docs, and CI builds 45 days (the full demo alone takes minutes of its
 * time limit); the examples must pass on the full demo, which `npm test` builds everywhere else.
 */

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const docsDir = path.join(root, 'docs');
const documents = ['README.md', ...fs.readdirSync(docsDir).filter((f) => f.endsWith('.md')).sort().map((f) => `docs/${f}`)];
const demoDays = process.env.DOCS_DEMO_DAYS || (process.env.CI ? '45' : undefined);
const execFileAsync = promisify(execFile);

describe('documented examples', () => {
  let work: string;
  let demoDb: string;
  let token: string;

  beforeAll(async () => {
    for (const tool of ['bash', 'curl', 'jq']) {
      const found = spawnSync(tool, ['--version'], { stdio: 'ignore' });
      if (found.status !== 0) throw new Error(`the docs examples need ${tool} on the PATH`);
    }
    build();
    console.log(`documented examples: a demo shop of ${demoDays ? `${demoDays} days (DOCS_DEMO_DAYS)` : 'the full length'}`);
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'stockroom-docs-'));
    demoDb = path.join(work, 'demo.db');
    const { stdout } = await execFileAsync(
      process.execPath,
      [path.join(root, 'dist/cli/main.js'), 'demo', '--db', demoDb, '--no-serve', ...(demoDays ? ['--days', demoDays] : [])],
      { cwd: root, encoding: 'utf8', env: { ...process.env, LOG_LEVEL: 'warn' }, maxBuffer: 16 * 1024 * 1024 },
    );
    const match = /export STOCKROOM_TOKEN=(stk_\S+)/.exec(stdout);
    if (!match) throw new Error(`stockroom demo printed no owner token:\n${stdout}`);
    token = match[1]!;
    // About two minutes on two idle cores; a machine shared with other work can take many times that.
  }, 45 * 60_000);

  afterAll(() => {
    if (work) fs.rmSync(work, { recursive: true, force: true });
  });

  it('finds the README and the guides, each with runnable examples', () => {
    for (const required of ['README.md', 'docs/README.md', 'docs/architecture.md', 'docs/api.md', 'docs/getting-started.md']) expect(documents).toContain(required);
    for (const doc of ['README.md', 'docs/api.md', 'docs/stock.md', 'docs/purchasing.md', 'docs/selling.md', 'docs/access.md']) {
      expect(shellBlocks(fs.readFileSync(path.join(root, doc), 'utf8')).length, doc).toBeGreaterThan(0);
    }
  });

  it('writes examples that fail loudly and use the exported address and token', () => {
    const problems = documents.flatMap((doc) =>
      shellBlocks(fs.readFileSync(path.join(root, doc), 'utf8')).flatMap((block) => lintBlock(block).map((p) => `${doc} block ${block.index} (line ${block.line}): ${p}`)),
    );
    expect(problems).toEqual([]);
  });

  it('links no document outside the project', () => {
    const outside = documents.filter((doc) => /\.\.\/shared|shared\/DESIGN/.test(fs.readFileSync(path.join(root, doc), 'utf8')));
    expect(outside).toEqual([]);
  });

  for (const doc of documents) {
    const blocks = shellBlocks(fs.readFileSync(path.join(root, doc), 'utf8'));
    if (blocks.length === 0) continue;
    it(`runs every example in ${doc} against a fresh demo shop`, async () => {
      const name = doc.replace(/[^A-Za-z0-9]+/g, '-');
      const db = path.join(work, `${name}.db`);
      for (const suffix of ['', '-wal']) if (fs.existsSync(demoDb + suffix)) fs.copyFileSync(demoDb + suffix, db + suffix);
      const server = await startStockroom(db);
      try {
        const run = await runScript(scriptFor(blocks), {
          cwd: root,
          env: { ...process.env, STOCKROOM_URL: server.origin, STOCKROOM_TOKEN: token, DATABASE_URL: db },
          timeoutMs: 10 * 60_000,
          scriptPath: path.join(work, `${name}.sh`),
        });
        const failed = /docs-example-failed block=(\d+) line=(\d+): (.*)/.exec(run.stderr);
        const where = failed ? `${doc}, block ${failed[1]} (the \`\`\`sh at line ${failed[2]}), at: ${failed[3]}` : doc;
        expect(run.code, `${where}\n--- stderr\n${run.stderr.slice(-3000)}\n--- stdout (end)\n${run.stdout.slice(-3000)}`).toBe(0);
        expect(run.stdout).toContain('=== all blocks ran');
      } finally {
        await server.stop();
      }
    }, 15 * 60_000);
  }
});
