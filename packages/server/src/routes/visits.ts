import { routes, SIGNATURE_MEANING } from '@msct/contract';
import {
  checkItemValue,
  isMissingCode,
  labFlagsOfForm,
  labSampleDate,
  unansweredRequired,
  unansweredSignificance,
} from '@msct/core/crf';
import {
  createVisit,
  deleteForm,
  deleteVisit,
  getForm,
  getUser,
  getVisitWithScope,
  labContextOfForm,
  listForms,
  listItems,
  listVisitOverview,
  listVisits,
  saveItems,
  setFormStatus,
  setVisitMissed,
  signerNames,
  updateVisitDate,
  visitScope,
} from '@msct/store';
import type { FastifyRequest } from 'fastify';
import { type ArmRevealingFilter, armRevealingFilter } from '../access/blinding.js';
import { enforce, enforceOnSubject, principalOf } from '../access/guard.js';
import { type Action, sitesFor } from '../access/policy.js';
import { checkPasswordAttempt, refusedPassword } from '../auth/attempts.js';
import { checkDeathRecords } from '../clinical/death-record-queries.js';
import { studyDefinition } from '../clinical/study-definition.js';
import { schemaOf } from '../http/contract.js';
import { type FieldIssue, HttpProblem } from '../http/problem.js';
import type { App, RouteContext } from '../http/types.js';
import { toFormState, toOverviewVisit, toVisitOut as toVisit } from './study-home.js';

type FormRow = Awaited<ReturnType<typeof getForm>>;
type ItemRow = Awaited<ReturnType<typeof listItems>>[number];

/** A signed form's manifestation (21 CFR 11.50): the signer's full name, the instant, the meaning. */
export const signatureOf = (
  f: { signed_by: string | null; signed_at: string | null; signature_meaning: string | null },
  names: ReadonlyMap<string, string>,
) =>
  f.signed_by && f.signed_at
    ? {
        signerName: names.get(f.signed_by) ?? f.signed_by,
        signedAt: f.signed_at,
        meaning: f.signature_meaning ?? SIGNATURE_MEANING,
      }
    : null;

const toForm = (f: FormRow, items: readonly ItemRow[], names: ReadonlyMap<string, string> = new Map()) => ({
  ...toFormState(f),
  signature: signatureOf(f, names),
  items: items.map((i) => ({
    id: i.id,
    itemCode: i.item_code,
    value: i.value,
    unit: i.unit,
    missingCode: isMissingCode(i.missing_code) ? i.missing_code : null,
    version: i.version,
    updatedAt: i.updated_at,
    updatedBy: i.updated_by,
  })),
});
const actorOf = (req: FastifyRequest) => {
  const p = principalOf(req);
  return { id: p.userId, name: p.username };
};

