// Shared request schemas. `.strict()` objects reject unknown fields, so a typo is an error, not a silent no-op.
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
