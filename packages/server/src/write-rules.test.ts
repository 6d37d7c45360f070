// The write rules of an item value, one row each, run through every path that writes item values
// (issue 19: one writer, a rule added once holds everywhere): the form save over HTTP (PUT
// /api/visits/:id/forms/:code), the CSV import, the ODM import, and the demo loader's call (it enters
// each form with saveItems inside the patient's transaction, packages/cli/src/demo/load-demo.ts).
// The same rows for each path, on SQLite and PostgreSQL; after each attempt the item and the audit
// trail are read back, and at the end the chain verifies and the audited data has no findings.
import { Readable } from 'node:stream';
import { importCsv, importOdm, oid } from '@msct/exchange';
import { createEmptyStudy } from '@msct/exchange/testing';
import {
  type Actor,
  assignRole,
  createRecordLock,
  createSubject,
  createUser,
  createVisit,
  type Db,
  EntryRefusalError,
  type EntryRefusalRule,
  type ItemValue,
  inTransaction,
  releaseRecordLock,
  StoreError,
  saveItems,
  setFormStatus,
  setVisitMissed,
  updateSubject,
  verifyAuditChain,
  verifyAuditedData,
} from '@msct/store';
import { TEST_DIALECTS } from '@msct/store/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from './auth/password.js';
import { ApiClient, startTestServer, TEST_PASSWORD, type TestServer } from './testing/test-server.js';

const VISIT = 'M6';
const FORM = 'medication';
const ITEM = 'other_immunosuppressant'; // a free-text item: any text the store can keep is a value

/** What an attempt came to: written, or refused by which rule. */
type Outcome =
  | 'written'
  | 'reason-required'
  | 'conflict'
  | 'locked'
  | 'visit-missed'
  | 'text'
  /**
   * Entry follows the definition (core protocol/entry-rules.ts; an item only if the form has it):
   * refused under the rule's own name, the same on every path.
   */
  | EntryRefusalRule;

/** The rules of entry following the definition, as the store, the API and the imports name them. */
const DEFINITION_RULES = new Set<string>([
  'visit-not-in-schedule',
  'visit-not-repeated-in-cycles',
  'cycle-beyond-plan',
  'unscheduled-reason-required',
  'form-not-in-definition',
  'form-not-at-visit',
  'item-unknown',
] satisfies EntryRefusalRule[]);

/** The refusals of a freeze or lock (record-locks.ts: level-kind). */
const LOCK_RULES = new Set([
  'study-lock',
  'study-freeze',
  'site-lock',
  'site-freeze',
  'subject-lock',
  'subject-freeze',
]);

/** The state of the item before the attempt. */
type Given =
  | 'nothing'
  | 'value'
  | 'value-changed'
  | 'signed'
  | 'missed'
  /** Issue 21: a lock or freeze of the subject, its site or the study (record-locks.ts). */
  | 'subject-locked'
  | 'site-frozen'
  | 'study-locked';

interface Attempt {
  value: string;
  /** The version the writer read (form save and demo call); imports name none. */
  version?: number;
  /** '' = none given (the API and the demo call leave it out; an import passes it blank). */
  reason: string;
  /** Where the value goes when not the item FORM.ITEM of visit VISIT (the subject's visit is opened). */
  visitCode?: string;
  formCode?: string;
  itemCode?: string;
}

const formOf = (a: Attempt) => a.formCode ?? FORM;
const itemCodeOf = (a: Attempt) => a.itemCode ?? ITEM;

interface Row {
  rule: string;
  given: Given;
  attempt: Attempt;
  /** The outcome on every path, or per path where a path by its nature differs (said why). */
  expect: Outcome | Record<PathName, Outcome>;
}

