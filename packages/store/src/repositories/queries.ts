import { sql } from 'kysely';
import { type Actor, type Tx, writeTransaction } from '../audit/writer.js';
import type { Db } from '../database.js';
import { notFound, StoreError } from '../errors.js';
import { newId } from '../ids.js';
import type { QueryMessageTable, QueryTable } from '../schema.js';
import { loadForUpdate, writeVersioned } from './versioned.js';

export type DataQuery = QueryTable;
export type QueryMessage = QueryMessageTable;

export interface NewQuery {
  subjectId: string;
  entityType: string;
  entityId: string;
  field?: string | null;
  text: string;
}

/** A monitor raises a query on a record or one field of it. */
export async function raiseQuery(db: Db, actor: Actor, input: NewQuery): Promise<DataQuery> {
  if (!actor.id) throw new StoreError('invalid', 'queries are raised by users');
  const raisedBy = actor.id;
  return writeTransaction(db, actor, async (tx, audit) => {
    const s = await tx
      .selectFrom('subjects')
      .select(['id', 'study_id', 'site_id'])
      .where('id', '=', input.subjectId)
      .executeTakeFirst();
    if (!s) throw notFound('subject', input.subjectId);
    // The queried record must be this subject's: the caller's access was checked on the subject, so
    // a record of another subject (perhaps at another site) is not found, as the access policy hides it.
    if (!(await entityOfSubject(tx, input.entityType, input.entityId, s.id)))
      throw new StoreError(
        'not_found',
        `${input.entityType} ${input.entityId} is not a record of subject ${s.id}`,
        { field: 'entityId', rule: 'reference', entity: input.entityType, id: input.entityId },
      );
    const row: DataQuery = {
      id: newId(),
      subject_id: s.id,
      entity_type: input.entityType,
      entity_id: input.entityId,
      field: input.field ?? null,
      status: 'open',
      text: input.text,
      raised_by: raisedBy,
      raised_at: audit.now,
      closed_by: null,
      closed_at: null,
      version: 1,
      edit_check: null,
    };
    await tx.insertInto('queries').values(row).execute();
    await tx
      .insertInto('query_messages')
      .values({
        id: newId(),
        query_id: row.id,
        author_id: raisedBy,
        kind: 'raise',
        text: input.text,
        created_at: audit.now,
      })
      .execute();
    await audit.record({
      action: 'query.raise',
      entityType: 'query',
      entityId: row.id,
      studyId: s.study_id,
      siteId: s.site_id,
      subjectId: s.id,
      field: row.field,
      newValue: input.text,
    });
    return row;
  });
}

export type QueryTransition = 'answer' | 'close' | 'reopen';
const NEXT_STATUS: Record<QueryTransition, { from: string[]; to: string }> = {
  answer: { from: ['open'], to: 'answered' },
  close: { from: ['open', 'answered'], to: 'closed' },
  reopen: { from: ['answered', 'closed'], to: 'open' },
};

/** The site answers; the monitor closes or reopens. Each step is a message and an audited status change. */
export async function transitionQuery(
  db: Db,
  actor: Actor,
  id: string,
  expectedVersion: number,
  transition: QueryTransition,
  text: string,
): Promise<DataQuery> {
  if (!actor.id) throw new StoreError('invalid', 'queries are handled by users');
  const authorId = actor.id;
  return writeTransaction(db, actor, async (tx, audit) => {
    const before = await loadForUpdate(tx, 'queries', id, expectedVersion, 'query');
    const rule = NEXT_STATUS[transition];
    if (!rule.from.includes(before.status)) {
      throw new StoreError(
        'invalid',
        `a query that is ${before.status} cannot be ${transition === 'answer' ? 'answered' : `${transition}d`}`,
        {
          field: 'transition',
          rule: 'transition',
          currentStatus: before.status,
          currentVersion: before.version,
        },
      );
    }
    const cols: Partial<DataQuery> = { status: rule.to };
    if (transition === 'close') Object.assign(cols, { closed_by: authorId, closed_at: audit.now });
    if (transition === 'reopen') Object.assign(cols, { closed_by: null, closed_at: null });
    const version = await writeVersioned(tx, 'queries', id, expectedVersion, cols, 'query');
    await tx
      .insertInto('query_messages')
      .values({
        id: newId(),
        query_id: id,
        author_id: authorId,
        kind: transition,
        text,
        created_at: audit.now,
      })
      .execute();
    const s = await tx
      .selectFrom('subjects')
      .select(['study_id', 'site_id'])
      .where('id', '=', before.subject_id)
      .executeTakeFirstOrThrow();
    await audit.record({
      action: `query.${transition}`,
      entityType: 'query',
      entityId: id,
      studyId: s.study_id,
      siteId: s.site_id,
      subjectId: before.subject_id,
      field: 'status',
      oldValue: before.status,
      newValue: rule.to,
      reason: text,
    });
    return { ...before, ...cols, version };
  });
}

