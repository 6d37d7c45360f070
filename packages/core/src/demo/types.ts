// The demo trial as a plain data plan: what the loader writes through the store, item by item.
// Nothing here is a score, a grade total or an outcome: those are derived by msct's instruments and
// endpoint rules from the items (issue 8; DESIGN.md principle 3).
import type { VisitItems } from '../crf/derive.js';
import type { ClassicBilagSystem } from '../instruments/bilag-classic/grades.js';
import type { StudyDefinition } from '../protocol/study-definition.js';
import type { AeOutcome, InfusionStatus, Relatedness } from '../safety/vocabulary.js';

export type Grade = 'A' | 'B' | 'C' | 'D' | 'E';
export type Grades = Record<ClassicBilagSystem, Grade>;

export type DemoRole = 'admin' | 'investigator' | 'coordinator' | 'monitor' | 'statistician' | 'safety';

export interface DemoUser {
  username: string;
  displayName: string;
  role: DemoRole;
  /** Site code of the assignment; null = every site of the study (admin: every study). */
  siteCode: string | null;
}

export interface DemoSite {
  code: string;
  name: string;
  /** This centre's laboratory reference limits (each lab its own, instruments.md §1.2 #20–21). */
  labLimits: { c3LlnGL: number; c4LlnGL: number; antiDsDnaUlnIuMl: number };
}

export interface DemoVisit {
  visitCode: string;
  cycle: number;
  date: string;
  /** Why the visit is outside the schedule: an UNSCHEDULED visit needs one (protocol/entry-rules.ts). */
  reason?: string;
  /** formCode → itemCode → { value, unit }: exactly what a coordinator would type. */
  forms: VisitItems;
}

export interface DemoInfusion {
  cycle: number;
  infusionNumber: number;
  plannedDate: string;
  startedAt: string | null;
  endedAt: string | null;
  productLot: string | null;
  totalCells: number | null;
  viabilityPct: number | null;
  volumeMl: number | null;
  weightKg: number | null;
  vitals: Record<string, unknown> | null;
  reactions: string | null;
  status: Exclude<InfusionStatus, 'planned'>;
}

export interface DemoAdverseEvent {
  term: string;
  onsetDate: string;
  resolutionDate: string | null;
  ctcaeGrade: number | null;
  /** ICH E2A criteria codes; empty = not serious. */
  seriousness: string[];
  relatedness: Relatedness;
  actionTaken: string | null;
  outcome: Extract<AeOutcome, 'recovered' | 'recovering' | 'not_recovered' | 'fatal'> | null;
  deathDate: string | null;
  deathCause: string | null;
  /** Where the event comes from (Table 2 row, or the note that moved it). */
  source: string;
}

export type DemoSubjectStatus = 'completed' | 'died' | 'withdrawn';

export interface DemoPatient {
  /** Patient number in the publication (1–40; Table 1 rows 1–13 are published, 14–40 generated). */
  number: number;
  /** True for Table 1 rows (baseline characteristics and outcome from the paper). */
  published: boolean;
  siteCode: string;
  sex: 'female' | 'male';
  birthDate: string;
  enrolledAt: string;
  day0Date: string;
  finalStatus: DemoSubjectStatus;
  visits: DemoVisit[];
  infusions: DemoInfusion[];
  adverseEvents: DemoAdverseEvent[];
  /**
   * The course the generator aimed at (for the notes and the tests' messages only; never written
   * to the database: the outcome is adjudicated from the items).
   */
  intended: { outcome: 'MCR' | 'PCR' | 'NR'; relapseMonth: 9 | 12 | null; deathDay: number | null };
}

export interface DemoTrialPlan {
  seed: number;
  study: { code: string; title: string; definition: StudyDefinition };
  sites: DemoSite[];
  users: DemoUser[];
  patients: DemoPatient[];
  /** What a data manager must know: generated rows, the Table 1 / Table 2 conflict, waivers, draws. */
  notes: string[];
}
