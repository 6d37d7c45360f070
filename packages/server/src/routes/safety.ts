import { type aeFields, INFUSION_STATUSES, type infusionFields, routes } from '@msct/contract';
import { checkAdverseEventDates, latestTodayAnywhere, subjectDateBounds } from '@msct/core/dataset';
import { checkInfusionDose, checkViability } from '@msct/core/protocol';
import {
  createSubjectRecord,
  getSubjectRecord,
  listSubjectRecords,
  loadTrialDataset,
  subjectScope,
  updateSubjectRecord,
} from '@msct/store';
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { armRevealingFilter } from '../access/blinding.js';
import { enforceOnSubject, principalOf } from '../access/guard.js';
import { checkDeathRecords } from '../clinical/death-record-queries.js';
import { studyDefinition } from '../clinical/study-definition.js';
import { schemaOf } from '../http/contract.js';
import { HttpProblem } from '../http/problem.js';
import type { App, RouteContext } from '../http/types.js';

/** The form id a definition gives its infusion records (msct-sle-trial.ts, the randomised trial). */
const INFUSION_FORM = 'infusion';
/** A stored status is one of the vocabulary's (core safety/vocabulary.ts); another is a fault, not data. */
const infusionStatus = z.enum(INFUSION_STATUSES);

// Infusions (product lot, cells, viability, weight) and adverse events (CTCAE grade, ICH E2A
// seriousness, relatedness to the MSC infusion) — endpoints.md "Safety (primary)".

type Infusion = Awaited<ReturnType<typeof getSubjectRecord<'infusions'>>>;
type AdverseEvent = Awaited<ReturnType<typeof getSubjectRecord<'adverse_events'>>>;

const toInfusion = (r: Infusion) => ({
  id: r.id,
  subjectId: r.subject_id,
  cycle: r.cycle,
  infusionNumber: r.infusion_number,
  plannedDate: r.planned_date,
  startedAt: r.started_at,
  endedAt: r.ended_at,
  productLot: r.product_lot,
  totalCells: r.total_cells,
  viabilityPct: r.viability_pct,
  volumeMl: r.volume_ml,
  weightKg: r.weight_kg,
  cellsPerKg: r.total_cells !== null && r.weight_kg ? r.total_cells / r.weight_kg : null,
  vitals: r.vitals_json ? (JSON.parse(r.vitals_json) as unknown) : null,
  reactions: r.reactions,
  status: infusionStatus.parse(r.status),
  version: r.version,
});

export const toAe = (r: AdverseEvent) => ({
  id: r.id,
  subjectId: r.subject_id,
  term: r.term,
  onsetDate: r.onset_date,
  resolutionDate: r.resolution_date,
  ctcaeGrade: r.ctcae_grade,
  serious: r.serious === 1,
  seriousness: JSON.parse(r.seriousness_json) as string[],
  relatedness: r.relatedness,
  actionTaken: r.action_taken,
  outcome: r.outcome,
  infusionId: r.infusion_id,
  deathDate: r.death_date,
  deathCause: r.death_cause,
  seriousDate: r.serious_date,
  siteAwareAt: r.site_aware_at,
  sponsorNotifiedAt: r.sponsor_notified_at,
  reportedDate: r.reported_date,
  narrative: r.narrative,
  sponsorRelatedness: r.sponsor_relatedness,
  expectedness: r.expectedness,
  version: r.version,
});

function infusionColumns(b: Partial<z.infer<z.ZodObject<typeof infusionFields>>>) {
  const c: Record<string, unknown> = {};
  if (b.cycle !== undefined) c.cycle = b.cycle;
  if (b.infusionNumber !== undefined) c.infusion_number = b.infusionNumber;
  if (b.plannedDate !== undefined) c.planned_date = b.plannedDate;
  if (b.startedAt !== undefined) c.started_at = b.startedAt;
  if (b.endedAt !== undefined) c.ended_at = b.endedAt;
  if (b.productLot !== undefined) c.product_lot = b.productLot;
  if (b.totalCells !== undefined) c.total_cells = b.totalCells;
  if (b.viabilityPct !== undefined) c.viability_pct = b.viabilityPct;
  if (b.volumeMl !== undefined) c.volume_ml = b.volumeMl;
  if (b.weightKg !== undefined) c.weight_kg = b.weightKg;
  if (b.vitals !== undefined) c.vitals_json = b.vitals === null ? null : JSON.stringify(b.vitals);
  if (b.reactions !== undefined) c.reactions = b.reactions;
  if (b.status !== undefined) c.status = b.status;
  return c;
}