/** Whether the record a query points at exists and belongs to the subject. */
async function entityOfSubject(tx: Tx, entityType: string, entityId: string, subjectId: string) {
  const owner = async (table: 'visits' | 'form_instances' | 'infusions' | 'adverse_events') =>
    (await tx.selectFrom(table).select('subject_id').where('id', '=', entityId).executeTakeFirst())
      ?.subject_id;
  switch (entityType) {
    case 'subject':
      return entityId === subjectId;
    case 'visit':
      return (await owner('visits')) === subjectId;
    case 'form':
      return (await owner('form_instances')) === subjectId;
    case 'infusion':
      return (await owner('infusions')) === subjectId;
    case 'adverse event':
      return (await owner('adverse_events')) === subjectId;
    case 'item': {
      const row = await tx
        .selectFrom('item_values')
        .innerJoin('form_instances', 'form_instances.id', 'item_values.form_instance_id')
        .select('form_instances.subject_id')
        .where('item_values.id', '=', entityId)
        .executeTakeFirst();
      return row?.subject_id === subjectId;
    }
    default:
      return false;
  }
}

export async function getQuery(db: Db, id: string): Promise<DataQuery> {
  const row = await db.kysely.selectFrom('queries').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw notFound('query', id);
  return row;
}

export async function listQueryMessages(
  db: Db,
  queryId: string,
): Promise<(QueryMessage & { author_name: string })[]> {
  return db.kysely
    .selectFrom('query_messages')
    .innerJoin('users', 'users.id', 'query_messages.author_id')
    .selectAll('query_messages')
    .select('users.display_name as author_name')
    .where('query_id', '=', queryId)
    .orderBy('created_at')
    .execute();
}

export interface QueryListOptions {
  studyId: string;
  siteIds?: readonly string[];
  subjectId?: string;
  status?: string;
  /** One site (within siteIds). */
  siteId?: string;
  /** The form the queried item or form belongs to. */
  formCode?: string;
  raisedBy?: string;
  /**
   * Open at least this many whole days (the list's "open at least N days"): raised at or before
   * `now` minus that many days, and, when closed, closed at least that many days after it was raised.
   */
  minAgeDays?: { days: number; now: number };
  /** One page of the list (issue 16: a trial's queries are never all sent at once); default: all. */
  offset?: number;
  limit?: number;
}

const DAY_MS = 86_400_000;

