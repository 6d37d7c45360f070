// Anchoring the audit chain outside the database (issue 17). The hash chain proves that no event was
// changed after a later one was written, but whoever can write the database can also rewrite the
// whole chain from the genesis hash onward, consistently. A head exported and kept elsewhere (printed,
// mailed, in a sealed file or a ticket) closes that: the chain must still hold that exact event at
// that sequence number, and a rewritten chain does not (its hashes differ from the anchor's).
import type { Db } from '../database.js';

export interface AuditAnchor {
  /** Format marker of the anchor file. */
  format: 'msct-audit-anchor/1';
  /** The head event's sequence number (0 = empty chain). */
  seq: number;
  /** The head event's hash. */
  hash: string;
  /** When the head event was written (its `at`). */
  at: string | null;
  /** When the anchor was taken. */
  exportedAt: string;
  /** The database it was taken from (for the reader; not checked). */
  database: string;
}

/** The current head of the chain: its last event's sequence number, hash and instant. */
export async function readAuditAnchor(db: Db): Promise<AuditAnchor> {
  const head = await db.kysely
    .selectFrom('audit_head')
    .select(['seq', 'hash'])
    .where('id', '=', 1)
    .executeTakeFirstOrThrow();
  const seq = Number(head.seq);
  const last =
    seq > 0
      ? await db.kysely
          .selectFrom('audit_events')
          .select(['hash', 'at'])
          .where('seq', '=', seq)
          .executeTakeFirst()
      : undefined;
  if (seq > 0 && (!last || last.hash !== head.hash))
    throw new Error(
      `the audit head (event ${seq}) does not match the event stored at ${seq}: run msct audit verify`,
    );
  return {
    format: 'msct-audit-anchor/1',
    seq,
    hash: head.hash,
    at: last?.at ?? null,
    exportedAt: new Date().toISOString(),
    database: db.location,
  };
}

/** Reads an anchor from the JSON text of an anchor file, checking its shape. */
export function parseAuditAnchor(text: string): AuditAnchor {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    throw new Error('the anchor file is not JSON (write it with `msct audit head --out FILE`)');
  }
  const a = v as Partial<AuditAnchor>;
  if (
    a?.format !== 'msct-audit-anchor/1' ||
    !Number.isInteger(a.seq) ||
    (a.seq as number) < 0 ||
    typeof a.hash !== 'string' ||
    !/^[0-9a-f]{64}$/.test(a.hash)
  )
    throw new Error('the anchor file is not an msct audit anchor (format, seq and hash are required)');
  return a as AuditAnchor;
}

export interface AnchorCheck {
  ok: boolean;
  problem?: string;
}

/**
 * Checks that the chain still holds the anchored event: the event stored at the anchor's sequence
 * number has the anchor's hash. Together with an intact chain (verifyAuditChain: every later event
 * links back to it) this proves that nothing up to the anchor was rewritten or cut away.
 */
export async function checkAuditAnchor(db: Db, anchor: AuditAnchor): Promise<AnchorCheck> {
  if (anchor.seq === 0) return { ok: true };
  const ev = await db.kysely
    .selectFrom('audit_events')
    .select(['hash'])
    .where('seq', '=', anchor.seq)
    .executeTakeFirst();
  if (!ev)
    return {
      ok: false,
      problem: `the anchored event ${anchor.seq} (taken ${anchor.exportedAt}) is not in the chain: the trail was cut or replaced`,
    };
  if (ev.hash !== anchor.hash)
    return {
      ok: false,
      problem: `event ${anchor.seq} has hash ${ev.hash.slice(0, 16)}… but the anchor taken ${anchor.exportedAt} says ${anchor.hash.slice(0, 16)}…: the chain was rewritten`,
    };
  return { ok: true };
}
