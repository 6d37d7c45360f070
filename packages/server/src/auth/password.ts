import { hash, verify } from '@node-rs/argon2';
import { dictionary } from '@zxcvbn-ts/language-common';
import { HttpProblem } from '../http/problem.js';

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

/** One broken rule of the password policy, for a problem+json `errors` entry. */
export interface PasswordIssue {
  rule: 'min-length' | 'max-length' | 'contains-username' | 'repeated-character' | 'common-password';
  message: string;
}

// The common-password blocklist that NIST SP 800-63B §5.1.1.2 asks verifiers to check against
// ("passwords obtained from previous breach corpuses", "commonly-used passwords"): the 49 233
// passwords of @zxcvbn-ts/language-common (bundled in node_modules, no network at run time).
// Compared case-insensitively; the Set is built once, on the first check.
let common: Set<string> | undefined;
function commonPasswords(): Set<string> {
  common ??= new Set(dictionary['passwords-common'].map((p) => p.toLowerCase()));
  return common;
}

/**
 * Password policy (NIST SP 800-63B §5.1.1.2): at least 12 characters, at most 256, not a common
 * (breached) password, not the username nor containing it, not a run of one character. No
 * composition rules: NIST advises against them.
 */
export function passwordIssues(password: string, username: string): PasswordIssue[] {
  const issues: PasswordIssue[] = [];
  if (password.length < 12) issues.push({ rule: 'min-length', message: 'must be at least 12 characters' });
  if (password.length > 256) issues.push({ rule: 'max-length', message: 'must be at most 256 characters' });
  const lower = password.toLowerCase();
  const name = username.toLowerCase();
  if (name.length > 0 && (lower === name || (name.length >= 3 && lower.includes(name))))
    issues.push({ rule: 'contains-username', message: 'must not be or contain the username' });
  if (/^(.)\1*$/.test(password))
    issues.push({ rule: 'repeated-character', message: 'must not be one repeated character' });
  if (commonPasswords().has(lower))
    issues.push({
      rule: 'common-password',
      message: 'must not be a commonly used password (it is on a list of 49 233 breached passwords)',
    });
  return issues;
}

/** The policy's refusals as sentences (for the CLI and the first start). */
export function passwordProblems(password: string, username: string): string[] {
  return passwordIssues(password, username).map((i) => i.message);
}

/** Throws 400 problem+json naming `field` and each broken rule. */
export function assertPasswordPolicy(password: string, username: string, field: string): void {
  const issues = passwordIssues(password, username);
  if (issues.length > 0)
    throw new HttpProblem('MSCT_E_VALIDATION', `${field} ${issues.map((i) => i.message).join('; ')}`, {
      errors: issues.map((i) => ({ field: `body.${field}`, rule: i.rule, message: i.message })),
    });
}