/** The study's queries with the list's filters, joined to where each sits (no columns chosen yet). */
function filteredQueries(db: Db, opts: QueryListOptions, withStatus: boolean) {
  let q = db.kysely
    .selectFrom('queries')
    .innerJoin('subjects', 'subjects.id', 'queries.subject_id')
    .innerJoin('users', 'users.id', 'queries.raised_by')
    // Where the queried record sits, so a list can link to the visit: items and forms resolve to theirs.
    .leftJoin('item_values', (j) =>
      j.onRef('item_values.id', '=', 'queries.entity_id').on('queries.entity_type', '=', 'item'),
    )
    .leftJoin('form_instances', (j) =>
      j.on((eb) =>
        eb.and([
          eb.or([
            eb.and([
              eb('queries.entity_type', '=', 'form'),
              eb('form_instances.id', '=', eb.ref('queries.entity_id')),
            ]),
            eb('form_instances.id', '=', eb.ref('item_values.form_instance_id')),
          ]),
          // Only the query's own subject's form: a query raised before targets were checked
          // (raiseQuery) must not show another site's visit and form.
          eb('form_instances.subject_id', '=', eb.ref('queries.subject_id')),
        ]),
      ),
    )
    .where('subjects.study_id', '=', opts.studyId);
  if (opts.siteIds) q = q.where('subjects.site_id', 'in', opts.siteIds.length ? [...opts.siteIds] : ['']);
  if (opts.subjectId) q = q.where('queries.subject_id', '=', opts.subjectId);
  if (withStatus && opts.status) q = q.where('queries.status', '=', opts.status);
  if (opts.siteId) q = q.where('subjects.site_id', '=', opts.siteId);
  if (opts.formCode) q = q.where('form_instances.form_code', '=', opts.formCode);
  if (opts.raisedBy) q = q.where('queries.raised_by', '=', opts.raisedBy);
  const age = opts.minAgeDays;
  if (age && age.days > 0) {
    q = q.where('queries.raised_at', '<=', new Date(age.now - age.days * DAY_MS).toISOString());
    // A closed query's age stops at its closing: closed_at − raised_at ≥ days (timestamps are ISO text).
    const lasted =
      db.dialect === 'postgres'
        ? sql<boolean>`(${sql.ref('queries.closed_at')}::timestamptz - ${sql.ref('queries.raised_at')}::timestamptz) >= make_interval(days => ${age.days})`
        : sql<boolean>`(julianday(${sql.ref('queries.closed_at')}) - julianday(${sql.ref('queries.raised_at')})) * 86400000 >= ${age.days * DAY_MS}`;
    q = q.where((eb) => eb.or([eb('queries.closed_at', 'is', null), lasted]));
  }
  return q;
}

/**
 * How many queries match, by status: `byStatus` with every filter but the status (a list's status
 * tabs), `total` with the status filter too (what the list pages through).
 */
export async function countQueries(
  db: Db,
  opts: QueryListOptions,
): Promise<{ total: number; byStatus: Record<string, number> }> {
  const rows = await filteredQueries(db, opts, false)
    .select(['queries.status', (eb) => eb.fn.countAll<number | string | bigint>().as('n')])
    .groupBy('queries.status')
    .execute();
  const byStatus: Record<string, number> = {};
  for (const r of rows) byStatus[r.status] = Number(r.n);
  const total = opts.status
    ? (byStatus[opts.status] ?? 0)
    : Object.values(byStatus).reduce((a, b) => a + b, 0);
  return { total, byStatus };
}

export async function listQueries(
  db: Db,
  opts: QueryListOptions,
): Promise<
  (DataQuery & {
    subject_code: string;
    pseudonym: string;
    site_id: string;
    raised_by_name: string;
    visit_id: string | null;
    visit_code: string | null;
    form_code: string | null;
    last_message_at: string;
  })[]
> {
  if (opts.siteIds && opts.siteIds.length === 0) return [];
  let q = filteredQueries(db, opts, true)
    .selectAll('queries')
    .select([
      'subjects.subject_code',
      'subjects.pseudonym',
      'subjects.site_id',
      'users.display_name as raised_by_name',
      'form_instances.visit_id',
      'form_instances.form_code',
      (eb) =>
        eb
          .selectFrom('visits')
          .select('visits.visit_code')
          .whereRef('visits.id', '=', 'form_instances.visit_id')
          .as('visit_code'),
      (eb) =>
        eb
          .selectFrom('query_messages')
          .select((m) => m.fn.max('query_messages.created_at').as('at'))
          .whereRef('query_messages.query_id', '=', 'queries.id')
          .as('last_message_at'),
    ])
    .orderBy('queries.raised_at')
    .orderBy('queries.id');
  if (opts.limit !== undefined) q = q.limit(opts.limit).offset(opts.offset ?? 0);
  const rows = await q.execute();
  return rows.map((r) => ({
    ...r,
    visit_code: (r.visit_code as string | null) ?? null,
    last_message_at: (r.last_message_at as string | null) ?? r.raised_at,
  }));
}
