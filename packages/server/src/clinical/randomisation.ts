// Randomisation as a service (issue 24), shared by the routes and `msct randomise`: the subject's
// factor levels read from the values the study already holds, the engine's decision
// (@msct/core/randomisation) taken inside the store's audited transaction, the balance report and
// the trial master file's allocation list. Who may call what is decided by the routes (access/).

import {
  factorSourcesOf,
  type RandomisationPlan,
  randomisationPlanOf,
  type StoredDefinition,
} from '@msct/core/protocol';
import {
  type AllocationList,
  type BalanceReport,
  balanceReport,
  generateAllocationList,
  minimise,
  nextAllocation,
  stratumOf,
} from '@msct/core/randomisation';
import {
  type Actor,
  type Allocation,
  correctAssignment,
  type Db,
  getAssignment,
  getRandomisationList,
  getSubject,
  listAssignments,
  listCorrections,
  listSites,
  type RandomisationAssignment,
  randomiseSubject,
  studyDefinition,
} from '@msct/store';
import { HttpProblem } from '../http/problem.js';

export async function randomisationPlan(db: Db, studyId: string) {
  const { definition } = await studyDefinition(db, studyId);
  const sites = await listSites(db, studyId);
  const plan = randomisationPlanOf(
    definition,
    sites.map((s) => s.code),
  );
  return { definition, sites, plan };
}

export function requirePlan(plan: RandomisationPlan | null): RandomisationPlan {
  if (!plan)
    throw new HttpProblem(
      'MSCT_E_NOT_IN_DEFINITION',
      'this study does not randomise: its definition has no arms and randomisation section',
    );
  return plan;
}

/** The subject's level of each factor: its site's code, or the item's value at the factor's visit (cycle 1). */
async function factorLevels(
  db: Db,
  definition: StoredDefinition,
  subjectId: string,
  siteCode: string,
): Promise<Record<string, string>> {
  const levels: Record<string, string> = {};
  for (const f of factorSourcesOf(definition)) {
    if (f.kind === 'site') {
      levels[f.name] = siteCode;
      continue;
    }
    const row = await db.kysely
      .selectFrom('item_values')
      .innerJoin('form_instances', 'form_instances.id', 'item_values.form_instance_id')
      .innerJoin('visits', 'visits.id', 'form_instances.visit_id')
      .select('item_values.value')
      .where('visits.subject_id', '=', subjectId)
      .where('visits.visit_code', '=', f.visit)
      .where('visits.cycle', '=', 1)
      .where('form_instances.form_code', '=', f.form)
      // The form is not repeating (the definition refuses a factor on a repeating form,
      // randomisation-checks.ts), so it has only record 1.
      .where('form_instances.record', '=', 1)
      .where('item_values.item_code', '=', f.item)
      .executeTakeFirst();
    const where = `${f.form}.${f.item} at visit ${f.visit}`;
    if (!row || row.value === null || row.value === '')
      throw new HttpProblem(
        'MSCT_E_VALIDATION',
        `cannot randomise: stratification factor '${f.name}' needs ${where}, which has no value yet`,
        { errors: [{ field: where, rule: 'stratification-factor', message: 'no value' }] },
      );
    if (!f.levels.includes(row.value))
      throw new HttpProblem(
        'MSCT_E_VALIDATION',
        `cannot randomise: ${where} is "${row.value}", not a level of factor '${f.name}' (${f.levels.join(', ')})`,
        { errors: [{ field: where, rule: 'stratification-factor', message: 'not a level' }] },
      );
    levels[f.name] = row.value;
  }
  return levels;
}

const levelsOf = (a: RandomisationAssignment): Record<string, string> => JSON.parse(a.levels_json);

/** The engine's decision for one subject, given the seed and the study's earlier assignments. */
function allocate(
  plan: RandomisationPlan,
  siteCode: string,
  levels: Record<string, string>,
  seedHex: string,
  history: readonly RandomisationAssignment[],
): Allocation {
  const refuse = (message: string) => new HttpProblem('MSCT_E_CONFLICT', `cannot randomise: ${message}`);
  if (plan.method === 'blocks') {
    const itemLevels = Object.fromEntries(plan.design.factors.map((f) => [f.name, levels[f.name]!]));
    const stratum = stratumOf(plan.design, { site: siteCode, levels: itemLevels });
    if (!stratum.ok) throw refuse(stratum.issue.message);
    const done = history.filter((a) => a.stratum === stratum.value.id).length;
    // The stratum's list is regenerated from the seed to the entry needed (its stream depends only
    // on the seed and the stratum, so earlier entries never change).
    const list = generateAllocationList(plan.design, seedHex, { perStratum: done + 1 });
    if (!list.ok) throw refuse(list.issue.message);
    const entry = nextAllocation(list.value, stratum.value.id, done);
    if (!entry.ok) throw refuse(entry.issue.message);
    return { stratum: stratum.value.id, sequence: entry.value.sequence, arm: entry.value.arm, levels };
  }
  const decision = minimise(
    plan.design,
    seedHex,
    history.map((a) => ({ arm: a.arm, levels: levelsOf(a) })),
    levels,
  );
  if (!decision.ok) throw refuse(decision.issue.message);
  return { stratum: 'all', sequence: decision.value.sequence, arm: decision.value.arm, levels };
}

/**
 * Randomises an enrolled subject (eligibility was confirmed at enrolment: routes/clinical.ts
 * `enrol` refuses a subject who is not eligible). Final: a second call is refused (409).
 */
