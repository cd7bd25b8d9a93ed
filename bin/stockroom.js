#!/usr/bin/env node
// The `stockroom` command runs the compiled build, which `npm install` makes (the prepare script).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const main = new URL('../dist/cli/main.js', import.meta.url);
if (!existsSync(fileURLToPath(main))) {
  console.error('stockroom: the build is missing; run `npm install` (or `npm run build`) in the project folder first.');
  process.exit(1);
}
await import(main.href);
