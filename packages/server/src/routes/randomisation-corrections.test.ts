// Corrections of an assignment over the API (issue 24: "the assignment is final (a correction is a
// new audited event with a reason, never an overwrite)"): who may correct, what is refused and
// where, the assignment row and the analysis left as randomised (ITT), the audit event, and that a
// blinded role sees no correction anywhere.
import { randomisedLnTrial } from '@msct/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ApiClient,
  createTestTrial,
  startTestServer,
  type TestServer,
  type TestTrial,
} from '../testing/test-server.js';

interface Correction {
  subjectId: string;
  by: string;
  reason: string;
  fromArm: string;
  toArm: string;
}
interface Status {
  arm: string | null;
  correctedArm: string | null;
  corrections: Correction[];
}
interface Problem {
  detail: string;
  errors?: { field: string }[];
}

describe('corrections of an assignment (issue 24)', () => {
  let server: TestServer;
  let trial: TestTrial;
  const c: Record<string, ApiClient> = {};
  let subjectId: string;
  let randomisedArm: string;
  let otherArm: string;

  beforeAll(async () => {
    server = await startTestServer();
    trial = await createTestTrial(server.db, { definition: randomisedLnTrial });
    for (const u of Object.keys(trial.users)) {
      c[u] = new ApiClient(server.baseUrl);
      expect((await c[u]!.login(u)).status).toBe(200);
    }
    const co = c.coordinator!;
    const s = await co.post<{ id: string; version: number }>(`/api/studies/${trial.studyId}/subjects`, {
      siteId: trial.siteA,
      sex: 'female',
      birthDate: '1990-01-01',
    });
    const v = await co.post<{ id: string }>(`/api/subjects/${s.body.id}/visits`, {
      visitCode: 'SCR',
      visitDate: '2026-01-05',
    });
    await co.put(`/api/visits/${v.body.id}/forms/renal-screening`, {
      items: [{ itemCode: 'ln_class', value: 'IV' }],
    });
    expect(
      (await co.post(`/api/subjects/${s.body.id}/enrol`, { version: s.body.version, day0Date: '2026-01-10' }))
        .status,
    ).toBe(200);
    const r = await co.post<Status>(`/api/subjects/${s.body.id}/randomise`);
    expect(r.status).toBe(201);
    subjectId = s.body.id;
    randomisedArm = r.body.arm!;
    otherArm = randomisedLnTrial.arms!.map((a) => a.id).find((a) => a !== randomisedArm)!;
  });
  afterAll(async () => server?.close());

  const correct = (who: string, body: unknown) =>
    c[who]!.post<Status & Problem>(`/api/subjects/${subjectId}/randomisation/corrections`, body);

  it('refuses a coordinator (no such action) and the blinded monitor', async () => {
    expect((await correct('coordinator', { toArm: otherArm, reason: 'wrong kit' })).status).toBe(403);
    expect((await correct('monitor', { toArm: otherArm, reason: 'wrong kit' })).status).toBe(403);
  });

  it('refuses an unknown arm, an empty reason and a correction to the current arm, naming the field', async () => {
    const unknown = await correct('investigator', { toArm: 'placebo-x', reason: 'wrong kit' });
    expect(unknown.status).toBe(400);
    expect(unknown.body.detail).toMatch(/"placebo-x" is not an arm of this study/);
    const empty = await correct('investigator', { toArm: otherArm, reason: '  ' });
    expect(empty.status).toBe(400);
    expect(JSON.stringify(empty.body)).toContain('reason');
    const same = await correct('investigator', { toArm: randomisedArm, reason: 'wrong kit' });
    expect(same.status).toBe(409);
    expect(same.body.detail).toMatch(/already/);
    const list = await c.statistician!.get<Correction[]>(
      `/api/studies/${trial.studyId}/randomisation/corrections`,
    );
    expect(list.body).toEqual([]);
  });

  it('records a correction as a new event: the assignment and the analysis stay as randomised', async () => {
    const before = await server.db.kysely
      .selectFrom('randomisation_assignments')
      .selectAll()
      .where('subject_id', '=', subjectId)
      .executeTakeFirstOrThrow();
    const r = await correct('investigator', { toArm: otherArm, reason: 'kit of the other arm dispensed' });
    expect(r.status).toBe(201);
    expect(r.body.arm).toBe(randomisedArm);
    expect(r.body.correctedArm).toBe(otherArm);
    expect(r.body.corrections).toMatchObject([
      {
        by: 'investigator',
        reason: 'kit of the other arm dispensed',
        fromArm: randomisedArm,
        toArm: otherArm,
      },
    ]);
    // A second correction starts from the first one's arm.
    const back = await correct('admin', { toArm: randomisedArm, reason: 'dispensing record was wrong' });
    expect(back.status).toBe(201);
    expect(back.body.corrections.map((x) => [x.fromArm, x.toArm])).toEqual([
      [randomisedArm, otherArm],
      [otherArm, randomisedArm],
    ]);
    const after = await server.db.kysely
      .selectFrom('randomisation_assignments')
      .selectAll()
      .where('subject_id', '=', subjectId)
      .executeTakeFirstOrThrow();
    expect(after).toEqual(before);
    const events = await server.db.kysely
      .selectFrom('audit_events')
      .select(['action', 'field', 'old_value', 'new_value', 'reason'])
      .where('subject_id', '=', subjectId)
      .where('action', '=', 'randomisation.correct')
      .orderBy('seq')
      .execute();
    expect(events).toEqual([
      {
        action: 'randomisation.correct',
        field: 'arm',
        old_value: randomisedArm,
        new_value: otherArm,
        reason: 'kit of the other arm dispensed',
      },
      {
        action: 'randomisation.correct',
        field: 'arm',
        old_value: otherArm,
        new_value: randomisedArm,
        reason: 'dispensing record was wrong',
      },
    ]);
    const tmf = await c.statistician!.get<{ corrections: Correction[]; assignments: { arm: string }[] }>(
      `/api/studies/${trial.studyId}/randomisation/list`,
    );
    expect(tmf.body.corrections).toHaveLength(2);
    expect(tmf.body.assignments.map((a) => a.arm)).toEqual([randomisedArm]);
    const analysis = await c.statistician!.get<{
      byArm: { notes: string[]; consort: { arms: { arm: string; allocated: number }[] } };
    }>(`/api/studies/${trial.studyId}/analysis`);
    expect(analysis.status).toBe(200);
    expect(analysis.body.byArm.notes[0]).toMatch(/as randomised \(intention to treat/);
    expect(analysis.body.byArm.consort.arms.find((a) => a.arm === randomisedArm)?.allocated).toBe(1);
    expect(analysis.body.byArm.consort.arms.find((a) => a.arm === otherArm)?.allocated).toBe(0);
  });

  it('shows corrections to unblinded roles only: none to the blinded monitor, in no route', async () => {
    const inv = await c.investigator!.get<Status>(`/api/subjects/${subjectId}/randomisation`);
    expect(inv.body.corrections).toHaveLength(2);
    const mon = await c.monitor!.get<Status>(`/api/subjects/${subjectId}/randomisation`);
    expect(mon.body).toMatchObject({ arm: null, correctedArm: null, corrections: [] });
    expect((await c.monitor!.get(`/api/studies/${trial.studyId}/randomisation/corrections`)).status).toBe(
      403,
    );
    const audit = await c.monitor!.get<unknown>(`/api/subjects/${subjectId}/audit`);
    expect(audit.status).toBe(200);
    expect(JSON.stringify(audit.body)).not.toContain('randomisation.correct');
    const invAudit = await c.investigator!.get<unknown>(`/api/subjects/${subjectId}/audit`);
    expect(JSON.stringify(invAudit.body)).toContain('randomisation.correct');
    const list = await c.investigator!.get<Correction[]>(
      `/api/studies/${trial.studyId}/randomisation/corrections`,
    );
    expect(list.body.map((x) => x.subjectId)).toEqual([subjectId, subjectId]);
  });
});
