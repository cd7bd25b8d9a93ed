import { hash } from '@node-rs/argon2';
import { describe, expect, it } from 'vitest';
import { COMMON_PASSWORDS } from './common-passwords.ts';
import { ARGON2_PARAMS, checkPassword, needsRehash, PASSWORD_MIN_LENGTH, preparePassword, verifyPassword } from './passwords.ts';

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
