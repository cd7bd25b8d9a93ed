import { hash } from '@node-rs/argon2';
import { describe, expect, it } from 'vitest';
import { COMMON_PASSWORDS } from './common-passwords.ts';
import { ARGON2_PARAMS, checkPassword, needsRehash, PASSWORD_MIN_LENGTH, preparePassword, rehashPassword, verifyPassword } from './passwords.ts';
import { hashSecret, randomSecret, safeEqual } from './secrets.ts';

describe('password policy', () => {
  it('needs at least twelve characters, counted as characters rather than bytes', () => {
    expect(PASSWORD_MIN_LENGTH).toBe(12);
    expect(checkPassword('plum-tractor')).toBeNull();
    expect(checkPassword('plum-tracto')).toBe('too_short');
    expect(checkPassword('ünïcödé-plüm')).toBeNull();
    expect(checkPassword('x'.repeat(257))).toBe('too_long');
  });

  it('refuses common passwords, also padded with digits and symbols or spaced out', () => {
    expect(COMMON_PASSWORDS.size).toBeGreaterThanOrEqual(300);
    expect(checkPassword('password1234')).toBe('common');
    expect(checkPassword('Password2024!!')).toBe('common');
    expect(checkPassword('qwertyuiop123')).toBe('common');
    expect(checkPassword('Correct Horse Battery Staple')).toBe('common');
    expect(checkPassword('stockroom-2026')).toBe('common');
    expect(checkPassword('plum-tractor-lantern')).toBeNull();
  });

  it('refuses passwords of too few different characters, and the person’s own email or name', () => {
    expect(checkPassword('aaaaaaaaaaaaaaaa')).toBe('too_simple');
    expect(checkPassword('abababababababab')).toBe('too_simple');
    expect(checkPassword('margaret.hopkins99', { email: 'margaret.hopkins@example.com' })).toBe('personal');
    expect(checkPassword('MargaretHopkins', { name: 'Margaret Hopkins' })).toBe('personal');
    expect(checkPassword('orchard-margaret-7', { email: 'margaret@example.com' })).toBeNull();
  });

  it('says which rule a refused password broke, as a field error', async () => {
    await expect(preparePassword('short')).rejects.toMatchObject({
      code: 'password_too_weak',
      status: 422,
      errors: [{ field: 'body.password', code: 'too_short' }],
    });
    await expect(preparePassword('password123456', {}, 'body.new_password')).rejects.toMatchObject({
      errors: [{ field: 'body.new_password', code: 'common' }],
    });
  });
});

describe('password hashing', () => {
  it('uses argon2id at or above OWASP’s minimum (19 MiB, 2 passes, 1 lane)', async () => {
    expect(ARGON2_PARAMS.memoryCost).toBeGreaterThanOrEqual(19_456);
    expect(ARGON2_PARAMS.timeCost).toBeGreaterThanOrEqual(2);
    expect(ARGON2_PARAMS.parallelism).toBeGreaterThanOrEqual(1);
    const stored = await preparePassword('plum-tractor-lantern');
    expect(stored).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$[A-Za-z0-9+/]+\$[A-Za-z0-9+/]+$/);
    expect(stored).not.toContain('plum');
    const again = await preparePassword('plum-tractor-lantern');
    expect(again).not.toBe(stored);
  });

  it('verifies the right password only, and spends the time of a check when there is no hash', async () => {
    const stored = await preparePassword('plum-tractor-lantern');
    expect(await verifyPassword(stored, 'plum-tractor-lantern')).toBe(true);
    expect(await verifyPassword(stored, 'plum-tractor-lanterN')).toBe(false);
    expect(await verifyPassword('not a hash', 'plum-tractor-lantern')).toBe(false);
    const started = performance.now();
    expect(await verifyPassword(null, 'plum-tractor-lantern')).toBe(false);
    expect(performance.now() - started).toBeGreaterThan(1);
  });

  it('asks for a new hash when the stored one was made with weaker parameters', async () => {
    const weak = await hash('plum-tractor-lantern', { ...ARGON2_PARAMS, memoryCost: 4096, timeCost: 1 });
    expect(needsRehash(weak)).toBe(true);
    expect(needsRehash(await preparePassword('plum-tractor-lantern'))).toBe(false);
    expect(await verifyPassword(weak, 'plum-tractor-lantern')).toBe(true);
  });
});

describe('password policy: the edges', () => {
  it('accepts exactly the longest password allowed and exactly five different characters', () => {
    const longest = 'plum-tractor-lantern-'.repeat(13).slice(0, 256);
    expect(checkPassword(longest)).toBeNull();
    expect(checkPassword(`${longest}x`)).toBe('too_long');
    expect(checkPassword('lemonlemonle')).toBeNull(); // l, e, m, o, n
    expect(checkPassword('lemolemolemo')).toBe('too_simple');
  });

  it('compares with the parts of the email and name of four characters or more, padded or spaced', () => {
    // "mara" (4 characters) counts; the password's core, "mara" once the padding is off, matches it.
    expect(checkPassword('Mara-2026-!!##', { email: 'mara@example.com' })).toBe('personal');
    // "ab" (2 characters) is too short to count: a password starting with it is not personal.
    expect(checkPassword('ab1234567890', { email: 'ab@example.com' })).toBeNull();
    // The name typed with its space still matches the name without one.
    expect(checkPassword('Margaret Hopkins', { name: 'Margaret Hopkins' })).toBe('personal');
  });

  it('says the rule in the detail as well', async () => {
    await expect(preparePassword('short')).rejects.toMatchObject({ message: 'The password must be at least 12 characters.' });
  });
});

describe('password verification: the edges', () => {
  it('refuses without hashing a password over four times the longest allowed, even one that would match', async () => {
    const atLimit = 'q'.repeat(1024);
    const overLimit = 'q'.repeat(1025);
    expect(await verifyPassword(await hash(atLimit, ARGON2_PARAMS), atLimit)).toBe(true);
    expect(await verifyPassword(await hash(overLimit, ARGON2_PARAMS), overLimit)).toBe(false);
  });

  it('re-hashes a password that verified without applying today’s policy to it', async () => {
    const rehashed = await rehashPassword('old-short');
    expect(needsRehash(rehashed)).toBe(false);
    expect(await verifyPassword(rehashed, 'old-short')).toBe(true);
  });
});

describe('secrets', () => {
  it('makes 256-bit URL-safe secrets, different every time', () => {
    const a = randomSecret();
    expect(a).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(a, 'base64url')).toHaveLength(32);
    expect(randomSecret()).not.toBe(a);
  });

  it('hashes a secret with sha256, in hex', () => {
    expect(hashSecret('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });

  it('compares secrets of any lengths without throwing', () => {
    expect(safeEqual('abc', 'abc')).toBe(true);
    expect(safeEqual('abc', 'abd')).toBe(false);
    expect(safeEqual('abc', 'abcd')).toBe(false);
    expect(safeEqual('', '')).toBe(true);
  });
});
