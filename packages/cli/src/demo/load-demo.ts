// Loads the demo trial (@msct/core/demo) through the store's own repositories, so the demo data
// take the same path, checks and hash-chained audit trail as data typed into the UI: study, centres,
// users with roles, then per patient (one transaction each, entered as that centre's coordinator)
// the subject, its visits and items, infusions, adverse events and status changes.
import { randomBytes } from 'node:crypto';
import { checkItemValue, itemFormsFor } from '@msct/core/crf';
import { DEMO_STUDY_CODE, type DemoPatient, type DemoTrialPlan, generateDemoTrial } from '@msct/core/demo';
import { hashPassword, passwordProblems, SIGNATURE_MEANING } from '@msct/server';
import {
  type Actor,
  assignRole,
  createSite,
  createStudy,
  createSubject,
  createSubjectRecord,
  createUser,
  createVisit,
  type Db,
  findStudyByCode,
  inTransaction,
  type Role,
  saveItems,
  setFormStatus,
  updateSubject,
} from '@msct/store';

export interface DemoLogin {
  username: string;
  role: string;
  /** Site code, or null for a study-wide (or, for admin, global) role. */
  site: string | null;
  password: string;
}

export interface LoadDemoResult {
  studyId: string;
  seed: number;
  users: DemoLogin[];
  notes: string[];
  counts: {
    sites: number;
    users: number;
    subjects: number;
    visits: number;
    forms: number;
    items: number;
    infusions: number;
    adverseEvents: number;
  };
  /** Publication patient number → the subject created for it. */
  patients: { number: number; subjectId: string; subjectCode: string }[];
}

export interface LoadDemoOptions {
  seed?: number | string;
  /**
   * Patients to load (default the published 40). More are further 40-patient cohorts of the same
   * generator, each drawn from its own seed (`<seed>/<k>`), numbered on, and generated one cohort at
   * a time (for scale tests and benches: issue 16; they are not the published trial).
   */
  patients?: number;
  /** Called after each patient is committed (for a progress bar). */
  onPatient?: (done: number, total: number) => void;
}

/**
 * A demo login's password: 16 characters from a cryptographic random source, new at every load, so
 * no two installs share one and nothing in the public source or the seed reveals it (issue 17: a
 * seed-derived password was the same on every install). It is printed once by the CLI and must be
 * changed at the first login.
 */
export function demoPassword(username: string): string {
  for (;;) {
    const pw = randomBytes(12).toString('base64url');
    if (passwordProblems(pw, username).length === 0) return pw;
  }
}

/** Every item against its form definition (the same checks as an entry in the UI); throws on the first failures. */
function checkPlanItems(plan: DemoTrialPlan): void {
  const forms = itemFormsFor(plan.study.definition);
  const problems: string[] = [];
  for (const p of plan.patients)
    for (const v of p.visits)
      for (const [formCode, items] of Object.entries(v.forms)) {
        const form = forms.get(formCode);
        if (!form) {
          problems.push(`patient ${p.number} ${v.visitCode}: unknown form ${formCode}`);
          continue;
        }
        for (const [code, it] of Object.entries(items)) {
          const issue = checkItemValue(form, code, it.value, it.unit);
          if (issue) problems.push(`patient ${p.number} ${v.visitCode}: ${issue.message}`);
        }
      }
  if (problems.length > 0)
    throw new Error(`the demo plan has invalid items:\n${problems.slice(0, 20).join('\n')}`);
}

