// Field schemas shared by many routes. `.strict()` request objects reject unknown fields, so a typo
// is an error, not a silent no-op.
import { z } from 'zod';

export const id = z.uuid({ message: 'must be a UUID' });
export const isoDate = z.iso.date({ message: 'must be a date YYYY-MM-DD' });
export const reason = z.string().trim().min(1, 'must not be empty').max(2000);
export const version = z.number().int().min(0).max(2_147_483_647);
export const shortText = z.string().trim().min(1, 'must not be empty').max(200);
export const code = z
  .string()
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9_.-]{0,39}$/,
    'letters, digits, _ . - (max 40), starting with a letter or digit',
  );

/**
 * The roles, subject statuses and grid sorts the API accepts. The store owns the columns; the
 * server checks at compile time that these lists equal the store's (server/src/http/contract.ts).
 */
export const ROLES = ['admin', 'investigator', 'coordinator', 'monitor', 'statistician', 'safety'] as const;
export type Role = (typeof ROLES)[number];
export const SUBJECT_STATUSES = [
  'screening',
  'enrolled',
  'screen_failed',
  'withdrawn',
  'completed',
  'died',
] as const;
export type SubjectStatus = (typeof SUBJECT_STATUSES)[number];
export const SUBJECT_SORTS = ['code', 'site', 'status', 'day0'] as const;
