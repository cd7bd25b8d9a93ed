import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

/**
 * The shell examples of the docs, and the script that runs them: every ```sh block of one
 * Markdown file, in order, in one bash shell with `set -euo pipefail`, so a later block can use
 * what an earlier one set, and the first failing command stops the file and names its block.
 * Blocks fenced as console or text are for reading only and never run.
 */

export interface ShellBlock {
  /** 1-based, counting only the file's ```sh blocks. */
  index: number;
  /** The line of the opening fence. */
  line: number;
  code: string;
}

export function shellBlocks(markdown: string): ShellBlock[] {
  const blocks: ShellBlock[] = [];
  const lines = markdown.split('\n');
  let open: { line: number; code: string[]; runs: boolean } | null = null;
  for (const [i, text] of lines.entries()) {
    const fence = /^(\s*)```(\S*)\s*$/.exec(text);
    if (!fence) {
      open?.code.push(text);
      continue;
    }
    if (open === null) {
      open = { line: i + 1, code: [], runs: fence[2] === 'sh' };
    } else {
      if (open.runs) blocks.push({ index: blocks.length + 1, line: open.line, code: open.code.join('\n') });
      open = null;
    }
  }
  if (open !== null) throw new Error(`a code block opened at line ${open.line} is never closed`);
  return blocks;
}

/** One bash script for a file's blocks; on the first failure it prints `docs-example-failed block=N line=L`. */
export function scriptFor(blocks: readonly ShellBlock[]): string {
  const parts = ['set -euo pipefail', 'trap \'echo "docs-example-failed block=${__block} line=${__line}: ${BASH_COMMAND}" >&2\' ERR'];
  for (const block of blocks) {
    parts.push(`__block=${block.index}; __line=${block.line}`, `echo "=== block ${block.index} (line ${block.line})"`, block.code);
  }
  parts.push('echo "=== all blocks ran"');
  return parts.join('\n') + '\n';
}

/** Commands in a runnable block that would not fail on an error answer, or lean on a fixed address. */
export function lintBlock(block: ShellBlock): string[] {
  const problems: string[] = [];
  const commands = block.code.replace(/\\\n/g, ' ').split('\n');
  for (const command of commands) {
    for (const call of command.split(/\|\s*|\$\(|;\s*|&&\s*/)) {
      if (!/^\s*curl\s/.test(call)) continue;
      const fails = /\s-[a-zA-Z]*f[a-zA-Z]*\s|--fail(-with-body)?\b/.test(call);
      const checksStatus = /-w\s+'%\{http_code\}/.test(call);
      if (!fails && !checksStatus) problems.push(`curl without -f (or -w '%{http_code}' to show an expected refusal): ${call.trim()}`);
    }
  }
  if (/localhost:3000|127\.0\.0\.1:3000/.test(block.code)) problems.push('a fixed address; use $STOCKROOM_URL');
  if (/stk_…/.test(block.code)) problems.push('a placeholder token; use $STOCKROOM_TOKEN');
  return problems;
}

export interface ExampleRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a script in bash with the given environment; resolves when it exits or the time is up. */
export function runScript(script: string, options: { cwd: string; env: NodeJS.ProcessEnv; timeoutMs: number; scriptPath: string }): Promise<ExampleRun> {
  fs.mkdirSync(path.dirname(options.scriptPath), { recursive: true });
  fs.writeFileSync(options.scriptPath, script);
  return new Promise((resolve) => {
    const child = spawn('bash', [options.scriptPath], { cwd: options.cwd, env: options.env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => {
      stderr += `\n(killed after ${options.timeoutMs} ms)`;
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // already gone
      }
    }, options.timeoutMs);
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}