export async function randomise(db: Db, actor: Actor, subjectId: string) {
  const subject = await getSubject(db, subjectId);
  const { definition, sites, plan: maybe } = await randomisationPlan(db, subject.study_id);
  const plan = requirePlan(maybe);
  if (await getAssignment(db, subjectId))
    throw new HttpProblem(
      'MSCT_E_CONFLICT',
      'the subject is already randomised; an assignment is final (a correction is a new event with a reason)',
    );
  if (subject.status !== 'enrolled')
    throw new HttpProblem(
      'MSCT_E_CONFLICT',
      `cannot randomise: the subject is ${subject.status.replace('_', ' ')}; randomise after eligibility is confirmed and the subject enrolled (POST /api/subjects/{id}/enrol)`,
    );
  const siteCode = sites.find((s) => s.id === subject.site_id)?.code ?? '';
  const levels = await factorLevels(db, definition, subjectId, siteCode);
  const r = await randomiseSubject(db, actor, {
    studyId: subject.study_id,
    siteId: subject.site_id,
    subjectId,
    method: plan.method,
    allocate: ({ seedHex, history }) => allocate(plan, siteCode, levels, seedHex, history),
  });
  return { ...r, definition };
}

/**
 * Corrects a randomised subject's assignment (issue 24): a new audited record from its current arm
 * to `toArm`, with the reason; the assignment stays as randomised, and so does the analysis (ITT),
 * so nothing derived changes. Who may is decided by the caller (route: policy + blinding; CLI: the
 * operator, refused with --blinded).
 */
export async function correctRandomisation(
  db: Db,
  actor: Actor,
  input: { subjectId: string; toArm: string; reason: string },
) {
  const subject = await getSubject(db, input.subjectId);
  const { definition, plan } = await randomisationPlan(db, subject.study_id);
  requirePlan(plan);
  const r = await correctAssignment(db, actor, { ...input, arms: (definition.arms ?? []).map((a) => a.id) });
  return { ...r, definition };
}

/** Allocation balance by stratum and by factor level (core balanceReport). */
export async function allocationBalance(
  db: Db,
  studyId: string,
): Promise<{ method: string; report: BalanceReport; arms: { id: string; label: string; ratio: number }[] }> {
  const { definition, plan: maybe } = await randomisationPlan(db, studyId);
  const plan = requirePlan(maybe);
  const assignments = await listAssignments(db, studyId);
  const r = balanceReport(
    plan.arms,
    assignments.map((a) => ({ arm: a.arm, stratum: a.stratum, levels: levelsOf(a) })),
  );
  if (!r.ok) throw new HttpProblem('MSCT_E_CONFLICT', r.issue.message);
  return { method: plan.method, report: r.value, arms: definition.arms ?? [] };
}

/**
 * The allocation list for the trial master file: the seed, its commitment, the design, and each
 * stratum's sequence as far as it has been used (whole blocks), each entry with the subject it went
 * to. Regenerable by anyone holding the seed (core/randomisation README).
 */
export async function allocationListExport(db: Db, studyId: string) {
  const { definition, plan: maybe } = await randomisationPlan(db, studyId);
  const plan = requirePlan(maybe);
  const record = await getRandomisationList(db, studyId);
  if (!record)
    throw new HttpProblem('MSCT_E_CONFLICT', 'no subject has been randomised yet: the list has no seed yet');
  const assignments = await listAssignments(db, studyId);
  const corrections = await listCorrections(db, { studyId });
  const subjects = new Map<string, string>();
  for (const a of assignments) subjects.set(`${a.stratum}#${a.sequence}`, a.subject_id);
  let list: AllocationList | null = null;
  if (plan.method === 'blocks') {
    const used = Math.max(1, ...assignments.map((a) => a.sequence));
    const r = generateAllocationList(plan.design, record.seed_hex, { perStratum: used });
    if (!r.ok) throw new HttpProblem('MSCT_E_CONFLICT', r.issue.message);
    list = r.value;
  }
  return {
    studyId,
    definitionId: definition.id ?? null,
    definitionVersion: definition.version ?? null,
    method: plan.method,
    seed: record.seed_hex,
    seedCommitment: record.seed_commitment,
    createdAt: record.created_at,
    design: plan.design,
    strata: (list?.strata ?? [])
      .filter((s) => assignments.some((a) => a.stratum === s.stratum.id))
      .map((s) => ({
        stratum: s.stratum.id,
        entries: s.entries.map((e) => ({
          sequence: e.sequence,
          block: e.block,
          blockSize: e.blockSize,
          positionInBlock: e.positionInBlock,
          arm: e.arm,
          subjectId: subjects.get(`${e.stratum}#${e.sequence}`) ?? null,
        })),
      })),
    assignments: assignments.map((a) => ({
      subjectId: a.subject_id,
      stratum: a.stratum,
      sequence: a.sequence,
      arm: a.arm,
      levels: levelsOf(a),
      assignedAt: a.assigned_at,
    })),
    // Corrections are new records beside the assignments (which stay as randomised).
    corrections: corrections.map((c) => ({
      id: c.id,
      subjectId: c.subject_id,
      at: c.corrected_at,
      by: c.corrected_by_name,
      reason: c.reason,
      fromArm: c.from_arm,
      toArm: c.to_arm,
    })),
  };
}
