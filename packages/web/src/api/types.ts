// The shapes the API returns, derived from the contract (@msct/contract: each route's response
// schema, z.infer) — none is written by hand here. Only ROLES, the order the UI lists roles in, is
// the web app's own (checked against the contract's roles below).

import type {
  ImportProblem,
  ImportReport,
  Method,
  PathOf,
  RequestOf,
  ResponseOf,
  Role,
  RouteOf,
  SubjectStatus,
} from '@msct/contract';
import type { Computing } from './derived.js';

/** The success body of GET `path`. */
type Get<P extends PathOf<'GET'>> = ResponseOf<RouteOf<'GET', P>>;

export type { ImportProblem, ImportReport, Role, SubjectStatus };

/** The body a route takes, for narrowing form values (a <select>'s string) to what the route accepts. */
export type BodyOf<M extends Method, P extends PathOf<M>> = NonNullable<RequestOf<RouteOf<M, P>>['body']>;

/** Every role, in the order the admin page lists them. */
export const ROLES = [
  'admin',
  'investigator',
  'coordinator',
  'monitor',
  'statistician',
  'safety',
] as const satisfies readonly Role[];
// Fails to compile if the contract gains a role the list above lacks.
type MissingRole = Exclude<Role, (typeof ROLES)[number]>;
export const NO_MISSING_ROLE: MissingRole extends never ? true : never = true;

export type Me = Get<'/api/auth/me'>;
export type RoleAssignment = Me['roles'][number];
export type UserRow = Get<'/api/users'>[number];
export type Study = Get<'/api/studies/:studyId'>;
export type Site = Get<'/api/studies/:studyId/sites'>[number];
export type Subject = Get<'/api/subjects/:subjectId'>;
export type Visit = Get<'/api/subjects/:subjectId/visits'>[number];
export type VisitWithForms = Get<'/api/visits/:visitId'>;
export type Form = VisitWithForms['forms'][number];
export type Item = Form['items'][number];
export type Query = Get<'/api/studies/:studyId/queries'>['queries'][number];
export type FormReview = Get<'/api/visits/:visitId/reviews'>[number];
export type Worklist = Get<'/api/studies/:studyId/worklist'>;
export type EntryWorklistData = Get<'/api/studies/:studyId/entry-worklist'>;
export type QueryMessage = Get<'/api/queries/:queryId'>['messages'][number];
export type AuditEvent = Get<'/api/subjects/:subjectId/audit'>[number];
export type Infusion = Get<'/api/subjects/:subjectId/infusions'>[number];
export type AdverseEvent = Get<'/api/subjects/:subjectId/adverse-events'>[number];
/** The BILAG-2004 assessment before a visit, which the renal change rules compare with. */
export type PreviousAssessment = NonNullable<Get<'/api/visits/:visitId/scores'>['previousBilag2004']>;
/** GET /api/studies/{id}/subject-counts: counted by the server over every subject at the user's sites. */
export type SubjectCounts = Get<'/api/studies/:studyId/subject-counts'>;
export type Counts = SubjectCounts['total'];
export type StatusCounts = Counts['byStatus'];
/** GET /api/studies/{id}/record-status: one page of the grid, with the total matching the filters. */
export type RecordStatusPage = Get<'/api/studies/:studyId/record-status'>;
/** GET /api/subjects/{id}/endpoints: scores per visit, the verdict with its trace, time to event. */
export type SubjectEndpoints = Get<'/api/subjects/:subjectId/endpoints'>;
/** One subject's verdict in GET /api/studies/{id}/endpoints. */
export type EndpointRow = Exclude<Get<'/api/studies/:studyId/endpoints'>, Computing>['subjects'][number];
/** GET /api/studies/{id}/analysis: the analysis plan's results. */
export type AnalysisResults = Exclude<Get<'/api/studies/:studyId/analysis'>, Computing>;
export type RandomisationStatus = Get<'/api/subjects/:subjectId/randomisation'>;