export function registerVisitRoutes(app: App, { db, config }: RouteContext) {
  async function visitFor(req: FastifyRequest, visitId: string, action: Action) {
    principalOf(req);
    // The visit and where its subject lives, in one query.
    const row = await getVisitWithScope(db, visitId);
    if (!row) throw new HttpProblem('MSCT_E_NOT_FOUND', 'visit not found');
    const { study_id, site_id, study_version, ...visit } = row;
    const scope = { studyId: study_id, siteId: site_id, subjectId: visit.subject_id };
    enforce(req, action, scope, 'subject');
    return Object.assign(visit, { scope, studyVersion: Number(study_version) });
  }

  /** The visit's forms; a role the study blinds does not see arm-revealing forms or items (issue 24). */
  async function formsWithItems(visitId: string, filter: ArmRevealingFilter) {
    const forms = (await listForms(db, visitId)).filter((f) => filter.form(f.form_code));
    const names = await signerNames(
      db,
      forms.flatMap((f) => (f.signed_by ? [f.signed_by] : [])),
    );
    return Promise.all(
      forms.map(async (f) =>
        toForm(
          f,
          (await listItems(db, f.id)).filter((i) => filter.item(f.form_code, i.item_code)),
          names,
        ),
      ),
    );
  }

  app.get(
    '/api/studies/:studyId/visit-overview',
    {
      schema: schemaOf(routes.visitOverview),
    },
    async (req) => {
      const p = enforce(req, 'subject.read', { studyId: req.params.studyId }, 'study');
      // Bounded by the ids asked for: no request reads every visit of a trial (issue 16).
      const rows = await listVisitOverview(
        db,
        req.params.studyId,
        [...new Set(req.query.subjectIds.split(','))],
        sitesFor(p, 'subject.read', req.params.studyId),
      );
      // A role the study blinds does not learn that an arm-revealing form exists (issue 24).
      const { definition } = await studyDefinition(db, req.params.studyId);
      const shown = armRevealingFilter(p, req.params.studyId, definition);
      return rows.map((r) =>
        toOverviewVisit(shown.active ? { ...r, forms: r.forms.filter((f) => shown.form(f.form_code)) } : r),
      );
    },
  );

  app.get(
    '/api/subjects/:subjectId/visits',
    {
      schema: schemaOf(routes.listVisits),
    },
    async (req) => {
      await enforceOnSubject(db, req, 'subject.read', req.params.subjectId);
      return (await listVisits(db, req.params.subjectId)).map(toVisit);
    },
  );

  app.post(
    '/api/subjects/:subjectId/visits',
    {
      schema: schemaOf(routes.createVisit),
    },
    async (req, reply) => {
      await enforceOnSubject(db, req, 'data.enter', req.params.subjectId);
      // Only a visit of the definition's schedule, or an unscheduled one with a reason: the store's
      // rule (EntryRefusalError, answered 422 by the app's error handler).
      const v = await createVisit(db, actorOf(req), {
        subjectId: req.params.subjectId,
        visitCode: req.body.visitCode,
        cycle: req.body.cycle,
        visitDate: req.body.visitDate ?? null,
        ...(req.body.reason ? { reason: req.body.reason } : {}),
      });
      return reply.status(201).send(toVisit(v));
    },
  );

  app.get(
    '/api/visits/:visitId',
    {
      schema: schemaOf(routes.getVisit),
    },
    async (req) => {
      const v = await visitFor(req, req.params.visitId, 'subject.read');
      const { definition } = await studyDefinition(db, v.scope.studyId, v.studyVersion);
      const filter = armRevealingFilter(principalOf(req), v.scope.studyId, definition);
      return {
        ...toVisit(v),
        forms: await formsWithItems(v.id, filter),
        signatureMeaning: SIGNATURE_MEANING,
      };
    },
  );

  app.patch(
    '/api/visits/:visitId',
    {
      schema: schemaOf(routes.updateVisitDate),
    },
    async (req) => {
      await visitFor(req, req.params.visitId, 'data.enter');
      return toVisit(
        await updateVisitDate(
          db,
          actorOf(req),
          req.params.visitId,
          req.body.version,
          req.body.visitDate,
          req.body.reason,
        ),
      );
    },
  );

  app.post(
    '/api/visits/:visitId/missed',
    {
      schema: schemaOf(routes.setVisitMissed),
    },
    async (req) => {
      await visitFor(req, req.params.visitId, 'data.enter');
      return toVisit(
        await setVisitMissed(
          db,
          actorOf(req),
          req.params.visitId,
          req.body.version,
          req.body.missed,
          req.body.reason,
        ),
      );
    },
  );

  app.put(
    '/api/visits/:visitId/forms/:formCode',
    {
      schema: schemaOf(routes.saveForm),
    },
    async (req) => {
      principalOf(req);
      // The visit's scope from the store's cache (saveItems checks it again inside its transaction).
      const where = await visitScope(db, req.params.visitId);
      if (!where) throw new HttpProblem('MSCT_E_NOT_FOUND', 'visit not found');
      enforce(req, 'data.enter', { studyId: where.studyId, siteId: where.siteId }, 'subject');
      // Server-side edit checks of the values: the same item definitions serve the UI, the API and
      // imports. Whether the form is collected at this visit and has each item is the store's rule
      // (saveItems refuses it with EntryRefusalError, answered 422 by the app's error handler).
      const { forms } = await studyDefinition(db, where.studyId, where.studyVersion);
      const form = forms.get(req.params.formCode);
      if (form) {
        const errors: FieldIssue[] = [];
        req.body.items.forEach((it, i) => {
          const problem = checkItemValue(form, it.itemCode, it.value, it.unit ?? null);
          if (problem && problem.code !== 'item-unknown') {
            const where = problem.code.startsWith('unit') ? 'unit' : 'value';
            errors.push({ field: `body.items.${i}.${where}`, rule: problem.code, message: problem.message });
          }
        });
        if (errors.length > 0)
          throw new HttpProblem(
            'MSCT_E_VALIDATION',
            errors.map((e) => `${e.field}: ${e.message}`).join('; '),
            { errors },
          );
      }
      // The answer is built from what the save returned: no re-read of the visit's other forms.
      const saved = await saveItems(db, actorOf(req), {
        visitId: req.params.visitId,
        formCode: req.params.formCode,
        // A repeating form's record (?record=N, default 1); any other form refuses N > 1 (422).
        record: req.query.record ?? 1,
        items: req.body.items.map((i) => ({
          itemCode: i.itemCode,
          value: i.value,
          unit: i.unit ?? null,
          missingCode: i.missingCode ?? null,
          expectedVersion: i.version,
        })),
        reason: req.body.reason,
        expectedScope: where,
      });
      // The end-of-study form records deaths: its death must agree with the fatal AE (issue #21).
      if (req.params.formCode === 'end-of-study')
        await checkDeathRecords(db, req, where.studyId, where.subjectId);
      return toForm(saved.form, saved.items);
    },
  );

  // A visit or form opened by mistake (issue #20): deleted with a reason only while it holds nothing
  // (store/repositories/record-deletion.ts says what that means and refuses the rest with its rule).
  app.delete(
    '/api/visits/:visitId',
    {
      schema: schemaOf(routes.deleteVisit),
    },
    async (req, reply) => {
      await visitFor(req, req.params.visitId, 'data.enter');
      await deleteVisit(db, actorOf(req), req.params.visitId, req.query.version, req.query.reason);
      return reply.status(204).send();
    },
  );

  app.delete(
    '/api/forms/:formId',
    {
      schema: schemaOf(routes.deleteForm),
    },
    async (req, reply) => {
      const form = await getForm(db, req.params.formId).catch(() => undefined);
      if (!form) {
        principalOf(req);
        throw new HttpProblem('MSCT_E_NOT_FOUND', 'form not found');
      }
      await enforceOnSubject(db, req, 'data.enter', form.subject_id);
      await deleteForm(db, actorOf(req), form.id, req.query.version, req.query.reason);
      return reply.status(204).send();
    },
  );

  app.post(
    '/api/forms/:formId/status',
    {
      schema: schemaOf(routes.setFormStatus),
    },
    async (req) => {
      const form = await getForm(db, req.params.formId).catch(() => undefined);
      if (!form) {
        principalOf(req);
        throw new HttpProblem('MSCT_E_NOT_FOUND', 'form not found');
      }
      const unlocking =
        (form.status === 'signed' || form.status === 'locked') && req.body.status !== 'signed';
      const action: Action =
        req.body.status === 'signed' ? 'form.sign' : unlocking ? 'form.unlock' : 'data.enter';
      const scope = await enforceOnSubject(db, req, action, form.subject_id);
      // Complete means every required item is answered: a value, or a missing-data code (ND/NK/NA)
      // where the item allows one (issue #22); a blank is not an answer.
      if (req.body.status === 'complete') {
        const { definition, forms } = await studyDefinition(db, scope.studyId);
        const def = forms.get(form.form_code);
        const entered = (await listItems(db, form.id)).map((i) => ({
          itemCode: i.item_code,
          value: i.value,
          unit: i.unit,
          missingCode: i.missing_code,
        }));
        // A lab value outside its reference range needs its CS/NCS answer (issue #22 "Labs").
        const lab = def && definition.labReferenceRanges ? await labContextOfForm(db, form.id) : undefined;
        const open = def
          ? [
              ...unansweredRequired(def, entered),
              ...(lab
                ? unansweredSignificance(
                    def,
                    labFlagsOfForm(def, definition.labReferenceRanges, entered, {
                      centre: lab.siteCode,
                      sex: lab.sex,
                      date: labSampleDate(entered, lab.visitDate),
                    }),
                    entered,
                  )
                : []),
            ]
          : [];
        if (open.length > 0) {
          const blank = open.filter((d) => !d.significanceOf);
          const unassessed = open.filter((d) => d.significanceOf);
          const labels = (ds: typeof open) => ds.map((d) => d.label).join(', ');
          throw new HttpProblem(
            'MSCT_E_VALIDATION',
            `form ${form.form_code} cannot be complete: ${[
              blank.length > 0
                ? `required ${blank.length === 1 ? 'item' : 'items'} ${labels(blank)} ${blank.length === 1 ? 'has' : 'have'} no value and no missing-data code`
                : '',
              unassessed.length > 0
                ? `${labels(unassessed)} ${unassessed.length === 1 ? 'is' : 'are'} required: the value is outside its reference range, mark it CS or NCS`
                : '',
            ]
              .filter(Boolean)
              .join('; ')}`,
            {
              errors: open.map((d) => ({
                field: d.code,
                rule: 'required',
                message: d.significanceOf
                  ? `${d.label} is required: the value is outside its reference range, mark it CS or NCS`
                  : `${d.label} is required: enter a value${d.missingCodes?.length ? ` or mark it ${d.missingCodes.join('/')}` : ''}`,
              })),
            },
          );
        }
      }
      if (req.body.status === 'signed') {
        const user = await getUser(db, principalOf(req).userId);
        // A wrong signing password counts toward the login lockout (21 CFR 11.300(d)); issue 17.
        const outcome = req.body.password
          ? await checkPasswordAttempt(db, config, user, req.body.password, 'e-signature')
          : 'wrong';
        if (outcome !== 'ok')
          throw refusedPassword(outcome, 'body.password', config, 'signing needs your password, re-entered');
      }
      const f = await setFormStatus(
        db,
        actorOf(req),
        form.id,
        req.body.version,
        req.body.status,
        req.body.status === 'signed' ? SIGNATURE_MEANING : req.body.reason,
      );
      return {
        id: f.id,
        formCode: f.form_code,
        record: Number(f.record),
        status: f.status,
        signedBy: f.signed_by,
        signedAt: f.signed_at,
        version: f.version,
      };
    },
  );
}
