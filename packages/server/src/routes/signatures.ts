// Signatures and locks (issue 21): the worklist "awaiting my signature", one signing ceremony for a
// visit or a casebook, a casebook's signatures, freezes and locks of a study, a site or a subject,
// and requests to unlock. The rules are the store's (signatures.ts, record-locks.ts); here: access,
// the password check and the shapes of the contract.
import { routes, SIGNATURE_MEANING } from '@msct/contract';
import {
  createRecordLock,
  declineUnlockRequest,
  getRecordLock,
  getSite,
  getUnlockRequest,
  getUser,
  listAwaitingSignature,
  listRecordLocks,
  listSubjectSignatures,
  listUnlockRequests,
  lockReadinessOf,
  type RecordLock,
  releaseRecordLock,
  requestUnlock,
  signerNames,
  signForms,
  unlockTargetScope,
} from '@msct/store';
import type { FastifyRequest } from 'fastify';
import { enforce, enforceOnSubject, principalOf } from '../access/guard.js';
import { decide, sitesFor } from '../access/policy.js';
import { checkPasswordAttempt, refusedPassword } from '../auth/attempts.js';
import { schemaOf } from '../http/contract.js';
import { HttpProblem } from '../http/problem.js';
import type { App, RouteContext } from '../http/types.js';
import { signatureOf } from './visits.js';

const actorOf = (req: FastifyRequest) => {
  const p = principalOf(req);
  return { id: p.userId, name: p.username };
};

type LockRow = RecordLock & {
  locked_by_name: string;
  released_by_name: string | null;
  subject_code: string | null;
};
const toLock = (l: LockRow) => ({
  id: l.id,
  studyId: l.study_id,
  level: l.level as 'study' | 'site' | 'subject',
  siteId: l.site_id,
  subjectId: l.subject_id,
  subjectCode: l.subject_code,
  kind: l.kind as 'freeze' | 'lock',
  reason: l.reason,
  lockedBy: l.locked_by_name,
  lockedAt: l.locked_at,
  releasedBy: l.released_by_name,
  releasedAt: l.released_at,
  releaseReason: l.release_reason,
  overrideReason: l.override_reason,
  version: Number(l.version),
});

type RequestRow = Awaited<ReturnType<typeof listUnlockRequests>>[number];
const toRequest = (r: RequestRow) => ({
  id: r.id,
  targetType: r.target_type as 'form' | 'lock',
  targetId: r.target_id,
  subjectId: r.subject_id,
  subjectCode: r.subject_code,
  visitId: r.visit_id,
  visitCode: r.visit_code,
  cycle: r.cycle === null ? null : Number(r.cycle),
  formCode: r.form_code,
  lockLevel: r.lock_level,
  lockKind: r.lock_kind,
  lockVersion: r.lock_version === null ? null : Number(r.lock_version),
  reason: r.reason,
  requestedBy: r.requested_by_name,
  requestedAt: r.requested_at,
  status: r.status as 'open' | 'done' | 'declined',
  closeNote: r.close_note,
  version: Number(r.version),
});

