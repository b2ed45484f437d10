import { describe, expect, it } from 'vitest';
import { brokerUserSchema } from '../src/config/schema.js';
import { hashPassword, verifyPassword } from '../src/mqtt/password.js';

describe('hashPassword', () => {
  it('produces scrypt$N$r$p$salt$hash with the documented parameters', async () => {
    const hash = await hashPassword('correct horse');
    const parts = hash.split('$');
    expect(parts).toHaveLength(6);
    expect(parts.slice(0, 4)).toEqual(['scrypt', '16384', '8', '1']);
    expect(Buffer.from(parts[4]!, 'base64')).toHaveLength(16);
    expect(Buffer.from(parts[5]!, 'base64')).toHaveLength(32);
    // The config schema accepts what the CLI prints.
    expect(brokerUserSchema.safeParse({ username: 'ha', password: hash }).success).toBe(true);
  });

  it('salts every hash', async () => {
    expect(await hashPassword('same')).not.toBe(await hashPassword('same'));
  });
});

describe('verifyPassword', () => {
  it('accepts the right password and refuses others', async () => {
    const hash = await hashPassword('s3cret-päss');
    expect(await verifyPassword('s3cret-päss', hash)).toBe(true);
    expect(await verifyPassword('s3cret-pass', hash)).toBe(false);
    expect(await verifyPassword('', hash)).toBe(false);
  });

  it('reads the cost parameters from the hash, so older or stronger hashes keep working', async () => {
    const hash = await hashPassword('pw');
    const [, , , , salt] = hash.split('$');
    const { scryptSync } = await import('node:crypto');
    const key = scryptSync('pw', Buffer.from(salt!, 'base64'), 32, { N: 1024, r: 4, p: 2 });
    expect(await verifyPassword('pw', `scrypt$1024$4$2$${salt}$${key.toString('base64')}`)).toBe(true);
  });

  it('returns false, never throws, for malformed hashes', async () => {
    const good = await hashPassword('pw');
    const [, , , , salt, key] = good.split('$');
    const malformed = [
      '',
      'pw',
      'scrypt$',
      'bcrypt$16384$8$1$' + salt + '$' + key,
      'scrypt$16384$8$1$' + salt, // missing hash
      'scrypt$16384$8$1$' + salt + '$' + key + '$extra',
      'scrypt$16383$8$1$' + salt + '$' + key, // N not a power of two
      'scrypt$1$8$1$' + salt + '$' + key,
      'scrypt$abc$8$1$' + salt + '$' + key,
      'scrypt$16384$0$1$' + salt + '$' + key,
      'scrypt$16384$8$-1$' + salt + '$' + key,
      'scrypt$1073741824$8$1$' + salt + '$' + key, // absurd cost must not hang or throw
      'scrypt$16384$8$1$$' + key, // empty salt
      'scrypt$16384$8$1$' + salt + '$', // empty hash
      'scrypt$16384$8$1$' + salt + '$AAAA', // too short to be a real hash
      'scrypt$16384$8$1$***$' + key, // not base64
    ];
    for (const hash of malformed) {
      await expect(verifyPassword('pw', hash), hash).resolves.toBe(false);
    }
    // Sanity: the same pieces, well formed, do match.
    expect(await verifyPassword('pw', good)).toBe(true);
  });
});
