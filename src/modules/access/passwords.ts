import { randomBytes } from 'node:crypto';
import { hash, verify, type Algorithm } from '@node-rs/argon2';
import { AccessError } from './access.errors.ts';
import { COMMON_PASSWORDS } from './common-passwords.ts';

/**
 * Password policy and hashing. argon2id with OWASP's recommended minimum (19 MiB of memory,
 * two passes, one lane); hashing runs on libuv's thread pool, and callers do it before they
 * open a transaction (DESIGN §4), which is why services take a `PasswordHash`, never a password.
 */
export const PASSWORD_MIN_LENGTH = 12;
export const PASSWORD_MAX_LENGTH = 256;

// The package's `Algorithm` is a const enum, which this build cannot import as a value; 2 is Argon2id.
const argon2id = 2 as Algorithm.Argon2id;

export const ARGON2_PARAMS = {
  algorithm: argon2id,
  memoryCost: 19_456,
  timeCost: 2,
  parallelism: 1,
} as const;

/** The PHC prefix every current hash starts with; an older one is re-hashed at the next sign-in. */
const currentPrefix = `$argon2id$v=19$m=${ARGON2_PARAMS.memoryCost},t=${ARGON2_PARAMS.timeCost},p=${ARGON2_PARAMS.parallelism}$`;

declare const passwordHashBrand: unique symbol;
/** An argon2id PHC string made by `preparePassword`. */
export type PasswordHash = string & { readonly [passwordHashBrand]: true };

export type PasswordProblem = 'too_short' | 'too_long' | 'common' | 'too_simple' | 'personal';

const problemMessages = {
  too_short: `must be at least ${PASSWORD_MIN_LENGTH} characters`,
  too_long: `must be at most ${PASSWORD_MAX_LENGTH} characters`,
  common: 'is one of the passwords attackers try first',
  too_simple: 'repeats too few different characters',
  personal: 'is too close to the email address or name',
} as const satisfies Record<PasswordProblem, string>;

/** Lower case, with the digits and symbols people pad a word with taken off the end. */
function core(text: string): string {
  return text.toLowerCase().replace(/[\d\W_]+$/u, '');
}

/** Why a password is refused, or null when it is acceptable. */
export function checkPassword(password: string, person: { email?: string; name?: string } = {}): PasswordProblem | null {
  const length = [...password].length;
  if (length < PASSWORD_MIN_LENGTH) return 'too_short';
  if (length > PASSWORD_MAX_LENGTH) return 'too_long';
  const lower = password.toLowerCase();
  if (COMMON_PASSWORDS.has(lower) || COMMON_PASSWORDS.has(core(password)) || COMMON_PASSWORDS.has(lower.replace(/[\s\-_.]/g, ''))) return 'common';
  if (new Set(lower).size < 5) return 'too_simple';
  const personal = [person.email?.split('@')[0], person.email, person.name?.replace(/\s+/g, '')]
    .filter((p): p is string => p !== undefined && p.length >= 4)
    .map((p) => p.toLowerCase());
  if (personal.some((p) => core(password) === p || lower.replace(/\s+/g, '') === p)) return 'personal';
  return null;
}

/** Checks the policy, then hashes: the only way to make a `PasswordHash`. */
export async function preparePassword(password: string, person: { email?: string; name?: string } = {}, field = 'body.password'): Promise<PasswordHash> {
  const problem = checkPassword(password, person);
  if (problem) {
    throw new AccessError('password_too_weak', `The password ${problemMessages[problem]}.`, {
      errors: [{ field, code: problem, message: problemMessages[problem] }],
    });
  }
  return (await hash(password, ARGON2_PARAMS)) as PasswordHash;
}

let dummyHash: Promise<string> | undefined;

/**
 * Compares a password with a stored hash. With no hash (no such user) it still spends the time
 * of one verification, so a response's timing does not say whether an account exists.
 */
export async function verifyPassword(stored: string | null, password: string): Promise<boolean> {
  if (password.length > PASSWORD_MAX_LENGTH * 4) return false;
  if (stored === null) {
    dummyHash ??= hash(randomBytes(16).toString('hex'), ARGON2_PARAMS);
    await verify(await dummyHash, password).catch(() => false);
    return false;
  }
  try {
    return await verify(stored, password);
  } catch {
    return false;
  }
}

/** True when a stored hash was made with weaker or other parameters than today's. */
export function needsRehash(stored: string): boolean {
  return !stored.startsWith(currentPrefix);
}

/** Re-hashes a password that just verified, keeping the same policy exemption it had. */
export async function rehashPassword(password: string): Promise<PasswordHash> {
  return (await hash(password, ARGON2_PARAMS)) as PasswordHash;
}
