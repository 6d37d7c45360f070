// The shapes the API returns (see packages/server/src/routes/*.ts).

export type Role = 'admin' | 'investigator' | 'coordinator' | 'monitor' | 'statistician' | 'safety';
export const ROLES: readonly Role[] = [
  'admin',
  'investigator',
  'coordinator',
  'monitor',
  'statistician',
  'safety',
];

export interface RoleAssignment {
  id: string;
  role: Role;
  studyId: string | null;
  siteId: string | null;
}

export interface Me {
  user: { id: string; username: string; displayName: string };
  /** The password was set by someone else: the session may only change it. */
  mustChangePassword: boolean;
  roles: RoleAssignment[];
  csrfToken: string;
}

export interface Study {
  id: string;
  code: string;
  title: string;
  status: string;
  /** The study definition as stored: a full StudyDefinition for defined studies, `{}` for ad-hoc ones. */
  definition?: unknown;
  version: number;
}

export interface Site {
  id: string;
  studyId: string;
  code: string;
  name: string;
}

export interface Subject {
  id: string;
  studyId: string;
  siteId: string;
  subjectCode: string;
  status: string;
  sex: string | null;
  birthDate: string | null;
  enrolledAt: string | null;
  day0Date: string | null;
  version: number;
}

export interface Visit {
  id: string;
  subjectId: string;
  visitCode: string;
  cycle: number;
  visitDate: string | null;
  status: string;
  version: number;
}

export interface Item {
  id: string;
  itemCode: string;
  value: string | null;
  unit: string | null;
  version: number;
  updatedAt: string;
  updatedBy: string;
}

export interface Form {
  id: string;
  formCode: string;
  status: 'incomplete' | 'complete' | 'signed' | 'locked';
  signedBy: string | null;
  signedAt: string | null;
  version: number;
  items: Item[];
}

export interface VisitWithForms extends Visit {
  forms: Form[];
  /** The meaning of an electronic signature (21 CFR 11.50), as the server stores it with a signature. */
  signatureMeaning: string;
}

export interface Query {
  id: string;
  subjectId: string;
  entityType: string;
  entityId: string;
  field: string | null;
  status: 'open' | 'answered' | 'closed';
  text: string;
  raisedBy: string;
  raisedAt: string;
  closedAt: string | null;
  version: number;
  subjectCode?: string;
  siteId?: string;
  raisedByName?: string;
  visitId?: string | null;
  formCode?: string | null;
}

export interface QueryMessage {
  id: string;
  authorId: string;
  authorName?: string;
  kind: string;
  text: string;
  createdAt: string;
}

export interface AuditEvent {
  seq: number;
  at: string;
  actor: string;
  action: string;
  entityType: string;
  entityId: string;
  field: string | null;
  oldValue: string | null;
  newValue: string | null;
  reason: string | null;
}

export interface UserRow {
  id: string;
  username: string;
  displayName: string;
  active: boolean;
  /** When the account was deactivated, null while active. */
  deactivatedAt: string | null;
  mustChangePassword: boolean;
  version: number;
  roles: RoleAssignment[];
}

export interface Infusion {
  id: string;
  subjectId: string;
  cycle: number;
  infusionNumber: number;
  plannedDate: string | null;
  startedAt: string | null;
  endedAt: string | null;
  productLot: string | null;
  totalCells: number | null;
  viabilityPct: number | null;
  volumeMl: number | null;
  weightKg: number | null;
  cellsPerKg: number | null;
  reactions: string | null;
  status: 'planned' | 'given' | 'not_given';
  version: number;
  /** The protocol's dose check (±10 % of the planned cells/kg), when cells and weight are known. */
  doseCheck: { flagged: boolean; message: string } | null;
  /** The release criterion (viability ≥ 90 %), when viability is known. */
  viabilityCheck: { released: boolean; message: string } | null;
}

export interface AdverseEvent {
  id: string;
  subjectId: string;
  term: string;
  onsetDate: string;
  resolutionDate: string | null;
  ctcaeGrade: number | null;
  serious: boolean;
  seriousness: string[];
  relatedness: string;
  outcome: string | null;
  version: number;
}

/** One problem of an imported file: where it is and which rule it breaks. */
export interface ImportProblem {
  row: number;
  column: string;
  rule: string;
  message: string;
}

/** What an import (or its dry run) found and did. */
export interface ImportReport {
  dryRun: boolean;
  written: boolean;
  rows: number;
  values: number;
  invalidRows: number;
  problems: ImportProblem[];
  problemsNotListed: number;
  entered: number;
  changed: number;
  unchanged: number;
  visitsCreated: number;
  formsCreated: number;
}

/** The BILAG-2004 assessment before a visit, which the renal change rules compare with. */
export interface PreviousAssessment {
  visitId: string;
  visitCode: string;
  visitDate: string | null;
  items: Record<string, { value: string | null; unit: string | null }>;
}

/** Subjects per status, as GET /subject-counts counts them. */
export type StatusCounts = Record<
  'screening' | 'enrolled' | 'screen_failed' | 'withdrawn' | 'completed' | 'died',
  number
>;

export interface Counts {
  subjects: number;
  byStatus: StatusCounts;
  /** null when the study defines no visit schedule. */
  overdueVisits: number | null;
  /** Open or answered queries; null where the role may not read queries. */
  unresolvedQueries: number | null;
}

/** GET /api/studies/{id}/subject-counts: counted by the server over every subject at the user's sites. */
export interface SubjectCounts {
  sites: (Counts & { siteId: string; siteCode: string; siteName: string })[];
  total: Counts;
}

/** GET /api/studies/{id}/record-status: one page of the grid, with the total matching the filters. */
export interface RecordStatusPage {
  total: number;
  offset: number;
  limit: number;
  subjects: (Subject & {
    siteCode: string;
    unresolvedQueries: number | null;
    /** The page's visits with each form's code and state (no item values). */
    visits: (Omit<Visit, 'version'> & { forms: Pick<Form, 'formCode' | 'status'>[] })[];
  })[];
}
