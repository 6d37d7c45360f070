// The shapes of an audited write: who acts, what each audit event says, and the writer a
// transaction hands to the repositories. Types only, in a module of their own, so the database
// handle (database.ts), the writer (writer.ts) and the repositories share them without importing
// each other.
import type { Transaction } from 'kysely';
import type { Database } from '../schema.js';

export type Tx = Transaction<Database>;

/** Who is acting: a user, or the system itself (migrations, demo generator) with a name. */
export interface Actor {
  id: string | null;
  name: string;
}

export interface AuditEntry {
  action: string;
  entityType: string;
  entityId: string;
  studyId?: string | null;
  siteId?: string | null;
  subjectId?: string | null;
  field?: string | null;
  oldValue?: string | null;
  newValue?: string | null;
  reason?: string | null;
  /**
   * Who acts, when not the transaction's actor: the system account raising or closing an automatic
   * query at the commit of someone's save (repositories/edit-check-queries.ts).
   */
  actor?: Actor;
}

export interface AuditWriter {
  /** Appends events to the hash chain inside the current transaction. */
  record(entries: AuditEntry | AuditEntry[]): Promise<void>;
  readonly actor: Actor;
  /** The instant of this transaction, shared by every row and event it writes. */
  readonly now: string;
}
