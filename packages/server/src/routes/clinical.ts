import { routes } from '@msct/contract';
import {
  BILAG2004_FORM_CODE,
  deriveVisitScores,
  explain,
  heldScreeningValues,
  screeningFromItems,
  type VisitItems,
  withHeldValues,
} from '@msct/core/crf';
import { previousAssessment } from '@msct/core/dataset';
import {
  endpointBilagStatement,
  evaluateEligibility,
  type StudyDefinition,
  visitStatuses,
} from '@msct/core/protocol';
import { getSubject, getVisit, listForms, listItems, listVisits, updateSubject } from '@msct/store';
import type { FastifyRequest } from 'fastify';
import { enforce, enforceOnSubject, principalOf } from '../access/guard.js';
import { seesIdentifiers, sitesFor } from '../access/policy.js';
import { computingAnswer } from '../clinical/computing.js';
import { deriveOptionsOf, studyDefinition } from '../clinical/study-definition.js';
import { subjectEndpoints } from '../clinical/subject-endpoints.js';
import { schemaOf } from '../http/contract.js';
import { HttpProblem } from '../http/problem.js';
import type { App, RouteContext } from '../http/types.js';

export function registerClinicalRoutes(app: App, { db, derived, config }: RouteContext) {
  async function visitItems(visitId: string): Promise<VisitItems> {
    const out: Record<string, Record<string, { value: string | null; unit: string | null }>> = {};
    for (const f of await listForms(db, visitId)) {
      // The scores read forms with one record per visit (a repeating form is never one of them,
      // core cross-checks.ts ANALYSIS_FORM_CODES): a repeating form's later records are not merged in.
      if (Number(f.record) !== 1) continue;
      out[f.form_code] = Object.fromEntries(
        (await listItems(db, f.id)).map((i) => [i.item_code, { value: i.value, unit: i.unit }]),
      );
    }
    return out;
  }

  /** The previous BILAG-2004 assessment of a visit (for the renal change rules), with its items. */
  async function previousBilag2004(subjectId: string, visitId: string) {
    // The subject's visits in list order, and every BILAG-2004 value of theirs, in two queries
    // (not a query per visit and per form).
    const visits = await listVisits(db, subjectId);
    const values = await db.kysely
      .selectFrom('item_values')
      .innerJoin('form_instances', 'form_instances.id', 'item_values.form_instance_id')
      .select(['form_instances.visit_id', 'item_values.item_code', 'item_values.value', 'item_values.unit'])
      .where('form_instances.subject_id', '=', subjectId)
      .where('form_instances.form_code', '=', BILAG2004_FORM_CODE)
      .execute();
    const byVisit = new Map<string, Record<string, { value: string | null; unit: string | null }>>();
    for (const v of values) {
      const items = byVisit.get(v.visit_id) ?? {};
      items[v.item_code] = { value: v.value, unit: v.unit };
      byVisit.set(v.visit_id, items);
    }
    const refs = visits.map((v) => ({
      id: v.id,
      visitDate: v.visit_date,
      hasAssessment: Object.values(byVisit.get(v.id) ?? {}).some((i) => i.value !== null && i.value !== ''),
    }));
    const prev = previousAssessment(refs, visitId);
    const visit = prev && visits.find((v) => v.id === prev.id);
    if (!visit) return undefined;
    return {
      visitId: visit.id,
      visitCode: visit.visit_code,
      visitDate: visit.visit_date,
      items: byVisit.get(visit.id) ?? {},
    };
  }

  /**
   * The screening form's items with the values the study already holds in their place (issue #20:
   * the definition's `eligibilitySources`, crf/held-screening.ts), and those held values with their
   * source. Read from the store, so what a client sends cannot contradict stored data.
   */
  async function screening(
    subjectId: string,
    definition: Pick<Partial<StudyDefinition>, 'eligibilitySources' | 'sledaiWindowDays'>,
  ) {
    const visits = (await listVisits(db, subjectId)).filter((v) => v.cycle === 1);
    const scr = visits.find((v) => v.visit_code === 'SCR');
    const formItems = scr ? ((await visitItems(scr.id)).eligibility ?? {}) : {};
    const sources = definition.eligibilitySources ?? [];
    if (sources.length === 0) return { items: formItems, held: [] };
    const subject = await getSubject(db, subjectId);
    const held = new Map<string, { visitDate: string | null; items: VisitItems }>();
    for (const code of new Set(sources.map((s) => s.visit))) {
      const v = visits.find((x) => x.visit_code === code);
      if (v) held.set(code, { visitDate: v.visit_date, items: await visitItems(v.id) });
    }
    const values = heldScreeningValues(
      sources,
      { birthDate: subject.birth_date, sex: subject.sex, visits: held },
      { sledaiWindowDays: definition.sledaiWindowDays },
    );
    return { items: withHeldValues(formItems, values), held: values };
  }

  app.get(
    '/api/visits/:visitId/scores',
    {
      schema: schemaOf(routes.visitScores),
    },
    async (req) => {
      const visit = await getVisit(db, req.params.visitId).catch(() => undefined);
      if (!visit) {
        principalOf(req);
        throw new HttpProblem('MSCT_E_NOT_FOUND', 'visit not found');
      }
      const scope = await enforceOnSubject(db, req, 'subject.read', visit.subject_id);
      const { definition } = await studyDefinition(db, scope.studyId);
      const previous = await previousBilag2004(visit.subject_id, visit.id);
      const scores = deriveVisitScores(await visitItems(visit.id), {
        ...deriveOptionsOf(definition),
        ...(previous ? { previousBilag2004: previous.items } : {}),
        // The explain view: each score with the lines that say why.
        trace: true,
      });
      const summary = <T>(r: { ok: true; value: T } | { ok: false } | undefined) => (r?.ok ? r.value : null);
      return {
        sledai2k: scores.sledai
          ? {
              value: summary(scores.sledai),
              explanation: explain(scores.sledai),
              issues: scores.sledai.ok ? [] : scores.sledai.issues,
            }
          : null,
        bilag: scores.bilag
          ? {
              value: summary(scores.bilag),
              explanation: explain(scores.bilag),
              issues: scores.bilag.ok ? [] : scores.bilag.issues,
            }
          : null,
        bilag2004: scores.bilag2004
          ? {
              value: summary(scores.bilag2004),
              explanation: explain(scores.bilag2004),
              issues: scores.bilag2004.ok ? [] : scores.bilag2004.issues,
            }
          : null,
        // The assessment the renal change rules compare with; the web form scores live against it.
        previousBilag2004: previous ?? null,
        labs: scores.labs,
      };
    },
  );

  app.get(
    '/api/subjects/:subjectId/endpoints',
    {
      schema: schemaOf(routes.subjectEndpoints),
    },
    async (req) => {
      const scope = await enforceOnSubject(db, req, 'subject.read', req.params.subjectId);
      const { definition } = await studyDefinition(db, scope.studyId);
      const pseudonymise = !seesIdentifiers(principalOf(req), scope.studyId);
      const r = await subjectEndpoints(db, scope.studyId, definition, {
        subjectIds: [req.params.subjectId],
        pseudonymise,
      });
      // Which BILAG drives the endpoints, stated by the study definition (issue #18 item 13).
      const subject = r.subjects[0];
      if (!subject) throw new HttpProblem('MSCT_E_NOT_FOUND', 'subject not found');
      return { snapshot: r.snapshot, endpointBilag: endpointBilagStatement(definition), ...subject };
    },
  );

  app.get(
    '/api/studies/:studyId/endpoints',
    {
      schema: schemaOf(routes.studyEndpoints),
    },
    async (req, reply) => {
      const p = enforce(req, 'subject.read', { studyId: req.params.studyId }, 'study');
      const sites = sitesFor(p, 'subject.read', req.params.studyId);
      // Derived subject by subject and cached by data snapshot (clinical/derived-study.ts); a
      // derivation not finished within the configured wait answers 202 "computing" (issue 16).
      const answer = await derived.endpointsOrComputing(
        req.params.studyId,
        { siteIds: sites ?? undefined, pseudonymise: !seesIdentifiers(p, req.params.studyId) },
        config.derivationWaitMs,
      );
      if ('computing' in answer) return computingAnswer(reply, answer.computing.startedAt);
      const r = answer.ready;
      return {
        snapshot: r.snapshot,
        subjects: r.subjects.map((s) => {
          const a = s.record.adjudication;
          return {
            subjectId: s.subjectId,
            subjectCode: s.subjectCode,
            siteCode: s.siteCode,
            outcome: a?.primary.outcome ?? null,
            label: a?.primary.label ?? null,
            firstResponseMonth: a?.primary.firstResponseMonth ?? null,
            relapse: a?.primary.relapse ?? null,
            death: a?.death ?? null,
            summary: a?.primary.summary ?? null,
            problems: s.problems,
          };
        }),
      };
    },
  );

  app.get(
    '/api/subjects/:subjectId/eligibility',
    {
      schema: schemaOf(routes.eligibility),
    },
    async (req) => {
      const scope = await enforceOnSubject(db, req, 'subject.read', req.params.subjectId);
      const { definition } = await studyDefinition(db, scope.studyId);
      if (!definition.eligibility)
        throw new HttpProblem('MSCT_E_VALIDATION', 'this study defines no eligibility criteria');
      const { items, held } = await screening(req.params.subjectId, definition);
      const { data, waivers } = screeningFromItems(definition.eligibility, items);
      return { ...evaluateEligibility(definition.eligibility, data, waivers), held };
    },
  );

  app.post(
    '/api/subjects/:subjectId/enrol',
    {
      schema: schemaOf(routes.enrol),
    },
    async (
      req: FastifyRequest<{ Params: { subjectId: string }; Body: { version: number; day0Date: string } }>,
    ) => {
      const scope = await enforceOnSubject(db, req, 'subject.update', req.params.subjectId);
      const { definition } = await studyDefinition(db, scope.studyId);
      const subject = await getSubject(db, req.params.subjectId);
      if (subject.status !== 'screening')
        throw new HttpProblem('MSCT_E_CONFLICT', `the subject is ${subject.status}, not in screening`);
      let reason = 'enrolled: no eligibility criteria defined';
      if (definition.eligibility) {
        const { data, waivers } = screeningFromItems(
          definition.eligibility,
          (await screening(req.params.subjectId, definition)).items,
        );
        const result = evaluateEligibility(definition.eligibility, data, waivers);
        if (result.overall !== 'eligible') {
          const blocking = result.criteria.filter((c) => c.status === 'not_met' || c.status === 'missing');
          throw new HttpProblem(
            'MSCT_E_NOT_ELIGIBLE',
            `cannot enrol: ${blocking.map((c) => `${c.label} — ${c.status.replace('_', ' ')} (${c.reason})`).join('; ')}`,
            { criteria: result.criteria },
          );
        }
        reason = result.waived.length
          ? `enrolled with waivers: ${result.waived.map((w) => w.id).join(', ')}`
          : 'enrolled: all eligibility criteria met';
      }
      const p = principalOf(req);
      const updated = await updateSubject(
        db,
        { id: p.userId, name: p.username },
        subject.id,
        req.body.version,
        {
          status: 'enrolled',
          enrolledAt: new Date().toISOString().slice(0, 10),
          day0Date: req.body.day0Date,
        },
        reason,
      );
      return {
        id: updated.id,
        status: updated.status,
        day0Date: updated.day0_date,
        version: updated.version,
        reason,
      };
    },
  );

  app.get(
    '/api/subjects/:subjectId/schedule',
    {
      schema: schemaOf(routes.schedule),
    },
    async (req) => {
      const scope = await enforceOnSubject(db, req, 'subject.read', req.params.subjectId);
      const { definition } = await studyDefinition(db, scope.studyId);
      if (!definition.visits)
        throw new HttpProblem('MSCT_E_VALIDATION', 'this study defines no visit schedule');
      const subject = await getSubject(db, req.params.subjectId);
      if (!subject.day0_date)
        throw new HttpProblem(
          'MSCT_E_VALIDATION',
          'the subject has no day 0 yet (enrol with the first infusion date)',
        );
      // Visits done on a date, and visits the site declared missed (POST /api/visits/{id}/missed).
      const recorded = (await listVisits(db, subject.id))
        .filter((v) => v.visit_date || v.status === 'missed')
        .map((v) =>
          v.status === 'missed'
            ? { code: v.visit_code, missed: true, cycle: v.cycle }
            : { code: v.visit_code, date: v.visit_date!, cycle: v.cycle },
        );
      return visitStatuses({
        visits: definition.visits,
        day0: subject.day0_date,
        today: req.query.today ?? new Date().toISOString().slice(0, 10),
        recorded,
        ...(req.query.cycle ? { cycle: req.query.cycle } : {}),
      });
    },
  );
}
