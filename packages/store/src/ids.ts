// Record ids: UUIDv7 (RFC 9562 §5.7): 48 bits of Unix milliseconds, the version, then 74 random bits.
// Ids made one after another sort together, so inserting them appends to the primary-key and audit
// (entity_type, entity_id) B-trees instead of touching a random page of each per row: with random
// v4 ids a bulk import of 1 000 000 values spends most of its time rewriting index pages (see
// bench/exchange.bench.ts). The 74 random bits keep an id unguessable; the creation time it carries
// is also in the audit trail, and a record of another site answers 404 whatever its id.
// Own code (a few lines) rather than the `uuid` package: its v7 asks WebCrypto for 16 bytes per id,
// 7 µs each, measured in the import profile; node's randomUUID draws from a pooled buffer.
// Session tokens are not ids: they come from crypto.randomBytes (repositories/sessions.ts).
import { randomUUID } from 'node:crypto';

/** A UUIDv7 for the given instant: the random bits of a v4 UUID under a millisecond timestamp. */
export function uuidV7(ms: number = Date.now()): string {
  const ts = Math.trunc(ms).toString(16).padStart(12, '0');
  // v4 layout: xxxxxxxx-xxxx-4xxx-Vxxx-xxxxxxxxxxxx; from index 15 on it is 12 random bits, then
  // the RFC variant nibble and 62 random bits, exactly v7's rand_a, var and rand_b.
  return `${ts.slice(0, 8)}-${ts.slice(8, 12)}-7${randomUUID().slice(15)}`;
}

/** A new record id. */
export const newId = (): string => uuidV7();

/**
 * A subject's id: random (UUIDv4), with no creation time. Roles shown pseudonyms see subject ids
 * (in answers and addresses); a time-ordered id would give them the enrolment order and so, with
 * codes numbered per site in that order, the pseudonym → code map (issue 17, Medium 3). Subjects
 * are few beside item values, so the index locality v7 buys is not needed here.
 */
export const newSubjectId = (): string => randomUUID();
