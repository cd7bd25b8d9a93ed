import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

/**
 * Secrets the server must use again (a webhook's signing secret, the SMTP password, the text
 * provider's auth token) cannot be hashed: they are sealed with AES-256-GCM under a key from
 * `STOCKROOM_SECRETS_KEY` (any string of at least 32 characters; its SHA-256 is the key).
 *
 * Trade-off, documented in docs/notifications.md: without that variable the secret is stored
 * as it is (prefix `plain:`) and the server logs a warning at start, because refusing would stop
 * a shop on one machine from using webhooks at all; a copy of the database then holds the secrets.
 */
const sealedPrefix = 'gcm1:';
const plainPrefix = 'plain:';

function keyFrom(env: NodeJS.ProcessEnv): Buffer | null {
  const raw = env.STOCKROOM_SECRETS_KEY;
  if (raw === undefined || raw === '') return null;
  if (raw.length < 32) throw new Error('STOCKROOM_SECRETS_KEY must be at least 32 characters.');
  return createHash('sha256').update(raw).digest();
}

export function secretsKeyConfigured(env: NodeJS.ProcessEnv = process.env): boolean {
  return keyFrom(env) !== null;
}

export function sealSecret(secret: string, env: NodeJS.ProcessEnv = process.env): string {
  const key = keyFrom(env);
  if (!key) return plainPrefix + secret;
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const body = Buffer.concat([cipher.update(secret, 'utf8'), cipher.final()]);
  return sealedPrefix + Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64');
}

export function openSecret(sealed: string, env: NodeJS.ProcessEnv = process.env): string {
  if (sealed.startsWith(plainPrefix)) return sealed.slice(plainPrefix.length);
  if (!sealed.startsWith(sealedPrefix)) throw new Error('A stored secret has an unknown format.');
  const key = keyFrom(env);
  if (!key) throw new Error('A stored secret is sealed but STOCKROOM_SECRETS_KEY is not set.');
  const raw = Buffer.from(sealed.slice(sealedPrefix.length), 'base64');
  const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, 12));
  decipher.setAuthTag(raw.subarray(12, 28));
  return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
}
