import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CHROMIUM } from './browser.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** The browser suite needs Debian's Chromium and a current build (`npm run test:browser` builds first). */
export default function setup(): void {
  if (!existsSync(CHROMIUM)) throw new Error(`No Chromium at ${CHROMIUM}: run \`apt-get install -y chromium\` (Debian's package; never a downloaded browser).`);
  for (const file of ['dist/cli/main.js', 'dist/web/index.html']) {
    if (!existsSync(path.join(root, file))) throw new Error(`${file} is missing: run \`npm run build\` first (npm run test:browser does).`);
  }
}
