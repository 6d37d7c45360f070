// The trial's raw data as one value: what the store loads and what the endpoints and the analysis
// read. Items stay raw (value + unit as entered); everything else is derived from them.
import type { VisitItems } from '../crf/derive.js';

export interface DatasetVisit {
  visitId: string;
  /** Visit code of the study definition (SCR, D0, D7, M1, M3, M6, M9, M12, UNSCHEDULED, …). */
  visitCode: string;
  cycle: number;
  date: string | null;
  items: VisitItems;
}

export interface DatasetInfusion {
  cycle: number;
  infusionNumber: number;
  date: string | null;
  productLot: string | null;
  totalCells: number | null;
  viabilityPct: number | null;
  weightKg: number | null;
  status: string;
  reactions: string | null;
}

export interface DatasetAdverseEvent {
  term: string;
  onsetDate: string;
  resolutionDate: string | null;
  ctcaeGrade: number | null;
  serious: boolean;
  seriousness: string[];
  relatedness: string;
  outcome: string | null;
  deathDate: string | null;
  deathCause: string | null;
  infusionLinked: boolean;
}

export interface DatasetSubject {
  subjectId: string;
  /** Subject code, or the pseudonym in a de-identified dataset. */
  subjectCode: string;
  siteId: string;
  siteCode: string;
  status: string;
  sex: string | null;
  birthDate: string | null;
  /** Date of the first infusion (study day 0). */
  day0Date: string | null;
  visits: DatasetVisit[];
  infusions: DatasetInfusion[];
  adverseEvents: DatasetAdverseEvent[];
  /** The arm id of the subject's randomisation assignment (issue 24); absent when not randomised. */
  arm?: string;
}

export interface TrialDataset {
  study: { id: string; code: string; title: string };
  sites: { id: string; code: string; name: string }[];
  subjects: DatasetSubject[];
  /** When the data were read, and a hash of their content, for the report header. */
  snapshot: { takenAt: string; hash: string };
}