const ROWS: Row[] = [
  {
    rule: 'a first value is entered (version 1), audited with who and when',
    given: 'nothing',
    attempt: { value: 'tacrolimus', reason: '' },
    expect: 'written',
  },
  {
    rule: 'an equal value changes nothing and writes no audit event',
    given: 'value',
    attempt: { value: 'first', version: 1, reason: '' },
    expect: 'written',
  },
  {
    rule: 'a change of an existing value with a reason: version 2, audited with who, when and why',
    given: 'value',
    attempt: { value: 'second', version: 1, reason: 'transcription error' },
    expect: 'written',
  },
  {
    rule: 'a change of an existing value without a reason is refused',
    given: 'value',
    attempt: { value: 'second', version: 1, reason: '' },
    expect: 'reason-required',
  },
  {
    rule: 'a change based on a stale version is refused',
    given: 'value-changed',
    attempt: { value: 'second', version: 1, reason: 'transcription error' },
    // An import names no version: it reads the value inside its own transaction (which holds the
    // write lock), so its base cannot be stale; its change is made on the current version and the
    // audit event's old value is the current one, which the check below verifies.
    expect: { api: 'conflict', demo: 'conflict', csv: 'written', odm: 'written' },
  },
  {
    rule: 'a signed form is refused',
    given: 'signed',
    attempt: { value: 'second', version: 1, reason: 'transcription error' },
    expect: 'locked',
  },
  {
    rule: 'a locked subject is refused, naming the lock',
    given: 'subject-locked',
    attempt: { value: 'tacrolimus', reason: '' },
    expect: 'locked',
  },
  {
    rule: 'a frozen site is refused (a change of a value too), naming the freeze',
    given: 'site-frozen',
    attempt: { value: 'second', version: 1, reason: 'transcription error' },
    expect: 'locked',
  },
  {
    rule: 'a locked study is refused, opening a visit too',
    given: 'study-locked',
    attempt: { value: 'tacrolimus', reason: '', visitCode: 'M3' },
    expect: 'locked',
  },
  {
    rule: 'a visit declared missed is refused',
    given: 'missed',
    attempt: { value: 'tacrolimus', reason: '' },
    expect: 'visit-missed',
  },
  {
    rule: 'text with NUL is refused',
    given: 'nothing',
    attempt: { value: 'tac\u0000rolimus', reason: '' },
    expect: 'text',
  },
  {
    rule: 'text with a lone surrogate is refused',
    given: 'nothing',
    attempt: { value: 'taco\ud800', reason: '' },
    expect: 'text',
  },
  {
    rule: 'a form the definition does not collect at the visit is refused (end-of-study is M12 only)',
    given: 'nothing',
    attempt: { value: 'completed', reason: '', formCode: 'end-of-study', itemCode: 'status' },
    expect: 'form-not-at-visit',
  },
  {
    rule: 'an item the form does not have is refused',
    given: 'nothing',
    attempt: { value: 'tacrolimus', reason: '', itemCode: 'no_such_item' },
    expect: 'item-unknown',
  },
  {
    rule: 'a visit not in the schedule is refused (BASELINE is not a visit of MSCT-SLE)',
    given: 'nothing',
    attempt: { value: 'tacrolimus', reason: '', visitCode: 'BASELINE' },
    expect: 'visit-not-in-schedule',
  },
];

type PathName = 'api' | 'csv' | 'odm' | 'demo';

type ApiProblem = {
  status: number;
  code: string;
  detail: string;
  errors?: { field: string; rule: string; message: string }[];
  rule?: string;
};

interface Case {
  db: Db;
  studyId: string;
  actor: Actor;
  api: ApiClient;
  subjectCode: string;
  subjectId: string;
  visitId: string;
}

/** Classifies a refusal from the store (imports, demo). */
function storeOutcome(e: unknown): Outcome {
  if (!(e instanceof StoreError)) throw e;
  if (e.code === 'reason_required') return 'reason-required';
  if (e.code === 'conflict') return 'conflict';
  if (e.code === 'locked') return 'locked';
  if (LOCK_RULES.has(String(e.details.rule))) return 'locked';
  if (e.details.rule === 'visit-missed') return 'visit-missed';
  if (e instanceof EntryRefusalError) return e.rule;
  if (e.details.rule === 'unicode' || e.details.rule === 'control-character') return 'text';
  throw e;
}

