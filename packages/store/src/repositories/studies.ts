import { createHash } from 'node:crypto';
import { type Actor, writeTransaction } from '../audit/writer.js';
import type { Db } from '../database.js';
import { notFound, StoreError } from '../errors.js';
import { newId } from '../ids.js';
import type { SiteTable, StudyTable } from '../schema.js';

export type Study = StudyTable;
export type Site = SiteTable;

export interface NewStudy {
  code: string;
  title: string;
  definition: unknown;
}

export async function createStudy(db: Db, actor: Actor, input: NewStudy): Promise<Study> {
  return writeTransaction(db, actor, async (tx, audit) => {
    const existing = await tx
      .selectFrom('studies')
      .select('id')
      .where('code', '=', input.code)
      .executeTakeFirst();
    if (existing)
      throw new StoreError('duplicate', `a study with code "${input.code}" already exists`, {
        field: 'code',
      });
    const row: Study = {
      id: newId(),
      code: input.code,
      title: input.title,
      definition_json: JSON.stringify(input.definition ?? {}),
      status: 'active',
      created_at: audit.now,
      version: 1,
      definition_version: 1,
    };
    await tx.insertInto('studies').values(row).execute();
    // Version 1 of the definition (repositories/definition-versions.ts keeps the later ones).
    await tx
      .insertInto('study_definitions')
      .values({
        study_id: row.id,
        version: 1,
        definition_json: row.definition_json,
        created_at: audit.now,
        created_by: actor.id,
        created_by_name: actor.name,
        reason: null,
      })
      .execute();
    await audit.record({
      action: 'study.create',
      entityType: 'study',
      entityId: row.id,
      studyId: row.id,
      // The definition by its SHA-256 (it is large), so `msct audit verify` can prove it unchanged.
      newValue: JSON.stringify({
        code: row.code,
        title: row.title,
        definitionSha256: createHash('sha256').update(row.definition_json, 'utf8').digest('hex'),
      }),
    });
    return row;
  });
}

export async function listStudies(db: Db, ids?: readonly string[]): Promise<Study[]> {
  let q = db.kysely.selectFrom('studies').selectAll().orderBy('code');
  if (ids) {
    if (ids.length === 0) return [];
    q = q.where('id', 'in', ids);
  }
  return q.execute();
}

export async function getStudy(db: Db, id: string): Promise<Study> {
  const row = await db.kysely.selectFrom('studies').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw notFound('study', id);
  return row;
}

export async function findStudyByCode(db: Db, code: string): Promise<Study | undefined> {
  return db.kysely.selectFrom('studies').selectAll().where('code', '=', code).executeTakeFirst();
}

export interface NewSite {
  studyId: string;
  code: string;
  name: string;
}

export async function createSite(db: Db, actor: Actor, input: NewSite): Promise<Site> {
  return writeTransaction(db, actor, async (tx, audit) => {
    const study = await tx
      .selectFrom('studies')
      .select('id')
      .where('id', '=', input.studyId)
      .executeTakeFirst();
    if (!study) throw notFound('study', input.studyId);
    const dup = await tx
      .selectFrom('sites')
      .select('id')
      .where('study_id', '=', input.studyId)
      .where('code', '=', input.code)
      .executeTakeFirst();
    if (dup)
      throw new StoreError('duplicate', `site code "${input.code}" is already used in this study`, {
        field: 'code',
      });
    const row: Site = {
      id: newId(),
      study_id: input.studyId,
      code: input.code,
      name: input.name,
      created_at: audit.now,
      version: 1,
    };
    await tx.insertInto('sites').values(row).execute();
    await audit.record({
      action: 'site.create',
      entityType: 'site',
      entityId: row.id,
      studyId: row.study_id,
      siteId: row.id,
      newValue: JSON.stringify({ code: row.code, name: row.name }),
    });
    return row;
  });
}

export async function listSites(db: Db, studyId: string): Promise<Site[]> {
  return db.kysely.selectFrom('sites').selectAll().where('study_id', '=', studyId).orderBy('code').execute();
}

export async function getSite(db: Db, id: string): Promise<Site> {
  const row = await db.kysely.selectFrom('sites').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw notFound('site', id);
  return row;
}
