import type { Db } from '../database.js';
import { auditEventHash, GENESIS_HASH } from './hash.js';

export interface AuditVerifyReport {
  ok: boolean;
  eventsChecked: number;
  /** The first broken link, if any. */
  firstBreak?: { seq: number; problem: string };
}

/**
 * Walks the chain in sequence order and reports the first event whose stored hash does not match its
 * contents, whose prev_hash does not match the previous event's hash, or whose sequence has a gap.
 * Reads in pages on a stable key so memory does not grow with the trail.
 */
export async function verifyAuditChain(db: Db, pageSize = 5000): Promise<AuditVerifyReport> {
  let prevHash = GENESIS_HASH;
  let expectedSeq = 1;
  let checked = 0;
  for (;;) {
    const rows = await db.kysely
      .selectFrom('audit_events')
      .selectAll()
      .where('seq', '>=', expectedSeq)
      .orderBy('seq')
      .limit(pageSize)
      .execute();
    if (rows.length === 0) break;
    for (const raw of rows) {
      const row = { ...raw, seq: Number(raw.seq) };
      if (row.seq !== expectedSeq) {
        return {
          ok: false,
          eventsChecked: checked,
          firstBreak: { seq: expectedSeq, problem: `event ${expectedSeq} is missing (next is ${row.seq})` },
        };
      }
      if (row.prev_hash !== prevHash) {
        return {
          ok: false,
          eventsChecked: checked,
          firstBreak: { seq: row.seq, problem: 'prev_hash does not match the hash of the previous event' },
        };
      }
      if (auditEventHash(row) !== row.hash) {
        return {
          ok: false,
          eventsChecked: checked,
          firstBreak: {
            seq: row.seq,
            problem: 'contents do not match the stored hash (the event was altered)',
          },
        };
      }
      prevHash = row.hash;
      expectedSeq += 1;
      checked += 1;
    }
  }
  const head = await db.kysely
    .selectFrom('audit_head')
    .select(['seq', 'hash'])
    .where('id', '=', 1)
    .executeTakeFirst();
  if (head && (Number(head.seq) !== checked || head.hash !== prevHash)) {
    return {
      ok: false,
      eventsChecked: checked,
      firstBreak: {
        seq: checked + 1,
        problem: `the chain head says ${head.seq} events but ${checked} were found (events were deleted at the end)`,
      },
    };
  }
  return { ok: true, eventsChecked: checked };
}
