// The role × site × route matrix (issue 2): every route of the OpenAPI document has an entry, and
// each role, at its own site and at another site, gets exactly the expected allow / 403 / 404.

import { msctSleTrial } from '@msct/core/protocol';
import {
  addAttachment,
  assignRole,
  createExportJob,
  createRecordLock,
  createSubject,
  createSubjectRecord,
  createVisit,
  raiseQuery,
  releaseRecordLock,
  requestUnlock,
  saveItems,
} from '@msct/store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ApiClient,
  createTestTrial,
  startTestServer,
  TEST_PASSWORD,
  type TestServer,
  type TestTrial,
} from './testing/test-server.js';

type RoleName = 'admin' | 'investigator' | 'coordinator' | 'monitor' | 'statistician' | 'safety';
const ROLE_NAMES: RoleName[] = ['admin', 'investigator', 'coordinator', 'monitor', 'statistician', 'safety'];
/** Roles assigned to one site (site A) in the test trial; the others see every site. */
const SITE_SCOPED: RoleName[] = ['investigator', 'coordinator'];

interface Fixture {
  subjectId: string;
  visitId: string;
  formId: string;
  infusionId: string;
  aeId: string;
  queryId: string;
  siteId: string;
  /** A role assignment that the admin's DELETE may revoke. */
  assignmentId: string;
  /** A released lock (issue 21): releasing it again is refused after the access check. */
  lockId: string;
  /** An open request to unlock the lock of another subject of the site (lockedSubjectId). */
  unlockRequestId: string;
  lockedSubjectId: string;
  activeLockId: string;
  /** An export job the statistician requested (queued: its file is not there yet). */
  exportJobId: string;
  /** A PDF attached to the subject's visit. */
  attachmentId: string;
}

interface Entry {
  /** Roles the policy lets through. */
  allow: RoleName[] | 'everyone' | 'public';
  /** Where the record lives: a subject-level route answers 404 to a role outside its site. */
  scope: 'global' | 'study' | 'subject';
  path: (f: Fixture, t: TestTrial) => string;
  body?: (f: Fixture, t: TestTrial) => unknown;
}

const DATA_ENTRY: RoleName[] = ['admin', 'investigator', 'coordinator'];
let n = 0;
const uniq = () => `x${++n}`;

