import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

/**
 * Password hashes for `broker.users`, made by `media2mqtt hash-password` and stored in the YAML config.
 * Format: `scrypt$<N>$<r>$<p>$<salt b64>$<hash b64>`, so the cost parameters travel with the hash and can be
 * raised later without invalidating existing ones.
 */

const N = 16_384;
const R = 8;
const P = 1;
const SALT_BYTES = 16;
const KEY_BYTES = 32;
/** Upper bounds for parameters read back from a hash, so a hand-edited config cannot make verification hang. */
const MAX_N = 1 << 20;
const MAX_RP = 64;

// NFC so that a password with accents matches whichever way the keyboard or terminal composed it.
function derive(plain: string, salt: Buffer, keylen: number, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(plain.normalize('NFC'), salt, keylen, options, (err, key) => (err ? reject(err) : resolve(key)));
  });
}

export async function hashPassword(plain: string): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const key = await derive(plain, salt, KEY_BYTES, { N, r: R, p: P });
  return ['scrypt', N, R, P, salt.toString('base64'), key.toString('base64')].join('$');
}

const B64 = /^[A-Za-z0-9+/]+={0,2}$/;

/** Never throws: a malformed or unsupported hash simply does not match. */
export async function verifyPassword(plain: string, hash: string): Promise<boolean> {
  try {
    const parts = hash.split('$');
    if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
    const [, nStr, rStr, pStr, saltB64, keyB64] = parts as [string, string, string, string, string, string];
    const n = Number(nStr);
    const r = Number(rStr);
    const p = Number(pStr);
    // scrypt needs N to be a power of two above 1.
    if (!Number.isInteger(n) || n < 2 || n > MAX_N || (n & (n - 1)) !== 0) return false;
    if (!Number.isInteger(r) || r < 1 || r > MAX_RP || !Number.isInteger(p) || p < 1 || p > MAX_RP) return false;
    if (!B64.test(saltB64) || !B64.test(keyB64)) return false;
    const salt = Buffer.from(saltB64, 'base64');
    const expected = Buffer.from(keyB64, 'base64');
    if (salt.length === 0 || expected.length < 16 || expected.length > 128) return false;
    // 128·N·r bytes plus slack; Node's default maxmem (32 MiB) would refuse larger valid parameters.
    const actual = await derive(plain, salt, expected.length, { N: n, r, p, maxmem: 256 * n * r + 1024 * 1024 });
    return timingSafeEqual(actual, expected);
  } catch {
    return false;
  }
}
