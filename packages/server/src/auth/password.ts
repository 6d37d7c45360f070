import { hash, verify } from '@node-rs/argon2';

// argon2id with the OWASP Password Storage Cheat Sheet's first configuration
// (m = 19 MiB, t = 2, p = 1); @node-rs/argon2 defaults to argon2id.
const OPTIONS = { memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

export const hashPassword = (password: string): Promise<string> => hash(password, OPTIONS);

export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  try {
    return await verify(passwordHash, password);
  } catch {
    return false;
  }
}

/** A hash to verify against when the user does not exist, so timing does not reveal usernames. */
let dummyHash: Promise<string> | undefined;
export const dummyPasswordHash = (): Promise<string> => {
  dummyHash ??= hashPassword('msct-dummy-password-for-timing');
  return dummyHash;
};

/**
 * Password policy (NIST SP 800-63B §5.1.1.2): at least 12 characters, at most 256, not the username,
 * not a run of one character. No composition rules: NIST advises against them.
 */
export function passwordProblems(password: string, username: string): string[] {
  const problems: string[] = [];
  if (password.length < 12) problems.push('must be at least 12 characters');
  if (password.length > 256) problems.push('must be at most 256 characters');
  if (password.toLowerCase().includes(username.toLowerCase()) && username.length >= 3)
    problems.push('must not contain the username');
  if (/^(.)\1*$/.test(password)) problems.push('must not be one repeated character');
  return problems;
}