/** Keys are `METHOD openapi-path`; the test fails if the OpenAPI document has a route not listed here. */
const MATRIX: Record<string, Entry> = {
  'GET /api/health': { allow: 'public', scope: 'global', path: () => '/api/health' },
  'POST /api/auth/login': {
    allow: 'public',
    scope: 'global',
    path: () => '/api/auth/login',
    body: () => ({ username: 'nobody', password: 'wrong' }),
  },
  'GET /api/auth/me': { allow: 'everyone', scope: 'global', path: () => '/api/auth/me' },
  'POST /api/auth/logout': { allow: 'everyone', scope: 'global', path: () => '/api/auth/logout' },
  'POST /api/auth/logout-everywhere': {
    allow: 'everyone',
    scope: 'global',
    path: () => '/api/auth/logout-everywhere',
  },
  'POST /api/auth/password': {
    allow: 'everyone',
    scope: 'global',
    path: () => '/api/auth/password',
    body: () => ({ currentPassword: 'wrong-password', newPassword: 'another-long-password' }),
  },
  'GET /api/users': { allow: ['admin'], scope: 'global', path: () => '/api/users' },
  'POST /api/users': {
    allow: ['admin'],
    scope: 'global',
    path: () => '/api/users',
    body: () => ({ username: `user${uniq()}`, displayName: 'New', password: 'a-long-enough-password' }),
  },
  'POST /api/users/{userId}/roles': {
    allow: ['admin'],
    scope: 'global',
    path: (_f, t) => `/api/users/${t.users.safety!.id}/roles`,
    body: (_f, t) => ({ role: 'safety', studyId: t.studyId, siteId: null }),
  },
  'DELETE /api/users/{userId}/roles/{assignmentId}': {
    allow: ['admin'],
    scope: 'global',
    path: (f, t) => `/api/users/${t.users.safety!.id}/roles/${f.assignmentId}?reason=matrix`,
  },
  // A stale version: an allowed admin gets past the policy to a 409, and nothing changes.
  'POST /api/users/{userId}/active': {
    allow: ['admin'],
    scope: 'global',
    path: (_f, t) => `/api/users/${t.users.safety!.id}/active`,
    body: () => ({ active: false, version: 999_999, reason: 'matrix' }),
  },
  'POST /api/users/{userId}/password': {
    allow: ['admin'],
    scope: 'global',
    path: (_f, t) => `/api/users/${t.users.safety!.id}/password`,
    body: () => ({ password: 'a-long-enough-password', version: 999_999 }),
  },
  'GET /api/studies': { allow: 'everyone', scope: 'global', path: () => '/api/studies' },
  'POST /api/studies': {
    allow: ['admin'],
    scope: 'global',
    path: () => '/api/studies',
    body: () => ({ code: `S${uniq()}`, title: 'Another study' }),
  },
  'GET /api/studies/{studyId}': {
    allow: 'everyone',
    scope: 'study',
    path: (_f, t) => `/api/studies/${t.studyId}`,
  },
  'POST /api/studies/from-file': {
    allow: ['admin'],
    scope: 'global',
    path: () => '/api/studies/from-file',
    body: () => ({ format: 'msct', file: JSON.stringify(msctSleTrial), dryRun: true }),
  },
  'GET /api/studies/{studyId}/definition.odm.xml': {
    allow: 'everyone',
    scope: 'study',
    path: (_f, t) => `/api/studies/${t.studyId}/definition.odm.xml`,
  },
  'GET /api/studies/{studyId}/definition.csv': {
    allow: 'everyone',
    scope: 'study',
    path: (_f, t) => `/api/studies/${t.studyId}/definition.csv`,
  },
  'GET /api/studies/{studyId}/definition.html': {
    allow: 'everyone',
    scope: 'study',
    path: (_f, t) => `/api/studies/${t.studyId}/definition.html`,
  },
  'GET /api/studies/{studyId}/crfs.html': {
    allow: 'everyone',
    scope: 'study',
    path: (_f, t) => `/api/studies/${t.studyId}/crfs.html`,
  },
  'GET /api/studies/{studyId}/crfs.pdf': {
    allow: 'everyone',
    scope: 'study',
    path: (_f, t) => `/api/studies/${t.studyId}/crfs.pdf`,
  },
  'GET /api/subjects/{subjectId}/casebook.html': {
    allow: 'everyone',
    scope: 'subject',
    path: (f) => `/api/subjects/${f.subjectId}/casebook.html`,
  },
  'GET /api/subjects/{subjectId}/casebook.pdf': {
    allow: 'everyone',
    scope: 'subject',
    path: (f) => `/api/subjects/${f.subjectId}/casebook.pdf`,
  },
  'GET /api/studies/{studyId}/sites': {
    allow: 'everyone',
    scope: 'study',
    path: (_f, t) => `/api/studies/${t.studyId}/sites`,
  },
  // A dry run at a stale version: an allowed admin gets past the policy to a 409, nothing changes.
  'POST /api/studies/{studyId}/definition/amendments': {
    allow: ['admin'],
    scope: 'study',
    path: (_f, t) => `/api/studies/${t.studyId}/definition/amendments`,
    body: () => ({ definition: msctSleTrial, version: 999_999, dryRun: true }),
  },
  'GET /api/studies/{studyId}/definition/versions': {
    allow: 'everyone',
    scope: 'study',
    path: (_f, t) => `/api/studies/${t.studyId}/definition/versions`,
  },
  'POST /api/studies/{studyId}/sites': {
    allow: ['admin'],
    scope: 'study',
    path: (_f, t) => `/api/studies/${t.studyId}/sites`,
    body: () => ({ code: `C${uniq()}`, name: 'New centre' }),
  },
  'GET /api/studies/{studyId}/subjects': {
    allow: 'everyone',
    scope: 'study',
    path: (_f, t) => `/api/studies/${t.studyId}/subjects`,
  },
  'POST /api/studies/{studyId}/subjects': {
    allow: DATA_ENTRY,
    scope: 'subject',
    path: (_f, t) => `/api/studies/${t.studyId}/subjects`,
    body: (f) => ({ siteId: f.siteId, sex: 'female' }),
  },
  'GET /api/subjects/{subjectId}': {
    allow: 'everyone',
    scope: 'subject',
    path: (f) => `/api/subjects/${f.subjectId}`,
  },
  'PATCH /api/subjects/{subjectId}': {
    allow: DATA_ENTRY,
    scope: 'subject',
    path: (f) => `/api/subjects/${f.subjectId}`,
    body: () => ({ version: 999, reason: 'matrix', sex: 'male' }),
  },
  'GET /api/subjects/{subjectId}/visits': {
    allow: 'everyone',
    scope: 'subject',
    path: (f) => `/api/subjects/${f.subjectId}/visits`,
  },
  'POST /api/subjects/{subjectId}/visits': {
    allow: DATA_ENTRY,
    scope: 'subject',
    path: (f) => `/api/subjects/${f.subjectId}/visits`,
    body: () => ({ visitCode: `unscheduled_${uniq()}`, visitDate: '2013-03-01' }),
  },
  'GET /api/visits/{visitId}': {
    allow: 'everyone',
    scope: 'subject',
    path: (f) => `/api/visits/${f.visitId}`,
  },
  'PATCH /api/visits/{visitId}': {
    allow: DATA_ENTRY,
    scope: 'subject',
    path: (f) => `/api/visits/${f.visitId}`,
    body: () => ({ version: 999, visitDate: '2013-01-11', reason: 'matrix' }),
  },
  'POST /api/visits/{visitId}/missed': {
    allow: DATA_ENTRY,
    scope: 'subject',
    path: (f) => `/api/visits/${f.visitId}/missed`,
    body: () => ({ version: 999, missed: true, reason: 'matrix' }),
  },
  'PUT /api/visits/{visitId}/forms/{formCode}': {
    allow: DATA_ENTRY,
    scope: 'subject',
    path: (f) => `/api/visits/${f.visitId}/forms/f_${uniq()}`,
    body: () => ({ items: [{ itemCode: 'c3', value: '0.5', unit: 'g/L' }] }),
  },
  'POST /api/forms/{formId}/status': {
    allow: DATA_ENTRY,
    scope: 'subject',
    path: (f) => `/api/forms/${f.formId}/status`,
    body: () => ({ version: 999, status: 'complete' }),
  },
  // A stale version: an allowed caller gets past the policy to a 409, and nothing is deleted.
  'DELETE /api/visits/{visitId}': {
    allow: DATA_ENTRY,
    scope: 'subject',
    path: (f) => `/api/visits/${f.visitId}?version=999&reason=matrix`,
  },
  'DELETE /api/forms/{formId}': {
    allow: DATA_ENTRY,
    scope: 'subject',
    path: (f) => `/api/forms/${f.formId}?version=999&reason=matrix`,
  },
  'GET /api/subjects/{subjectId}/infusions': {
    allow: 'everyone',
    scope: 'subject',
    path: (f) => `/api/subjects/${f.subjectId}/infusions`,
  },
  'POST /api/subjects/{subjectId}/infusions': {
    allow: DATA_ENTRY,
    scope: 'subject',
    path: (f) => `/api/subjects/${f.subjectId}/infusions`,
    body: () => ({ cycle: 9, infusionNumber: (n++ % 9) + 1, productLot: 'L1' }),
  },
  'PATCH /api/infusions/{infusionId}': {
    allow: DATA_ENTRY,
    scope: 'subject',
    path: (f) => `/api/infusions/${f.infusionId}`,
    body: () => ({ version: 999, reason: 'matrix', productLot: 'L2' }),
  },
  'GET /api/subjects/{subjectId}/adverse-events': {
    allow: 'everyone',
    scope: 'subject',
    path: (f) => `/api/subjects/${f.subjectId}/adverse-events`,
  },
  'POST /api/subjects/{subjectId}/adverse-events': {
    allow: DATA_ENTRY,
    scope: 'subject',
    path: (f) => `/api/subjects/${f.subjectId}/adverse-events`,
    body: () => ({ term: 'Headache', onsetDate: '2013-02-01', relatedness: 'unlikely' }),
  },
  'PATCH /api/adverse-events/{aeId}': {
    allow: DATA_ENTRY,
    scope: 'subject',
    path: (f) => `/api/adverse-events/${f.aeId}`,
    body: () => ({ version: 999, reason: 'matrix', ctcaeGrade: 2 }),
  },
  // Every role reads AEs; a site-scoped role's listing holds only its sites (routes/adverse-events.test.ts).
  'GET /api/studies/{studyId}/adverse-events': {
    allow: 'everyone',
    scope: 'study',
    path: (_f, t) => `/api/studies/${t.studyId}/adverse-events?seriousness=serious`,
  },
  'GET /api/adverse-events/{aeId}': {
    allow: 'everyone',
    scope: 'subject',
    path: (f) => `/api/adverse-events/${f.aeId}`,
  },
  'GET /api/adverse-events/{aeId}/cioms.html': {
    allow: 'everyone',
    scope: 'subject',
    path: (f) => `/api/adverse-events/${f.aeId}/cioms.html`,
  },
  'GET /api/adverse-events/{aeId}/cioms.pdf': {
    allow: 'everyone',
    scope: 'subject',
    path: (f) => `/api/adverse-events/${f.aeId}/cioms.pdf`,
  },
  'POST /api/adverse-events/{aeId}/follow-ups': {
    allow: DATA_ENTRY,
    scope: 'subject',
    path: (f) => `/api/adverse-events/${f.aeId}/follow-ups`,
    body: () => ({ entryDate: '2013-01-20', text: 'Fever resolved.' }),
  },
  'PATCH /api/adverse-events/{aeId}/sponsor-assessment': {
    allow: ['admin', 'safety'],
    scope: 'subject',
    path: (f) => `/api/adverse-events/${f.aeId}/sponsor-assessment`,
    body: () => ({ version: 999, reason: 'matrix', expectedness: 'expected' }),
  },
  'GET /api/studies/{studyId}/queries': {
    allow: ['admin', 'investigator', 'coordinator', 'monitor', 'safety'],
    scope: 'study',
    path: (_f, t) => `/api/studies/${t.studyId}/queries`,
  },
  'GET /api/studies/{studyId}/queries.csv': {
    allow: ['admin', 'investigator', 'coordinator', 'monitor', 'safety'],
    scope: 'study',
    path: (_f, t) => `/api/studies/${t.studyId}/queries.csv?status=closed`,
  },
  // Every role reads subjects (subject.read); a site-scoped role's list holds only its sites
  // (routes/labs.test.ts).
  'GET /api/studies/{studyId}/out-of-range-labs': {
    allow: 'everyone',
    scope: 'study',
    path: (_f, t) => `/api/studies/${t.studyId}/out-of-range-labs?flag=L`,
  },
  'GET /api/studies/{studyId}/out-of-range-labs.csv': {
    allow: 'everyone',
    scope: 'study',
    path: (_f, t) => `/api/studies/${t.studyId}/out-of-range-labs.csv?significance=unanswered`,
  },
  'GET /api/visits/{visitId}/reviews': {
    allow: ['admin', 'investigator', 'coordinator', 'monitor', 'safety'],
    scope: 'subject',
    path: (f) => `/api/visits/${f.visitId}/reviews`,
  },
  'POST /api/forms/{formId}/review': {
    allow: ['admin', 'monitor'],
    scope: 'subject',
    path: (f) => `/api/forms/${f.formId}/review`,
    body: () => ({ mark: 'reviewed', version: 999 }),
  },
  'POST /api/forms/{formId}/items/{itemCode}/verify': {
    allow: ['admin', 'monitor'],
    scope: 'subject',
    path: (f) => `/api/forms/${f.formId}/items/albumin/verify`,
    // A stale version: 409 once the policy has let it through, and nothing verified.
    body: () => ({ version: 999 }),
  },
  'POST /api/subjects/{subjectId}/verifications': {
    allow: ['admin', 'monitor'],
    scope: 'subject',
    path: (f) => `/api/subjects/${f.subjectId}/verifications`,
    body: (f) => ({ forms: [{ formId: f.formId, version: 999 }] }),
  },
  'GET /api/studies/{studyId}/sdv-plan': {
    allow: 'everyone',
    scope: 'study',
    path: (_f, t) => `/api/studies/${t.studyId}/sdv-plan`,
  },
  'PUT /api/studies/{studyId}/sdv-plan': {
    allow: ['admin'],
    scope: 'study',
    path: (_f, t) => `/api/studies/${t.studyId}/sdv-plan`,
    body: () => ({ plan: { mode: 'all' }, version: 999 }),
  },
  'GET /api/studies/{studyId}/worklist': {
    allow: ['admin', 'monitor'],
    scope: 'study',
    path: (_f, t) => `/api/studies/${t.studyId}/worklist`,
  },
  'POST /api/subjects/{subjectId}/queries': {
    allow: ['admin', 'monitor'],
    scope: 'subject',
    path: (f) => `/api/subjects/${f.subjectId}/queries`,
    body: (f) => ({ entityType: 'subject', entityId: f.subjectId, field: 'sex', text: 'Please check' }),
  },
  'GET /api/queries/{queryId}': {
    allow: ['admin', 'investigator', 'coordinator', 'monitor', 'safety'],
    scope: 'subject',
    path: (f) => `/api/queries/${f.queryId}`,
  },
  'POST /api/queries/{queryId}/transitions': {
    allow: DATA_ENTRY,
    scope: 'subject',
    path: (f) => `/api/queries/${f.queryId}/transitions`,
    body: () => ({ transition: 'answer', version: 999, text: 'Checked' }),
  },
  'GET /api/subjects/{subjectId}/audit': {
    allow: ['admin', 'investigator', 'coordinator', 'monitor'],
    scope: 'subject',
    path: (f) => `/api/subjects/${f.subjectId}/audit`,
  },
  'GET /api/visits/{visitId}/scores': {
    allow: 'everyone',
    scope: 'subject',
    path: (f) => `/api/visits/${f.visitId}/scores`,
  },
  'GET /api/subjects/{subjectId}/endpoints': {
    allow: 'everyone',
    scope: 'subject',
    path: (f) => `/api/subjects/${f.subjectId}/endpoints`,
  },
  'GET /api/studies/{studyId}/endpoints': {
    allow: 'everyone',
    scope: 'study',
    path: (_f, t) => `/api/studies/${t.studyId}/endpoints`,
  },
  'GET /api/subjects/{subjectId}/eligibility': {
    allow: 'everyone',
    scope: 'subject',
    path: (f) => `/api/subjects/${f.subjectId}/eligibility`,
  },
  'POST /api/subjects/{subjectId}/enrol': {
    allow: DATA_ENTRY,
    scope: 'subject',
    path: (f) => `/api/subjects/${f.subjectId}/enrol`,
    body: () => ({ version: 1, day0Date: '2013-01-10' }),
  },
  // Randomisation (issue 24). This study has no arms: an allowed caller gets past the policy to a
  // 422 "does not randomise"; blinding is proven on a randomised study in blinding-matrix.test.ts.
  'POST /api/subjects/{subjectId}/randomise': {
    allow: DATA_ENTRY,
    scope: 'subject',
    path: (f) => `/api/subjects/${f.subjectId}/randomise`,
  },
  'GET /api/subjects/{subjectId}/randomisation': {
    allow: 'everyone',
    scope: 'subject',
    path: (f) => `/api/subjects/${f.subjectId}/randomisation`,
  },
  'POST /api/subjects/{subjectId}/unblind': {
    allow: ['investigator'],
    scope: 'subject',
    path: (f) => `/api/subjects/${f.subjectId}/unblind`,
    body: () => ({ reason: 'matrix' }),
  },
  'GET /api/studies/{studyId}/unblindings': {
    allow: ['admin', 'investigator', 'safety'],
    scope: 'study',
    path: (_f, t) => `/api/studies/${t.studyId}/unblindings`,
  },
  'GET /api/studies/{studyId}/randomisation/balance': {
    allow: ['admin', 'investigator', 'monitor', 'statistician'],
    scope: 'study',
    path: (_f, t) => `/api/studies/${t.studyId}/randomisation/balance`,
  },
  'POST /api/subjects/{subjectId}/randomisation/corrections': {
    allow: ['admin', 'investigator'],
    scope: 'subject',
    path: (f) => `/api/subjects/${f.subjectId}/randomisation/corrections`,
    body: () => ({ toArm: 'control', reason: 'matrix' }),
  },
  'GET /api/studies/{studyId}/randomisation/corrections': {
    allow: ['admin', 'investigator', 'monitor', 'statistician'],
    scope: 'study',
    path: (_f, t) => `/api/studies/${t.studyId}/randomisation/corrections`,
  },
  'GET /api/studies/{studyId}/randomisation/list': {
    allow: ['statistician'],
    scope: 'study',
    path: (_f, t) => `/api/studies/${t.studyId}/randomisation/list`,
  },
  'GET /api/subjects/{subjectId}/schedule': {
    allow: 'everyone',
    scope: 'subject',
    path: (f) => `/api/subjects/${f.subjectId}/schedule?today=2013-05-01`,
  },
  'GET /api/studies/{studyId}/analysis': {
    allow: ['admin', 'investigator', 'monitor', 'statistician'],
    scope: 'study',
    path: (_f, t) => `/api/studies/${t.studyId}/analysis`,
  },
  'GET /api/studies/{studyId}/analysis/report.html': {
    allow: ['admin', 'investigator', 'monitor', 'statistician'],
    scope: 'study',
    path: (_f, t) => `/api/studies/${t.studyId}/analysis/report.html`,
  },
  'GET /api/studies/{studyId}/visit-overview': {
    allow: 'everyone',
    scope: 'study',
    path: (f, t) => `/api/studies/${t.studyId}/visit-overview?subjectIds=${f.subjectId}`,
  },
  'GET /api/studies/{studyId}/subject-counts': {
    allow: 'everyone',
    scope: 'study',
    path: (_f, t) => `/api/studies/${t.studyId}/subject-counts`,
  },
  // Issue 22: the coordinator's worklist, for the roles that enter data (at their own sites).
  'GET /api/studies/{studyId}/entry-worklist': {
    allow: DATA_ENTRY,
    scope: 'study',
    path: (_f, t) => `/api/studies/${t.studyId}/entry-worklist`,
  },
  // Issue 21: signatures and locks.
  'GET /api/studies/{studyId}/signature-worklist': {
    allow: ['admin', 'investigator'],
    scope: 'study',
    path: (_f, t) => `/api/studies/${t.studyId}/signature-worklist`,
  },
  'GET /api/subjects/{subjectId}/signatures': {
    allow: 'everyone',
    scope: 'subject',
    path: (f) => `/api/subjects/${f.subjectId}/signatures`,
  },
  'POST /api/subjects/{subjectId}/signatures': {
    allow: ['admin', 'investigator'],
    scope: 'subject',
    path: (f) => `/api/subjects/${f.subjectId}/signatures`,
    // The right password and a stale version: 409 once the policy has let it through.
    body: (f) => ({ forms: [{ formId: f.formId, version: 999 }], password: TEST_PASSWORD }),
  },
  'GET /api/studies/{studyId}/locks': {
    allow: 'everyone',
    scope: 'study',
    path: (_f, t) => `/api/studies/${t.studyId}/locks`,
  },
  'POST /api/studies/{studyId}/locks': {
    allow: ['admin'],
    scope: 'study',
    path: (_f, t) => `/api/studies/${t.studyId}/locks`,
    // A subject already locked: 409 once the policy has let it through, and no new lock for later rows.
    body: (f) => ({ level: 'subject', subjectId: f.lockedSubjectId, kind: 'lock', reason: 'matrix' }),
  },
  'GET /api/studies/{studyId}/lock-readiness': {
    allow: ['admin'],
    scope: 'study',
    path: (_f, t) => `/api/studies/${t.studyId}/lock-readiness`,
  },
  'POST /api/locks/{lockId}/release': {
    allow: ['admin'],
    scope: 'study',
    path: (f) => `/api/locks/${f.lockId}/release`,
    body: () => ({ version: 999, reason: 'matrix' }),
  },
  'POST /api/unlock-requests': {
    allow: DATA_ENTRY,
    scope: 'subject',
    path: () => '/api/unlock-requests',
    // Already requested: 409 once the policy has let it through.
    body: (f) => ({ targetType: 'lock', targetId: f.activeLockId, reason: 'matrix' }),
  },
  'POST /api/unlock-requests/{requestId}/decline': {
    allow: ['admin'],
    scope: 'subject',
    path: (f) => `/api/unlock-requests/${f.unlockRequestId}/decline`,
    body: () => ({ version: 999, reason: 'matrix' }),
  },
  'GET /api/studies/{studyId}/record-status': {
    allow: 'everyone',
    scope: 'study',
    path: (_f, t) => `/api/studies/${t.studyId}/record-status?limit=10&sort=site`,
  },
  'GET /api/studies/{studyId}/export.odm.xml': {
    allow: ['admin', 'monitor', 'statistician'],
    scope: 'study',
    path: (_f, t) => `/api/studies/${t.studyId}/export.odm.xml`,
  },
  'POST /api/studies/{studyId}/import.csv': {
    allow: ['admin'],
    scope: 'study',
    // No body: an allowed caller gets past the policy to "send the file as text/csv" (415).
    path: (_f, t) => `/api/studies/${t.studyId}/import.csv?dryRun=true`,
  },
  'POST /api/studies/{studyId}/import.odm': {
    allow: ['admin'],
    scope: 'study',
    path: (_f, t) => `/api/studies/${t.studyId}/import.odm?dryRun=true`,
  },
  'POST /api/studies/{studyId}/import.fhir': {
    allow: ['admin'],
    scope: 'study',
    path: (_f, t) => `/api/studies/${t.studyId}/import.fhir?dryRun=true`,
  },
  'GET /api/audit/verify': { allow: ['admin'], scope: 'global', path: () => '/api/audit/verify' },
  // Export jobs (issue 22): started by the roles that may export; a job is its requester's (here
  // the statistician's) or an admin's to see; its file, not written yet, is a 409 past the policy.
  'POST /api/studies/{studyId}/exports': {
    allow: ['admin', 'monitor', 'statistician'],
    scope: 'study',
    path: (_f, t) => `/api/studies/${t.studyId}/exports`,
    body: () => ({ format: 'csv-long', filters: { formCodes: ['labs'] } }),
  },
  'GET /api/exports': { allow: 'everyone', scope: 'global', path: () => '/api/exports' },
  'GET /api/exports/{jobId}': {
    allow: ['admin', 'statistician'],
    scope: 'global',
    path: (f) => `/api/exports/${f.exportJobId}`,
  },
  'GET /api/exports/{jobId}/file': {
    allow: ['admin', 'statistician'],
    scope: 'global',
    path: (f) => `/api/exports/${f.exportJobId}/file`,
  },
  // Attachments (issue 22): guarded like their subject. The matrix sends JSON, which the upload
  // refuses after the access check (415: send the file itself); e2e/attachments.test.ts uploads.
  'GET /api/subjects/{subjectId}/attachments': {
    allow: 'everyone',
    scope: 'subject',
    path: (f) => `/api/subjects/${f.subjectId}/attachments`,
  },
  'POST /api/subjects/{subjectId}/attachments': {
    allow: DATA_ENTRY,
    scope: 'subject',
    path: (f) => `/api/subjects/${f.subjectId}/attachments?fileName=matrix.pdf`,
    body: () => ({ not: 'a file' }),
  },
  // A statistician reads the subject pseudonymised: a source document can name the patient (403).
  'GET /api/attachments/{attachmentId}/file': {
    allow: ['admin', 'investigator', 'coordinator', 'monitor', 'safety'],
    scope: 'subject',
    path: (f) => `/api/attachments/${f.attachmentId}/file`,
  },
  // A stale version: an allowed role gets past the policy to a 409, and nothing changes.
  'POST /api/attachments/{attachmentId}/retract': {
    allow: DATA_ENTRY,
    scope: 'subject',
    path: (f) => `/api/attachments/${f.attachmentId}/retract`,
    body: () => ({ version: 999_999, reason: 'matrix' }),
  },
};

