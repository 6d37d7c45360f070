// The audit trail proves the data (issue 17, finding 7). The hash chain proves that no event was
// altered, but not that the data tables still hold what the events say: a row edited directly in the
// database, or a chain cut at its tail together with its head, passed `msct audit verify`. This
// replays the trail per record and compares every audited column and the row's version with the
// state the trail says the record is in; every row the trail does not explain is a finding, named by
// table, record and field (and the event that set the expected value).
//
// Streaming: each table is read in pages on its primary key, and for each page only the events of
// those records are read (index audit_events_entity); memory does not grow with the database.
import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import type { Db } from '../database.js';
import { formCreateValue, valueText as writtenValueText } from '../repositories/item-writer.js';
import type { AuditEventTable } from '../schema.js';

export interface DataFinding {
  table: string;
  recordId: string;
  /** The column (or `version`, `row`); null when the whole record is concerned. */
  field: string | null;
  /** The audit event that set the value the trail expects (its last event for the record), if any. */
  seq: number | null;
  problem: string;
  expected?: string | null;
  actual?: string | null;
}

export interface DataVerifyReport {
  ok: boolean;
  /** Rows compared, per table. */
  rowsChecked: Record<string, number>;
  /** Findings in the order found (at most `maxFindings`; `findingsTotal` counts them all). */
  findings: DataFinding[];
  findingsTotal: number;
  /**
   * Fields the trail cannot prove because the events that created the record did not carry them
   * (records created before the events recorded every column): per table and field, how many rows.
   */
  unprovable: Record<string, number>;
}

export interface DataVerifyOptions {
  pageSize?: number;
  maxFindings?: number;
  /** Called for every finding as it is found (the CLI prints them as they come). */
  onFinding?: (f: DataFinding) => void;
}

type Row = Record<string, unknown>;
type Event = AuditEventTable;

/** Column values as the trail writes them: null stays null, anything else as its String() form. */
const norm = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));

/** An item's value (or missing-data code) as the trail writes it (repositories/item-writer.ts valueText). */
const valueText = (value: unknown, unit: unknown, missingCode: unknown): string | null =>
  writtenValueText(norm(value), norm(unit), norm(missingCode));

export const sha256 = (s: string) => createHash('sha256').update(s, 'utf8').digest('hex');

/** The state of one record as its events leave it. */
class Replayed {
  created = false;
  createSeq: number | null = null;
  version = 0;
  lastSeq: number | null = null;
  readonly fields = new Map<string, { value: string | null; seq: number }>();
  /** Fields whose value at creation the creating event did not record. */
  readonly unknown = new Set<string>();
  private group: {
    seq: number;
    action: string;
    at: string;
    reason: string | null;
    fields: Set<string>;
  } | null = null;

  set(field: string, value: unknown, seq: number) {
    this.fields.set(field, { value: norm(value), seq });
    this.unknown.delete(field);
  }

  /** The event that created the record, setting these columns: its first version. */
  create(e: Event, columns: Record<string, unknown>) {
    this.created = true;
    this.createSeq = Number(e.seq);
    this.change(e, columns);
  }

  /** An event that set these columns of the record: one version. */
  change(e: Event, columns: Record<string, unknown>) {
    for (const [field, value] of Object.entries(columns)) this.set(field, value, Number(e.seq));
    this.step(e, false);
  }

  /**
   * Counts versions: a repository bumps a record's version once per write and records one event per
   * changed column, so consecutive events of one write (same action, instant and reason, adjacent
   * sequence numbers, each a different column) are one version.
   */
  step(e: Event, grouped: boolean) {
    const seq = Number(e.seq);
    const g = this.group;
    if (
      grouped &&
      g &&
      g.seq + 1 === seq &&
      g.action === e.action &&
      g.at === e.at &&
      g.reason === e.reason &&
      e.field !== null &&
      !g.fields.has(e.field)
    ) {
      g.seq = seq;
      g.fields.add(e.field);
    } else {
      this.version += 1;
      this.group = {
        seq,
        action: e.action,
        at: e.at,
        reason: e.reason,
        fields: new Set(e.field ? [e.field] : []),
      };
    }
    this.lastSeq = seq;
  }
}