/** An import's report refusing the file: a text rule of its checks, or nothing to classify. */
function reportOutcome(r: { written: boolean; problems: { rule: string; message: string }[] }): Outcome {
  if (r.written) return 'written';
  // A CSV value with them fails the text check of the import; XML cannot carry them at all (an ODM
  // file with them, even as character references, is not well-formed).
  const textRule = (p: { rule: string; message: string }) =>
    p.rule === 'unicode' ||
    p.rule === 'control-character' ||
    (p.rule === 'row-malformed' && /character/.test(p.message));
  if (r.problems.length > 0 && r.problems.every(textRule)) return 'text';
  // The item writer's refusals, reported as problems of their row (ItemWriter.refusal).
  const rules = new Set(r.problems.map((p) => p.rule));
  if (rules.size === 1 && rules.has('visit-missed')) return 'visit-missed';
  if (rules.size === 1 && (rules.has('form-signed') || rules.has('form-locked'))) return 'locked';
  if (rules.size === 1 && rules.has('record-locked')) return 'locked';
  if (rules.size === 1 && DEFINITION_RULES.has([...rules][0]!)) return [...rules][0] as EntryRefusalRule;
  throw new Error(`unexpected import problems: ${JSON.stringify(r.problems)}`);
}

const csvOf = (c: Case, a: Attempt) =>
  `subject,visit,form,item,value,unit\n${c.subjectCode},${a.visitCode ?? VISIT},${formOf(a)},${itemCodeOf(a)},"${a.value}",\n`;

/** An attribute value; NUL and lone surrogates as character references (XML has no other way). */
const xmlText = (s: string) =>
  [...s]
    .map((ch) => {
      const n = ch.codePointAt(0)!;
      if (n === 0 || (n >= 0xd800 && n <= 0xdfff)) return `&#x${n.toString(16)};`;
      return ch === '"' ? '&quot;' : ch;
    })
    .join('');

const odmOf = (c: Case, a: Attempt) => `<?xml version="1.0" encoding="UTF-8"?>
<ODM xmlns="http://www.cdisc.org/ns/odm/v1.3" ODMVersion="1.3.2" FileType="Snapshot" FileOID="x" CreationDateTime="2024-01-01T00:00:00">
  <ClinicalData StudyOID="S.MSCT-SLE" MetaDataVersionOID="MDV.1">
    <SubjectData SubjectKey="${c.subjectCode}">
      <StudyEventData StudyEventOID="${oid.visit(a.visitCode ?? VISIT)}">
        <FormData FormOID="${oid.form(formOf(a))}"><ItemGroupData ItemGroupOID="${oid.itemGroup(formOf(a))}">
          <ItemData ItemOID="${oid.item(formOf(a), itemCodeOf(a))}" Value="${xmlText(a.value)}"/>
        </ItemGroupData></FormData>
      </StudyEventData>
    </SubjectData>
  </ClinicalData>
</ODM>`;

/** Classifies a refusal of the API. */
function apiOutcome(b: ApiProblem): Outcome {
  const rules = [b.rule, ...(b.errors ?? []).map((e) => e.rule)];
  if (rules.some((r) => DEFINITION_RULES.has(String(r)))) {
    // One answer for the definition's rules: 422, the rule named, the field without a `body.` prefix.
    expect(b).toMatchObject({ status: 422, code: 'MSCT_E_NOT_IN_DEFINITION' });
    expect(b.errors).toEqual([
      { field: expect.not.stringMatching(/^body\./), rule: b.rule, message: b.detail },
    ]);
    return b.rule as EntryRefusalRule;
  }
  if (b.code === 'MSCT_E_REASON_REQUIRED') return 'reason-required';
  if (b.code === 'MSCT_E_CONFLICT') return 'conflict';
  if (b.code === 'MSCT_E_LOCKED') return 'locked';
  if (rules.includes('visit-missed')) return 'visit-missed';
  if (rules.some((r) => r === 'unicode' || r === 'control-character')) return 'text';
  throw new Error(`unexpected answer: ${JSON.stringify(b)}`);
}