describe('access matrix (role × own/other site × route)', () => {
  let server: TestServer;
  let trial: TestTrial;
  const fixtures: Record<'own' | 'other', Fixture> = {} as Record<'own' | 'other', Fixture>;
  const clients = {} as Record<RoleName, ApiClient>;

  beforeAll(async () => {
    server = await startTestServer('sqlite');
    trial = await createTestTrial(server.db, { definition: msctSleTrial });
    const admin = { id: trial.users.admin!.id, name: 'admin' };
    for (const [key, siteId] of [
      ['own', trial.siteA],
      ['other', trial.siteB],
    ] as const) {
      const s = await createSubject(server.db, admin, {
        studyId: trial.studyId,
        siteId,
        day0Date: '2013-01-10',
      });
      const v = await createVisit(server.db, admin, {
        subjectId: s.id,
        visitCode: 'D0',
        visitDate: '2013-01-10',
      });
      const { form } = await saveItems(server.db, admin, {
        visitId: v.id,
        formCode: 'labs',
        items: [{ itemCode: 'albumin', value: '30', unit: 'g/L' }],
      });
      const inf = await createSubjectRecord(server.db, admin, 'infusions', s.id, {
        cycle: 1,
        infusion_number: 1,
        planned_date: null,
        started_at: null,
        ended_at: null,
        product_lot: 'L0',
        total_cells: null,
        viability_pct: null,
        volume_ml: null,
        weight_kg: null,
        vitals_json: null,
        reactions: null,
        status: 'given',
      });
      const ae = await createSubjectRecord(server.db, admin, 'adverse_events', s.id, {
        term: 'Fever',
        onset_date: '2013-01-12',
        resolution_date: null,
        ctcae_grade: 1,
        serious: 0,
        seriousness_json: '[]',
        relatedness: 'not_related',
        action_taken: null,
        outcome: null,
        infusion_id: null,
        death_date: null,
        death_cause: null,
      });
      const q = await raiseQuery(server.db, admin, {
        subjectId: s.id,
        entityType: 'subject',
        entityId: s.id,
        text: 'check',
      });
      const attached = await addAttachment(server.db, admin, {
        subjectId: s.id,
        visitId: v.id,
        fileName: 'matrix.pdf',
        contentType: 'application/pdf',
        content: Buffer.from('%PDF-1.4\n%%EOF\n'),
        scanStatus: 'not scanned',
      });
      const extra = await assignRole(server.db, admin, {
        userId: trial.users.safety!.id,
        role: 'safety',
        studyId: trial.studyId,
        siteId: null,
      });
      const lock = await createRecordLock(server.db, admin, {
        studyId: trial.studyId,
        level: 'subject',
        subjectId: s.id,
        kind: 'freeze',
        reason: 'matrix',
      });
      await releaseRecordLock(server.db, admin, lock.id, lock.version, 'matrix');
      const locked = await createSubject(server.db, admin, { studyId: trial.studyId, siteId });
      const lock2 = await createRecordLock(server.db, admin, {
        studyId: trial.studyId,
        level: 'subject',
        subjectId: locked.id,
        kind: 'lock',
        reason: 'matrix',
      });
      const request = await requestUnlock(server.db, admin, {
        targetType: 'lock',
        targetId: lock2.id,
        reason: 'a late lab value',
      });
      const exportJob = await createExportJob(
        server.db,
        { id: trial.users.statistician!.id, name: 'statistician' },
        { studyId: trial.studyId, format: 'csv-long', filters: {}, pseudonymised: true },
      );
      fixtures[key] = {
        attachmentId: attached.id,
        exportJobId: exportJob.id,
        lockId: lock.id,
        unlockRequestId: request.id,
        lockedSubjectId: locked.id,
        activeLockId: lock2.id,
        assignmentId: extra.id,
        subjectId: s.id,
        visitId: v.id,
        formId: form.id,
        infusionId: inf.id,
        aeId: ae.id,
        queryId: q.id,
        siteId,
      };
    }
    for (const role of ROLE_NAMES) {
      clients[role] = new ApiClient(server.baseUrl);
      expect((await clients[role].login(role)).status).toBe(200);
    }
  });
  afterAll(async () => server?.close());

  it('lists every route of the OpenAPI document', async () => {
    const doc = (
      await new ApiClient(server.baseUrl).get<{ paths: Record<string, Record<string, unknown>> }>(
        '/api/openapi.json',
      )
    ).body;
    const routes = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`),
    );
    expect(routes.length).toBeGreaterThan(30);
    expect(routes.filter((r) => !(r in MATRIX))).toEqual([]);
    expect(Object.keys(MATRIX).filter((r) => !routes.includes(r))).toEqual([]);
  });

  it('anonymous callers get 401 on every non-public route', async () => {
    const anon = new ApiClient(server.baseUrl);
    const wrong: string[] = [];
    for (const [key, e] of Object.entries(MATRIX)) {
      if (e.allow === 'public') continue;
      const [method] = key.split(' ');
      const res = await anon.request(method!, e.path(fixtures.own, trial), e.body?.(fixtures.own, trial));
      if (res.status !== 401) wrong.push(`${key}: ${res.status}`);
    }
    expect(wrong).toEqual([]);
  });

  for (const [key, entry] of Object.entries(MATRIX)) {
    if (
      entry.allow === 'public' ||
      key.startsWith('POST /api/auth/logout') ||
      key === 'POST /api/auth/password'
    )
      continue;
    it(key, async () => {
      const [method] = key.split(' ');
      const wrong: string[] = [];
      for (const role of ROLE_NAMES) {
        for (const where of ['own', 'other'] as const) {
          const f = fixtures[where];
          const res = await clients[role].request(method!, entry.path(f, trial), entry.body?.(f, trial));
          const allowed = entry.allow === 'everyone' || entry.allow.includes(role);
          const outside = where === 'other' && SITE_SCOPED.includes(role) && entry.scope === 'subject';
          const expected = outside ? 404 : allowed ? 'allowed' : 403;
          // "allowed" = the policy let it through: success, or a business answer such as a stale-version 409.
          // A 400 would mean the matrix sent a bad body and proved nothing, so it counts as wrong.
          const got = [401, 403, 404, 400].includes(res.status) ? res.status : 'allowed';
          if (got !== expected)
            wrong.push(
              `${role}@${where}: expected ${expected}, got ${res.status} ${JSON.stringify(res.body).slice(0, 160)}`,
            );
        }
      }
      expect(wrong).toEqual([]);
    });
  }

  it('logout and logout-everywhere end sessions', async () => {
    const a = new ApiClient(server.baseUrl);
    const b = new ApiClient(server.baseUrl);
    await a.login('monitor');
    await b.login('monitor');
    expect((await a.post('/api/auth/logout')).status).toBe(204);
    expect((await a.get('/api/auth/me')).status).toBe(401);
    expect((await b.get('/api/auth/me')).status).toBe(200);
    const c = new ApiClient(server.baseUrl);
    await c.login('monitor');
    expect((await c.post('/api/auth/logout-everywhere')).status).toBe(204);
    expect((await b.get('/api/auth/me')).status).toBe(401);
    expect((await clients.monitor.get('/api/auth/me')).status).toBe(401);
    await clients.monitor.login('monitor');
  });

  it('password change: wrong current password 401, weak new one 400 at the field, then 204 and a new session', async () => {
    const c = new ApiClient(server.baseUrl);
    await c.login('safety');
    expect(
      (
        await c.post('/api/auth/password', {
          currentPassword: 'not-it',
          newPassword: 'a-long-enough-password',
        })
      ).status,
    ).toBe(401);
    const weak = await c.post<{ errors: { field: string }[] }>('/api/auth/password', {
      currentPassword: TEST_PASSWORD,
      newPassword: 'short',
    });
    expect(weak.status).toBe(400);
    expect(weak.body.errors[0]!.field).toBe('body.newPassword');
    expect(
      (await c.post('/api/auth/password', { currentPassword: TEST_PASSWORD, newPassword: TEST_PASSWORD }))
        .status,
    ).toBe(204);
    expect((await c.get('/api/auth/me')).status).toBe(200);
    expect((await clients.safety.get('/api/auth/me')).status).toBe(401);
    await clients.safety.login('safety');
  });

  it('a statistician sees pseudonyms, never subject codes or birth dates', async () => {
    const res = await clients.statistician.get<{ subjectCode: string; birthDate: string | null }[]>(
      `/api/studies/${trial.studyId}/subjects`,
    );
    expect(res.status).toBe(200);
    expect(res.body.length).toBeGreaterThan(0);
    for (const s of res.body) {
      expect(s.subjectCode).toMatch(/^P[0-9A-F]{10}$/);
      expect(s.birthDate).toBeNull();
    }
  });

  it("a coordinator's subject list holds only its own site", async () => {
    const res = await clients.coordinator.get<{ siteId: string }[]>(`/api/studies/${trial.studyId}/subjects`);
    expect(res.body.length).toBeGreaterThan(0);
    expect(new Set(res.body.map((s) => s.siteId))).toEqual(new Set([trial.siteA]));
  });
});