function aeColumns(b: Partial<z.infer<z.ZodObject<typeof aeFields>>>) {
  const c: Record<string, unknown> = {};
  if (b.term !== undefined) c.term = b.term;
  if (b.onsetDate !== undefined) c.onset_date = b.onsetDate;
  if (b.resolutionDate !== undefined) c.resolution_date = b.resolutionDate;
  if (b.ctcaeGrade !== undefined) c.ctcae_grade = b.ctcaeGrade;
  if (b.seriousness !== undefined) {
    c.seriousness_json = JSON.stringify(b.seriousness);
    c.serious = b.seriousness.length > 0 ? 1 : 0;
  }
  if (b.relatedness !== undefined) c.relatedness = b.relatedness;
  if (b.actionTaken !== undefined) c.action_taken = b.actionTaken;
  if (b.outcome !== undefined) c.outcome = b.outcome;
  if (b.infusionId !== undefined) c.infusion_id = b.infusionId;
  if (b.deathDate !== undefined) c.death_date = b.deathDate;
  if (b.deathCause !== undefined) c.death_cause = b.deathCause;
  if (b.seriousDate !== undefined) c.serious_date = b.seriousDate;
  if (b.siteAwareAt !== undefined) c.site_aware_at = b.siteAwareAt;
  if (b.sponsorNotifiedAt !== undefined) c.sponsor_notified_at = b.sponsorNotifiedAt;
  if (b.narrative !== undefined) c.narrative = b.narrative;
  return c;
}

