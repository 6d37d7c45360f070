// Review and source data verification of forms, the study's SDV plan and the monitor's worklist
// (issue 21). The store keeps the review rows (form-reviews.ts); its item writer clears a form's
// verification whenever one of its values changes, on every write path.
import { routes } from '@msct/contract';
import { needsSdv } from '@msct/core/protocol';
import {
  emptyReview,
  type FormReview,
  getForm,
  getSdvPlan,
  getVisitWithScope,
  type ItemVerification,
  listForms,
  listItemVerifications,
  listVisitFormReviews,
  markFormReview,
  markItemVerified,
  monitorWorklist,
  reviewerNames,
  setSdvPlan,
  verifyForms,
} from '@msct/store';
import type { FastifyRequest } from 'fastify';
import { enforce, enforceOnSubject, principalOf } from '../access/guard.js';
import { sitesFor } from '../access/policy.js';
import { schemaOf } from '../http/contract.js';
import { HttpProblem } from '../http/problem.js';
import type { App, RouteContext } from '../http/types.js';

export function registerReviewRoutes(app: App, { db }: RouteContext) {
  const actorOf = (req: FastifyRequest) => {
    const p = principalOf(req);
    return { id: p.userId, name: p.username };
  };
  const toItem = (v: ItemVerification, names: Map<string, string>) => ({
    itemCode: v.item_code,
    verifiedBy: v.verified_by,
    verifiedByName: v.verified_by ? (names.get(v.verified_by) ?? null) : null,
    verifiedAt: v.verified_at,
    version: Number(v.version),
  });
  const toReview = (
    r: FormReview,
    needs: boolean,
    names: Map<string, string>,
    items: readonly ItemVerification[] = [],
  ) => ({
    formId: r.form_instance_id,
    needsSdv: needs,
    verifiedBy: r.verified_by,
    verifiedByName: r.verified_by ? (names.get(r.verified_by) ?? null) : null,
    verifiedAt: r.verified_at,
    reviewedBy: r.reviewed_by,
    reviewedByName: r.reviewed_by ? (names.get(r.reviewed_by) ?? null) : null,
    reviewedAt: r.reviewed_at,
    changedAt: r.changed_at,
    version: Number(r.version),
    items: items.map((v) => toItem(v, names)),
  });

  app.get('/api/visits/:visitId/reviews', { schema: schemaOf(routes.listVisitReviews) }, async (req) => {
    const visit = await getVisitWithScope(db, req.params.visitId);
    if (!visit) {
      principalOf(req);
      throw new HttpProblem('MSCT_E_NOT_FOUND', 'visit not found');
    }
    enforce(req, 'query.read', { studyId: visit.study_id, siteId: visit.site_id }, 'visit');
    const [forms, reviews, { plan }] = await Promise.all([
      listForms(db, visit.id),
      listVisitFormReviews(db, visit.id),
      getSdvPlan(db, visit.study_id),
    ]);
    const byForm = new Map(reviews.map((r) => [r.form_instance_id, r]));
    // Item verifications exist only on forms with a review row (an item mark makes one).
    const itemRows = await listItemVerifications(
      db,
      reviews.map((r) => r.form_instance_id),
    );
    const names = await reviewerNames(db, [
      ...reviews.flatMap((r) => [r.verified_by, r.reviewed_by]),
      ...itemRows.map((v) => v.verified_by),
    ]);
    return forms.map((f) =>
      toReview(
        byForm.get(f.id) ?? emptyReview(f.id, f.subject_id),
        needsSdv(plan, f.form_code, visit.visit_code),
        names,
        itemRows.filter((v) => v.form_instance_id === f.id),
      ),
    );
  });

  app.post('/api/forms/:formId/review', { schema: schemaOf(routes.markFormReview) }, async (req) => {
    const form = await getForm(db, req.params.formId).catch(() => undefined);
    if (!form) {
      principalOf(req);
      throw new HttpProblem('MSCT_E_NOT_FOUND', 'form not found');
    }
    const scope = await enforceOnSubject(db, req, 'form.review', form.subject_id);
    const r = await markFormReview(db, actorOf(req), form.id, req.body.mark, req.body.version);
    const [visit, { plan }, items] = await Promise.all([
      getVisitWithScope(db, form.visit_id),
      getSdvPlan(db, scope.studyId),
      listItemVerifications(db, [form.id]),
    ]);
    return toReview(
      r,
      needsSdv(plan, form.form_code, visit?.visit_code ?? ''),
      await reviewerNames(db, [r.verified_by, r.reviewed_by, ...items.map((v) => v.verified_by)]),
      items,
    );
  });

  app.post(
    '/api/forms/:formId/items/:itemCode/verify',
    { schema: schemaOf(routes.markItemVerified) },
    async (req) => {
      const form = await getForm(db, req.params.formId).catch(() => undefined);
      if (!form) {
        principalOf(req);
        throw new HttpProblem('MSCT_E_NOT_FOUND', 'form not found');
      }
      await enforceOnSubject(db, req, 'form.review', form.subject_id);
      const v = await markItemVerified(db, actorOf(req), form.id, req.params.itemCode, req.body.version);
      const names = await reviewerNames(db, [v.verified_by]);
      return {
        formId: v.form_instance_id,
        ...toItem(v, names),
        valueVersion: v.value_version === null ? null : Number(v.value_version),
      };
    },
  );

  app.post(
    '/api/subjects/:subjectId/verifications',
    { schema: schemaOf(routes.verifyForms) },
    async (req) => {
      const { subjectId } = req.params;
      await enforceOnSubject(db, req, 'form.review', subjectId);
      const { visitId, forms } = req.body;
      if (visitId) {
        const visit = await getVisitWithScope(db, visitId);
        if (!visit || visit.subject_id !== subjectId)
          throw new HttpProblem('MSCT_E_NOT_FOUND', 'visit not found');
      }
      return verifyForms(db, actorOf(req), visitId ? { visitId } : { subjectId }, forms);
    },
  );

  app.get('/api/studies/:studyId/sdv-plan', { schema: schemaOf(routes.getSdvPlan) }, async (req) => {
    enforce(req, 'study.read', { studyId: req.params.studyId }, 'study');
    return getSdvPlan(db, req.params.studyId);
  });

  app.put('/api/studies/:studyId/sdv-plan', { schema: schemaOf(routes.setSdvPlan) }, async (req) => {
    enforce(req, 'study.manage', { studyId: req.params.studyId }, 'study');
    return setSdvPlan(db, actorOf(req), req.params.studyId, req.body.plan, req.body.version);
  });

  app.get('/api/studies/:studyId/worklist', { schema: schemaOf(routes.monitorWorklist) }, async (req) => {
    const { studyId } = req.params;
    const p = enforce(req, 'form.review', { studyId }, 'study');
    const siteIds = sitesFor(p, 'form.review', studyId);
    // Monitors and admins only (form.review): roles that see subject codes.
    return monitorWorklist(db, {
      studyId,
      ...(siteIds ? { siteIds } : {}),
      saeSince: new Date(Date.now() - req.query.saeDays * 86_400_000).toISOString(),
      offset: req.query.offset,
      limit: req.query.limit,
    });
  });
}
