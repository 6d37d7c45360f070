// Which BILAG-2004 grades rest on PROVISIONAL rules, for the people who read them (issue #18 item
// 13). The item-to-grade rules of six systems use item sets that are ours, not the published
// scoring appendix (Isenberg 2005 supplementary data; Yee 2007/2009; 2010 renal update), which was
// not found (instruments.md §2.2.2 "not obtained", §8 items 1–2): mucocutaneous, neuropsychiatric,
// musculoskeletal, cardiorespiratory, gastrointestinal, ophthalmic. Two more are provisional for
// the same reason (instruments/README.md "PROVISIONAL rules" 2–3): the constitutional rule (read
// from the JSLE test vectors, wording inferred, §2.2.2) and the haematological cut-offs (§2.2.4
// UNVERIFIED). Renal follows the written rules read in the JSLE port (§2.2.3).
import type { Bilag2004System, BilagGrade } from './types.js';

export const BILAG2004_PROVISIONAL_SYSTEMS: readonly Bilag2004System[] = Object.freeze([
  'constitutional',
  'mucocutaneous',
  'neuropsychiatric',
  'musculoskeletal',
  'cardiorespiratory',
  'gastrointestinal',
  'ophthalmic',
  'haematological',
]);

const PROVISIONAL = new Set<string>(BILAG2004_PROVISIONAL_SYSTEMS);

/**
 * Whether a system's grade rests on a provisional rule: an A, B or C of a provisional system. D and
 * E follow from "no activity" and the history, which no item-set assignment changes.
 */
export function isProvisionalBilag2004Grade(system: Bilag2004System, grade: BilagGrade): boolean {
  return PROVISIONAL.has(system) && (grade === 'A' || grade === 'B' || grade === 'C');
}

/** What users are told beside a provisional grade. */
export const BILAG2004_PROVISIONAL_NOTE =
  'provisional: this grade comes from a grading rule not yet checked against the published BILAG-2004 scoring rules';