/** Where the event says its record lives, as the record's columns. */
const scopeColumns = (e: Event) => ({ study_id: e.study_id, site_id: e.site_id, subject_id: e.subject_id });

function parseJson(s: string | null): Record<string, unknown> | null {
  if (s === null) return null;
  try {
    const v = JSON.parse(s) as unknown;
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

interface TableSpec {
  table: string;
  entityType: string;
  /** One page of rows ordered by id, after `after`. */
  page(db: Db, after: string | null, limit: number): Promise<Row[]>;
  /** Applies one event of the record to its replayed state. */
  apply(s: Replayed, e: Event): void;
  /** The columns compared with the replayed state (each row's key). */
  fields: string[];
  /** Whether the row's version is compared with the number of writes the trail shows. */
  versioned: boolean;
  /** Extra checks of a page (role assignments of users). */
  extra?(db: Db, rows: Row[], events: Map<string, Event[]>, report: (f: DataFinding) => void): Promise<void>;
}

// biome-ignore lint/suspicious/noExplicitAny: the tables are chosen at run time from the specs below.
const dyn = (db: Db) => db.kysely as any;

const plainPage =
  (table: string) =>
  (db: Db, after: string | null, limit: number): Promise<Row[]> => {
    let q = dyn(db).selectFrom(table).selectAll();
    if (after !== null) q = q.where('id', '>', after);
    return q.orderBy('id').limit(limit).execute();
  };

/** A column-per-field update (changedFields in repositories/versioned.ts). */
function applyColumnUpdate(s: Replayed, e: Event, columns: readonly string[]) {
  if (e.field && columns.includes(e.field)) s.set(e.field, e.new_value, Number(e.seq));
}

const SUBJECT_CREATE_KEYS: Record<string, string> = {
  sex: 'sex',
  birthDate: 'birth_date',
  enrolledAt: 'enrolled_at',
  day0Date: 'day0_date',
};
/** The columns an `attachment.create` event carries (repositories/attachments.ts createdValue). */
const ATTACHMENT_COLUMNS = [
  'visit_id',
  'form_id',
  'file_name',
  'content_type',
  'bytes',
  'sha256',
  'scan_status',
  'scanner',
];
const SUBJECT_COLUMNS = ['status', 'sex', 'birth_date', 'enrolled_at', 'day0_date'];

const INFUSION_COLUMNS = [
  'cycle',
  'infusion_number',
  'planned_date',
  'started_at',
  'ended_at',
  'product_lot',
  'total_cells',
  'viability_pct',
  'volume_ml',
  'weight_kg',
  'vitals_json',
  'reactions',
  'status',
];
const AE_COLUMNS = [
  'term',
  'onset_date',
  'resolution_date',
  'ctcae_grade',
  'serious',
  'seriousness_json',
  'relatedness',
  'action_taken',
  'outcome',
  'infusion_id',
  'death_date',
  'death_cause',
  // SAE detail (migration 010): an event that predates it left them out, which replays as null.
  'serious_date',
  'site_aware_at',
  'sponsor_notified_at',
  'reported_date',
  'narrative',
  'sponsor_relatedness',
  'expectedness',
];

/** The events that set and release a freeze or lock (repositories/record-locks.ts). */
const LOCK_LEVELS = ['study', 'site', 'subject'] as const;
const LOCK_KINDS = ['freeze', 'lock'] as const;
const LOCK_SET = /^(study|site|subject)\.(freeze|lock)$/;
const LOCK_RELEASE = /^(study|site|subject)\.un(freeze|lock)$/;
/** The events that make and close a request to unlock (repositories/record-locks.ts). */
const UNLOCK_REQUEST = 'unlock.request';
const UNLOCK_CLOSE = /^unlock\.(granted|declined)$/;

function subjectRecordSpec(
  table: 'infusions' | 'adverse_events',
  entityType: string,
  columns: string[],
): TableSpec {
  const prefix = entityType.replace(' ', '_');
  return {
    table,
    entityType,
    page: plainPage(table),
    fields: ['subject_id', 'created_at', ...columns],
    versioned: true,
    apply(s, e) {
      const seq = Number(e.seq);
      if (e.action === `${prefix}.create`) {
        s.created = true;
        s.createSeq = seq;
        s.set('subject_id', e.subject_id, seq);
        s.set('created_at', e.at, seq);
        // The event carries every column the caller gave; a column it left out was inserted as null.
        const v = parseJson(e.new_value) ?? {};
        for (const c of columns) s.set(c, v[c] ?? null, seq);
        s.step(e, false);
      } else if (e.action === `${prefix}.update`) {
        applyColumnUpdate(s, e, columns);
        s.step(e, true);
      }
    },
  };
}

const SPECS: TableSpec[] = [
  {
    table: 'studies',
    entityType: 'study',
    page: plainPage('studies'),
    fields: ['code', 'title', 'definition_sha256', 'created_at'],
    versioned: true,
    apply(s, e) {
      if (e.action === 'study.definition.amend') {
        // An amendment of the stored definition (migration 006): the new definition by its SHA-256.
        const v = parseJson(e.new_value) ?? {};
        if ('definitionSha256' in v) s.set('definition_sha256', v.definitionSha256, Number(e.seq));
        else s.unknown.add('definition_sha256');
        s.step(e, false);
        return;
      }
      if (e.action !== 'study.create') return;
      const seq = Number(e.seq);
      const v = parseJson(e.new_value) ?? {};
      s.created = true;
      s.createSeq = seq;
      s.set('code', v.code, seq);
      s.set('title', v.title, seq);
      s.set('created_at', e.at, seq);
      if ('definitionSha256' in v) s.set('definition_sha256', v.definitionSha256, seq);
      else s.unknown.add('definition_sha256');
      s.step(e, false);
    },
  },
  {
    table: 'sites',
    entityType: 'site',
    page: plainPage('sites'),
    fields: ['study_id', 'code', 'name', 'created_at'],
    versioned: true,
    apply(s, e) {
      if (e.action !== 'site.create') return;
      const seq = Number(e.seq);
      const v = parseJson(e.new_value) ?? {};
      s.created = true;
      s.createSeq = seq;
      s.set('study_id', e.study_id, seq);
      s.set('code', v.code, seq);
      s.set('name', v.name, seq);
      s.set('created_at', e.at, seq);
      s.step(e, false);
    },
  },
  {
    table: 'users',
    entityType: 'user',
    page: plainPage('users'),
    // Passwords and failed-login counters are not audited values (the hash never enters the trail);
    // the version is bumped by unaudited bookkeeping too, so it is not compared.
    fields: ['username', 'display_name', 'is_active', 'created_at'],
    versioned: false,
    apply(s, e) {
      const seq = Number(e.seq);
      if (e.action === 'user.create') {
        const v = parseJson(e.new_value) ?? {};
        s.created = true;
        s.createSeq = seq;
        s.set('username', v.username, seq);
        s.set('display_name', v.displayName, seq);
        s.set('is_active', 1, seq);
        s.set('created_at', e.at, seq);
      } else if (
        (e.action === 'user.activate' || e.action === 'user.deactivate') &&
        e.field === 'is_active'
      ) {
        s.set('is_active', e.new_value, seq);
      }
      s.lastSeq = seq;
    },
    async extra(db, rows, events, report) {
      // Role assignments: the roles the trail assigned and did not revoke, per user, as a multiset.
      const ids = rows.map((r) => String(r.id));
      if (ids.length === 0) return;
      const assigned = await db.kysely
        .selectFrom('role_assignments')
        .selectAll()
        .where('user_id', 'in', ids)
        .orderBy('id')
        .execute();
      const byUser = new Map<string, typeof assigned>();
      for (const a of assigned) byUser.set(a.user_id, [...(byUser.get(a.user_id) ?? []), a]);
      for (const id of ids) {
        const expected = new Map<string, { n: number; seq: number }>();
        for (const e of events.get(id) ?? []) {
          const key = `${e.field === 'role' ? (e.action === 'role.assign' ? e.new_value : e.old_value) : ''}|${e.study_id ?? ''}|${e.site_id ?? ''}`;
          if (e.action === 'role.assign') {
            const c = expected.get(key) ?? { n: 0, seq: 0 };
            expected.set(key, { n: c.n + 1, seq: Number(e.seq) });
          } else if (e.action === 'role.revoke') {
            const c = expected.get(key) ?? { n: 0, seq: 0 };
            expected.set(key, { n: c.n - 1, seq: Number(e.seq) });
          }
        }
        for (const a of byUser.get(id) ?? []) {
          const key = `${a.role}|${a.study_id ?? ''}|${a.site_id ?? ''}`;
          const c = expected.get(key);
          if (c && c.n > 0) c.n -= 1;
          else
            report({
              table: 'role_assignments',
              recordId: a.id,
              field: 'role',
              seq: c?.seq ?? null,
              problem: `user ${id} holds role ${a.role}${a.site_id ? ` at site ${a.site_id}` : a.study_id ? ` in study ${a.study_id}` : ''} that the trail never assigned (or revoked)`,
              expected: null,
              actual: a.role,
            });
        }
        for (const [key, c] of expected)
          if (c.n > 0)
            report({
              table: 'role_assignments',
              recordId: id,
              field: 'role',
              seq: c.seq,
              problem: `the trail assigned user ${id} role ${key.split('|')[0]} (not revoked) but no such assignment exists`,
              expected: key.split('|')[0] ?? null,
              actual: null,
            });
      }
    },
  },
  {
    table: 'subjects',
    entityType: 'subject',
    page: plainPage('subjects'),
    fields: ['study_id', 'site_id', 'subject_code', 'created_at', ...SUBJECT_COLUMNS],
    versioned: true,
    apply(s, e) {
      const seq = Number(e.seq);
      if (e.action === 'subject.create') {
        const v = parseJson(e.new_value) ?? {};
        s.created = true;
        s.createSeq = seq;
        s.set('study_id', e.study_id, seq);
        s.set('site_id', e.site_id, seq);
        s.set('subject_code', v.subjectCode, seq);
        s.set('status', v.status, seq);
        s.set('created_at', e.at, seq);
        // Events written before issue 17 recorded only the code and status.
        for (const [key, column] of Object.entries(SUBJECT_CREATE_KEYS))
          if (key in v) s.set(column, v[key], seq);
          else s.unknown.add(column);
        s.step(e, false);
      } else if (e.action === 'subject.update') {
        applyColumnUpdate(s, e, SUBJECT_COLUMNS);
        s.step(e, true);
      }
    },
  },
  {
    table: 'visits',
    entityType: 'visit',
    page: plainPage('visits'),
    fields: ['subject_id', 'visit_code', 'cycle', 'visit_date', 'status', 'created_at'],
    versioned: true,
    apply(s, e) {
      const seq = Number(e.seq);
      if (e.action === 'visit.create') {
        const v = parseJson(e.new_value) ?? {};
        s.created = true;
        s.createSeq = seq;
        s.set('subject_id', e.subject_id, seq);
        s.set('visit_code', v.visitCode, seq);
        s.set('cycle', v.cycle, seq);
        s.set('visit_date', v.visitDate ?? null, seq);
        s.set('status', 'open', seq);
        s.set('created_at', e.at, seq);
      } else applyColumnUpdate(s, e, ['visit_date', 'status']);
      s.step(e, false);
    },
  },
  {
    table: 'form_instances',
    entityType: 'form',
    page: plainPage('form_instances'),
    fields: [
      'subject_id',
      'form_code',
      'record',
      'status',
      'signed_by',
      'signed_at',
      'signature_meaning',
      'created_at',
    ],
    versioned: true,
    apply(s, e) {
      const seq = Number(e.seq);
      if (e.action === 'form.create') {
        s.created = true;
        s.createSeq = seq;
        s.set('subject_id', e.subject_id, seq);
        // The record a repeating form's event names (`conmed record 2`); older events: record 1.
        const created = formCreateValue(e.new_value);
        s.set('form_code', created.formCode, seq);
        s.set('record', created.record, seq);
        s.set('status', 'incomplete', seq);
        s.set('signed_by', null, seq);
        s.set('signed_at', null, seq);
        s.set('signature_meaning', null, seq);
        s.set('created_at', e.at, seq);
      } else if (e.field === 'status') {
        // setFormStatus: signing records who and when; a lock keeps the signature; any other status clears it.
        s.set('status', e.new_value, seq);
        if (e.action === 'form.sign') {
          s.set('signed_by', e.actor_id, seq);
          s.set('signed_at', e.at, seq);
          // The meaning signed is the event's reason (forms.ts, signatures.ts).
          s.set('signature_meaning', e.reason, seq);
        } else if (e.new_value !== 'locked') {
          s.set('signed_by', null, seq);
          s.set('signed_at', null, seq);
          s.set('signature_meaning', null, seq);
        }
      }
      s.step(e, false);
    },
  },
  {
    table: 'item_values',
    entityType: 'item',
    async page(db, after, limit) {
      let q = db.kysely
        .selectFrom('item_values')
        .innerJoin('form_instances', 'form_instances.id', 'item_values.form_instance_id')
        .selectAll('item_values')
        .select(['form_instances.form_code', 'form_instances.subject_id']);
      if (after !== null) q = q.where('item_values.id', '>', after);
      const rows = await q.orderBy('item_values.id').limit(limit).execute();
      // Compared as the trail writes them: the form and item code as one field, value and unit as one text.
      return rows.map((r) => ({
        ...r,
        item: `${r.form_code}.${r.item_code}`,
        value: valueText(r.value, r.unit, r.missing_code),
      }));
    },
    fields: ['subject_id', 'item', 'value', 'updated_at', 'updated_by'],
    versioned: true,
    apply(s, e) {
      const seq = Number(e.seq);
      if (e.action !== 'item.enter' && e.action !== 'item.change') return;
      if (e.action === 'item.enter') {
        s.created = true;
        s.createSeq = seq;
      }
      s.set('subject_id', e.subject_id, seq);
      s.set('item', e.field, seq);
      s.set('value', e.new_value, seq);
      s.set('updated_at', e.at, seq);
      // updated_by names a user; a system actor (a migration: actor id null) leaves it as it was.
      if (e.actor_id !== null) s.set('updated_by', e.actor_id, seq);
      s.step(e, false);
    },
  },
  subjectRecordSpec('infusions', 'infusion', INFUSION_COLUMNS),
  subjectRecordSpec('adverse_events', 'adverse event', AE_COLUMNS),
  {
    // Follow-up entries of an adverse event (migration 010): appended once, never changed.
    table: 'adverse_event_follow_ups',
    entityType: 'adverse event follow-up',
    page: plainPage('adverse_event_follow_ups'),
    fields: ['adverse_event_id', 'entry_date', 'text', 'author_id', 'created_at'],
    versioned: false,
    apply(s, e) {
      if (e.action !== 'adverse_event.follow_up') return;
      const seq = Number(e.seq);
      const v = parseJson(e.new_value) ?? {};
      s.created = true;
      s.createSeq = seq;
      s.set('adverse_event_id', v.adverse_event_id ?? null, seq);
      s.set('entry_date', v.entry_date ?? null, seq);
      s.set('text', v.text ?? null, seq);
      s.set('author_id', e.actor_id, seq);
      s.set('created_at', e.at, seq);
      s.step(e, false);
    },
  },
  {
    // Freezes and locks at study, site and subject level (repositories/record-locks.ts; issue #21):
    // set once (`<level>.<kind>`, the lock's reason as the event's reason, `overrideReason` in its
    // value when a lock was set on a ready-to-lock report that was not clean — migration 017; an
    // event without it set the column null, as every lock before 017 was), released once
    // (`<level>.un<kind>`, field released_at, the release reason as the event's reason).
    table: 'record_locks',
    entityType: 'lock',
    page: plainPage('record_locks'),
    fields: [
      'study_id',
      'level',
      'site_id',
      'subject_id',
      'kind',
      'reason',
      'locked_by',
      'locked_at',
      'released_by',
      'released_at',
      'release_reason',
      'override_reason',
    ],
    versioned: true,
    apply(s, e) {
      if (LOCK_SET.test(e.action)) {
        const v = parseJson(e.new_value) ?? {};
        s.create(e, {
          ...scopeColumns(e),
          level: v.level ?? e.action.split('.')[0],
          kind: v.kind ?? e.action.split('.')[1],
          reason: e.reason,
          locked_by: e.actor_id,
          locked_at: e.at,
          released_by: null,
          released_at: null,
          release_reason: null,
          override_reason: v.overrideReason ?? null,
        });
      } else if (LOCK_RELEASE.test(e.action))
        s.change(e, {
          released_by: e.actor_id,
          released_at: e.new_value ?? e.at,
          release_reason: e.reason,
        });
    },
  },
  {
    // Requests to unlock a signed form or a lock (repositories/record-locks.ts; migration 009): made
    // once (`unlock.request`, the target in its value, the request's reason as the event's reason),
    // closed once (`unlock.granted` when the target was unlocked, `unlock.declined`; field status, the
    // closing note as the event's reason).
    table: 'unlock_requests',
    entityType: 'unlock request',
    page: plainPage('unlock_requests'),
    fields: [
      'study_id',
      'site_id',
      'subject_id',
      'target_type',
      'target_id',
      'reason',
      'requested_by',
      'requested_at',
      'status',
      'closed_by',
      'closed_at',
      'close_note',
    ],
    versioned: true,
    apply(s, e) {
      if (e.action === UNLOCK_REQUEST) {
        const v = parseJson(e.new_value) ?? {};
        s.create(e, {
          ...scopeColumns(e),
          target_type: v.targetType ?? null,
          target_id: v.targetId ?? null,
          reason: e.reason,
          requested_by: e.actor_id,
          requested_at: e.at,
          status: 'open',
          closed_by: null,
          closed_at: null,
          close_note: null,
        });
      } else if (UNLOCK_CLOSE.test(e.action) && e.field === 'status')
        s.change(e, { status: e.new_value, closed_by: e.actor_id, closed_at: e.at, close_note: e.reason });
    },
  },
  {
    table: 'queries',
    entityType: 'query',
    page: plainPage('queries'),
    fields: ['subject_id', 'field', 'text', 'status', 'raised_by', 'raised_at', 'closed_by', 'closed_at'],
    versioned: true,
    apply(s, e) {
      const seq = Number(e.seq);
      if (e.action === 'query.raise') {
        s.created = true;
        s.createSeq = seq;
        s.set('subject_id', e.subject_id, seq);
        s.set('field', e.field, seq);
        s.set('text', e.new_value, seq);
        s.set('status', 'open', seq);
        s.set('raised_by', e.actor_id, seq);
        s.set('raised_at', e.at, seq);
        s.set('closed_by', null, seq);
        s.set('closed_at', null, seq);
      } else if (e.field === 'status') {
        s.set('status', e.new_value, seq);
        if (e.action === 'query.close') {
          s.set('closed_by', e.actor_id, seq);
          s.set('closed_at', e.at, seq);
        } else if (e.action === 'query.reopen') {
          s.set('closed_by', null, seq);
          s.set('closed_at', null, seq);
        }
      }
      s.step(e, false);
    },
  },
  {
    // Attachments (migration 023): created once, retracted at most once; the bytes themselves are
    // compared with the SHA-256 the creating event recorded, one row at a time (a file is ≤ the
    // upload limit, so memory stays bounded), so a file swapped around the trail is found.
    table: 'attachments',
    entityType: 'attachment',
    page: (db, after, limit) => {
      let q = db.kysely
        .selectFrom('attachments')
        .select([
          'id',
          'subject_id',
          'visit_id',
          'form_id',
          'file_name',
          'content_type',
          'bytes',
          'sha256',
          'scan_status',
          'scanner',
          'uploaded_by',
          'created_at',
          'status',
          'retracted_by',
          'retracted_at',
          'retract_reason',
          'version',
        ]);
      if (after !== null) q = q.where('id', '>', after);
      return q.orderBy('id').limit(limit).execute();
    },
    fields: [
      ...ATTACHMENT_COLUMNS,
      'subject_id',
      'uploaded_by',
      'created_at',
      'status',
      'retracted_by',
      'retracted_at',
      'retract_reason',
    ],
    versioned: true,
    apply(s, e) {
      const seq = Number(e.seq);
      if (e.action === 'attachment.create') {
        s.created = true;
        s.createSeq = seq;
        const v = parseJson(e.new_value) ?? {};
        for (const c of ATTACHMENT_COLUMNS) s.set(c, v[c] ?? null, seq);
        s.set('subject_id', e.subject_id, seq);
        s.set('uploaded_by', e.actor_id, seq);
        s.set('created_at', e.at, seq);
        s.set('status', 'active', seq);
        for (const c of ['retracted_by', 'retracted_at', 'retract_reason']) s.set(c, null, seq);
        s.step(e, false);
      } else if (e.action === 'attachment.retract') {
        s.set('status', 'retracted', seq);
        s.set('retracted_by', e.actor_id, seq);
        s.set('retracted_at', e.at, seq);
        s.set('retract_reason', e.reason, seq);
        s.step(e, true);
      }
    },
    async extra(db, rows, _events, report) {
      for (const r of rows) {
        const c = await db.kysely
          .selectFrom('attachments')
          .select('content')
          .where('id', '=', String(r.id))
          .executeTakeFirst();
        const digest = c ? createHash('sha256').update(Buffer.from(c.content)).digest('hex') : null;
        if (digest !== r.sha256)
          report({
            table: 'attachments',
            recordId: String(r.id),
            field: 'content',
            seq: null,
            problem:
              "the file's bytes do not match the SHA-256 recorded at upload (changed around the trail)",
            expected: norm(r.sha256),
            actual: digest,
          });
      }
    },
  },
];

/**
 * Replays the audit trail against every audited table and reports each row it does not explain: a
 * value or version that differs from what the trail's last event for it says, a row with no
 * creating event, and a record the trail created that is gone.
 */
export async function verifyAuditedData(db: Db, opts: DataVerifyOptions = {}): Promise<DataVerifyReport> {
  const pageSize = opts.pageSize ?? 1000;
  const maxFindings = opts.maxFindings ?? 10_000;
  const findings: DataFinding[] = [];
  let findingsTotal = 0;
  const rowsChecked: Record<string, number> = {};
  const unprovable: Record<string, number> = {};
  const report = (f: DataFinding) => {
    findingsTotal += 1;
    if (findings.length < maxFindings) findings.push(f);
    opts.onFinding?.(f);
  };

  for (const spec of SPECS) {
    let after: string | null = null;
    rowsChecked[spec.table] = 0;
    for (;;) {
      const rows = await spec.page(db, after, pageSize);
      if (rows.length === 0) break;
      after = String(rows[rows.length - 1]!.id);
      const ids = rows.map((r) => String(r.id));
      const evs = await db.kysely
        .selectFrom('audit_events')
        .selectAll()
        .where('entity_type', '=', spec.entityType)
        .where('entity_id', 'in', ids)
        .orderBy('seq')
        .execute();
      const byId = new Map<string, Event[]>();
      for (const e of evs) {
        const list = byId.get(e.entity_id);
        if (list) list.push(e);
        else byId.set(e.entity_id, [e]);
      }
      for (const row of rows) {
        const id = String(row.id);
        const s = new Replayed();
        for (const e of byId.get(id) ?? []) spec.apply(s, e);
        compareRow(spec, row, s, report, unprovable);
      }
      if (spec.extra) await spec.extra(db, rows, byId, report);
      rowsChecked[spec.table] = (rowsChecked[spec.table] ?? 0) + rows.length;
      if (rows.length < pageSize) break;
    }
    await reportMissingRows(db, spec, maxFindings, report);
  }
  return { ok: findingsTotal === 0, rowsChecked, findings, findingsTotal, unprovable };
}

function compareRow(
  spec: TableSpec,
  row: Row,
  s: Replayed,
  report: (f: DataFinding) => void,
  unprovable: Record<string, number>,
) {
  const id = String(row.id);
  if (!s.created) {
    report({
      table: spec.table,
      recordId: id,
      field: null,
      seq: s.lastSeq,
      problem: 'the row has no audit event that created it (inserted around the audit trail)',
    });
    return;
  }
  const actual: Row =
    spec.table === 'studies' ? { ...row, definition_sha256: sha256(String(row.definition_json ?? '')) } : row;
  for (const field of spec.fields) {
    if (s.unknown.has(field)) {
      const key = `${spec.table}.${field}`;
      unprovable[key] = (unprovable[key] ?? 0) + 1;
      continue;
    }
    const want = s.fields.get(field);
    if (!want) continue;
    const have = norm(actual[field]);
    if (have !== want.value)
      report({
        table: spec.table,
        recordId: id,
        field,
        seq: want.seq,
        problem: `${field} is not what the audit trail says (event ${want.seq})`,
        expected: want.value,
        actual: have,
      });
  }
  if (spec.versioned && Number(row.version) !== s.version)
    report({
      table: spec.table,
      recordId: id,
      field: 'version',
      seq: s.lastSeq,
      problem: `version ${row.version} but the audit trail records ${s.version} write${s.version === 1 ? '' : 's'} (last: event ${s.lastSeq}): a change was made around the trail or events are missing`,
      expected: String(s.version),
      actual: norm(row.version),
    });
}

/** Records the trail created that no longer exist (deleted around the trail). */
async function reportMissingRows(db: Db, spec: TableSpec, limit: number, report: (f: DataFinding) => void) {
  const creates = createActions(spec);
  // A visit, form or item deleted through the trail (repositories/record-deletion.ts) ends with its
  // own audited `*.delete` event: its row is gone on purpose.
  const deleted = `${spec.entityType.replace(' ', '_')}.delete`;
  const { rows } = await sql<{ entity_id: string; seq: number }>`
    select e.entity_id, min(e.seq) as seq from audit_events e
    where e.entity_type = ${spec.entityType} and e.action in (${sql.join(creates)})
      and not exists (select 1 from ${sql.table(spec.table)} t where t.id = e.entity_id)
      and not exists (select 1 from audit_events d
        where d.entity_type = e.entity_type and d.entity_id = e.entity_id and d.action = ${deleted})
    group by e.entity_id order by e.entity_id limit ${limit}`.execute(db.kysely);
  for (const r of rows)
    report({
      table: spec.table,
      recordId: r.entity_id,
      field: null,
      seq: Number(r.seq),
      problem: `the audit trail created this record (event ${r.seq}) but the row is gone (deleted around the trail)`,
    });
}

function createActions(spec: TableSpec): string[] {
  switch (spec.entityType) {
    case 'item':
      return ['item.enter'];
    case 'form':
      return ['form.create'];
    case 'query':
      return ['query.raise'];
    case 'lock':
      return LOCK_LEVELS.flatMap((l) => LOCK_KINDS.map((k) => `${l}.${k}`));
    case 'unlock request':
      return [UNLOCK_REQUEST];
    default:
      return [`${spec.entityType.replace(' ', '_')}.create`];
  }
}
