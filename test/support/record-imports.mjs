// Registered with `node --import`: writes every module URL the process resolves to the file named
// by RECORD_IMPORTS, one per line (the hooks run on a thread of their own, so they append to a file).
import { appendFileSync } from 'node:fs';
import { register } from 'node:module';

const hooks = `
import { appendFileSync } from 'node:fs';
export async function resolve(specifier, context, next) {
  const resolved = await next(specifier, context);
  appendFileSync(process.env.RECORD_IMPORTS, resolved.url + '\\n');
  return resolved;
}`;
appendFileSync(process.env.RECORD_IMPORTS, '');
register(`data:text/javascript,${encodeURIComponent(hooks)}`);
