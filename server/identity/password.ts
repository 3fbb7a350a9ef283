import argon2 from 'argon2';
import type { PasswordProblem } from './messages.js';

/**
 * argon2id with the OWASP minimum (19 MiB, 2 passes): strong enough for stored hashes
 * while a login stays around tens of milliseconds on a small server.
 */
const OPTIONS = { type: argon2.argon2id, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

export function hashPassword(password: string): Promise<string> {
  return argon2.hash(password, OPTIONS);
}

// Verifying against this when the user does not exist keeps the response time the same.
let dummyHash: Promise<string> | undefined;

export async function verifyPassword(hash: string | null | undefined, password: string): Promise<boolean> {
  if (!hash) {
    dummyHash ??= hashPassword('not-a-real-password-0');
    await argon2.verify(await dummyHash, password).catch(() => false);
    return false;
  }
  try {
    return await argon2.verify(hash, password);
  } catch {
    return false;
  }
}

/**
 * The password policy: 8–128 characters, at least three of lower case, upper case, digits
 * and symbols, and not containing the username. Returns the reasons it fails, as message keys.
 */
export function passwordProblems(password: string, username?: string): PasswordProblem[] {
  const out: PasswordProblem[] = [];
  if (password.length < 8) out.push('identity.passwordShort');
  if (password.length > 128) out.push('identity.passwordLong');
  const classes = [/[a-z]/, /[A-Z]/, /\d/, /[^A-Za-z0-9]/].filter((re) => re.test(password)).length;
  if (classes < 3) {
    out.push('identity.passwordClasses');
  }
  if (username && username.length >= 3 && password.toLowerCase().includes(username.toLowerCase())) {
    out.push('identity.passwordHasUsername');
  }
  return out;
}