const PATHS: Record<PathName, (c: Case, a: Attempt) => Promise<Outcome>> = {
  async api(c, a) {
    let visitId = c.visitId;
    if (a.visitCode) {
      // The visit is opened first (POST), as the web app does.
      const opened = await c.api.post<ApiProblem & { id: string }>(`/api/subjects/${c.subjectId}/visits`, {
        visitCode: a.visitCode,
      });
      if (opened.status !== 201) return apiOutcome(opened.body);
      visitId = opened.body.id;
    }
    const res = await c.api.put<ApiProblem>(`/api/visits/${visitId}/forms/${formOf(a)}`, {
      items: [{ itemCode: itemCodeOf(a), value: a.value, ...(a.version ? { version: a.version } : {}) }],
      ...(a.reason ? { reason: a.reason } : {}),
    });
    if (res.status === 200) return 'written';
    return apiOutcome(res.body);
  },
  async csv(c, a) {
    try {
      const r = await importCsv(c.db, c.studyId, () => Readable.from([csvOf(c, a)]), {
        format: 'long',
        actor: c.actor,
        reason: a.reason,
      });
      return reportOutcome(r);
    } catch (e) {
      return storeOutcome(e);
    }
  },
  async odm(c, a) {
    try {
      const r = await importOdm(c.db, c.studyId, () => Readable.from([odmOf(c, a)]), {
        actor: c.actor,
        reason: a.reason,
      });
      return reportOutcome(r);
    } catch (e) {
      return storeOutcome(e);
    }
  },
  // The demo loader's call: saveItems inside the patient's transaction (load-demo.ts loadPatient).
  async demo(c, a) {
    try {
      await inTransaction(c.db, c.actor, async (tx) => {
        // The demo loader opens each visit (createVisit) and enters its forms in one transaction.
        const visitId = a.visitCode
          ? (await createVisit(tx, c.actor, { subjectId: c.subjectId, visitCode: a.visitCode, cycle: 1 })).id
          : c.visitId;
        await saveItems(tx, c.actor, {
          visitId,
          formCode: formOf(a),
          items: [{ itemCode: itemCodeOf(a), value: a.value, unit: null, expectedVersion: a.version }],
          reason: a.reason || undefined,
        });
      });
      return 'written';
    } catch (e) {
      return storeOutcome(e);
    }
  },
};