export function registerSafetyRoutes(app: App, { db }: RouteContext) {
  /**
   * AE dates against the subject's own dates (core/dataset/adverse-event-dates.ts: not before the
   * first study date, not after death or the last contact of a subject who left, resolution not
   * before onset, nothing in the future) → 400 naming each field and rule; nothing is written.
   */
  async function assertAeDates(
    studyId: string,
    subjectId: string,
    ae: { onsetDate: string; resolutionDate: string | null; deathDate: string | null },
    /** On a change: the record as stored, whose own old death date must not bound the new values. */
    before?: AdverseEvent,
  ) {
    const subject = (await loadTrialDataset(db, studyId, { subjectIds: [subjectId] })).subjects[0];
    if (!subject) return;
    if (before) {
      const own = subject.adverseEvents.findIndex(
        (a) =>
          a.term === before.term && a.onsetDate === before.onset_date && a.deathDate === before.death_date,
      );
      if (own >= 0) subject.adverseEvents.splice(own, 1);
    }
    const issues = checkAdverseEventDates(ae, subjectDateBounds(subject), latestTodayAnywhere(new Date()));
    if (issues.length > 0)
      throw new HttpProblem(
        'MSCT_E_VALIDATION',
        issues.map((i) => `body.${i.field}: ${i.message}`).join('; '),
        {
          errors: issues.map((i) => ({ field: `body.${i.field}`, rule: i.rule, message: i.message })),
        },
      );
  }

  /** The record plus the protocol's checks: dose within tolerance of plan, viability ≥ release criterion (trial.md "Intervention"). */
  async function withChecks(row: Infusion, studyId: string) {
    const plan = (await studyDefinition(db, studyId)).definition.infusion;
    const out = toInfusion(row);
    return {
      ...out,
      doseCheck:
        plan && row.total_cells !== null && row.weight_kg !== null
          ? checkInfusionDose(plan, { totalCells: row.total_cells, weightKg: row.weight_kg })
          : null,
      viabilityCheck: plan && row.viability_pct !== null ? checkViability(plan, row.viability_pct) : null,
    };
  }

  const actorOf = (req: FastifyRequest) => {
    const p = principalOf(req);
    return { id: p.userId, name: p.username };
  };
  async function recordFor<T extends 'infusions' | 'adverse_events'>(
    req: FastifyRequest,
    table: T,
    recordId: string,
    action: 'data.enter' | 'ae.write',
  ) {
    const row = await getSubjectRecord(db, table, recordId).catch(() => undefined);
    if (!row) {
      principalOf(req);
      throw new HttpProblem(
        'MSCT_E_NOT_FOUND',
        `${table === 'infusions' ? 'infusion' : 'adverse event'} not found`,
      );
    }
    await enforceOnSubject(db, req, action, row.subject_id);
    return row;
  }

  app.get(
    '/api/subjects/:subjectId/infusions',
    {
      schema: schemaOf(routes.listInfusions),
    },
    async (req) => {
      const scope = await enforceOnSubject(db, req, 'subject.read', req.params.subjectId);
      // Infusion records are the definition's `infusion` form: when it reveals the arm (issue 24),
      // a role the study blinds is shown none.
      const { definition } = await studyDefinition(db, scope.studyId);
      if (!armRevealingFilter(principalOf(req), scope.studyId, definition).form(INFUSION_FORM)) return [];
      const rows = await listSubjectRecords(db, 'infusions', req.params.subjectId);
      return Promise.all(rows.map((r) => withChecks(r, scope.studyId)));
    },
  );

  app.post(
    '/api/subjects/:subjectId/infusions',
    {
      schema: schemaOf(routes.createInfusion),
    },
    async (req, reply) => {
      const scope = await enforceOnSubject(db, req, 'data.enter', req.params.subjectId);
      const cols = {
        planned_date: null,
        started_at: null,
        ended_at: null,
        product_lot: null,
        total_cells: null,
        viability_pct: null,
        volume_ml: null,
        weight_kg: null,
        vitals_json: null,
        reactions: null,
        status: 'planned',
        ...infusionColumns(req.body),
      };
      const row = await createSubjectRecord(
        db,
        actorOf(req),
        'infusions',
        req.params.subjectId,
        cols as Parameters<typeof createSubjectRecord<'infusions'>>[4],
      );
      return reply.status(201).send(await withChecks(row, scope.studyId));
    },
  );

  app.patch(
    '/api/infusions/:infusionId',
    {
      schema: schemaOf(routes.updateInfusion),
    },
    async (req) => {
      const before = await recordFor(req, 'infusions', req.params.infusionId, 'data.enter');
      const { version: v, reason: why, ...rest } = req.body;
      const scope = await subjectScope(db, before.subject_id);
      return withChecks(
        await updateSubjectRecord(
          db,
          actorOf(req),
          'infusions',
          req.params.infusionId,
          v,
          infusionColumns(rest),
          why,
        ),
        scope!.studyId,
      );
    },
  );

  app.get(
    '/api/subjects/:subjectId/adverse-events',
    {
      schema: schemaOf(routes.listAdverseEvents),
    },
    async (req) => {
      await enforceOnSubject(db, req, 'ae.read', req.params.subjectId);
      return (await listSubjectRecords(db, 'adverse_events', req.params.subjectId)).map(toAe);
    },
  );

  app.post(
    '/api/subjects/:subjectId/adverse-events',
    {
      schema: schemaOf(routes.createAdverseEvent),
    },
    async (req, reply) => {
      const scope = await enforceOnSubject(db, req, 'ae.write', req.params.subjectId);
      await assertAeDates(scope.studyId, req.params.subjectId, {
        onsetDate: req.body.onsetDate,
        resolutionDate: req.body.resolutionDate ?? null,
        deathDate: req.body.deathDate ?? null,
      });
      const cols = {
        resolution_date: null,
        ctcae_grade: null,
        serious: 0,
        seriousness_json: '[]',
        action_taken: null,
        outcome: null,
        infusion_id: null,
        death_date: null,
        death_cause: null,
        ...aeColumns(req.body),
      };
      const row = await createSubjectRecord(
        db,
        actorOf(req),
        'adverse_events',
        req.params.subjectId,
        cols as Parameters<typeof createSubjectRecord<'adverse_events'>>[4],
      );
      await checkDeathRecords(db, req, scope.studyId, req.params.subjectId);
      return reply.status(201).send(toAe(row));
    },
  );

  app.patch(
    '/api/adverse-events/:aeId',
    {
      schema: schemaOf(routes.updateAdverseEvent),
    },
    async (req) => {
      const before = await recordFor(req, 'adverse_events', req.params.aeId, 'ae.write');
      const { version: v, reason: why, ...rest } = req.body;
      const scope = await subjectScope(db, before.subject_id);
      await assertAeDates(
        scope!.studyId,
        before.subject_id,
        {
          onsetDate: rest.onsetDate ?? before.onset_date,
          resolutionDate: rest.resolutionDate !== undefined ? rest.resolutionDate : before.resolution_date,
          deathDate: rest.deathDate !== undefined ? rest.deathDate : before.death_date,
        },
        before,
      );
      const after = await updateSubjectRecord(
        db,
        actorOf(req),
        'adverse_events',
        req.params.aeId,
        v,
        aeColumns(rest),
        why,
      );
      await checkDeathRecords(db, req, scope!.studyId, before.subject_id);
      return toAe(after);
    },
  );
}
