// Test support: a large trial written fast. The demo plan (@msct/core/demo, ~446 item values per
// patient) is copied `replicas` times into one study with the store's bulk path (insertRows, the path
// imports use), so a test can hold more subjects and item rows than one load batch in seconds. The
// study, its sites and the user are created through the audited repositories; the clinical rows are
// bulk rows without per-row audit events (a fixture, not a data-entry path: the demo loader and the
// importers are tested for that).
import type { DemoTrialPlan } from '@msct/core/demo';
import type { Insertable } from 'kysely';
import { type Actor, inTransaction } from '../audit/writer.js';
import { insertRows } from '../bulk.js';
import type { Db } from '../database.js';
import { newId } from '../ids.js';
import { createSite, createStudy } from '../repositories/studies.js';
import { createUser } from '../repositories/users.js';
import type { Database } from '../schema.js';

export interface BulkTrial {
  studyId: string;
  /** The fixture's user (an actor for later audited writes). */
  userId: string;
  subjects: number;
  visits: number;
  itemRows: number;
  /** Subject code of replica r (0-based) of demo patient n. */
  codeOf(replica: number, patientNumber: number): string;
}

export async function insertTrialInBulk(
  db: Db,
  plan: DemoTrialPlan,
  replicas: number,
  studyCode = `${plan.study.code}-X${replicas}`,
): Promise<BulkTrial> {
  const system: Actor = { id: null, name: 'bulk test fixture' };
  const setup = await inTransaction(db, system, async (tx) => {
    const study = await createStudy(tx, system, {
      code: studyCode,
      title: plan.study.title,
      definition: plan.study.definition,
    });
    const siteIds = new Map<string, string>();
    for (const s of plan.sites)
      siteIds.set(
        s.code,
        (await createSite(tx, system, { studyId: study.id, code: s.code, name: s.name })).id,
      );
    const user = await createUser(tx, system, {
      username: `bulk.${studyCode.toLowerCase()}`,
      displayName: 'Bulk fixture',
      passwordHash: 'not-a-login',
    });
    return { studyId: study.id, siteIds, userId: user.id };
  });
  const now = new Date().toISOString();
  const codeOf = (replica: number, n: number) =>
    `R${String(replica).padStart(3, '0')}-P${String(n).padStart(2, '0')}`;
  let subjects = 0;
  let visits = 0;
  let itemRows = 0;
  // One transaction per replica keeps each batch of rows in memory small.
  for (let r = 0; r < replicas; r++) {
    const rows = {
      subjects: [] as Insertable<Database['subjects']>[],
      visits: [] as Insertable<Database['visits']>[],
      forms: [] as Insertable<Database['form_instances']>[],
      items: [] as Insertable<Database['item_values']>[],
      infusions: [] as Insertable<Database['infusions']>[],
      aes: [] as Insertable<Database['adverse_events']>[],
    };
    for (const p of plan.patients) {
      const subjectId = newId();
      const code = codeOf(r, p.number);
      rows.subjects.push({
        id: subjectId,
        study_id: setup.studyId,
        site_id: setup.siteIds.get(p.siteCode)!,
        subject_code: code,
        pseudonym: `PS-${code}`,
        status: p.finalStatus,
        sex: p.sex,
        birth_date: p.birthDate,
        enrolled_at: p.enrolledAt,
        day0_date: p.day0Date,
        created_at: now,
        version: 1,
      });
      for (const v of p.visits) {
        const visitId = newId();
        rows.visits.push({
          id: visitId,
          subject_id: subjectId,
          visit_code: v.visitCode,
          cycle: v.cycle,
          visit_date: v.date,
          status: 'open',
          created_at: now,
          version: 1,
          definition_version: 1,
        });
        for (const [formCode, items] of Object.entries(v.forms)) {
          const formId = newId();
          rows.forms.push({
            id: formId,
            visit_id: visitId,
            subject_id: subjectId,
            form_code: formCode,
            status: 'complete',
            signed_by: null,
            signed_at: null,
            created_at: now,
            version: 1,
            definition_version: 1,
            record: 1,
          });
          for (const [itemCode, it] of Object.entries(items))
            rows.items.push({
              id: newId(),
              form_instance_id: formId,
              item_code: itemCode,
              value: it.value,
              unit: it.unit,
              updated_at: now,
              updated_by: setup.userId,
              definition_version: 1,
              version: 1,
            });
        }
      }
      for (const i of p.infusions)
        rows.infusions.push({
          id: newId(),
          subject_id: subjectId,
          cycle: i.cycle,
          infusion_number: i.infusionNumber,
          planned_date: i.plannedDate,
          started_at: i.startedAt,
          ended_at: i.endedAt,
          product_lot: i.productLot,
          total_cells: i.totalCells,
          viability_pct: i.viabilityPct,
          volume_ml: i.volumeMl,
          weight_kg: i.weightKg,
          vitals_json: i.vitals ? JSON.stringify(i.vitals) : null,
          reactions: i.reactions,
          status: i.status,
          created_at: now,
          version: 1,
        });
      for (const a of p.adverseEvents)
        rows.aes.push({
          id: newId(),
          subject_id: subjectId,
          term: a.term,
          onset_date: a.onsetDate,
          resolution_date: a.resolutionDate,
          ctcae_grade: a.ctcaeGrade,
          serious: a.seriousness.length > 0 ? 1 : 0,
          seriousness_json: JSON.stringify(a.seriousness),
          relatedness: a.relatedness,
          action_taken: a.actionTaken,
          outcome: a.outcome,
          infusion_id: null,
          death_date: a.deathDate,
          death_cause: a.deathCause,
          created_at: now,
          version: 1,
        });
    }
    await db.kysely.transaction().execute(async (tx) => {
      await insertRows(tx, db.sqlite, 'subjects', rows.subjects);
      await insertRows(tx, db.sqlite, 'visits', rows.visits);
      await insertRows(tx, db.sqlite, 'form_instances', rows.forms);
      await insertRows(tx, db.sqlite, 'item_values', rows.items);
      await insertRows(tx, db.sqlite, 'infusions', rows.infusions);
      await insertRows(tx, db.sqlite, 'adverse_events', rows.aes);
    });
    subjects += rows.subjects.length;
    visits += rows.visits.length;
    itemRows += rows.items.length;
  }
  return { studyId: setup.studyId, userId: setup.userId, subjects, visits, itemRows, codeOf };
}