export async function loadDemoTrial(db: Db, options: LoadDemoOptions = {}): Promise<LoadDemoResult> {
  const plan = generateDemoTrial(options.seed === undefined ? {} : { seed: options.seed });
  if (await findStudyByCode(db, plan.study.code))
    throw new Error(
      `a study with code ${plan.study.code} already exists in ${db.location}; the demo trial is loaded only into a database without it`,
    );
  checkPlanItems(plan);
  const logins: DemoLogin[] = plan.users.map((u) => ({
    username: u.username,
    role: u.role,
    site: u.siteCode,
    password: demoPassword(u.username),
  }));
  // argon2 hashing (~30 ms each) runs on libuv's pool, outside the write transaction.
  const hashes = await Promise.all(logins.map((l) => hashPassword(l.password)));
  const system: Actor = { id: null, name: `demo generator (seed ${plan.seed})` };

  const setup = await inTransaction(db, system, async (tx) => {
    const study = await createStudy(tx, system, {
      code: plan.study.code,
      title: plan.study.title,
      definition: plan.study.definition,
    });
    const siteIds = new Map<string, string>();
    for (const s of plan.sites)
      siteIds.set(
        s.code,
        (await createSite(tx, system, { studyId: study.id, code: s.code, name: s.name })).id,
      );
    const userIds = new Map<string, string>();
    for (const [i, u] of plan.users.entries()) {
      const user = await createUser(tx, system, {
        username: u.username,
        displayName: u.displayName,
        passwordHash: hashes[i]!,
        // Generated, not chosen by the user: changed at the first login.
        mustChangePassword: true,
      });
      userIds.set(u.username, user.id);
      await assignRole(tx, system, {
        userId: user.id,
        role: u.role as Role,
        studyId: u.role === 'admin' ? null : study.id,
        siteId: u.siteCode ? siteIds.get(u.siteCode)! : null,
      });
    }
    return { studyId: study.id, siteIds, userIds };
  });

  const counts = {
    sites: plan.sites.length,
    users: plan.users.length,
    subjects: 0,
    visits: 0,
    forms: 0,
    items: 0,
    infusions: 0,
    adverseEvents: 0,
  };
  const patients: LoadDemoResult['patients'] = [];
  const total = options.patients ?? plan.patients.length;
  const cohorts = function* (): Generator<DemoPatient> {
    let n = 0;
    for (let k = 0; n < total; k++) {
      const cohort = k === 0 ? plan : generateDemoTrial({ seed: `${plan.seed}/${k}` });
      if (k > 0) checkPlanItems(cohort);
      for (const p of cohort.patients) {
        if (n >= total) return;
        n++;
        yield k === 0 ? p : { ...p, number: n };
      }
    }
  };
  for (const p of cohorts()) {
    const coordinator = plan.users.find((u) => u.role === 'coordinator' && u.siteCode === p.siteCode)!;
    const actor: Actor = { id: setup.userIds.get(coordinator.username)!, name: coordinator.username };
    const subject = await inTransaction(db, actor, (tx) =>
      loadPatient(tx, actor, setup.studyId, setup.siteIds.get(p.siteCode)!, p, counts),
    );
    // A finished trial's visits are signed: the site investigator signs every form, audited as such.
    const investigator = plan.users.find((u) => u.role === 'investigator' && u.siteCode === p.siteCode);
    if (investigator) {
      const inv: Actor = { id: setup.userIds.get(investigator.username)!, name: investigator.username };
      await inTransaction(db, inv, async (tx) => {
        for (const f of subject.forms)
          await setFormStatus(tx, inv, f.id, f.version, 'signed', SIGNATURE_MEANING);
      });
    }
    patients.push({ number: p.number, subjectId: subject.subjectId, subjectCode: subject.subjectCode });
    options.onPatient?.(patients.length, total);
  }
  const notes =
    total === plan.patients.length
      ? plan.notes
      : [
          ...plan.notes,
          `Scaled to ${total} patients: patients 41 and up are further cohorts of the same generator (seeds "${plan.seed}/1", "${plan.seed}/2", …), not the published trial.`,
        ];
  return { studyId: setup.studyId, seed: plan.seed, users: logins, notes, counts, patients };
}

async function loadPatient(
  tx: Db,
  actor: Actor,
  studyId: string,
  siteId: string,
  p: DemoPatient,
  counts: LoadDemoResult['counts'],
): Promise<{ subjectId: string; subjectCode: string; forms: { id: string; version: number }[] }> {
  let subject = await createSubject(tx, actor, {
    studyId,
    siteId,
    status: 'screening',
    sex: p.sex,
    birthDate: p.birthDate,
  });
  counts.subjects++;
  const forms: { id: string; version: number }[] = [];
  for (const v of p.visits) {
    const visit = await createVisit(tx, actor, {
      subjectId: subject.id,
      visitCode: v.visitCode,
      cycle: v.cycle,
      visitDate: v.date,
      ...(v.reason ? { reason: v.reason } : {}),
    });
    counts.visits++;
    for (const [formCode, items] of Object.entries(v.forms)) {
      const writes = Object.entries(items).map(([itemCode, it]) => ({
        itemCode,
        value: it.value,
        unit: it.unit,
      }));
      const saved = await saveItems(tx, actor, { visitId: visit.id, formCode, items: writes });
      forms.push({ id: saved.form.id, version: saved.form.version });
      counts.forms++;
      counts.items += writes.length;
    }
    if (v.visitCode === 'SCR') {
      // Eligibility confirmed at screening: the subject is enrolled with the planned day 0.
      subject = await updateSubject(
        tx,
        actor,
        subject.id,
        subject.version,
        { status: 'enrolled', enrolledAt: p.enrolledAt, day0Date: p.day0Date },
        'Eligible at screening (waivers, if any, recorded on the screening form); enrolled',
      );
    }
  }
  for (const i of p.infusions) {
    await createSubjectRecord(tx, actor, 'infusions', subject.id, {
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
    });
    counts.infusions++;
  }
  for (const a of p.adverseEvents) {
    await createSubjectRecord(tx, actor, 'adverse_events', subject.id, {
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
    });
    counts.adverseEvents++;
  }
  subject = await updateSubject(
    tx,
    actor,
    subject.id,
    subject.version,
    { status: p.finalStatus },
    p.finalStatus === 'died'
      ? 'Death recorded on the end-of-study form'
      : 'Month 12 completed (end-of-study form)',
  );
  return { subjectId: subject.id, subjectCode: subject.subject_code, forms };
}

export { DEMO_STUDY_CODE };
