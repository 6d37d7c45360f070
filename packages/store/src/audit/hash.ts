import { hash } from 'node:crypto';
import { StoreError } from '../errors.js';
import type { AuditEventTable } from '../schema.js';
import { unstorableText } from '../text.js';

/** The hash before the first event: 64 zeros. */
export const GENESIS_HASH = '0'.repeat(64);

/** The fields of an audit event that its hash covers (everything but the hash itself). */
export type HashedAuditFields = Omit<AuditEventTable, 'hash'>;

/**
 * The event's text that comes from callers (ids, actions and entity types are the code's own; old_value
 * is read from the database).
 */
const CALLER_TEXT = ['actor_name', 'field', 'new_value', 'reason'] as const;

/**
 * The hash covers the event as it is stored, so an event must be stored exactly as it is hashed.
 * JSON.stringify below writes a lone surrogate as the escape "\ud800", but the database cannot keep
 * it (better-sqlite3 writes the bytes ED A0 80 and reads back three U+FFFD, pg one U+FFFD), and
 * PostgreSQL refuses NUL: such an event would verify as altered for ever. It is refused instead
 * (StoreError 'invalid' naming the field), and the whole write with it; every other string is stored
 * and read back unchanged on both dialects, so the stored row is the canonical form that is hashed.
 * Old values are not checked: they were read from the database.
 */
export function assertStorableEvent(e: HashedAuditFields): void {
  for (const field of CALLER_TEXT) {
    const v = e[field];
    if (typeof v !== 'string') continue;
    const issue = unstorableText(v);
    if (issue)
      throw new StoreError(
        'invalid',
        `audit event ${field === 'new_value' ? 'value' : field} ${issue.message}`,
        {
          field: field === 'new_value' ? 'value' : field,
          rule: issue.rule,
        },
      );
  }
}

/**
 * SHA-256 over the event's fields in a fixed order, including the previous event's hash, so that
 * changing, deleting or reordering any event breaks every later link.
 */
export function auditEventHash(e: HashedAuditFields): string {
  const canonical = JSON.stringify([
    e.seq,
    e.at,
    e.actor_id,
    e.actor_name,
    e.action,
    e.entity_type,
    e.entity_id,
    e.study_id,
    e.site_id,
    e.subject_id,
    e.field,
    e.old_value,
    e.new_value,
    e.reason,
    e.prev_hash,
  ]);
  // crypto.hash (Node ≥ 20.12) is the one-shot form of createHash: same digest, no Hash object,
  // twice as fast per event in a bulk import.
  return hash('sha256', canonical, 'hex');
}