for (const dialect of TEST_DIALECTS)
  describe(`one item writer: each write rule through every entry path, on ${dialect}`, () => {
    let server: TestServer;
    let studyId: string;
    let siteId: string;
    let coordinator: Actor;
    let investigator: Actor;
    let api: ApiClient;
    beforeAll(async () => {
      server = await startTestServer(dialect);
      const db = server.db;
      ({ studyId } = await createEmptyStudy(db));
      siteId = (await db.kysely
        .selectFrom('sites')
        .select('id')
        .where('study_id', '=', studyId)
        .where('code', '=', 'NJDT')
        .executeTakeFirstOrThrow())!.id;
      const system = { id: null, name: 'test' };
      const passwordHash = await hashPassword(TEST_PASSWORD);
      const people: Actor[] = [];
      for (const role of ['coordinator', 'investigator'] as const) {
        const u = await createUser(db, system, {
          username: `rules-${role}`,
          displayName: role,
          passwordHash,
          mustChangePassword: false,
        });
        await assignRole(db, system, { userId: u.id, role, studyId, siteId });
        people.push({ id: u.id, name: u.username });
      }
      [coordinator, investigator] = people as [Actor, Actor];
      api = new ApiClient(server.baseUrl);
      expect((await api.login(coordinator.name)).status).toBe(200);
    }, 60_000);
    afterAll(() => server?.close());

    /** A fresh enrolled subject with visit M6, and the item as the row gives it. */
    async function arrange(given: Given): Promise<Case> {
      const db = server.db;
      let s = await createSubject(db, coordinator, { studyId, siteId, sex: 'F', birthDate: '1985-04-01' });
      s = await updateSubject(
        db,
        coordinator,
        s.id,
        s.version,
        { status: 'enrolled', day0Date: '2024-01-10' },
        'eligible',
      );
      const visit = await createVisit(db, coordinator, { subjectId: s.id, visitCode: VISIT, cycle: 1 });
      if (given === 'missed')
        await setVisitMissed(db, coordinator, visit.id, visit.version, true, 'the patient did not come');
      if (given === 'value' || given === 'value-changed' || given === 'signed' || given === 'site-frozen') {
        const { form } = await saveItems(db, coordinator, {
          visitId: visit.id,
          formCode: FORM,
          items: [{ itemCode: ITEM, value: 'first' }],
        });
        if (given === 'value-changed')
          await saveItems(db, coordinator, {
            visitId: visit.id,
            formCode: FORM,
            items: [{ itemCode: ITEM, value: 'other', expectedVersion: 1 }],
            reason: 'changed by a colleague meanwhile',
          });
        if (given === 'signed') await setFormStatus(db, investigator, form.id, form.version, 'signed');
      }
      // The store sets locks for whoever the route lets (administrators); its rules do not depend on the role.
      if (given === 'subject-locked')
        await createRecordLock(db, investigator, {
          studyId,
          level: 'subject',
          subjectId: s.id,
          kind: 'lock',
          reason: 'subject complete',
        });
      if (given === 'site-frozen')
        await createRecordLock(db, investigator, {
          studyId,
          level: 'site',
          siteId,
          kind: 'freeze',
          reason: 'site close-out',
        });
      if (given === 'study-locked')
        await createRecordLock(db, investigator, {
          studyId,
          level: 'study',
          kind: 'lock',
          reason: 'database lock',
          overrideReason: 'locked whatever is open (test set-up)',
        });
      return {
        db,
        studyId,
        actor: coordinator,
        api,
        subjectCode: s.subject_code,
        subjectId: s.id,
        visitId: visit.id,
      };
    }

    // A site or study lock would hold for the rows after it: each is released (audited) after its row.
    afterEach(async () => {
      const active = await server.db.kysely
        .selectFrom('record_locks')
        .selectAll()
        .where('study_id', '=', studyId)
        .where('released_at', 'is', null)
        .execute();
      for (const l of active)
        await releaseRecordLock(server.db, investigator, l.id, Number(l.version), 'next test row');
    });

    async function itemOf(c: Case): Promise<ItemValue | undefined> {
      return c.db.kysely
        .selectFrom('item_values')
        .innerJoin('form_instances', 'form_instances.id', 'item_values.form_instance_id')
        .selectAll('item_values')
        .where('form_instances.visit_id', '=', c.visitId)
        .where('item_values.item_code', '=', ITEM)
        .executeTakeFirst();
    }

    const eventsOf = (c: Case) =>
      c.db.kysely
        .selectFrom('audit_events')
        .innerJoin('subjects', 'subjects.id', 'audit_events.subject_id')
        .selectAll('audit_events')
        .where('subjects.subject_code', '=', c.subjectCode)
        .orderBy('seq')
        .execute();

    for (const row of ROWS)
      for (const path of Object.keys(PATHS) as PathName[])
        it(`${row.rule} — ${path}`, async () => {
          const c = await arrange(row.given);
          const before = await itemOf(c);
          const eventsBefore = await eventsOf(c);
          const outcome = await PATHS[path](c, row.attempt);
          const expected = typeof row.expect === 'string' ? row.expect : row.expect[path];
          expect(outcome).toBe(expected);
          const after = await itemOf(c);
          const events = (await eventsOf(c)).slice(eventsBefore.length);
          if (outcome !== 'written') {
            // Refused: the item and the trail are as they were.
            expect(after).toEqual(before);
            expect(events).toEqual([]);
            return;
          }
          expect(after?.value).toBe(row.attempt.value);
          if (before?.value === row.attempt.value) {
            // An equal value: nothing written, nothing audited.
            expect(after).toEqual(before);
            expect(events.filter((e) => e.entity_type === 'item')).toEqual([]);
            return;
          }
          const version = before ? Number(before.version) + 1 : 1;
          expect(Number(after!.version)).toBe(version);
          expect(after!.updated_by).toBe(c.actor.id);
          // One audit event for the changed value, saying who, when, why, and what it was.
          const itemEvents = events.filter((e) => e.entity_type === 'item');
          expect(itemEvents).toHaveLength(1);
          const [e] = itemEvents;
          expect(e).toMatchObject({
            action: before ? 'item.change' : 'item.enter',
            entity_id: after!.id,
            actor_id: c.actor.id,
            actor_name: c.actor.name,
            at: after!.updated_at,
            field: `${FORM}.${ITEM}`,
            old_value: before?.value ?? null,
            new_value: row.attempt.value,
            reason: before ? row.attempt.reason : null,
          });
        });

    it('leaves a chain that verifies and data fully explained by the trail', async () => {
      const chain = await verifyAuditChain(server.db);
      expect(chain.ok).toBe(true);
      const data = await verifyAuditedData(server.db);
      expect(data.findings).toEqual([]);
    });
  });