export function registerSignatureRoutes(app: App, { db, config }: RouteContext) {
  /** A lock with the names the API shows. */
  async function lockOut(studyId: string, id: string) {
    const row = (await listRecordLocks(db, studyId)).find((l) => l.id === id);
    if (!row) throw new HttpProblem('MSCT_E_NOT_FOUND', 'lock not found');
    return toLock(row);
  }
  async function requestOut(studyId: string, id: string) {
    const row = (await listUnlockRequests(db, studyId)).find((r) => r.id === id);
    if (!row) throw new HttpProblem('MSCT_E_NOT_FOUND', 'unlock request not found');
    return toRequest(row);
  }

  app.get(
    '/api/studies/:studyId/signature-worklist',
    { schema: schemaOf(routes.signatureWorklist) },
    async (req) => {
      const { studyId } = req.params;
      const p = enforce(req, 'form.sign', { studyId }, 'study');
      const sites = sitesFor(p, 'form.sign', studyId);
      const LIMIT = 2000;
      const rows = await listAwaitingSignature(db, studyId, sites, LIMIT + 1);
      const awaiting: {
        subjectId: string;
        subjectCode: string;
        siteCode: string;
        visits: {
          visitId: string;
          visitCode: string;
          cycle: number;
          visitDate: string | null;
          forms: { formId: string; formCode: string; version: number }[];
        }[];
      }[] = [];
      for (const r of rows.slice(0, LIMIT)) {
        let s = awaiting.at(-1);
        if (s?.subjectId !== r.subject_id) {
          s = { subjectId: r.subject_id, subjectCode: r.subject_code, siteCode: r.site_code, visits: [] };
          awaiting.push(s);
        }
        let v = s.visits.at(-1);
        if (v?.visitId !== r.visit_id) {
          v = {
            visitId: r.visit_id,
            visitCode: r.visit_code,
            cycle: Number(r.cycle),
            visitDate: r.visit_date,
            forms: [],
          };
          s.visits.push(v);
        }
        v.forms.push({ formId: r.id, formCode: r.form_code, version: Number(r.version) });
      }
      // Requests this user can act on: forms it may unlock (investigators at their sites), locks it may release.
      const requests = (await listUnlockRequests(db, studyId, { status: 'open' })).filter((r) =>
        r.target_type === 'form'
          ? decide(p, 'form.unlock', { studyId, siteId: r.site_id ?? undefined }) === 'allow'
          : decide(p, 'record.lock', { studyId }) === 'allow',
      );
      return {
        meaning: SIGNATURE_MEANING,
        awaiting,
        truncated: rows.length > LIMIT,
        unlockRequests: requests.map(toRequest),
      };
    },
  );

  app.get(
    '/api/subjects/:subjectId/signatures',
    { schema: schemaOf(routes.subjectSignatures) },
    async (req) => {
      await enforceOnSubject(db, req, 'subject.read', req.params.subjectId);
      const rows = await listSubjectSignatures(db, req.params.subjectId);
      const names = await signerNames(
        db,
        rows.flatMap((r) => (r.signed_by ? [r.signed_by] : [])),
      );
      return {
        meaning: SIGNATURE_MEANING,
        forms: rows.map((r) => ({
          formId: r.id,
          formCode: r.form_code,
          status: r.status,
          version: Number(r.version),
          visitId: r.visit_id,
          visitCode: r.visit_code,
          cycle: Number(r.cycle),
          signature: signatureOf(r, names),
        })),
      };
    },
  );

  app.post('/api/subjects/:subjectId/signatures', { schema: schemaOf(routes.signForms) }, async (req) => {
    await enforceOnSubject(db, req, 'form.sign', req.params.subjectId);
    const user = await getUser(db, principalOf(req).userId);
    // One password entry for the whole ceremony; a wrong one counts toward the login lockout
    // (21 CFR 11.300(d)), as for a single form (visits.ts).
    const outcome = await checkPasswordAttempt(db, config, user, req.body.password, 'e-signature');
    if (outcome !== 'ok')
      throw refusedPassword(outcome, 'body.password', config, 'signing needs your password, re-entered');
    const signed = await signForms(db, actorOf(req), {
      subjectId: req.params.subjectId,
      ...(req.body.visitId ? { visitId: req.body.visitId } : {}),
      forms: req.body.forms,
      meaning: SIGNATURE_MEANING,
    });
    const first = signed[0]!;
    return {
      signature: { signerName: user.display_name, signedAt: first.signed_at!, meaning: SIGNATURE_MEANING },
      forms: signed.map((f) => ({
        id: f.id,
        formCode: f.form_code,
        record: Number(f.record),
        status: f.status,
        signedBy: f.signed_by,
        signedAt: f.signed_at,
        version: Number(f.version),
      })),
    };
  });

  app.get('/api/studies/:studyId/locks', { schema: schemaOf(routes.listLocks) }, async (req) => {
    enforce(req, 'study.read', { studyId: req.params.studyId }, 'study');
    return (await listRecordLocks(db, req.params.studyId)).map(toLock);
  });

  app.post('/api/studies/:studyId/locks', { schema: schemaOf(routes.createLock) }, async (req, reply) => {
    const { studyId } = req.params;
    enforce(req, 'record.lock', { studyId }, 'study');
    const b = req.body;
    if (b.level === 'site' && !b.siteId)
      throw new HttpProblem('MSCT_E_VALIDATION', 'body.siteId: a site lock names its site', {
        errors: [{ field: 'body.siteId', rule: 'required', message: 'a site lock names its site' }],
      });
    if (b.level === 'subject' && !b.subjectId)
      throw new HttpProblem('MSCT_E_VALIDATION', 'body.subjectId: a subject lock names its subject', {
        errors: [{ field: 'body.subjectId', rule: 'required', message: 'a subject lock names its subject' }],
      });
    const lock = await createRecordLock(db, actorOf(req), {
      studyId,
      level: b.level,
      kind: b.kind,
      ...(b.level === 'site' ? { siteId: b.siteId } : {}),
      ...(b.level === 'subject' ? { subjectId: b.subjectId } : {}),
      reason: b.reason,
      ...(b.overrideReason ? { overrideReason: b.overrideReason } : {}),
    });
    return reply.status(201).send(await lockOut(studyId, lock.id));
  });

  app.get('/api/studies/:studyId/lock-readiness', { schema: schemaOf(routes.lockReadiness) }, async (req) => {
    const { studyId } = req.params;
    enforce(req, 'record.lock', { studyId }, 'study');
    const { siteId } = req.query;
    if (siteId) {
      const site = await getSite(db, siteId).catch(() => undefined);
      if (!site || site.study_id !== studyId) throw new HttpProblem('MSCT_E_NOT_FOUND', 'site not found');
    }
    return lockReadinessOf(db, { studyId, siteId: siteId ?? null });
  });

  app.post('/api/locks/:lockId/release', { schema: schemaOf(routes.releaseLock) }, async (req) => {
    principalOf(req);
    const lock = await getRecordLock(db, req.params.lockId).catch(() => undefined);
    if (!lock) throw new HttpProblem('MSCT_E_NOT_FOUND', 'lock not found');
    enforce(req, 'record.lock', { studyId: lock.study_id }, 'study');
    await releaseRecordLock(db, actorOf(req), lock.id, req.body.version, req.body.reason);
    return lockOut(lock.study_id, lock.id);
  });

  app.post('/api/unlock-requests', { schema: schemaOf(routes.requestUnlock) }, async (req, reply) => {
    principalOf(req);
    const where = await unlockTargetScope(db, req.body.targetType, req.body.targetId);
    if (!where) throw new HttpProblem('MSCT_E_NOT_FOUND', `${req.body.targetType} not found`);
    enforce(
      req,
      'unlock.request',
      { studyId: where.studyId, ...(where.siteId ? { siteId: where.siteId } : {}) },
      where.subjectId ? 'subject' : 'study',
    );
    const r = await requestUnlock(db, actorOf(req), req.body);
    return reply.status(201).send(await requestOut(where.studyId, r.id));
  });

  app.post(
    '/api/unlock-requests/:requestId/decline',
    { schema: schemaOf(routes.declineUnlock) },
    async (req) => {
      principalOf(req);
      const r = await getUnlockRequest(db, req.params.requestId).catch(() => undefined);
      if (!r) throw new HttpProblem('MSCT_E_NOT_FOUND', 'unlock request not found');
      // Declined by whoever could grant it: the investigator for a form, an administrator for a lock.
      enforce(
        req,
        r.target_type === 'form' ? 'form.unlock' : 'record.lock',
        { studyId: r.study_id, ...(r.site_id ? { siteId: r.site_id } : {}) },
        r.subject_id ? 'subject' : 'study',
      );
      await declineUnlockRequest(db, actorOf(req), r.id, req.body.version, req.body.reason);
      return requestOut(r.study_id, r.id);
    },
  );
}
